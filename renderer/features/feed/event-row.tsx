import { memo } from 'react';
import type { HookEvent } from '../../../shared/types';
import { formatDateTime, formatRowTime } from '../../ui/format';
import { useMask } from '../privacy/privacy';
import { StatusBadge } from '../../ui/status-badge';

export const ROW_HEIGHT = 36;

interface Props {
  event: HookEvent;
  selected: boolean;
  top: number;
  onSelect(id: number): void;
}

/** One line of the feed. Every payload-derived string is a text node. */
export const EventRow = memo(function EventRow({ event: e, selected, top, onSelect }: Props) {
  const mask = useMask();
  const badSignature = e.signature === 'invalid' || e.signature === 'missing';
  const summary = e.errorTitle
    ? `${e.errorCode ? `${e.errorCode} · ` : ''}${mask.scrub(e.errorTitle)}`
    : mask.text(e.text) ?? (e.messageType ? `[${e.messageType}]` : e.kind === 'status' ? '' : e.kind);
  return (
    <div
      role="row"
      aria-selected={selected}
      data-testid="event-row"
      data-event-id={e.id}
      className={`row${selected ? ' row-selected' : ''}${e.status === 'failed' ? ' row-failed' : ''}`}
      style={{ transform: `translateY(${top}px)`, height: ROW_HEIGHT }}
      onClick={() => onSelect(e.id)}
    >
      <span className="cell cell-time" title={formatDateTime(e.receivedAt)}>{formatRowTime(e.receivedAt)}</span>
      <span className="cell cell-provider">{e.provider ?? '—'}</span>
      <span className="cell cell-status"><StatusBadge event={e} testId="row-status" /></span>
      <span className="cell cell-contact" title={mask.contact(e) || undefined}>
        {e.contactName && <span className="contact-name">{mask.name(e.contactName)}</span>}
        {e.contactId && <span className="contact-number">+{mask.number(e.contactId)}</span>}
      </span>
      <span className={`cell cell-text${e.errorTitle ? ' text-error' : ''}`} title={summary || undefined}>
        {summary}
        {e.duplicate && <span className="tag" title="The same message and status were seen before">dup</span>}
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
