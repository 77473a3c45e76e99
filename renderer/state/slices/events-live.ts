// The live half of the Events slice: `events:appended` pushes are queued and applied once per frame —
// never a state change per event — held while the feed is paused, and dropped for a forgotten contact.
// Where a batch lands in the window is events-window.ts's call; paging is events.ts's.
import type { HookEvent } from '../../../shared/types';
import type { AppState, SliceContext } from '../context';
import { matchesFilter, needsCoreMatch } from '../filter-match';
import { dedupeById, keepNewest, mergeEvents } from './events-window';

export interface LiveFeed {
  /** Entry point of `events:appended` pushes: queued, applied on the next frame. */
  receiveEvents(batch: HookEvent[]): void;
  setLive(live: boolean): void;
  /** A reload starts: what was held is in the page it fetches. */
  clearHeld(): void;
  /** Drops queued and held pushes that fail `keep` (a forgotten contact's). */
  forget(keep: (e: HookEvent) => boolean): void;
}

/** What every flushed batch tells the neighbouring slices, whether or not a row of the window changes. */
function tellNeighbours(s: AppState, batch: HookEvent[], allMatching: HookEvent[]) {
  // Every push moves the counts at once (on top of the last snapshot); a snapshot follows, throttled.
  s.countEvents(batch);
  s.refreshStatsSoon();
  // An open lifecycle or conversation follows new events for its message or contact.
  if (s.lifecycle.key && batch.some((e) => e.messageId === s.lifecycle.key)) void s.loadLifecycle(s.lifecycle.key, true);
  if (s.thread.key && batch.some((e) => e.contactId === s.thread.key)) void s.loadThread(s.thread.key, true);
  // The Messages rows get every matching event, also one the Events window already holds: each view
  // loads its own pages, so the events page may have an event the messages page was read without.
  // Folding is by event id, so an event the rows already have changes nothing.
  if (s.live && allMatching.length) s.foldIntoMessages(dedupeById(allMatching));
}

export function createLiveFeed(ctx: SliceContext): LiveFeed {
  const { set, get, opts } = ctx;
  let pending: HookEvent[] = [];
  let scheduled = false;
  /** Held while paused: newest first, bounded. */
  let held: HookEvent[] = [];
  let heldOverflow = false;
  let resyncTimer: ReturnType<typeof setTimeout> | null = null;

  const resyncSoon = () => {
    if (resyncTimer) return;
    resyncTimer = setTimeout(() => { resyncTimer = null; void get().resync(); }, 250);
  };

  const applyToWindow = (fresh: HookEvent[], total: number) => {
    const s = get();
    const { events, trimmed } = keepNewest(mergeEvents(s.events, fresh), opts.windowSize);
    set({ events, hasOlder: s.hasOlder || trimmed, total, flushCount: s.flushCount + 1 });
  };

  /** Paused, or detached from the head: counted as unseen (and held while paused), not shown. */
  const holdBack = (s: AppState, fresh: HookEvent[]) => {
    if (!s.live) {
      const kept = keepNewest(mergeEvents(held, fresh), opts.windowSize);
      held = kept.events;
      if (kept.trimmed) heldOverflow = true;
    }
    set({ unseenCount: s.unseenCount + fresh.length, total: s.total + fresh.length, flushCount: s.flushCount + 1 });
  };

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
    tellNeighbours(s, batch, allMatching);
    if (matching.length === 0) {
      set({ flushCount: s.flushCount + 1 });
      return;
    }
    const fresh = dedupeById(matching);
    if (!s.live || s.detached) holdBack(s, fresh);
    else applyToWindow(fresh, s.total + fresh.length);
  };

  return {
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

    clearHeld() {
      held = [];
      heldOverflow = false;
    },

    forget(keep) {
      pending = pending.filter(keep);
      held = held.filter(keep);
    },
  };
}
