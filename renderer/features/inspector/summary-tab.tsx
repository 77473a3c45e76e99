import type { ReactNode } from 'react';
import type { EventDetail } from '../../../shared/types';
import { useAppStore } from '../../state/hooks';
import { formatDateTime, formatDuration, valueText } from '../../ui/format';
import { SignatureBadge, StatusBadge } from '../../ui/status-badge';
import { CopyButton } from '../../ui/copy-button';
import { explainError } from '../../../shared/error-codes';
import { useMask } from '../privacy/privacy';
import { ForgetContact } from '../privacy/forget-contact';
import { callText, eventSeverity, KIND_LABELS, pricingText, SIGNAL_LABELS } from '../../../shared/event-words';
import type { EventSignal } from '../../../shared/types';
import { SafeText } from '../../ui/safe-text';
import { LongText } from '../../ui/long-text';

/** A contact name longer than this is cut (the payload tree has all of it). */
const NAME_CUT = 200;

/** Where the stored request came from, in words. */
const ORIGIN_TEXT: Record<string, string> = {
  network: 'received from the network',
  replay: 'replayed from Hookscope',
  simulate: 'sent by the simulator',
  import: 'imported from a file',
};

export function SummaryTab({ event: e }: { event: EventDetail }) {
  const store = useAppStore();
  const mask = useMask();
  const explanation = e.errorCode ? explainError(e.errorCode, e.provider ?? undefined) : null;
  // For a code the catalogue does not know, the provider's own title says more than "Error N".
  const title = explanation?.known ? explanation.title : mask.scrub(e.errorTitle) ?? explanation?.title ?? 'Error';
  const pricing = pricingText(e.details);
  const call = mask.scrub(callText(e.details));
  const rows: [string, ReactNode][] = [
    ['Kind', KIND_LABELS[e.kind] ?? e.kind],
    ['Status', <span key="s"><StatusBadge event={e} />{e.providerStatus && e.providerStatus !== e.status ? <span className="muted"> (provider: {e.providerStatus})</span> : null}</span>],
    ['Provider', e.provider ?? '—'],
    ['Contact', e.contactId || e.contactName ? (
      <span key="c">
        {e.contactName && <><span className="contact-name" data-testid="summary-contact-name"><SafeText text={mask.name(e.contactName)} max={NAME_CUT} /></span> </>}
        {e.contactId && <>
          <code>+{mask.number(e.contactId)}</code>{' '}
          <button type="button" className="btn btn-ghost btn-xs" onClick={() => store.getState().setFilter({ contact: e.contactId ?? undefined })}>Filter</button>
          <ForgetContact contactId={e.contactId} />
        </>}
      </span>
    ) : '—'],
    ['Message id', e.messageId ? <span key="m"><code className="wrap" data-testid="summary-message-id">{mask.id(e.messageId)}</code> <CopyButton text={mask.id(e.messageId) ?? ''} /></span> : '—'],
    ['Message type', e.messageType ?? '—'],
    ...(pricing ? [['Pricing', <span key="p" data-testid="summary-pricing">{pricing}</span>] as [string, ReactNode]] : []),
    ...(call ? [['Call', <span key="call" data-testid="summary-call">{call}</span>] as [string, ReactNode]] : []),
    ['Text', e.text != null ? <LongText key="t" text={mask.text(e.text) ?? ''} testId="summary-text" /> : '—'],
    ['Reply to', e.replyTo ? <code className="wrap">{mask.id(e.replyTo)}</code> : '—'],
    ['Business', e.businessId ? <code>{e.businessId}</code> : '—'],
    ['Provider time', e.timestamp != null ? formatDateTime(e.timestamp) : '—'],
    ['Received', <span key="r">{formatDateTime(e.receivedAt)}{e.timestamp != null ? <span className="muted"> ({formatDuration(Math.abs(e.receivedAt - e.timestamp))} {e.receivedAt >= e.timestamp ? 'after' : 'before'} the provider's time)</span> : null}</span>],
    ['Signature', <SignatureBadge key="sig" verdict={e.signature} />],
    ['Duplicate', e.duplicate ? 'yes — this message and status were seen before (a provider retry)' : 'no'],
    ['Answered', `HTTP ${e.request.responseStatus} · ${ORIGIN_TEXT[e.request.origin] ?? e.request.origin}`],
  ];
  return (
    <div className="tab-body" data-testid="panel-summary">
      <EventNotices event={e} />
      {e.errorCode || e.errorTitle ? (
        <div className="error-box" data-testid="error-box">
          <div className="error-head">
            {e.errorCode && <code className="error-code">{e.errorCode}</code>} <strong><SafeText text={title} max={NAME_CUT} /></strong>
            {explanation?.known && e.errorTitle && e.errorTitle !== explanation.title && <span className="muted"> — <SafeText text={mask.scrub(e.errorTitle)} max={NAME_CUT} /></span>}
          </div>
          {e.errorDetail && !sameWords(e.errorDetail, title, e.errorTitle) && <p><LongText text={mask.scrub(e.errorDetail) ?? ''} /></p>}
          {explanation?.meaning && !sameWords(explanation.meaning, title, e.errorTitle, e.errorDetail) && <p>{explanation.meaning}</p>}
          {explanation?.action && <p><strong>What to do: </strong>{explanation.action}</p>}
          {explanation?.related?.length ? <p className="muted">Related codes: {explanation.related.join(', ')}</p> : null}
          {explanation?.link && <p className="muted">Reference: {explanation.link}</p>}
        </div>
      ) : null}
      {e.request.error && <div className="notice notice-error">Request problem: {mask.on ? mask.text(e.request.error) : e.request.error}</div>}
      <dl className="fields">
        {rows.map(([k, v]) => (
          <div className="field" key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
      {e.details && Object.keys(e.details).length > 0 && (
        <>
          <h3 className="section-title">Details</h3>
          <dl className="fields">
            {Object.entries(e.details).map(([k, v]) => (
              <div className="field" key={k}>
                <dt>{k}</dt>
                <dd><LongText text={valueText(mask.json(v))} /></dd>
              </div>
            ))}
          </dl>
        </>
      )}
      {e.request.forwards.length > 0 && (
        <>
          <h3 className="section-title">Forwarded</h3>
          <table className="table">
            <thead><tr><th>Target</th><th>Status</th><th>Time</th><th>Error</th></tr></thead>
            <tbody>
              {e.request.forwards.map((f, i) => (
                <tr key={i}>
                  <td><code className="wrap">{f.target}</code></td>
                  <td>{f.status ?? '—'}</td>
                  <td>{f.durationMs != null ? formatDuration(f.durationMs) : '—'}</td>
                  <td className="text-error">{f.error ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </div>
  );
}

/** Whether `text` says nothing the others do not already (providers often repeat the title as details). */
function sameWords(text: string, ...others: (string | null | undefined)[]): boolean {
  const norm = (t: string) => t.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
  const n = norm(text);
  return others.some((o) => o != null && (norm(o) === n || (n.length > 0 && norm(o).includes(n))));
}

/** What the normaliser wants a person to notice first: severity, a correction it made, something it does not know, import progress. */
function EventNotices({ event: e }: { event: EventDetail }) {
  const d = e.details ?? {};
  const severity = eventSeverity(e);
  const signals = Array.isArray(d.signals) ? (d.signals as EventSignal[]).filter((s) => Object.hasOwn(SIGNAL_LABELS, s)) : [];
  const notUnderstood = e.kind === 'unknown' || d.notUnderstood === true;
  const isProgress = e.kind === 'history' && e.messageType === 'history_sync';
  const progress = typeof d.progress === 'number' ? d.progress : null;
  return (
    <>
      {(severity === 'critical' || severity === 'warning') && (
        <div className={`notice notice-${severity}`} role="status" data-testid="severity-notice">
          <strong>{severity === 'critical' ? 'Needs attention now' : 'Worth a look'}</strong>
          {signals.length > 0 ? <>: {signals.map((s) => SIGNAL_LABELS[s]).join(', ')}.</> : '.'}
        </div>
      )}
      {notUnderstood && (
        <div className="notice" data-testid="not-understood">
          <strong>Not understood yet.</strong> Hookscope does not know this {e.kind === 'unknown' ? 'webhook field or shape' : `message type (${e.messageType ?? '?'})`};
          the payload is shown exactly as received in the Payload and Raw tabs.
        </div>
      )}
      {typeof d.note === 'string' && <div className="notice" data-testid="read-as"><strong>Read as:</strong> {d.note}</div>}
      {e.kind === 'history' && !isProgress && (
        <div className="notice" data-testid="history-notice">
          Imported from the WhatsApp Business app&apos;s past chats{d.direction === 'outgoing' ? ' (sent by the business)' : d.direction === 'incoming' ? ' (sent by the customer)' : ''}: searchable and in the conversation,
          but it never notifies and is not counted as today&apos;s traffic.
        </div>
      )}
      {isProgress && (
        <div className="notice" data-testid="history-progress">
          <strong>Chat history import</strong>{' '}
          {d.declined === true ? 'declined by the business — no past messages will arrive.' : (
            <>
              <progress className="import-progress" max={100} value={progress ?? undefined} aria-label="Chat history import progress" />{' '}
              {progress != null ? `${progress}%` : 'progress unknown'}
              {typeof d.phase === 'number' ? ` · phase ${d.phase + 1} of 3` : ''}
              {typeof d.chunkOrder === 'number' ? ` · chunk ${d.chunkOrder}` : ''}
              {typeof d.messages === 'number' ? ` · ${d.messages} message${d.messages === 1 ? '' : 's'} in this chunk` : ''}
            </>
          )}
        </div>
      )}
    </>
  );
}
