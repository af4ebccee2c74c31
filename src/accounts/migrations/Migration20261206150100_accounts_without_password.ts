import { Migration } from '@mikro-orm/migrations';

/** An account made at its first sign-in at an identity provider has no password (src/sign-in). */
export class Migration20261206150100_accounts_without_password extends Migration {

  override name = 'Migration20261206150100_accounts_without_password';

  override up(): void | Promise<void> {
    this.addSql(`alter table "users" alter column "password_hash" drop not null;`);
  }

  override down(): void | Promise<void> {
    // Accounts without a password cannot survive the old schema: they go.
    this.addSql(`delete from "users" where "password_hash" is null;`);
    this.addSql(`alter table "users" alter column "password_hash" set not null;`);
  }

}
