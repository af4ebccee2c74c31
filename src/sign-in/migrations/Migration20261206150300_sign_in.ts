import { Migration } from '@mikro-orm/migrations';

/** Identities at providers, linked to users, and the sign-ins under way. */
export class Migration20261206150300_sign_in extends Migration {

  override name = 'Migration20261206150300_sign_in';

  override up(): void | Promise<void> {
    this.addSql(`create table "identities" ("id" uuid not null, "user_id" uuid not null, "provider" varchar(64) not null, "subject" varchar(255) not null, "email" varchar(254) null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "identities" add constraint "identities_provider_subject_unique" unique ("provider", "subject");`);
    this.addSql(`alter table "identities" add constraint "identities_user_id_provider_unique" unique ("user_id", "provider");`);
    this.addSql(`alter table "identities" add constraint "identities_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`);
    this.addSql(`create table "sign_in_states" ("id" uuid not null, "state_hash" varchar(64) not null, "provider" varchar(64) not null, "nonce" varchar(64) not null, "code_verifier" varchar(128) not null, "redirect_uri" varchar(2048) not null, "user_id" uuid null, "expires_at" timestamptz not null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "sign_in_states" add constraint "sign_in_states_state_hash_unique" unique ("state_hash");`);
    this.addSql(`create index "sign_in_states_expires_at_index" on "sign_in_states" ("expires_at");`);
    this.addSql(`alter table "sign_in_states" add constraint "sign_in_states_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "sign_in_states" cascade;`);
    this.addSql(`drop table if exists "identities" cascade;`);
  }

}
