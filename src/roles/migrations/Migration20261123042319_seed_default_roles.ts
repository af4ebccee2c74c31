import { Migration } from '@mikro-orm/migrations';

/**
 * The default roles. `user` and `employee` may be chosen at registration; `admin` may not
 * (the first admin comes from `npm run janus -- create-admin`). Ids are fixed so that every
 * database, embedded or server, holds the same rows.
 */
export class Migration20261123042319_seed_default_roles extends Migration {

  override name = 'Migration20261123042319_seed_default_roles';

  override up(): void | Promise<void> {
    this.addSql(`insert into "roles" ("id", "name", "permissions", "self_assignable", "created_at") values
      ('00000000-0000-4000-8000-000000000001', 'user', '{}', true, now()),
      ('00000000-0000-4000-8000-000000000002', 'employee', '{}', true, now()),
      ('00000000-0000-4000-8000-000000000003', 'admin', '{audit:read,roles:read,roles:write,users:read,users:write}', false, now());`);
  }

  override down(): void | Promise<void> {
    this.addSql(`delete from "roles" where "name" in ('user', 'employee', 'admin');`);
  }

}
