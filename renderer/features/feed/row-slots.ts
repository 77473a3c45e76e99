// Which rows the feed grid renders and which element each one gets (feed-grid.tsx): pure, so the unit
// tests run them without a DOM (test/unit/renderer-feed-slots.test.ts).

/** The virtualiser's visible range (the fields of @tanstack/react-virtual's `Range` used here). */
export interface VisibleRange {
  startIndex: number;
  endIndex: number;
  count: number;
}

/**
 * Rows rendered beyond the visible ones. While the list scrolls they go ahead of the scroll (one row is
 * kept behind): a fast scroll replaces every row each frame, and a row behind is removed before it is
 * ever seen. At rest, both sides (keys move either way). docs/benchmarks.md "UI: what the probe costs".
 */
export const OVERSCAN = 4;

/**
 * Row slots: each rendered row's key is a small number, not its event. A row still on screen keeps its
 * slot (a new event on top only moves the others); a row that left gives its slot to one that arrived —
 * so React updates that element's text and attributes in place instead of removing one element tree
 * and building another. A fast scroll or a burst of events replaces every row each frame: with slots
 * handed out in order, that is an update of every row, with no element created, removed or moved.
 * `prev` maps row keys to slots (the last assignment); returns the slots for `keys`, in order.
 */
export function assignSlots<K>(prev: Map<K, number>, keys: readonly K[]): { slots: number[]; next: Map<K, number> } {
  const next = new Map<K, number>();
  const used = new Set<number>();
  for (const k of keys) {
    const s = prev.get(k);
    if (s != null && !used.has(s)) { next.set(k, s); used.add(s); }
  }
  let free = 0;
  const slots = keys.map((k) => {
    let s = next.get(k);
    if (s == null) {
      while (used.has(free)) free++;
      s = free;
      next.set(k, s);
      used.add(s);
    }
    return s;
  });
  return { slots, next };
}

export function overscanAhead(r: VisibleRange, direction: 'forward' | 'backward' | null): number[] {
  const before = direction === 'forward' ? 1 : OVERSCAN;
  const after = direction === 'backward' ? 1 : OVERSCAN;
  const start = Math.max(0, r.startIndex - before);
  const end = Math.min(r.count - 1, r.endIndex + after);
  const out = new Array<number>(Math.max(0, end - start + 1));
  for (let i = start; i <= end; i++) out[i - start] = i;
  return out;
}
