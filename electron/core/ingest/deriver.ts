// The deriver: turns committed requests into events, search entries, lifecycles and rule evaluations,
// right after the receiver has answered (docs/architecture.md "Ingest"). The receiver's 200 waits only for
// the request row; everything a request means is derived from that durable record here, in id order, in
// transactions that also move a watermark (kv `derived_through`), so each request is derived exactly once
// — including the ones a crash left underived, which are derived at the next start.
//
// Scheduling: a commit kicks the deriver, which runs DERIVE_DELAY_MS later — after the answers of that
// commit are on their way — and derives everything committed meanwhile in one transaction. Under load the
// batches grow with the traffic (a search-index segment, the transaction and the statements' set-up are
// paid once per batch, not per webhook); at rest a webhook reaches the screen a few milliseconds after
// its 200. Readers that must see a request's events (the control API, tools, tests) call catchUp() first.
import type { DerivedRequest, IngestRecord, Store } from '../store/store';
import type { Logger } from '../types';
import { isDiskFull } from './gate';

export interface Deriver {
  /** A request just committed, with the events the receiver computed: no need to read it back and parse it again. */
  known(requestId: number, record: IngestRecord): void;
  /** Derive soon (next turn of the event loop). */
  kick(): void;
  /** Derive everything committed and answered so far, now. */
  catchUp(): void;
  /**
   * The first request committed whose flush is not done (writer.ts onUnflushed), or null: it and later
   * ones are not answered yet and wait to be derived.
   */
  unflushedFrom(id: number | null): void;
  /** Pack what is derived and not packed yet, once the receiver is idle (at start: older databases). */
  packSoon(): void;
  /** Stops deriving; a worker deriver (worker-deriver.ts) resolves once its thread and connection are closed. */
  stop(): void | Promise<void>;
}

/** Requests per derivation transaction at most (catchUp's batches; a backlog after a restart). */
export const DERIVE_BATCH = 2000;

/**
 * How long one turn of background derivation may hold the event loop (ms). The batch is sized from the
 * measured cost per request, so a backlog is derived in slices with the receiver's commits and answers in
 * between: a 2,000-request batch at ~0.2 ms each held the loop for 400 ms, and every acknowledgement
 * waiting behind it (docs/benchmarks.md "Derivation in slices").
 */
export const DERIVE_SLICE_MS = 8;
/**
 * The smallest slice: per-transaction costs stay amortised. A derive transaction costs about 1 ms before its
 * first request on this machine (the last pages of every index and table written to the WAL again, the
 * watermark, the statements), so 16-request slices — what a loaded machine's cost per request made of
 * every turn — derived at ~240 µs a request against ~170 µs in 256-request ones (docs/benchmarks.md
 * "CPU per webhook"). On a machine fast enough for 64 requests in DERIVE_SLICE_MS this changes nothing.
 */
export const DERIVE_MIN_BATCH = 64;
/** The first background turn, before any cost per request is measured. */
export const DERIVE_FIRST_BATCH = 64;

/** How long after a commit derivation starts: long enough to gather a burst, short for the eye. */
export const DERIVE_DELAY_MS = 5;

/** Quiet time after the last derivation before packing starts, and rows packed per turn. */
export const PACK_IDLE_MS = 500;
export const PACK_BATCH = 200;

/** How soon a turn that found the database busy or locked is tried again (nothing else may kick it). */
export const BUSY_RETRY_MS = 1000;

/**
 * SQLite busy or locked: another connection holds the file (a forget's VACUUM, a long write). Never the
 * request's fault: like a full disk, the request stays underived and is tried again.
 */
export function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

export interface DeriverDeps {
  store: Pick<Store, 'deriveNext' | 'deriveFailed' | 'packNext' | 'deriveBefore'>;
  logger: Logger;
  /** Acknowledge only: nothing is derived until the next start (a diagnostic; CoreOptions.derive). */
  hold?: boolean;
  /**
   * Runs inside each derive transaction with the requests it derives: writes what they set off (the
   * outbox), so a crash loses both or neither. Must not throw for one request's sake.
   */
  inTx?(items: DerivedRequest[]): void;
  /** Told of every derived request, after its transaction committed, in id order. */
  onDerived(items: DerivedRequest[]): void;
  /** Requests per transaction (DERIVE_BATCH) and the delay after a kick (DERIVE_DELAY_MS): the worker's are shorter. */
  batch?: number;
  delayMs?: number;
  /** Background turns are sized to last about this long (DERIVE_SLICE_MS); 0: always `batch`. */
  sliceMs?: number;
  /** Milliseconds, for the cost per request (performance.now; tests pass a clock they move). */
  now?(): number;
}

