import { Migration } from '@mikro-orm/migrations';

export class Migration20261123044201_refresh_token_expiry_index extends Migration {

  override name = 'Migration20261123044201_refresh_token_expiry_index';

  override up(): void | Promise<void> {
    this.addSql(`create index "refresh_tokens_expires_at_index" on "refresh_tokens" ("expires_at");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index "refresh_tokens_expires_at_index";`);
  }

}
