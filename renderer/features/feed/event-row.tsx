import { memo } from 'react';
import type { HookEvent } from '../../../shared/types';
import { contactLabel, formatDateTime, formatRowTime } from '../../ui/format';
import { StatusBadge } from '../../ui/status-badge';
import { eventSeverity } from '../../../shared/event-words';

export const ROW_HEIGHT = 36;

interface Props {
  event: HookEvent;
  selected: boolean;
  top: number;
  onSelect(id: number): void;
}

/** One line of the feed. Every payload-derived string is a text node. */
export const EventRow = memo(function EventRow({ event: e, selected, top, onSelect }: Props) {
  const badSignature = e.signature === 'invalid' || e.signature === 'missing';
  // Account restrictions, blocked flows, failed calls…: the row stands out (docs/webhooks.md).
  const severity = eventSeverity(e);
  // Calls, groups, flows and history say what happened in their own words (which include the error
  // title); the code stays in front so failures still read at a glance.
  const ownWords = (e.kind === 'call' || e.kind === 'group' || e.kind === 'flow' || e.kind === 'history') && e.text;
  const summary = ownWords
    ? `${e.errorCode ? `${e.errorCode} · ` : ''}${e.text}`
    : e.errorTitle
      ? `${e.errorCode ? `${e.errorCode} · ` : ''}${e.errorTitle}`
      : e.text ?? (e.messageType ? `[${e.messageType}]` : e.kind === 'status' ? '' : e.kind);
  return (
    <div
      role="row"
      aria-selected={selected}
      data-testid="event-row"
      data-event-id={e.id}
      className={`row${selected ? ' row-selected' : ''}${e.status === 'failed' ? ' row-failed' : ''}${severity === 'critical' || severity === 'warning' ? ` row-${severity}` : ''}`}
      data-severity={severity ?? undefined}
      style={{ transform: `translateY(${top}px)`, height: ROW_HEIGHT }}
      onClick={() => onSelect(e.id)}
    >
      <span className="cell cell-time" title={formatDateTime(e.receivedAt)}>{formatRowTime(e.receivedAt)}</span>
      <span className="cell cell-provider">{e.provider ?? '—'}</span>
      <span className="cell cell-status"><StatusBadge event={e} testId="row-status" /></span>
      <span className="cell cell-contact" title={contactLabel(e) || undefined}>
        {e.contactName && <span className="contact-name">{e.contactName}</span>}
        {e.contactId && <span className="contact-number">+{e.contactId}</span>}
      </span>
      <span className={`cell cell-text${e.errorTitle ? ' text-error' : ''}`} title={summary || undefined}>
        {summary}
        {e.duplicate && <span className="tag" title="The same message and status were seen before">dup</span>}
        {e.kind === 'history' && <span className="tag" title="Imported past conversation: never notifies, not counted as today's traffic">imported</span>}
        {e.kind === 'echo' && <span className="tag" title="Sent from the WhatsApp Business phone app">phone app</span>}
      </span>
      <span className="cell cell-flags">
        {badSignature && (
          <span className="sig-warning" data-testid="signature-warning" title={`Signature ${e.signature}`} aria-label={`Signature ${e.signature}`}>
            ⚠
          </span>
        )}
      </span>
    </div>
  );
});
