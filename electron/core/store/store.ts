// The SQLite store: the read model in hookscope.db and, for a store created by this version, the request
// log in requests.db next to it (log-file.ts), both WAL, migrated in place on open.
// better-sqlite3 is synchronous; every statement is prepared once, every filter the UI offers has an
// index, and writes arrive grouped (see writer.ts) so a burst of webhooks is one transaction, not many.
import Database from 'better-sqlite3';
import type { Database as Db, Statement } from 'better-sqlite3';
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import type { EventFilter, ForwardResult, HookEvent } from '../../../shared/types';
import { HookscopeError } from '../../../shared/errors';
import { MIGRATIONS } from './schema';
import { attachLog, LOG_SCHEMA, LOG_TABLES, logFile } from './log-file';
import { completePendingForget } from './forget';
import { createWalSync, type WalSync } from './wal-sync';
import { createReads, GENERATION_KEY, iterateEvents, type StoreReads } from './queries';
import { DERIVED_KEY } from './derivation';
import { createAppend, createDerivation, createPackStep, createWatermark, type DerivedRequest, type IngestRecord, type IngestRequest } from './derivation';
import type { EventDeriver } from './event-deriver';
import type { Clock } from '../types';

// The request rows and their derivation live in derivation.ts; their names stay reachable from here.
export { DERIVED_KEY, PACK_SCAN_KEY, type DerivedRequest, type IngestRecord, type IngestRequest, type IngestResult } from './derivation';

// The order of message states lives in shared/ (the Messages view folds live events with it too).
export { STATUS_RANK, currentState } from '../../../shared/messages';
// The UI's queries live in queries.ts; their names stay reachable from here.
export { createReads, ftsQuery, openReadConnection, rawOf, type StoreReads, type StoredRequestWithBytes, type Thread } from './queries';

export interface Store extends StoreReads {
  readonly db: Db;
  /**
   * True when the request log is a file of its own (requests.db, attached as `log`; log-file.ts): the
   * receiver's append and the deriver's transaction take different write locks. False for a store created
   * before (one file, one write lock).
   */
  readonly split: boolean;
  /**
   * The acknowledgement path: the request rows alone (exact bytes, headers, verdict), in one transaction.
   * With `deferSync` the commit is not flushed: see walSync. With `ids`, rows are inserted under those ids and ones already present are skipped (a mirror of a
   * shared log). Returns each row's id.
   */
  appendRequests(requests: IngestRequest[], opts?: { ids?: number[]; deferSync?: boolean }): number[];
  /**
   * With `deferSync`, appendRequests commits without its own fsync: the caller answers only after
   * `walSync.barrier()` (wal-sync.ts), which flushes the WAL off this thread.
   */
  readonly walSync: WalSync;
  /**
   * Derives the events of up to `limit` committed requests after the watermark, in id order, in one
   * transaction that also moves the watermark: each request is derived exactly once, even across a crash.
   * `known` holds requests just committed with their events already computed (by the receiver's decision);
   * the others are read back and their events computed again from their stored bytes. Packing them
   * (pack.ts) is packNext's work, later. This transaction is not fsynced on its own: if it is lost with
   * the machine's power, the watermark is lost with it and the events are derived again.
   */
  /**
   * `inTx` runs inside the derive transaction with the derived requests: what they set off (the outbox's
   * forwards, rule notifications and actions) commits with them or not at all.
   */
  deriveNext(limit: number, known?: Map<number, IngestRecord>, inTx?: (items: DerivedRequest[]) => void): DerivedRequest[];
  /**
   * The next request after the watermark, kept with one 'unknown' event carrying `why` instead of its own
   * events (their derivation failed), and the watermark moved past it. Null when none is pending.
   */
  deriveFailed(why: string): DerivedRequest | null;
  /** Requests committed but not yet derived. */
  underived(): number;
  /**
   * Requests from `id` on are committed but their flush is not done (wal-sync.ts): they are not answered
   * yet, and not derived until this moves past them (null: derive everything committed). The writer says
   * so; deriving one early would take it without its acknowledgement time and set off its forwards and
   * rules before it is durable.
   */
  deriveBefore(id: number | null): void;
  /**
   * Packs up to `limit` derived requests (pack.ts), oldest first after the last one looked at; returns how
   * many were looked at (0: none left). The deriver runs it when the receiver is idle.
   */
  packNext(limit: number): number;
  iterateEvents(f: EventFilter, opts?: { withRaw?: boolean; order?: 'asc' | 'desc' }): IterableIterator<HookEvent>;
  addForward(requestId: number, f: ForwardResult): void;
  kvGet(key: string): string | null;
  kvSet(key: string, value: string | null): void;
  prune(opts: { olderThan?: number; maxEvents?: number; batch?: number }): number;
  counts(): { events: number; requests: number; bytes: number };
  close(): void;
}

