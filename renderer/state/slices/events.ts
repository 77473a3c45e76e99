// The feed's data: a bounded window of events, newest first, fed by pages (`events:list`) and live
// pushes. This file holds the state and the paging; the pushes (queued, applied once per frame, held
// while paused) are events-live.ts, and where a page or a batch lands is events-window.ts.
import type { HookEvent } from '../../../shared/types';
import { errorText, type SliceContext } from '../context';
import { createLiveFeed } from './events-live';
import { windowAfterResync, windowFromFirstPage, windowWithOlderPage } from './events-window';

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

export function createEventsSlice(ctx: SliceContext): EventsSlice {
  const { set, get, bridge, opts } = ctx;
  const live = createLiveFeed(ctx);
  const sizes = { size: opts.windowSize, pageSize: opts.pageSize };
  let listSeq = 0;
  let olderSeq = 0;

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
      live.clearHeld();
      set({ loading: true, listError: null, loadingOlder: false });
      try {
        const page = await fetchPage();
        if (seq !== listSeq) return;
        const s = get();
        set({ ...windowFromFirstPage(page, s.events, s.filter, sizes), detached: false, unseenCount: 0, loading: false });
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
        // Kept bounded by dropping from the top (newest); the feed offers a way back.
        const cur = get();
        set({ ...windowWithOlderPage(cur.events, cur.detached, page, sizes), loadingOlder: false });
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
        const { restart, ...next } = windowAfterResync(get(), page, sizes);
        set(restart ? { ...next, detached: false } : { ...next, listError: null });
      } catch (err) {
        set({ listError: errorText(err) });
      }
    },

    jumpToLatest() {
      return get().reload();
    },

    setLive: live.setLive,
    receiveEvents: live.receiveEvents,

    dropContact(contactId) {
      const keep = (e: HookEvent) => e.contactId !== contactId;
      live.forget(keep);
      const s = get();
      const events = s.events.filter(keep);
      if (events.length !== s.events.length) set({ events, total: Math.max(0, s.total - (s.events.length - events.length)) });
    },
  };
}
