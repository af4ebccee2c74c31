import { Migration } from '@mikro-orm/migrations';

export class Migration20261203002000_email extends Migration {

  override name = 'Migration20261203002000_email';

  override up(): void | Promise<void> {
    this.addSql(`alter table "users" add column "email_verified" boolean not null default false;`);

    this.addSql(`create table "one_time_tokens" ("id" uuid not null, "user_id" uuid not null, "purpose" varchar(32) not null, "token_hash" varchar(64) not null, "expires_at" timestamptz not null, "used_at" timestamptz null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "one_time_tokens" add constraint "one_time_tokens_token_hash_unique" unique ("token_hash");`);
    this.addSql(`create index "one_time_tokens_user_id_purpose_index" on "one_time_tokens" ("user_id", "purpose");`);
    this.addSql(`alter table "one_time_tokens" add constraint "one_time_tokens_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`);

    this.addSql(`create table "outbox" ("id" bigserial primary key, "recipient" varchar(254) not null, "subject" varchar(255) not null, "text_body" text not null, "html_body" text not null, "attempts" int not null default 0, "next_attempt_at" timestamptz not null, "sent_at" timestamptz null, "failed_at" timestamptz null, "last_error" varchar(500) null, "created_at" timestamptz not null);`);
    // The sender's claim reads only the rows still to send, oldest due first.
    this.addSql(`create index "outbox_due_index" on "outbox" ("next_attempt_at") where "sent_at" is null and "failed_at" is null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "outbox" cascade;`);
    this.addSql(`drop table if exists "one_time_tokens" cascade;`);
    this.addSql(`alter table "users" drop column "email_verified";`);
  }

}
