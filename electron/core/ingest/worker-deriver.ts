// Derivation on the second core (HOOKSCOPE_DERIVE=worker; docs/architecture.md step 5, docs/benchmarks.md
// "Derivation on a worker"): the same Deriver face as deriver.ts, with the derive transactions run by
// derive-worker.ts on a thread and a connection of its own. The receiver's thread keeps what needs its
// parts: the rules, the outbox rows and the pushes ("effects"), run when the worker says what it derived.
//
// Guarantees, as in-thread:
//  - Exactly once across kill -9: the worker moves kv derived_through in the transaction of the events;
//    the effects move kv derive_effects_through in the transaction of the outbox rows and rule decisions.
//    A crash between the two leaves effects pending: at the next start they are run from the stored
//    events (effectsFromStore) before anything new.
//  - Read-after-acknowledge: catchUp() blocks until the worker's published watermark (write-lock.ts,
//    shared memory) reaches the newest request, then runs the effects up to it. It never holds the write
//    lock while it waits, and the worker never waits for the receiver's thread except for that lock: no
//    deadlock. It is bounded (CATCH_UP_MS), and a worker whose thread ends wakes it (write-lock.ts GONE).
//  - Never stopped silently: a worker that fails to load or dies later is logged as an error, any lock
//    word it held is freed, and derivation goes on in the receiver's thread (deriver.ts) with the same
//    hooks, after the effects it left pending have run once (settleLeftEffects), as read worker does
//    (store/reads.ts).
//  - One write lock, never waited for on the request path (write-lock.ts): the writer commits when the
//    worker is between transactions.
import { Worker } from 'node:worker_threads';
import type { HookEvent, Provider, SignatureVerdict, StoredRequest } from '../../../shared/types';
import { DERIVED_KEY, type DerivedRequest, type IngestRecord, type Store } from '../store/store';
import { EVENT_COLUMNS, rowToEvent, type EventRow } from '../store/queries';
import { requestBytes } from '../store/pack';
import type { Deriver } from './deriver';
import { DERIVE_DELAY_MS } from './deriver';
import { freeDeadWorker, mainLock, sharedWords, waitDerived, workerGone, DERIVED, LOG_FILE_LOCK, UNFLUSHED, type MainLock } from './write-lock';
import type { Logger } from '../types';
import { holdReadModelWith } from '../store/forget';

/** kv: requests up to this id have had their effects (rules, outbox); absent when in step with derived_through. */
export const EFFECTS_KEY = 'derive_effects_through';
/** How long a reader waits for the worker before going on with what is derived. */
export const CATCH_UP_MS = 30_000;
/** What the deriver's failed requests say (deriver.ts): kept, never given to rules or forwards. */
const FAILED_PREFIX = 'Its events could not be derived';

/** `bytes`: send derived requests with their headers and body (someone forwards them); else they come slim. */
export type ToWorker = { type: 'derive'; acks: [number, number][]; bytes: boolean } | { type: 'pack' } | { type: 'stop' };
export type FromWorker =
  | { type: 'ready' } | { type: 'stopped' } | { type: 'derived'; items: DerivedRequest[]; slim: boolean }
  | { type: 'log'; level: 'warn' | 'error'; msg: string; meta?: Record<string, unknown> };

export interface WorkerDeriver extends Deriver {
  /**
   * The shared write lock the writer (writer.ts) commits under: the request log's own when the store is
   * split (store/log-file.ts; the derive transactions do not take it), else the one file's.
   */
  readonly lock: MainLock;
}

interface Hooks {
  inTx?(items: DerivedRequest[]): void;
  onDerived(items: DerivedRequest[]): void;
  /** Whether effects need the requests' exact bytes (forward targets set): else they cross the thread without them. */
  needsBytes?(): boolean;
}

