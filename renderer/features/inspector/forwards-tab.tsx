// Where the request was forwarded and what each handler answered.
import type { EventDetail } from '../../../shared/types';
import { formatDuration } from '../../ui/format';
import { useMask } from '../privacy/privacy';

export function ForwardsTab({ event: e }: { event: EventDetail }) {
  const forwards = e.request.forwards ?? [];
  const mask = useMask();
  return (
    <div className="tab-body" data-testid="panel-forwards">
      {forwards.length === 0 ? (
        <p className="muted" data-testid="no-forwards">
          This request was not forwarded. Add forward targets in Settings (or run serve with --forward-to) to send every webhook on to your handler.
        </p>
      ) : (
        <ul className="forward-list">
          {forwards.map((f, i) => {
            const ok = f.status != null && f.status >= 200 && f.status < 300;
            return (
              <li key={i} className="forward-item" data-testid="forward-item">
                <div className="panel-row">
                  <span className={`level-pill ${ok ? 'level-ok' : 'level-error'}`} data-testid="forward-status">
                    {f.status != null ? `HTTP ${f.status}` : 'no answer'}
                  </span>
                  <code className="wrap grow" data-testid="forward-target">{f.target}</code>
                  <span className="muted small" data-testid="forward-latency">{f.durationMs != null ? formatDuration(f.durationMs) : '—'}</span>
                </div>
                {f.error && <div className="field-error" data-testid="forward-error">{f.error}</div>}
                {f.responseExcerpt ? (
                  <>
                    <div className="muted small">Response</div>
                    <pre className="code-block" data-testid="forward-response">{mask.text(f.responseExcerpt)}</pre>
                  </>
                ) : null}
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}