/**
 * Opens (creating and migrating) the store in `dataDir`. `deriver` computes a stored request's events
 * (event-deriver.ts): the composition root hands it in, the store does not import ingest/.
 */
export function openStore(opts: {
  dataDir: string; deriver: EventDeriver; nativeBinding?: string; clock?: Clock;
  /** Told before and after a store written by an older version is upgraded (a one-time step that may take a while). */
  onUpgrade?: (step: { from: number; to: number; ms?: number }) => void;
  /**
   * Finish what a crash cut short (a forget's erase or rewrite, forget.ts) before anything else: the
   * default, for the process's first connection. False for a second connection to a store another one
   * is using (the derive worker's, an export's): that one ran it at its start.
   */
  recover?: boolean;
}): Store {
  try {
    // Customer numbers and messages live here: readable by this user only.
    mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new HookscopeError('DATA_DIR_NOT_WRITABLE', `The data directory ${opts.dataDir} cannot be created: ${(err as Error).message}`);
  }
  const file = join(opts.dataDir, 'hookscope.db');
  let db: Db | undefined;
  let split: boolean;
  try {
    if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600));
    db = new Database(file, opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {});
    // WAL lets the UI read while the receiver writes; synchronous=FULL makes a 200 mean "on disk"
    // even if the machine loses power, and group commit pays that fsync once per batch.
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    // A new store (schema 0) gets its log file; an older one keeps its single file (log-file.ts).
    const fresh = (db.pragma('user_version', { simple: true }) as number) === 0;
    if (fresh && !existsSync(logFile(opts.dataDir))) closeSync(openSync(logFile(opts.dataDir), 'a', 0o600));
    split = attachLog(db, opts.dataDir, { create: fresh });
    if (split) {
      db.pragma(`${LOG_SCHEMA}.journal_mode = WAL`);
      db.pragma(`${LOG_SCHEMA}.synchronous = FULL`);
    }
  } catch (err) {
    // A damaged file opens and then fails its first statement: close it so the desktop app can move it
    // aside (Windows cannot rename an open file) and retry.
    try { db?.close(); } catch { /* already unusable */ }
    const msg = (err as Error).message;
    if (/readonly|unable to open|permission|EACCES/i.test(msg)) {
      throw new HookscopeError('DATA_DIR_NOT_WRITABLE', `The data directory ${opts.dataDir} is not writable (${msg}).`);
    }
    throw err;
  }
  try {
    migrate(db, opts.dataDir, opts.onUpgrade);
    if (split) repairLogTables(db, opts.nativeBinding);
  } catch (err) {
    try { if (db.open) db.close(); } catch { /* already unusable */ }
    throw err;
  }
  // A forget that a crash cut between the two files' commits is finished before anything else (forget.ts).
  if (split && opts.recover !== false) completePendingForget(db);
  // The acknowledgement's flush covers the file the append writes: the log's WAL when it has its own.
  return createStoreApi(db, opts.deriver, createWalSync(split ? logFile(opts.dataDir) : file), split);
}

