// The Messages view: one row per message (messages:list), beside the raw Events view. Live events are
// folded into the rows with the same code the core builds them with (shared/messages.ts); rows touched by
// a push are then refetched once per flush, so a status whose earlier states are older than the window
// still shows the whole life, and the HTTP answer is the stored one.
//
// Nothing may fall between a page and the live stream (docs/architecture.md, "Live updates"):
//  - a push that lands while a page is on its way is kept and folded into that page when it arrives (the
//    core may have read the page before the event existed);
//  - after every (re)connection of the stream, page 1 is fetched again and merged row by row, so what
//    was stored while no stream listened shows up;
//  - rows are merged by key and their events by id, so the same event met twice (page and push, or two
//    pages) never makes a second row or a second step, and statuses arriving in any order end up in
//    provider order with the furthest state as the row's state.
import type { HookEvent, MessageSummary } from '../../../shared/types';
import { mergeIntoMessages, messageKey, summariseMessage } from '../../../shared/messages';
import { errorText, type SliceContext } from '../context';

import type { FeedColumns, FeedView } from '../feed-view';

export type { FeedColumns, FeedView } from '../feed-view';

export interface MessagesSlice {
  view: FeedView;
  columns: FeedColumns;
  messages: MessageSummary[];
  messagesLoading: boolean;
  messagesLoadingOlder: boolean;
  /** Cursor for the next older page; null at the end. */
  messagesNext: number | null;
  messagesError: string | null;

  setView(view: FeedView): void;
  setColumns(patch: Partial<FeedColumns>): void;
  reloadMessages(): Promise<void>;
  loadOlderMessages(): Promise<void>;
  /** After a (re)connection of the live stream: fetch page 1 again and merge it in, without duplicates. */
  resyncMessages(): Promise<void>;
  /** Events that passed the filter, from a push flush. */
  foldIntoMessages(events: HookEvent[]): void;
}

/** The event a message row opens: its failure when it failed (that is what needs explaining), else its newest. */
export function eventToOpen(m: MessageSummary): number {
  if (m.current === 'failed') {
    const failed = [...m.events].reverse().find((e) => e.status === 'failed');
    if (failed) return failed.id;
  }
  return m.lastEventId;
}

/**
 * One message's row from two views of it — what the page holds and a fresher answer from the core —
 * with every event either knows (the core's copy of an event wins). The core's row alone when it knows
 * everything the page held; otherwise a push newer than the core's answer stays in the row.
 */
export function unionRow(held: MessageSummary, fresh: MessageSummary): MessageSummary {
  const known = new Set(fresh.events.map((e) => e.id));
  const extra = held.events.filter((e) => !known.has(e.id));
  if (extra.length === 0) return fresh;
  return summariseMessage([...fresh.events, ...extra], held.lastEventId > fresh.lastEventId ? held.httpStatus : fresh.httpStatus);
}

/** Rows held plus fresher rows from the core: one row per key (merged with `unionRow`), newest activity first. */
export function mergeMessageRows(held: MessageSummary[], fresh: MessageSummary[]): MessageSummary[] {
  if (fresh.length === 0) return held;
  const byKey = new Map(held.map((r) => [r.key, r]));
  for (const f of fresh) {
    const h = byKey.get(f.key);
    byKey.set(f.key, h ? unionRow(h, f) : f);
  }
  return [...byKey.values()].sort((a, b) => b.lastEventId - a.lastEventId);
}

