// What the Stats panel shows over a chosen window: the status and error counts (`stats:get`) and
// the funnel, events per minute and handler latency (`stats:extra`), fetched together.
import type { Stats, StatsExtra } from '../../../shared/types';
import { errorText, type SliceContext } from '../context';

export interface InsightsData {
  stats: Stats;
  extra: StatsExtra;
}

export interface InsightsState {
  /** Window length in ms the data covers. */
  windowMs: number | null;
  data: InsightsData | null;
  loading: boolean;
  error: string | null;
  /** When the data was fetched (ms since epoch). */
  at: number | null;
}

export interface InsightsSlice {
  insights: InsightsState;
  /** Fetches both stats calls for [now - windowMs, now); the last call wins. */
  loadInsights(windowMs: number): Promise<void>;
}

export function createInsightsSlice(ctx: SliceContext): InsightsSlice {
  const { set, get, bridge, opts } = ctx;
  let seq = 0;
  return {
    insights: { windowMs: null, data: null, loading: false, error: null, at: null },
    async loadInsights(windowMs) {
      const mine = ++seq;
      const until = opts.now();
      const since = until - windowMs;
      const prev = get().insights;
      set({ insights: { ...prev, windowMs, loading: true, data: prev.windowMs === windowMs ? prev.data : null } });
      try {
        // `until` stays open: the core ends the window at its own clock, so nothing just stored is missed.
        const [stats, extra] = await Promise.all([
          bridge.invoke('stats:get', { since }),
          bridge.invoke('stats:extra', { since }),
        ]);
        if (mine !== seq) return;
        set({ insights: { windowMs, data: { stats, extra }, loading: false, error: null, at: opts.now() } });
      } catch (err) {
        if (mine !== seq) return;
        set({ insights: { ...get().insights, loading: false, error: errorText(err) } });
      }
    },
  };
}
