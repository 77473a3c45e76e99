// The local read model of a team server: every process copies the shared requests, in id order and with
// the same ids, into its own SQLite store, where the deriver turns them into events exactly as on the
// desktop — so every process derives the same log in the same order (duplicates flagged identically
// everywhere, no read-then-write race between processes). docs/architecture.md "Team mode".
//
// How rows arrive:
//  - this process's own appends, handed over right after COMMIT (offer): applied at once when they follow
//    what is already mirrored, so the local UI does not wait for a round trip;
//  - everything else by pulling `id > mirrored` from PostgreSQL: on a NOTIFY (payload = new max id), on a
//    poll every `pollMs` (a lost notification, a listener reconnecting) and at start.
// Applying is one synchronous local transaction per batch that also records how far it got (kv
// MIRRORED_KEY), so a restart resumes where it stopped and local retention never makes it re-copy.
import type { IngestRequest } from '../store/store';
import type { PgLog, SharedRequest } from './pg-log';
import type { Logger } from '../types';

export const MIRRORED_KEY = 'team.mirrored_through';
/** How long a NOTIFY waits before fetching (ms): see start(). */
const NOTIFY_SETTLE_MS = 5;
export const DATABASE_KEY = 'team.database_id';

export interface MirrorSink {
  /** Highest shared id already applied (persisted with the rows). */
  mirrored(): number;
  /** Inserts rows with their shared ids and records `through` in the same local transaction. */
  apply(rows: SharedRequest[], through: number): void;
}

export interface Mirror {
  start(): void;
  /** This process's own committed rows (ids ascending, as the appender returns them). */
  offer(rows: IngestRequest[], ids: number[]): void;
  /** Pulls until nothing newer is in PostgreSQL; resolves when caught up (or the database is away). */
  catchUp(): Promise<void>;
  /** True while the last pull or the listener reached the database. */
  connected(): boolean;
  stop(): Promise<void>;
}

export function createMirror(opts: {
  log: Pick<PgLog, 'after' | 'listen'>;
  sink: MirrorSink;
  logger: Logger;
  /** Called after rows were applied locally (the deriver runs next). */
  onApplied?: (ids: number[]) => void;
  /** Called when reaching the database fails or comes back. */
  onConnection?: (up: boolean) => void;
  /**
   * The team's rules changed or a contact was forgotten (heard on the same listening connection: the
   * channel's name), or the listener is back (every channel: something may have been missed).
   */
  onChannel?: (channel: string | null) => void;
  pollMs?: number;
  pageSize?: number;
}): Mirror {
  const { log, sink, logger } = opts;
  const pollMs = opts.pollMs ?? 1000;
  const pageSize = opts.pageSize ?? 500;
  let known = 0; // highest id PostgreSQL is known to hold (from NOTIFY), to pull again when behind
  let pulling: Promise<void> | null = null;
  let again = false;
  let timer: ReturnType<typeof setInterval> | null = null;
  let unlisten: (() => Promise<void>) | null = null;
  let stopped = false;
  let up = true;
  let soon: ReturnType<typeof setTimeout> | null = null;

  function setUp(v: boolean) {
    if (v === up) return;
    up = v;
    opts.onConnection?.(v);
  }

  function applyRows(rows: SharedRequest[]) {
    const through = sink.mirrored();
    const fresh = rows.filter((r) => r.id > through);
    if (fresh.length === 0) return;
    sink.apply(fresh, fresh[fresh.length - 1].id);
    opts.onApplied?.(fresh.map((r) => r.id));
  }

  async function pullLoop() {
    do {
      again = false;
      for (;;) {
        if (stopped) return;
        let rows: SharedRequest[];
        try {
          rows = await log.after(sink.mirrored(), pageSize);
          setUp(true);
        } catch (err) {
          setUp(false);
          logger.debug('mirror could not reach the database', { err: String(err) });
          return;
        }
        if (stopped) return;
        // A row offered meanwhile may already be applied: applyRows skips what is not newer.
        if (rows.length) applyRows(rows);
        if (rows.length < pageSize) break;
      }
    } while (again || known > sink.mirrored());
  }

  function pull(): Promise<void> {
    if (pulling) { again = true; return pulling; }
    const p = pullLoop().finally(() => { if (pulling === p) pulling = null; });
    pulling = p;
    return p;
  }

  return {
    start() {
      if (timer || stopped) return;
      unlisten = log.listen((maxId) => {
        if (maxId > known) known = maxId;
        if (maxId <= sink.mirrored() || soon) return;
        // This process's own commits are notified too, at the moment their COMMIT answers: a short wait
        // lets the appender hand them over (offer) instead of fetching their bodies back.
        soon = setTimeout(() => {
          soon = null;
          if (known > sink.mirrored()) void pull();
        }, NOTIFY_SETTLE_MS);
        soon.unref?.();
      }, (listening) => {
        // Back after a break: whatever was notified meanwhile is fetched now.
        if (listening) { void pull(); opts.onChannel?.(null); }
      }, (channel) => opts.onChannel?.(channel));
      timer = setInterval(() => void pull(), pollMs);
      timer.unref?.();
      void pull();
    },
    offer(rows, ids) {
      if (stopped || rows.length === 0) return;
      const through = sink.mirrored();
      // Only a run that continues exactly where the mirror stands can skip PostgreSQL; anything else
      // (another process appended in between) is fetched in order.
      if (ids[0] === through + 1 && ids.every((id, i) => i === 0 || id === ids[i - 1] + 1)) {
        try {
          applyRows(rows.map((r, i) => ({ ...r, id: ids[i] })));
          return;
        } catch (err) {
          logger.warn('mirror could not apply freshly committed rows; fetching them instead', { err: String(err) });
        }
      }
      if (ids[ids.length - 1] > known) known = ids[ids.length - 1];
      void pull();
    },
    catchUp: () => pull(),
    connected: () => up,
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      if (soon) clearTimeout(soon);
      timer = null;
      if (unlisten) await unlisten();
      await pulling?.catch(() => undefined);
    },
  };
}
