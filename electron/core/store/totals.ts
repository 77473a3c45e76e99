// Totals of the feed's filters, remembered per connection: the feed shows "N events" under any filter,
// and counting them afresh for every page costs too much at scale (docs/benchmarks.md).
import type { Statement } from 'better-sqlite3';
import type { EventFilter } from '../../../shared/types';
import { searchSql, whereParts } from './filter-sql';
import { isPrefixForm, type SearchMatch } from './search-terms';
import { fieldEqualityCountSql, fieldEqualitySql, soleFieldEquality } from './where-sql';
import { createFilterSides, LIST_MAX, RECOUNT_AFTER } from './filter-sides';

/** kv key counting deletes and updates of events (bumped by the main connection's triggers, read by every reader). */
export const GENERATION_KEY = 'events.generation';

/** Ids kept across all remembered filters, at most (8 bytes each). */
const LIST_BUDGET = 2_000_000;
export interface Remembered {
  n: number;
  upTo: number;
  gen: string | null;
  /** Ascending ids of every match, for search + filter shapes with few matches. */
  ids: Float64Array | null;
}

export interface TotalOptions {
  page?: readonly { id: number }[]; limit?: number; withIds?: boolean;
  /** The search's MATCH per index, when the caller has it already (search-terms.ts). */
  search?: SearchMatch | null;
  /** The caller read every match in this snapshot: this is the total, nothing is counted. */
  counted?: number;
}

/**
 * The ids in (lo, hi] the search matches, ascending: each index walked newest first and left at `lo`. A
 * rowid range inside the MATCH costs FTS5 about what the whole word's count costs (it seeks from the
 * oldest entry); the newest-first walk reads only the entries above `lo`.
 */
function searchIdsIn(prep: (sql: string) => Statement, m: SearchMatch, [lo, hi]: [number, number]): number[] {
  const ids = new Set<number>();
  for (const [table, match] of [['events_fts', m.fts], ['events_keys', m.keys]]) {
    if (isPrefixForm(match)) {
      // A prefix query reads every match first whatever the order; walked newest first, a phrase's other
      // words (`wamid` of `wamid.HBgM…`) are then sought backwards through their whole doclist, slowly.
      for (const id of prep(`SELECT rowid FROM ${table} WHERE ${table} MATCH ? AND rowid > ? AND rowid <= ?`).pluck().all(match, lo, hi) as number[]) ids.add(id);
      continue;
    }
    for (const id of prep(`SELECT rowid FROM ${table} WHERE ${table} MATCH ? ORDER BY rowid DESC`).pluck().iterate(match) as IterableIterator<number>) {
      if (id <= lo) break;
      if (id <= hi) ids.add(id);
    }
  }
  return [...ids].sort((a, b) => a - b);
}

export type Total = (f: EventFilter, gen: string | null, upTo: number, opts?: TotalOptions) => Remembered;

/**
 * The remembered totals of one connection (createReads makes one per connection: main or read worker).
 * `terms` gives the search's MATCH per full-text index (search-terms.ts).
 */
