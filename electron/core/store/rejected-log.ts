// The rejected log: what the receiver refused at the trust boundary (docs/api.md "Trust boundary").
// A rejected request is kept for diagnosis — headers, a capped body prefix, the hash and size of the
// whole body, the caller's address, why it was refused — but it never becomes an event.
//
// Decisions:
//  - Bounded in bytes: after each write the oldest rows go until the log is under its cap
//    (settings rejectedLogBytes); every row dropped that way is counted (kv rejected.dropped).
//  - Its own queue, apart from the accepted writer: rows are grouped per turn of the event loop in
//    transactions of at most BATCH_BYTES, and at most QUEUE_BYTES wait; beyond that a row is not stored
//    (counted as not stored) rather than holding memory. So junk never sits in the accepted writer's
//    batch and never makes one accepted commit long.
//  - Not stored at all while free disk is under the floor (the caller checks diskLow()).
import type { Database as Db } from 'better-sqlite3';
import type { Provider, RejectedDetail, RejectedItem, RejectedPage, SignatureVerdict } from '../../../shared/types';
import { rejectedRowBytes } from './schema';
import { hasLog, LOG_SCHEMA } from './log-file';
import type { Clock, Logger } from '../types';

export interface RejectedRow {
  receivedAt: number;
  method: string;
  path: string;
  query: string;
  headers: [string, string][];
  /** The kept prefix (REJECTED_BODY_KEEP bytes at most), or null when nothing was read. */
  body: Buffer | null;
  bodySize: number;
  bodySha256: string | null;
  provider: Provider | null;
  httpStatus: number;
  signature: SignatureVerdict;
  diagnosis: string | null;
  source: string | null;
  origin: string;
}

/** A stored row as re-verification needs it. */
export interface StoredRejected extends RejectedRow { id: number }

export interface RejectedLog {
  /** Queues a row; resolves with its id once committed, or null when it was not stored. */
  add(row: RejectedRow): Promise<number | null>;
  /** Counts a rejected request answered without being stored (rate limit, disk floor, queue full). */
  countNotStored(n?: number): void;
  list(q: { limit?: number; before?: number }): Omit<RejectedPage, 'diskLow'>;
  get(id: number): (Omit<RejectedDetail, 'signatureDebug' | 'preview'> & { bodyBytes: Buffer }) | null;
  /** Rows in original order (oldest first) whose whole body was kept, for re-verification. */
  candidates(): IterableIterator<StoredRejected>;
  remove(ids: number[]): void;
  /** Trims to the cap now (after a settings change or a migration). */
  trim(): void;
  total(): number;
  flush(): void;
}

const BATCH_BYTES = 1024 * 1024;
const QUEUE_BYTES = 8 * 1024 * 1024;
const DROPPED = 'rejected.dropped';
const NOT_STORED = 'rejected.notStored';

const COLS = 'id, received_at, method, path, provider, http_status, signature, diagnosis, source, body_size';

interface Row {
  id: number; received_at: number; method: string; path: string; provider: string | null; http_status: number;
  signature: string; diagnosis: string | null; source: string | null; body_size: number;
}

function toItem(r: Row): RejectedItem {
  return {
    id: r.id, receivedAt: r.received_at, method: r.method, path: r.path, provider: r.provider as Provider | null,
    httpStatus: r.http_status, signature: r.signature as SignatureVerdict, diagnosis: r.diagnosis, source: r.source, bytes: r.body_size,
  };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The log's size in bytes (the sum of the rows' `bytes` column), kept in memory, and the oldest rows dropped to stay under the cap. */
interface RejectedCap {
  /** Rows added (positive) or removed (negative) outside trimTo. */
  adjust(delta: number): void;
  /** Drops the oldest rows until the log is under `cap`; counts them (kv rejected.dropped). Runs inside a transaction. */
  trimTo(cap: number): void;
}

function createRejectedCap(db: Db): RejectedCap {
  const sumBytes = db.prepare('SELECT COALESCE(SUM(bytes), 0) FROM rejected').pluck();
  const oldest = db.prepare('SELECT id, bytes FROM rejected ORDER BY id LIMIT 200');
  const del = db.prepare('DELETE FROM rejected WHERE id = ?');
  const kvAdd = db.prepare(`INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + excluded.value`);
  let bytes = Number(sumBytes.get());
  return {
    adjust(delta) { bytes += delta; },
    trimTo(cap) {
      let dropped = 0;
      while (bytes > cap) {
        const rows = oldest.all() as { id: number; bytes: number }[];
        if (rows.length === 0) { bytes = 0; break; }
        for (const r of rows) {
          if (bytes <= cap) break;
          del.run(r.id);
          bytes -= r.bytes;
          dropped++;
        }
      }
      if (dropped > 0) kvAdd.run(DROPPED, String(dropped));
    },
  };
}

