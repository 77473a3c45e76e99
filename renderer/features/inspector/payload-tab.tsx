import { useMemo } from 'react';
import type { EventDetail } from '../../../shared/types';
import { JsonTree, type TreeFilter } from '../../ui/json-tree';
import { conditionFor } from '../../../shared/where';
import { useAppStore } from '../../state/hooks';
import { parseBody } from './payload';
import { useMask } from '../privacy/privacy';

export function PayloadTab({ event: e }: { event: EventDetail }) {
  const mask = useMask();
  const parsed = useMemo(() => parseBody(mask.request(e.request)), [e.request, mask]);
  const raw = useMemo(() => mask.json(e.raw), [e.raw, mask]);
  const store = useAppStore();
  // Values come from the event itself, not the (maybe masked) tree: the filter matches what is stored.
  const rawFilter = useMemo<TreeFilter>(() => treeFilter('raw', e.raw, (c) => {
    const where = store.getState().filter.where ?? [];
    if (!where.includes(c)) store.getState().setFilter({ where: [...where, c] });
  }), [e.raw, store]);
  const detailsFilter = useMemo<TreeFilter>(() => treeFilter('details', e.details, (c) => {
    const where = store.getState().filter.where ?? [];
    if (!where.includes(c)) store.getState().setFilter({ where: [...where, c] });
  }), [e.details, store]);
  const details = useMemo(() => mask.json(e.details), [e.details, mask]);
  return (
    <div className="tab-body" data-testid="panel-payload">
      {parsed.kind === 'json' && <JsonTree value={parsed.value} />}
      {parsed.kind === 'form' && (
        <>
          <p className="muted">Form-encoded body, shown as fields.</p>
          <JsonTree value={parsed.value} />
        </>
      )}
      {parsed.kind === 'text' && (
        <>
          <div className="notice notice-error">The body is not valid JSON{parsed.error ? `: ${parsed.error}` : ''}. Shown as text.</div>
          <pre className="code-block">{parsed.text}</pre>
        </>
      )}
      {parsed.kind === 'binary' && <p className="muted">The body is not text; see the hex dump in Raw.</p>}
      {parsed.kind === 'empty' && <p className="muted">The request had no body.</p>}
      {e.details && Object.keys(e.details).length > 0 && (
        <details className="raw-object">
          <summary>What Hookscope read from it (details)</summary>
          <JsonTree value={details} rootLabel="details" testId="details-json-tree" filter={detailsFilter} />
        </details>
      )}
      {e.raw !== undefined && (
        <details className="raw-object">
          <summary>The provider object this event came from</summary>
          <JsonTree value={raw} rootLabel="raw" testId="raw-json-tree" filter={rawFilter} />
        </details>
      )}
    </div>
  );
}

function valueAt(root: unknown, keys: (string | number)[]): unknown {
  let v = root;
  for (const k of keys) {
    if (v == null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[k];
  }
  return v;
}

/** Field filters from a tree's values: offered where the grammar can express them (shared/where.ts conditionFor). */
export function treeFilter(root: 'raw' | 'details', doc: unknown, add: (condition: string) => void): TreeFilter {
  return {
    can: (keys) => conditionFor(root, keys, valueAt(doc, keys)) != null,
    apply: (keys, exclude) => {
      const c = conditionFor(root, keys, valueAt(doc, keys), exclude);
      if (c) add(c);
    },
  };
}
