// Retention of the shared record (docs/architecture.md "Team mode"): one process at a time prunes
// PostgreSQL — the holder of the retention lock (pg-leadership.ts) — by its own retention settings. The
// event-count limit becomes a request id cut-off read from this read model, which is the same in every
// process. Each process keeps pruning its own read model as on the desktop (store/retention.ts).
import type { Store } from '../store/store';
import type { Settings } from '../setup/settings';
import type { Clock, Logger } from '../types';
import type { Team } from './team';

const DAY = 86_400_000;

export interface SharedRetention {
  /** Prunes the shared record now if this process leads retention; how many requests went. */
  prune(): Promise<number>;
  /** Prunes every `everyMs` from now on. */
  start(everyMs: number): void;
  /** Stops the timer (no new prune starts). */
  halt(): void;
  /** Resolves when a prune in flight is over. */
  settled(): Promise<void>;
}

export function createSharedRetention(deps: {
  store: Store;
  settings: Settings;
  clock: Clock;
  logger: Logger;
  /** The team database once open; null before. */
  team: () => Pick<Team, 'runsRetention' | 'pruneShared'> | null;
}): SharedRetention {
  const { store, logger } = deps;
  let timer: ReturnType<typeof setInterval> | null = null;
  let pruning: Promise<number> | null = null;

  async function prune(): Promise<number> {
    const team = deps.team();
    if (!team || !team.runsRetention()) return 0;
    if (pruning) return pruning;
    const { days, maxEvents } = deps.settings.plain().retention;
    if (days == null && maxEvents == null) return 0;
    let beforeId: number | undefined;
    if (maxEvents != null) {
      // Every process derives the same events from the same requests: the local cut-off is the shared one.
      const row = store.db.prepare('SELECT request_id FROM events ORDER BY id DESC LIMIT 1 OFFSET ?').get(maxEvents - 1) as { request_id: number } | undefined;
      beforeId = row?.request_id;
      if (beforeId == null && days == null) return 0;
    }
    const run = team.pruneShared({ olderThan: days != null ? deps.clock() - days * DAY : undefined, beforeId })
      .then((n) => { if (n > 0) logger.info('retention pruned the shared record', { requests: n }); return n; })
      .catch((err) => { logger.warn('retention of the shared record failed', { err: String(err) }); return 0; })
      .finally(() => { pruning = null; });
    pruning = run;
    return run;
  }

  return {
    prune,
    start(everyMs) {
      timer = setInterval(() => void prune(), everyMs);
      timer.unref?.();
    },
    halt() { if (timer) clearInterval(timer); },
    async settled() { await pruning; },
  };
}
