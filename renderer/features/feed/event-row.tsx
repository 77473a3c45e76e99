import { memo } from 'react';
import type { HookEvent } from '../../../shared/types';
import { formatDateTime, formatRowTime, statusTone, statusWord } from '../../ui/format';
import { useMask } from '../privacy/privacy';
import { eventSeverity } from '../../../shared/event-words';
import type { FeedColumns } from '../../state/slices/messages';
import { gridRowAttrs, type RowRenderProps } from './feed-grid';
import { AckCell, BusinessCell, ForwardCell, HttpCell, LightCells, SignatureCell, ROW_TEXT_CUT, contactTitle } from './cells';
import { rowLabels } from './row-labels';
import { SafeText } from '../../ui/safe-text';

export { ROW_HEIGHT } from './feed-grid';

const NO_NAMES: Record<string, string> = {};

interface Props {
  event: HookEvent;
  /** Names of business numbers (Settings), for the Business column. */
  businessNames?: Record<string, string>;
  selected: boolean;
  columns: FeedColumns;
  narrow: boolean;
  /** Where the row sits (primitives, so a row that neither moved nor changed is not rendered again). */
  index: RowRenderProps['index'];
  top: RowRenderProps['top'];
  active: RowRenderProps['active'];
  light?: RowRenderProps['light'];
}

/** One line of the Events view. Every payload-derived string is a text node. */
export const EventRow = memo(function EventRow({ event: e, selected, columns, narrow, index, top, active, light, businessNames }: Props) {
  // Account restrictions, blocked flows, failed calls…: the row stands out (docs/webhooks.md).
  const severity = eventSeverity(e);
  return (
    <div
      {...gridRowAttrs(index, top, active)}
      aria-selected={selected}
      data-testid="event-row"
      data-event-id={e.id}
      className={`row${selected ? ' row-selected' : ''}${e.status === 'failed' ? ' row-failed' : ''}${severity === 'critical' || severity === 'warning' ? ` row-${severity}` : ''}`}
      data-severity={severity ?? undefined}
    >
      {light ? <LightCells at={e.receivedAt} /> : <EventCells event={e} columns={columns} narrow={narrow} businessNames={businessNames ?? NO_NAMES} />}
    </div>
  );
});

/**
 * What a row shows, apart from where it sits. A new event on top shifts every row's index and position,
 * so the row itself renders again; its cells — labels, times, masks, excerpts, badges — only when the event, the columns or the names
 * change (docs/benchmarks.md "UI: rows that only move").
 */
const EventCells = memo(function EventCells({ event: e, columns, narrow, businessNames }: Pick<Props, 'event' | 'columns' | 'narrow'> & { businessNames: Record<string, string> }) {
  const mask = useMask();
  const badSignature = e.signature === 'invalid' || e.signature === 'missing';
  const { summary, tags } = rowLabels(e, mask);
  return (
    <>
      <span role="gridcell" className="cell cell-time" title={formatDateTime(e.receivedAt)}>{formatRowTime(e.receivedAt)}</span>
      {!narrow && <span role="gridcell" className="cell cell-provider">{e.provider ?? '—'}</span>}
      {/* The cell is the badge (one element, not two: docs/benchmarks.md "UI: what the probe costs"). */}
      <span role="gridcell" className={`cell cell-status status status-dotted status-${statusTone(e)}`} data-testid="row-status">{statusWord(e)}</span>
      <span role="gridcell" className="cell cell-contact" title={contactTitle(mask.contact(e))}>
        {e.contactName && <span className="contact-name"><SafeText text={mask.name(e.contactName)} max={ROW_TEXT_CUT} /></span>}
        {e.contactId && <span className="contact-number">+{mask.number(e.contactId)}</span>}
      </span>
      {/* The text once, cut to what a row can show: a megabyte of it here froze the page (the inspector has it all). */}
      <span role="gridcell" className={`cell cell-text${e.errorTitle ? ' text-error' : ''}`}>
        <SafeText text={summary} max={ROW_TEXT_CUT} />
        {tags.map((t) => <span key={t.label} className="tag" title={t.title}>{t.label}</span>)}
      </span>
      {columns.http && <HttpCell status={e.httpStatus ?? null} />}
      {columns.signature && <SignatureCell verdict={e.signature} />}
      {columns.timing && <AckCell ms={e.ackMs} />}
      {columns.forward && <ForwardCell forward={e.forward} />}
      {columns.business && <BusinessCell businessId={e.businessId} names={businessNames} />}
      <span role="gridcell" className="cell cell-flags">
        {badSignature && (
          <span className="sig-warning" data-testid="signature-warning" title={`Signature ${e.signature}`} role="img" aria-label={`Signature ${e.signature}`}>
            ⚠
          </span>
        )}
      </span>
    </>
  );
});
