// Background derivation in slices: a backlog is derived in turns sized from the measured cost per request,
// with the event loop (the receiver's commits and answers) running between them; catchUp takes it whole.
import { describe, expect, it } from 'vitest';
import { createDeriver, DERIVE_BATCH, DERIVE_FIRST_BATCH, DERIVE_MIN_BATCH } from '../../electron/core/ingest/deriver';
import type { DerivedRequest } from '../../electron/core/store/store';

/** A store with `backlog` underived requests, each costing `msEach` on the clock it moves. */
function fakeStore(backlog: number, msEach: number) {
  const clock = { t: 0 };
  let next = 1;
  const limits: number[] = [];
  const store = {
    deriveNext(limit: number): DerivedRequest[] {
      limits.push(limit);
      const n = Math.min(limit, backlog - next + 1);
      const out = Array.from({ length: n }, () => ({ request: { id: next++ } }) as unknown as DerivedRequest);
      clock.t += n * msEach;
      return out;
    },
    deriveFailed: () => null,
    packNext: () => 0,
    deriveBefore: () => {},
  };
  return { store, clock, limits, derived: () => next - 1 };
}
const logger = { debug() {}, info() {}, warn() {}, error() {} };

describe('deriver: slices', () => {
  for (const run of [1, 2]) {
    it(`derives a backlog in turns of about 8 ms each, letting the loop run between them (run ${run})`, async () => {
      const f = fakeStore(2000, 0.1);
      const d = createDeriver({ store: f.store, logger, onDerived: () => {}, delayMs: 0, now: () => f.clock.t });
      d.kick();
      // The loop's own work, counted while the backlog lasts.
      let loopTurns = 0;
      let derivedAtFirstTurn = -1;
      const spin = () => { loopTurns++; if (derivedAtFirstTurn < 0 && f.derived() > 0) derivedAtFirstTurn = f.derived(); if (f.derived() < 2000) setImmediate(spin); };
      setImmediate(spin);
      await expect.poll(() => f.derived(), { timeout: 10_000 }).toBe(2000);
      // First turn before any cost is known, then 8 ms / 0.1 ms = 80 requests per turn.
      expect(f.limits[0]).toBe(DERIVE_FIRST_BATCH);
      expect(f.limits.slice(1, -1).every((l) => l === 80)).toBe(true);
      expect(derivedAtFirstTurn).toBeLessThan(2000);
      expect(loopTurns).toBeGreaterThan(f.limits.length / 2);
      d.stop();
    });
  }

  it('catchUp (a reader that must see every event) derives the backlog in whole batches', () => {
    const f = fakeStore(5000, 5);
    const d = createDeriver({ store: f.store, logger, onDerived: () => {}, delayMs: 0, now: () => f.clock.t });
    d.catchUp();
    expect(f.derived()).toBe(5000);
    expect(f.limits.every((l) => l === DERIVE_BATCH)).toBe(true);
    d.stop();
  });

  it('a slow request keeps slices at the smallest size', async () => {
    const f = fakeStore(200, 5);
    const d = createDeriver({ store: f.store, logger, onDerived: () => {}, delayMs: 0, now: () => f.clock.t });
    d.kick();
    await expect.poll(() => f.derived(), { timeout: 10_000 }).toBe(200);
    expect(f.limits.slice(1).every((l) => l === DERIVE_MIN_BATCH)).toBe(true);
    d.stop();
  });
});
