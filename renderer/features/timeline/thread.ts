// Pure helpers for the timeline views: event time, folding a contact's events into a thread, the
// 24-hour customer-service window.
import type { EventStatus, HookEvent } from '../../../shared/types';
import { kindIs } from '../../../shared/event-kinds';

/** The provider's time when it gave one, else when Hookscope received it. */
export function eventTime(e: Pick<HookEvent, 'timestamp' | 'receivedAt'>): number {
  return e.timestamp ?? e.receivedAt;
}

export const SERVICE_WINDOW_MS = 24 * 3_600_000;

const RANK: Partial<Record<EventStatus, number>> = { queued: 1, sent: 2, delivered: 3, read: 4, played: 5, failed: 6, deleted: 7 };

/** Where an outgoing bubble came from: the API (known from its statuses), the phone app (echo), or the imported history. */
export type OutSource = 'api' | 'phone' | 'history';

export type ThreadItem =
  | { type: 'in'; event: HookEvent; at: number; imported: boolean }
  | { type: 'out'; messageId: string; at: number; status: EventStatus | null; last: HookEvent; events: HookEvent[]; text: string | null; source: OutSource };

/** An imported past message the business sent (its direction is in details; the thread rows carry them). */
function isOutgoingHistory(e: HookEvent): boolean {
  return e.kind === 'history' && e.details?.direction === 'outgoing';
}

/**
 * Incoming messages as they are (imported ones marked); outgoing ones — API sends known from their
 * statuses, phone-app echoes, imported past replies — folded into one bubble per message id.
 */
export function buildThread(items: HookEvent[]): ThreadItem[] {
  const out: ThreadItem[] = [];
  const outgoing = new Map<string, Extract<ThreadItem, { type: 'out' }>>();
  const sorted = [...items].sort((a, b) => eventTime(a) - eventTime(b) || a.id - b.id);
  for (const e of sorted) {
    if (e.kind === 'message' || (e.kind === 'history' && e.messageType !== 'history_sync' && !isOutgoingHistory(e))) {
      out.push({ type: 'in', event: e, at: eventTime(e), imported: e.kind === 'history' });
    } else if (kindIs(e.kind, 'outgoing') || isOutgoingHistory(e)) {
      const key = e.messageId ?? `#${e.id}`;
      const cur = outgoing.get(key);
      // Echoes and imported replies carry the text; statuses of API sends do not.
      const text = e.kind === 'status' ? null : e.text;
      const source: OutSource = e.kind === 'echo' ? 'phone' : e.kind === 'history' ? 'history' : 'api';
      if (!cur) {
        const item: Extract<ThreadItem, { type: 'out' }> = { type: 'out', messageId: key, at: eventTime(e), status: e.status, last: e, events: [e], text, source };
        outgoing.set(key, item);
        out.push(item);
      } else {
        cur.events.push(e);
        if (text && !cur.text) cur.text = text;
        if (source !== 'api') cur.source = source;
        if ((RANK[e.status ?? 'other'] ?? 0) >= (RANK[cur.status ?? 'other'] ?? 0)) {
          cur.status = e.status;
          cur.last = e;
        }
      }
    }
  }
  return out;
}

export function serviceWindow(lastIncomingAt: number | null, now: number): { open: boolean; closesAt: number | null } {
  if (lastIncomingAt == null) return { open: false, closesAt: null };
  const closesAt = lastIncomingAt + SERVICE_WINDOW_MS;
  return { open: now < closesAt, closesAt };
}
