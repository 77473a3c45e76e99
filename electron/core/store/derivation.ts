// The write side of the store over the requests table: request rows appended under ids that never go
// back below the derive watermark, their events derived once each (in id order, moving the watermark in the
// same transaction), and derived requests packed later (pack.ts). store.ts puts these together with the
// queries (queries.ts) behind one Store; the events are computed by the deriver it is given
// (event-deriver.ts), since the store does not import ingest/.
import type { Database as Db } from 'better-sqlite3';
import type { HookEvent, NormalisedEvent, Provider, SignatureVerdict, StoredRequest } from '../../../shared/types';
import { PACK_MIN_BYTES, PACKED, pack, requestBytes } from './pack';
import { createEventRows } from './event-rows';
import { hasLog } from './log-file';
import type { EventDeriver, StoredRequestShape } from './event-deriver';

/** A request as the receiver appends it: what its events are computed from, and how it was answered. */
export interface IngestRequest extends StoredRequestShape {
  receivedAt: number;
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

/** The derive watermark: requests up to this id have their events. */
export function createWatermark(db: Db): { get(): number; set(id: number): void } {
  const derivedGet = db.prepare(`SELECT value FROM kv WHERE key = '${DERIVED_KEY}'`).pluck();
  const derivedSet = db.prepare(`INSERT INTO kv (key, value) VALUES ('${DERIVED_KEY}', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`);
  return { get: () => Number(derivedGet.get() ?? 0), set: (id) => { derivedSet.run(String(id)); } };
}

/**
 * The acknowledgement path's transaction: request rows alone, under the next free ids, or (a mirror of a
 * shared log) under the ids given, skipping ones already present.
 */
export function createAppend(db: Db, watermark: () => number): (requests: IngestRequest[], ids?: number[]) => number[] {
  const insertRequestWithId = db.prepare(`INSERT OR IGNORE INTO requests (id, received_at, method, path, query, headers, body, body_size, provider,
    response_status, signature, signature_diagnosis, error, origin) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)`);
  const insertRequestAt = db.prepare(`INSERT INTO requests (id, received_at, method, path, query, headers, body, body_size, provider,
    response_status, signature, signature_diagnosis, error, origin) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)`);
  const maxRequest = db.prepare('SELECT MAX(id) FROM requests').pluck();

  function appendOne(r: IngestRequest, id: number, mirror = false): number {
    // Every acknowledged request: the values passed as they are, without an array spread into the call.
    (mirror ? insertRequestWithId : insertRequestAt).run(id, r.receivedAt, r.method, r.path, r.query, JSON.stringify(r.headers), r.body,
      r.body ? r.body.length : 0, r.provider, r.responseStatus, r.signature, r.signatureDiagnosis, r.error, r.origin);
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

  return db.transaction((requests: IngestRequest[], ids?: number[]): number[] => {
    if (ids) return requests.map((r, i) => appendOne(r, ids[i], true));
    let next = firstFreeId();
    return requests.map((r) => appendOne(r, next++));
  });
}

interface RequestRow {
  id: number; received_at: number; method: string; path: string; query: string; headers: string; body: Buffer | null; packed: number;
  provider: Provider | null; response_status: number; signature: SignatureVerdict; signature_diagnosis: string | null;
  error: string | null; origin: StoredRequest['origin'];
}

export interface Derivation {
  deriveNext(limit: number, known?: Map<number, IngestRecord>, inTx?: (items: DerivedRequest[]) => void): DerivedRequest[];
  deriveFailed(why: string): DerivedRequest | null;
  underived(): number;
  /** Requests from this id on are not derived until it is moved or cleared (Store.deriveBefore). */
  deriveBefore(id: number | null): void;
}

/** Events for committed requests after the watermark (Store.deriveNext, deriveFailed, underived in store.ts). */
export function createDerivation(db: Db, deriver: EventDeriver, watermark: { get(): number; set(id: number): void }): Derivation {
  const deriveOne = createEventRows(db);
  const pendingIds = db.prepare('SELECT id FROM requests WHERE id > ? AND id < ? ORDER BY id LIMIT ?').pluck();
  /** The first request not to derive yet (committed, its flush not done: not answered either). */
  let before: number | null = null;
  const upper = () => before ?? Number.MAX_SAFE_INTEGER;
  const requestRow = db.prepare(`SELECT id, received_at, method, path, query, headers, body, packed, provider, response_status, signature,
    signature_diagnosis, error, origin FROM requests WHERE id = ?`);
  const maxRequest = db.prepare('SELECT MAX(id) FROM requests').pluck();
  const countAfter = db.prepare('SELECT COUNT(*) FROM requests WHERE id > ?').pluck();
  const syncNormal = db.prepare('PRAGMA synchronous = NORMAL');
  const syncFull = db.prepare('PRAGMA synchronous = FULL');

  /** A committed request as the deriver needs it: from memory when the receiver just wrote it, else from its row. */
  function loadRequest(id: number, known?: IngestRecord): { request: IngestRequest & { id: number }; events: NormalisedEvent[]; packed: boolean } | null {
    if (known) {
      // The receiver's own record, handed over once committed and read by nothing else: given its id in
      // place: a spread copy of its dozen fields cost several µs a request on this path.
      const request = known.request as IngestRequest & { id: number };
      request.id = id;
      return { request, events: known.events, packed: false };
    }
    const row = requestRow.get(id) as RequestRow | undefined;
    if (!row) return null;
    const bytes = requestBytes(row);
    const request: IngestRequest & { id: number } = {
      id: row.id, receivedAt: row.received_at, method: row.method, path: row.path, query: row.query,
      headers: JSON.parse(bytes.headers) as [string, string][], body: bytes.body, provider: row.provider,
      responseStatus: row.response_status, signature: row.signature, signatureDiagnosis: row.signature_diagnosis,
      error: row.error, origin: row.origin,
    };
    return { request, events: deriver.eventsOfStored(request), packed: row.packed !== 0 };
  }

  const deriveTx = db.transaction((limit: number, known?: Map<number, IngestRecord>, inTx?: (items: DerivedRequest[]) => void): DerivedRequest[] => {
    const ids = pendingIds.all(watermark.get(), upper(), limit) as number[];
    const out: DerivedRequest[] = [];
    for (const id of ids) {
      const r = loadRequest(id, known?.get(id));
      if (!r) continue;
      out.push({ request: r.request, result: { requestId: id, events: deriveOne(id, r.request, r.events) } });
    }
    if (out.length > 0) inTx?.(out);
    if (ids.length > 0) watermark.set(ids[ids.length - 1]);
    return out;
  });

  const requestMeta = db.prepare(`SELECT id, received_at, method, path, query, provider, response_status, signature,
    signature_diagnosis, error, origin FROM requests WHERE id = ?`);
  const deriveFailedTx = db.transaction((why: string): DerivedRequest | null => {
    const id = (pendingIds.all(watermark.get(), upper(), 1) as number[])[0];
    if (id == null) return null;
    const m = requestMeta.get(id) as Omit<RequestRow, 'headers' | 'body' | 'packed'>;
    // Headers and body are not read back: reading them may be what failed. The row keeps them.
    const request: IngestRequest & { id: number } = {
      id, receivedAt: m.received_at, method: m.method, path: m.path, query: m.query, headers: [], body: null,
      provider: m.provider, responseStatus: m.response_status, signature: m.signature, signatureDiagnosis: m.signature_diagnosis,
      error: m.error, origin: m.origin,
    };
    const events = deriveOne(id, request, [deriver.blankEvent({ provider: m.provider, errorDetail: why })]);
    watermark.set(id);
    return { request, result: { requestId: id, events }, failed: true };
  });

  function deriveNext(limit: number, known?: Map<number, IngestRecord>, inTx?: (items: DerivedRequest[]) => void): DerivedRequest[] {
    if (watermark.get() >= Math.min((maxRequest.get() as number | null) ?? 0, upper() - 1)) return [];
    // Derived rows can always be derived again from the requests: no fsync of their own. In a single-file
    // store the next acknowledged commit makes them durable too; with the request log in its own file
    // (log-file.ts) the read model's WAL is flushed by its checkpoints, and a power loss before one takes
    // the derived rows with their watermark: derived again, their forwards sent again under the same
    // delivery key (docs/architecture.md "The outbox"). Prepared once: db.pragma() prepares its statement
    // on every call.
    syncNormal.run();
    try {
      return deriveTx(limit, known, inTx);
    } finally {
      syncFull.run();
    }
  }

  return {
    deriveNext,
    deriveFailed: (why) => deriveFailedTx(why),
    underived: () => countAfter.get(watermark.get()) as number,
    deriveBefore: (id) => { before = id; },
  };
}

/** One packing step (pack.ts): up to `limit` derived requests after the last one looked at, in one transaction. */
export function createPackStep(db: Db, watermark: () => number): (limit: number) => number {
  const packRow = db.prepare(`UPDATE requests SET headers = '', body = ?, packed = ${PACKED} WHERE id = ? AND packed = 0`);
  const packScanGet = db.prepare(`SELECT value FROM kv WHERE key = '${PACK_SCAN_KEY}'`).pluck();
  const packScanSet = db.prepare(`INSERT INTO kv (key, value) VALUES ('${PACK_SCAN_KEY}', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`);
  const unpackedRows = db.prepare('SELECT id, headers, body, packed FROM requests WHERE id > ? AND id <= ? ORDER BY id LIMIT ?');
  // On a split store (log-file.ts) the rows are in the log file and the mark in hookscope.db, and SQLite
  // commits a transaction over two files one file at a time, hookscope.db first: a crash between would
  // leave the mark ahead of rows never packed. There the mark gets its own transaction after the rows'
  // commit; a crash between scans those rows again, and packed ones are skipped.
  const split = hasLog(db);
  const step = db.transaction((limit: number): number => {
    const from = Number(packScanGet.get() ?? 0);
    const rows = unpackedRows.all(from, watermark(), limit) as { id: number; headers: string; body: Buffer | null; packed: number }[];
    for (const r of rows) {
      if (r.packed !== 0 || r.headers.length + (r.body?.length ?? 0) < PACK_MIN_BYTES) continue;
      packRow.run(pack(r.headers, r.body), r.id);
    }
    if (rows.length > 0) {
      if (split) scanned = rows[rows.length - 1].id;
      else packScanSet.run(String(rows[rows.length - 1].id));
    }
    return rows.length;
  });
  let scanned = 0;
  if (!split) return step;
  return (limit) => {
    scanned = 0;
    const n = step(limit);
    if (scanned > 0) packScanSet.run(String(scanned));
    return n;
  };
}
