import { memo } from 'react';
import type { HookEvent } from '../../../shared/types';
import { contactLabel, formatDateTime, formatRowTime } from '../../ui/format';
import { StatusBadge } from '../../ui/status-badge';
import type { FeedColumns } from '../../state/slices/messages';
import type { RowRenderProps } from './feed-grid';
import { HttpCell, SignatureCell } from './cells';

export { ROW_HEIGHT } from './feed-grid';

interface Props {
  event: HookEvent;
  selected: boolean;
  columns: FeedColumns;
  narrow: boolean;
  rowProps: RowRenderProps['rowProps'];
}

/** One line of the Events view. Every payload-derived string is a text node. */
export const EventRow = memo(function EventRow({ event: e, selected, columns, narrow, rowProps }: Props) {
  const badSignature = e.signature === 'invalid' || e.signature === 'missing';
  const summary = e.errorTitle
    ? `${e.errorCode ? `${e.errorCode} · ` : ''}${e.errorTitle}`
    : e.text ?? (e.messageType ? `[${e.messageType}]` : e.kind === 'status' ? '' : e.kind);
  return (
    <div
      {...rowProps}
      aria-selected={selected}
      data-testid="event-row"
      data-event-id={e.id}
      className={`row${selected ? ' row-selected' : ''}${e.status === 'failed' ? ' row-failed' : ''}`}
    >
      <span role="gridcell" className="cell cell-time" title={formatDateTime(e.receivedAt)}>{formatRowTime(e.receivedAt)}</span>
      {!narrow && <span role="gridcell" className="cell cell-provider">{e.provider ?? '—'}</span>}
      <span role="gridcell" className="cell cell-status"><StatusBadge event={e} testId="row-status" /></span>
      <span role="gridcell" className="cell cell-contact" title={contactLabel(e) || undefined}>
        {e.contactName && <span className="contact-name">{e.contactName}</span>}
        {e.contactId && <span className="contact-number">+{e.contactId}</span>}
      </span>
      <span role="gridcell" className={`cell cell-text${e.errorTitle ? ' text-error' : ''}`} title={summary || undefined}>
        {summary}
        {e.duplicate && <span className="tag" title="The same message and status were seen before">dup</span>}
      </span>
      {columns.http && <HttpCell status={e.httpStatus ?? null} />}
      {columns.signature && <SignatureCell verdict={e.signature} />}
      <span role="gridcell" className="cell cell-flags">
        {badSignature && (
          <span className="sig-warning" data-testid="signature-warning" title={`Signature ${e.signature}`} role="img" aria-label={`Signature ${e.signature}`}>
            ⚠
          </span>
        )}
      </span>
    </div>
  );
});
