// One contact's conversation: their messages on the left, the business's messages (known from their
// status updates, from phone-app echoes, or from the imported history) on the right, and the 24-hour
// customer-service window. Imported past messages sit at their own time, marked as imported.
import { useEffect, useState } from 'react';
import type { HookEvent } from '../../../shared/types';
import { formatDateTime, formatDuration, formatRowTime } from '../../ui/format';
import { StatusBadge } from '../../ui/status-badge';
import { buildThread, serviceWindow } from './thread';
import { useMask } from '../privacy/privacy';
import { SafeText } from '../../ui/safe-text';

/** A bubble shows this much of a text; the inspector's summary has all of it. */
const BUBBLE_CUT = 2000;

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
  const mask = useMask();
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
                {it.imported && <span className="bubble-tag" data-testid="bubble-imported">imported</span>}
                <span className="bubble-text">{it.event.text != null ? <SafeText text={mask.text(it.event.text)} max={BUBBLE_CUT} /> : `[${it.event.messageType ?? 'message'}]`}</span>
                <span className="bubble-meta" title={formatDateTime(it.at)}>{formatRowTime(it.at)}</span>
              </button>
            </li>
          ) : (
            <li key={`out-${it.messageId}`} className={`bubble bubble-out${it.events.some((e) => e.id === selectedId) ? ' is-selected' : ''}`} data-testid="bubble-out">
              <button type="button" className="bubble-body" onClick={() => onSelect(it.last.id)}>
                {it.source !== 'api' && (
                  <span className="bubble-tag" data-testid={`bubble-source-${it.source}`}>{it.source === 'phone' ? 'sent from the phone app' : 'imported'}</span>
                )}
                {it.text ? <span className="bubble-text"><SafeText text={mask.text(it.text)} max={BUBBLE_CUT} /></span> : <span className="bubble-text muted">Message {shortId(mask.id(it.messageId) ?? '')}</span>}
                {it.last.errorTitle && <span className="bubble-text text-error">{it.last.errorCode ? `${it.last.errorCode} · ` : ''}<SafeText text={mask.scrub(it.last.errorTitle)} max={BUBBLE_CUT} /></span>}
                <span className="bubble-meta" title={formatDateTime(it.at)}>
                  {formatRowTime(it.at)} <StatusBadge event={it.last} />
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
