// A small collapsible JSON viewer. Every key and value is rendered as a React text node — payloads
// are hostile input and are never interpreted as markup.
import { useCallback, useMemo, useState } from 'react';
import { CopyButton } from './copy-button';
import { childPath, copyableValue } from './json-path';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const CHUNK = 100;

function isContainer(v: unknown): v is Json[] | { [k: string]: Json } {
  return v !== null && typeof v === 'object';
}

/** Paths of every container up to `depth` levels deep (the initially open ones). */
function pathsToDepth(v: unknown, path: string, depth: number, out: Set<string>) {
  if (!isContainer(v) || depth < 0) return;
  out.add(path);
  const entries = Array.isArray(v) ? v.map((x, i) => [i, x] as const) : Object.entries(v);
  for (const [k, x] of entries.slice(0, CHUNK)) pathsToDepth(x, childPath(path, k), depth - 1, out);
}

/** Small documents (a webhook is) open fully; big ones open a few levels. */
const OPEN_ALL_LIMIT = 200;

export function JsonTree({ value, rootLabel = '$', initialDepth = 3, testId = 'json-tree' }: { value: unknown; rootLabel?: string; initialDepth?: number; testId?: string }) {
  const initial = useMemo(() => {
    const all = new Set<string>();
    pathsToDepth(value, rootLabel, 12, all);
    if (all.size <= OPEN_ALL_LIMIT) return all;
    const s = new Set<string>();
    pathsToDepth(value, rootLabel, initialDepth, s);
    return s;
  }, [value, rootLabel, initialDepth]);
  const [open, setOpen] = useState<Set<string>>(initial);
  const [prevValue, setPrevValue] = useState(value);
  if (prevValue !== value) {
    setPrevValue(value);
    setOpen(initial);
  }
  const toggle = useCallback((p: string) => {
    setOpen((cur) => {
      const next = new Set(cur);
      if (next.has(p)) next.delete(p);
      else next.add(p);
      return next;
    });
  }, []);
  const expandAll = () => {
    const s = new Set<string>();
    pathsToDepth(value, rootLabel, 64, s);
    setOpen(s);
  };
  return (
    <div className="json-tree" data-testid={testId}>
      <div className="json-toolbar">
        <button type="button" className="btn btn-ghost btn-xs" onClick={expandAll}>Expand all</button>
        <button type="button" className="btn btn-ghost btn-xs" onClick={() => setOpen(new Set([rootLabel]))}>Collapse all</button>
        <CopyButton text={copyableValue(value)} label="Copy JSON" title="Copy the whole document" />
      </div>
      <ul className="json-root" role="tree">
        <JsonNode name={null} value={value} path={rootLabel} open={open} toggle={toggle} />
      </ul>
    </div>
  );
}

interface NodeProps {
  name: string | number | null;
  value: unknown;
  path: string;
  open: Set<string>;
  toggle(p: string): void;
}

function JsonNode({ name, value, path, open, toggle }: NodeProps) {
  const [shown, setShown] = useState(CHUNK);
  const container = isContainer(value);
  const isOpen = container && open.has(path);
  const entries: [string | number, unknown][] = !container
    ? []
    : Array.isArray(value) ? value.map((x, i) => [i, x]) : Object.entries(value);
  const label = name == null ? null : typeof name === 'number' ? <span className="json-index">{name}</span> : <span className="json-key">{name}</span>;
  return (
    <li role="treeitem" aria-expanded={container ? isOpen : undefined} className="json-node">
      <div className="json-line" title={path}>
        {container ? (
          <button type="button" className="json-toggle" aria-label={isOpen ? 'Collapse' : 'Expand'} onClick={() => toggle(path)}>
            {isOpen ? '▾' : '▸'}
          </button>
        ) : (
          <span className="json-toggle-spacer" />
        )}
        {label}
        {label && <span className="json-punct">: </span>}
        {container ? (
          <span className="json-summary" onClick={() => toggle(path)}>
            {Array.isArray(value) ? `[${entries.length}]` : `{${entries.length}}`}
            {!isOpen && entries.length > 0 && <span className="json-preview"> {preview(value)}</span>}
          </span>
        ) : (
          <Scalar value={value} />
        )}
        <span className="json-actions">
          <CopyButton text={copyableValue(value)} label="Copy value" title="Copy value" />
          <CopyButton text={path} label="Copy path" title={`Copy path ${path}`} />
        </span>
      </div>
      {isOpen && entries.length > 0 && (
        <ul role="group" className="json-children">
          {entries.slice(0, shown).map(([k, v]) => (
            <JsonNode key={String(k)} name={k} value={v} path={childPath(path, k)} open={open} toggle={toggle} />
          ))}
          {entries.length > shown && (
            <li className="json-more">
              <button type="button" className="btn btn-ghost btn-xs" onClick={() => setShown((n) => n + CHUNK * 5)}>
                Show {Math.min(CHUNK * 5, entries.length - shown)} more of {entries.length - shown}
              </button>
            </li>
          )}
        </ul>
      )}
    </li>
  );
}

function Scalar({ value }: { value: unknown }) {
  if (value === null) return <span className="json-null">null</span>;
  switch (typeof value) {
    case 'string': return <span className="json-string">{JSON.stringify(value)}</span>;
    case 'number': return <span className="json-number">{String(value)}</span>;
    case 'boolean': return <span className="json-bool">{String(value)}</span>;
    default: return <span className="json-null">{String(value)}</span>;
  }
}

function preview(v: unknown): string {
  try {
    const s = JSON.stringify(v);
    return s.length > 60 ? `${s.slice(0, 60)}…` : s;
  } catch {
    return '';
  }
}
