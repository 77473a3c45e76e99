// Settings → Business numbers: the receiving numbers seen (Meta's phone_number_id, Twilio's To), each
// with a name the feed's Business column and the filter bar show. Kept in the database.
import { useEffect, useState } from 'react';
import { useApp, useAppStore } from '../../state/hooks';

export function BusinessNamesSection() {
  const store = useAppStore();
  const businesses = useApp((s) => s.businesses);
  useEffect(() => { void store.getState().loadBusinesses(); }, [store]);
  return (
    <section className="panel-section" data-testid="settings-businesses">
      <h3 className="section-title">Business numbers</h3>
      {businesses.length === 0 && <p className="muted small">No business number has received anything yet.</p>}
      {businesses.map((b) => <NameRow key={b.businessId} businessId={b.businessId} name={b.name} events={b.events} />)}
    </section>
  );
}

function NameRow({ businessId, name, events }: { businessId: string; name: string | null; events: number }) {
  const store = useAppStore();
  const [draft, setDraft] = useState(name ?? '');
  const [state, setState] = useState<string | null>(null);
  const save = async () => {
    try {
      await store.getState().nameBusiness(businessId, draft.trim() || null);
      setState('Saved');
    } catch (err) {
      setState(`Not saved: ${(err as Error).message}`);
    }
  };
  return (
    <form className="panel-row form-row" onSubmit={(e) => { e.preventDefault(); void save(); }}>
      <label>
        <span className="mono">{businessId}</span> <span className="muted small">({events} events)</span>
        <input className="input" aria-label={`Name for ${businessId}`} data-testid={`business-name-${businessId}`} maxLength={80}
          value={draft} placeholder="e.g. Support line" onChange={(e) => { setDraft(e.target.value); setState(null); }} />
      </label>
      <button type="submit" className="btn btn-xs" data-admin-only>Save</button>
      {state && <span className="small muted" role="status">{state}</span>}
    </form>
  );
}
