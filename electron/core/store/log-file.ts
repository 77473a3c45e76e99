// The request log in a file of its own (docs/architecture.md "Two files: the request log and the read
// model"). A store created by this version keeps `requests` and `rejected` — everything the receiver
// writes while it answers — in requests.db next to hookscope.db, attached to every connection under the
// schema name `log`. SQLite resolves an unqualified table name through the attached files when main has
// no table of that name, so queries read `requests` as before; a transaction that writes only the log
// takes only the log's write lock, and one that writes only the read model only hookscope.db's. The
// receiver's append and the deriver's transaction then never wait for each other.
//
// A store written before keeps its one file (it has `requests` in main; no requests.db is created for it):
// moving a million requests would copy a gigabyte on the first start. Its connections see no `log`.
import type { Database as Db } from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const LOG_FILE = 'requests.db';
export const LOG_SCHEMA = 'log';
/** The tables that live in the log file of a split store. */
export const LOG_TABLES = ['requests', 'rejected'] as const;

export function logFile(dataDir: string): string {
  return join(dataDir, LOG_FILE);
}

/** Attaches the data dir's log file when it has one (or `create`: a new store); true when attached. */
export function attachLog(db: Db, dataDir: string, opts: { create?: boolean } = {}): boolean {
  const file = logFile(dataDir);
  if (!opts.create && !existsSync(file)) return false;
  db.prepare(`ATTACH DATABASE ? AS ${LOG_SCHEMA}`).run(file);
  return true;
}

/** Whether this connection has the log attached (a split store). */
export function hasLog(db: Db): boolean {
  return db.prepare('SELECT 1 FROM pragma_database_list WHERE name = ?').get(LOG_SCHEMA) !== undefined;
}

/** The files of a store in `dataDir` that hold its data, with their WALs (sizes, backups, the doctor). */
export function storeFiles(dataDir: string): string[] {
  const out: string[] = [];
  for (const base of ['hookscope.db', LOG_FILE]) {
    for (const f of [base, `${base}-wal`, `${base}-shm`]) if (existsSync(join(dataDir, f))) out.push(join(dataDir, f));
  }
  return out;
}

/**
 * Migration 12's moving part for a new store: `requests` and `rejected` (empty) are created in the log file
 * with their indexes, and dropped from main; the foreign keys from events, forwards and outbox to requests
 * are removed from their declarations (a foreign key cannot name a table of another file). Nothing is
 * copied row by row for an existing store: it stays single-file (see the file's comment).
 */
export function moveLogTables(db: Db): void {
  if (!hasLog(db)) return;
  const inMain = (name: string) => db.prepare(`SELECT sql FROM main.sqlite_schema WHERE type = 'table' AND name = ?`).pluck().get(name) as string | undefined;
  // Foreign keys first: dropping the parent table with them declared would check (and cascade) them.
  // The documented way to remove a constraint without rebuilding a table (sqlite.org/lang_altertable.html,
  // "making other kinds of table schema changes"): its text edited in the schema, the schema version bumped.
  // better-sqlite3 runs SQLite in defensive mode, which refuses any write to the schema table: lifted for
  // this one statement.
  const version = db.pragma('schema_version', { simple: true }) as number;
  db.unsafeMode(true);
  db.pragma('writable_schema = ON');
  try {
    db.prepare(`UPDATE main.sqlite_schema SET sql = replace(sql, ' REFERENCES requests(id) ON DELETE CASCADE', '')
      WHERE type = 'table' AND name IN ('events', 'forwards', 'outbox')`).run();
    db.pragma(`schema_version = ${version + 1}`);
  } finally {
    db.pragma('writable_schema = OFF');
    db.unsafeMode(false);
  }
  const inLog = (name: string) => db.prepare(`SELECT 1 FROM ${LOG_SCHEMA}.sqlite_schema WHERE type = 'table' AND name = ?`).get(name) !== undefined;
  for (const table of LOG_TABLES) {
    const sql = inMain(table);
    if (!sql) continue;
    // A log file kept from before next to a new hookscope.db (the read model deleted to be rebuilt): its
    // rows stay, and the deriver derives them all again from the watermark 0.
    if (inLog(table)) { db.exec(`DROP TABLE main.${table}`); continue; }
    db.exec(sql.replace(/^CREATE TABLE\s+("?)(\w+)\1/i, `CREATE TABLE ${LOG_SCHEMA}.${table}`));
    const indexes = db.prepare(`SELECT sql FROM main.sqlite_schema WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL`).pluck().all(table) as string[];
    db.exec(`INSERT INTO ${LOG_SCHEMA}.${table} SELECT * FROM main.${table}`);
    db.exec(`DROP TABLE main.${table}`);
    for (const ix of indexes) db.exec(ix.replace(/^CREATE (UNIQUE )?INDEX\s+/i, (m) => `${m}${LOG_SCHEMA}.`));
  }
}
