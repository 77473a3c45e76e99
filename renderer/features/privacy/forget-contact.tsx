// "Forget this contact": counts what would be erased, asks, then erases everything stored about the
// number (docs/api.md, "Forget a contact"). Reached from the inspector's summary and conversation.
import { useEffect, useState } from 'react';
import type { ForgetResult } from '../../../shared/types';
import { useAppStore } from '../../state/hooks';
import { useMask } from './privacy';

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString()} ${n === 1 ? one : many}`;
}

export function forgetSummary(r: ForgetResult): string {
  const parts = [plural(r.events, 'event'), plural(r.requests, 'request')];
  if (r.requestsEdited) parts.push(`${plural(r.requestsEdited, 'shared request')} edited (another contact's part kept)`);
  parts.push(plural(r.notifications, 'notification'));
  if (r.deliveries) parts.push(plural(r.deliveries, 'action delivery', 'action deliveries'));
  return parts.join(', ');
}

/** The confirmation's word on the rewrite that follows the erase (it holds new webhooks meanwhile). */
export function rewriteNote(r: ForgetResult): string | null {
  if (r.databaseBytes == null || r.rewriteEstimateMs == null) return null;
  const mb = r.databaseBytes / 2 ** 20;
  const size = mb >= 1024 ? `${(mb / 1024).toFixed(1)} GB` : `${Math.max(1, Math.round(mb))} MB`;
  const s = r.rewriteEstimateMs / 1000;
  const time = s < 1 ? 'under a second' : s < 90 ? `about ${Math.ceil(s)} seconds` : `about ${Math.ceil(s / 60)} minutes`;
  return `Then the database file (${size}) is rewritten so that no byte of them stays in free space or the log: ${time}, during which new webhooks wait.`;
}

export function ForgetContact({ contactId }: { contactId: string }) {
  const store = useAppStore();
  const mask = useMask();
  const [preview, setPreview] = useState<ForgetResult | null>(null);
  const [busy, setBusy] = useState(false);
  const [msg, setMsg] = useState<{ error: boolean; text: string } | null>(null);
  useEffect(() => { setPreview(null); setMsg(null); }, [contactId]);

  const count = async () => {
    setBusy(true);
    setMsg(null);
    const r = await store.getState().forgetContact(contactId, true);
    setBusy(false);
    if (r.ok) setPreview(r.value);
    else setMsg({ error: true, text: r.error });
  };
  const erase = async () => {
    setBusy(true);
    const r = await store.getState().forgetContact(contactId, false);
    setBusy(false);
    setPreview(null);
    // The inspector closes once the event is gone; the answer is kept in the feed's notice area meanwhile.
    setMsg(r.ok ? { error: false, text: `Forgotten: ${forgetSummary(r.value)} erased.` } : { error: true, text: r.error });
  };

  const who = `+${mask.number(contactId)}`;
  return (
    <div className="forget-contact" data-admin-only data-testid="forget-contact">
      {!preview && (
        <button type="button" className="btn btn-xs btn-danger" disabled={busy} onClick={() => void count()} data-testid="forget-contact-start"
          title="Erase every request, event, notification and delivery about this number">Forget this contact…</button>
      )}
      {preview && (
        <div className="notice notice-error" role="alertdialog" aria-label="Forget this contact" data-testid="forget-contact-confirm">
          <p>Erase everything stored about {who}: <strong data-testid="forget-contact-counts">{forgetSummary(preview)}</strong>. Other contacts are untouched. This cannot be undone.</p>
          {rewriteNote(preview) && <p className="small" data-testid="forget-contact-cost">{rewriteNote(preview)}</p>}
          <div className="panel-row">
            <button type="button" className="btn btn-xs btn-danger" disabled={busy} onClick={() => void erase()} data-testid="forget-contact-confirm-button">Erase</button>
            <button type="button" className="btn btn-xs btn-ghost" disabled={busy} onClick={() => setPreview(null)}>Cancel</button>
          </div>
        </div>
      )}
      {msg && <div className={msg.error ? 'field-error' : 'muted small'} role={msg.error ? 'alert' : 'status'} data-testid="forget-contact-result">{msg.text}</div>}
    </div>
  );
}
