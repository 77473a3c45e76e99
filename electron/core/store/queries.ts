// The UI's queries over one connection: pages, filters, search, counts, the inspector's event and request,
// a message's life and a conversation. The store (store.ts) runs them on the main connection when there is
// no read worker; read-worker.ts runs the very same code over a read-only connection of its own (reads.ts).
// What writes (append, derive, pack, prune) is store.ts.
import Database from 'better-sqlite3';
import type { Database as Db, Statement } from 'better-sqlite3';
import { join } from 'node:path';
import type {
  EventDetail, EventFilter, EventPage, EventStatus, HookEvent, ListQuery,
  MessageLifecycle, MessagePage, MessageStats, MessageQuery, NormalisedEvent, Provider, SignatureVerdict, Stats, StoredRequest,
} from '../../../shared/types';
import { currentState } from '../../../shared/messages';
import { sqlKinds } from '../../../shared/event-kinds';
import { createMessageList } from './message-list';
import { eventsOfStored } from '../ingest/derive-events';
import { requestBytes } from './pack';
import { whereSql } from './where-sql';

export interface StoredRequestWithBytes extends StoredRequest {
  bodyBytes: Buffer;
}

export const EVENT_COLUMNS = `id, request_id, received_at, provider, kind, status, provider_status, message_id, contact_id,
  contact_name, business_id, message_type, text, reply_to, error_code, error_title, error_detail, ts, signature, duplicate`;

export interface EventRow {
  id: number; request_id: number; received_at: number; provider: string | null; kind: string; status: string | null;
  provider_status: string | null; message_id: string | null; contact_id: string | null; contact_name: string | null;
  business_id: string | null; message_type: string | null; text: string | null; reply_to: string | null;
  error_code: string | null; error_title: string | null; error_detail: string | null; ts: number | null;
  signature: string; duplicate: number; raw?: string | null; details?: string | null;
}

export function rowToEvent(r: EventRow): HookEvent {
  const ev: HookEvent = {
    id: r.id, requestId: r.request_id, provider: r.provider as Provider | null, kind: r.kind as HookEvent['kind'],
    status: r.status as EventStatus | null, providerStatus: r.provider_status, messageId: r.message_id,
    contactId: r.contact_id, contactName: r.contact_name, businessId: r.business_id, messageType: r.message_type,
    text: r.text, replyTo: r.reply_to, errorCode: r.error_code, errorTitle: r.error_title, errorDetail: r.error_detail,
    timestamp: r.ts, receivedAt: r.received_at, signature: r.signature as SignatureVerdict, duplicate: r.duplicate === 1,
  };
  if (r.raw !== undefined) ev.raw = r.raw == null ? null : JSON.parse(r.raw);
  if (r.details != null) ev.details = JSON.parse(r.details);
  return ev;
}

/**
 * An event's raw JSON, from the events of its request derived again: the one at its position, checked
 * against what the row says (kind, message id, status) in case the request was edited since.
 */
export function rawOf(events: NormalisedEvent[], row: Pick<EventRow, 'kind' | 'message_id' | 'status'>, position: number): unknown {
  const same = (e: NormalisedEvent | undefined) => e != null && e.kind === row.kind && (e.messageId ?? null) === row.message_id && (e.status ?? null) === row.status;
  const e = same(events[position]) ? events[position] : events.find(same);
  return e?.raw ?? null;
}

