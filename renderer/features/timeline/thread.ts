// Pure helpers for the timeline views: event time, folding a contact's events into a thread, the
// 24-hour customer-service window.
import type { EventStatus, HookEvent } from '../../../shared/types';

/** The provider's time when it gave one, else when Hookscope received it. */
export function eventTime(e: Pick<HookEvent, 'timestamp' | 'receivedAt'>): number {
  return e.timestamp ?? e.receivedAt;
}

export const SERVICE_WINDOW_MS = 24 * 3_600_000;

const RANK: Partial<Record<EventStatus, number>> = { queued: 1, sent: 2, delivered: 3, read: 4, played: 5, failed: 6, deleted: 7 };

export type ThreadItem =
  | { type: 'in'; event: HookEvent; at: number }
  | { type: 'out'; messageId: string; at: number; status: EventStatus | null; last: HookEvent; events: HookEvent[] };

/** Incoming messages as they are; outgoing ones folded from their statuses into one bubble each. */
export function buildThread(items: HookEvent[]): ThreadItem[] {
  const out: ThreadItem[] = [];
  const outgoing = new Map<string, Extract<ThreadItem, { type: 'out' }>>();
  const sorted = [...items].sort((a, b) => eventTime(a) - eventTime(b) || a.id - b.id);
  for (const e of sorted) {
    if (e.kind === 'message') {
      out.push({ type: 'in', event: e, at: eventTime(e) });
    } else if (e.kind === 'status') {
      const key = e.messageId ?? `#${e.id}`;
      const cur = outgoing.get(key);
      if (!cur) {
        const item: Extract<ThreadItem, { type: 'out' }> = { type: 'out', messageId: key, at: eventTime(e), status: e.status, last: e, events: [e] };
        outgoing.set(key, item);
        out.push(item);
      } else {
        cur.events.push(e);
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
