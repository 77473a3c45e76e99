// The derive worker's entry (bundled as dist-electron/derive-worker.mjs and .cjs; see worker-deriver.ts):
// the deriver (deriver.ts) on a thread and a connection of its own, so the receiver's thread only verifies
// and appends. Each derive transaction is short (WORKER_BATCH requests) and holds the shared write lock
// (write-lock.ts) instead of waiting in SQLite's busy handler; it moves the watermark with the events, as
// in-thread derivation does, so each request is derived exactly once across a crash. What a derived
// request sets off (rules, the outbox, pushes) is the receiver's thread's, after it hears of it here.
import { parentPort, workerData } from 'node:worker_threads';
import type { Provider, SignatureVerdict, StoredRequest } from '../../../shared/types';
import { DERIVED_KEY, openStore, type DerivedRequest, type IngestRecord, type IngestRequest } from '../store/store';
import { requestBytes } from '../store/pack';
import { eventDeriver, eventsOfStored } from './derive-events';
import { createDeriver } from './deriver';
import { markWorkerGone, publishDerived, workerLock, LOG_FILE_LOCK, UNFLUSHED } from './write-lock';
import type { Logger } from '../types';
import type { FromWorker, ToWorker } from './worker-deriver';

/** Requests per derive transaction: short, so the receiver's commit never waits long for the lock. */
export const WORKER_BATCH = 64;

const port = parentPort;
if (!port) throw new Error('derive-worker.ts runs as a worker thread');
const { dataDir, nativeBinding, words } = workerData as { dataDir: string; nativeBinding?: string; words: Int32Array };
// However this thread ends (a throw at load or later, process.exit), a reader of the receiver's thread
// blocked waiting for it wakes now (worker-deriver.ts takes over in that thread).
process.on('exit', () => markWorkerGone(words));
// The composition root of this thread, as core.ts is of the main one: the store is handed the event
// deriver (store/ never imports ingest/).
const store = openStore({ dataDir, nativeBinding, deriver: eventDeriver, recover: false });
// One file: checkpoints stay with the receiver's connection (this one would run them holding the lock the
// append waits for). Two files (store/log-file.ts): this connection writes the read model and checkpoints
// its WAL itself, holding only the read model's lock; left to the receiver's thread, that checkpoint ran
// in its effects transaction (a profile: applyEffects 3 % → 9-12 % of the receiver's thread).
if (!store.split) store.db.pragma('wal_autocheckpoint = 0');
const locked = workerLock(words);
// A split store (store/log-file.ts): packing rewrites request rows, so it takes the log's lock too (after
// the read model's, always in that order; the receiver's thread never holds one while it waits for the
// other). The derive transactions write the read model alone and take only its lock.
const lockedLog = store.split ? workerLock(words, LOG_FILE_LOCK) : <T>(fn: () => T): T => fn();
const watermark = store.db.prepare(`SELECT value FROM kv WHERE key = '${DERIVED_KEY}'`).pluck();
// In the read model (schema migration 12): the derive transaction writes nothing in the log file.
const setAck = store.db.prepare('INSERT INTO request_acks (request_id, ack_ms) VALUES (?, ?) ON CONFLICT(request_id) DO UPDATE SET ack_ms = excluded.ack_ms');
/** Whether derived requests go back with their headers and body (the receiver's thread forwards them). */
let sendBytes = true;
/** Acknowledgement times the receiver measured (ms from the body read to the answer), by request id. */
const acks = new Map<number, number>();

const logger: Logger = {
  debug: () => {},
  info: () => {},
  warn: (msg, meta) => port.postMessage({ type: 'log', level: 'warn', msg, meta } satisfies FromWorker),
  error: (msg, meta) => port.postMessage({ type: 'log', level: 'error', msg, meta } satisfies FromWorker),
};

/**
 * A transaction under the shared lock, tried again while SQLite says busy. The receiver's thread writes a
 * few things outside that lock (the forwarder's and the action sender's delivery states, the rejected
 * log). A deferred transaction reads first, and SQLite refuses to upgrade a read transaction to a write
 * while another connection writes — at once, without its busy handler (deadlock avoidance), or with
 * SQLITE_BUSY_SNAPSHOT after that write commits. The deriver would take either for a request that cannot
 * be derived. The transaction was rolled back whole, so it is run again after a short wait (this thread
 * may block); after BUSY_WAIT_MS the error goes to the deriver, which leaves the batch for the next turn.
 */
