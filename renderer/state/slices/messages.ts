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
// How rows merge is messages-rows.ts (pure); the columns' persistence is feed-view.ts.
import type { HookEvent, MessageSummary } from '../../../shared/types';
import { mergeIntoMessages, messageKey } from '../../../shared/messages';
import { errorText, type SliceContext } from '../context';
import { readColumns, writeColumns, type FeedColumns, type FeedView } from '../feed-view';
import { boundRows, refreshRows, rowsAfterResync, rowsWithOlderPage } from './messages-rows';

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

/**
 * Rows touched by pushes, refetched from the core (`messages:list` by key) one request at a time, so a
 * row shows the stored life of its message and the stored HTTP answer. `currentSeq` is the slice's
 * reload counter: an answer that comes back after a reload is for rows no longer shown.
 */
function createTouchedRefetch(ctx: SliceContext, currentSeq: () => number) {
  const { set, get, bridge } = ctx;
  let keys = new Set<string>();
  let running = false;

  const run = async () => {
    if (running || keys.size === 0) return;
    running = true;
    const batch = [...keys].slice(0, 500);
    for (const k of batch) keys.delete(k);
    const mySeq = currentSeq();
    try {
      const res = await bridge.invoke('messages:list', { keys: batch });
      if (mySeq !== currentSeq()) return;
      // A push may have landed while this answer was on its way: the union keeps it.
      set({ messages: refreshRows(get().messages, res.items) });
    } catch {
      // The folded row stays; the next push or reload catches up.
    } finally {
      running = false;
      if (keys.size) void run();
    }
  };

  return {
    /** Marks the rows of these events for a refetch, and starts one unless one is on its way. */
    touch(events: HookEvent[]) {
      for (const e of events) keys.add(messageKey(e));
      void run();
    },
    clear() {
      keys = new Set();
    },
  };
}

export function createMessagesSlice(ctx: SliceContext): MessagesSlice {
  const { set, get, bridge, opts } = ctx;
  const limit = Math.min(opts.pageSize, 500);
  let seq = 0;
  let olderSeq = 0;
  const refetch = createTouchedRefetch(ctx, () => seq);
  /** Pushes that arrived while a reload's page was on its way (bounded; past that, page 1 is merged again). */
  let late: HookEvent[] = [];
  let lateOverflow = false;

  const page = (before?: number) =>
    bridge.invoke('messages:list', { ...get().filter, limit, ...(before != null ? { before } : {}) });

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
      refetch.clear();
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
        set({ ...boundRows(rows, res.next, opts.windowSize), messagesLoading: false });
        refetch.touch(arrived);
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
        set({ ...boundRows(rowsWithOlderPage(get().messages, res), res.next, opts.windowSize), messagesLoadingOlder: false });
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
        const { restart, ...rows } = rowsAfterResync(cur.messages, cur.messagesNext, res, limit, opts.windowSize);
        // Starting over from this page: an older page on its way is for the old cursor.
        if (restart) olderSeq++;
        set(restart ? { ...rows, messagesLoadingOlder: false, messagesError: null } : { ...rows, messagesError: null });
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
      set(boundRows(rows, s.messagesNext, opts.windowSize));
      refetch.touch(events);
    },
  };
}