export function createMessagesSlice(ctx: SliceContext): MessagesSlice {
  const { set, get, bridge, opts } = ctx;
  const limit = Math.min(opts.pageSize, 500);
  let seq = 0;
  let olderSeq = 0;
  let refetch = new Set<string>();
  let refetching = false;
  /** Pushes that arrived while a reload's page was on its way (bounded; past that, page 1 is merged again). */
  let late: HookEvent[] = [];
  let lateOverflow = false;

  const page = (before?: number) =>
    bridge.invoke('messages:list', { ...get().filter, limit, ...(before != null ? { before } : {}) });

  /** Keeps the rows bounded like the events window; the oldest come back from the core on scroll. */
  const bounded = (rows: MessageSummary[], next: number | null) =>
    rows.length > opts.windowSize
      ? { messages: rows.slice(0, opts.windowSize), messagesNext: rows[opts.windowSize - 1].lastEventId }
      : { messages: rows, messagesNext: next };

  const refetchTouched = async () => {
    if (refetching || refetch.size === 0) return;
    refetching = true;
    const keys = [...refetch].slice(0, 500);
    for (const k of keys) refetch.delete(k);
    const mySeq = seq;
    try {
      const res = await bridge.invoke('messages:list', { keys });
      if (mySeq !== seq) return;
      const byKey = new Map(res.items.map((m) => [m.key, m]));
      // A push may have landed while this answer was on its way: the union keeps it.
      const rows = get().messages.map((m) => {
        const fresh = byKey.get(m.key);
        return fresh ? unionRow(m, fresh) : m;
      });
      set({ messages: rows });
    } catch {
      // The folded row stays; the next push or reload catches up.
    } finally {
      refetching = false;
      if (refetch.size) void refetchTouched();
    }
  };

  return {
    view: opts.initialView,
    columns: readColumns(),
    messages: [],
    messagesLoading: false,
    messagesLoadingOlder: false,
    messagesNext: null,
    messagesError: null,

    setView(view) {
      if (get().view === view) return;
      set({ view });
      if (view === 'messages') { void get().reloadMessages(); void get().refreshMessageCounts(); }
    },

    setColumns(patch) {
      const columns = { ...get().columns, ...patch };
      set({ columns });
      writeColumns(columns);
    },

    async reloadMessages() {
      const mySeq = ++seq;
      olderSeq++;
      refetch = new Set();
      late = [];
      lateOverflow = false;
      set({ messagesLoading: true, messagesError: null, messagesLoadingOlder: false });
      try {
        const res = await page();
        if (mySeq !== seq) return;
        const arrived = lateOverflow ? [] : late;
        const behind = lateOverflow;
        late = [];
        lateOverflow = false;
        // The core may have read this page before those events existed: fold them in (by event id, so
        // one the page already has changes nothing).
        const rows = arrived.length ? mergeIntoMessages(res.items, arrived).rows : res.items;
        set({ ...bounded(rows, res.next), messagesLoading: false });
        for (const e of arrived) refetch.add(messageKey(e));
        void refetchTouched();
        // More arrived meanwhile than is worth keeping: this page is behind; merge a fresh page 1.
        if (behind) void get().resyncMessages();
      } catch (err) {
        if (mySeq !== seq) return;
        late = [];
        set({ messagesLoading: false, messagesError: errorText(err) });
      }
    },

    async loadOlderMessages() {
      const s = get();
      if (s.messagesLoading || s.messagesLoadingOlder || s.messagesNext == null) return;
      const mySeq = ++olderSeq;
      set({ messagesLoadingOlder: true });
      try {
        const res = await page(s.messagesNext);
        if (mySeq !== olderSeq) return;
        const have = new Set(get().messages.map((m) => m.key));
        const rows = [...get().messages, ...res.items.filter((m) => !have.has(m.key))];
        set({ ...bounded(rows, res.next), messagesLoadingOlder: false });
      } catch (err) {
        if (mySeq !== olderSeq) return;
        set({ messagesLoadingOlder: false, messagesError: errorText(err) });
      }
    },

    async resyncMessages() {
      const s = get();
      if (s.view !== 'messages') return;
      // A page asked for before the stream was listening may miss what was stored meanwhile: ask again.
      if (s.messagesLoading || s.messages.length === 0) return get().reloadMessages();
      const mySeq = seq;
      try {
        const res = await page();
        if (mySeq !== seq) return; // a reload started meanwhile: it wins
        const cur = get();
        const curTop = cur.messages.length ? cur.messages[0].lastEventId : 0;
        const pageTop = res.items.length ? res.items[0].lastEventId : 0;
        const pageBottom = res.items.length ? res.items[res.items.length - 1].lastEventId : 0;
        if (res.items.length >= limit && pageBottom > curTop) {
          // More was missed than one page: merging would leave a hole. Start from this page (plus any
          // push newer than it), its cursor continuing below; an older page on its way is for the old cursor.
          olderSeq++;
          const rows = mergeMessageRows(cur.messages.filter((m) => m.lastEventId > pageTop), res.items);
          set({ ...bounded(rows, res.next), messagesLoadingOlder: false, messagesError: null });
          return;
        }
        set({ ...bounded(mergeMessageRows(cur.messages, res.items), cur.messagesNext), messagesError: null });
      } catch (err) {
        if (mySeq !== seq) return;
        set({ messagesError: errorText(err) });
      }
    },

    foldIntoMessages(events) {
      const s = get();
      if (s.view !== 'messages' || events.length === 0) return;
      if (s.messagesLoading) {
        if (late.length + events.length > opts.windowSize) lateOverflow = true;
        else late.push(...events);
        return;
      }
      const { rows } = mergeIntoMessages(s.messages, events);
      set(bounded(rows, s.messagesNext));
      for (const e of events) refetch.add(messageKey(e));
      void refetchTouched();
    },
  };
}

const COLUMNS_KEY = 'hookscope.feedColumns';

function readColumns(): FeedColumns {
  const fallback: FeedColumns = { http: false, signature: false };
  try {
    const raw = (globalThis as { localStorage?: KeyValueStorage }).localStorage?.getItem(COLUMNS_KEY);
    if (!raw) return fallback;
    const v = JSON.parse(raw) as Partial<FeedColumns>;
    return { http: v.http === true, signature: v.signature === true, timing: v.timing === true, forward: v.forward === true, business: v.business === true };
  } catch {
    return fallback;
  }
}

function writeColumns(c: FeedColumns) {
  try {
    (globalThis as { localStorage?: KeyValueStorage }).localStorage?.setItem(COLUMNS_KEY, JSON.stringify(c));
  } catch { /* private mode: the choice lasts this session */ }
}

/** The part of the DOM's Storage used here (this module also loads without a DOM, in store unit tests). */
interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}
