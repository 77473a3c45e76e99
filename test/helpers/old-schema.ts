// Stores as older Hookscope versions wrote them, rebuilt from a current store's rows, for the tests that open
// one and check that a migration converts it in place (store/schema.ts).
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { searchKeys } from '../../electron/core/store/where-sql';

/**
 * Rewrites a store as schema 10 kept it: events_fts over text, contact and message id (external content =
 * events) and events_keys over the keys (contentless), each event's keys as the deriver wrote them, both
 * emptied by the events_find_gone trigger; the raw `id` leaf an event's message id held
 * (events.raw_in_row) written back as event_fields rows, and that column gone; user_version 10.
 */
export function toSchema10(dataDir: string): void {
  const db = new Database(join(dataDir, 'hookscope.db'));
  db.function('hs_test_keys', (code: unknown, title: unknown, business: unknown, details: unknown) => searchKeys({
    errorCode: code as string | null, errorTitle: title as string | null, businessId: business as string | null,
    details: typeof details === 'string' ? JSON.parse(details) as Record<string, unknown> : undefined,
  }) || null);
  db.transaction(() => {
    db.exec(`
      DROP TRIGGER events_find_gone;
      DROP TABLE events_fts;
      CREATE VIRTUAL TABLE events_fts USING fts5(
        text, contact_name, contact_id, message_id,
        content='events', content_rowid='id',
        tokenize = 'unicode61 remove_diacritics 2'
      );
      INSERT INTO events_fts (rowid, text, contact_name, contact_id, message_id)
        SELECT id, text, contact_name, contact_id, message_id FROM events
        WHERE text IS NOT NULL OR contact_name IS NOT NULL OR contact_id IS NOT NULL OR message_id IS NOT NULL;
      CREATE VIRTUAL TABLE events_keys USING fts5(keys, content='', contentless_delete=1, tokenize = 'unicode61 remove_diacritics 2');
      INSERT INTO events_keys (events_keys, rank) VALUES ('secure-delete', 1);
      INSERT INTO events_keys (rowid, keys) SELECT id, k FROM (SELECT id, hs_test_keys(error_code, error_title, business_id, details) AS k FROM events) WHERE k IS NOT NULL;
      CREATE TRIGGER events_find_gone AFTER DELETE ON events BEGIN
        DELETE FROM events_keys WHERE rowid = old.id;
        DELETE FROM event_fields WHERE event_id = old.id;
      END;
      INSERT INTO event_fields (path_id, value, event_id)
        SELECT (SELECT id FROM field_paths WHERE path = 'id'), message_id, id FROM events WHERE raw_in_row & 1;
      ALTER TABLE events DROP COLUMN raw_in_row;
    `);
    db.pragma('user_version = 10');
  })();
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE name IN ('events_fts', 'events_keys') ORDER BY name").pluck().all();
  db.close();
  if (tables.join() !== 'events_fts,events_keys') throw new Error(`schema 10 not written: ${tables.join()}`);
}
