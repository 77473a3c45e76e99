// Saved views: named filters (search and field filters included) and columns, kept by the core and
// listed here; one may be the default (opened at start when the URL holds no filter). Each has a link
// (`?savedView=ID`, never the token) and can become a rule ("notify me when this view gets a new row").
import { useState } from 'react';
import type { EventFilter, RuleWhen, SavedView } from '../../../shared/types';
import { parseCondition } from '../../../shared/where';
import { sameFilter } from '../../state/slices/filters';
import { useApp, useAppStore } from '../../state/hooks';
import { isFilterEmpty } from '../../state/filter-match';
import { shareLink } from '../../state/url-filter';

export function SavedViews() {
  const store = useAppStore();
  const views = useApp((s) => s.savedViews);
  const filter = useApp((s) => s.filter);
  const error = useApp((s) => s.viewsError);
  const [naming, setNaming] = useState(false);
  const [name, setName] = useState('');
  const [note, setNote] = useState<string | null>(null);

  const save = async () => {
    const n = name.trim();
    if (!n) return;
    const v = await store.getState().saveView(n);
    if (v) { setNaming(false); setName(''); setNote(`Saved “${v.name}”.`); }
  };

  return (
    <nav className="saved-views" aria-label="Saved views" data-testid="saved-views">
      <span className="muted small">Views:</span>
      {views.length === 0 && <span className="muted small">none yet</span>}
      <ul className="saved-views-list">
        {views.map((v) => (
          <ViewItem key={v.id} view={v} active={sameFilter(v.filter, filter)} onNote={setNote} />
        ))}
      </ul>
      {naming ? (
        <form className="saved-views-form" onSubmit={(e) => { e.preventDefault(); void save(); }}>
          <input className="input" aria-label="View name" data-testid="view-name" autoFocus maxLength={80} value={name}
            onChange={(e) => setName(e.target.value)} onKeyDown={(e) => { if (e.key === 'Escape') { e.stopPropagation(); setNaming(false); } }} />
          <button type="submit" className="btn btn-xs" data-testid="view-save-confirm" data-admin-only>Save</button>
          <button type="button" className="btn btn-ghost btn-xs" onClick={() => setNaming(false)}>Cancel</button>
        </form>
      ) : (
        <button type="button" className="btn btn-ghost btn-xs" data-testid="view-save" data-admin-only disabled={isFilterEmpty(filter)}
          title={isFilterEmpty(filter) ? 'Set a filter or a search first' : 'Save this filter, search and columns as a view'} onClick={() => setNaming(true)}>
          + Save view
        </button>
      )}
      {(note || error) && <span className="small muted" role="status" data-testid="views-note">{error ?? note}</span>}
    </nav>
  );
}

function ViewItem({ view: v, active, onNote }: { view: SavedView; active: boolean; onNote(s: string): void }) {
  const store = useAppStore();
  const link = () => shareLink(window.location, `?savedView=${v.id}`);
  const notify = async () => {
    const { when, left } = ruleWhenOfFilter(v.filter);
    const r = await store.getState().createRule({ name: `New in view “${v.name}”`, enabled: true, when, title: `${v.name}: {contactName}`, body: '{text}' });
    if (!r.ok) { onNote(`Could not make the rule: ${r.error}`); return; }
    onNote(left.length
      ? `A rule now notifies you of new rows in “${v.name}” (rules cannot test ${left.join(', ')}: it fires without those conditions).`
      : `A rule now notifies you of new rows in “${v.name}”.`);
  };
  return (
    <li className={`saved-view${active ? ' is-active' : ''}`} data-testid="saved-view">
      <button type="button" className={`chip${active ? ' chip-active' : ''}`} aria-pressed={active} data-testid="saved-view-open"
        onClick={() => store.getState().openView(v.id)}>
        {v.isDefault && <span aria-label="default view" title="Opened at start">★ </span>}
        {v.name}
      </button>
      <details className="saved-view-menu">
        <summary className="btn btn-ghost btn-xs" aria-label={`More for view ${v.name}`}>⋯</summary>
        <div className="menu">
          <button type="button" className="btn btn-ghost btn-xs" data-testid="saved-view-link"
            onClick={() => { void navigator.clipboard?.writeText(link()).catch(() => undefined); onNote(`Link: ${link()}`); }}>Copy link</button>
          <button type="button" className="btn btn-ghost btn-xs" data-admin-only data-testid="saved-view-default"
            onClick={() => void store.getState().updateView(v.id, { isDefault: !v.isDefault })}>{v.isDefault ? 'Not default' : 'Make default'}</button>
          <button type="button" className="btn btn-ghost btn-xs" data-admin-only data-testid="saved-view-update"
            onClick={() => void store.getState().updateView(v.id, { filter: store.getState().filter })}>Save current filter here</button>
          <button type="button" className="btn btn-ghost btn-xs" data-admin-only data-testid="saved-view-notify" onClick={() => void notify()}>Notify me of new rows</button>
          <button type="button" className="btn btn-ghost btn-xs btn-danger" data-admin-only data-testid="saved-view-delete"
            onClick={() => void store.getState().deleteView(v.id)}>Delete</button>
        </div>
      </details>
    </li>
  );
}

/**
 * A rule's condition from a view's filter: the parts rules can test (shared/rules.ts) — kinds, statuses,
 * providers, contact, signature, search words, `raw.errors.0.code=…` as an error code. `left` names the
 * rest (time range, other field filters, business number), which the rule cannot express.
 */
export function ruleWhenOfFilter(f: EventFilter): { when: RuleWhen; left: string[] } {
  const when: RuleWhen = {};
  const left: string[] = [];
  if (f.kind?.length) when.kind = f.kind;
  if (f.status?.length) when.status = f.status;
  if (f.provider?.length) when.provider = f.provider;
  if (f.signature?.length) when.signature = f.signature;
  if (f.contact) when.contact = f.contact;
  if (f.q) when.text = f.q;
  for (const w of f.where ?? []) {
    const c = parseCondition(w);
    if (c.root === 'raw' && c.op === '=' && c.path.join('.') === 'errors.0.code' && c.value) (when.errorCode ??= []).push(c.value);
    else left.push(w);
  }
  if (f.businessId) left.push('the business number');
  if (f.since != null || f.until != null) left.push('the time range');
  if (f.messageId) left.push('the message id');
  return { when, left };
}
