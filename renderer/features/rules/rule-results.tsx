// What a rule's HTTP actions answered: a test send's results, and the delivery history (who and what
// fired each delivery). Used by the rules list and the editor.
import { useEffect, useState } from 'react';
import type { RuleTestResult } from '../../../shared/ipc';
import type { DeliveryRecord } from '../../../shared/types';
import { useAppStore } from '../../state/hooks';
import { useMask } from '../privacy/privacy';

function statusText(status: number | null, error: string | null): string {
  if (status != null && status >= 200 && status < 300) return `${status} OK`;
  return error ?? (status != null ? `HTTP ${status}` : 'no answer');
}

export function TestResults({ result }: { result: RuleTestResult }) {
  return (
    <ul className="rule-test-results" data-testid="rule-test-result">
      {result.results.map((r) => (
        <li key={r.actionIndex} className={r.status != null && r.status < 300 && r.status >= 200 ? 'text-ok' : 'text-error'}>
          <span className="mono small">{r.url}</span> → <strong data-testid="rule-test-status">{statusText(r.status, r.error)}</strong>
          <span className="muted small"> in {Math.round(r.durationMs)} ms</span>
          {r.excerpt && <div className="mono small wrap-words muted">{r.excerpt.slice(0, 300)}</div>}
        </li>
      ))}
    </ul>
  );
}

/** Who and what fired a delivery: the contact, and a link that opens the event in the inspector. */
function FiredBy({ delivery: d }: { delivery: DeliveryRecord }) {
  const store = useAppStore();
  const mask = useMask();
  if (d.test) return <span className="muted">sample event</span>;
  return (
    <>
      {d.contactId ? <span className="mono" data-testid="delivery-contact">+{mask.number(d.contactId)}</span> : <span className="muted">no contact</span>}
      {d.eventId != null && (
        <>
          {' '}
          <a href={`#event-${d.eventId}`} data-testid="delivery-event" onClick={(ev) => { ev.preventDefault(); store.getState().select(d.eventId); }}>
            event #{d.eventId}
          </a>
        </>
      )}
    </>
  );
}

export function DeliveryHistory({ ruleId, refresh }: { ruleId: number; refresh: number }) {
  const store = useAppStore();
  const [items, setItems] = useState<DeliveryRecord[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    void store.getState().loadDeliveries(ruleId).then((r) => {
      if (!live) return;
      if (r.ok) { setItems(r.value); setError(null); } else setError(r.error);
    });
    return () => { live = false; };
  }, [store, ruleId, refresh]);
  if (error) return <p className="field-error" role="alert">{error}</p>;
  if (!items) return <p className="muted small">Loading the history…</p>;
  if (items.length === 0) return <p className="muted small" data-testid="rule-history-empty">No HTTP deliveries yet.</p>;
  return (
    <table className="rule-history small" data-testid="rule-history">
      <thead><tr><th>When</th><th>Fired by</th><th>Try</th><th>Result</th><th>Time</th><th>Target</th></tr></thead>
      <tbody>
        {items.map((d) => (
          <tr key={d.id} data-testid="delivery-row" className={d.status != null && d.status >= 200 && d.status < 300 ? 'text-ok' : 'text-error'}>
            <td>{new Date(d.at).toLocaleString()}{d.test ? ' (test)' : ''}</td>
            <td data-testid="delivery-source"><FiredBy delivery={d} /></td>
            <td>{d.attempt === 0 ? '—' : d.attempt}</td>
            <td className="wrap-words">{statusText(d.status, d.error)}{d.nextAttemptAt ? ` · retry at ${new Date(d.nextAttemptAt).toLocaleTimeString()}` : ''}</td>
            <td>{d.durationMs != null ? `${Math.round(d.durationMs)} ms` : ''}</td>
            <td className="mono">{d.url}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
