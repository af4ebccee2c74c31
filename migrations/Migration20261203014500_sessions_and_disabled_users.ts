import { Migration } from '@mikro-orm/migrations';

/**
 * What a user sees of their sessions (last use, user agent, IP), and the flag an operator sets to
 * lock an account. Existing sessions count as last used when they were created.
 */
export class Migration20261203014500_sessions_and_disabled_users extends Migration {

  override name = 'Migration20261203014500_sessions_and_disabled_users';

  override up(): void | Promise<void> {
    this.addSql(`alter table "users" add "disabled" boolean not null default false;`);
    this.addSql(`alter table "sessions" add "last_used_at" timestamptz null, add "user_agent" varchar(512) null, add "ip" varchar(64) null;`);
    this.addSql(`update "sessions" set "last_used_at" = "created_at";`);
    this.addSql(`alter table "sessions" alter column "last_used_at" set not null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "sessions" drop column "last_used_at", drop column "user_agent", drop column "ip";`);
    this.addSql(`alter table "users" drop column "disabled";`);
  }

}