export function createWorkerDeriver(deps: Hooks & {
  store: Pick<Store, 'db' | 'kvGet' | 'kvSet' | 'split'>;
  logger: Logger;
  workerFile: string;
  dataDir: string;
  nativeBinding?: string;
  /** The in-thread deriver with the same hooks, taken over if the worker fails to load or dies. */
  inThread(): Deriver;
}): WorkerDeriver {
  const { store, logger } = deps;
  const words = sharedWords();
  // The effects write the read model: they take its lock, the derive transactions' (write-lock.ts).
  const lock = mainLock(words);
  const appendLock = store.split ? mainLock(words, LOG_FILE_LOCK) : lock;
  const maxRequest = store.db.prepare('SELECT COALESCE(MAX(id), 0) FROM requests').pluck();
  Atomics.store(words, DERIVED, Number(store.kvGet(DERIVED_KEY) ?? 0));
  let stopped = false;
  /** The in-thread deriver, once the worker is gone. */
  let local: Deriver | null = null;
  const effects = createEffects({ store, lock, logger, hooks: deps, derivedThrough: () => Atomics.load(words, DERIVED), stopped: () => stopped || !alive });
  // A forget's erase on a split store holds the read model's lock: no derive transaction between its two
  // files' commits (store/forget.ts holdReadModelWith).
  if (store.split) holdReadModelWith(store.db, lock);

  const worker = new Worker(deps.workerFile, { workerData: { dataDir: deps.dataDir, nativeBinding: deps.nativeBinding, words } });
  worker.unref();
  let alive = true;
  /** Whether the core has started deriving (the first kick or read): a worker gone before waits for it. */
  let started = false;
  let unflushed: number | null = null;
  const stoppedPromise = new Promise<void>((resolve) => worker.once('exit', (code) => { died(`exit code ${code}`); resolve(); }));
  // A SqliteError thrown on the worker arrives as a plain object: its code says more than String().
  worker.on('error', (err: unknown) => died(err instanceof Error ? String(err) : String((err as { code?: unknown } | null)?.code ?? err)));
  worker.on('message', (m: FromWorker) => {
    if (m.type === 'derived') effects.received(m.items.map(revive), m.slim);
    else if (m.type === 'log') logger[m.level](m.msg, m.meta);
  });

  // Acknowledgement times are set on the record by the receiver after the commit (receiver.ts): sent
  // with the next kick, DERIVE_DELAY_MS later, when the answers of that commit are written.
  const pendingAcks: { id: number; record: IngestRecord }[] = [];
  let kickTimer: ReturnType<typeof setTimeout> | null = null;
  function sendKick() {
    kickTimer = null;
    if (stopped) return;
    if (!alive) { inThread().kick(); return; }
    effects.recoverOnce();
    const acks: [number, number][] = [];
    for (const p of pendingAcks) if (p.record.request.ackMs != null) acks.push([p.id, p.record.request.ackMs]);
    pendingAcks.length = 0;
    worker.postMessage({ type: 'derive', acks, bytes: deps.needsBytes?.() ?? true } satisfies ToWorker);
  }

  function died(why: string) {
    if (!alive) return;
    alive = false;
    // Its transactions rolled back with it; a lock word it held would stop the writer and the effects.
    freeDeadWorker(words);
    if (stopped) return;
    logger.error('the derive worker stopped; derivation goes on in the receiver\'s thread', { why });
    if (started) inThread().kick();
  }

  /** The in-thread deriver, made once: what the worker left pending (effects, requests) is its work now. */
  function inThread(): Deriver {
    if (local) return local;
    if (kickTimer) { clearTimeout(kickTimer); kickTimer = null; }
    try {
      settleLeftEffects(store, { inTx: deps.inTx ?? (() => {}), onDerived: deps.onDerived });
    } catch (err) {
      logger.error('effects left by the derive worker failed; they run at the next start', { err: String(err) });
    }
    local = deps.inThread();
    local.unflushedFrom(unflushed);
    for (const p of pendingAcks) local.known(p.id, p.record);
    pendingAcks.length = 0;
    local.packSoon();
    return local;
  }

  return {
    lock: appendLock,
    known(requestId, record) {
      if (stopped) return;
      if (alive) pendingAcks.push({ id: requestId, record });
      else inThread().known(requestId, record);
    },
    kick() {
      started = true;
      if (stopped || kickTimer) return;
      if (!alive) { inThread().kick(); return; }
      kickTimer = setTimeout(sendKick, DERIVE_DELAY_MS);
    },
    unflushedFrom(id) {
      unflushed = id;
      Atomics.store(words, UNFLUSHED, id ?? 0);
      local?.unflushedFrom(id);
    },
    catchUp() {
      started = true;
      if (stopped) return;
      if (!alive) { inThread().catchUp(); return; }
      // Requests not answered yet (their flush is on its way) are not waited for: the worker leaves them.
      const unflushed = Atomics.load(words, UNFLUSHED);
      const target = Math.min(maxRequest.get() as number, unflushed > 0 ? unflushed - 1 : Number.MAX_SAFE_INTEGER);
      if (kickTimer) clearTimeout(kickTimer);
      sendKick();
      if (Atomics.load(words, DERIVED) < target && !waitDerived(words, target, CATCH_UP_MS)) {
        // Its thread ended while this reader waited: the reader is served by the in-thread deriver.
        if (workerGone(words)) { died('its thread ended'); inThread().catchUp(); return; }
        logger.warn('the derive worker did not catch up in time; reading what is derived', { target, derived: Atomics.load(words, DERIVED) });
      }
      effects.fromStore();
    },
    packSoon() {
      if (stopped) return;
      if (alive) worker.postMessage({ type: 'pack' } satisfies ToWorker);
      else local?.packSoon();
    },
    async stop() {
      if (stopped) return stoppedPromise;
      stopped = true;
      if (kickTimer) clearTimeout(kickTimer);
      local?.stop();
      if (alive) worker.postMessage({ type: 'stop' } satisfies ToWorker);
      await stoppedPromise;
    },
  };
}

