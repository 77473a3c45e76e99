// The pace of live pushes on screen (renderer/state/paced-schedule.ts): a quiet feed shows a push on
// the next frame; a stream is flushed at most every minGapMs; a click, key or wheel step gets the next
// frames to itself, but never holds the stream past maxWaitMs.
import { describe, expect, it } from 'vitest';
import { pacedScheduler } from '../../renderer/state/paced-schedule';

/** A clock and animation frames driven by hand: `frame(ms)` advances the clock and runs that frame. */
function frames() {
  let now = 1_000;
  let queue: (() => void)[] = [];
  return {
    now: () => now,
    request: (cb: () => void) => { queue.push(cb); },
    frame(ms = 16) {
      now += ms;
      const run = queue;
      queue = [];
      for (const cb of run) cb();
    },
    /** Frames until `done()` holds (at most `max`); returns how many ran. */
    until(done: () => boolean, ms = 16, max = 200) {
      let n = 0;
      while (!done() && n < max) { this.frame(ms); n++; }
      return n;
    },
  };
}

const OPTS = { minGapMs: 100, inputQuietMs: 120, maxWaitMs: 500 };

function setup() {
  const f = frames();
  const p = pacedScheduler({ ...OPTS, now: f.now, frame: f.request });
  const runs: number[] = [];
  // As the live feed asks (slices/events-live.ts): one flush waiting at a time, pushes queue behind it.
  let scheduled = false;
  const push = () => {
    if (scheduled) return;
    scheduled = true;
    p.schedule(() => { scheduled = false; runs.push(f.now()); });
  };
  return { f, p, runs, push };
}

describe('paced live flushes', () => {
  it('a push after a quiet spell is flushed on the next frame, every time', () => {
    const { f, runs, push } = setup();
    push();
    f.frame();
    expect(runs).toEqual([1_016]);
    f.frame(1_000); // quiet
    push();
    f.frame();
    expect(runs).toEqual([1_016, 2_032]);
  });

  it('a stream is flushed at most once per minGapMs, and every push is flushed', () => {
    const { f, runs, push } = setup();
    let pushed = 0;
    // 60 frames of a push each (1,000 events a second arrive between every two frames).
    for (let i = 0; i < 60; i++) {
      push();
      pushed++;
      f.frame();
    }
    f.until(() => false, 16, 10);
    const gaps = runs.slice(1).map((t, i) => t - runs[i]);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(OPTS.minGapMs);
    expect(runs.length).toBeLessThan(pushed / 4);
    // Nothing left behind: the last push is flushed too.
    const before = runs.length;
    push();
    f.until(() => runs.length > before);
    expect(runs.length).toBe(before + 1);
  });

  it('waits for the user: no flush in the frames right after an input, then the stream goes on', () => {
    const { f, p, runs, push } = setup();
    p.noteInput();
    push();
    f.frame();
    expect(runs).toEqual([]);
    const waited = f.until(() => runs.length > 0);
    expect(runs[0] - 1_000).toBeGreaterThanOrEqual(OPTS.inputQuietMs);
    expect(waited).toBeGreaterThan(1);
    // A second input, a second wait.
    p.noteInput();
    const at = f.now();
    push();
    f.until(() => runs.length > 1);
    expect(runs[1] - at).toBeGreaterThanOrEqual(OPTS.inputQuietMs);
  });

  it('input that never stops holds the stream back no longer than maxWaitMs', () => {
    const { f, p, runs, push } = setup();
    const start = f.now();
    push();
    f.until(() => { p.noteInput(); return runs.length > 0; });
    expect(runs[0] - start).toBeGreaterThanOrEqual(OPTS.maxWaitMs);
    expect(runs[0] - start).toBeLessThan(OPTS.maxWaitMs + 32);
  });

  it('callbacks asked for while one is waiting all run, once each, in order', () => {
    const f = frames();
    const p = pacedScheduler({ ...OPTS, now: f.now, frame: f.request });
    const seen: string[] = [];
    p.schedule(() => seen.push('a'));
    p.schedule(() => seen.push('b'));
    f.until(() => seen.length >= 2);
    f.frame(200);
    expect(seen).toEqual(['a', 'b']);
  });
});
