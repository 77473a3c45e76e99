import type { EventDetail } from '../../../shared/types';
import { SignatureBadge } from '../../ui/status-badge';
import { headerValue } from './payload';

const VERDICT_TEXT: Record<EventDetail['signature'], string> = {
  valid: 'The signature matches: this request was signed with a secret you configured.',
  invalid: 'The signature does not match any configured secret. The request was stored but answered 401.',
  missing: 'The request carried no signature header although a secret is configured. It was stored but answered 401.',
  unchecked: 'No secret is configured for this provider, so the signature was not checked.',
};

export function SignatureTab({ event: e }: { event: EventDetail }) {
  const req = e.request;
  const header = req.provider === 'twilio' ? 'x-twilio-signature' : 'x-hub-signature-256';
  const debug = req.signatureDebug ?? null;
  const received = debug ? debug.received : headerValue(req, header);
  return (
    <div className="tab-body" data-testid="panel-signature">
      <p><SignatureBadge verdict={e.signature} /></p>
      <p>{VERDICT_TEXT[e.signature]}</p>
      {req.signatureDiagnosis && (
        <div className={`notice ${e.signature === 'valid' ? '' : 'notice-error'}`} data-testid="signature-diagnosis">
          <span className="pre-wrap">{req.signatureDiagnosis}</span>
        </div>
      )}
      <dl className="fields">
        <div className="field">
          <dt>Header</dt>
          <dd><code>{header}</code></dd>
        </div>
        <div className="field">
          <dt>Received</dt>
          <dd>{received != null ? <code className="wrap">{received}</code> : <span className="muted">absent</span>}</dd>
        </div>
      </dl>
      {debug && (
        <>
          <h3 className="section-title">What was tried</h3>
          {debug.cause && <p data-testid="signature-cause">{debug.cause}</p>}
          <table className="table" data-testid="signature-debug">
            <thead><tr><th>Candidate</th><th>Computed</th><th>Matches</th></tr></thead>
            <tbody>
              {(debug.candidates ?? []).map((c, i) => (
                <tr key={i} className={c.matches ? 'row-match' : ''}>
                  <td>{c.label}</td>
                  <td><code className="wrap">{c.computed}</code></td>
                  <td>{c.matches ? '✓ yes' : 'no'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {(debug.candidates ?? []).length === 0 && (
            <p className="muted small" data-testid="signature-no-candidates">Nothing to recompute with: no secret is configured for this provider.</p>
          )}
        </>
      )}
    </div>
  );
}
