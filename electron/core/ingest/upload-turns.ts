// Large uploads from a source over its rejected-request limit take turns (docs/api.md "Trust boundary"):
// its bodies of more than a webhook's usual size are read one after another instead of all at once, so a
// flood of large forgeries costs the receiver one upload's reading and hashing at a time — the others wait
// in the kernel's socket buffers, their senders idle — and a small webhook's turn on the loop is not behind
// sixteen of them. Nothing is refused here: every upload is read in its turn, a genuine one too (without
// our tunnel every caller through the user's own proxy is one source: gate.ts sourceAddress).
// A turn ends when its upload is answered or closed, or after TURN_MS: a slow or stalled upload goes on
// being read (within its own deadline, request-path.ts) but no longer holds the next one back.

/** How long one upload holds its source's turn at most (a 1 MiB body over a LAN takes milliseconds). */
export const TURN_MS = 50;

export interface UploadTurns {
  /**
   * Calls `start` when it is this upload's turn among `source`'s (now, when none is being read). Returns
   * `done`, to be called once the upload is answered or closed (a waiting one then leaves the queue).
   */
  enter(source: string, start: () => void): () => void;
}

interface Waiting { start(): void; gone: boolean; end: (() => void) | null }
interface Line { busy: boolean; queue: Waiting[] }

export function createUploadTurns(turnMs = TURN_MS): UploadTurns {
  const lines = new Map<string, Line>();

  /** The turn passes to the first upload still waiting; a source with none left is forgotten. */
  function next(source: string, line: Line): void {
    line.busy = false;
    let w = line.queue.shift();
    while (w?.gone) w = line.queue.shift();
    if (!w) { lines.delete(source); return; }
    begin(source, line, w);
  }

  function begin(source: string, line: Line, w: Waiting): void {
    line.busy = true;
    let ended = false;
    const timer = setTimeout(() => w.end?.(), turnMs);
    w.end = () => { if (ended) return; ended = true; clearTimeout(timer); next(source, line); };
    w.start();
  }

  return {
    enter(source, start) {
      let line = lines.get(source);
      if (!line) { line = { busy: false, queue: [] }; lines.set(source, line); }
      const w: Waiting = { start, gone: false, end: null };
      if (line.busy) line.queue.push(w);
      else begin(source, line, w);
      return () => { w.gone = true; w.end?.(); };
    },
  };
}
