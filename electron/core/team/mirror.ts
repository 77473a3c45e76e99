// The local read model of a team server: every process copies the shared requests, in id order and with
// the same ids, into its own SQLite store, where the deriver turns them into events exactly as on the
// desktop — so every process derives the same log in the same order (duplicates flagged identically
// everywhere, no read-then-write race between processes). docs/architecture.md "Team mode".
//
// How rows arrive:
//  - this process's own appends, handed over right after COMMIT (offer): applied at once when they follow
//    what is already mirrored, so the local UI does not wait for a round trip; else held until the rows
//    before them (another process's) are fetched, then applied with them in id order;
//  - everything else by pulling the settled rows `id > mirrored` from PostgreSQL (pg-log.ts `page`: appends
//    commit in parallel, so a row is taken only once every id below it is settled), leaving out the ids of
//    own rows it holds: on a NOTIFY (payload = the committed id range; a range that is all this process's
//    own is not fetched), on a poll every `pollMs` (a lost notification, a listener reconnecting, an
//    append rolled back) and at start. So with several receivers each process reads only the others'
//    rows, never its own back.
// Applying is one synchronous local transaction per batch that also records how far it got (kv
// MIRRORED_KEY), so a restart resumes where it stopped and local retention never makes it re-copy.
import type { IngestRequest } from '../store/store';
import type { PgLog, SharedPage, SharedRequest } from './pg-log';
import type { Logger } from '../types';

export const MIRRORED_KEY = 'team.mirrored_through';
/** How long a NOTIFY waits before fetching (ms): see start(). */
const NOTIFY_SETTLE_MS = 5;
/**
 * The least time between two fetches that a NOTIFY or an own row waiting for others' rows asks for (ms):
 * under a stream, each fetch, local transaction and derivation then carries the rows of many appends
 * instead of one or two (docs/benchmarks.md, team section); when quiet, a fetch still leaves after
 * NOTIFY_SETTLE_MS.
 */
const FETCH_EVERY_MS = 50;
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
  offer(rows: IngestRequest[], ids: number[], xact: number): void;
  /** Pulls until nothing newer is in PostgreSQL; resolves when caught up (or the database is away). */
  catchUp(): Promise<void>;
  /** True while the last pull or the listener reached the database. */
  connected(): boolean;
  stop(): Promise<void>;
}

/** An own row held: its id, the request, its append's transaction. */
export type Held = [number, IngestRequest, number];

/**
 * What one fetched page lets the mirror apply, in id order: the fetched rows (settled, a prefix in id order
 * of the rows not held: pg-log.ts `page`), and the own rows held (ids ascending) that are settled too. An
 * own row below a fetched one is settled (xact order is id order); once the fetch is complete — fewer rows
 * than a page — so is every own row whose transaction is older than the page's horizon. The rest wait: an
 * older append is still committing, and its NOTIFY (or the poll) pulls again.
 */
export function mergePage(fetched: SharedRequest[], held: Held[], from: number, pageSize: number, horizon: number): { rows: SharedRequest[]; complete: boolean } {
  const complete = fetched.length < pageSize;
  const lastFetched = fetched.length ? fetched[fetched.length - 1].id : from;
  const merged = new Map<number, SharedRequest>();
  for (const r of fetched) merged.set(r.id, r);
  for (const [id, r, xact] of held) {
    if (merged.has(id)) continue;
    if (id <= lastFetched || (complete && xact < horizon)) merged.set(id, { ...r, id });
  }
  // What is taken is a prefix in id order: an own row left out has a younger transaction, hence higher ids,
  // than every row taken.
  return { rows: [...merged.values()].sort((a, b) => a.id - b.id), complete };
}

/**
 * The sink's side of the mirror: applies rows past what is mirrored, and holds this process's own
 * committed rows until the rows before them (another process's) are there. Held rows are never fetched
 * back from PostgreSQL, only the ids between them are.
 */
function createApplier(sink: MirrorSink, onApplied?: (ids: number[]) => void) {
  const own = new Map<number, { request: IngestRequest; xact: number }>();

  function apply(rows: SharedRequest[]) {
    const through = sink.mirrored();
    const fresh = rows.filter((r) => r.id > through);
    if (fresh.length === 0) return;
    sink.apply(fresh, fresh[fresh.length - 1].id);
    for (const r of fresh) own.delete(r.id);
    onApplied?.(fresh.map((r) => r.id));
  }

  return {
    apply,
    /** Own rows that continue exactly where the mirror stands need no round trip: nothing can be between. */
    applyOwnRun() {
      let next = sink.mirrored() + 1;
      const run: SharedRequest[] = [];
      for (let r = own.get(next); r; r = own.get(++next)) run.push({ ...r.request, id: next });
      if (run.length) apply(run);
    },
    hold(rows: IngestRequest[], ids: number[], xact: number) {
      const through = sink.mirrored();
      rows.forEach((request, i) => { if (ids[i] > through) own.set(ids[i], { request, xact }); });
    },
    /** Own rows held past `from`, ids ascending. */
    heldAfter: (from: number): Held[] => [...own].filter(([id]) => id > from).sort((a, b) => a[0] - b[0]).map(([id, h]) => [id, h.request, h.xact]),
    /** Whether every id of a notified range is applied or this process's own (nothing to fetch). */
    covers([first, last]: [number, number]): boolean {
      for (let id = Math.max(first, sink.mirrored() + 1); id <= last; id++) if (!own.has(id)) return false;
      return true;
    },
    /** Whether own rows wait for rows before them. */
    holding: () => own.size > 0,
    clear: () => own.clear(),
  };
}

