import { Migration } from '@mikro-orm/migrations';

/**
 * The OpenID Provider's one table (src/oidc/oidc-model.entity.ts), and the permissions that manage
 * OAuth clients for the admin role, as it holds every permission of Janus's own.
 */
export class Migration20261206160000_oidc_models extends Migration {
  override name = 'Migration20261206160000_oidc_models';

  override up(): void | Promise<void> {
    this.addSql(`create table "oidc_models" ("model_name" varchar(64) not null, "id" varchar(255) not null, "payload" jsonb not null, "grant_id" varchar(255) null, "uid" varchar(255) null, "user_code" varchar(255) null, "expires_at" timestamptz null, "consumed_at" timestamptz null, primary key ("model_name", "id"));`);
    this.addSql(`create index "oidc_models_grant_id_index" on "oidc_models" ("grant_id");`);
    this.addSql(`create unique index "oidc_models_uid_unique" on "oidc_models" ("model_name", "uid");`);
    this.addSql(`create unique index "oidc_models_user_code_unique" on "oidc_models" ("model_name", "user_code");`);
    this.addSql(`create index "oidc_models_expires_at_index" on "oidc_models" ("expires_at");`);
    for (const permission of ['clients:read', 'clients:write']) {
      this.addSql(`update "roles" set "permissions" = array_append("permissions", '${permission}') where "name" = 'admin' and not ('${permission}' = any("permissions"));`);
    }
  }

  override down(): void | Promise<void> {
    this.addSql(`update "roles" set "permissions" = array_remove(array_remove("permissions", 'clients:read'), 'clients:write');`);
    this.addSql(`drop table if exists "oidc_models" cascade;`);
  }
}
