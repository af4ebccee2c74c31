import { Migration } from '@mikro-orm/migrations';

export class Migration20261123053615_audit_events extends Migration {

  override name = 'Migration20261123053615_audit_events';

  override up(): void | Promise<void> {
    this.addSql(`create table "audit_events" ("id" bigserial primary key, "event" varchar(32) not null, "user_id" uuid null, "actor_id" uuid null, "ip" varchar(64) null, "user_agent" varchar(512) null, "request_id" varchar(128) null, "created_at" timestamptz not null);`);
    this.addSql(`create index "audit_events_user_id_index" on "audit_events" ("user_id");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "audit_events" cascade;`);
  }

}
