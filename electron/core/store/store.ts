// The SQLite store: one file in the data dir, WAL, migrated in place on open.
// better-sqlite3 is synchronous; every statement is prepared once, every filter the UI offers has an
// index, and writes arrive grouped (see writer.ts) so a burst of webhooks is one transaction, not many.
import Database from 'better-sqlite3';
import type { Database as Db, Statement } from 'better-sqlite3';
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import type { EventFilter, ForwardResult, HookEvent, NormalisedEvent, Provider, SignatureVerdict, StoredRequest } from '../../../shared/types';
import { HookscopeError } from '../../../shared/errors';
import { MIGRATIONS } from './schema';
import { blankEvent, eventsOfStored } from '../ingest/derive-events';
import { PACK_MIN_BYTES, PACKED_V1, pack, requestBytes } from './pack';
import { createReads, GENERATION_KEY, iterateEvents, type StoreReads } from './queries';
import { createEventRows } from './event-rows';
import type { Clock } from '../types';

export interface IngestRequest {
  receivedAt: number;
  method: string;
  path: string;
  query: string;
  headers: [string, string][];
  body: Buffer | null;
  provider: Provider | null;
  responseStatus: number;
  signature: SignatureVerdict;
  signatureDiagnosis: string | null;
  error: string | null;
  origin: StoredRequest['origin'];
  /** Milliseconds from the body read to the answer (set by the receiver once committed; absent otherwise). */
  ackMs?: number;
}

export interface IngestRecord {
  request: IngestRequest;
  events: NormalisedEvent[];
}

export interface IngestResult {
  requestId: number;
  events: HookEvent[];
}

/** A request row as the deriver reads it back (its bytes, for forwarding and rules). */
export interface DerivedRequest {
  request: IngestRequest & { id: number };
  result: IngestResult;
  /** Its events could not be derived: kept with one 'unknown' event saying why (headers and body not read). */
  failed?: true;
}

/** Requests up to this id have their events (kv; written in the same transaction as the events). */
export const DERIVED_KEY = 'derived_through';
/** Requests up to this id have been looked at for packing (kv). */
export const PACK_SCAN_KEY = 'pack_scanned_through';


// The order of message states lives in shared/ (the Messages view folds live events with it too).
export { STATUS_RANK, currentState } from '../../../shared/messages';
// The UI's queries live in queries.ts; their names stay reachable from here.
export { createReads, ftsQuery, openReadConnection, rawOf, type StoreReads, type StoredRequestWithBytes, type Thread } from './queries';

export interface Store extends StoreReads {
  readonly db: Db;
  /**
   * The acknowledgement path: the request rows alone (exact bytes, headers, verdict), in one transaction.
   * With `ids`, rows are inserted under those ids and ones already present are skipped (a mirror of a
   * shared log). Returns each row's id.
   */
  appendRequests(requests: IngestRequest[], opts?: { ids?: number[] }): number[];
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

export function openStore(opts: { dataDir: string; nativeBinding?: string; clock?: Clock }): Store {
  try {
    // Customer numbers and messages live here: readable by this user only.
    mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new HookscopeError('DATA_DIR_NOT_WRITABLE', `The data directory ${opts.dataDir} cannot be created: ${(err as Error).message}`);
  }
  const file = join(opts.dataDir, 'hookscope.db');
  let db: Db | undefined;
  try {
    if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600));
    db = new Database(file, opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {});
    // WAL lets the UI read while the receiver writes; synchronous=FULL makes a 200 mean "on disk"
    // even if the machine loses power, and group commit pays that fsync once per batch.
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
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
    migrate(db, opts.dataDir);
  } catch (err) {
    try { if (db.open) db.close(); } catch { /* already unusable */ }
    throw err;
  }
  return createStoreApi(db);
}

function migrate(db: Db, dataDir: string) {
  const version = db.pragma('user_version', { simple: true }) as number;
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
}