export function safeJson(v: unknown): string | null {
  try { return JSON.stringify(v) ?? null; } catch { return null; }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
function bodyAsText(b: Buffer): { body: string; bodyIsText: boolean } {
  try {
    return { body: utf8.decode(b), bodyIsText: true };
  } catch {
    return { body: b.toString('base64'), bodyIsText: false };
  }
}

/** Turns a user's search words into an FTS5 query: every word must match, as a prefix. */
export function ftsQuery(q: string): string | null {
  const words = q.split(/\s+/).map((w) => w.replace(/"/g, '').replace(/^\+/, '')).filter(Boolean);
  if (words.length === 0) return null;
  return words.map((w) => `"${w}"*`).join(' ');
}

function likePattern(contact: string): string {
  const cleaned = contact.replace(/[\s+\-()]/g, '').replace(/^whatsapp:/i, '');
  const escaped = cleaned.replace(/[\\%_]/g, (c) => `\\${c}`);
  return escaped.replace(/\*/g, '%');
}

export interface Thread { contactId: string; items: HookEvent[]; lastIncomingAt: number | null }

/** The UI's reads: the same code runs on the main connection (store) and in the read worker (read-worker.ts). */
export interface StoreReads {
  listEvents(q: ListQuery): EventPage;
  getEvent(id: number): EventDetail | null;
  getRequest(id: number): StoredRequestWithBytes | null;
  /** The message's life with `provider`'s events (default: the provider that owns the id). */
  lifecycle(messageId: string, provider?: Provider): MessageLifecycle | null;
  /** The conversation with a number; with `provider`, that provider's only. */
  thread(contactId: string, limit: number, provider?: Provider): Thread;
  /** Counts under a filter (`status` is ignored: the counts are per status), with the snapshot'Is newest id. */
  stats(f: EventFilter): Stats;
  /** The Messages view's page: one row per message (message-list.ts). */
  listMessages(q: MessageQuery): MessagePage;
  /** The Messages view's counts: messages (distinct message ids), not events. */
  messageStats(f: EventFilter): MessageStats;
}

/** The filter as SQL over `events` (columns prefixed with `col`), with the full-text part kept apart. */
function whereParts(f: EventFilter, col = ''): { parts: string[]; params: unknown[]; match: string | null } {
  const parts: string[] = [];
  const params: unknown[] = [];
  const inList = (c: string, vals: readonly string[] | undefined) => {
    if (!vals || vals.length === 0) return;
    parts.push(`${col}${c} IN (${vals.map(() => '?').join(',')})`);
    params.push(...vals);
  };
  inList('status', f.status);
  inList('kind', f.kind);
  inList('provider', f.provider);
  inList('signature', f.signature);
  if (f.contact) {
    const p = likePattern(f.contact);
    if (p.includes('%')) { parts.push(`${col}contact_id LIKE ? ESCAPE '\\'`); params.push(p); }
    else { parts.push(`${col}contact_id = ?`); params.push(p.replace(/\\(.)/g, '$1')); }
  }
  if (f.messageId) { parts.push(`${col}message_id = ?`); params.push(f.messageId); }
  if (f.since != null) { parts.push(`${col}received_at >= ?`); params.push(f.since); }
  if (f.until != null) { parts.push(`${col}received_at < ?`); params.push(f.until); }
  if (f.businessId) { parts.push(`${col}business_id = ?`); params.push(f.businessId); }
  const w = whereSql(f.where, col);
  parts.push(...w.parts);
  params.push(...w.params);
  return { parts, params, match: f.q ? ftsQuery(f.q) : null };
}

/**
 * The ids the search finds, from both full-text indexes: text and contact (events_fts), and codes, titles,
 * numbers, ids and detail values (events_keys). Every word must match in one of them. `extra` is SQL
 * added to each side's WHERE (rowid bounds); the match and those params come twice, in order.
 */
function searchSql(extra = ''): string {
  return `SELECT rowid AS id FROM events_fts WHERE events_fts MATCH ?${extra} UNION SELECT rowid AS id FROM events_keys WHERE events_keys MATCH ?${extra}`;
}

function where(f: EventFilter): { sql: string; params: unknown[] } {
  const { parts, params, match } = whereParts(f);
  if (match) { parts.push(`id IN (${searchSql()})`); params.push(match, match); }
  return { sql: parts.length ? parts.join(' AND ') : '1', params };
}

/** kv key counting deletes and updates of events (bumped by the main connection's triggers, read by every reader). */
export const GENERATION_KEY = 'events.generation';

/** Totals remembered per filter start over beyond this many new ids. */
const RECOUNT_AFTER = 50_000;
/** A search + filter whose matches are at most this many keeps their ids (pages are then cut from them). */
const LIST_MAX = 50_000;
/** Ids kept across all remembered filters, at most (8 bytes each). */
const LIST_BUDGET = 2_000_000;

interface Remembered {
  n: number;
  upTo: number;
  gen: string | null;
  /** Ascending ids of every match, for search + filter shapes with few matches. */
  ids: Float64Array | null;
}

/**
 * The UI's read queries over one connection. The store runs them on the main connection when there is no
 * read worker; read-worker.ts runs the very same code over a read-only connection of its own.
 */
export function createReads(db: Db): StoreReads {
  const getEventRow = db.prepare(`SELECT ${EVENT_COLUMNS}, raw, details FROM events WHERE id = ?`);
  const getRequestRow = db.prepare('SELECT * FROM requests WHERE id = ?');
  const getForwards = db.prepare('SELECT target, status, duration_ms, error, response_excerpt FROM forwards WHERE request_id = ? ORDER BY id');
  // A message id belongs to one provider: its life is that provider's events alone, so another
  // provider's events carrying the same id (a forged Twilio callback naming a Meta wamid) never move it.
  // The owner is the provider asked for, else the one Meta ids name ("wamid."), else the first seen.
  const lifecycleRows = db.prepare(`SELECT ${EVENT_COLUMNS} FROM events WHERE message_id = @m AND provider IS COALESCE(@p,
    CASE WHEN @m LIKE 'wamid.%' THEN 'meta' ELSE (SELECT provider FROM events WHERE message_id = @m ORDER BY id LIMIT 1) END)
    ORDER BY COALESCE(ts, received_at), id`);
  // details too: the conversation needs to know which side an imported (history) message came from.
  // With a provider, only that provider's conversation with the number (docs/api.md "Trust boundary").
  const threadRows = db.prepare(`SELECT ${EVENT_COLUMNS}, details FROM events WHERE contact_id = @c AND (@p IS NULL OR provider = @p) AND kind IN (${sqlKinds('conversation')}) ORDER BY COALESCE(ts, received_at) DESC, id DESC LIMIT @l`);
  const lastIncoming = db.prepare(`SELECT MAX(COALESCE(ts, received_at)) AS t FROM events WHERE contact_id = @c AND (@p IS NULL OR provider = @p) AND kind = 'message'`);
  const rowsByIds = db.prepare(`SELECT ${EVENT_COLUMNS} FROM events WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id DESC`);

  const prep = statementCache(db);
  const counts = createCounts(db, prep);

  // Totals at scale (docs/benchmarks.md): COUNT(*) over a million rows costs 5-60 ms, too much for every
  // page. A total is remembered per filter with the highest id it covered; the next page only counts the
  // events that arrived since (ids only grow). Any delete or update of events (retention) bumps the
  // generation in kv — written by the main connection, so a read worker sees it too — and starts over.
  // A page and its total are read in one transaction: the same snapshot, however writes interleave.
  const genStmt = db.prepare(`SELECT value FROM kv WHERE key = '${GENERATION_KEY}'`).pluck();
  const maxIdStmt = db.prepare('SELECT MAX(id) FROM events').pluck();
  const totals = new Map<string, Remembered>();
  let listed = 0;

  /** COUNT(*) for a filter; `range` [lo, hi] counts only ids in (lo, hi] (rowid bounds inside the FTS match too). */
  function countSql(f: EventFilter, range?: [number, number], select = 'COUNT(*)'): { sql: string; params: unknown[] } {
    const { parts, params, match } = whereParts(f);
    const r = range ?? [];
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

  const E_COLUMNS = EVENT_COLUMNS.split(',').map((c) => `e.${c.trim()}`).join(', ');

  function page(q: ListQuery, limit: number): EventRow[] {
    const { parts, params, match } = whereParts(q, 'e.');
    if (match) {
      // Walk the full-text matches newest first and stop at `limit`, instead of collecting them all.
      // CROSS JOIN keeps the FTS index outside: probing it per row re-reads a prefix match every time.
      // With other filters this runs only when many events match both (see listEvents), so few are skipped.
      // The two indexes are merged newest first (both walk rowids in order).
      const before = q.before != null ? ' AND rowid < ?' : '';
      const b = q.before != null ? [q.before] : [];
      const other = parts.length ? ` WHERE ${parts.join(' AND ')}` : '';
      const sql = `SELECT ${E_COLUMNS} FROM (${searchSql(before)} ORDER BY 1 DESC) m CROSS JOIN events e ON e.id = m.id${other} ORDER BY m.id DESC LIMIT ?`;
      return prep(sql).all(match, ...b, match, ...b, ...params, limit) as EventRow[];
    }
    const w = where(q);
    const pageWhere = q.before != null ? `(${w.sql}) AND id < ?` : w.sql;
    const pageParams = q.before != null ? [...w.params, q.before] : w.params;
    return prep(`SELECT ${EVENT_COLUMNS} FROM events WHERE ${pageWhere} ORDER BY id DESC LIMIT ?`).all(...pageParams, limit) as EventRow[];
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
  const answers = db.prepare('SELECT id, response_status AS s, ack_ms AS a FROM requests WHERE id IN (SELECT value FROM json_each(?))');
  // The latest delivery of each request to a forward target, as events:get lists them.
  const lastForwards = db.prepare(`SELECT request_id AS r, status AS s, duration_ms AS ms FROM forwards
    WHERE request_id IN (SELECT value FROM json_each(?)) ORDER BY id`);
  function withAnswers(rows: EventRow[]): HookEvent[] {
    const events = rows.map(rowToEvent);
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
    if (match && parts.length > 0) {
      // Search + filter: the matches of both are found once (their ids kept when few) and the page is cut
      // from them, instead of walking the full-text matches against the other index for the page and again
      // for the count. Many matches: the FTS walk stops at `limit`.
      const t = total(q, gen, upTo, { withIds: true });
      if (t.n === 0) return { items: [], total: 0 };
      const rows = t.ids ? rowsByIds.all(JSON.stringify(cut(t.ids, q.before, limit))) as EventRow[] : page(q, limit);
      return { items: withAnswers(rows), total: t.n };
    }
    const rows = page(q, limit);
    const t = total(q, gen, upTo, q.before == null || q.before > upTo ? { page: rows, limit } : {});
    return { items: withAnswers(rows), total: t.n };
  });

  const positionStmt = db.prepare('SELECT COUNT(*) FROM events WHERE request_id = ? AND id < ?').pluck();
  const messages = createMessageList<EventRow>({ prep, where, rowToEvent, getEventRow, lifecycleRows, getRequestStatus: db.prepare('SELECT response_status FROM requests WHERE id = ?').pluck() });

  const reads: StoreReads = {
    listEvents: (q) => listTx(q),
    listMessages: (q) => messages.list(q),
    messageStats: (f) => counts.messageStats(f),

    getEvent(id) {
      const row = getEventRow.get(id) as EventRow | undefined;
      if (!row) return null;
      const request = reads.getRequest(row.request_id);
      if (!request) return null;
      const { bodyBytes, ...req } = request;
      const ev = rowToEvent(row);
      if (row.raw == null) {
        // Derived again from the request's exact bytes (events of older versions kept their own JSON).
        const shape = { method: req.method, path: req.path, query: req.query, headers: req.headers, body: bodyBytes, provider: req.provider };
        ev.raw = rawOf(eventsOfStored(shape), row, positionStmt.get(row.request_id, row.id) as number);
      }
      return { ...ev, request: req };
    },

    getRequest(id) {
      const r = getRequestRow.get(id) as Record<string, unknown> | undefined;
      if (!r) return null;
      const stored = requestBytes(r as { headers: string; body: Buffer | null; packed: number });
      const bytes = stored.body ?? Buffer.alloc(0);
      const forwards = (getForwards.all(id) as { target: string; status: number | null; duration_ms: number | null; error: string | null; response_excerpt: string | null }[])
        .map((f) => ({ target: f.target, status: f.status, durationMs: f.duration_ms, error: f.error, responseExcerpt: f.response_excerpt }));
      return {
        id: r.id as number, receivedAt: r.received_at as number, method: r.method as string, path: r.path as string,
        query: r.query as string, headers: JSON.parse(stored.headers), ...bodyAsText(bytes), bodySize: r.body_size as number,
        provider: r.provider as Provider | null, responseStatus: r.response_status as number,
        signature: r.signature as SignatureVerdict, signatureDiagnosis: r.signature_diagnosis as string | null,
        error: r.error as string | null, origin: r.origin as StoredRequest['origin'], forwards, bodyBytes: bytes,
      };
    },

    lifecycle(messageId, provider) {
      const events = (lifecycleRows.all({ m: messageId, p: provider ?? null }) as EventRow[]).map(rowToEvent);
      if (events.length === 0) return null;
      const statuses = events.filter((e) => e.kind === 'status').map((e) => e.status);
      const contactId = events.find((e) => e.contactId)?.contactId ?? null;
      return { messageId, contactId, current: currentState(statuses.length ? statuses : events.map((e) => e.status)), events };
    },

    thread(contactId, limit, provider) {
      const items = (threadRows.all({ c: contactId, p: provider ?? null, l: limit }) as EventRow[]).map(rowToEvent).reverse();
      const t = (lastIncoming.get({ c: contactId, p: provider ?? null }) as { t: number | null }).t;
      return { contactId, items, lastIncomingAt: t };
    },

    stats(f) {
      return counts.stats(f);
    },
  };

  return reads;
}

/** Prepared statements for filter shapes, cached by SQL text: the UI repeats the same few shapes. */
function statementCache(db: Db): (sql: string) => Statement {
  const cache = new Map<string, Statement>();
  return function prep(sql: string): Statement {
    let s = cache.get(sql);
    if (!s) {
      s = db.prepare(sql);
      if (cache.size > 200) cache.clear();
      cache.set(sql, s);
    }
    return s;
  };
}

/** The status bar's and the Messages view's counts under a filter (`status` is ignored: they are per status). */
function createCounts(db: Db, prep: (sql: string) => Statement): { stats(f: EventFilter): Stats; messageStats(f: EventFilter): MessageStats } {
  // A row of the Messages view is a message id, or an event of its own when it has none (message-list.ts).
  const MESSAGE_KEY = `COALESCE(message_id, 'event:' || id)`;
  const messageStatsTx = db.transaction((full: EventFilter): MessageStats => {
    const { status: _ignored, ...f } = full;
    const byStatus: MessageStats['byStatus'] = {};
    const w = where(f);
    for (const r of prep(`SELECT status, COUNT(DISTINCT ${MESSAGE_KEY}) AS n FROM events WHERE status IS NOT NULL AND (${w.sql}) GROUP BY status`).all(...w.params) as { status: EventStatus; n: number }[]) {
      byStatus[r.status] = r.n;
    }
    const t = where(full);
    const total = (prep(`SELECT COUNT(DISTINCT ${MESSAGE_KEY}) AS n FROM events WHERE ${t.sql}`).get(...t.params) as { n: number }).n;
    const all = (prep(`SELECT COUNT(DISTINCT ${MESSAGE_KEY}) AS n FROM events`).get() as { n: number }).n;
    return { byStatus, total, all };
  });

  // One read transaction: the counts, the total of everything and the newest id counted come from the
  // same snapshot, so the renderer can add exactly the live events that came after it.
  const statsTx = db.transaction((full: EventFilter): Stats => {
      const { status: _ignored, ...f } = full;
      const maxId = (prep('SELECT MAX(id) AS m FROM events').get() as { m: number | null }).m ?? 0;
      const byStatus: Stats['byStatus'] = {};
      const byErrorCode: Record<string, number> = {};
      const byKind: Stats['byKind'] = {};
      let total = 0;
      const filtered = Object.values(f).some((v) => v != null && !(Array.isArray(v) && v.length === 0) && v !== '');
      if (filtered) {
        // A filter (a time range, say): one pass over what matches, not three scans of the status,
        // kind and error indexes filtered row by row (1.3 s at a million events, docs/benchmarks.md).
        const w = where(f);
        for (const r of prep(`SELECT kind, status, error_code, COUNT(*) AS n FROM events WHERE ${w.sql} GROUP BY kind, status, error_code`).all(...w.params) as { kind: HookEvent['kind']; status: EventStatus | null; error_code: string | null; n: number }[]) {
          if (r.status != null) byStatus[r.status] = (byStatus[r.status] ?? 0) + r.n;
          if (r.error_code != null) byErrorCode[r.error_code] = (byErrorCode[r.error_code] ?? 0) + r.n;
          byKind[r.kind] = (byKind[r.kind] ?? 0) + r.n;
          total += r.n;
        }
        // Same read transaction as maxId, so this is the count up to it. Without a WHERE on id, SQLite counts
        // the narrowest index instead of walking every row of the table (20× quicker at a million events).
        const all = (prep('SELECT COUNT(*) AS n FROM events').get() as { n: number }).n;
        return { byStatus, byErrorCode, byKind, total, all, maxId };
      }
      // All time: each count from its own covering index.
      for (const r of prep('SELECT status, COUNT(*) AS n FROM events WHERE status IS NOT NULL GROUP BY status').all() as { status: EventStatus; n: number }[]) {
        byStatus[r.status] = r.n;
      }
      for (const r of prep('SELECT error_code, COUNT(*) AS n FROM events WHERE error_code IS NOT NULL GROUP BY error_code').all() as { error_code: string; n: number }[]) {
        byErrorCode[r.error_code] = r.n;
      }
      for (const r of prep('SELECT kind, COUNT(*) AS n FROM events GROUP BY kind').all() as { kind: HookEvent['kind']; n: number }[]) {
        byKind[r.kind] = r.n;
        total += r.n;
      }
      return { byStatus, byErrorCode, byKind, total, all: total, maxId };
  });
  return { stats: (f) => statsTx(f), messageStats: (f) => messageStatsTx(f) };
}

/** A read-only connection to the store's file (read worker); the schema is the writer's business. */
export function openReadConnection(opts: { dataDir: string; nativeBinding?: string }): Db {
  const db = new Database(join(opts.dataDir, 'hookscope.db'), {
    readonly: true, fileMustExist: true, ...(opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {}),
  });
  db.pragma('busy_timeout = 5000');
  return db;
}

  /** Every event matching a filter, newest first by default; `withRaw`: with each event's raw JSON. */
export function* iterateEvents(db: Db, f: EventFilter, opts: { withRaw?: boolean; order?: 'asc' | 'desc' } = {}): IterableIterator<HookEvent> {
    const w = where(f);
    const cols = opts.withRaw ? `${EVENT_COLUMNS}, raw, details` : `${EVENT_COLUMNS}, details`;
    const order = opts.order === 'asc' ? 'ASC' : 'DESC';
    // A fresh statement: iterate() holds it busy until the loop ends.
    const stmt = db.prepare(`SELECT ${cols} FROM events WHERE ${w.sql} ORDER BY id ${order}`);
    if (!opts.withRaw) {
      for (const row of stmt.iterate(...w.params) as IterableIterator<EventRow>) yield rowToEvent(row);
      return;
    }
    // Raw JSON derived again from each request's bytes; one request's events are computed once.
    const reqStmt = db.prepare('SELECT method, path, query, headers, body, packed, provider FROM requests WHERE id = ?');
    const position = db.prepare('SELECT COUNT(*) FROM events WHERE request_id = ? AND id < ?').pluck();
    let cached = null as { id: number; events: NormalisedEvent[] } | null;
    for (const row of stmt.iterate(...w.params) as IterableIterator<EventRow>) {
      const ev = rowToEvent(row);
      if (row.raw == null) {
        if (cached?.id !== row.request_id) {
          const r = reqStmt.get(row.request_id) as { method: string; path: string; query: string; headers: string; body: Buffer | null; packed: number; provider: Provider | null } | undefined;
          const b = r ? requestBytes(r) : null;
          cached = { id: row.request_id, events: r && b ? eventsOfStored({ ...r, body: b.body, headers: JSON.parse(b.headers) as [string, string][] }) : [] };
        }
        ev.raw = rawOf(cached.events, row, position.get(row.request_id, row.id) as number);
      }
      yield ev;
    }
  }
