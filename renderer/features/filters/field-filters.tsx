// Field filters in the filter bar: `PATH OP VALUE` conditions (shared/where.ts) typed with path completion,
// shown as removable chips; they live in the filter (and so in the URL as where=…).
import { useMemo, useState } from 'react';
import { INDEXED_RAW_PATHS, WHERE_MAX_CONDITIONS, formatCondition, parseCondition } from '../../../shared/where';
import { useApp, useAppStore } from '../../state/hooks';
import type { AppState } from '../../state/context';
import { useMask } from '../privacy/privacy';
import { shownCondition } from './field-chip';
import { revealInvisible } from '../../../shared/invisible';
import { SafeText } from '../../ui/safe-text';

export const FIELD_FILTER_INPUT_ID = 'hs-field-filter';
const NO_EVENTS: AppState['events'] = [];

/**
 * `details.…` paths seen in the loaded events, then the indexed raw paths: what the input offers.
 * Read only while the input has focus: otherwise every live flush (the events change up to ten times a
 * second while they stream) would walk 300 events' details for a list nobody is looking at.
 */
function usePathSuggestions(active: boolean): string[] {
  const events = useApp((s) => (active ? s.events : NO_EVENTS));
  return useMemo(() => {
    const seen = new Set<string>();
    const walk = (v: unknown, path: string[], depth: number) => {
      if (seen.size > 200 || depth > 3 || v == null) return;
      if (typeof v === 'object' && !Array.isArray(v)) {
        for (const [k, x] of Object.entries(v as Record<string, unknown>)) if (/^[A-Za-z0-9_-]{1,64}$/.test(k)) walk(x, [...path, k], depth + 1);
        return;
      }
      if (path.length) seen.add(`details.${path.join('.')}`);
    };
    for (const e of events.slice(0, 300)) walk(e.details, [], 0);
    const raw = INDEXED_RAW_PATHS.map((p) => `raw.${p.replaceAll('*', '0')}`);
    return [...Array.from(seen).sort(), ...raw];
  }, [events]);
}

export function FieldFilters() {
  const store = useAppStore();
  const mask = useMask();
  const where = useApp((s) => s.filter.where) ?? [];
  const [draft, setDraft] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [focused, setFocused] = useState(false);
  const suggestions = usePathSuggestions(focused);

  const add = () => {
    const text = draft.trim();
    if (!text) return;
    try {
      const c = formatCondition(parseCondition(text));
      if (where.length >= WHERE_MAX_CONDITIONS) throw new Error(`At most ${WHERE_MAX_CONDITIONS} field filters.`);
      setError(null);
      setDraft('');
      if (!where.includes(c)) store.getState().setFilter({ where: [...where, c] });
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const remove = (c: string) => store.getState().setFilter({ where: where.filter((w) => w !== c) });

  return (
    <div className="filter-fields" role="group" aria-label="Field filters">
      {/* A value clicked in the payload tree is the sender's text: shown through the shared markers (shared/invisible.ts). */}
      {where.map((c) => (
        <span key={c} className="chip chip-active chip-field" data-testid="field-filter-chip">
          <code className="chip-label"><SafeText text={shownCondition(c, mask)} /></code>
          <button type="button" className="btn-bare" aria-label={`Remove field filter ${revealInvisible(shownCondition(c, mask))}`} onClick={() => remove(c)}>×</button>
        </span>
      ))}
      <input
        id={FIELD_FILTER_INPUT_ID}
        className="input input-field-filter"
        data-testid="field-filter-input"
        aria-label="Field filter"
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? 'hs-field-filter-error' : undefined}
        placeholder="raw.errors.0.code=131047"
        list="hs-field-paths"
        autoComplete="off"
        spellCheck={false}
        value={draft}
        onFocus={() => setFocused(true)}
        onBlur={() => setFocused(false)}
        onChange={(e) => { setDraft(e.target.value); if (error) setError(null); }}
        onKeyDown={(e) => {
          if (e.key === 'Enter') { e.preventDefault(); add(); }
          if (e.key === 'Escape' && draft) { e.stopPropagation(); setDraft(''); setError(null); }
        }}
      />
      <datalist id="hs-field-paths">
        {suggestions.map((p) => <option key={p} value={p} />)}
      </datalist>
      {error && <span id="hs-field-filter-error" role="alert" className="field-error small" data-testid="field-filter-error">{error}</span>}
    </div>
  );
}
