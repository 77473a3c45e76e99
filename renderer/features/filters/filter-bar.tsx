// Filters: status toggles with live counts, provider, kind, contact, time range, full-text search.
// The state lives in the store (and the URL, via main.tsx); changing it refetches page 1.
import { useState } from 'react';
import type { EventFilter, EventKind, Provider } from '../../../shared/types';
import { EVENT_KINDS } from '../../../shared/types';
import { KIND_LABELS } from '../../../shared/event-words';
import { STATUS_GROUPS, isFilterEmpty } from '../../state/filter-match';
import { useApp, useAppStore } from '../../state/hooks';
import { DebouncedInput } from './debounced-input';
import { usePrivacy } from '../privacy/privacy';
import { FieldFilters } from './field-filters';
import { BusinessFilter } from './business-filter';

export const SEARCH_INPUT_ID = 'hs-search';

const RANGES: { label: string; ms: number | null }[] = [
  { label: 'Any time', ms: null },
  { label: 'Last 15 minutes', ms: 15 * 60_000 },
  { label: 'Last hour', ms: 3_600_000 },
  { label: 'Last 24 hours', ms: 86_400_000 },
  { label: 'Last 7 days', ms: 7 * 86_400_000 },
];

export function FilterBar() {
  const store = useAppStore();
  const privacyOn = usePrivacy((s) => s.on);
  const filter = useApp((s) => s.filter);
  // The Messages view counts messages (one per message id), as it lists them; the Events view, events.
  const counts = useApp((s) => (s.view === 'messages' ? s.messageCounts?.byStatus ?? null : s.statusCounts));
  const noStatus = useApp((s) => (s.view === 'messages' ? 0 : s.noStatusCount));
  const setFilter = (patch: Partial<EventFilter>) => store.getState().setFilter(patch);
  const [custom, setCustom] = useState(false);

  const statuses = new Set(filter.status ?? []);
  const toggleGroup = (group: (typeof STATUS_GROUPS)[number]) => {
    const active = group.statuses.every((s) => statuses.has(s));
    const next = new Set(statuses);
    for (const s of group.statuses) {
      if (active) next.delete(s);
      else next.add(s);
    }
    setFilter({ status: Array.from(next) });
  };

  const providers = new Set(filter.provider ?? []);
  const toggleProvider = (p: Provider) => {
    const next = new Set(providers);
    if (next.has(p)) next.delete(p);
    else next.add(p);
    setFilter({ provider: Array.from(next) });
  };

  const rangeValue = filter.since != null || filter.until != null ? 'custom' : 'any';

  return (
    <div className="filter-bar" data-testid="filter-bar">
      <div className="filter-group" role="group" aria-label="Status">
        {STATUS_GROUPS.map((g) => {
          const active = g.statuses.every((s) => statuses.has(s));
          const count = counts ? g.statuses.reduce((n, s) => n + (counts[s] ?? 0), 0) : null;
          return (
            <button
              key={g.label}
              type="button"
              className={`chip chip-${g.label.toLowerCase()}${active ? ' chip-active' : ''}`}
              aria-pressed={active}
              data-testid={`status-toggle-${g.label.toLowerCase()}`}
              title={g.statuses.length > 1 ? g.statuses.join(', ') : undefined}
              onClick={() => toggleGroup(g)}
            >
              <span className="chip-label">{g.label}</span>
              {count != null && <span className="chip-count" data-testid="status-count">{count}</span>}
            </button>
          );
        })}
        {/* Events without a status (templates, account updates…) are in the list but in no chip: say how many. */}
        {counts && noStatus > 0 && !filter.status?.length && (
          <span className="muted small chip-note" data-testid="no-status-count" title="Template, account, verification and other events carry no message status">
            +{noStatus} without a status
          </span>
        )}
      </div>

      <div className="filter-group" role="group" aria-label="Provider">
        {(['meta', 'twilio'] as Provider[]).map((p) => (
          <button key={p} type="button" className={`chip${providers.has(p) ? ' chip-active' : ''}`} aria-pressed={providers.has(p)} onClick={() => toggleProvider(p)}>
            {p === 'meta' ? 'Meta' : 'Twilio'}
          </button>
        ))}
      </div>

      <label className="filter-field">
        <span className="sr-only">Kind</span>
        <select
          value={filter.kind?.length === 1 ? filter.kind[0] : filter.kind?.length ? '__many' : ''}
          onChange={(e) => setFilter({ kind: e.target.value ? [e.target.value as EventKind] : undefined })}
          aria-label="Kind"
        >
          <option value="">All kinds</option>
          {filter.kind && filter.kind.length > 1 && <option value="__many" disabled>{filter.kind.join(', ')}</option>}
          {EVENT_KINDS.map((k) => <option key={k} value={k}>{KIND_LABELS[k]}</option>)}
        </select>
      </label>

      <label className="filter-field">
        <span className="sr-only">Contact</span>
        <DebouncedInput
          className="input input-contact"
          placeholder="Contact 5511*"
          aria-label="Contact number"
          // The inspector's Filter button puts a customer's number here: dotted out in privacy mode.
          type={privacyOn ? 'password' : 'text'}
          autoComplete="off"
          value={filter.contact ?? ''}
          onCommit={(v) => setFilter({ contact: v.trim() || undefined })}
        />
      </label>

      <label className="filter-field">
        <span className="sr-only">Time range</span>
        <select
          aria-label="Time range"
          value={custom || rangeValue === 'custom' ? 'custom' : 'any'}
          onChange={(e) => {
            const v = e.target.value;
            if (v === 'any') { setCustom(false); setFilter({ since: undefined, until: undefined }); return; }
            if (v === 'custom') { setCustom(true); return; }
            setCustom(true);
            setFilter({ since: Date.now() - Number(v), until: undefined });
          }}
        >
          {RANGES.map((r) => <option key={r.label} value={r.ms == null ? 'any' : String(r.ms)}>{r.label}</option>)}
          <option value="custom">Custom range…</option>
        </select>
      </label>
      {(custom || rangeValue === 'custom') && (
        <span className="filter-range">
          <input type="datetime-local" className="input" aria-label="From" value={toLocalInput(filter.since)}
            onChange={(e) => setFilter({ since: fromLocalInput(e.target.value) })} />
          <span aria-hidden="true">→</span>
          <input type="datetime-local" className="input" aria-label="Until" value={toLocalInput(filter.until)}
            onChange={(e) => setFilter({ until: fromLocalInput(e.target.value) })} />
        </span>
      )}

      <div className="filter-search">
        <DebouncedInput
          id={SEARCH_INPUT_ID}
          type="search"
          className="input input-search"
          placeholder="Search text, number, message id, error code, template   /"
          aria-label="Search"
          data-testid="search"
          escapeClears
          value={filter.q ?? ''}
          onCommit={(v) => setFilter({ q: v.trim() ? v : undefined })}
        />
      </div>
      <FieldFilters />
      <BusinessFilter />
      {!isFilterEmpty(filter) && (
        <button type="button" className="btn btn-ghost btn-xs" onClick={() => { setCustom(false); store.getState().clearFilters(); }}>
          Clear
        </button>
      )}
    </div>
  );
}

function toLocalInput(ms: number | undefined): string {
  if (ms == null) return '';
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

function fromLocalInput(v: string): number | undefined {
  if (!v) return undefined;
  const t = new Date(v).getTime();
  return Number.isFinite(t) ? t : undefined;
}
