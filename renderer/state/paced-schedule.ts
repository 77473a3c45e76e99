// The pace at which live pushes reach the screen (docs/architecture.md, step 7 "Screen"; docs/benchmarks.md
// "UI: what the probe costs"). Pushes are applied once per animation frame at most — and, while
// they stream, at most once per `minGapMs`, and not in the frames right after the user clicked, typed
// or scrolled: that frame is theirs. At 1,000 events a second every flush replaces every row on screen,
// so flushing 30-60 times a second shows nothing more than 10 times does, and each flush that lands
// right after a click is time the click waits for. A quiet feed is not slowed: a push that arrives after
// a pause goes out on the next frame, and nothing waits longer than `maxWaitMs`.
import type { Scheduler } from './context';

export interface PacedOptions {
  /** Least time from one flush to the next. */
  minGapMs: number;
  /** A flush waits until the user's last input is this old… */
  inputQuietMs: number;
  /** …but never longer than this after it was asked for. */
  maxWaitMs: number;
  now(): number;
  /** Runs `cb` on the next animation frame. */
  frame(cb: () => void): void;
}

export interface PacedScheduler {
  schedule: Scheduler;
  /** The user clicked, pressed a key or scrolled: the next frames are theirs. */
  noteInput(): void;
}

export function pacedScheduler(o: PacedOptions): PacedScheduler {
  let lastRun = -Infinity;
  let lastInput = -Infinity;
  let queue: (() => void)[] = [];
  let askedAt = 0;
  let waiting = false;

  const tick = () => {
    const t = o.now();
    const due = t - lastRun >= o.minGapMs && t - lastInput >= o.inputQuietMs;
    if (!due && t - askedAt < o.maxWaitMs) {
      o.frame(tick);
      return;
    }
    waiting = false;
    lastRun = t;
    const run = queue;
    queue = [];
    for (const cb of run) cb();
  };

  return {
    schedule(cb) {
      queue.push(cb);
      if (waiting) return;
      waiting = true;
      askedAt = o.now();
      o.frame(tick);
    },
    noteInput() {
      lastInput = o.now();
    },
  };
}
