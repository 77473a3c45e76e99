// The rejected view: what the receiver refused, why, and a way back for the genuine ones (re-verify after
// fixing a secret). Everything here came from strangers: shown as text, marked untrusted, never as events.
import { useEffect } from 'react';
import type { RejectedDetail } from '../../../shared/types';
import { useAppShallow, useAppStore } from '../../state/hooks';

function when(ms: number): string {
  return new Date(ms).toLocaleString();
}

function Detail({ d }: { d: RejectedDetail }) {
  return (
    <section className="rejected-detail" data-testid="rejected-detail">
      <p><span className="badge badge-untrusted" data-testid="untrusted">Untrusted</span> {d.method} <code>{d.path}</code> → {d.httpStatus}</p>
      {d.diagnosis && <div className="notice notice-error"><span className="pre-wrap" data-testid="rejected-diagnosis">{d.diagnosis}</span></div>}
      <dl className="fields">
        <div className="field"><dt>Received</dt><dd>{when(d.receivedAt)}</dd></div>
        <div className="field"><dt>From</dt><dd><code>{d.source ?? 'local'}</code></dd></div>
        <div className="field"><dt>Size</dt><dd>{d.bytes.toLocaleString()} bytes{d.bodyComplete ? '' : ' (only the start is kept)'}</dd></div>
        {d.bodySha256 && <div className="field"><dt>SHA-256</dt><dd><code className="wrap">{d.bodySha256}</code></dd></div>}
      </dl>
      {d.signatureDebug && (
        <>
          <h3 className="section-title">Signature debugger</h3>
          <p data-testid="rejected-signature-cause">{d.signatureDebug.cause}</p>
          <table className="table">
            <thead><tr><th>Candidate</th><th>Computed</th><th>Matches</th></tr></thead>
            <tbody>
              {d.signatureDebug.candidates.map((c, i) => (
                <tr key={i} className={c.matches ? 'row-match' : ''}><td>{c.label}</td><td><code className="wrap">{c.computed}</code></td><td>{c.matches ? '✓ yes' : 'no'}</td></tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {d.preview && d.preview.length > 0 && (
        <>
          <h3 className="section-title">What it claims to be <span className="badge badge-untrusted">untrusted</span></h3>
          <ul className="rejected-preview" data-testid="rejected-preview">
            {d.preview.map((p, i) => (
              <li key={i}>{p.kind}{p.status ? ` · ${p.status}` : ''}{p.contactId ? ` · ${p.contactId}` : ''}{p.text ? ` · “${p.text}”` : ''}</li>
            ))}
          </ul>
        </>
      )}
      <h3 className="section-title">Headers</h3>
      <pre className="pre-wrap small">{d.headers.map(([k, v]) => `${k}: ${v}`).join('\n')}</pre>
      <h3 className="section-title">Body{d.bodyComplete ? '' : ' (start)'}</h3>
      <pre className="pre-wrap small" data-testid="rejected-body">{d.bodyIsText ? d.body : `(binary, base64) ${d.body}`}</pre>
    </section>
  );
}

export function RejectedPanel() {
  const store = useAppStore();
  const s = useAppShallow((st) => ({
    summary: st.rejectedSummary, items: st.rejectedItems, detail: st.rejectedDetail, busy: st.rejectedBusy,
    error: st.rejectedError, result: st.reverifyResult,
  }));
  const total = s.summary?.total ?? 0;
  // The list is re-read when the panel opens and whenever the count moves.
  useEffect(() => { void store.getState().loadRejected(); }, [store, total]);
  return (
    <div className="rejected-panel" data-testid="rejected-panel">
      <p className="muted small">
        Requests the receiver refused — bad or missing signature, wrong verify token, unknown path, malformed, too large,
        wrong method. They are kept here for diagnosis and never become events, notifications or forwards.
      </p>
      <p data-testid="rejected-summary">
        <strong>{total.toLocaleString()}</strong> kept
        {(s.summary?.dropped ?? 0) > 0 && <> · {s.summary!.dropped.toLocaleString()} dropped (oldest, to stay under the size cap)</>}
        {(s.summary?.notStored ?? 0) > 0 && <> · {s.summary!.notStored.toLocaleString()} not kept (rate limit or low disk)</>}
      </p>
      <p>
        <button type="button" className="btn" data-admin-only data-testid="rejected-reverify" disabled={s.busy || total === 0}
          onClick={() => void store.getState().reverifyRejected()}>
          Re-verify with the current secrets
        </button>
        {s.result && (
          <span className="small" data-testid="reverify-result"> {s.result.accepted} of {s.result.checked} now verify and moved to the feed.</span>
        )}
      </p>
      {s.error && <div className="notice notice-error">{s.error}</div>}
      <ul className="rejected-list" data-testid="rejected-list">
        {s.items.map((it) => (
          <li key={it.id}>
            <button type="button" className={`rejected-row${s.detail?.id === it.id ? ' is-selected' : ''}`} onClick={() => void store.getState().openRejected(it.id)}>
              <span className="rejected-status">{it.httpStatus}</span> {it.method} <code>{it.path}</code>{' '}
              <span className="muted small">{when(it.receivedAt)} · {it.source ?? 'local'}</span>
              {it.diagnosis && <span className="rejected-why small">{it.diagnosis}</span>}
            </button>
          </li>
        ))}
      </ul>
      {s.detail && <Detail d={s.detail} />}
    </div>
  );
}
