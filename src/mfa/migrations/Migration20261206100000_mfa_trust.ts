import { Migration } from '@mikro-orm/migrations';

/**
 * A password reset of an account with a second factor waits on its MFA challenge (the new hash
 * is applied only by verifyMfa), and wrong second-factor codes are counted per account.
 */
export class Migration20261206100000_mfa_trust extends Migration {

  override name = 'Migration20261206100000_mfa_trust';

  override up(): void | Promise<void> {
    this.addSql(`alter table "mfa_challenges" add column "pending_password_hash" varchar(60) null;`);
    this.addSql(`create table "mfa_failures" ("user_id" uuid not null, "window_started_at" timestamptz not null, "failures" int not null default 0, primary key ("user_id"));`);
    this.addSql(`alter table "mfa_failures" add constraint "mfa_failures_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "mfa_failures" cascade;`);
    this.addSql(`alter table "mfa_challenges" drop column "pending_password_hash";`);
  }

}