const BUSY_WAIT_MS = 5000;
const nap = new Int32Array(new SharedArrayBuffer(4));
function retryBusy<T>(fn: () => T): T {
  const until = Date.now() + BUSY_WAIT_MS;
  for (let attempt = 0; ; attempt++) {
    try {
      return fn();
    } catch (err) {
      if (Date.now() > until || !String((err as { code?: unknown }).code ?? '').startsWith('SQLITE_BUSY')) throw err;
      Atomics.wait(nap, 0, 0, Math.min(1 + attempt, 10));
    }
  }
}

/** Requests the receiver's thread has committed and not flushed yet (write-lock.ts UNFLUSHED) wait. */
function bound() {
  const id = Atomics.load(words, UNFLUSHED);
  store.deriveBefore(id > 0 ? id : null);
}

/** Each transaction under the shared lock; the new watermark published after it commits. */
function underLock<T>(fn: () => T): T {
  const out = locked(() => retryBusy(fn));
  publishDerived(words, Number(watermark.get() ?? 0));
  return out;
}

// The next batch read and parsed before the lock is taken (a read needs no lock in WAL): under the lock,
// only the inserts. A request committed after this read is simply read back inside the transaction.
const pendingRows = store.db.prepare(`SELECT id, received_at, method, path, query, headers, body, packed, provider, response_status,
  signature, signature_diagnosis, error, origin FROM requests WHERE id > ? ORDER BY id LIMIT ?`);
function readAhead(limit: number): Map<number, IngestRecord> {
  const known = new Map<number, IngestRecord>();
  for (const row of pendingRows.all(Number(watermark.get() ?? 0), limit) as PendingRow[]) {
    const bytes = requestBytes(row);
    const request: IngestRequest = {
      receivedAt: row.received_at, method: row.method, path: row.path, query: row.query,
      headers: JSON.parse(bytes.headers) as [string, string][], body: bytes.body, provider: row.provider,
      responseStatus: row.response_status, signature: row.signature, signatureDiagnosis: row.signature_diagnosis,
      error: row.error, origin: row.origin,
    };
    const ms = acks.get(row.id);
    if (ms != null) { request.ackMs = ms; acks.delete(row.id); }
    known.set(row.id, { request, events: eventsOfStored(request) });
  }
  return known;
}
interface PendingRow {
  id: number; received_at: number; method: string; path: string; query: string; headers: string; body: Buffer | null; packed: number;
  provider: Provider | null; response_status: number; signature: SignatureVerdict; signature_diagnosis: string | null;
  error: string | null; origin: StoredRequest['origin'];
}

const deriver = createDeriver({
  store: {
    deriveNext: (limit, _known, inTx) => {
      const known = readAhead(limit);
      return underLock(() => { bound(); return store.deriveNext(limit, known, inTx); });
    },
    deriveFailed: (why) => underLock(() => { bound(); return store.deriveFailed(why); }),
    // The receiver's thread publishes it in shared memory (bound()).
    deriveBefore: () => {},
    packNext: (limit) => locked(() => lockedLog(() => retryBusy(() => store.packNext(limit)))),
  },
  logger,
  batch: WORKER_BATCH,
  delayMs: 0,
  // Inside the derive transaction: the acknowledgement time of a request committed after readAhead goes
  // with its events (the others carry it from readAhead).
  inTx(items: DerivedRequest[]) {
    for (const d of items) {
      const ms = acks.get(d.request.id);
      if (ms == null) continue;
      acks.delete(d.request.id);
      setAck.run(d.request.id, ms);
      d.request.ackMs = ms;
      for (const e of d.result.events) e.ackMs = ms;
    }
  },
  onDerived(items) {
    // Headers and body cross the thread only when the receiver's thread forwards them.
    const out = sendBytes ? items : items.map((d): DerivedRequest => ({ ...d, request: { ...d.request, headers: [], body: null } }));
    port.postMessage({ type: 'derived', items: out, slim: !sendBytes } satisfies FromWorker);
  },
});

publishDerived(words, Number(watermark.get() ?? 0));
port.on('message', (m: ToWorker) => {
  if (m.type === 'derive') {
    sendBytes = m.bytes;
    for (const [id, ms] of m.acks) acks.set(id, ms);
    deriver.kick();
  } else if (m.type === 'pack') {
    deriver.packSoon();
  } else if (m.type === 'stop') {
    deriver.catchUp();
    deriver.stop();
    try { store.db.close(); } catch { /* closing anyway */ }
    port.postMessage({ type: 'stopped' } satisfies FromWorker);
    port.close();
  }
});
port.postMessage({ type: 'ready' } satisfies FromWorker);
