// Field filters (shared/where.ts) compiled to SQL over `events`, and the derive-time rows they read.
//
// `details.…` is stored with each event (a JSON column): json_extract reads it. Raw provider JSON is NOT
// stored per event (it is derived again from the request's packed bytes), so the scalar leaves at the
// paths users filter on (INDEXED_RAW_PATHS) are copied at derive time into `event_fields` (path, value,
// event_id), keyed by (path, value): `=` is one index seek, `<`/`>` one range, `~`/exists one path range.
// Indexing every leaf of every payload would roughly double the database at a million events for paths
// nobody filters on (docs/benchmarks.md "Field filters").
import type { Database as Db, Statement } from 'better-sqlite3';
import { HookscopeError } from '../../../shared/errors';
import { WhereError, indexedRawLeaves, parseWhere, type WhereCondition } from '../../../shared/where';

/** `["errors","0","code"]` → `$."errors"[0]."code"` (names quoted: a path is a parameter, never SQL). */
function jsonPath(path: readonly string[]): string {
  return '$' + path.map((s) => (/^\d+$/.test(s) ? `[${s}]` : `."${s}"`)).join('');
}

/** A value as the side table keeps it: numeric strings become numbers so `<`/`>` compare them as such. */
export function fieldValue(v: string | number): string | number {
  if (typeof v === 'number') return v;
  if (v.length <= 15 && /^-?\d+(\.\d+)?$/.test(v) && String(Number(v)) === v) return Number(v);
  return v;
}

/** The values `=` accepts for what was typed: the text, and the number when it reads as one. */
function equalValues(c: WhereCondition): unknown[] {
  const v = c.value ?? '';
  return c.number != null && String(c.number) === v.trim() ? [v, c.number] : [v, v];
}

function rawCondition(c: WhereCondition, id: string): { sql: string; params: unknown[] } {
  const path = c.path.join('.');
  const sub = (cond: string) => `SELECT event_id FROM event_fields WHERE path = ? AND ${cond}`;
  switch (c.op) {
    case '=': return { sql: `${id} IN (${sub('value IN (?, ?)')})`, params: [path, ...equalValues(c)] };
    case '!=': return { sql: `${id} NOT IN (${sub('value IN (?, ?)')})`, params: [path, ...equalValues(c)] };
    case '~': return { sql: `${id} IN (${sub("instr(lower(value), lower(?)) > 0")})`, params: [path, c.value] };
    // Numbers sort before text in SQLite: `< ''` keeps the range to numbers.
    case '<': return { sql: `${id} IN (${sub('value < ?')})`, params: [path, c.number] };
    case '>': return { sql: `${id} IN (${sub("value > ? AND value < ''")})`, params: [path, c.number] };
    // The path itself, or any leaf under it ('/' sorts right after '.').
    case 'exists': return { sql: `${id} IN (SELECT event_id FROM event_fields WHERE path = ? OR (path > ? AND path < ?))`, params: [path, `${path}.`, `${path}/`] };
    case '!exists': return { sql: `${id} NOT IN (SELECT event_id FROM event_fields WHERE path = ? OR (path > ? AND path < ?))`, params: [path, `${path}.`, `${path}/`] };
  }
}

function detailsCondition(c: WhereCondition, col: string): { sql: string; params: unknown[] } {
  const p = jsonPath(c.path);
  const x = `json_extract(${col}details, ?)`;
  switch (c.op) {
    case '=': return { sql: `${x} IN (?, ?)`, params: [p, ...equalValues(c)] };
    case '!=': return { sql: `${x} IS NOT ? AND ${x} IS NOT ?`, params: [p, equalValues(c)[0], p, equalValues(c)[1]] };
    case '~': return { sql: `instr(lower(CAST(${x} AS TEXT)), lower(?)) > 0`, params: [p, c.value] };
    case '<': return { sql: `json_type(${col}details, ?) IN ('integer', 'real') AND ${x} < ?`, params: [p, p, c.number] };
    case '>': return { sql: `json_type(${col}details, ?) IN ('integer', 'real') AND ${x} > ?`, params: [p, p, c.number] };
    case 'exists': return { sql: `json_type(${col}details, ?) IS NOT NULL`, params: [p] };
    case '!exists': return { sql: `json_type(${col}details, ?) IS NULL`, params: [p] };
  }
}

/** SQL parts (AND) for `where` conditions over events, columns prefixed with `col`. Bad input: VALIDATION. */
export function whereSql(conditions: readonly string[] | undefined, col = ''): { parts: string[]; params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  if (!conditions || conditions.length === 0) return { parts, params };
  let parsed: WhereCondition[];
  try {
    parsed = parseWhere(conditions);
  } catch (err) {
    if (err instanceof WhereError) throw new HookscopeError('VALIDATION', err.message);
    throw err;
  }
  for (const c of parsed) {
    const s = c.root === 'raw' ? rawCondition(c, `${col}id`) : detailsCondition(c, col);
    parts.push(s.sql);
    params.push(...s.params);
  }
  return { parts, params };
}

/** Words the search finds beyond text and contact (store.ts `searchKeys`): codes, titles, numbers, detail values. */
export function searchKeys(e: { errorCode: string | null; errorTitle: string | null; businessId: string | null; messageId: string | null; details?: Record<string, unknown> }): string {
  const words: string[] = [];
  for (const v of [e.errorCode, e.errorTitle, e.businessId, e.messageId]) if (v) words.push(v);
  const walk = (v: unknown, depth: number) => {
    if (words.length > 64 || depth > 4 || v == null) return;
    if (typeof v === 'string') { if (v.length <= 200) words.push(v); return; }
    if (typeof v === 'number') { words.push(String(v)); return; }
    if (typeof v === 'object') for (const x of Array.isArray(v) ? v.slice(0, 10) : Object.values(v as Record<string, unknown>)) walk(x, depth + 1);
  };
  walk(e.details, 0);
  return words.join(' ');
}

/** Prepared writes of the derive transaction for search keys and indexed raw fields. */
export function fieldWriters(db: Db): { add(eventId: number, raw: unknown, keys: string): void } {
  const insertField: Statement = db.prepare('INSERT OR IGNORE INTO event_fields (path, value, event_id) VALUES (?, ?, ?)');
  const insertKeys: Statement = db.prepare('INSERT INTO events_keys (rowid, keys) VALUES (?, ?)');
  return {
    add(eventId, raw, keys) {
      if (keys) insertKeys.run(eventId, keys);
      for (const [path, value] of indexedRawLeaves(raw)) insertField.run(path, fieldValue(value), eventId);
    },
  };
}
