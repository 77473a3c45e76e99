// The local read model of a team server: every process copies the shared requests, in id order and with
// the same ids, into its own SQLite store, where the deriver turns them into events exactly as on the
// desktop — so every process derives the same log in the same order (duplicates flagged identically
// everywhere, no read-then-write race between processes). docs/architecture.md "Team mode".
//
// How rows arrive:
//  - this process's own appends, handed over right after COMMIT (offer): applied at once when they follow
//    what is already mirrored, so the local UI does not wait for a round trip; else held until the rows
//    before them (another process's) are fetched, then applied with them in id order;
//  - everything else by pulling `id > mirrored` from PostgreSQL, leaving out the ids of own rows it holds:
//    on a NOTIFY (payload = the committed id range; a range that is all this process's own is not
//    fetched), on a poll every `pollMs` (a lost notification, a listener reconnecting) and at start.
//    So with several receivers each process reads only the others' rows, never its own back.
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
  // This process's own committed rows not applied yet (another process's rows come before them): they
  // are never fetched back from PostgreSQL, only the ids between them are.
  const own = new Map<number, IngestRequest>();
  // Ranges heard of by NOTIFY and not yet seen to be covered (own or applied), checked after a short wait.
  const heard: [number, number][] = [];

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
    for (const r of fresh) own.delete(r.id);
    opts.onApplied?.(fresh.map((r) => r.id));
  }

  /** Own rows that continue exactly where the mirror stands need no round trip: nothing can be between. */
  function applyOwnRun() {
    let next = sink.mirrored() + 1;
    const run: SharedRequest[] = [];
    for (let r = own.get(next); r; r = own.get(++next)) run.push({ ...r, id: next });
    if (run.length) applyRows(run);
  }

  async function pullLoop() {
    do {
      again = false;
      for (;;) {
        if (stopped) return;
        const from = sink.mirrored();
        // Own rows held now were committed before this query: every id below them is settled (pg-log.ts,
        // ids visible in id order), so once the fetch is complete they can be applied with it.
        const mine = [...own].filter(([id]) => id > from).sort((a, b) => a[0] - b[0]);
        let rows: SharedRequest[];
        try {
          rows = await log.after(from, pageSize, mine.map(([id]) => id));
          setUp(true);
        } catch (err) {
          setUp(false);
          logger.debug('mirror could not reach the database', { err: String(err) });
          return;
        }
        if (stopped) return;
        const complete = rows.length < pageSize;
        const lastFetched = rows.length ? rows[rows.length - 1].id : from;
        const bound = complete ? Math.max(lastFetched, mine.length ? mine[mine.length - 1][0] : from) : lastFetched;
        const merged = new Map<number, SharedRequest>();
        for (const r of rows) merged.set(r.id, r);
        for (const [id, r] of mine) if (id <= bound && !merged.has(id)) merged.set(id, { ...r, id });
        try {
          // A row offered meanwhile may already be applied: applyRows skips what is not newer.
          if (merged.size) applyRows([...merged.values()].sort((a, b) => a.id - b.id));
          applyOwnRun();
        } catch (err) {
          // The read model refused (a full disk, say): nothing was recorded as mirrored; the poll retries.
          logger.warn('mirror could not apply rows; will retry', { err: String(err) });
          return;
        }
        if (complete) break;
      }
    } while (again || known > sink.mirrored());
  }

  function pull(): Promise<void> {
    if (pulling) { again = true; return pulling; }
    const p = pullLoop().finally(() => { if (pulling === p) pulling = null; });
    pulling = p;
    return p;
  }

  /** Whether every id of a notified range is applied or this process's own (nothing to fetch). */
  function covered([first, last]: [number, number]): boolean {
    for (let id = Math.max(first, sink.mirrored() + 1); id <= last; id++) if (!own.has(id)) return false;
    return true;
  }

  return {
    start() {
      if (timer || stopped) return;
      unlisten = log.listen((last, first) => {
        if (last > known) known = last;
        if (last <= sink.mirrored()) return;
        heard.push([first, last]);
        if (soon) return;
        // This process's own commits are notified too, at the moment their COMMIT answers: a short wait
        // lets the appender hand them over (offer); then only ranges another process appended are fetched.
        soon = setTimeout(() => {
          soon = null;
          const open = heard.splice(0).filter((r) => !covered(r));
          if (open.length) void pull();
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
      rows.forEach((r, i) => { if (ids[i] > through) own.set(ids[i], r); });
      try {
        applyOwnRun();
      } catch (err) {
        // Kept: the next pull applies them with the rows around them.
        logger.warn('mirror could not apply freshly committed rows; will retry', { err: String(err) });
      }
      // Anything left waits for the rows another process committed before it: fetched in id order.
      if (ids[ids.length - 1] > sink.mirrored()) {
        if (ids[ids.length - 1] > known) known = ids[ids.length - 1];
        void pull();
      }
    },
    catchUp: () => pull(),
    connected: () => up,
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      if (soon) clearTimeout(soon);
      timer = null;
      own.clear();
      if (unlisten) await unlisten();
      await pulling?.catch(() => undefined);
    },
  };
}
