// The Messages view's read: one row per message, newest activity first, built from the events table
// without a GROUP BY over the whole store (which scans every row at a million events).
//
// Decisions:
//  - The events matching the filter are walked newest first, in chunks, by the same indexes the feed
//    uses; a message's row sits where its newest matching event is. The walk stops once a page of rows
//    is found (or after SCAN_BUDGET events: the page is then short, and `next` continues the walk).
//  - A row shows the message's whole life (every event of that message id, whatever the filter): the
//    filter chooses which messages appear, not which of their states are shown.
//  - Paging: `next` is the id the walk stopped at. A message met again below the cursor was already
//    shown on an earlier page when it has a matching event at or above `before`; it is skipped.
//  - Events without a message id (account updates, unrouted or invalid requests) are rows of their own.
import type { Statement } from 'better-sqlite3';
import type { EventFilter, HookEvent, MessagePage, MessageQuery, MessageSummary } from '../../../shared/types';
import { summariseMessage } from '../../../shared/messages';

const CHUNK = 500;
const SCAN_BUDGET = 20_000;
const EVENT_KEY = /^event:(\d+)$/;

/** The store's own pieces (store.ts passes them in: no import back, no cycle). */
export interface MessageListDeps<Row> {
  prep(sql: string): Statement;
  where(f: EventFilter): { sql: string; params: unknown[] };
  rowToEvent(r: Row): HookEvent;
  getEventRow: Statement;
  lifecycleRows: Statement;
  getRequestStatus: Statement;
}

export function createMessageList<Row>(d: MessageListDeps<Row>) {
  function summary(key: string): MessageSummary | null {
    const m = EVENT_KEY.exec(key);
    const rows = (m ? [d.getEventRow.get(Number(m[1]))].filter(Boolean) : d.lifecycleRows.all({ m: key, p: null })) as Row[];
    if (rows.length === 0) return null;
    const events = rows.map((r) => {
      const e = d.rowToEvent(r);
      // The row carries no payloads: the inspector loads them for the event it opens.
      delete e.raw;
      delete e.details;
      return e;
    });
    const newest = events.reduce((a, b) => (b.id > a.id ? b : a));
    const status = (d.getRequestStatus.get(newest.requestId) as number | undefined) ?? null;
    return summariseMessage(events, status);
  }

  function list(q: MessageQuery): MessagePage {
    if (q.keys) {
      const items = q.keys.map(summary).filter((s): s is MessageSummary => s != null);
      return { items: items.sort((a, b) => b.lastEventId - a.lastEventId), next: null };
    }
    const limit = Math.min(Math.max(q.limit ?? 100, 1), 500);
    const { sql, params } = d.where(q);
    const chunk = d.prep(`SELECT id, message_id FROM events WHERE (${sql}) AND id < ? ORDER BY id DESC LIMIT ?`);
    const shownBefore = d.prep(`SELECT 1 FROM events WHERE message_id = ? AND id >= ? AND (${sql}) LIMIT 1`);
    const keys: string[] = [];
    const met = new Set<string>();
    let cursor = q.before ?? Number.MAX_SAFE_INTEGER;
    let scanned = 0;
    let exhausted = false;
    walk: while (keys.length < limit) {
      const rows = chunk.all(...params, cursor, CHUNK) as { id: number; message_id: string | null }[];
      if (rows.length === 0) { exhausted = true; break; }
      for (const r of rows) {
        cursor = r.id;
        const key = r.message_id ?? `event:${r.id}`;
        if (met.has(key)) continue;
        met.add(key);
        if (r.message_id && q.before != null && shownBefore.get(r.message_id, q.before, ...params)) continue;
        keys.push(key);
        if (keys.length >= limit) break walk;
      }
      scanned += rows.length;
      if (rows.length < CHUNK) { exhausted = true; break; }
      if (scanned >= SCAN_BUDGET) break;
    }
    const items = keys.map(summary).filter((s): s is MessageSummary => s != null);
    return { items, next: exhausted ? null : cursor };
  }

  return { list };
}
