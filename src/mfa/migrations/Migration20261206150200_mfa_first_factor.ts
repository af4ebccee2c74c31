import { Migration } from '@mikro-orm/migrations';

/**
 * A challenge remembers how the login's first step was proven, so that verifyMfa after a sign-in
 * at an identity provider says `fed`, not `pwd`, in the session's `amr`.
 */
export class Migration20261206150200_mfa_first_factor extends Migration {

  override name = 'Migration20261206150200_mfa_first_factor';

  override up(): void | Promise<void> {
    this.addSql(`alter table "mfa_challenges" add column "first_factor" text[] not null default '{pwd}';`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "mfa_challenges" drop column "first_factor";`);
  }

}
