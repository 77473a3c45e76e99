// Large uploads from a source over its rejected-request limit take turns (docs/api.md "Trust boundary"):
// its bodies of more than a webhook's usual size are read one after another instead of all at once, so a
// flood of large forgeries costs the receiver one upload's reading and hashing at a time — the others wait
// in the kernel's socket buffers, their senders idle — and a small webhook's turn on the loop is not behind
// sixteen of them. Nothing is refused here: every upload is read, a genuine one too (without our tunnel
// every caller through the user's own proxy is one source: gate.ts sourceAddress).
// A turn ends when its upload is answered or closed, or after TURN_MS: a slow or stalled upload goes on
// being read (within its own deadline, request-path.ts) but no longer holds the next one back. And no upload
// waits more than MAX_WAIT_MS for its turn: a queue of stalled ones delays a genuine large webhook by that
// much at most.

/** How long one upload holds its source's turn at most (a 1 MiB body over a LAN takes milliseconds). */
export const TURN_MS = 50;
/** How long an upload waits for its turn at most; then it is read beside the one holding it. */
export const MAX_WAIT_MS = 1_000;

export interface UploadTurns {
  /**
   * Calls `start` when it is this upload's turn among `source`'s (now, when none is being read). Returns
   * `done`, to be called once the upload is answered or closed (a waiting one then leaves the queue).
   */
  enter(source: string, start: () => void): () => void;
}

interface Waiting {
  start(): void;
  /** Closed, or started (in its turn or past its wait): skipped by the queue. */
  out: boolean;
  end: (() => void) | null;
  overdue: ReturnType<typeof setTimeout> | null;
}
interface Line { busy: boolean; queue: Waiting[] }

export function createUploadTurns(opts: { turnMs?: number; maxWaitMs?: number } = {}): UploadTurns {
  const turnMs = opts.turnMs ?? TURN_MS;
  const maxWaitMs = opts.maxWaitMs ?? MAX_WAIT_MS;
  const lines = new Map<string, Line>();

  /** The turn passes to the first upload still waiting; a source with none left is forgotten. */
  function next(source: string, line: Line): void {
    line.busy = false;
    let w = line.queue.shift();
    while (w?.out) w = line.queue.shift();
    if (!w) { if (lines.get(source) === line) lines.delete(source); return; }
    begin(source, line, w);
  }

  function begin(source: string, line: Line, w: Waiting): void {
    line.busy = true;
    w.out = true;
    if (w.overdue) clearTimeout(w.overdue);
    let ended = false;
    const timer = setTimeout(() => w.end?.(), turnMs);
    w.end = () => { if (ended) return; ended = true; clearTimeout(timer); next(source, line); };
    w.start();
  }

  return {
    enter(source, start) {
      let line = lines.get(source);
      if (!line) { line = { busy: false, queue: [] }; lines.set(source, line); }
      const w: Waiting = { start, out: false, end: null, overdue: null };
      if (!line.busy) begin(source, line, w);
      else {
        line.queue.push(w);
        w.overdue = setTimeout(() => { if (!w.out) { w.out = true; start(); } }, maxWaitMs);
      }
      return () => {
        w.out = true;
        if (w.overdue) clearTimeout(w.overdue);
        w.end?.();
      };
    },
  };
}
