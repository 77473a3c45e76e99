// Raw leaves an event row already holds (docs/benchmarks.md "Bytes per event, round 5"). A Meta message's
// or status's `id`, `timestamp`, `recipient_id` and `from` are its message id, its time and its contact:
// the event row keeps them in columns, and event_fields kept them a second and third time (the key and
// its index by event), about a hundred bytes per event. Where the leaf is exactly what the column gives
// back, no field row is written and a bit of `events.raw_cols` says so; field filters on those paths read
// the column for the events with the bit (fieldColumnSql), and event_fields for the others — the same
// matches as a field row would give, operator by operator. Anything else (another value, another type, a
// number that is not a plain integer) keeps its field row, so the bit is a promise checked per event, never
// a rule about a provider. The leaves leave with their event row (retention, forget) like every column.
import type { NormalisedEvent } from '../../../shared/types';
import type { WhereCondition } from '../../../shared/where';

/** The columns that hold leaves, as a row reads them. */
export interface HeldRow { message_id: string | null; contact_id: string | null; ts: number | null }

/** How a column gives back a leaf: the text as it is, or the integer a numeric leaf was stored as. */
interface ColumnLeaf {
  bit: number;
  /** The leaf's text as JavaScript reads its field row (String(value)), from the row (forget.ts). */
  text(row: HeldRow): string | null;
  /** Does this event's column hold exactly the leaf `value` (as event_fields would store it)? */
  holds(e: Pick<NormalisedEvent, 'messageId' | 'contactId' | 'timestamp'>, value: string | number): boolean;
  /** The leaf as SQL over the event row, the same SQLite value the field row would hold (`~` reads its text). */
  value(col: string): string;
  /** `=`: SQL and params matching the leaf to the values a field row is compared with, or null for none. */
  equal(col: string, values: readonly unknown[]): { sql: string; params: unknown[] } | null;
  /** Numbers: `<`/`>` compare the leaf; a text leaf never matches them (numbers sort before text). */
  numeric: boolean;
}

const plainInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** A number stored from a column of digits (a phone number: contact_id). */
function digitsColumn(bit: number, column: 'contact_id'): ColumnLeaf {
  return {
    bit,
    numeric: true,
    holds: (e, v) => plainInt(v) && e.contactId === String(v),
    text: (row) => row[column],
    // CAST to REAL: event_fields holds a number leaf as a REAL (better-sqlite3 binds numbers as doubles),
    // and `~` reads its text ("447700900123.0"); the same double gives the same text.
    value: (col) => `CAST(${col}${column} AS REAL)`,
    // Only a number can equal a number leaf (SQLite never equates text and a number without affinity);
    // the digits it stands for are the column's text exactly, so the column's index answers it.
    equal: (col, values) => {
      const n = values.filter(plainInt);
      return n.length === 0 ? null : { sql: `${col}${column} IN (${n.map(() => '?').join(', ')})`, params: n.map(String) };
    },
  };
}

/** The leaves answered from the event row, by raw path (top-level keys: a path has no other leaf). */
export const FIELD_COLUMNS: ReadonlyMap<string, ColumnLeaf> = new Map<string, ColumnLeaf>([
  ['id', {
    bit: 1,
    numeric: false,
    // Text only: a leaf that reads as a number is stored as one (where-sql.ts fieldValue).
    holds: (e, v) => typeof v === 'string' && v === e.messageId,
    text: (row) => row.message_id,
    value: (col) => `${col}message_id`,
    // Only text can equal a text leaf: a number is compared as text by the column's affinity, never by a field row.
    equal: (col, values) => {
      const t = values.filter((v): v is string => typeof v === 'string');
      return t.length === 0 ? null : { sql: `${col}message_id IN (${t.map(() => '?').join(', ')})`, params: t };
    },
  }],
  ['recipient_id', digitsColumn(2, 'contact_id')],
  ['from', digitsColumn(4, 'contact_id')],
  ['timestamp', {
    bit: 8,
    numeric: true,
    // Meta's seconds; the row keeps milliseconds (toMillis): the leaf is ts / 1000 when that is exact.
    holds: (e, v) => plainInt(v) && e.timestamp != null && e.timestamp === v * 1000 && Number.isSafeInteger(e.timestamp),
    text: (row) => (row.ts == null ? null : String(row.ts / 1000)),
    value: (col) => `CAST(${col}ts / 1000 AS REAL)`,
    equal: (col, values) => {
      const n = values.filter((v): v is number => plainInt(v) && Number.isSafeInteger(v * 1000));
      return n.length === 0 ? null : { sql: `${col}ts IN (${n.map(() => '?').join(', ')})`, params: n.map((v) => v * 1000) };
    },
  }],
]);

/**
 * An event's indexed leaves (path, value as event_fields stores it) split: those its own columns hold
 * (their bits, `events.raw_cols`), and the rest, written as field rows.
 */
export function splitLeaves(e: Pick<NormalisedEvent, 'messageId' | 'contactId' | 'timestamp'>, leaves: [string, string | number][]): { rows: [string, string | number][]; cols: number } {
  let cols = 0;
  const rows: [string, string | number][] = [];
  for (const l of leaves) {
    const c = FIELD_COLUMNS.get(l[0]);
    if (c !== undefined && (cols & c.bit) === 0 && c.holds(e, l[1])) cols |= c.bit;
    else rows.push(l);
  }
  return { rows, cols };
}

/**
 * A condition on a raw path some events answer from their row: the ids of those that match, as a SELECT
 * to join to event_fields' own (UNION ALL: an event has either the bit or the field row, never both).
 * `bounds` is the same id range the field subquery has (written against `event_id`). Null: no event's row
 * can match (the path is never held in a column, or no value of the condition can equal such a leaf).
 */
export function fieldColumnSql(c: WhereCondition, values: readonly unknown[], bounds: { sql: string; params: unknown[] }): { sql: string; params: unknown[] } | null {
  const path = c.path.join('.');
  // `exists` on a path or an object above it: only top-level paths are held, so only the path itself.
  const leaf = FIELD_COLUMNS.get(path);
  if (!leaf) return null;
  const select = (cond: string | null, params: unknown[]) => ({
    sql: `SELECT event_id FROM (SELECT id AS event_id FROM events WHERE (raw_cols & ${leaf.bit}) <> 0${cond ? ` AND ${cond}` : ''}) WHERE 1${bounds.sql}`,
    params: [...params, ...bounds.params],
  });
  switch (c.op) {
    case '=': case '!=': {
      const eq = leaf.equal('', values);
      return eq ? select(eq.sql, eq.params) : null;
    }
    case '~': return select(`instr(lower(${leaf.value('')}), lower(?)) > 0`, [c.value]);
    case '<': return leaf.numeric ? select(`${leaf.value('')} < ?`, [c.number]) : null;
    case '>': return leaf.numeric ? select(`${leaf.value('')} > ?`, [c.number]) : null;
    case 'exists': case '!exists': return select(null, []);
  }
}
