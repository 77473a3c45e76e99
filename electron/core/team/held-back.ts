// Says why a team's live copy stops moving (docs/architecture.md "Team mode"): the mirror takes only rows
// older than the horizon, so a transaction left open anywhere on the PostgreSQL server (a psql session after
// a write, a stuck migration, another app) holds every process's copy back while the receivers still answer
// 200. When the mirror pulls, takes nothing and knows rows are waiting (idle()), this asks PostgreSQL — at
// most every `checkEveryMs`, never on the receiver's path — how many rows wait and which transaction holds
// the horizon. Rows waiting longer than `afterMs` set TeamStatus.heldBack and log one warning; the mirror
// applying rows again (moved()) clears it and logs that once.
import type { TeamHeldBack } from '../../../shared/ipc';
import { describeHeldBack } from '../../../shared/team-held-back';
import type { Logger } from '../types';
import type { PgLog } from './pg-log';

/** How long committed rows may wait for the horizon before the team is told (ms). */
export const HELD_BACK_AFTER_MS = 10_000;

export interface HeldBackWatch {
  /** The mirror pulled and took nothing while rows are known to wait: look (rate-limited). */
  idle(): void;
  /** The mirror applied rows: the copy moves again. */
  moved(): void;
  current(): TeamHeldBack | null;
}

export function createHeldBackWatch(opts: {
  log: Pick<PgLog, 'horizonHolder'>;
  mirrored: () => number;
  logger: Logger;
  onChange: (hb: TeamHeldBack | null) => void;
  afterMs?: number;
  now?: () => number;
}): HeldBackWatch {
  const { logger } = opts;
  const afterMs = opts.afterMs ?? HELD_BACK_AFTER_MS;
  const checkEveryMs = Math.min(5000, Math.max(100, afterMs / 4));
  const now = opts.now ?? Date.now;
  let lastCheck = -Infinity;
  let checking = false;
  /** Bumped by moved(): a look that started before the copy moved is stale. */
  let generation = 0;
  let waitingSince: number | null = null;
  let current: TeamHeldBack | null = null;

  async function look() {
    const gen = generation;
    const from = opts.mirrored();
    let r: Awaited<ReturnType<PgLog['horizonHolder']>>;
    try {
      r = await opts.log.horizonHolder(from);
    } catch (err) {
      // The database away is said by the connection status; nothing to add here.
      logger.debug('could not look at what holds the team horizon', { err: String(err) });
      return;
    }
    if (gen !== generation) return;
    const t = now();
    if (r.waiting === 0) {
      waitingSince = null;
      if (current) clear();
      return;
    }
    waitingSince ??= t;
    if (t - waitingSince < afterMs) return;
    const next: TeamHeldBack = { since: waitingSince, waiting: r.waiting, holder: r.holder };
    const first = current == null;
    const changed = JSON.stringify(next) !== JSON.stringify(current);
    current = next;
    if (first) {
      const { title, detail } = describeHeldBack(next, t);
      logger.warn(`${title}: ${detail}`, { pid: next.holder?.pid ?? null, waiting: next.waiting });
    }
    if (changed) opts.onChange(current);
  }

  function clear() {
    const was = current;
    current = null;
    if (was) {
      logger.info('the team\'s live copy moves again', { heldForMs: now() - was.since });
      opts.onChange(null);
    }
  }

  return {
    idle() {
      const t = now();
      if (checking || t - lastCheck < checkEveryMs) return;
      lastCheck = t;
      checking = true;
      void look().finally(() => { checking = false; });
    },
    moved() {
      generation++;
      waitingSince = null;
      if (current) clear();
    },
    current: () => current,
  };
}
