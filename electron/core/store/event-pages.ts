// The feed's pages: newest first under a filter, `before` an id for the next page, each with its total
// (totals.ts) read in the same transaction, and what the receiver and the forward target answered.
import type { Database as Db, Statement } from 'better-sqlite3';
import type { EventPage, HookEvent, ListQuery } from '../../../shared/types';
import { arrayToEvent, EVENT_COLUMNS } from './event-columns';
import { searchSql, whereParts } from './filter-sql';
import { isPrefixForm, type SearchMatch } from './search-terms';
import { fieldEqualitySql, soleFieldEquality } from './where-sql';
import { GENERATION_KEY, type Total } from './totals';

/** A row of EVENT_COLUMNS read as an array. */
type Row = unknown[];

/** A search in prefix form with at most this many matches pages from their ids (listEvents). */
const FEW_MATCHES = 10_000;

/**
 * StoreReads.listEvents over one connection, with that connection's remembered totals; `terms` gives the
 * search's MATCH per full-text index (search-terms.ts).
 */
export function createEventPages(db: Db, prep: (sql: string) => Statement, total: Total, terms: (q: string) => SearchMatch | null): (q: ListQuery) => EventPage {
  // A page and its total are read in one transaction: the same snapshot, however writes interleave.
  const genStmt = db.prepare(`SELECT value FROM kv WHERE key = '${GENERATION_KEY}'`).pluck();
  const maxIdStmt = db.prepare('SELECT MAX(id) FROM events').pluck();
  // Rows as arrays (event-columns.ts arrayToEvent): better-sqlite3's object rows cost more than reading them.
  const rowsByIds = db.prepare(`SELECT ${EVENT_COLUMNS} FROM events WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id DESC`).raw();

  const E_COLUMNS = EVENT_COLUMNS.split(',').map((c) => `e.${c.trim()}`).join(', ');

  function page(q: ListQuery, limit: number, m: SearchMatch | null): Row[] {
    const { parts, params } = whereParts(q, 'e.');
    if (m) {
      // Walk the full-text matches newest first and stop at `limit`, instead of collecting them all.
      // CROSS JOIN keeps the FTS index outside: probing it per row re-reads a prefix match every time.
      // With other filters this runs only when many events match both (see listEvents), so few are skipped.
      // The two indexes are merged newest first (both walk rowids in order).
      const before = q.before != null ? ' AND rowid < ?' : '';
      const b = q.before != null ? [q.before] : [];
      if (parts.length === 0) {
        // The search alone: the limit goes inside, where the merge of the two indexes stops at it. Outside, the
        // union of every match is built and joined first (50 ms for 7,500 matches of 200,000 events, 0.6 ms here).
        const sql = `SELECT ${E_COLUMNS} FROM (${searchSql(before)} ORDER BY 1 DESC LIMIT ?) m CROSS JOIN events e ON e.id = m.id ORDER BY m.id DESC`;
        return prep(sql).raw().all(m.fts, ...b, m.keys, ...b, limit) as Row[];
      }
      const sql = `SELECT ${E_COLUMNS} FROM (${searchSql(before)} ORDER BY 1 DESC) m CROSS JOIN events e ON e.id = m.id WHERE ${parts.join(' AND ')} ORDER BY m.id DESC LIMIT ?`;
      return prep(sql).raw().all(m.fts, ...b, m.keys, ...b, ...params, limit) as Row[];
    }
    const b = q.before != null ? [q.before] : [];
    const sole = parts.length === 1 ? soleFieldEquality(q.where) : null;
    if (sole) {
      // One field equality alone: its matches walked newest first in event_fields' key, the limit inside.
      const sql = `SELECT ${E_COLUMNS} FROM (${fieldEqualitySql(sole.values, q.before != null ? ' AND event_id < ?' : '')} ORDER BY 1 DESC LIMIT ?) m
        CROSS JOIN events e ON e.id = m.id ORDER BY m.id DESC`;
      return prep(sql).raw().all(...sole.values.flatMap((v) => [sole.path, v, ...b]), limit) as Row[];
    }
    // An older page: field subqueries list only the ids below its cursor.
    const w = whereParts(q, '', q.before != null ? { sql: ' AND event_id < ?', params: b } : undefined);
    if (q.before != null) w.parts.push('id < ?');
    const pageWhere = w.parts.length ? w.parts.join(' AND ') : '1';
    return prep(`SELECT ${EVENT_COLUMNS} FROM events WHERE ${pageWhere} ORDER BY id DESC LIMIT ?`).raw().all(...w.params, ...b, limit) as Row[];
  }

  /** The newest `limit` ids below `before` from an ascending list. */
  function cut(ids: Float64Array, before: number | undefined, limit: number): number[] {
    let hi = ids.length;
    if (before != null) {
      let lo = 0;
      while (lo < hi) { const mid = (lo + hi) >> 1; if (ids[mid] < before) lo = mid + 1; else hi = mid; }
    }
    const out: number[] = [];
    for (let i = hi - 1; i >= 0 && out.length < limit; i--) out.push(ids[i]);
    return out;
  }

  // What the receiver answered and how fast, and what the forward target answered (the feed's optional
  // timing columns, docs/api.md "Event list"): one primary-key lookup and one index walk per page.
  // The acknowledgement time is in request_acks since schema migration 12, on the request row before.
  const answers = db.prepare(`SELECT r.id, r.response_status AS s, COALESCE(k.ack_ms, r.ack_ms) AS a FROM requests r
    LEFT JOIN request_acks k ON k.request_id = r.id WHERE r.id IN (SELECT value FROM json_each(?))`);
  // The latest delivery of each request to a forward target, as events:get lists them.
  const lastForwards = db.prepare(`SELECT request_id AS r, status AS s, duration_ms AS ms FROM forwards
    WHERE request_id IN (SELECT value FROM json_each(?)) ORDER BY id`);
  function withAnswers(rows: Row[]): HookEvent[] {
    const events = rows.map(arrayToEvent);
    if (events.length === 0) return events;
    const ids = JSON.stringify([...new Set(events.map((e) => e.requestId))]);
    const byRequest = new Map<number, { s: number; a: number | null }>();
    for (const a of answers.all(ids) as { id: number; s: number; a: number | null }[]) byRequest.set(a.id, a);
    const forwards = new Map<number, { status: number | null; ms: number | null }>();
    for (const f of lastForwards.all(ids) as { r: number; s: number | null; ms: number | null }[]) forwards.set(f.r, { status: f.s, ms: f.ms == null ? null : Math.round(f.ms) });
    for (const e of events) {
      const a = byRequest.get(e.requestId);
      e.httpStatus = a?.s ?? null;
      e.ackMs = a?.a ?? null;
      e.forward = forwards.get(e.requestId) ?? null;
    }
    return events;
  }

  const listTx = db.transaction((q: ListQuery): EventPage => {
    const limit = Math.min(Math.max(q.limit ?? 100, 1), 1000);
    const gen = (genStmt.get() as string | undefined) ?? null;
    const upTo = (maxIdStmt.get() as number | null) ?? 0;
    const { parts, match } = whereParts(q);
    // The search's words as each index's terms, read once for the page and its total (same snapshot).
    const search = match ? terms(q.q ?? '') : null;
    if (search && parts.length > 0) {
      // Search + filter: the matches of both are found once (their ids kept when few) and the page is cut
      // from them, instead of walking the full-text matches against the other index for the page and again
      // for the count. Many matches: the FTS walk stops at `limit`.
      const t = total(q, gen, upTo, { withIds: true, search });
      if (t.n === 0) return { items: [], total: 0 };
      const rows = t.ids ? rowsByIds.all(JSON.stringify(cut(t.ids, q.before, limit))) as Row[] : page(q, limit, search);
      return { items: withAnswers(rows), total: t.n };
    }
    if (search && parts.length === 0 && (isPrefixForm(search.fts) || isPrefixForm(search.keys))) {
      // A search still in prefix form (search-terms.ts: a message id's `wamid.HBgM…`, a word many terms start
      // with) reads every match whatever the page: with few matches their ids are read once, oldest first,
      // and the page cut from them; walked newest first, a phrase's other words are sought backwards slowly.
      // Every id, when they are few, is also the total: one reading of the matches instead of two.
      const ids = prep(`${searchSql()} ORDER BY 1 LIMIT ${FEW_MATCHES + 1}`).pluck().all(search.fts, search.keys) as number[];
      if (ids.length <= FEW_MATCHES) {
        const t = total(q, gen, upTo, { search, counted: ids.length });
        return { items: withAnswers(rowsByIds.all(JSON.stringify(cut(Float64Array.from(ids), q.before, limit))) as Row[]), total: t.n };
      }
      const t = total(q, gen, upTo, { search });
      return { items: withAnswers(page(q, limit, search)), total: t.n };
    }
    const items = withAnswers(page(q, limit, search));
    const t = total(q, gen, upTo, q.before == null || q.before > upTo ? { page: items, limit, search } : { search });
    return { items, total: t.n };
  });

  return (q) => listTx(q);
}
