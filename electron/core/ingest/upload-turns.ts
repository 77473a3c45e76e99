// Large uploads take turns (docs/api.md "Trust boundary"): bodies of more than a webhook's usual size that
// the headers do not already doom are read one after another instead of all at once, so a flood of large
// forgeries costs the receiver one upload's reading and hashing at a time — the others wait unread in their
// connections, their senders idle — and a small webhook's turn on the loop is not behind sixteen of them.
// Nothing is refused here: every upload is read, a genuine one too.
// A turn ends when its upload is answered or closed, or after TURN_MS: a slow or stalled upload goes on
// being read (within its own deadline, request-path.ts) but no longer holds the next one back. No upload
// waits more than MAX_WAIT_MS for its turn, so a line of stalled ones delays a genuine large webhook by
// that much at most; and at most MAX_WAITING wait at once — a waiting upload holds what its stream buffered
// (up to a read or two), outside the bodies' memory budgets, so past that the next one is read at once.

/** How long one upload holds the turn at most (a 1 MiB body over a LAN takes milliseconds). */
export const TURN_MS = 50;
/** How long an upload waits for its turn at most; then it is read beside the one holding it. */
export const MAX_WAIT_MS = 1_000;
/** How many uploads wait at once at most; past that, the next one is read at once. */
export const MAX_WAITING = 64;

export interface TurnOptions { turnMs?: number; maxWaitMs?: number; maxWaiting?: number }

export interface UploadTurns {
  /**
   * Calls `start` when it is this upload's turn (now, when none is being read or the line is full).
   * Returns `done`, to be called once the upload is answered or closed (a waiting one then leaves the line).
   */
  enter(start: () => void): () => void;
}

interface Waiting {
  start(): void;
  /** Closed, or started (in its turn or past its wait): skipped by the line. */
  out: boolean;
  end: (() => void) | null;
  overdue: ReturnType<typeof setTimeout> | null;
}

export function createUploadTurns(opts: TurnOptions = {}): UploadTurns {
  const turnMs = opts.turnMs ?? TURN_MS;
  const maxWaitMs = opts.maxWaitMs ?? MAX_WAIT_MS;
  const maxWaiting = opts.maxWaiting ?? MAX_WAITING;
  let busy = false;
  const line: Waiting[] = [];
  let waiting = 0;

  function leave(w: Waiting): void {
    w.out = true;
    waiting--;
    if (w.overdue) clearTimeout(w.overdue);
  }

  /** The turn passes to the first upload still waiting. */
  function next(): void {
    busy = false;
    let w = line.shift();
    while (w?.out) w = line.shift();
    if (w) { leave(w); begin(w); }
  }

  function begin(w: Waiting): void {
    busy = true;
    w.out = true;
    let ended = false;
    const timer = setTimeout(() => w.end?.(), turnMs);
    w.end = () => { if (ended) return; ended = true; clearTimeout(timer); next(); };
    w.start();
  }

  return {
    enter(start) {
      const w: Waiting = { start, out: false, end: null, overdue: null };
      if (!busy) begin(w);
      else if (waiting >= maxWaiting) { w.out = true; start(); }
      else {
        line.push(w);
        waiting++;
        w.overdue = setTimeout(() => { if (!w.out) { leave(w); start(); } }, maxWaitMs);
      }
      return () => {
        if (!w.out) leave(w);
        w.end?.();
      };
    },
  };
}
