import { Migration } from '@mikro-orm/migrations';

/** Passkeys (WebAuthn credentials) and the challenges of their registrations and logins. */
export class Migration20261206150000_passkeys extends Migration {

  override name = 'Migration20261206150000_passkeys';

  override up(): void | Promise<void> {
    this.addSql(`create table "passkeys" ("id" uuid not null, "user_id" uuid not null, "credential_id" varchar(1366) not null, "public_key" text not null, "counter" bigint not null, "transports" text[] null, "device_type" varchar(16) not null, "backed_up" boolean not null, "name" varchar(100) not null, "created_at" timestamptz not null, "last_used_at" timestamptz null, primary key ("id"));`);
    this.addSql(`create index "passkeys_user_id_index" on "passkeys" ("user_id");`);
    this.addSql(`alter table "passkeys" add constraint "passkeys_credential_id_unique" unique ("credential_id");`);
    this.addSql(`alter table "passkeys" add constraint "passkeys_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`);
    this.addSql(`create table "passkey_challenges" ("id" uuid not null, "purpose" varchar(16) not null, "user_id" uuid null, "challenge" varchar(128) not null, "expires_at" timestamptz not null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "passkey_challenges_user_id_index" on "passkey_challenges" ("user_id");`);
    this.addSql(`create index "passkey_challenges_expires_at_index" on "passkey_challenges" ("expires_at");`);
    this.addSql(`alter table "passkey_challenges" add constraint "passkey_challenges_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "passkey_challenges" cascade;`);
    this.addSql(`drop table if exists "passkeys" cascade;`);
  }

}
