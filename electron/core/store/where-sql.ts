// Field filters (shared/where.ts) compiled to SQL over `events`, and the derive-time rows they read.
//
// `details.…` is stored with each event (a JSON column): json_extract reads it. Raw provider JSON is NOT
// stored per event (it is derived again from the request's packed bytes), so the scalar leaves at the
// paths users filter on (INDEXED_RAW_PATHS) are copied at derive time into `event_fields` (path_id, value,
// event_id), keyed by (path_id, value): `=` is one index seek, `<`/`>` one range, `~`/exists one path range.
// A path is stored once, in `field_paths`, and each leaf row carries its small integer id (schema
// migration 10: the path text repeated in every row and in the event_id index was a third of the bytes per
// event, docs/benchmarks.md "Bytes per event"). Indexing every leaf of every payload would roughly double
// the database at a million events for paths nobody filters on (docs/benchmarks.md "Field filters").
import type { Database as Db, Statement } from 'better-sqlite3';
import type { NormalisedEvent } from '../../../shared/types';
import { HookscopeError } from '../../../shared/errors';
import { WhereError, indexedRawLeaves, parseWhere, type WhereCondition } from '../../../shared/where';
import { flatPricingSql } from './event-columns';
import { FIELD_COLUMNS, fieldColumnSql, splitLeaves } from './field-columns';

/** `["errors","0","code"]` → `$."errors"[0]."code"` (names quoted: a path is a parameter, never SQL). */
function jsonPath(path: readonly string[]): string {
  return '$' + path.map((s) => (/^\d+$/.test(s) ? `[${s}]` : `."${s}"`)).join('');
}

/** A value as the side table keeps it: numeric strings become numbers so `<`/`>` compare them as such. */
export function fieldValue(v: string | number): string | number {
  if (typeof v === 'number') return v;
  // Most values are words, ids and codes that cannot be a number: the first character says so without the
  // regular expression (every indexed leaf of every derived event comes through here).
  const c = v.charCodeAt(0);
  if (c !== 45 && !(c >= 48 && c <= 57)) return v;
  if (v.length <= 15 && /^-?\d+(\.\d+)?$/.test(v) && String(Number(v)) === v) return Number(v);
  return v;
}

/** The values `=` accepts for what was typed: the text, and the number when it reads as one. */
function equalValues(c: WhereCondition): unknown[] {
  const v = c.value ?? '';
  return c.number != null && String(c.number) === v.trim() ? [v, c.number] : [v, v];
}

/** A path's id in `field_paths` (NULL, so nothing matches, when no event ever had that path). */
const PATH_ID = '(SELECT id FROM field_paths WHERE path = ?)';

/**
 * Bounds on the event ids a query can see, pushed inside each field subquery: `id > lo AND id <= hi`
 * outside still made SQLite build the list of every match first (240 ms for 160,000 matches of 200,000
 * events to count the 80 that arrived since a remembered total; 0.07 ms with the bound inside).
 */
export interface IdBounds { sql: string; params: unknown[] }

function rawCondition(c: WhereCondition, id: string, b: IdBounds = { sql: '', params: [] }): { sql: string; params: unknown[] } {
  const path = c.path.join('.');
  // Events whose row holds the leaf have no field row for it (field-columns.ts): their matches join the
  // field rows' (UNION ALL, each event on one side only), and `!=`/`!exists` exclude both.
  const held = fieldColumnSql(c, c.op === '=' || c.op === '!=' ? equalValues(c) : [], b);
  const also = (s: { sql: string; params: unknown[] }) => (held ? { sql: `${s.sql} UNION ALL ${held.sql}`, params: [...s.params, ...held.params] } : s);
  const sub = (cond: string, params: unknown[]) => also({ sql: `SELECT event_id FROM event_fields WHERE path_id = ${PATH_ID} AND ${cond}${b.sql}`, params: [path, ...params, ...b.params] });
  const of = (s: { sql: string; params: unknown[] }, not = false) => ({ sql: `${id} ${not ? 'NOT IN' : 'IN'} (${s.sql})`, params: s.params });
  switch (c.op) {
    case '=': return of(sub('value IN (?, ?)', equalValues(c)));
    case '!=': return of(sub('value IN (?, ?)', equalValues(c)), true);
    case '~': return of(sub("instr(lower(value), lower(?)) > 0", [c.value]));
    // Numbers sort before text in SQLite: `< ''` keeps the range to numbers.
    case '<': return of(sub('value < ?', [c.number]));
    case '>': return of(sub("value > ? AND value < ''", [c.number]));
    // The path itself, or any leaf under it ('/' sorts right after '.').
    case 'exists': case '!exists': {
      const s = also({ sql: `SELECT event_id FROM event_fields WHERE path_id IN (SELECT id FROM field_paths WHERE path = ? OR (path > ? AND path < ?))${b.sql}`, params: [path, `${path}.`, `${path}/`, ...b.params] });
      return of(s, c.op === '!exists');
    }
  }
}

