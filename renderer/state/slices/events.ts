// The feed's data: a bounded window of events, newest first, fed by pages (`events:list`) and live
// pushes. Pushes are queued and applied once per frame — never a state change per event.
import type { HookEvent } from '../../../shared/types';
import { errorText, type SliceContext } from '../context';
import { matchesFilter, needsCoreMatch } from '../filter-match';

export interface EventsSlice {
  /** Newest first (id descending); at most `windowSize` rows. */
  events: HookEvent[];
  /** How many events match the current filter in the store (page total + matching pushes since). */
  total: number;
  loading: boolean;
  loadingOlder: boolean;
  /** More events exist below the window (never loaded, or trimmed away). */
  hasOlder: boolean;
  /** The window no longer reaches the newest event (its top was trimmed to make room for older pages). */
  detached: boolean;
  /** Matching events that arrived but are not shown (paused, or detached from the head). */
  unseenCount: number;
  /** Live (pushes shown as they come) or paused (held until resumed). */
  live: boolean;
  listError: string | null;
  /** Pushes applied so far (frames); for diagnostics and tests. */
  flushCount: number;

  reload(): Promise<void>;
  loadOlder(): Promise<void>;
  /** Refetch page 1 after a (re)connection and merge it in, so nothing is missed. */
  resync(): Promise<void>;
  jumpToLatest(): Promise<void>;
  setLive(live: boolean): void;
  /** Entry point of `events:appended` pushes: queued, applied on the next frame. */
  receiveEvents(batch: HookEvent[]): void;
  /** A forgotten contact: their events leave the window, the held and the queued pushes. */
  dropContact(contactId: string): void;
}

function byIdDesc(a: HookEvent, b: HookEvent) {
  return b.id - a.id;
}

/** Union by id (incoming wins for the same id: it may carry fresher fields), newest first. */
export function mergeEvents(current: HookEvent[], incoming: HookEvent[]): HookEvent[] {
  if (incoming.length === 0) return current;
  const map = new Map<number, HookEvent>();
  for (const e of current) map.set(e.id, e);
  for (const e of incoming) map.set(e.id, e);
  return Array.from(map.values()).sort(byIdDesc);
}

