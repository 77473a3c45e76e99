// The memory bodies may hold while they arrive (electron/core/ingest/body-budget.ts): past a budget the
// longest-stalled uploads are cut, unsigned ones first, and a source over its own budget only cuts its
// own. A slip lets strangers who stall uploads push a provider's signed webhook out (the receiver's
// integration tests, hostile-input.test.ts, cover the same over real sockets).
import { describe, expect, it } from 'vitest';
import { createBodyBudget, type Holder } from '../../electron/core/ingest/body-budget';

function holder(source: string, signed: boolean, cut: Holder[], budget: ReturnType<typeof createBodyBudget>): Holder {
  const h: Holder = { source, signed, held: 0, cut: () => { cut.push(h); budget.release(h); } };
  budget.hold(h);
  return h;
}

describe('the shared budget for bodies in flight', () => {
  it('past it, the oldest unsigned upload is cut before an older signed one; the newcomer keeps its bytes', () => {
    const cut: Holder[] = [];
    const b = createBodyBudget({ inFlightBudget: 100, perSourceBudget: () => 1000 });
    const signedOld = holder('a', true, cut, b);
    const unsigned = holder('b', false, cut, b);
    const newcomer = holder('c', true, cut, b);
    expect(b.take(signedOld, 40)).toBe(true);
    expect(b.take(unsigned, 40)).toBe(true);
    expect(cut).toEqual([]);
    expect(b.take(newcomer, 40)).toBe(true);
    expect(cut).toEqual([unsigned]);
    expect(b.full('z')).toBe(false);
  });

  it('with only signed uploads left, the oldest of them makes room', () => {
    const cut: Holder[] = [];
    const b = createBodyBudget({ inFlightBudget: 100, perSourceBudget: () => 1000 });
    const first = holder('a', true, cut, b);
    const second = holder('b', true, cut, b);
    const third = holder('c', true, cut, b);
    b.take(first, 50); b.take(second, 50);
    expect(b.take(third, 10)).toBe(true);
    expect(cut).toEqual([first]);
  });

  it('a body that is whole is no longer cut to make room; nothing left to cut past twice the budget refuses the newcomer', () => {
    const cut: Holder[] = [];
    const b = createBodyBudget({ inFlightBudget: 100, perSourceBudget: () => 1000 });
    const whole = holder('a', false, cut, b);
    b.take(whole, 90);
    b.settle(whole);
    const big = holder('b', false, cut, b);
    expect(b.take(big, 100)).toBe(true); // 190: over the budget, under twice it
    expect(b.take(big, 20)).toBe(false); // 210: nothing else to cut
    expect(cut).toEqual([]);
    expect(b.full('anyone')).toBe(true);
    b.release(big);
    b.release(whole);
    expect(b.full('anyone')).toBe(false);
  });
});

describe("a source's own budget", () => {
  it('over it, only that source\'s own stalled uploads are cut, and it waits while at it', () => {
    const cut: Holder[] = [];
    const b = createBodyBudget({ inFlightBudget: 10_000, perSourceBudget: () => 100 });
    const other = holder('other', false, cut, b);
    const mineOld = holder('me', false, cut, b);
    const mineNew = holder('me', false, cut, b);
    b.take(other, 90);
    b.take(mineOld, 60);
    expect(b.full('me')).toBe(false);
    expect(b.take(mineNew, 60)).toBe(true);
    expect(cut).toEqual([mineOld]);
    expect(b.full('other')).toBe(false);
    b.take(mineNew, 40);
    expect(b.full('me')).toBe(true);
    b.release(mineNew);
    expect(b.full('me')).toBe(false);
  });

  it('releasing twice frees the bytes once', () => {
    const cut: Holder[] = [];
    const b = createBodyBudget({ inFlightBudget: 100, perSourceBudget: () => 100 });
    const h = holder('me', false, cut, b);
    const keep = holder('me', true, cut, b);
    b.take(keep, 60);
    b.take(h, 40);
    expect(b.full('me')).toBe(true);
    b.release(h);
    b.release(h);
    expect(b.full('me')).toBe(false);
    expect(b.take(keep, 40)).toBe(true);
    expect(b.full('me')).toBe(true);
  });
});
