// Totals of the feed's filters, remembered per connection: the feed shows "N events" under any filter,
// and counting them afresh for every page costs too much at scale (docs/benchmarks.md).
import type { Statement } from 'better-sqlite3';
import type { EventFilter } from '../../../shared/types';
import type { EventRow } from './event-columns';
import { searchSql, whereParts } from './filter-sql';
import { fieldEqualityCountSql, fieldEqualitySql, soleFieldEquality } from './where-sql';

/** kv key counting deletes and updates of events (bumped by the main connection's triggers, read by every reader). */
export const GENERATION_KEY = 'events.generation';

/** Totals remembered per filter start over beyond this many new ids. */
const RECOUNT_AFTER = 50_000;
/** A search + filter whose matches are at most this many keeps their ids (pages are then cut from them). */
const LIST_MAX = 50_000;
/** Ids kept across all remembered filters, at most (8 bytes each). */
const LIST_BUDGET = 2_000_000;

export interface Remembered {
  n: number;
  upTo: number;
  gen: string | null;
  /** Ascending ids of every match, for search + filter shapes with few matches. */
  ids: Float64Array | null;
}

export type Total = (f: EventFilter, gen: string | null, upTo: number, opts?: { page?: EventRow[]; limit?: number; withIds?: boolean }) => Remembered;

/** The remembered totals of one connection (createReads makes one per connection: main or read worker). */
export function createTotals(prep: (sql: string) => Statement): Total {
  // Totals at scale (docs/benchmarks.md): COUNT(*) over a million rows costs 5-60 ms, too much for every
  // page. A total is remembered per filter with the highest id it covered; the next page only counts the
  // events that arrived since (ids only grow). Any delete or update of events (retention) bumps the
  // generation in kv — written by the main connection, so a read worker sees it too — and starts over.
  const totals = new Map<string, Remembered>();
  let listed = 0;

  /** COUNT(*) for a filter; `range` [lo, hi] counts only ids in (lo, hi] (rowid bounds inside the FTS match too). */
  function countSql(f: EventFilter, range?: [number, number], select = 'COUNT(*)'): { sql: string; params: unknown[] } {
    const r = range ?? [];
    const idRange = range ? ' AND event_id > ? AND event_id <= ?' : '';
    const { parts, params, match } = whereParts(f, '', range ? { sql: idRange, params: r } : undefined);
    const sole = !match && parts.length === 1 ? soleFieldEquality(f.where) : null;
    if (sole) {
      // One field equality alone is counted in event_fields' key, without touching events (where-sql.ts).
      if (select === 'COUNT(*)') return { sql: fieldEqualityCountSql(sole.values, idRange), params: [sole.path, ...sole.values, ...r] };
      return { sql: `SELECT id FROM (${fieldEqualitySql(sole.values, idRange)})`, params: sole.values.flatMap((v) => [sole.path, v, ...r]) };
    }
    if (match && parts.length === 0) {
      // Full-text alone is counted in the FTS indexes, without touching events.
      return { sql: `SELECT ${select === 'COUNT(*)' ? select : 'id'} FROM (${searchSql(range ? ' AND rowid > ? AND rowid <= ?' : '')})`, params: [match, ...r, match, ...r] };
    }
    if (match) { parts.push(`id IN (${searchSql(range ? ' AND rowid > ? AND rowid <= ?' : '')})`); params.push(match, ...r, match, ...r); }
    if (range) { parts.push('id > ? AND id <= ?'); params.push(...r); }
    return { sql: `SELECT ${select} FROM events WHERE ${parts.length ? parts.join(' AND ') : '1'}`, params };
  }

  /** Every matching id (ascending) when there are at most LIST_MAX, else null; and how many match. */
  function matchingIds(f: EventFilter, range?: [number, number]): { n: number; ids: Float64Array | null } {
    const c = countSql(f, range, 'id');
    const ids: number[] = [];
    let n = 0;
    for (const id of prep(c.sql).pluck().iterate(...c.params) as IterableIterator<number>) {
      if (n++ < LIST_MAX) ids.push(id);
    }
    return { n, ids: n <= LIST_MAX ? Float64Array.from(ids).sort() : null };
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
  function total(f: EventFilter, gen: string | null, upTo: number, opts: { page?: EventRow[]; limit?: number; withIds?: boolean } = {}): Remembered {
    const full = countSql(f);
    const key = `${full.sql}\u0000${JSON.stringify(full.params)}`;
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
        const more = matchingIds(f, [hit.upTo, upTo]);
        const n = hit.n + more.n;
        let ids: Float64Array | null = null;
        if (n <= LIST_MAX && more.ids) {
          ids = new Float64Array(n);
          ids.set(hit.ids);
          ids.set(more.ids, hit.ids.length);
        }
        return remember(key, { n, upTo, gen, ids });
      }
      const d = countSql(f, [hit.upTo, upTo]);
      return remember(key, { n: hit.n + (prep(d.sql).pluck().get(...d.params) as number), upTo, gen, ids: null });
    }
    if (opts.withIds) return remember(key, { ...matchingIds(f), upTo, gen });
    return remember(key, { n: prep(full.sql).pluck().get(...full.params) as number, upTo, gen, ids: null });
  }

  return total;
}
