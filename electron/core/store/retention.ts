// Retention: prune old data by settings.retention (days and/or maxEvents) without stalling ingest.
// store.prune deletes whole requests (with their events, forwards and outbox rows) one small batch per
// transaction; between batches we yield with setImmediate so the receiver's group commits interleave.
// better-sqlite3 is synchronous: a batch is a short pause of the event loop, never a long one.
import type { Settings } from '../setup/settings';
import type { Store } from './store';
import { holdingReadModel, ReadModelBusy } from './forget';
import type { Clock, Logger } from '../types';

export interface Retention {
  start(): void;
  stop(): void;
  /** One batch, synchronously: how many requests were removed (0 = nothing left to prune). */
  runOnce(): number;
  /** Batches until nothing is left (or stop()); how many requests were removed in all. */
  drain(): Promise<number>;
  /** New data arrived: a drain soon (at most one every few seconds), so limits hold continuously. */
  poke(): void;
  /** VACUUM, guarded: not during a prune run, and only when enough of the file is free (or forced). */
  compact(opts?: { force?: boolean }): { ran: boolean; reason: string; beforeBytes: number; afterBytes: number };
}

const DAY = 86_400_000;

export function createRetention(deps: { store: Store; settings: Settings; logger: Logger; clock: Clock; intervalMs?: number; batch?: number }): Retention {
  const { store, settings, logger, clock } = deps;
  // Every minute at the latest: a changed setting is enforced within a minute even if nothing arrives.
  const intervalMs = deps.intervalMs ?? 60_000;
  const pokeMs = Math.min(5_000, intervalMs);
  let poked: ReturnType<typeof setTimeout> | null = null;
  const batch = deps.batch ?? 500;
  let timer: ReturnType<typeof setInterval> | null = null;
  let firstRun: ReturnType<typeof setTimeout> | null = null;
  let running: Promise<number> | null = null;
  let stopped = true;
  // Set by stop(): a drain in progress ends at its next batch (the store is about to close).
  let halted = false;

  function runOnce(): number {
    const { days, maxEvents } = settings.plain().retention;
    if (days == null && maxEvents == null) return 0;
    return store.prune({
      olderThan: days != null ? clock() - days * DAY : undefined,
      maxEvents: maxEvents ?? undefined,
      batch,
    });
  }

  function drain(): Promise<number> {
    // One run at a time: a timer tick during a long run joins it instead of starting another.
    if (running) return running;
    const run = (async () => {
      let total = 0;
      try {
        for (;;) {
          const n = runOnce();
          total += n;
          if (n < batch || halted) break;
          await new Promise<void>((r) => setImmediate(r));
        }
      } catch (err) {
        logger.error('retention prune failed', { err: String(err) });
      }
      if (total > 0) logger.info('retention pruned old requests', { requests: total });
      return total;
    })();
    // `running` is cleared by the promise's own settlement, after it was assigned: a run that finds nothing
    // finishes synchronously inside the async function above, and clearing it there would leave this
    // settled promise in `running` forever — every later drain would return it and prune nothing.
    running = run;
    void run.finally(() => { if (running === run) running = null; });
    return run;
  }

  return {
    runOnce,
    drain,
    poke() {
      if (stopped || poked) return;
      const { days, maxEvents } = settings.plain().retention;
      if (days == null && maxEvents == null) return;
      poked = setTimeout(() => { poked = null; void drain(); }, pokeMs);
      poked.unref?.();
    },
    start() {
      if (!stopped) return;
      stopped = false;
      halted = false;
      // A first pass soon after start (not during it), then on the interval; timers never hold the process.
      firstRun = setTimeout(() => { void drain(); }, Math.min(5_000, intervalMs));
      firstRun.unref?.();
      timer = setInterval(() => { void drain(); }, intervalMs);
      timer.unref?.();
    },
    stop() {
      stopped = true;
      halted = true;
      if (timer) clearInterval(timer);
      if (firstRun) clearTimeout(firstRun);
      if (poked) clearTimeout(poked);
      poked = null;
      timer = null;
      firstRun = null;
    },
    compact(opts = {}) {
      const before = store.counts().bytes;
      if (running) return { ran: false, reason: 'A prune is running; try again when it is done.', beforeBytes: before, afterBytes: before };
      let free = store.db.pragma('freelist_count', { simple: true }) as number;
      let pages = store.db.pragma('page_count', { simple: true }) as number;
      if (store.split) {
        free += store.db.pragma('log.freelist_count', { simple: true }) as number;
        pages += store.db.pragma('log.page_count', { simple: true }) as number;
      }
      // VACUUM rewrites the whole file and holds the connection meanwhile: only worth it when at least
      // a quarter of the file is free pages.
      if (!opts.force && (pages === 0 || free / pages < 0.25)) {
        return { ran: false, reason: `Only ${free} of ${pages} pages are free; nothing worth compacting.`, beforeBytes: before, afterBytes: before };
      }
      try {
        // Holding the read model's lock, as a forget's rewrite does: the derive worker waits on the lock
        // word, never in SQLite behind the VACUUM (forget.ts holdingReadModel).
        holdingReadModel(store.db, () => {
          store.db.exec('VACUUM');
          // A split store's request log (log-file.ts) is where pruned bodies freed most pages.
          if (store.split) store.db.exec('VACUUM log');
        });
      } catch (err) {
        if (!(err instanceof ReadModelBusy)) throw err;
        return { ran: false, reason: 'Derivation kept the database busy; try again.', beforeBytes: before, afterBytes: before };
      }
      store.db.pragma('wal_checkpoint(TRUNCATE)');
      const after = store.counts().bytes;
      logger.info('database compacted', { beforeBytes: before, afterBytes: after });
      return { ran: true, reason: 'Compacted.', beforeBytes: before, afterBytes: after };
    },
  };
}
