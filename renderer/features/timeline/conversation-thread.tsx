// One contact's conversation: their messages on the left, the business's messages (known from their
// status updates) on the right, and the 24-hour customer-service window.
import { useEffect, useState } from 'react';
import type { EventStatus, HookEvent } from '../../../shared/types';
import { formatDateTime, formatDuration, formatTime } from '../../ui/format';
import { StatusBadge } from '../../ui/status-badge';
import { eventTime } from './lifecycle-timeline';

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

function useNow(everyMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(t);
  }, [everyMs]);
  return now;
}

export function ConversationThread({ items, lastIncomingAt, selectedId, onSelect }: {
  items: HookEvent[]; lastIncomingAt: number | null; selectedId: number | null; onSelect(id: number): void;
}) {
  const now = useNow(30_000);
  const thread = buildThread(items);
  const win = serviceWindow(lastIncomingAt, now);
  return (
    <div className="conversation" data-testid="conversation">
      <div className={`service-window ${win.open ? 'is-open' : 'is-closed'}`} data-testid="service-window">
        {win.open && win.closesAt != null ? (
          <>
            <strong>Customer-service window open</strong> — free-form replies allowed for {formatDuration(win.closesAt - now)} more
            (until {formatDateTime(win.closesAt)}).
          </>
        ) : win.closesAt != null ? (
          <>
            <strong>Customer-service window closed</strong> since {formatDateTime(win.closesAt)} — only approved templates can be sent
            until the customer writes again.
          </>
        ) : (
          <>
            <strong>Customer-service window closed</strong> — this contact has not written yet; only approved templates can be sent.
          </>
        )}
      </div>
      {thread.length === 0 && <p className="muted">No messages with this contact.</p>}
      <ol className="thread">
        {thread.map((it) =>
          it.type === 'in' ? (
            <li key={`in-${it.event.id}`} className={`bubble bubble-in${it.event.id === selectedId ? ' is-selected' : ''}`} data-testid="bubble-in">
              <button type="button" className="bubble-body" onClick={() => onSelect(it.event.id)}>
                <span className="bubble-text">{it.event.text ?? `[${it.event.messageType ?? 'message'}]`}</span>
                <span className="bubble-meta" title={formatDateTime(it.at)}>{formatTime(it.at)}</span>
              </button>
            </li>
          ) : (
            <li key={`out-${it.messageId}`} className={`bubble bubble-out${it.events.some((e) => e.id === selectedId) ? ' is-selected' : ''}`} data-testid="bubble-out">
              <button type="button" className="bubble-body" onClick={() => onSelect(it.last.id)}>
                <span className="bubble-text muted">Message {shortId(it.messageId)}</span>
                {it.last.errorTitle && <span className="bubble-text text-error">{it.last.errorCode ? `${it.last.errorCode} · ` : ''}{it.last.errorTitle}</span>}
                <span className="bubble-meta" title={formatDateTime(it.at)}>
                  {formatTime(it.at)} <StatusBadge event={it.last} />
                </span>
              </button>
            </li>
          ),
        )}
      </ol>
    </div>
  );
}

function shortId(id: string): string {
  return id.length > 24 ? `…${id.slice(-16)}` : id;
}
