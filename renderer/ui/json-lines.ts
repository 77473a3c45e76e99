// The JSON tree as a flat list of lines, built without recursion. Payloads are hostile: a 12 KB body can
// nest 6,000 arrays, and recursive walkers (React components per level, JSON.stringify, path strings per
// node) overflow the stack or go quadratic on it. Everything here is iterative, bounded by a budget, and
// keyed by container identity rather than by path string (a path is O(depth) long; it is built only when
// a user asks for it).
import { childPath } from './json-path';

export type Container = unknown[] | Record<string, unknown>;

export function isContainer(v: unknown): v is Container {
  return v !== null && typeof v === 'object';
}

const keyCache = new WeakMap<object, string[]>();

/** Own keys of an object (cached: a huge object's keys are listed once, not per render). */
function keysOf(o: Record<string, unknown>): string[] {
  let k = keyCache.get(o);
  if (!k) { k = Object.keys(o); keyCache.set(o, k); }
  return k;
}

export function sizeOf(v: Container): number {
  return Array.isArray(v) ? v.length : keysOf(v).length;
}

function entryAt(v: Container, i: number): [string | number, unknown] {
  if (Array.isArray(v)) return [i, v[i]];
  const k = keysOf(v)[i];
  return [k, v[k]];
}

const ids = new WeakMap<object, number>();
let nextId = 1;
/** A stable small id per container object, for React keys. */
export function containerId(o: object): number {
  let id = ids.get(o);
  if (id == null) { id = nextId++; ids.set(o, id); }
  return id;
}

export interface NodeLine {
  type: 'node';
  /** Stable across renders: the parent container's id and the key. */
  id: string;
  depth: number;
  key: string | number | null;
  value: unknown;
  parent: NodeLine | null;
  open: boolean;
  /** Position among its siblings (1-based) and how many siblings there are, for assistive tech. */
  pos: number;
  setSize: number;
}

export interface MoreLine {
  type: 'more';
  id: string;
  depth: number;
  owner: Container;
  shown: number;
  remaining: number;
}

export type JsonLine = NodeLine | MoreLine;

export interface FlattenOptions {
  /** Containers shown open. */
  open: ReadonlySet<object>;
  /** Children shown per container (default `chunk`), raised by "show more". */
  shown: ReadonlyMap<object, number>;
  chunk: number;
  /** Stop after this many lines (the caller offers to show more). */
  maxLines: number;
}

/** The visible lines, depth first, at most `maxLines`; `truncated` when more would follow. */
export function flatten(root: unknown, o: FlattenOptions): { lines: JsonLine[]; truncated: boolean } {
  const lines: JsonLine[] = [];
  const rootLine: NodeLine = { type: 'node', id: 'root', depth: 0, key: null, value: root, parent: null, open: isContainer(root) && o.open.has(root), pos: 1, setSize: 1 };
  lines.push(rootLine);
  interface Frame { c: Container; line: NodeLine; i: number; end: number; size: number }
  const frameFor = (line: NodeLine): Frame => {
    const c = line.value as Container;
    const size = sizeOf(c);
    return { c, line, i: 0, end: Math.min(size, o.shown.get(c) ?? o.chunk), size };
  };
  const stack: Frame[] = rootLine.open ? [frameFor(rootLine)] : [];
  while (stack.length) {
    if (lines.length >= o.maxLines) return { lines, truncated: true };
    const f = stack[stack.length - 1];
    if (f.i >= f.end) {
      stack.pop();
      if (f.size > f.end) {
        lines.push({ type: 'more', id: `${containerId(f.c)}:more`, depth: f.line.depth + 1, owner: f.c, shown: f.end, remaining: f.size - f.end });
      }
      continue;
    }
    const [key, value] = entryAt(f.c, f.i);
    f.i++;
    const open = isContainer(value) && o.open.has(value);
    const line: NodeLine = {
      type: 'node', id: `${containerId(f.c)}:${typeof key}:${key}`, depth: f.line.depth + 1, key, value, parent: f.line, open,
      pos: f.i, setSize: f.size,
    };
    lines.push(line);
    if (open) stack.push(frameFor(line));
  }
  return { lines, truncated: false };
}