function migrate(db: Db, dataDir: string, onUpgrade?: (step: { from: number; to: number; ms?: number }) => void) {
  const version = db.pragma('user_version', { simple: true }) as number;
  // A new file starts at 0 and is created in milliseconds; an older store may be rewritten in parts
  // (docs/architecture.md "Schema and migrations"), which takes a while at a million events: say so.
  const upgrading = version > 0 && version < MIGRATIONS.length;
  const started = Date.now();
  if (upgrading) onUpgrade?.({ from: version, to: MIGRATIONS.length });
  if (version > MIGRATIONS.length) {
    db.close();
    throw new HookscopeError('DB_TOO_NEW', `The database in ${dataDir} was written by a newer Hookscope (schema ${version}, this one knows ${MIGRATIONS.length}). Update Hookscope or use another --data-dir.`);
  }
  for (let v = version; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      const m = MIGRATIONS[v];
      if (typeof m === 'string') db.exec(m);
      else { db.exec(m.sql); m.run(db); }
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
  if (upgrading) onUpgrade?.({ from: version, to: MIGRATIONS.length, ms: Date.now() - started });
}

/**
 * Migration 12 moves a new store's (empty) log tables in one transaction over two files, and SQLite commits
 * each WAL file's part on its own: a kill -9 between them on the very first start can leave hookscope.db at
 * schema 12 with no requests table in either file. Its tables are then created in the log, as the
 * migrations define them (applied to an empty database in memory). Nothing was ever stored in such a store.
 */
function repairLogTables(db: Db, nativeBinding?: string): void {
  const has = (schema: string, table: string) => db.prepare(`SELECT 1 FROM ${schema}.sqlite_schema WHERE type = 'table' AND name = ?`).get(table) !== undefined;
  const missing = LOG_TABLES.filter((t) => !has('main', t) && !has(LOG_SCHEMA, t));
  if (missing.length === 0) return;
  const mem = new Database(':memory:', nativeBinding ? { nativeBinding } : {});
  try {
    for (const m of MIGRATIONS) {
      if (typeof m === 'string') mem.exec(m);
      else { mem.exec(m.sql); m.run(mem); }
    }
    db.transaction(() => {
      for (const table of missing) {
        const sql = mem.prepare(`SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?`).pluck().get(table) as string;
        db.exec(sql.replace(/^CREATE TABLE\s+("?)(\w+)\1/i, `CREATE TABLE ${LOG_SCHEMA}.${table}`));
        for (const ix of mem.prepare(`SELECT sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL`).pluck().all(table) as string[]) {
          db.exec(ix.replace(/^CREATE (UNIQUE )?INDEX\s+/i, (m) => `${m}${LOG_SCHEMA}.`));
        }
      }
    })();
  } finally {
    mem.close();
  }
}

function createStoreApi(db: Db, deriver: EventDeriver, walSync: WalSync, split: boolean): Store {
  const insertForward = db.prepare('INSERT INTO forwards (request_id, target, status, duration_ms, error, response_excerpt, at) VALUES (?,?,?,?,?,?,?)');
  const kvGetStmt = db.prepare('SELECT value FROM kv WHERE key = ?');
  const kvSetStmt = db.prepare('INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
  const kvDelStmt = db.prepare('DELETE FROM kv WHERE key = ?');
  const deleteFts = db.prepare(`INSERT INTO events_fts (events_fts, rowid, text, contact_name, contact_id, message_id) VALUES ('delete', ?, ?, ?, ?, ?)`);

  // Deletes and updates of events (retention) bump a generation that every reader's remembered totals
  // compare (createReads). Temporary triggers: this process's main connection is the only writer.
  db.exec(`INSERT INTO kv (key, value) VALUES ('${GENERATION_KEY}', '0') ON CONFLICT(key) DO NOTHING;
    CREATE TEMP TRIGGER IF NOT EXISTS hs_events_deleted AFTER DELETE ON main.events BEGIN
      UPDATE kv SET value = CAST(value AS INTEGER) + 1 WHERE key = '${GENERATION_KEY}'; END;
    CREATE TEMP TRIGGER IF NOT EXISTS hs_events_updated AFTER UPDATE ON main.events BEGIN
      UPDATE kv SET value = CAST(value AS INTEGER) + 1 WHERE key = '${GENERATION_KEY}'; END;`);

  // Prepared once: db.pragma() prepares its statement on every call, and these run once per group commit.
  // SQLite applies this pragma when it prepares it too, and (measured) the first run of each does nothing:
  // preparing NORMAL then FULL leaves the connection at FULL, so the first group commit is a FULL one
  // (slower, never less durable). Every NORMAL run is followed by FULL in a finally; keep them paired.
  // synchronous is a setting of each file: the append's is the log's when it has its own.
  const syncNormal = db.prepare(`PRAGMA ${split ? `${LOG_SCHEMA}.` : ''}synchronous = NORMAL`);
  const syncFull = db.prepare(`PRAGMA ${split ? `${LOG_SCHEMA}.` : ''}synchronous = FULL`);
  const watermark = createWatermark(db);
  const appendTx = createAppend(db, watermark.get);
  const derivation = createDerivation(db, deriver, watermark);
  const packTx = createPackStep(db, watermark.get);

  const reads = createReads(db, deriver);
  const api: Store = {
    db,
    split,
    ...reads,
    walSync,
    appendRequests(requests, opts) {
      if (!opts?.deferSync) return appendTx(requests, opts?.ids);
      syncNormal.run();
      try {
        return appendTx(requests, opts.ids);
      } finally {
        syncFull.run();
      }
    },
    deriveNext: (limit, known, inTx) => derivation.deriveNext(limit, known, inTx),
    underived: () => derivation.underived(),
    packNext: (limit) => packTx(limit),
    deriveFailed: (why) => derivation.deriveFailed(why),
    deriveBefore: (id) => derivation.deriveBefore(id),

    iterateEvents: (f, opts) => iterateEvents(db, f, deriver, opts),

    addForward(requestId, f) {
      insertForward.run(requestId, f.target, f.status, f.durationMs, f.error, f.responseExcerpt ?? null, Date.now());
    },

    kvGet(key) {
      return (kvGetStmt.get(key) as { value: string } | undefined)?.value ?? null;
    },
    kvSet(key, value) {
      if (value == null) kvDelStmt.run(key);
      else kvSetStmt.run(key, value);
    },

    prune: (o) => pruneRequests(db, deleteFts, o, split),

    counts() {
      const events = (db.prepare('SELECT COUNT(*) AS n FROM events').get() as { n: number }).n;
      const requests = (db.prepare('SELECT COUNT(*) AS n FROM requests').get() as { n: number }).n;
      let bytes = (db.pragma('page_count', { simple: true }) as number) * (db.pragma('page_size', { simple: true }) as number);
      // Both files count (the log holds the requests' bytes).
      if (split) bytes += (db.pragma(`${LOG_SCHEMA}.page_count`, { simple: true }) as number) * (db.pragma(`${LOG_SCHEMA}.page_size`, { simple: true }) as number);
      return { events, requests, bytes };
    },

    close() {
      try { db.pragma('wal_checkpoint(TRUNCATE)'); } catch { /* closing anyway */ }
      walSync.close();
      db.close();
    },
  };
  return api;
}

/**
 * Deletes whole requests older than `olderThan` or beyond the newest `maxEvents` events, at most `batch` of
 * them, with their events, search entries, forwards, outbox rows and acknowledgement times.
 *
 * Split store (log-file.ts): foreign keys cannot cross files, so what hangs off a request is deleted
 * explicitly, in the read model's transaction first and the log's second. A crash between the two leaves
 * requests without events, which the next run selects again (by age or id, from the log) and deletes; the
 * other order could leave events (payload values) behind whose request no run would select. Only derived
 * requests are taken: a derive worker could otherwise write the events of one between the two commits.
 */
function pruneRequests(db: Db, deleteFts: Statement, { olderThan, maxEvents, batch = 2000 }: { olderThan?: number; maxEvents?: number; batch?: number }, split = false): number {
  // Small transactions so ingest can interleave; returns how many requests were removed in this call.
  let cutoffId: number | null = null;
  if (maxEvents != null) {
    const row = db.prepare('SELECT request_id FROM events ORDER BY id DESC LIMIT 1 OFFSET ?').get(maxEvents - 1) as { request_id: number } | undefined;
    if (row) cutoffId = row.request_id; // keep requests >= this one
  }
  const conds: string[] = [];
  const params: unknown[] = [];
  if (olderThan != null) { conds.push('received_at < ?'); params.push(olderThan); }
  if (cutoffId != null) { conds.push('id < ?'); params.push(cutoffId); }
  if (conds.length === 0) return 0;
  const derived = split ? ` AND id <= (SELECT CAST(value AS INTEGER) FROM kv WHERE key = '${DERIVED_KEY}')` : '';
  const ids = db.prepare(`SELECT id FROM requests WHERE (${conds.join(' OR ')})${derived} ORDER BY id LIMIT ?`).all(...params, batch) as { id: number }[];
  if (ids.length === 0) return 0;
  const list = JSON.stringify(ids.map((r) => r.id));
  const evRows = db.prepare('SELECT id, text, contact_name, contact_id, message_id FROM events WHERE request_id IN (SELECT value FROM json_each(?))');
  const readModel = () => {
    for (const e of evRows.all(list) as { id: number; text: string | null; contact_name: string | null; contact_id: string | null; message_id: string | null }[]) {
      if (e.text || e.contact_name || e.contact_id || e.message_id) deleteFts.run(e.id, e.text, e.contact_name, e.contact_id, e.message_id);
    }
    for (const t of ['events', 'forwards', 'outbox', 'request_acks']) db.prepare(`DELETE FROM ${t} WHERE request_id IN (SELECT value FROM json_each(?))`).run(list);
  };
  const log = () => { db.prepare('DELETE FROM requests WHERE id IN (SELECT value FROM json_each(?))').run(list); };
  if (split) {
    db.transaction(readModel)();
    db.transaction(log)();
  } else {
    db.transaction(() => { readModel(); log(); })();
  }
  return ids.length;
}