/** The write side: the queue of rows waiting for their batch, and the count of rows not stored. */
type RejectedQueue = Pick<RejectedLog, 'add' | 'countNotStored' | 'flush'> & {
  /** Rows counted as not stored but not yet written to kv. */
  notStoredPending(): number;
};

function createRejectedQueue(deps: { db: Db; cap: RejectedCap; capBytes: () => number; logger: Logger }): RejectedQueue {
  const { db, cap, logger } = deps;
  const insert = db.prepare(`INSERT INTO rejected (received_at, method, path, query, headers, body, body_size, body_sha256, provider,
    http_status, signature, diagnosis, source, origin, bytes) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`);
  const kvAdd = db.prepare(`INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + excluded.value`);
  // synchronous is a setting of each file: on a split store `rejected` is in the log file (log-file.ts).
  const syncOf = hasLog(db) ? `${LOG_SCHEMA}.synchronous` : 'synchronous';

  let notStoredPending = 0;
  const queue: { row: RejectedRow; cost: number; resolve(id: number | null): void }[] = [];
  let queuedBytes = 0;
  let scheduled = false;
  let counterTimer: ReturnType<typeof setTimeout> | null = null;

  const writeBatch = db.transaction((batch: { row: RejectedRow; cost: number }[]): number[] => {
    const ids: number[] = [];
    for (const { row: r, cost } of batch) {
      const info = insert.run(r.receivedAt, r.method, r.path, r.query, JSON.stringify(r.headers), r.body, r.bodySize, r.bodySha256,
        r.provider, r.httpStatus, r.signature, r.diagnosis, r.source, r.origin, cost);
      cap.adjust(cost);
      ids.push(Number(info.lastInsertRowid));
    }
    cap.trimTo(deps.capBytes());
    if (notStoredPending > 0) { kvAdd.run(NOT_STORED, String(notStoredPending)); notStoredPending = 0; }
    return ids;
  });

  function flush() {
    scheduled = false;
    // One bounded batch per turn: an accepted webhook's commit gets the next turn, not a wait behind junk.
    let size = 0;
    let n = 0;
    while (n < queue.length && (n === 0 || size + queue[n].cost <= BATCH_BYTES)) size += queue[n++].cost;
    const batch = queue.splice(0, n);
    queuedBytes -= size;
    if (batch.length > 0) {
      try {
        // Diagnostics, not the user's data: committed without an fsync of their own (synchronous=NORMAL
        // in WAL mode). They reach the disk with the next accepted commit (FULL syncs the whole WAL) or
        // checkpoint; a power cut can lose the last few, never an acknowledged webhook.
        db.pragma(`${syncOf} = NORMAL`);
        let ids: number[];
        try { ids = writeBatch(batch); } finally { db.pragma(`${syncOf} = FULL`); }
        batch.forEach((b, i) => b.resolve(ids[i]));
      } catch (err) {
        logger.warn('rejected log write failed', { err: String(err) });
        for (const b of batch) b.resolve(null);
      }
    }
    if (queue.length > 0) schedule();
  }

  function schedule() {
    if (scheduled) return;
    scheduled = true;
    setImmediate(flush);
  }

  return {
    add(row) {
      const cost = rejectedRowBytes({ body: row.body, headers: JSON.stringify(row.headers), path: row.path, query: row.query, diagnosis: row.diagnosis });
      if (queuedBytes + cost > QUEUE_BYTES) {
        notStoredPending++;
        return Promise.resolve(null);
      }
      return new Promise<number | null>((resolve) => {
        queue.push({ row, cost, resolve });
        queuedBytes += cost;
        schedule();
      });
    },
    countNotStored(n = 1) {
      // Counted in memory and written with the next batch or within a few seconds: a flood of 429s must
      // not cost a write (let alone an fsync) per request.
      notStoredPending += n;
      if (!counterTimer) {
        counterTimer = setTimeout(() => {
          counterTimer = null;
          if (notStoredPending > 0) { try { kvAdd.run(NOT_STORED, String(notStoredPending)); notStoredPending = 0; } catch { /* closed */ } }
        }, 5000);
        counterTimer.unref?.();
      }
    },
    flush() {
      while (queue.length > 0) flush();
      if (counterTimer) { clearTimeout(counterTimer); counterTimer = null; }
      if (notStoredPending > 0) { kvAdd.run(NOT_STORED, String(notStoredPending)); notStoredPending = 0; }
    },
    notStoredPending: () => notStoredPending,
  };
}

