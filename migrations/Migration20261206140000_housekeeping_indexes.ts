import { Migration } from '@mikro-orm/migrations';

/** The housekeeping job deletes by these columns every round: an index each instead of a scan. */
export class Migration20261206140000_housekeeping_indexes extends Migration {

  override name = 'Migration20261206140000_housekeeping_indexes';

  override up(): void | Promise<void> {
    this.addSql(`create index "one_time_tokens_expires_at_index" on "one_time_tokens" ("expires_at");`);
    this.addSql(`create index "audit_events_created_at_index" on "audit_events" ("created_at");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index "audit_events_created_at_index";`);
    this.addSql(`drop index "one_time_tokens_expires_at_index";`);
  }

}
