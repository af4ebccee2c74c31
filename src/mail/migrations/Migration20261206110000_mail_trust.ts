import { Migration } from '@mikro-orm/migrations';

/**
 * The outbox records each mail's state (queued → sending → sent / failed / abandoned) and who
 * holds it (`claim_token`, one lease per row), and belongs to its user, so that erasing the user
 * erases their mail. `mail_throttle` remembers, per address (hashed) and kind of mail, when the
 * last one was queued.
 */
export class Migration20261206110000_mail_trust extends Migration {

  override name = 'Migration20261206110000_mail_trust';

  override up(): void | Promise<void> {
    this.addSql(`alter table "outbox" add "status" varchar(16) not null default 'queued', add "claim_token" uuid null, add "user_id" uuid null;`);
    this.addSql(`update "outbox" set "status" = case
      when "sent_at" is not null then 'sent'
      when "failed_at" is not null then 'abandoned'
      when "attempts" > 0 then 'failed'
      else 'queued' end;`);
    this.addSql(`update "outbox" set "user_id" = "users"."id" from "users" where "users"."email" = "outbox"."recipient";`);
    this.addSql(`alter table "outbox" add constraint "outbox_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`);
    this.addSql(`create index "outbox_user_id_index" on "outbox" ("user_id");`);
    this.addSql(`drop index "outbox_due_index";`);
    this.addSql(`create index "outbox_due_index" on "outbox" ("next_attempt_at") where "status" in ('queued', 'sending', 'failed');`);

    this.addSql(`create table "mail_throttle" ("address_hash" varchar(64) not null, "kind" varchar(32) not null, "last_queued_at" timestamptz not null, primary key ("address_hash", "kind"));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "mail_throttle" cascade;`);
    this.addSql(`drop index "outbox_due_index";`);
    this.addSql(`create index "outbox_due_index" on "outbox" ("next_attempt_at") where "sent_at" is null and "failed_at" is null;`);
    this.addSql(`alter table "outbox" drop constraint "outbox_user_id_foreign";`);
    this.addSql(`alter table "outbox" drop column "status", drop column "claim_token", drop column "user_id";`);
  }

}