/**
 * The receiver thread's half: what derived requests set off (rules, outbox rows) in a transaction that
 * moves kv derive_effects_through, then what waits for that commit (pushes, notifications). Items come
 * from the worker's messages, or from the store when they are pending on disk (a crash between the two
 * transactions, a reader that waited for the worker: its messages are still on their way).
 */
function createEffects(deps: {
  store: Pick<Store, 'db' | 'kvGet' | 'kvSet'>; lock: MainLock; logger: Logger; hooks: Hooks;
  /** The worker's published watermark. */
  derivedThrough(): number;
  stopped(): boolean;
}) {
  const { store, lock, logger, hooks } = deps;
  const db = store.db;
  // Effects start in step with the events (an in-thread run leaves no key: its effects were in-transaction).
  if (store.kvGet(EFFECTS_KEY) == null) store.kvSet(EFFECTS_KEY, String(Number(store.kvGet(DERIVED_KEY) ?? 0)));
  let effectsThrough = Number(store.kvGet(EFFECTS_KEY));
  let recovered = false;
  const loadDerived = derivedLoader(db);
  /** Items the worker sent without their headers and body. */
  const slim = new WeakSet<DerivedRequest>();
  /** Derived items not given their effects yet, in id order. */
  const queue: DerivedRequest[] = [];

  const bytesOf = db.prepare('SELECT headers, body, packed FROM requests WHERE id = ?');
  function fillBytes(d: DerivedRequest) {
    const row = bytesOf.get(d.request.id) as { headers: string; body: Buffer | null; packed: number } | undefined;
    if (!row) return;
    const bytes = requestBytes(row);
    d.request.headers = JSON.parse(bytes.headers || '[]') as [string, string][];
    d.request.body = bytes.body;
    slim.delete(d);
  }

  /** Rules and the outbox for `items`, in one transaction that moves the effects watermark. Holds the lock. */
  function applyEffects(items: DerivedRequest[]) {
    const fresh = items.filter((d) => d.request.id > effectsThrough);
    if (fresh.length === 0) return [];
    const through = fresh[fresh.length - 1].request.id;
    // A forward target set since the worker was asked: the bytes of slim requests are read here.
    if (hooks.needsBytes?.()) for (const d of fresh) if (slim.has(d)) fillBytes(d);
    // Like the derive transaction: not fsynced on its own; lost with the power, its watermark goes with it.
    db.pragma('synchronous = NORMAL');
    try {
      db.transaction(() => {
        hooks.inTx?.(fresh);
        store.kvSet(EFFECTS_KEY, String(through));
      })();
    } finally {
      db.pragma('synchronous = FULL');
    }
    effectsThrough = through;
    return fresh;
  }

  function told(items: DerivedRequest[]) {
    if (items.length === 0) return;
    try { hooks.onDerived(items); } catch (err) { logger.error('after-derive hook failed', { err: String(err) }); }
  }

  let scheduled = false;
  function schedule() {
    if (scheduled || deps.stopped()) return;
    scheduled = true;
    setImmediate(turn);
  }
  function turn() {
    scheduled = false;
    if (queue.length === 0 || deps.stopped()) return;
    // The receiver's thread never sleeps for the lock: it comes back when the worker lets it go.
    if (!lock.tryAcquire()) { void lock.whenFree().then(schedule); return; }
    let done: DerivedRequest[] = [];
    try {
      done = applyEffects(queue.splice(0));
    } catch (err) {
      // The database refusing (disk full): the effects stay pending on disk and are run from the store later.
      logger.error('effects of derived requests failed; will retry', { err: String(err) });
      recovered = false;
    } finally {
      lock.release();
    }
    told(done);
  }

  function fromStore() {
    const through = deps.derivedThrough();
    if (through <= effectsThrough) return;
    if (!lock.acquireSync(CATCH_UP_MS)) return;
    let done: DerivedRequest[];
    try {
      // Items past `through` (derived after the watermark was read) stay queued for the next turn.
      let n = 0;
      while (n < queue.length && queue[n].request.id <= through) n++;
      const queued = queue.splice(0, n);
      const lastQueued = queued.length ? queued[queued.length - 1].request.id : effectsThrough;
      // What arrived from the worker, then the rest from the store (its messages are still on their way).
      const items = [...queued, ...(lastQueued < through ? loadDerived(Math.max(effectsThrough, lastQueued), through) : [])];
      done = applyEffects(items);
      if (effectsThrough < through) { store.kvSet(EFFECTS_KEY, String(through)); effectsThrough = through; }
    } finally {
      lock.release();
    }
    told(done);
  }

  return {
    received(items: DerivedRequest[], isSlim: boolean) {
      for (const d of items) { queue.push(d); if (isSlim) slim.add(d); }
      schedule();
    },
    /** Effects pending on disk, run from the store. */
    fromStore,
    /** The same, once after a start or a failed effects transaction. */
    recoverOnce() { if (!recovered) { recovered = true; fromStore(); } },
  };
}