/** The read side: pages for the Rejected view, one row for its inspector, and rows to re-verify. */
function createRejectedReads(db: Db, notStoredPending: () => number): Pick<RejectedLog, 'list' | 'get' | 'candidates' | 'total'> {
  const countAll = db.prepare('SELECT COUNT(*) FROM rejected').pluck();
  const kvGet = db.prepare('SELECT value FROM kv WHERE key = ?').pluck();
  const page = db.prepare(`SELECT ${COLS} FROM rejected WHERE id < ? ORDER BY id DESC LIMIT ?`);
  const one = db.prepare('SELECT * FROM rejected WHERE id = ?');
  return {
    list({ limit = 100, before }) {
      const lim = Math.min(Math.max(limit, 1), 1000);
      const items = (page.all(before ?? Number.MAX_SAFE_INTEGER, lim) as Row[]).map(toItem);
      return {
        items,
        total: Number(countAll.get()),
        dropped: Number(kvGet.get(DROPPED) ?? 0),
        notStored: Number(kvGet.get(NOT_STORED) ?? 0) + notStoredPending(),
      };
    },
    get(id) {
      const r = one.get(id) as (Row & { query: string; headers: string; body: Buffer | null; body_sha256: string | null }) | undefined;
      if (!r) return null;
      const b = r.body ?? Buffer.alloc(0);
      let body: string;
      let bodyIsText = true;
      try { body = utf8.decode(b); } catch { body = b.toString('base64'); bodyIsText = false; }
      return {
        ...toItem(r), query: r.query, headers: JSON.parse(r.headers) as [string, string][], body, bodyIsText,
        bodyComplete: b.length === r.body_size, bodySha256: r.body_sha256, bodyBytes: b,
      };
    },
    *candidates() {
      const stmt = db.prepare('SELECT * FROM rejected WHERE provider IS NOT NULL AND body IS NOT NULL AND length(body) = body_size ORDER BY id');
      const rows = stmt.all() as Record<string, unknown>[];
      for (const r of rows) {
        yield {
          id: r.id as number, receivedAt: r.received_at as number, method: r.method as string, path: r.path as string,
          query: r.query as string, headers: JSON.parse(r.headers as string), body: r.body as Buffer, bodySize: r.body_size as number,
          bodySha256: r.body_sha256 as string | null, provider: r.provider as Provider, httpStatus: r.http_status as number,
          signature: r.signature as SignatureVerdict, diagnosis: r.diagnosis as string | null, source: r.source as string | null,
          origin: r.origin as string,
        };
      }
    },
    total: () => Number(countAll.get()),
  };
}

export function createRejectedLog(deps: { db: Db; capBytes: () => number; clock: Clock; logger: Logger }): RejectedLog {
  const { db } = deps;
  const del = db.prepare('DELETE FROM rejected WHERE id = ?');
  const cap = createRejectedCap(db);
  const queue = createRejectedQueue({ db, cap, capBytes: deps.capBytes, logger: deps.logger });
  const reads = createRejectedReads(db, queue.notStoredPending);
  return {
    add: (row) => queue.add(row),
    countNotStored: (n) => queue.countNotStored(n),
    list: (q) => reads.list(q),
    get: (id) => reads.get(id),
    candidates: () => reads.candidates(),
    remove(ids) {
      if (ids.length === 0) return;
      const sizes = db.prepare(`SELECT COALESCE(SUM(bytes), 0) FROM rejected WHERE id IN (SELECT value FROM json_each(?))`).pluck();
      db.transaction(() => {
        cap.adjust(-Number(sizes.get(JSON.stringify(ids))));
        for (const id of ids) del.run(id);
      })();
    },
    trim() {
      db.transaction(() => cap.trimTo(deps.capBytes()))();
    },
    total: () => reads.total(),
    flush: () => queue.flush(),
  };
}
