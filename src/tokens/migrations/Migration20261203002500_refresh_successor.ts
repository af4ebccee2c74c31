import { Migration } from '@mikro-orm/migrations';

/**
 * A rotated refresh token remembers its successor's id: whether that is still unused decides a
 * replay within the reuse interval, and the successor derives from it (tokens/successor.ts).
 */
export class Migration20261203002500_refresh_successor extends Migration {

  override name = 'Migration20261203002500_refresh_successor';

  override up(): void | Promise<void> {
    this.addSql(`alter table "refresh_tokens" add column "successor_id" uuid null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "refresh_tokens" drop column "successor_id";`);
  }

}
