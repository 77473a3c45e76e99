// The current view: the filter (mirrored in the URL by main.tsx) and the status counts.
import type { EventFilter, EventStatus, HookEvent, MessageStats, Stats } from '../../../shared/types';
import { matchesFilter } from '../filter-match';
import { EVENT_KINDS, EVENT_STATUSES, SIGNATURE_VERDICTS } from '../../../shared/types';
import { errorText, type SliceContext } from '../context';

export interface FiltersSlice {
  filter: EventFilter;
  /** The core's counts under the filter without its status part (see `statusCounts`). */
  stats: Stats | null;
  statsError: string | null;
  /**
   * Per status, under every filter but the status one, counted live: the core's snapshot plus the pushed
   * events newer than it. The chips show these, so they follow the filters and add up with the list.
   */
  statusCounts: Partial<Record<EventStatus, number>> | null;
  /** Events matching the filter (status aside) that have no status (templates, account updates…). */
  noStatusCount: number;
  /** Every event stored (snapshot + newer pushes), the "of N" in the top bar. */
  allTotal: number | null;
  /**
   * The Messages view's counts (messages:stats): one per message id under the filter, so its chips and
   * the top bar say how many rows the view lists. Fetched while that view shows, again after pushes.
   */
  messageCounts: MessageStats | null;
  refreshMessageCounts(): Promise<void>;
  /** Pushed events, to be counted on top of the last snapshot (the events slice calls it per batch). */
  countEvents(batch: HookEvent[]): void;
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
  let messageCountsSeq = 0;
  /** Pushed events newer than the last snapshot (by id), so nothing is counted twice or missed. */
  let live = new Map<number, HookEvent>();

  const recount = () => {
    const { stats, filter } = get();
    if (!stats) return;
    const byStatus: Partial<Record<EventStatus, number>> = { ...stats.byStatus };
    const byKind = stats.byKind ?? {};
    let noStatus = Object.values(byKind).reduce((a, b) => a + (b ?? 0), 0) - Object.values(stats.byStatus).reduce((a, b) => a + (b ?? 0), 0);
    const { status: _s, ...rest } = filter;
    for (const e of live.values()) {
      if (!matchesFilter(e, rest)) continue;
      if (e.status) byStatus[e.status] = (byStatus[e.status] ?? 0) + 1;
      else noStatus++;
    }
    set({ statusCounts: byStatus, noStatusCount: Math.max(0, noStatus), allTotal: (stats.all ?? stats.total ?? 0) + live.size });
  };

  const apply = (next: EventFilter) => {
    const normalised = normaliseFilter(next);
    if (sameFilter(normalised, get().filter)) return;
    const prevFilter = get().filter;
    set({ filter: normalised });
    void get().reload();
    if (get().view === 'messages') { void get().reloadMessages(); void get().refreshMessageCounts(); }
    // The counts follow every filter but status (toggling a status chip keeps the other chips' counts).
    const { status: _a, ...was } = prevFilter;
    const { status: _b, ...now } = normalised;
    if (!sameFilter(was, now)) void get().refreshStats();
    else recount();
  };

  return {
    filter: normaliseFilter(opts.initialFilter),
    stats: null,
    statsError: null,
    statusCounts: null,
    noStatusCount: 0,
    allTotal: null,
    messageCounts: null,

    async refreshMessageCounts() {
      const seq = ++messageCountsSeq;
      try {
        const messageCounts = await bridge.invoke('messages:stats', get().filter);
        if (seq === messageCountsSeq) set({ messageCounts });
      } catch (err) {
        if (seq === messageCountsSeq) set({ statsError: errorText(err) });
      }
    },

    countEvents(batch) {
      // Before the first snapshot every push counts: the snapshot, when it lands, drops those it includes.
      // (Without it, a webhook pushed while the first snapshot was on its way was counted by neither.)
      const stats = get().stats;
      const maxId = stats ? (stats.maxId ?? Infinity) : 0;
      let added = false;
      for (const e of batch) {
        if (e.id > maxId && !live.has(e.id)) { live.set(e.id, e); added = true; }
      }
      // A long burst between snapshots: past this many, wait for the next snapshot instead.
      if (live.size > 20_000) { live = new Map(); void get().refreshStats(); return; }
      if (added) recount();
    },

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
      // Every filter but status: the chips count per status within what the other filters select.
      const { status: _status, ...rest } = get().filter;
      // Pushes come through here (throttled): the Messages view's counts follow them the same way.
      if (get().view === 'messages') void get().refreshMessageCounts();
      try {
        const stats = await bridge.invoke('stats:get', rest);
        if (seq !== statsSeq) return;
        const maxId = stats.maxId ?? Infinity;
        for (const id of live.keys()) if (id <= maxId) live.delete(id);
        set({ stats, statsError: null });
        recount();
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