/** The line's path from the root (`$.entry[0].changes`), built on demand. */
export function pathOf(line: NodeLine, rootLabel: string): string {
  const keys: (string | number)[] = [];
  for (let l: NodeLine | null = line; l && l.key != null; l = l.parent) keys.push(l.key);
  let p = rootLabel;
  for (let i = keys.length - 1; i >= 0; i--) p = childPath(p, keys[i]);
  return p;
}

/**
 * Containers to open at first: all of them when the document is small (a webhook is), else the first
 * `depth` levels (the first `chunk` children of each), never more than `budget`. Breadth first.
 */
export function initialOpen(root: unknown, o: { depth: number; openAllLimit: number; chunk: number; budget?: number }): Set<object> {
  const all = allContainers(root, o.openAllLimit + 1);
  if (all.size <= o.openAllLimit) return all;
  const out = new Set<object>();
  if (!isContainer(root)) return out;
  const budget = o.budget ?? 2000;
  let level: Container[] = [root];
  for (let d = 0; d <= o.depth && level.length; d++) {
    const next: Container[] = [];
    for (const c of level) {
      if (out.size >= budget) return out;
      out.add(c);
      const n = Math.min(sizeOf(c), o.chunk);
      for (let i = 0; i < n; i++) {
        const v = entryAt(c, i)[1];
        if (isContainer(v)) next.push(v);
      }
    }
    level = next;
  }
  return out;
}

/** Every container, breadth first, up to `cap` of them (Expand all on a hostile document stays bounded). */
export function allContainers(root: unknown, cap = 50_000): Set<object> {
  const out = new Set<object>();
  if (!isContainer(root)) return out;
  const stack: Container[] = [root];
  while (stack.length && out.size < cap) {
    const c = stack.pop()!;
    if (out.has(c)) continue;
    out.add(c);
    const n = sizeOf(c);
    for (let i = n - 1; i >= 0; i--) {
      const v = entryAt(c, i)[1];
      if (isContainer(v)) stack.push(v);
    }
  }
  return out;
}

/**
 * JSON text of `v`, built iteratively (V8's JSON.stringify overflows its stack near 6,000 levels).
 * `indent` as in JSON.stringify; `max` stops early and ends the text with `…`.
 */
export function stringifyJson(v: unknown, indent = 0, max = Infinity): string {
  const out: string[] = [];
  let len = 0;
  const emit = (s: string) => { out.push(s); len += s.length; };
  const pad = (depth: number) => (indent > 0 ? `\n${' '.repeat(Math.min(depth, 200) * indent)}` : '');
  const scalar = (x: unknown): string => {
    if (x === null) return 'null';
    switch (typeof x) {
      case 'string': return JSON.stringify(x);
      case 'number': return Number.isFinite(x) ? String(x) : 'null';
      case 'boolean': return String(x);
      default: return 'null';
    }
  };
  interface Frame { c: Container; i: number; size: number; depth: number; arr: boolean }
  const open = (c: Container, depth: number): Frame => {
    const arr = Array.isArray(c);
    emit(arr ? '[' : '{');
    return { c, i: 0, size: sizeOf(c), depth, arr };
  };
  if (!isContainer(v)) return scalar(v);
  const stack: Frame[] = [open(v, 0)];
  while (stack.length) {
    if (len > max) break;
    const f = stack[stack.length - 1];
    if (f.i >= f.size) {
      stack.pop();
      emit(`${f.size && indent ? pad(f.depth) : ''}${f.arr ? ']' : '}'}`);
      continue;
    }
    const [k, x] = entryAt(f.c, f.i);
    emit(`${f.i > 0 ? ',' : ''}${pad(f.depth + 1)}${f.arr ? '' : `${JSON.stringify(k)}:${indent ? ' ' : ''}`}`);
    f.i++;
    if (isContainer(x)) stack.push(open(x, f.depth + 1));
    else emit(scalar(x));
  }
  const s = out.join('');
  return len > max ? `${s.slice(0, max)}…` : s;
}

/** What "Copy value" puts on the clipboard: strings bare, everything else as indented JSON. */
export function copyableJson(v: unknown): string {
  return typeof v === 'string' ? v : stringifyJson(v, 2);
}
