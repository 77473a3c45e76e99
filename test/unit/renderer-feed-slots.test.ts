// The feed grid's row slots and overscan (renderer/features/feed/row-slots.ts): a row that stays on
// screen keeps its element, a row that arrives takes the element of one that left, a screen of new rows
// reuses every element in order (no element created or moved), and rows are rendered ahead of a scroll.
import { describe, expect, it } from 'vitest';
import { assignSlots, overscanAhead } from '../../renderer/features/feed/row-slots';

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('feed row slots', () => {
  it('a new event on top: every row on screen keeps its slot, the new one takes the slot of the row pushed off', () => {
    const first = assignSlots(new Map<number, number>(), [10, 9, 8, 7]);
    expect(first.slots).toEqual([0, 1, 2, 3]);
    const second = assignSlots(first.next, [11, 10, 9, 8]);
    expect(second.slots).toEqual([3, 0, 1, 2]);
    // And again: each burst reuses what left.
    const third = assignSlots(second.next, [13, 12, 11, 10]);
    expect(third.slots).toEqual([1, 2, 3, 0]);
  });

  it('a screen of new rows (a fast scroll, a burst) reuses every slot in order: nothing created or moved', () => {
    const a = assignSlots(new Map<number, number>(), range(100, 130));
    const b = assignSlots(a.next, range(200, 230));
    expect(b.slots).toEqual(a.slots);
    const c = assignSlots(b.next, range(300, 330));
    expect(c.slots).toEqual(a.slots);
  });

  it('slots are unique on every render and grow only when more rows are shown', () => {
    let prev = new Map<number, number>();
    for (const keys of [range(1, 20), range(5, 30), range(2, 12), range(40, 80), range(41, 81)]) {
      const { slots, next } = assignSlots(prev, keys);
      expect(new Set(slots).size).toBe(keys.length);
      expect(Math.max(...slots)).toBeLessThan(Math.max(keys.length, prev.size));
      prev = next;
    }
  });

  it('the same rows twice (a render run again) give the same slots', () => {
    const a = assignSlots(new Map<string, number>(), ['x', 'y', 'z']);
    const b = assignSlots(a.next, ['w', 'x', 'y']);
    const again = assignSlots(b.next, ['w', 'x', 'y']);
    expect(again.slots).toEqual(b.slots);
  });
});

describe('feed overscan', () => {
  const r = { startIndex: 100, endIndex: 124, count: 2000 };

  it('renders ahead of the scroll and keeps one row behind', () => {
    const down = overscanAhead(r, 'forward');
    expect(down[0]).toBe(99);
    expect(down[down.length - 1]).toBe(128);
    const up = overscanAhead(r, 'backward');
    expect(up[0]).toBe(96);
    expect(up[up.length - 1]).toBe(125);
  });

  it('at rest, both sides; never past either end of the list', () => {
    expect(overscanAhead(r, null)).toEqual(range(96, 128));
    expect(overscanAhead({ startIndex: 0, endIndex: 3, count: 5 }, null)).toEqual(range(0, 4));
  });
});
