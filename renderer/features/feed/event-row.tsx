import { memo } from 'react';
import type { HookEvent } from '../../../shared/types';
import { formatDateTime, formatRowTime } from '../../ui/format';
import { useMask } from '../privacy/privacy';
import { StatusBadge } from '../../ui/status-badge';
import { eventSeverity } from '../../../shared/event-words';
import type { FeedColumns } from '../../state/slices/messages';
import type { RowRenderProps } from './feed-grid';
import { HttpCell, SignatureCell, ROW_TEXT_CUT, contactTitle } from './cells';
import { SafeText } from '../../ui/safe-text';

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
  // Calls, groups, flows and history say what happened in their own words (which include the error
  // title); the code stays in front so failures still read at a glance.
  const ownWords = (e.kind === 'call' || e.kind === 'group' || e.kind === 'flow' || e.kind === 'history') && e.text;
  const summary = ownWords
    ? `${e.errorCode ? `${e.errorCode} · ` : ''}${mask.text(e.text)}`
    : e.errorTitle
      ? `${e.errorCode ? `${e.errorCode} · ` : ''}${mask.scrub(e.errorTitle)}`
      : mask.text(e.text) ?? (e.messageType ? `[${e.messageType}]` : e.kind === 'status' ? '' : e.kind);
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
      <span role="gridcell" className="cell cell-contact" title={contactTitle(mask.contact(e))}>
        {e.contactName && <span className="contact-name"><SafeText text={mask.name(e.contactName)} max={ROW_TEXT_CUT} /></span>}
        {e.contactId && <span className="contact-number">+{mask.number(e.contactId)}</span>}
      </span>
      {/* The text once, cut to what a row can show: a megabyte of it here froze the page (the inspector has it all). */}
      <span role="gridcell" className={`cell cell-text${e.errorTitle ? ' text-error' : ''}`}>
        <SafeText text={summary} max={ROW_TEXT_CUT} />
        {e.duplicate && <span className="tag" title="The same message and status were seen before">dup</span>}
        {e.kind === 'history' && <span className="tag" title="Imported past conversation: never notifies, not counted as today's traffic">imported</span>}
        {e.kind === 'echo' && <span className="tag" title="Sent from the WhatsApp Business phone app">phone app</span>}
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
