// How fast rows pass in the feed grid (renderer/features/feed/scroll-pace.ts): a fling or a scrollbar
// drag makes rows light, a reader's scroll, a single jump or a live stream under a still viewport never
// does, and rows fill in once the fast steps stop — every time, not just the first.
import { describe, expect, it } from 'vitest';
import { FAST_ROWS_PER_S, GAP_MS, SETTLE_MS, paceStep, settleIn, type PaceSample } from '../../renderer/features/feed/scroll-pace';

/** Rows keyed by their event id, newest first: `first` is the id at index 0. */
const list = (first: number) => (index: number) => first - index;

/** Steps of `rowsPerStep` rows every `everyMs`, from row 0; returns each step's verdict. */
function scroll(steps: number, rowsPerStep: number, everyMs: number, keyAt = list(10_000), from: PaceSample | null = null, t0 = 1000) {
  let sample = from;
  const fast: boolean[] = [];
  for (let i = 0; i < steps; i++) {
    const step = paceStep(sample, t0 + i * everyMs, (from?.row ?? 0) + i * rowsPerStep, keyAt);
    sample = step.sample;
    fast.push(step.fast);
  }
  return { fast, sample: sample! };
}

describe('feed scroll pace', () => {
  it('a fling (30 rows a frame) is fast from its second step on', () => {
    expect(scroll(10, 30, 16.7).fast).toEqual([false, ...Array(9).fill(true)]);
  });

  it('a reader\'s wheel (3 rows a step, a few steps a second) and arrow keys held down are never fast', () => {
    expect(scroll(20, 3, 50).fast.some(Boolean)).toBe(false);
    expect(scroll(30, 1, 33).fast.some(Boolean)).toBe(false);
  });

  it('the threshold is rows per second, whatever the frame rate', () => {
    const perS = FAST_ROWS_PER_S;
    // Just above and just below, in 60 Hz and 30 Hz frames.
    expect(scroll(5, Math.ceil((perS * 16.7) / 1000) + 1, 16.7).fast.slice(1).every(Boolean)).toBe(true);
    expect(scroll(5, Math.ceil((perS * 33.4) / 1000) + 1, 33.4).fast.slice(1).every(Boolean)).toBe(true);
    expect(scroll(5, Math.floor((perS * 33.4) / 1000) - 1, 33.4).fast.some(Boolean)).toBe(false);
  });

  it('a single jump after a pause (Home, End, a search result) is not fast, however far', () => {
    const rest = scroll(1, 0, 0).sample;
    expect(paceStep(rest, rest.t + GAP_MS, 1_900, list(10_000)).fast).toBe(false);
    expect(paceStep(rest, rest.t + 5_000, 1_900, list(10_000)).fast).toBe(false);
  });

  it('rows added above a still viewport (a live stream, an older page trimming the top) are no movement', () => {
    const { sample } = scroll(1, 0, 0, list(10_000), { t: 0, row: 40, key: 10_000 - 40 });
    // 100 new events on top: the feed keeps the row being read in place, 100 rows further down.
    const shifted = list(10_100);
    expect(paceStep(sample, sample.t + 16, 140, shifted).fast).toBe(false);
    // The top trimmed by 100 rows (an older page arrived): the same row is now 100 rows further up.
    const trimmed = list(9_900);
    expect(paceStep(sample, sample.t + 16, 0, trimmed).fast).toBe(false);
  });

  it('two scroll events in one frame are measured with the next one, not as an infinite speed', () => {
    const a = paceStep(null, 1000, 0, list(10_000)).sample;
    const b = paceStep(a, 1016, 2, list(10_000));
    expect(b.fast).toBe(false);
    const c = paceStep(b.sample, 1017, 3, list(10_000));
    expect(c.fast).toBe(false);
    expect(c.sample).toBe(b.sample);
  });

  it('rows fill in SETTLE_MS after the last fast step, and again after the next fling', () => {
    for (const start of [1_000, 5_000]) {
      const fling = scroll(8, 30, 16.7, list(10_000), null, start);
      expect(fling.fast.at(-1)).toBe(true);
      const last = fling.sample.t;
      expect(settleIn(last, last)).toBe(SETTLE_MS);
      expect(settleIn(last, last + SETTLE_MS / 2)).toBe(SETTLE_MS / 2);
      expect(settleIn(last, last + SETTLE_MS)).toBe(0);
      expect(settleIn(last, last + 10 * SETTLE_MS)).toBe(0);
      // Slowing down to a reader's pace: no further fast step keeps them light.
      const slow = scroll(5, 1, 50, list(10_000), fling.sample, last + 50);
      expect(slow.fast.some(Boolean)).toBe(false);
    }
  });
});