export function createDeriver(deps: DeriverDeps): Deriver {
  const batch = deps.batch ?? DERIVE_BATCH;
  const delayMs = deps.delayMs ?? DERIVE_DELAY_MS;
  const sliceMs = deps.sliceMs ?? DERIVE_SLICE_MS;
  const now = deps.now ?? (() => performance.now());
  /** Measured milliseconds per derived request (a moving average); unknown until the first batch. */
  let msPerRequest = 0;
  /** Requests in the next background turn: what fits in sliceMs at the measured cost. */
  function sliceBatch(): number {
    if (sliceMs <= 0 || msPerRequest <= 0) return Math.min(batch, sliceMs > 0 ? DERIVE_FIRST_BATCH : batch);
    return Math.max(Math.min(DERIVE_MIN_BATCH, batch), Math.min(batch, Math.floor(sliceMs / msPerRequest)));
  }
  const known = new Map<number, IngestRecord>();
  let scheduled: ReturnType<typeof setTimeout> | null = null;
  let stopped = deps.hold === true;
  let running = false;

  /** One transaction of at most `limit` requests; true when there may be more to derive. */
  function step(limit = batch): boolean {
    let items: DerivedRequest[];
    const started = now();
    try {
      items = deps.store.deriveNext(limit, known, deps.inTx);
      if (items.length > 0) {
        const cost = (now() - started) / items.length;
        msPerRequest = msPerRequest === 0 ? cost : msPerRequest * 0.7 + cost * 0.3;
      }
    } catch (err) {
      // One request that cannot be derived must not hold back every later one: the batch is retried one
      // request at a time, and the one that fails again is kept as a single 'unknown' event saying why
      // (its exact bytes stay in the request, for the inspector and replay).
      items = [];
      try {
        for (let i = 0; i < limit; i++) {
          let one: DerivedRequest[];
          try {
            one = deps.store.deriveNext(1, known, deps.inTx);
          } catch (e) {
            // A full disk or a busy database is not the request's fault: it stays underived until there
            // is room again or the other connection is done.
            if (isDiskFull(e) || isBusy(e)) throw e;
            deps.logger.error('a request could not be derived; kept with an unknown event', { err: String(e) });
            const kept = deps.store.deriveFailed(`Its events could not be derived: ${(e as Error).message}`);
            one = kept ? [kept] : [];
          }
          if (one.length === 0) break;
          items.push(...one);
        }
      } catch (e) {
        // The database itself refuses (disk full, say): left underived, safe; the next kick tries again.
        deps.logger.error('deriving events failed; will retry', { err: String(err), then: String(e) });
        if (isBusy(e)) retrySoon();
        if (items.length === 0) return false;
      }
    }
    for (const d of items) known.delete(d.request.id);
    if (items.length > 0) {
      try { deps.onDerived(items); } catch (err) { deps.logger.error('after-derive hook failed', { err: String(err) }); }
    }
    if (items.length > 0) { lastWork = Date.now(); schedulePack(PACK_IDLE_MS); }
    return items.length === limit;
  }

  // Packing derived requests (store/pack.ts) costs CPU the receiver may need: it waits until nothing was
  // derived for PACK_IDLE_MS, then goes a small batch per turn until every derived request is packed.
  let lastWork = 0;
  let packTimer: ReturnType<typeof setTimeout> | null = null;
  function schedulePack(ms: number) {
    if (stopped || packTimer) return;
    packTimer = setTimeout(packTurn, ms);
    packTimer.unref?.();
  }
  function packTurn() {
    packTimer = null;
    if (stopped) return;
    const quiet = Date.now() - lastWork;
    if (quiet < PACK_IDLE_MS) return schedulePack(PACK_IDLE_MS - quiet);
    let looked: number;
    try {
      looked = deps.store.packNext(PACK_BATCH);
    } catch (err) {
      deps.logger.warn('packing stored requests failed; will retry', { err: String(err) });
      return schedulePack(PACK_IDLE_MS * 20);
    }
    if (looked > 0) schedulePack(10);
  }

  function run() {
    scheduled = null;
    if (stopped || running) return;
    running = true;
    try {
      // One slice per turn while a backlog lasts: answers and new requests interleave with it.
      if (step(sliceBatch())) scheduled = setTimeout(run, 0);
    } finally {
      running = false;
    }
  }

  function kick() {
    if (stopped || scheduled) return;
    scheduled = setTimeout(run, delayMs);
  }

  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  function retrySoon() {
    if (stopped || retryTimer) return;
    retryTimer = setTimeout(() => { retryTimer = null; kick(); }, BUSY_RETRY_MS);
  }

  return {
    known(requestId, record) { if (!stopped) known.set(requestId, record); },
    kick,
    unflushedFrom: (id) => deps.store.deriveBefore(id),
    catchUp() {
      if (stopped || running) return;
      running = true;
      try {
        while (step()) { /* the whole backlog */ }
      } finally {
        running = false;
      }
    },
    packSoon: () => schedulePack(PACK_IDLE_MS),
    stop() {
      stopped = true;
      if (scheduled) clearTimeout(scheduled);
      scheduled = null;
      if (packTimer) clearTimeout(packTimer);
      packTimer = null;
      if (retryTimer) clearTimeout(retryTimer);
      retryTimer = null;
    },
  };
}
