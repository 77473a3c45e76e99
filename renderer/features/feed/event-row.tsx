import { memo } from 'react';
import type { HookEvent } from '../../../shared/types';
import { formatDateTime, formatRowTime } from '../../ui/format';
import { useMask } from '../privacy/privacy';
import { StatusBadge } from '../../ui/status-badge';
import { eventSeverity } from '../../../shared/event-words';
import type { FeedColumns } from '../../state/slices/messages';
import type { RowRenderProps } from './feed-grid';
import { HttpCell, SignatureCell } from './cells';
import { rowLabels } from './row-labels';

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
  const mask = useMask();
  const badSignature = e.signature === 'invalid' || e.signature === 'missing';
  // Account restrictions, blocked flows, failed calls…: the row stands out (docs/webhooks.md).
  const severity = eventSeverity(e);
  const { summary, tags } = rowLabels(e, mask);
  return (
    <div
      {...rowProps}
      aria-selected={selected}
      data-testid="event-row"
      data-event-id={e.id}
      className={`row${selected ? ' row-selected' : ''}${e.status === 'failed' ? ' row-failed' : ''}${severity === 'critical' || severity === 'warning' ? ` row-${severity}` : ''}`}
      data-severity={severity ?? undefined}
    >
      <span role="gridcell" className="cell cell-time" title={formatDateTime(e.receivedAt)}>{formatRowTime(e.receivedAt)}</span>
      {!narrow && <span role="gridcell" className="cell cell-provider">{e.provider ?? '—'}</span>}
      <span role="gridcell" className="cell cell-status"><StatusBadge event={e} testId="row-status" /></span>
      <span role="gridcell" className="cell cell-contact" title={mask.contact(e) || undefined}>
        {e.contactName && <span className="contact-name">{mask.name(e.contactName)}</span>}
        {e.contactId && <span className="contact-number">+{mask.number(e.contactId)}</span>}
      </span>
      <span role="gridcell" className={`cell cell-text${e.errorTitle ? ' text-error' : ''}`} title={summary || undefined}>
        {summary}
        {tags.map((t) => <span key={t.label} className="tag" title={t.title}>{t.label}</span>)}
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