function createStoreApi(db: Db): Store {
  const deriveOne = createEventRows(db);
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

  const insertRequestWithId = db.prepare(`INSERT OR IGNORE INTO requests (id, received_at, method, path, query, headers, body, body_size, provider,
    response_status, signature, signature_diagnosis, error, origin) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)`);
  const derivedGet = db.prepare(`SELECT value FROM kv WHERE key = '${DERIVED_KEY}'`).pluck();
  const derivedSet = db.prepare(`INSERT INTO kv (key, value) VALUES ('${DERIVED_KEY}', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`);
  const pendingIds = db.prepare('SELECT id FROM requests WHERE id > ? ORDER BY id LIMIT ?').pluck();
  const requestRow = db.prepare(`SELECT id, received_at, method, path, query, headers, body, packed, provider, response_status, signature,
    signature_diagnosis, error, origin FROM requests WHERE id = ?`);
  const maxRequest = db.prepare('SELECT MAX(id) FROM requests').pluck();
  const countAfter = db.prepare('SELECT COUNT(*) FROM requests WHERE id > ?').pluck();
  const watermark = () => Number(derivedGet.get() ?? 0);

  const insertRequestAt = db.prepare(`INSERT INTO requests (id, received_at, method, path, query, headers, body, body_size, provider,
    response_status, signature, signature_diagnosis, error, origin) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)`);

  function appendOne(r: IngestRequest, id: number, mirror = false): number {
    const args = [r.receivedAt, r.method, r.path, r.query, JSON.stringify(r.headers), r.body, r.body ? r.body.length : 0, r.provider,
      r.responseStatus, r.signature, r.signatureDiagnosis, r.error, r.origin] as const;
    if (mirror) insertRequestWithId.run(id, ...args);
    else insertRequestAt.run(id, ...args);
    return id;
  }

  /**
   * The id after which new requests go: above every row and above the watermark. SQLite would reuse the
   * ids of the newest rows once they are deleted (retention emptying the table, a forget), and a reused
   * id at or below the watermark would never be derived.
   */
  function firstFreeId(): number {
    return Math.max((maxRequest.get() as number | null) ?? 0, watermark()) + 1;
  }

  interface RequestRow {
    id: number; received_at: number; method: string; path: string; query: string; headers: string; body: Buffer | null; packed: number;
    provider: Provider | null; response_status: number; signature: SignatureVerdict; signature_diagnosis: string | null;
    error: string | null; origin: StoredRequest['origin'];
  }

  const appendTx = db.transaction((requests: IngestRequest[], ids?: number[]): number[] => {
    if (ids) return requests.map((r, i) => appendOne(r, ids[i], true));
    let next = firstFreeId();
    return requests.map((r) => appendOne(r, next++));
  });

  /** A committed request as the deriver needs it: from memory when the receiver just wrote it, else from its row. */
  function loadRequest(id: number, known?: IngestRecord): { request: IngestRequest & { id: number }; events: NormalisedEvent[]; packed: boolean } | null {
    if (known) return { request: { ...known.request, id }, events: known.events, packed: false };
    const row = requestRow.get(id) as RequestRow | undefined;
    if (!row) return null;
    const bytes = requestBytes(row);
    const request: IngestRequest & { id: number } = {
      id: row.id, receivedAt: row.received_at, method: row.method, path: row.path, query: row.query,
      headers: JSON.parse(bytes.headers) as [string, string][], body: bytes.body, provider: row.provider,
      responseStatus: row.response_status, signature: row.signature, signatureDiagnosis: row.signature_diagnosis,
      error: row.error, origin: row.origin,
    };
    return { request, events: eventsOfStored(request), packed: row.packed !== 0 };
  }

  const deriveTx = db.transaction((limit: number, known?: Map<number, IngestRecord>, inTx?: (items: DerivedRequest[]) => void): DerivedRequest[] => {
    const ids = pendingIds.all(watermark(), limit) as number[];
    const out: DerivedRequest[] = [];
    for (const id of ids) {
      const r = loadRequest(id, known?.get(id));
      if (!r) continue;
      out.push({ request: r.request, result: { requestId: id, events: deriveOne(id, r.request, r.events) } });
    }
    if (out.length > 0) inTx?.(out);
    if (ids.length > 0) derivedSet.run(String(ids[ids.length - 1]));
    return out;
  });

  const packTx = createPackStep(db, watermark);

  const requestMeta = db.prepare(`SELECT id, received_at, method, path, query, provider, response_status, signature,
    signature_diagnosis, error, origin FROM requests WHERE id = ?`);
  const deriveFailedTx = db.transaction((why: string): DerivedRequest | null => {
    const id = (pendingIds.all(watermark(), 1) as number[])[0];
    if (id == null) return null;
    const m = requestMeta.get(id) as Omit<RequestRow, 'headers' | 'body' | 'packed'>;
    // Headers and body are not read back: reading them may be what failed. The row keeps them.
    const request: IngestRequest & { id: number } = {
      id, receivedAt: m.received_at, method: m.method, path: m.path, query: m.query, headers: [], body: null,
      provider: m.provider, responseStatus: m.response_status, signature: m.signature, signatureDiagnosis: m.signature_diagnosis,
      error: m.error, origin: m.origin,
    };
    const events = deriveOne(id, request, [blankEvent({ provider: m.provider, errorDetail: why })]);
    derivedSet.run(String(id));
    return { request, result: { requestId: id, events }, failed: true };
  });

  function deriveNext(limit: number, known?: Map<number, IngestRecord>, inTx?: (items: DerivedRequest[]) => void): DerivedRequest[] {
    if (watermark() >= ((maxRequest.get() as number | null) ?? 0)) return [];
    // Derived rows can always be derived again from the requests: no fsync of their own. The next
    // acknowledged commit (synchronous=FULL) makes them durable too.
    db.pragma('synchronous = NORMAL');
    try {
      return deriveTx(limit, known, inTx);
    } finally {
      db.pragma('synchronous = FULL');
    }
  }

  const reads = createReads(db);
  const api: Store = {
    db,
    ...reads,
    appendRequests: (requests, opts) => appendTx(requests, opts?.ids),
    deriveNext,
    underived: () => countAfter.get(watermark()) as number,
    packNext: (limit) => packTx(limit),
    deriveFailed: (why) => deriveFailedTx(why),

    iterateEvents: (f, opts) => iterateEvents(db, f, opts),

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

    prune: (o) => pruneRequests(db, deleteFts, o),

    counts() {
      const events = (db.prepare('SELECT COUNT(*) AS n FROM events').get() as { n: number }).n;
      const requests = (db.prepare('SELECT COUNT(*) AS n FROM requests').get() as { n: number }).n;
      const pages = db.pragma('page_count', { simple: true }) as number;
      const size = db.pragma('page_size', { simple: true }) as number;
      return { events, requests, bytes: pages * size };
    },

    close() {
      try { db.pragma('wal_checkpoint(TRUNCATE)'); } catch { /* closing anyway */ }
      db.close();
    },
  };
  return api;
}

