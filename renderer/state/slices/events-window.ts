// The Events window's arithmetic, pure: where a page or a batch of pushes lands in the bounded window
// (newest first, at most `size` rows). The slice (events.ts, events-live.ts) holds the state and asks
// these what the next state is; test/unit/renderer-events-window.test.ts holds each rule.
import type { EventFilter, EventPage, HookEvent } from '../../../shared/types';
import { matchesFilter } from '../filter-match';

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

/** One event per id (the last copy wins), in first-seen order: a push batch may repeat an event. */
export function dedupeById(list: HookEvent[]): HookEvent[] {
  const m = new Map<number, HookEvent>();
  for (const e of list) m.set(e.id, e);
  return Array.from(m.values());
}

/** The newest `size` rows; `trimmed` when older ones fell off the bottom (they come back on scroll). */
export function keepNewest(events: HookEvent[], size: number): { events: HookEvent[]; trimmed: boolean } {
  return events.length > size ? { events: events.slice(0, size), trimmed: true } : { events, trimmed: false };
}

/** The oldest `size` rows; `trimmed` when newer ones fell off the top (the window leaves the head). */
export function keepOldest(events: HookEvent[], size: number): { events: HookEvent[]; trimmed: boolean } {
  return events.length > size ? { events: events.slice(events.length - size), trimmed: true } : { events, trimmed: false };
}

export interface WindowSizes {
  /** Most rows held. */
  size: number;
  /** Rows per `events:list` page: a full page means there may be more below it. */
  pageSize: number;
}

/**
 * Page 1 of a reload. Pushes applied while the page was on its way are newer than the page (the core
 * read it before they existed): they stay on top, if they pass the filter.
 */
export function windowFromFirstPage(page: EventPage, current: HookEvent[], filter: EventFilter, w: WindowSizes) {
  const top = page.items.length ? page.items[0].id : 0;
  const newer = current.filter((e) => e.id > top && matchesFilter(e, filter));
  return {
    events: mergeEvents(page.items, newer).slice(0, w.size),
    total: page.total + newer.length,
    hasOlder: page.items.length >= w.pageSize || page.total > page.items.length + newer.length,
  };
}

/** An older page below the window; when the window is full its top (newest) gives way and it detaches. */
export function windowWithOlderPage(current: HookEvent[], detached: boolean, page: EventPage, w: WindowSizes) {
  const { events, trimmed } = keepOldest(mergeEvents(current, page.items), w.size);
  return { events, hasOlder: page.items.length >= w.pageSize, detached: detached || trimmed };
}

export type ResyncOutcome =
  /** More was missed than one page: merging would leave a hole in the middle, so the page replaces the window. */
  | { restart: true; events: HookEvent[]; total: number; hasOlder: true }
  | { restart: false; events: HookEvent[]; total: number; hasOlder: boolean };

/** Page 1 fetched again after a (re)connection, merged into a window that is at the head. */
export function windowAfterResync(cur: { events: HookEvent[]; total: number; hasOlder: boolean }, page: EventPage, w: WindowSizes): ResyncOutcome {
  const curTop = cur.events.length ? cur.events[0].id : 0;
  const pageBottom = page.items.length ? page.items[page.items.length - 1].id : 0;
  if (page.items.length >= w.pageSize && pageBottom > curTop) {
    return { restart: true, events: page.items, total: page.total, hasOlder: true };
  }
  const { events, trimmed } = keepNewest(mergeEvents(cur.events, page.items), w.size);
  return { restart: false, events, total: Math.max(page.total, cur.total), hasOlder: cur.hasOlder || trimmed };
}
