// How fast the user is moving through the feed's rows (feed-grid.tsx): while rows pass faster than
// anyone reads them, the grid renders them light — the time only — and fills them in once the scroll
// slows or stops. Pure, so the unit tests run it without a DOM (test/unit/renderer-scroll-pace.test.ts);
// docs/benchmarks.md "UI: light rows during a fast scroll" says why and what it saves.

/**
 * Rows a second above which rows are rendered light: ~5 rows a frame at 60 Hz, a screen of rows in
 * under 150 ms — a fling or a scrollbar drag, not reading.
 */
export const FAST_ROWS_PER_S = 160;
/** Rows fill in this long after the last fast step (the scroll stopped or slowed down). */
export const SETTLE_MS = 120;
/**
 * Scroll steps further apart than this are not one movement: a single jump (Home, End, a click in the
 * timeline, a search result) after a pause is never "fast", its rows render whole at once.
 */
export const GAP_MS = 250;
/** Steps closer than this are measured together with the next one (two scroll events in one frame). */
const MIN_SPAN_MS = 8;

/** The last measured scroll step: when, which row was on top, and which row (its key) that was. */
export interface PaceSample {
  t: number;
  row: number;
  key: unknown;
}

/**
 * One scroll step. `keyAt` gives the key of the row now at an index. Rows added above or trimmed off the
 * list move the rows under the viewport without the user moving (the feed keeps the row being read in
 * place): when the row on top at the last step is no longer at its index, the step counts as no movement —
 * a live stream never makes the rows light. Returns the sample to keep and whether this step was fast.
 */
export function paceStep(prev: PaceSample | null, t: number, row: number, keyAt: (index: number) => unknown): { sample: PaceSample; fast: boolean } {
  if (prev && t - prev.t < MIN_SPAN_MS) return { sample: prev, fast: false };
  const sample = { t, row, key: keyAt(row) };
  if (!prev || t - prev.t >= GAP_MS || keyAt(prev.row) !== prev.key) return { sample, fast: false };
  const rowsPerS = (Math.abs(row - prev.row) * 1000) / (t - prev.t);
  return { sample, fast: rowsPerS >= FAST_ROWS_PER_S };
}

/** How long after `now` the rows stay light, given the last fast step at `lastFastAt`: 0 = fill in now. */
export function settleIn(lastFastAt: number, now: number): number {
  return Math.max(0, lastFastAt + SETTLE_MS - now);
}
