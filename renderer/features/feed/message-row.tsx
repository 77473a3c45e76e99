import { memo } from 'react';
import type { MessageSummary } from '../../../shared/types';
import { formatDateTime, formatRowTime, statusTone } from '../../ui/format';
import { useMask } from '../privacy/privacy';
import type { FeedColumns } from '../../state/slices/messages';
import { gridRowAttrs, type RowRenderProps } from './feed-grid';
import { HttpCell, LightCells, SignatureCell, ROW_TEXT_CUT, contactTitle } from './cells';
import { SafeText } from '../../ui/safe-text';

interface Props {
  message: MessageSummary;
  selected: boolean;
  columns: FeedColumns;
  index: RowRenderProps['index'];
  top: RowRenderProps['top'];
  active: RowRenderProps['active'];
  light?: RowRenderProps['light'];
}

const DIRECTION: Record<MessageSummary['direction'], { arrow: string; word: string }> = {
  incoming: { arrow: '↓', word: 'In' },
  outgoing: { arrow: '↑', word: 'Out' },
  other: { arrow: '·', word: '—' },
};

/** One message of the Messages view: its whole life inline. Every payload-derived string is a text node. */
export const MessageRow = memo(function MessageRow({ message: m, selected, columns, index, top, active, light }: Props) {
  const failed = m.current === 'failed';
  return (
    <div
      {...gridRowAttrs(index, top, active)}
      aria-selected={selected}
      data-testid="message-row"
      data-message-key={m.key}
      data-current={m.current ?? ''}
      className={`row${selected ? ' row-selected' : ''}${failed ? ' row-failed' : ''}`}
    >
      {light ? <LightCells at={m.lastAt} /> : <MessageCells message={m} columns={columns} />}
    </div>
  );
});

/** What a row shows, apart from where it sits: rendered again only when the message or the columns change (as event-row.tsx). */
const MessageCells = memo(function MessageCells({ message: m, columns }: Pick<Props, 'message' | 'columns'>) {
  // Privacy mode masks names, numbers and words here as in the Events view (renderer/features/privacy).
  const mask = useMask();
  const failed = m.current === 'failed';
  const badSignature = m.signature === 'invalid' || m.signature === 'missing';
  const summary = failed && m.errorTitle
    ? `${m.errorCode ? `${m.errorCode} · ` : ''}${mask.scrub(m.errorTitle)}`
    : mask.text(m.text) ?? (m.messageType ? `[${m.messageType}]` : m.direction === 'other' ? m.kind : '');
  const dir = DIRECTION[m.direction];
  const lifeWords = m.direction === 'outgoing'
    ? m.steps.map((s) => s.status).join(' → ') + (failed && m.errorCode ? ` ${m.errorCode}` : '')
    : m.current ?? m.kind;
  return (
    <>
      <span role="gridcell" className="cell cell-time" title={formatDateTime(m.lastAt)}>{formatRowTime(m.lastAt)}</span>
      <span role="gridcell" className={`cell cell-direction dir-${m.direction}`} title={m.direction === 'other' ? 'Not a message' : `${m.direction} message`}>
        <span aria-hidden="true">{dir.arrow} </span>{dir.word}
      </span>
      <span role="gridcell" className="cell cell-lifecycle" data-testid="message-lifecycle" aria-label={lifeWords} title={lifeWords}>
        {m.direction === 'outgoing' && m.steps.length > 0 ? (
          m.steps.map((s, i) => (
            <span key={s.status} className="life-step-wrap" aria-hidden="true">
              {i > 0 && <span className="life-arrow">→</span>}
              <span className={`status status-${statusTone({ status: s.status, kind: 'status' })} life-step`} data-testid="message-step" title={formatDateTime(s.at)}>
                {s.status}{s.status === 'failed' && m.errorCode ? ` ${m.errorCode}` : ''}
              </span>
            </span>
          ))
        ) : (
          <span className={`status status-${statusTone({ status: m.current, kind: m.kind })}`} aria-hidden="true">{m.current ?? m.kind}</span>
        )}
      </span>
      <span role="gridcell" className="cell cell-contact" title={contactTitle(mask.contact(m))}>
        {m.contactName && <span className="contact-name"><SafeText text={mask.name(m.contactName)} max={ROW_TEXT_CUT} /></span>}
        {m.contactId && <span className="contact-number">+{mask.number(m.contactId)}</span>}
      </span>
      <span role="gridcell" className={`cell cell-text${failed ? ' text-error' : ''}`}><SafeText text={summary} max={ROW_TEXT_CUT} /></span>
      {columns.http && <HttpCell status={m.httpStatus} />}
      {columns.signature && <SignatureCell verdict={m.signature} />}
      <span role="gridcell" className="cell cell-flags">
        {badSignature && (
          <span className="sig-warning" title={`Signature ${m.signature}`} role="img" aria-label={`Signature ${m.signature}`}>⚠</span>
        )}
      </span>
    </>
  );
});