/**
 * This process's own commits are notified too, at the moment their COMMIT answers: NOTIFY ranges wait a
 * short while (NOTIFY_SETTLE_MS) so the appender can hand them over (offer); then `fetch` runs only when a
 * range is left that another process appended, or own rows wait for rows before them (need). Fetches so
 * asked for leave at most every `everyMs`: the rows of the appends in between go together.
 */
function createNotifyGate(covers: (range: [number, number]) => boolean, fetch: () => void, everyMs: number) {
  // Ranges heard of and not yet seen to be covered (own or applied).
  const heard: [number, number][] = [];
  let needed = false;
  let lastFetch = -Infinity;
  let soon: ReturnType<typeof setTimeout> | null = null;
  function arm() {
    if (soon) return;
    soon = setTimeout(() => {
      soon = null;
      const open = heard.splice(0).filter((r) => !covers(r));
      if (open.length === 0 && !needed) return;
      needed = false;
      lastFetch = Date.now();
      fetch();
    }, Math.max(NOTIFY_SETTLE_MS, lastFetch + everyMs - Date.now()));
    soon.unref?.();
  }
  return {
    heard(first: number, last: number) { heard.push([first, last]); arm(); },
    need() { needed = true; arm(); },
    stop() { if (soon) clearTimeout(soon); },
  };
}

export function createMirror(opts: {
  log: Pick<PgLog, 'page' | 'listen'>;
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
  /**
   * A pull took nothing while rows are known to be committed past the mirrored id (a NOTIFY said so, or
   * own rows wait): the horizon holds them back. held-back.ts looks at why (rate-limited there).
   */
  onIdle?: () => void;
  pollMs?: number;
  pageSize?: number;
  /** The least time between fetches asked for by NOTIFYs and own rows (FETCH_EVERY_MS). */
  fetchEveryMs?: number;
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
  const rows = createApplier(sink, opts.onApplied);
  const gate = createNotifyGate((r) => rows.covers(r), () => void pull(), opts.fetchEveryMs ?? FETCH_EVERY_MS);

  function setUp(v: boolean) {
    if (v === up) return;
    up = v;
    opts.onConnection?.(v);
  }

  async function pullLoop() {
    const began = sink.mirrored();
    let progressed: boolean;
    do {
      again = false;
      const start = sink.mirrored();
      for (;;) {
        if (stopped) return;
        const from = sink.mirrored();
        // Own rows held now were committed before this query (mergePage says which of them it settles).
        const mine = rows.heldAfter(from);
        let fetched: SharedPage;
        try {
          fetched = await log.page(from, pageSize, mine.map(([id]) => id));
          setUp(true);
        } catch (err) {
          setUp(false);
          logger.debug('mirror could not reach the database', { err: String(err) });
          return;
        }
        if (stopped) return;
        const page = mergePage(fetched.rows, mine, from, pageSize, fetched.horizon);
        try {
          // A row offered meanwhile may already be applied: apply skips what is not newer.
          if (page.rows.length) rows.apply(page.rows);
          rows.applyOwnRun();
        } catch (err) {
          // The read model refused (a full disk, say): nothing was recorded as mirrored; the poll retries.
          logger.warn('mirror could not apply rows; will retry', { err: String(err) });
          return;
        }
        if (page.complete) break;
      }
      // Known rows not settled yet (an older append still committing): its NOTIFY pulls again, or the
      // poll does if it rolled back — not a loop of round trips meanwhile.
      progressed = sink.mirrored() > start;
    } while (again || (progressed && known > sink.mirrored()));
    if (!stopped && sink.mirrored() === began && (known > began || rows.holding())) opts.onIdle?.();
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
      unlisten = log.listen((last, first) => {
        if (last > known) known = last;
        if (last <= sink.mirrored()) return;
        gate.heard(first, last);
      }, (listening) => {
        // Back after a break: whatever was notified meanwhile is fetched now.
        if (listening) { void pull(); opts.onChannel?.(null); }
      }, (channel) => opts.onChannel?.(channel));
      timer = setInterval(() => void pull(), pollMs);
      timer.unref?.();
      void pull();
    },
    offer(committed, ids, xact) {
      if (stopped || committed.length === 0) return;
      rows.hold(committed, ids, xact);
      try {
        rows.applyOwnRun();
      } catch (err) {
        // Kept: the next pull applies them with the rows around them.
        logger.warn('mirror could not apply freshly committed rows; will retry', { err: String(err) });
      }
      // Anything left waits for the rows another process committed before it: fetched in id order.
      if (ids[ids.length - 1] > sink.mirrored()) {
        if (ids[ids.length - 1] > known) known = ids[ids.length - 1];
        gate.need();
      }
    },
    catchUp: () => pull(),
    connected: () => up,
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      gate.stop();
      timer = null;
      rows.clear();
      if (unlisten) await unlisten();
      await pulling?.catch(() => undefined);
    },
  };
}