function detailsCondition(c: WhereCondition, col: string): { sql: string; params: unknown[] } {
  const p = jsonPath(c.path);
  // A status's flattened pricing may be left out of the stored JSON and read from its `pricing` object
  // (event-columns.ts storedDetails): the same value either way. Never a number, so `<`/`>` stay as they are.
  const flat = c.path.length === 1 ? flatPricingSql(`${col}details`, c.path[0]) : null;
  const x = flat ?? `json_extract(${col}details, ?)`;
  const xp = flat ? [] : [p];
  switch (c.op) {
    case '=': return { sql: `${x} IN (?, ?)`, params: [...xp, ...equalValues(c)] };
    case '!=': return { sql: `${x} IS NOT ? AND ${x} IS NOT ?`, params: [...xp, equalValues(c)[0], ...xp, equalValues(c)[1]] };
    case '~': return { sql: `instr(lower(CAST(${x} AS TEXT)), lower(?)) > 0`, params: [...xp, c.value] };
    case '<': return { sql: `json_type(${col}details, ?) IN ('integer', 'real') AND json_extract(${col}details, ?) < ?`, params: [p, p, c.number] };
    case '>': return { sql: `json_type(${col}details, ?) IN ('integer', 'real') AND json_extract(${col}details, ?) > ?`, params: [p, p, c.number] };
    case 'exists': return flat ? { sql: `${flat} IS NOT NULL`, params: [] } : { sql: `json_type(${col}details, ?) IS NOT NULL`, params: [p] };
    case '!exists': return flat ? { sql: `${flat} IS NULL`, params: [] } : { sql: `json_type(${col}details, ?) IS NULL`, params: [p] };
  }
}

function parsed(conditions: readonly string[]): WhereCondition[] {
  try {
    return parseWhere(conditions);
  } catch (err) {
    if (err instanceof WhereError) throw new HookscopeError('VALIDATION', err.message);
    throw err;
  }
}

/**
 * SQL parts (AND) for `where` conditions over events, columns prefixed with `col`. Bad input: VALIDATION.
 * `bounds`, when the query only looks at some ids, goes inside each field subquery (IdBounds).
 */
export function whereSql(conditions: readonly string[] | undefined, col = '', bounds?: IdBounds): { parts: string[]; params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  if (!conditions || conditions.length === 0) return { parts, params };
  for (const c of parsed(conditions)) {
    const s = c.root === 'raw' ? rawCondition(c, `${col}id`, bounds) : detailsCondition(c, col);
    parts.push(s.sql);
    params.push(...s.params);
  }
  return { parts, params };
}

/**
 * A filter that is one `raw.PATH = VALUE` and nothing else (the inspector's "filter on this"): its matches
 * are one ordered range of event_fields' key per value, so a page walks them newest first and stops at its
 * limit, and the total is counted in that range without touching events — instead of listing every match
 * (290 ms at a million events for a value 800,000 of them carry, docs/benchmarks.md "Field filters").
 */
export function soleFieldEquality(conditions: readonly string[] | undefined): { path: string; values: unknown[] } | null {
  if (!conditions || conditions.length !== 1) return null;
  const [c] = parsed(conditions);
  // A path some event rows answer themselves (field-columns.ts) is not one range of the key.
  if (c.root !== 'raw' || c.op !== '=' || FIELD_COLUMNS.has(c.path.join('.'))) return null;
  // The text and the number it reads as: one leaf is stored as one of them, so the two ranges never overlap.
  return { path: c.path.join('.'), values: [...new Set(equalValues(c))] };
}

