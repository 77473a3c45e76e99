// One way for the rest of the window (the skip link, Esc in the inspector) to put focus on the feed's
// active row, whichever view is showing.
let focusFn: (() => void) | null = null;

/** The showing view registers how to focus its active row; returns the unregister function. */
export function registerFeedFocus(fn: () => void): () => void {
  focusFn = fn;
  return () => { if (focusFn === fn) focusFn = null; };
}

/** Focus the feed's active row; false when no feed grid is showing. */
export function focusFeed(): boolean {
  if (!focusFn) return false;
  focusFn();
  return true;
}
