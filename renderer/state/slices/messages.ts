// The Messages view: one row per message (messages:list), beside the raw Events view. Live events are
// folded into the rows with the same code the core builds them with (shared/messages.ts); rows touched by
// a push are then refetched once per flush, so a status whose earlier states are older than the window
// still shows the whole life, and the HTTP answer is the stored one.
import type { HookEvent, MessageSummary } from '../../../shared/types';
import { mergeIntoMessages } from '../../../shared/messages';
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

export function createMessagesSlice(ctx: SliceContext): MessagesSlice {
  const { set, get, bridge, opts } = ctx;
  let seq = 0;
  let olderSeq = 0;
  let refetch = new Set<string>();
  let refetching = false;

  const page = (before?: number) =>
    bridge.invoke('messages:list', { ...get().filter, limit: Math.min(opts.pageSize, 500), ...(before != null ? { before } : {}) });

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
      const rows = get().messages.map((m) => {
        const fresh = byKey.get(m.key);
        // Only replace with a row that knows at least as much (a newer push may have landed meanwhile).
        return fresh && fresh.lastEventId >= m.lastEventId && fresh.events.length >= m.events.length ? fresh : m;
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
      if (view === 'messages') void get().reloadMessages();
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
      set({ messagesLoading: true, messagesError: null, messagesLoadingOlder: false });
      try {
        const res = await page();
        if (mySeq !== seq) return;
        set({ messages: res.items, messagesNext: res.next, messagesLoading: false });
      } catch (err) {
        if (mySeq !== seq) return;
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
        let rows = [...get().messages, ...res.items.filter((m) => !have.has(m.key))];
        let next = res.next;
        if (rows.length > opts.windowSize) {
          // Bounded like the events window; the oldest rows come back from the core on scroll.
          rows = rows.slice(0, opts.windowSize);
          next = rows[rows.length - 1].lastEventId;
        }
        set({ messages: rows, messagesNext: next, messagesLoadingOlder: false });
      } catch (err) {
        if (mySeq !== olderSeq) return;
        set({ messagesLoadingOlder: false, messagesError: errorText(err) });
      }
    },

    foldIntoMessages(events) {
      const s = get();
      if (s.view !== 'messages' || events.length === 0 || s.messagesLoading) return;
      const { rows } = mergeIntoMessages(s.messages, events);
      set({ messages: rows.length > opts.windowSize ? rows.slice(0, opts.windowSize) : rows });
      for (const e of events) refetch.add(e.messageId ?? `event:${e.id}`);
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
    return { http: v.http === true, signature: v.signature === true };
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