/** The ids of a sole field equality, newest first, one ordered walk per value merged (`extra`: id bounds). */
export function fieldEqualitySql(values: readonly unknown[], extra = ''): string {
  return values.map(() => `SELECT event_id AS id FROM event_fields WHERE path_id = ${PATH_ID} AND value = ?${extra}`).join(' UNION ');
}

/** How many events a sole field equality matches, counted in event_fields' key (`extra`: id bounds). */
export function fieldEqualityCountSql(values: readonly unknown[], extra = ''): string {
  return `SELECT COUNT(*) FROM event_fields WHERE path_id = ${PATH_ID} AND value IN (${values.map(() => '?').join(', ')})${extra}`;
}

/**
 * Words the search finds beyond text, contact and message id (store.ts `searchKeys`): codes, titles, business
 * numbers, detail values. The message id is not written again here: events_fts holds it with the same
 * tokenizer, and the search is the union of both (filter-sql.ts searchSql), so a second copy only cost bytes
 * and a second walk of every id prefix (docs/benchmarks.md "Bytes per event"). Rows written before keep it.
 */
export function searchKeys(e: { errorCode: string | null; errorTitle: string | null; businessId: string | null; details?: Record<string, unknown> }): string {
  const words: string[] = [];
  for (const v of [e.errorCode, e.errorTitle, e.businessId]) if (v) words.push(v);
  const walk = (v: unknown, depth: number) => {
    if (words.length > 64 || depth > 4 || v == null) return;
    if (typeof v === 'string') { if (v.length <= 200) words.push(v); return; }
    if (typeof v === 'number') { words.push(String(v)); return; }
    if (typeof v === 'object') for (const x of Array.isArray(v) ? v.slice(0, 10) : Object.values(v as Record<string, unknown>)) walk(x, depth + 1);
  };
  walk(e.details, 0);
  return words.join(' ');
}

/**
 * An event's indexed raw leaves as event_fields stores them, less those its own row holds (field-columns.ts):
 * `rows` to write, `cols` for `events.raw_cols`.
 */
export function fieldRowsOf(e: Pick<NormalisedEvent, 'raw' | 'messageId' | 'contactId' | 'timestamp'>): { rows: [string, string | number][]; cols: number } {
  const leaves = indexedRawLeaves(e.raw);
  for (const l of leaves) l[1] = fieldValue(l[1]);
  return splitLeaves(e, leaves);
}

/** Prepared writes of the derive transaction for search keys and indexed raw fields (rows from fieldRowsOf). */
export function fieldWriters(db: Db): { add(eventId: number, rows: readonly [string, string | number][], keys: string): void } {
  const insertField: Statement = db.prepare('INSERT OR IGNORE INTO event_fields (path_id, value, event_id) VALUES (?, ?, ?)');
  const insertKeys: Statement = db.prepare('INSERT INTO events_keys (rowid, keys) VALUES (?, ?)');
  const insertPath: Statement = db.prepare('INSERT OR IGNORE INTO field_paths (path) VALUES (?)');
  const pathId: Statement = db.prepare('SELECT id FROM field_paths WHERE path = ?').pluck();
  // The ids committed when this connection started (migration 10 writes every indexed path). A path first
  // seen later is looked up every time, never remembered: the transaction that added it may roll back, and
  // a remembered id would then point at nothing (or at a path another connection adds next).
  const known = new Map(db.prepare('SELECT path, id FROM field_paths').raw().all() as [string, number][]);
  const idOf = (path: string): number => {
    const id = known.get(path);
    if (id !== undefined) return id;
    insertPath.run(path);
    return pathId.get(path) as number;
  };
  return {
    add(eventId, rows, keys) {
      if (keys) insertKeys.run(eventId, keys);
      for (const [path, value] of rows) insertField.run(idOf(path), value, eventId);
    },
  };
}
