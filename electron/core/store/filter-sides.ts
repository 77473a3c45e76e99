// The first total of a search + another filter, from the smaller side (docs/benchmarks.md "Store reads at a
// million events, round 5"): both sides read as id arrays and intersected when the filter's own ids are few
// enough, else null and the caller checks each match in SQLite. Per connection, beside its totals (totals.ts).
import type { Statement } from 'better-sqlite3';
import type { EventFilter } from '../../../shared/types';
import { whereParts } from './filter-sql';
import type { SearchMatch } from './search-terms';

/** Totals remembered per filter start over beyond this many new ids. */
export const RECOUNT_AFTER = 50_000;
/** A search + filter whose matches are at most this many keeps their ids (pages are then cut from them). */
export const LIST_MAX = 50_000;
/**
 * A search + filter's first total reads the filter's own ids when there are at most this many times the
 * search's matches: an id read in SQLite's index and intersected costs a fraction of a seek per match.
 */
const FILTER_SIDE_FACTOR = 3;
/** Filters whose own ids are kept (filterSide), at most (each at most LIST_MAX ids). */
const SIDES_KEPT = 4;

/** The ids two ascending lists share (one pass over both). */
function intersect(a: Float64Array, b: Float64Array): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i];
    const y = b[j];
    if (x < y) i++;
    else if (x > y) j++;
    else { out.push(x); i++; j++; }
  }
  return out;
}

export interface FilterSidesDeps {
  /** The key a filter's total is remembered under (totals.ts). */
  keyOf(f: EventFilter, search?: SearchMatch | null): string;
  /** The remembered total under a key, if any. */
  known(key: string): number | undefined;
}

export function createFilterSides(prep: (sql: string) => Statement, { keyOf, known }: FilterSidesDeps) {
  /** A filter's own ids (filterSide), per filter: the last few filters asked with a search. */
  const sides = new Map<string, { ids: Float64Array; upTo: number; gen: string | null }>();

  /** Ids ascending (an index read in order needs no sort). */
  function sortedIds(ids: number[]): Float64Array {
    const a = Float64Array.from(ids);
    for (let i = 1; i < a.length; i++) if (a[i - 1] > a[i]) return a.sort();
    return a;
  }

  /** Ids of one statement's rows, read as one JSON array: no row per id crosses into JavaScript. */
  function idArray(sql: string, params: unknown[]): number[] {
    return JSON.parse(prep(`SELECT json_group_array(id) FROM (${sql})`).pluck().get(...params) as string) as number[];
  }

  /** Every id the search matches, ascending: each index in rowid order, the two merged. */
  function searchIds(m: SearchMatch): Float64Array {
    const [a, b] = [['events_fts', m.fts], ['events_keys', m.keys]].map(([t, x]) => idArray(`SELECT rowid AS id FROM ${t} WHERE ${t} MATCH ? ORDER BY rowid`, [x]));
    if (b.length === 0 || a.length === 0) return Float64Array.from(a.length ? a : b);
    const out = new Float64Array(a.length + b.length);
    let i = 0, j = 0, n = 0;
    while (i < a.length || j < b.length) {
      const x = j >= b.length || (i < a.length && a[i] <= b[j]) ? a[i++] : b[j++];
      if (n === 0 || out[n - 1] !== x) out[n++] = x;
    }
    return out.subarray(0, n);
  }

  /**
   * The first total of a search + filter (docs/benchmarks.md "Store reads at a million events, round 5"):
   * listing every match and seeking the filter's index once per match cost 25-45 ms for a word 37,000 events
   * carry. When the filter's own side is the smaller one (30,000 failed events), both sides are read as id
   * arrays and intersected (filterSide); a larger filter (every read receipt) is checked once per match in
   * SQLite, as before. Null: the caller lists the matches that way itself.
   */
  function searchAndFilterIds(m: SearchMatch, f: EventFilter, snap: { gen: string | null; upTo: number }): { n: number; ids: Float64Array | null } | null {
    // Both totals remembered (the search and the filter each asked alone before) and the filter the far larger
    // side: checked once per match in SQLite, without reading the matches into JavaScript first.
    const filterKey = keyOf({ ...f, q: undefined });
    const filterKnown = known(filterKey);
    const searchKnown = known(keyOf({ q: f.q }, m));
    if (filterKnown != null && searchKnown != null && filterKnown > FILTER_SIDE_FACTOR * searchKnown && !sides.has(filterKey)) return null;
    const found = searchIds(m);
    if (found.length === 0) return { n: 0, ids: new Float64Array(0) };
    const { parts, params } = whereParts(f);
    const where = parts.join(' AND ');
    const side = filterSide({ ...f, q: undefined }, FILTER_SIDE_FACTOR * found.length, snap);
    let both: number[];
    if (side) both = intersect(found, side);
    else {
      both = prep(`SELECT id FROM events WHERE ${where} AND id IN (SELECT value FROM json_each(?))`).pluck().all(...params, JSON.stringify(Array.from(found))) as number[];
    }
    const n = both.length;
    return { n, ids: n <= LIST_MAX ? Float64Array.from(both).sort() : null };
  }

  /**
   * The filter's own ids (ascending) when there are at most `cap`, else null. Kept per filter while the
   * snapshot only grows, and followed by the ids that arrived since: each word typed under the same filter
   * (`r`, `re`, `ref`…) is a first total of its own. The filter's remembered total, when a page of it was
   * read before, says which side is smaller without reading it.
   */
  function filterSide(f: EventFilter, cap: number, { gen, upTo }: { gen: string | null; upTo: number }): Float64Array | null {
    const key = keyOf(f);
    const hit = sides.get(key);
    if (hit && hit.gen === gen && hit.upTo <= upTo && upTo - hit.upTo <= RECOUNT_AFTER) {
      if (hit.upTo === upTo) return hit.ids;
      const r = [hit.upTo, upTo];
      const w = whereParts(f, '', { sql: ' AND event_id > ? AND event_id <= ?', params: r });
      const more = sortedIds(idArray(`SELECT id FROM events WHERE ${[...w.parts, 'id > ? AND id <= ?'].join(' AND ')}`, [...w.params, ...r]));
      const ids = new Float64Array(hit.ids.length + more.length);
      ids.set(hit.ids);
      ids.set(more, hit.ids.length);
      return keepSide(key, { ids, upTo, gen });
    }
    const { parts, params } = whereParts(f);
    const where = parts.join(' AND ');
    const counted = known(key);
    // Else counted up to the cap first, in SQLite alone: a larger filter then costs a fraction of its seeks.
    if ((counted ?? prep(`SELECT COUNT(*) FROM (SELECT 1 FROM events WHERE ${where} LIMIT ?)`).pluck().get(...params, cap + 1) as number) > cap) return null;
    return keepSide(key, { ids: sortedIds(idArray(`SELECT id FROM events WHERE ${where}`, params)), upTo, gen });
  }

  function keepSide(key: string, side: { ids: Float64Array; upTo: number; gen: string | null }): Float64Array | null {
    if (side.ids.length > LIST_MAX) { sides.delete(key); return side.ids; }
    if (sides.size >= SIDES_KEPT && !sides.has(key)) sides.delete(sides.keys().next().value as string);
    sides.set(key, side);
    return side.ids;
  }

  return { searchAndFilterIds };
}