export function createEventsSlice(ctx: SliceContext): EventsSlice {
  const { set, get, bridge, opts } = ctx;
  let pending: HookEvent[] = [];
  let scheduled = false;
  /** Held while paused: newest first, bounded. */
  let held: HookEvent[] = [];
  let heldOverflow = false;
  let listSeq = 0;
  let olderSeq = 0;

  const flush = () => {
    scheduled = false;
    const batch = pending;
    pending = [];
    if (batch.length === 0) return;
    const s = get();
    const seen = new Set(s.events.map((e) => e.id));
    const allMatching = batch.filter((e) => matchesFilter(e, s.filter));
    // A raw.… field filter is decided by the core only: fetch page 1 again (coalesced) to pick them up.
    if (needsCoreMatch(s.filter) && s.live && !s.detached) resyncSoon();
    const matching = allMatching.filter((e) => !seen.has(e.id));
    // Every push moves the counts at once (on top of the last snapshot); a snapshot follows, throttled.
    s.countEvents(batch);
    s.refreshStatsSoon();
    // An open lifecycle or conversation follows new events for its message or contact.
    if (s.lifecycle.key && batch.some((e) => e.messageId === s.lifecycle.key)) void s.loadLifecycle(s.lifecycle.key, true);
    if (s.thread.key && batch.some((e) => e.contactId === s.thread.key)) void s.loadThread(s.thread.key, true);
    // The Messages rows get every matching event, also one the Events window already holds: each view
    // loads its own pages, so the events page may have an event the messages page was read without.
    // Folding is by event id, so an event the rows already have changes nothing.
    if (s.live && allMatching.length) s.foldIntoMessages(dedupe(allMatching));
    if (matching.length === 0) {
      set({ flushCount: s.flushCount + 1 });
      return;
    }
    const fresh = dedupe(matching);
    if (!s.live || s.detached) {
      if (!s.live) {
        held = mergeEvents(held, fresh);
        if (held.length > opts.windowSize) {
          held = held.slice(0, opts.windowSize);
          heldOverflow = true;
        }
      }
      set({ unseenCount: s.unseenCount + fresh.length, total: s.total + fresh.length, flushCount: s.flushCount + 1 });
      return;
    }
    applyToWindow(fresh, s.total + fresh.length);
  };

  let resyncTimer: ReturnType<typeof setTimeout> | null = null;
  const resyncSoon = () => {
    if (resyncTimer) return;
    resyncTimer = setTimeout(() => { resyncTimer = null; void get().resync(); }, 250);
  };

  const dedupe = (list: HookEvent[]) => {
    const m = new Map<number, HookEvent>();
    for (const e of list) m.set(e.id, e);
    return Array.from(m.values());
  };

  const applyToWindow = (fresh: HookEvent[], total: number) => {
    const s = get();
    let merged = mergeEvents(s.events, fresh);
    let hasOlder = s.hasOlder;
    if (merged.length > opts.windowSize) {
      merged = merged.slice(0, opts.windowSize);
      hasOlder = true;
    }
    set({ events: merged, hasOlder, total, flushCount: s.flushCount + 1 });
  };

  const fetchPage = (before?: number) =>
    bridge.invoke('events:list', { ...get().filter, limit: opts.pageSize, ...(before != null ? { before } : {}) });

  return {
    events: [],
    total: 0,
    loading: false,
    loadingOlder: false,
    hasOlder: false,
    detached: false,
    unseenCount: 0,
    live: true,
    listError: null,
    flushCount: 0,

    async reload() {
      const seq = ++listSeq;
      olderSeq++; // an older page for the previous view must not land in this one
      held = [];
      heldOverflow = false;
      set({ loading: true, listError: null, loadingOlder: false });
      try {
        const page = await fetchPage();
        if (seq !== listSeq) return;
        const s = get();
        const top = page.items.length ? page.items[0].id : 0;
        // Pushes applied while the page was on its way are newer than the page: keep them.
        const newer = s.events.filter((e) => e.id > top && matchesFilter(e, s.filter));
        const events = mergeEvents(page.items, newer).slice(0, opts.windowSize);
        set({
          events,
          total: page.total + newer.length,
          hasOlder: page.items.length >= opts.pageSize || page.total > page.items.length + newer.length,
          detached: false,
          unseenCount: 0,
          loading: false,
        });
      } catch (err) {
        if (seq !== listSeq) return;
        set({ loading: false, listError: errorText(err) });
      }
    },

    async loadOlder() {
      const s = get();
      if (s.loadingOlder || s.loading || !s.hasOlder || s.events.length === 0) return;
      const seq = ++olderSeq;
      const cursor = s.events[s.events.length - 1].id;
      set({ loadingOlder: true });
      try {
        const page = await fetchPage(cursor);
        if (seq !== olderSeq) return;
        const cur = get();
        let merged = mergeEvents(cur.events, page.items);
        let detached = cur.detached;
        if (merged.length > opts.windowSize) {
          // Keep the window bounded: drop from the top (newest). The feed offers a way back.
          merged = merged.slice(merged.length - opts.windowSize);
          detached = true;
        }
        set({
          events: merged,
          loadingOlder: false,
          hasOlder: page.items.length >= opts.pageSize,
          detached,
        });
      } catch (err) {
        if (seq !== olderSeq) return;
        set({ loadingOlder: false, listError: errorText(err) });
      }
    },

    async resync() {
      const s = get();
      if (s.detached || s.events.length === 0) return s.reload();
      const seq = listSeq;
      try {
        const page = await fetchPage();
        if (seq !== listSeq) return; // a reload started meanwhile: it wins
        const cur = get();
        const curTop = cur.events.length ? cur.events[0].id : 0;
        const pageBottom = page.items.length ? page.items[page.items.length - 1].id : 0;
        if (page.items.length >= opts.pageSize && pageBottom > curTop) {
          // More was missed than one page: merging would leave a hole in the middle. Start over.
          set({ events: page.items, total: page.total, hasOlder: true, detached: false });
          return;
        }
        let merged = mergeEvents(cur.events, page.items);
        let hasOlder = cur.hasOlder;
        if (merged.length > opts.windowSize) {
          merged = merged.slice(0, opts.windowSize);
          hasOlder = true;
        }
        set({ events: merged, total: Math.max(page.total, cur.total), hasOlder, listError: null });
      } catch (err) {
        set({ listError: errorText(err) });
      }
    },

    jumpToLatest() {
      return get().reload();
    },

    setLive(live) {
      const s = get();
      if (s.live === live) return;
      if (!live) {
        set({ live: false });
        return;
      }
      const toApply = held;
      const overflow = heldOverflow;
      held = [];
      heldOverflow = false;
      set({ live: true, unseenCount: 0 });
      if (s.view === 'messages') void get().reloadMessages();
      if (overflow || s.detached) {
        void get().reload();
      } else if (toApply.length) {
        const fresh = toApply.filter((e) => matchesFilter(e, get().filter));
        applyToWindow(fresh, get().total);
      }
    },

    dropContact(contactId) {
      const keep = (e: HookEvent) => e.contactId !== contactId;
      pending = pending.filter(keep);
      held = held.filter(keep);
      const s = get();
      const events = s.events.filter(keep);
      if (events.length !== s.events.length) set({ events, total: Math.max(0, s.total - (s.events.length - events.length)) });
    },

    receiveEvents(batch) {
      if (!Array.isArray(batch) || batch.length === 0) return;
      for (const e of batch) pending.push(e);
      // A long-hidden tab must not hoard: beyond a few windows' worth, the oldest pushes go (the
      // window would trim them anyway) and the core still has them.
      if (pending.length > opts.windowSize * 4) {
        pending = pending.slice(pending.length - opts.windowSize * 2);
        set({ hasOlder: true });
      }
      if (!scheduled) {
        scheduled = true;
        opts.schedule(flush);
      }
    },
  };
}