/** Structured clone turns Buffers into Uint8Arrays: the forwarder sends exact bytes and wants a Buffer. */
function revive(d: DerivedRequest): DerivedRequest {
  const b = d.request.body as Uint8Array | null;
  if (b && !Buffer.isBuffer(b)) d.request.body = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  return d;
}

interface RequestRow {
  id: number; received_at: number; method: string; path: string; query: string; headers: string; body: Buffer | null; packed: number;
  provider: Provider | null; response_status: number; signature: SignatureVerdict; signature_diagnosis: string | null;
  error: string | null; origin: StoredRequest['origin']; ack_ms: number | null;
}

/** Derived requests (after, through] read back with their stored events, as the deriver handed them over. */
function derivedLoader(db: Store['db']): (after: number, through: number) => DerivedRequest[] {
  const requests = db.prepare(`SELECT id, received_at, method, path, query, headers, body, packed, provider, response_status, signature,
    signature_diagnosis, error, origin, COALESCE((SELECT ack_ms FROM request_acks WHERE request_id = requests.id), ack_ms) AS ack_ms
    FROM requests WHERE id > ? AND id <= ? ORDER BY id`);
  const events = db.prepare(`SELECT ${EVENT_COLUMNS}, details FROM events WHERE request_id > ? AND request_id <= ? ORDER BY id`);
  return (after, through) => {
    const byRequest = new Map<number, HookEvent[]>();
    for (const row of events.all(after, through) as EventRow[]) {
      const list = byRequest.get(row.request_id) ?? [];
      list.push(rowToEvent(row));
      byRequest.set(row.request_id, list);
    }
    return (requests.all(after, through) as RequestRow[]).map((row) => {
      const bytes = requestBytes(row);
      const evs = (byRequest.get(row.id) ?? []).map((e) => ({ ...e, httpStatus: row.response_status, ackMs: row.ack_ms }));
      const d: DerivedRequest = {
        request: {
          id: row.id, receivedAt: row.received_at, method: row.method, path: row.path, query: row.query,
          headers: JSON.parse(bytes.headers || '[]') as [string, string][], body: bytes.body, provider: row.provider,
          responseStatus: row.response_status, signature: row.signature, signatureDiagnosis: row.signature_diagnosis,
          error: row.error, origin: row.origin, ...(row.ack_ms != null ? { ackMs: row.ack_ms } : {}),
        },
        result: { requestId: row.id, events: evs },
      };
      if (evs.length === 1 && evs[0].kind === 'unknown' && evs[0].errorDetail?.startsWith(FAILED_PREFIX)) d.failed = true;
      return d;
    });
  };
}

/**
 * In-thread derivation after a worker-mode run: effects that run left pending (a crash between the two
 * transactions) are run now from the stored events, and the effects watermark is dropped (in-thread, the
 * effects are written in the derive transaction itself).
 */
export function settleLeftEffects(store: Pick<Store, 'db' | 'kvGet' | 'kvSet'>, hooks: { inTx(items: DerivedRequest[]): void; onDerived(items: DerivedRequest[]): void }): void {
  const from = store.kvGet(EFFECTS_KEY);
  if (from == null) return;
  const items = derivedLoader(store.db)(Number(from), Number(store.kvGet(DERIVED_KEY) ?? 0));
  store.db.transaction(() => {
    if (items.length > 0) hooks.inTx(items);
    store.kvSet(EFFECTS_KEY, null);
  })();
  if (items.length > 0) hooks.onDerived(items);
}