/**
 * Deletes whole requests (their events follow by cascade) older than `olderThan` or beyond the newest
 * `maxEvents` events, at most `batch` of them; their search entries go with them.
 */
function pruneRequests(db: Db, deleteFts: Statement, { olderThan, maxEvents, batch = 2000 }: { olderThan?: number; maxEvents?: number; batch?: number }): number {
  // Deletes whole requests (their events follow by cascade) in small transactions so ingest
  // can interleave; returns how many requests were removed in this call.
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
  const ids = db.prepare(`SELECT id FROM requests WHERE ${conds.join(' OR ')} ORDER BY id LIMIT ?`).all(...params, batch) as { id: number }[];
  if (ids.length === 0) return 0;
  const evRows = db.prepare(`SELECT id, text, contact_name, contact_id, message_id FROM events WHERE request_id IN (${ids.map(() => '?').join(',')})`);
  db.transaction(() => {
    for (const e of evRows.all(...ids.map((r) => r.id)) as { id: number; text: string | null; contact_name: string | null; contact_id: string | null; message_id: string | null }[]) {
      if (e.text || e.contact_name || e.contact_id || e.message_id) deleteFts.run(e.id, e.text, e.contact_name, e.contact_id, e.message_id);
    }
    const del = db.prepare('DELETE FROM requests WHERE id = ?');
    for (const r of ids) del.run(r.id);
  })();
  return ids.length;
}

/** One packing step (pack.ts): up to `limit` derived requests after the last one looked at, in one transaction. */
function createPackStep(db: Db, watermark: () => number): (limit: number) => number {
  const packRow = db.prepare(`UPDATE requests SET headers = '', body = ?, packed = ${PACKED_V1} WHERE id = ? AND packed = 0`);
  const packScanGet = db.prepare(`SELECT value FROM kv WHERE key = '${PACK_SCAN_KEY}'`).pluck();
  const packScanSet = db.prepare(`INSERT INTO kv (key, value) VALUES ('${PACK_SCAN_KEY}', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`);
  const unpackedRows = db.prepare('SELECT id, headers, body, packed FROM requests WHERE id > ? AND id <= ? ORDER BY id LIMIT ?');
  return db.transaction((limit: number): number => {
    const from = Number(packScanGet.get() ?? 0);
    const rows = unpackedRows.all(from, watermark(), limit) as { id: number; headers: string; body: Buffer | null; packed: number }[];
    for (const r of rows) {
      if (r.packed !== 0 || r.headers.length + (r.body?.length ?? 0) < PACK_MIN_BYTES) continue;
      packRow.run(pack(r.headers, r.body), r.id);
    }
    if (rows.length > 0) packScanSet.run(String(rows[rows.length - 1].id));
    return rows.length;
  });
}
