// A collapsible JSON viewer. Every key and value is rendered as a React text node — payloads are
// hostile input and are never interpreted as markup. The tree is flattened into lines without
// recursion (json-lines.ts) and virtualised (only the lines in view are in the DOM), so deep nesting,
// huge arrays and long strings cost a bounded amount of work per render.
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useCallback, useMemo, useRef, useState } from 'react';
import { CopyButton } from './copy-button';
import { escapeInvisible } from '../../shared/invisible';
import {
  allContainers, copyableJson, flatten, initialOpen, isContainer, pathOf, sizeOf, stringifyJson,
  type JsonLine, type NodeLine,
} from './json-lines';

/** Children shown per container before "show more". */
const CHUNK = 100;
/** Lines flattened before "show more lines" (only those in view are rendered). */
const LINES_STEP = 20_000;
const LINE_HEIGHT = 22;
/** Small documents (a webhook is) open fully; big ones open a few levels. */
const OPEN_ALL_LIMIT = 200;
/** Deeper lines stop indenting further (and say their depth) so hostile nesting stays readable. */
const MAX_INDENT = 24;
/** Longer strings are cut until the user asks for all of it. */
const STRING_CUT = 2000;

/** "Filter on this" / "exclude this" for a value at `keys` (the inspector's field filters), when offered. */
export interface TreeFilter {
  can(keys: (string | number)[]): boolean;
  apply(keys: (string | number)[], exclude: boolean): void;
}

function keysOf(line: NodeLine): (string | number)[] {
  const keys: (string | number)[] = [];
  for (let l: NodeLine | null = line; l && l.key != null; l = l.parent) keys.push(l.key);
  return keys.reverse();
}

export function JsonTree({ value, rootLabel = '$', initialDepth = 3, testId = 'json-tree', filter }: { value: unknown; rootLabel?: string; initialDepth?: number; testId?: string; filter?: TreeFilter }) {
  const initial = useMemo(() => initialOpen(value, { depth: initialDepth, openAllLimit: OPEN_ALL_LIMIT, chunk: CHUNK }), [value, initialDepth]);
  const [open, setOpen] = useState<Set<object>>(initial);
  const [shown, setShown] = useState<Map<object, number>>(() => new Map());
  const [maxLines, setMaxLines] = useState(LINES_STEP);
  const [prevValue, setPrevValue] = useState(value);
  if (prevValue !== value) {
    setPrevValue(value);
    setOpen(initial);
    setShown(new Map());
    setMaxLines(LINES_STEP);
  }
  const { lines, truncated } = useMemo(() => flatten(value, { open, shown, chunk: CHUNK, maxLines }), [value, open, shown, maxLines]);

  const toggle = useCallback((c: object) => {
    setOpen((cur) => {
      const next = new Set(cur);
      if (next.has(c)) next.delete(c);
      else next.add(c);
      return next;
    });
  }, []);
  const showMore = useCallback((c: object, n: number) => {
    setShown((cur) => new Map(cur).set(c, n));
  }, []);
  const viewport = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: lines.length,
    getScrollElement: () => viewport.current,
    estimateSize: () => LINE_HEIGHT,
    overscan: 20,
    getItemKey: (i) => lines[i]?.id ?? i,
  });

  return (
    <div className="json-tree" data-testid={testId}>
      <div className="json-toolbar">
        <button type="button" className="btn btn-ghost btn-xs" onClick={() => setOpen(allContainers(value))}>Expand all</button>
        <button type="button" className="btn btn-ghost btn-xs" onClick={() => setOpen(isContainer(value) ? new Set([value]) : new Set())}>Collapse all</button>
        <CopyButton text={() => copyableJson(value)} label="Copy JSON" title="Copy the whole document" />
      </div>
      <div className="json-viewport" ref={viewport} tabIndex={0} aria-label={rootLabel === '$' ? 'Payload tree' : `Payload tree ${rootLabel}`} role="region">
        <div className="json-root" role="list" style={{ height: virtualizer.getTotalSize() }}>
          {virtualizer.getVirtualItems().map((vi) => {
            const l = lines[vi.index];
            if (!l) return null;
            return (
              <div key={vi.key} data-index={vi.index} ref={virtualizer.measureElement} className="json-slot" style={{ transform: `translateY(${vi.start}px)` }} role="none">
                {l.type === 'node'
                  ? <Line line={l} rootLabel={rootLabel} toggle={toggle} filter={filter} />
                  : <More line={l} onMore={showMore} />}
              </div>
            );
          })}
        </div>
      </div>
      {truncated && (
        <div className="json-more">
          <button type="button" className="btn btn-ghost btn-xs" data-testid="json-more-lines" onClick={() => setMaxLines((n) => n + LINES_STEP)}>
            Show {LINES_STEP} more lines
          </button>
        </div>
      )}
    </div>
  );
}

