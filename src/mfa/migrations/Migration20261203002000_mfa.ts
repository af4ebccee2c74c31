import { Migration } from '@mikro-orm/migrations';

export class Migration20261203002000_mfa extends Migration {

  override name = 'Migration20261203002000_mfa';

  override up(): void | Promise<void> {
    this.addSql(`alter table "sessions" add column "amr" text[] not null default '{pwd}';`);
    this.addSql(`alter table "users" add column "mfa_enabled" boolean not null default false;`);

    this.addSql(`create table "user_totp" ("user_id" uuid not null, "secret" varchar(255) not null, "last_used_step" bigint null, "created_at" timestamptz not null, primary key ("user_id"));`);
    this.addSql(`alter table "user_totp" add constraint "user_totp_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);

    this.addSql(`create table "mfa_recovery_codes" ("id" uuid not null, "user_id" uuid not null, "code_hash" varchar(64) not null, "used_at" timestamptz null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "mfa_recovery_codes_user_id_index" on "mfa_recovery_codes" ("user_id");`);
    this.addSql(`alter table "mfa_recovery_codes" add constraint "mfa_recovery_codes_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`);

    this.addSql(`create table "mfa_challenges" ("id" uuid not null, "user_id" uuid not null, "token_hash" varchar(64) not null, "attempts" int not null default 0, "expires_at" timestamptz not null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "mfa_challenges_user_id_index" on "mfa_challenges" ("user_id");`);
    this.addSql(`alter table "mfa_challenges" add constraint "mfa_challenges_token_hash_unique" unique ("token_hash");`);
    this.addSql(`create index "mfa_challenges_expires_at_index" on "mfa_challenges" ("expires_at");`);
    this.addSql(`alter table "mfa_challenges" add constraint "mfa_challenges_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "mfa_challenges" cascade;`);
    this.addSql(`drop table if exists "mfa_recovery_codes" cascade;`);
    this.addSql(`drop table if exists "user_totp" cascade;`);
    this.addSql(`alter table "users" drop column "mfa_enabled";`);
    this.addSql(`alter table "sessions" drop column "amr";`);
  }

}
