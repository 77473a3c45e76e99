// A test's own connection to a data dir's store, as the app opens it: hookscope.db with the request log
// (requests.db) attached when the store has one (electron/core/store/log-file.ts), so `FROM requests`
// reads the log whatever the layout.
import Database from 'better-sqlite3';
import type { Database as Db } from 'better-sqlite3';
import { join } from 'node:path';
import { attachLog } from '../../electron/core/store/log-file';
import { MIGRATIONS } from '../../electron/core/store/schema';

export function openStoreFile(dataDir: string, opts: Database.Options = {}): Db {
  const db = new Database(join(dataDir, 'hookscope.db'), opts);
  attachLog(db, dataDir);
  return db;
}

/**
 * A store as a version before the request log's own file left it (schema 11, one file): the migrations up
 * to 11 applied to an empty hookscope.db. Opening it upgrades it and keeps it single-file.
 */
export function singleFileStore(dataDir: string): void {
  const db = new Database(join(dataDir, 'hookscope.db'));
  try {
    db.pragma('journal_mode = WAL');
    for (let v = 0; v < 11; v++) {
      const m = MIGRATIONS[v];
      db.transaction(() => {
        if (typeof m === 'string') db.exec(m);
        else { db.exec(m.sql); m.run(db); }
        db.pragma(`user_version = ${v + 1}`);
      })();
    }
  } finally {
    db.close();
  }
}
