// The current view: the filter (mirrored in the URL by main.tsx) and the status counts.
import type { EventFilter, Stats } from '../../../shared/types';
import { EVENT_KINDS, EVENT_STATUSES, SIGNATURE_VERDICTS } from '../../../shared/types';
import { errorText, type SliceContext } from '../context';

export interface FiltersSlice {
  filter: EventFilter;
  stats: Stats | null;
  statsError: string | null;
  /** Replace some fields of the filter (undefined clears a field) and refetch page 1. */
  setFilter(patch: Partial<EventFilter>): void;
  /** Replace the whole filter (e.g. the URL changed by back/forward). */
  replaceFilter(filter: EventFilter): void;
  clearFilters(): void;
  refreshStats(): Promise<void>;
  /** Throttled refresh, for pushes: at most one `stats:get` per `statsThrottleMs`. */
  refreshStatsSoon(): void;
}

const CANONICAL: Partial<Record<keyof EventFilter, readonly string[]>> = {
  status: EVENT_STATUSES, kind: EVENT_KINDS, provider: ['meta', 'twilio'], signature: SIGNATURE_VERDICTS,
};

/** Drops empty fields and puts lists in their canonical order, so filters compare and serialise cleanly. */
export function normaliseFilter(f: EventFilter): EventFilter {
  const out: EventFilter = {};
  for (const [k, v] of Object.entries(f) as [keyof EventFilter, unknown][]) {
    if (v == null) continue;
    if (Array.isArray(v) && v.length === 0) continue;
    if (typeof v === 'string' && v.trim() === '') continue;
    const order = CANONICAL[k];
    (out as Record<string, unknown>)[k] = order && Array.isArray(v)
      ? Array.from(new Set(v as string[])).sort((a, b) => order.indexOf(a) - order.indexOf(b))
      : v;
  }
  return out;
}

export function sameFilter(a: EventFilter, b: EventFilter): boolean {
  return JSON.stringify(sortKeys(normaliseFilter(a))) === JSON.stringify(sortKeys(normaliseFilter(b)));
}

function sortKeys(o: EventFilter) {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
}

export function createFiltersSlice(ctx: SliceContext): FiltersSlice {
  const { set, get, bridge, opts } = ctx;
  let statsTimer: ReturnType<typeof setTimeout> | null = null;
  let lastStatsAt = -Infinity;
  let statsSeq = 0;

  const apply = (next: EventFilter) => {
    const normalised = normaliseFilter(next);
    if (sameFilter(normalised, get().filter)) return;
    const prevRange = [get().filter.since, get().filter.until].join();
    set({ filter: normalised });
    void get().reload();
    if (get().view === 'messages') void get().reloadMessages();
    if ([normalised.since, normalised.until].join() !== prevRange) void get().refreshStats();
  };

  return {
    filter: normaliseFilter(opts.initialFilter),
    stats: null,
    statsError: null,

    setFilter(patch) {
      apply({ ...get().filter, ...patch });
    },
    replaceFilter(filter) {
      apply(filter);
    },
    clearFilters() {
      apply({});
    },

    async refreshStats() {
      const seq = ++statsSeq;
      lastStatsAt = opts.now();
      const { since, until } = get().filter;
      try {
        const stats = await bridge.invoke('stats:get', {
          ...(since != null ? { since } : {}),
          ...(until != null ? { until } : {}),
        });
        if (seq !== statsSeq) return;
        set({ stats, statsError: null });
      } catch (err) {
        if (seq !== statsSeq) return;
        set({ statsError: errorText(err) });
      }
    },

    refreshStatsSoon() {
      if (statsTimer) return;
      const wait = Math.max(0, lastStatsAt + opts.statsThrottleMs - opts.now());
      statsTimer = setTimeout(() => {
        statsTimer = null;
        void get().refreshStats();
      }, wait);
    },
  };
}
