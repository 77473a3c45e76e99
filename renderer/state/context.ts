// What every slice gets: the store's own set/get, the bridge, and the knobs tests turn.
import type { StoreApi } from 'zustand/vanilla';
import type { AppBridge } from './bridge';

/**
 * The store's whole state: every slice's interface. Empty here on purpose — store.ts fills it in by
 * declaration merging once it has imported the slices, so slices (which import this file) never import it.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface AppState {}

export type Scheduler = (cb: () => void) => void;

export interface StoreOptions {
  /** Runs the push flush; default: the next animation frame (with a timer fallback for hidden tabs). */
  schedule?: Scheduler;
  /** Most events held in memory; older ones come back from the core on scroll. */
  windowSize?: number;
  /** Events per `events:list` page. */
  pageSize?: number;
  /** Least time between two `stats:get` refreshes caused by pushes. */
  statsThrottleMs?: number;
  now?: () => number;
  initialFilter?: import('../../shared/types').EventFilter;
  /** Events or Messages (the URL carries it). */
  initialView?: import('./feed-view').FeedView;
}

export interface SliceContext {
  set: StoreApi<AppState>['setState'];
  get: StoreApi<AppState>['getState'];
  bridge: AppBridge;
  opts: Required<Omit<StoreOptions, 'initialFilter' | 'initialView'>> & {
    initialFilter: import('../../shared/types').EventFilter;
    initialView: import('./feed-view').FeedView;
  };
}

export function errorText(err: unknown): string {
  if (err && typeof err === 'object' && 'message' in err) return String((err as Error).message);
  return String(err);
}

/** Animation-frame scheduling, raced by a timer so a hidden tab (no rAF) still drains its queue. */
export const frameScheduler: Scheduler = (cb) => {
  let done = false;
  const run = () => {
    if (done) return;
    done = true;
    cb();
  };
  const raf = (globalThis as { requestAnimationFrame?: (cb: () => void) => number }).requestAnimationFrame;
  if (typeof raf === 'function') raf(run);
  setTimeout(run, 250);
};
