// The Messages rows' arithmetic, pure: how a fresher answer from the core, a page, or a page 1 fetched
// again after a reconnection lands in the rows the view holds (one per message key, newest activity
// first, bounded like the Events window). The slice (messages.ts) holds the state and asks these.
import type { MessagePage, MessageSummary } from '../../../shared/types';
import { summariseMessage } from '../../../shared/messages';

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

/** Each held row replaced by the union with the core's fresher copy of it, when the answer has one. */
export function refreshRows(rows: MessageSummary[], fresh: MessageSummary[]): MessageSummary[] {
  const byKey = new Map(fresh.map((m) => [m.key, m]));
  return rows.map((m) => {
    const f = byKey.get(m.key);
    return f ? unionRow(m, f) : m;
  });
}

/** Keeps the rows bounded like the events window; the oldest come back from the core on scroll (the cursor moves up). */
export function boundRows(rows: MessageSummary[], next: number | null, size: number) {
  return rows.length > size
    ? { messages: rows.slice(0, size), messagesNext: rows[size - 1].lastEventId }
    : { messages: rows, messagesNext: next };
}

/** An older page below the rows: only the keys not already shown (a message's row appears once). */
export function rowsWithOlderPage(rows: MessageSummary[], page: MessagePage): MessageSummary[] {
  const have = new Set(rows.map((m) => m.key));
  return [...rows, ...page.items.filter((m) => !have.has(m.key))];
}

/**
 * Page 1 fetched again merged into the rows. When more was missed than one page (`restart`), merging
 * would leave a hole: the page starts over (plus any pushed row newer than it), its cursor continuing below.
 */
export function rowsAfterResync(rows: MessageSummary[], next: number | null, page: MessagePage, limit: number, size: number) {
  const curTop = rows.length ? rows[0].lastEventId : 0;
  const pageTop = page.items.length ? page.items[0].lastEventId : 0;
  const pageBottom = page.items.length ? page.items[page.items.length - 1].lastEventId : 0;
  if (page.items.length >= limit && pageBottom > curTop) {
    return { restart: true, ...boundRows(mergeMessageRows(rows.filter((m) => m.lastEventId > pageTop), page.items), page.next, size) };
  }
  return { restart: false, ...boundRows(mergeMessageRows(rows, page.items), next, size) };
}