function indent(depth: number) {
  return { paddingLeft: Math.min(depth, MAX_INDENT) * 14 };
}

const Line = memo(function Line({ line, rootLabel, toggle, filter }: { line: NodeLine; rootLabel: string; toggle(c: object): void; filter?: TreeFilter }) {
  const { value, key, open, depth } = line;
  const container = isContainer(value);
  const n = container ? sizeOf(value) : 0;
  const label = key == null ? null : typeof key === 'number' ? <span className="json-index">{key}</span> : <span className="json-key">{escapeInvisible(key)}</span>;
  return (
    <div
      role="listitem"
      aria-level={depth + 1}
      className="json-line"
      style={indent(depth)}
    >
      {depth > MAX_INDENT && <span className="json-depth" title={`Nested ${depth} levels deep`}>{depth}›</span>}
      {container ? (
        <button type="button" className="json-toggle" aria-expanded={open} aria-label={`${open ? 'Collapse' : 'Expand'} ${key ?? 'document'}`} onClick={() => toggle(value)}>
          {open ? '▾' : '▸'}
        </button>
      ) : (
        <span className="json-toggle-spacer" />
      )}
      {label}
      {label && <span className="json-punct">: </span>}
      {container ? (
        <span className="json-summary" onClick={() => toggle(value)}>
          {Array.isArray(value) ? `[${n}]` : `{${n}}`}
          {!open && n > 0 && <span className="json-preview"> {escapeInvisible(stringifyJson(value, 0, 60))}</span>}
        </span>
      ) : (
        <Scalar value={value} />
      )}
      <span className="json-actions">
        <CopyButton text={() => copyableJson(value)} label="Copy value" title="Copy value" />
        <CopyButton text={() => pathOf(line, rootLabel)} label="Copy path" title="Copy path" />
        {filter && !container && filter.can(keysOf(line)) && (
          <>
            <button type="button" className="btn btn-ghost btn-xs" data-testid="tree-filter" title="Show only events with this value here" onClick={() => filter.apply(keysOf(line), false)}>Filter</button>
            <button type="button" className="btn btn-ghost btn-xs" data-testid="tree-exclude" title="Hide events with this value here" onClick={() => filter.apply(keysOf(line), true)}>Exclude</button>
          </>
        )}
      </span>
    </div>
  );
});

function More({ line, onMore }: { line: Extract<JsonLine, { type: 'more' }>; onMore(c: object, n: number): void }) {
  const step = CHUNK * 5;
  return (
    <div className="json-more" role="listitem" style={indent(line.depth)}>
      <button type="button" className="btn btn-ghost btn-xs" onClick={() => onMore(line.owner, line.shown + step)}>
        Show {Math.min(step, line.remaining)} more of {line.remaining}
      </button>
    </div>
  );
}

function Scalar({ value }: { value: unknown }) {
  const [all, setAll] = useState(false);
  if (value === null) return <span className="json-null">null</span>;
  switch (typeof value) {
    case 'string': {
      if (value.length <= STRING_CUT || all) return <span className="json-string">{escapeInvisible(JSON.stringify(value))}</span>;
      return (
        <span className="json-string">
          {escapeInvisible(JSON.stringify(value.slice(0, STRING_CUT)))}…{' '}
          <button type="button" className="btn btn-ghost btn-xs" onClick={() => setAll(true)}>Show all {value.length.toLocaleString('en')} characters</button>
        </span>
      );
    }
    case 'number': return <span className="json-number">{String(value)}</span>;
    case 'boolean': return <span className="json-bool">{String(value)}</span>;
    default: return <span className="json-null">{String(value)}</span>;
  }
}
