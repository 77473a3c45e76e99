// Team mode (serve --database postgres://…): the pieces a process needs to share one history with the
// others on the same PostgreSQL database, opened together. docs/architecture.md "Team mode".
//  - appender: this process's accepted requests into the shared record (the 200 after COMMIT);
//  - mirror: every process's requests into the local SQLite read model, in id order, same ids;
//  - claim: a derived request's rules run in exactly one process;
//  - leadership: retention of the shared record and the timer rules run in one process at a time;
//  - connection: "database unreachable" for the UI, back on its own.
import type { IngestRequest } from '../store/store';
import type { Logger } from '../types';
import type { TeamHeldBack, TeamStatus } from '../../../shared/ipc';
import { HookscopeError } from '../../../shared/errors';
import { createHeldBackWatch } from './held-back';
import { createMirror, DATABASE_KEY, type Mirror, type MirrorSink } from './mirror';
import { createPgAppender, type PgAppender } from './pg-writer';
import type { Leadership } from './pg-leadership';
import { openPgLog, type PgLog } from './pg-log';
import { LOCK_RETENTION, LOCK_TIMERS } from './pg-names';

export type { TeamStatus } from '../../../shared/ipc';

export interface Team {
  readonly log: PgLog;
  readonly appender: PgAppender;
  readonly mirror: Mirror;
  /** True when this process is the one to run rules for this request. */
  claim(requestId: number): Promise<boolean>;
  /** The ids of a derived batch whose rules this process runs (claimed first, across every process). */
  claimMany(requestIds: number[], leaseMs?: number): Promise<Set<number>>;
  /** Leases of claims (claim-leases.ts): renew, finish, take over expired ones. */
  renewClaims(requestIds: number[], leaseMs: number): Promise<void>;
  finishClaims(requestIds: number[]): Promise<void>;
  takeExpiredClaims(leaseMs: number, throughId: number): Promise<number[]>;
  runsTimers(): boolean;
  runsRetention(): boolean;
  /** Prunes the shared record (only while this process leads retention); how many requests went. */
  pruneShared(opts: { olderThan?: number; beforeId?: number }): Promise<number>;
  status(): TeamStatus;
  close(): Promise<void>;
}

export interface LocalIdentity {
  kvGet(key: string): string | null;
  kvSet(key: string, value: string | null): void;
  /** Requests held locally now. */
  requestCount(): number;
}

export async function openTeam(opts: {
  url: string;
  logger: Logger;
  /** Who claims (logs and rule_claims.claimed_by): host and pid, say. */
  processName: string;
  local: LocalIdentity;
  sink: MirrorSink;
  /** Rows applied to the local read model (derive them now). */
  onApplied: (ids: number[]) => void;
  onStatus: (s: TeamStatus) => void;
  /** This process's own rows, just committed to the shared record (before the mirror applies them). */
  onCommitted?: (rows: IngestRequest[], ids: number[]) => void;
  /** Rules changed / a contact was forgotten somewhere (the channel), or may have (null: reconnected). */
  onChannel?: (channel: string | null) => void;
  pollMs?: number;
  leaderEveryMs?: number;
  /** How long committed requests may wait for the horizon before the status says why (held-back.ts). */
  heldBackMs?: number;
}): Promise<Team> {
  const { logger } = opts;
  const log = await openPgLog({ url: opts.url, logger, appName: `hookscope ${opts.processName}`.slice(0, 63) });
  try {
    // The local SQLite file is a cache of one team database: never mix two histories in one data dir.
    const mine = opts.local.kvGet(DATABASE_KEY);
    if (mine != null && mine !== log.databaseId) {
      throw new HookscopeError('DATA_DIR_NOT_WRITABLE', `The data directory already mirrors another team database; give this one (${log.target}) its own --data-dir.`);
    }
    if (mine == null && opts.local.requestCount() > 0) {
      throw new HookscopeError('DATA_DIR_NOT_WRITABLE', `The data directory already holds a history of its own; a team server (${log.target}) needs an empty --data-dir.`);
    }
    if (mine == null) opts.local.kvSet(DATABASE_KEY, log.databaseId);
  } catch (err) {
    await log.close();
    throw err;
  }

  let connected = true;
  let heldBack: TeamHeldBack | null = null;
  const status = (): TeamStatus => ({ database: log.target, connected, ...(heldBack ? { heldBack } : {}) });
  const emit = () => opts.onStatus(status());
  const held = createHeldBackWatch({
    log, logger, mirrored: () => opts.sink.mirrored(), afterMs: opts.heldBackMs,
    onChange: (hb) => { heldBack = hb; emit(); },
  });
  const mirror = createMirror({
    log, sink: opts.sink, logger, pollMs: opts.pollMs,
    onApplied: (ids) => { held.moved(); opts.onApplied(ids); },
    onConnection: () => check(),
    onChannel: opts.onChannel,
    onIdle: () => held.idle(),
  });
  const appender = createPgAppender({
    log,
    onCommitted: (rows: IngestRequest[], ids: number[], xact: number) => {
      opts.onCommitted?.(rows, ids);
      mirror.offer(rows, ids, xact);
    },
  });
  const everyMs = opts.leaderEveryMs ?? 5000;
  const timers: Leadership = log.leadership(LOCK_TIMERS, { everyMs, onChange: (l) => logger.info(l ? 'this process now runs the timer rules' : 'this process no longer runs the timer rules') });
  const retention: Leadership = log.leadership(LOCK_RETENTION, { everyMs });

  function check() {
    const now = log.healthy() && mirror.connected();
    if (now === connected) return;
    connected = now;
    if (!now) logger.warn('database unreachable; reconnecting', { database: log.target });
    else logger.info('database reachable again', { database: log.target });
    emit();
  }
  // The pool, the listener and the appender each notice a lost connection; one status for the UI.
  const watch = setInterval(check, 500);
  watch.unref?.();
  mirror.start();

  return {
    log, appender, mirror,
    claim: (requestId) => log.claim(requestId, opts.processName),
    claimMany: (ids, leaseMs) => log.claimMany(ids, opts.processName, leaseMs),
    renewClaims: (ids, leaseMs) => log.renewClaims(ids, opts.processName, leaseMs),
    finishClaims: (ids) => log.finishClaims(ids, opts.processName),
    takeExpiredClaims: (leaseMs, throughId) => log.takeExpiredClaims(opts.processName, leaseMs, throughId),
    runsTimers: () => timers.isLeader(),
    runsRetention: () => retention.isLeader(),
    async pruneShared(p) {
      if (!retention.isLeader()) return 0;
      let total = 0;
      for (;;) {
        const n = await log.prune({ ...p, batch: 1000 });
        total += n;
        if (n < 1000) break;
      }
      return total;
    },
    status,
    async close() {
      clearInterval(watch);
      await appender.drain();
      await mirror.stop();
      await timers.stop();
      await retention.stop();
      await log.close();
    },
  };
}