export function createTotals(prep: (sql: string) => Statement, terms: (q: string) => SearchMatch | null): Total {
  // Totals at scale (docs/benchmarks.md): COUNT(*) over a million rows costs 5-60 ms, too much for every
  // page. A total is remembered per filter with the highest id it covered; the next page only counts the
  // events that arrived since (ids only grow). Any delete or update of events (retention) bumps the
  // generation in kv — written by the main connection, so a read worker sees it too — and starts over.
  const totals = new Map<string, Remembered>();
  // A search + filter's first total from the smaller side (filter-sides.ts).
  const { searchAndFilterIds } = createFilterSides(prep, { keyOf, known: (key) => totals.get(key)?.n });
  let listed = 0;

  /**
   * COUNT(*) for a filter; `range` [lo, hi] counts only ids in (lo, hi] (rowid bounds inside the FTS match too).
   * `sides`: the search alone, counted in each index apart (see count()).
   */
  function countSql(f: EventFilter, range?: [number, number], select = 'COUNT(*)', search?: SearchMatch | null): {
    sql: string; params: unknown[]; sides?: { sql: string; params: unknown[] }[];
  } {
    const r = range ?? [];
    const idRange = range ? ' AND event_id > ? AND event_id <= ?' : '';
    const { parts, params, match: words } = whereParts(f, '', range ? { sql: idRange, params: r } : undefined);
    const m = words ? search ?? terms(f.q ?? '') : null;
    const match = m ? [m.fts, ...r, m.keys, ...r] : null;
    const sole = !match && parts.length === 1 ? soleFieldEquality(f.where) : null;
    if (sole) {
      // One field equality alone is counted in event_fields' key, without touching events (where-sql.ts).
      if (select === 'COUNT(*)') return { sql: fieldEqualityCountSql(sole.values, idRange), params: [sole.path, ...sole.values, ...r] };
      return { sql: `SELECT id FROM (${fieldEqualitySql(sole.values, idRange)})`, params: sole.values.flatMap((v) => [sole.path, v, ...r]) };
    }
    if (match && m && parts.length === 0) {
      // Full-text alone is counted in the FTS indexes, without touching events.
      const rowids = range ? ' AND rowid > ? AND rowid <= ?' : '';
      const sql = `SELECT ${select === 'COUNT(*)' ? select : 'id'} FROM (${searchSql(rowids)})`;
      if (select !== 'COUNT(*)') return { sql, params: match };
      const sides = [['events_fts', m.fts], ['events_keys', m.keys]].map(([t, x]) => ({ sql: `SELECT COUNT(*) FROM ${t} WHERE ${t} MATCH ?${rowids}`, params: [x, ...r] }));
      return { sql, params: match, sides };
    }
    if (match) { parts.push(`id IN (${searchSql(range ? ' AND rowid > ? AND rowid <= ?' : '')})`); params.push(...match); }
    if (range) { parts.push('id > ? AND id <= ?'); params.push(...r); }
    return { sql: `SELECT ${select} FROM events WHERE ${parts.length ? parts.join(' AND ') : '1'}`, params };
  }

  /**
   * How many match: the search alone is counted in each index apart, and when one of them has no match the
   * other's count is the total — the union's count sorts every id to drop the ones both hold (15 ms for
   * 37,000 matches at a million events, against 2.5 ms for the count alone).
   */
  function count(c: ReturnType<typeof countSql>): number {
    if (c.sides) {
      const [a, b] = c.sides.map((s) => prep(s.sql).pluck().get(...s.params) as number);
      if (a === 0 || b === 0) return a + b;
    }
    return prep(c.sql).pluck().get(...c.params) as number;
  }

  /** Every matching id (ascending) when there are at most LIST_MAX, else null; and how many match. */
  function matchingIds(f: EventFilter, range?: [number, number], search?: SearchMatch | null, snap?: { gen: string | null; upTo: number }): { n: number; ids: Float64Array | null } {
    if (!range && f.q) {
      const w = whereParts(f);
      const sm = w.parts.length > 0 ? search ?? terms(f.q) : null;
      const r = sm && snap ? searchAndFilterIds(sm, f, snap) : null;
      if (r) return r;
    }
    const m = range && f.q ? search ?? terms(f.q) : null;
    let c: { sql: string; params: unknown[] };
    if (!m || !range) c = countSql(f, range, 'id', search);
    else {
      // The new matches found newest first in the indexes, then the rest of the filter on those rows alone.
      const r = range;
      const { parts, params } = whereParts(f, '', { sql: ' AND event_id > ? AND event_id <= ?', params: r });
      const found = searchIdsIn(prep, m, r);
      if (parts.length === 0) return { n: found.length, ids: found.length <= LIST_MAX ? Float64Array.from(found) : null };
      c = { sql: `SELECT id FROM events WHERE id IN (SELECT value FROM json_each(?))${parts.map((p) => ` AND ${p}`).join('')} ORDER BY id`, params: [JSON.stringify(found), ...params] };
    }
    const ids: number[] = [];
    let n = 0;
    for (const id of prep(c.sql).pluck().iterate(...c.params) as IterableIterator<number>) {
      if (n++ < LIST_MAX) ids.push(id);
    }
    return { n, ids: n <= LIST_MAX ? Float64Array.from(ids).sort() : null };
  }

  /** The key a filter's total is remembered under (as total() makes it). */
  function keyOf(f: EventFilter, search?: SearchMatch | null): string {
    const c = countSql(f, undefined, 'COUNT(*)', search);
    return `${c.sql}\u0000${JSON.stringify(c.params)}`;
  }

  function remember(key: string, r: Remembered): Remembered {
    if (totals.size > 200 || listed > LIST_BUDGET) { totals.clear(); listed = 0; }
    const old = totals.get(key);
    if (old?.ids) listed -= old.ids.length;
    if (r.ids) listed += r.ids.length;
    totals.set(key, r);
    return r;
  }

  /**
   * The total for a filter at `upTo` (the newest id in this snapshot). `page`, when given, is the
   * newest-first page already read for this filter: if it reaches below the remembered point it holds
   * every match that arrived since, and no count query is needed. `withIds` keeps the matches' ids.
   */
  function total(f: EventFilter, gen: string | null, upTo: number, opts: TotalOptions = {}): Remembered {
    const full = countSql(f, undefined, 'COUNT(*)', opts.search);
    const key = `${full.sql}\u0000${JSON.stringify(full.params)}`;
    if (opts.counted != null) return remember(key, { n: opts.counted, upTo, gen, ids: null });
    const hit = totals.get(key);
    if (hit && hit.gen === gen && hit.upTo <= upTo && upTo - hit.upTo <= RECOUNT_AFTER && (hit.ids != null || !opts.withIds || hit.n > LIST_MAX)) {
      if (hit.upTo === upTo) return hit;
      const page = opts.page;
      if (page && !hit.ids && (page.length < (opts.limit ?? Infinity) || page[page.length - 1].id <= hit.upTo)) {
        let d = 0;
        for (const r of page) if (r.id > hit.upTo) d++;
        return remember(key, { n: hit.n + d, upTo, gen, ids: null });
      }
      if (hit.ids) {
        const more = matchingIds(f, [hit.upTo, upTo], opts.search);
        const n = hit.n + more.n;
        let ids: Float64Array | null = null;
        if (n <= LIST_MAX && more.ids) {
          ids = new Float64Array(n);
          ids.set(hit.ids);
          ids.set(more.ids, hit.ids.length);
        }
        return remember(key, { n, upTo, gen, ids });
      }
      // With a search, the new matches are found newest first in the indexes (searchIdsIn).
      const d = f.q ? matchingIds(f, [hit.upTo, upTo], opts.search).n : count(countSql(f, [hit.upTo, upTo]));
      return remember(key, { n: hit.n + d, upTo, gen, ids: null });
    }
    if (opts.withIds) return remember(key, { ...matchingIds(f, undefined, opts.search, { gen, upTo }), upTo, gen });
    return remember(key, { n: count(full), upTo, gen, ids: null });
  }

  return total;
}
