// The SQLite store: one file in the data dir, WAL, migrated in place on open.
// better-sqlite3 is synchronous; every statement is prepared once, every filter the UI offers has an
// index, and writes arrive grouped (see writer.ts) so a burst of webhooks is one transaction, not many.
import Database from 'better-sqlite3';
import type { Database as Db, Statement } from 'better-sqlite3';
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import type {
  EventDetail, EventFilter, EventPage, EventStatus, ForwardResult, HookEvent, ListQuery,
  MessageLifecycle, MessagePage, MessageQuery, NormalisedEvent, Provider, SignatureVerdict, Stats, StoredRequest,
} from '../../../shared/types';
import { HookscopeError } from '../../../shared/errors';
import { MIGRATIONS } from './schema';
import { currentState } from '../../../shared/messages';
import { kindIs, sqlKinds } from '../../../shared/event-kinds';
import { createMessageList } from './message-list';
import { blankEvent, eventsOfStored } from '../ingest/derive-events';
import { PACK_MIN_BYTES, PACKED_V1, pack, requestBytes } from './pack';
import type { Clock } from '../types';

export interface IngestRequest {
  receivedAt: number;
  method: string;
  path: string;
  query: string;
  headers: [string, string][];
  body: Buffer | null;
  provider: Provider | null;
  responseStatus: number;
  signature: SignatureVerdict;
  signatureDiagnosis: string | null;
  error: string | null;
  origin: StoredRequest['origin'];
}

export interface IngestRecord {
  request: IngestRequest;
  events: NormalisedEvent[];
}

export interface IngestResult {
  requestId: number;
  events: HookEvent[];
}

/** A request row as the deriver reads it back (its bytes, for forwarding and rules). */
export interface DerivedRequest {
  request: IngestRequest & { id: number };
  result: IngestResult;
  /** Its events could not be derived: kept with one 'unknown' event saying why (headers and body not read). */
  failed?: true;
}

/** Requests up to this id have their events (kv; written in the same transaction as the events). */
export const DERIVED_KEY = 'derived_through';
/** Requests up to this id have been looked at for packing (kv). */
export const PACK_SCAN_KEY = 'pack_scanned_through';

export interface StoredRequestWithBytes extends StoredRequest {
  bodyBytes: Buffer;
}

// The order of message states lives in shared/ (the Messages view folds live events with it too).
export { STATUS_RANK, currentState } from '../../../shared/messages';

const EVENT_COLUMNS = `id, request_id, received_at, provider, kind, status, provider_status, message_id, contact_id,
  contact_name, business_id, message_type, text, reply_to, error_code, error_title, error_detail, ts, signature, duplicate`;

interface EventRow {
  id: number; request_id: number; received_at: number; provider: string | null; kind: string; status: string | null;
  provider_status: string | null; message_id: string | null; contact_id: string | null; contact_name: string | null;
  business_id: string | null; message_type: string | null; text: string | null; reply_to: string | null;
  error_code: string | null; error_title: string | null; error_detail: string | null; ts: number | null;
  signature: string; duplicate: number; raw?: string | null; details?: string | null;
}

function rowToEvent(r: EventRow): HookEvent {
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

function safeJson(v: unknown): string | null {
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
  lifecycle(messageId: string): MessageLifecycle | null;
  thread(contactId: string, limit: number): Thread;
  /** Counts under a filter (`status` is ignored: the counts are per status), with the snapshot'Is newest id. */
  stats(f: EventFilter): Stats;
  /** The Messages view's page: one row per message (message-list.ts). */
  listMessages(q: MessageQuery): MessagePage;
}

export interface Store extends StoreReads {
  readonly db: Db;
  /**
   * The acknowledgement path: the request rows alone (exact bytes, headers, verdict), in one transaction.
   * With `ids`, rows are inserted under those ids and ones already present are skipped (a mirror of a
   * shared log). Returns each row's id.
   */
  appendRequests(requests: IngestRequest[], opts?: { ids?: number[] }): number[];
  /**
   * Derives the events of up to `limit` committed requests after the watermark, in id order, in one
   * transaction that also moves the watermark: each request is derived exactly once, even across a crash.
   * `known` holds requests just committed with their events already computed (by the receiver's decision);
   * the others are read back and their events computed again from their stored bytes. Packing them
   * (pack.ts) is packNext's work, later. This transaction is not fsynced on its own: if it is lost with
   * the machine's power, the watermark is lost with it and the events are derived again.
   */
  deriveNext(limit: number, known?: Map<number, IngestRecord>): DerivedRequest[];
  /**
   * The next request after the watermark, kept with one 'unknown' event carrying `why` instead of its own
   * events (their derivation failed), and the watermark moved past it. Null when none is pending.
   */
  deriveFailed(why: string): DerivedRequest | null;
  /** Requests committed but not yet derived. */
  underived(): number;
  /**
   * Packs up to `limit` derived requests (pack.ts), oldest first after the last one looked at; returns how
   * many were looked at (0: none left). The deriver runs it when the receiver is idle.
   */
  packNext(limit: number): number;
  iterateEvents(f: EventFilter, opts?: { withRaw?: boolean; order?: 'asc' | 'desc' }): IterableIterator<HookEvent>;
  addForward(requestId: number, f: ForwardResult): void;
  kvGet(key: string): string | null;
  kvSet(key: string, value: string | null): void;
  prune(opts: { olderThan?: number; maxEvents?: number; batch?: number }): number;
  counts(): { events: number; requests: number; bytes: number };
  close(): void;
}

export function openStore(opts: { dataDir: string; nativeBinding?: string; clock?: Clock }): Store {
  try {
    // Customer numbers and messages live here: readable by this user only.
    mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new HookscopeError('DATA_DIR_NOT_WRITABLE', `The data directory ${opts.dataDir} cannot be created: ${(err as Error).message}`);
  }
  const file = join(opts.dataDir, 'hookscope.db');
  let db: Db | undefined;
  try {
    if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600));
    db = new Database(file, opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {});
    // WAL lets the UI read while the receiver writes; synchronous=FULL makes a 200 mean "on disk"
    // even if the machine loses power, and group commit pays that fsync once per batch.
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
  } catch (err) {
    // A damaged file opens and then fails its first statement: close it so the desktop app can move it
    // aside (Windows cannot rename an open file) and retry.
    try { db?.close(); } catch { /* already unusable */ }
    const msg = (err as Error).message;
    if (/readonly|unable to open|permission|EACCES/i.test(msg)) {
      throw new HookscopeError('DATA_DIR_NOT_WRITABLE', `The data directory ${opts.dataDir} is not writable (${msg}).`);
    }
    throw err;
  }
  try {
    migrate(db, opts.dataDir);
  } catch (err) {
    try { if (db.open) db.close(); } catch { /* already unusable */ }
    throw err;
  }
  return createStoreApi(db);
}

function migrate(db: Db, dataDir: string) {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > MIGRATIONS.length) {
    db.close();
    throw new HookscopeError('DB_TOO_NEW', `The database in ${dataDir} was written by a newer Hookscope (schema ${version}, this one knows ${MIGRATIONS.length}). Update Hookscope or use another --data-dir.`);
  }
  for (let v = version; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      const m = MIGRATIONS[v];
      if (typeof m === 'string') db.exec(m);
      else { db.exec(m.sql); m.run(db); }
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
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
  return { parts, params, match: f.q ? ftsQuery(f.q) : null };
}

function where(f: EventFilter): { sql: string; params: unknown[] } {
  const { parts, params, match } = whereParts(f);
  if (match) { parts.push('id IN (SELECT rowid FROM events_fts WHERE events_fts MATCH ?)'); params.push(match); }
  return { sql: parts.length ? parts.join(' AND ') : '1', params };
}

/** kv key counting deletes and updates of events (bumped by the main connection's triggers, read by every reader). */
const GENERATION_KEY = 'events.generation';

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
  const lifecycleRows = db.prepare(`SELECT ${EVENT_COLUMNS} FROM events WHERE message_id = ? ORDER BY COALESCE(ts, received_at), id`);
  // details too: the conversation needs to know which side an imported (history) message came from.
  const threadRows = db.prepare(`SELECT ${EVENT_COLUMNS}, details FROM events WHERE contact_id = ? AND kind IN (${sqlKinds('conversation')}) ORDER BY COALESCE(ts, received_at) DESC, id DESC LIMIT ?`);
  const lastIncoming = db.prepare(`SELECT MAX(COALESCE(ts, received_at)) AS t FROM events WHERE contact_id = ? AND kind = 'message'`);
  const rowsByIds = db.prepare(`SELECT ${EVENT_COLUMNS} FROM events WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id DESC`);

  // Prepared statements for filter shapes are cached by SQL text: the UI repeats the same few shapes.
  const cache = new Map<string, Statement>();
  function prep(sql: string): Statement {
    let s = cache.get(sql);
    if (!s) {
      s = db.prepare(sql);
      if (cache.size > 200) cache.clear();
      cache.set(sql, s);
    }
    return s;
  }

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
      // Full-text alone is counted in the FTS index, without touching events.
      return { sql: `SELECT ${select === 'COUNT(*)' ? select : 'rowid'} FROM events_fts WHERE events_fts MATCH ?${range ? ' AND rowid > ? AND rowid <= ?' : ''}`, params: [match, ...r] };
    }
    if (match) { parts.push(`id IN (SELECT rowid FROM events_fts WHERE events_fts MATCH ?${range ? ' AND rowid > ? AND rowid <= ?' : ''})`); params.push(match, ...r); }
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
      const before = q.before != null ? ' AND events_fts.rowid < ?' : '';
      const other = parts.length ? ` AND ${parts.join(' AND ')}` : '';
      const sql = `SELECT ${E_COLUMNS} FROM events_fts CROSS JOIN events e ON e.id = events_fts.rowid WHERE events_fts MATCH ?${before}${other} ORDER BY events_fts.rowid DESC LIMIT ?`;
      return prep(sql).all(match, ...(q.before != null ? [q.before] : []), ...params, limit) as EventRow[];
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

  // What the receiver answered, for the feed's optional HTTP column: one primary-key lookup per page.
  const answers = db.prepare('SELECT id, response_status AS s FROM requests WHERE id IN (SELECT value FROM json_each(?))');
  function withAnswers(rows: EventRow[]): HookEvent[] {
    const events = rows.map(rowToEvent);
    if (events.length === 0) return events;
    const byRequest = new Map<number, number>();
    for (const a of answers.all(JSON.stringify([...new Set(events.map((e) => e.requestId))])) as { id: number; s: number }[]) byRequest.set(a.id, a.s);
    for (const e of events) e.httpStatus = byRequest.get(e.requestId) ?? null;
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

    lifecycle(messageId) {
      const events = (lifecycleRows.all(messageId) as EventRow[]).map(rowToEvent);
      if (events.length === 0) return null;
      const statuses = events.filter((e) => e.kind === 'status').map((e) => e.status);
      const contactId = events.find((e) => e.contactId)?.contactId ?? null;
      return { messageId, contactId, current: currentState(statuses.length ? statuses : events.map((e) => e.status)), events };
    },

    thread(contactId, limit) {
      const items = (threadRows.all(contactId, limit) as EventRow[]).map(rowToEvent).reverse();
      const t = (lastIncoming.get(contactId) as { t: number | null }).t;
      return { contactId, items, lastIncomingAt: t };
    },

    stats(f) {
      return statsTx(f);
    },
  };

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
  return reads;
}

/** A read-only connection to the store's file (read worker); the schema is the writer's business. */
export function openReadConnection(opts: { dataDir: string; nativeBinding?: string }): Db {
  const db = new Database(join(opts.dataDir, 'hookscope.db'), {
    readonly: true, fileMustExist: true, ...(opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {}),
  });
  db.pragma('busy_timeout = 5000');
  return db;
}

function createStoreApi(db: Db): Store {
  const insertEvent = db.prepare(`INSERT INTO events (request_id, received_at, provider, kind, status, provider_status, message_id,
    contact_id, contact_name, business_id, message_type, text, reply_to, error_code, error_title, error_detail, ts, signature,
    duplicate, raw, details) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`);
  const insertFts = db.prepare('INSERT INTO events_fts (rowid, text, contact_name, contact_id, message_id) VALUES (?,?,?,?,?)');
  const seenStatus = db.prepare('SELECT 1 FROM events WHERE message_id = ? AND status = ? AND kind = ? LIMIT 1');
  const seenNoStatus = db.prepare('SELECT 1 FROM events WHERE message_id = ? AND status IS NULL AND kind = ? LIMIT 1');
  const insertForward = db.prepare('INSERT INTO forwards (request_id, target, status, duration_ms, error, response_excerpt, at) VALUES (?,?,?,?,?,?,?)');
  const kvGetStmt = db.prepare('SELECT value FROM kv WHERE key = ?');
  const kvSetStmt = db.prepare('INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
  const kvDelStmt = db.prepare('DELETE FROM kv WHERE key = ?');
  const deleteFts = db.prepare(`INSERT INTO events_fts (events_fts, rowid, text, contact_name, contact_id, message_id) VALUES ('delete', ?, ?, ?, ?, ?)`);

  // Deletes and updates of events (retention) bump a generation that every reader's remembered totals
  // compare (createReads). Temporary triggers: this process's main connection is the only writer.
  db.exec(`INSERT INTO kv (key, value) VALUES ('${GENERATION_KEY}', '0') ON CONFLICT(key) DO NOTHING;
    CREATE TEMP TRIGGER IF NOT EXISTS hs_events_deleted AFTER DELETE ON main.events BEGIN
      UPDATE kv SET value = CAST(value AS INTEGER) + 1 WHERE key = '${GENERATION_KEY}'; END;
    CREATE TEMP TRIGGER IF NOT EXISTS hs_events_updated AFTER UPDATE ON main.events BEGIN
      UPDATE kv SET value = CAST(value AS INTEGER) + 1 WHERE key = '${GENERATION_KEY}'; END;`);

  const insertRequestWithId = db.prepare(`INSERT OR IGNORE INTO requests (id, received_at, method, path, query, headers, body, body_size, provider,
    response_status, signature, signature_diagnosis, error, origin) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)`);
  const derivedGet = db.prepare(`SELECT value FROM kv WHERE key = '${DERIVED_KEY}'`).pluck();
  const derivedSet = db.prepare(`INSERT INTO kv (key, value) VALUES ('${DERIVED_KEY}', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`);
  const pendingIds = db.prepare('SELECT id FROM requests WHERE id > ? ORDER BY id LIMIT ?').pluck();
  const requestRow = db.prepare(`SELECT id, received_at, method, path, query, headers, body, packed, provider, response_status, signature,
    signature_diagnosis, error, origin FROM requests WHERE id = ?`);
  const packRow = db.prepare(`UPDATE requests SET headers = '', body = ?, packed = ${PACKED_V1} WHERE id = ? AND packed = 0`);
  const maxRequest = db.prepare('SELECT MAX(id) FROM requests').pluck();
  const countAfter = db.prepare('SELECT COUNT(*) FROM requests WHERE id > ?').pluck();
  const watermark = () => Number(derivedGet.get() ?? 0);

  const insertRequestAt = db.prepare(`INSERT INTO requests (id, received_at, method, path, query, headers, body, body_size, provider,
    response_status, signature, signature_diagnosis, error, origin) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)`);

  function appendOne(r: IngestRequest, id: number, mirror = false): number {
    const args = [r.receivedAt, r.method, r.path, r.query, JSON.stringify(r.headers), r.body, r.body ? r.body.length : 0, r.provider,
      r.responseStatus, r.signature, r.signatureDiagnosis, r.error, r.origin] as const;
    if (mirror) insertRequestWithId.run(id, ...args);
    else insertRequestAt.run(id, ...args);
    return id;
  }

  /**
   * The id after which new requests go: above every row and above the watermark. SQLite would reuse the
   * ids of the newest rows once they are deleted (retention emptying the table, a forget), and a reused
   * id at or below the watermark would never be derived.
   */
  function firstFreeId(): number {
    return Math.max((maxRequest.get() as number | null) ?? 0, watermark()) + 1;
  }

  function deriveOne(requestId: number, r: IngestRequest, events: NormalisedEvent[]): HookEvent[] {
    const stored: HookEvent[] = [];
    for (const e of events) {
      // At-least-once delivery: the same (message id, status) again is flagged, never dropped.
      let duplicate = false;
      if (e.messageId && kindIs(e.kind, 'lifecycle')) {
        duplicate = (e.status ? seenStatus.get(e.messageId, e.status, e.kind) : seenNoStatus.get(e.messageId, e.kind)) !== undefined;
      }
      // No raw JSON per event: the request holds the exact bytes it came from, and the inspector
      // derives the event's part of them again on demand (getEvent).
      const details = e.details ? safeJson(e.details) : null;
      const ei = insertEvent.run(requestId, r.receivedAt, e.provider, e.kind, e.status, e.providerStatus, e.messageId,
        e.contactId, e.contactName, e.businessId, e.messageType, e.text, e.replyTo, e.errorCode, e.errorTitle,
        e.errorDetail, e.timestamp, r.signature, duplicate ? 1 : 0, null, details);
      const id = Number(ei.lastInsertRowid);
      if (e.text || e.contactName || e.contactId || e.messageId) {
        insertFts.run(id, e.text, e.contactName, e.contactId, e.messageId);
      }
      stored.push({
        id, requestId, provider: e.provider, kind: e.kind, status: e.status, providerStatus: e.providerStatus,
        messageId: e.messageId, contactId: e.contactId, contactName: e.contactName, businessId: e.businessId,
        messageType: e.messageType, text: e.text, replyTo: e.replyTo, errorCode: e.errorCode, errorTitle: e.errorTitle,
        errorDetail: e.errorDetail, timestamp: e.timestamp, receivedAt: r.receivedAt, signature: r.signature, duplicate,
        httpStatus: r.responseStatus,
        ...(e.details ? { details: e.details } : {}),
      });
    }
    return stored;
  }

  interface RequestRow {
    id: number; received_at: number; method: string; path: string; query: string; headers: string; body: Buffer | null; packed: number;
    provider: Provider | null; response_status: number; signature: SignatureVerdict; signature_diagnosis: string | null;
    error: string | null; origin: StoredRequest['origin'];
  }

  const appendTx = db.transaction((requests: IngestRequest[], ids?: number[]): number[] => {
    if (ids) return requests.map((r, i) => appendOne(r, ids[i], true));
    let next = firstFreeId();
    return requests.map((r) => appendOne(r, next++));
  });

  /** A committed request as the deriver needs it: from memory when the receiver just wrote it, else from its row. */
  function loadRequest(id: number, known?: IngestRecord): { request: IngestRequest & { id: number }; events: NormalisedEvent[]; packed: boolean } | null {
    if (known) return { request: { ...known.request, id }, events: known.events, packed: false };
    const row = requestRow.get(id) as RequestRow | undefined;
    if (!row) return null;
    const bytes = requestBytes(row);
    const request: IngestRequest & { id: number } = {
      id: row.id, receivedAt: row.received_at, method: row.method, path: row.path, query: row.query,
      headers: JSON.parse(bytes.headers) as [string, string][], body: bytes.body, provider: row.provider,
      responseStatus: row.response_status, signature: row.signature, signatureDiagnosis: row.signature_diagnosis,
      error: row.error, origin: row.origin,
    };
    return { request, events: eventsOfStored(request), packed: row.packed !== 0 };
  }

  const deriveTx = db.transaction((limit: number, known?: Map<number, IngestRecord>): DerivedRequest[] => {
    const ids = pendingIds.all(watermark(), limit) as number[];
    const out: DerivedRequest[] = [];
    for (const id of ids) {
      const r = loadRequest(id, known?.get(id));
      if (!r) continue;
      out.push({ request: r.request, result: { requestId: id, events: deriveOne(id, r.request, r.events) } });
    }
    if (ids.length > 0) derivedSet.run(String(ids[ids.length - 1]));
    return out;
  });

  const packScanGet = db.prepare(`SELECT value FROM kv WHERE key = '${PACK_SCAN_KEY}'`).pluck();
  const packScanSet = db.prepare(`INSERT INTO kv (key, value) VALUES ('${PACK_SCAN_KEY}', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`);
  const unpackedRows = db.prepare('SELECT id, headers, body, packed FROM requests WHERE id > ? AND id <= ? ORDER BY id LIMIT ?');
  const packTx = db.transaction((limit: number): number => {
    const from = Number(packScanGet.get() ?? 0);
    const rows = unpackedRows.all(from, watermark(), limit) as { id: number; headers: string; body: Buffer | null; packed: number }[];
    for (const r of rows) {
      if (r.packed !== 0 || r.headers.length + (r.body?.length ?? 0) < PACK_MIN_BYTES) continue;
      packRow.run(pack(r.headers, r.body), r.id);
    }
    if (rows.length > 0) packScanSet.run(String(rows[rows.length - 1].id));
    return rows.length;
  });

  const requestMeta = db.prepare(`SELECT id, received_at, method, path, query, provider, response_status, signature,
    signature_diagnosis, error, origin FROM requests WHERE id = ?`);
  const deriveFailedTx = db.transaction((why: string): DerivedRequest | null => {
    const id = (pendingIds.all(watermark(), 1) as number[])[0];
    if (id == null) return null;
    const m = requestMeta.get(id) as Omit<RequestRow, 'headers' | 'body' | 'packed'>;
    // Headers and body are not read back: reading them may be what failed. The row keeps them.
    const request: IngestRequest & { id: number } = {
      id, receivedAt: m.received_at, method: m.method, path: m.path, query: m.query, headers: [], body: null,
      provider: m.provider, responseStatus: m.response_status, signature: m.signature, signatureDiagnosis: m.signature_diagnosis,
      error: m.error, origin: m.origin,
    };
    const events = deriveOne(id, request, [blankEvent({ provider: m.provider, errorDetail: why })]);
    derivedSet.run(String(id));
    return { request, result: { requestId: id, events }, failed: true };
  });

  function deriveNext(limit: number, known?: Map<number, IngestRecord>): DerivedRequest[] {
    if (watermark() >= ((maxRequest.get() as number | null) ?? 0)) return [];
    // Derived rows can always be derived again from the requests: no fsync of their own. The next
    // acknowledged commit (synchronous=FULL) makes them durable too.
    db.pragma('synchronous = NORMAL');
    try {
      return deriveTx(limit, known);
    } finally {
      db.pragma('synchronous = FULL');
    }
  }

  const reads = createReads(db);
  const api: Store = {
    db,
    ...reads,
    appendRequests: (requests, opts) => appendTx(requests, opts?.ids),
    deriveNext,
    underived: () => countAfter.get(watermark()) as number,
    packNext: (limit) => packTx(limit),
    deriveFailed: (why) => deriveFailedTx(why),

    *iterateEvents(f, opts = {}) {
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
    },

    addForward(requestId, f) {
      insertForward.run(requestId, f.target, f.status, f.durationMs, f.error, f.responseExcerpt ?? null, Date.now());
    },

    kvGet(key) {
      return (kvGetStmt.get(key) as { value: string } | undefined)?.value ?? null;
    },
    kvSet(key, value) {
      if (value == null) kvDelStmt.run(key);
      else kvSetStmt.run(key, value);
    },

    prune({ olderThan, maxEvents, batch = 2000 }) {
      // Deletes whole requests (their events follow by cascade) in small transactions so ingest
      // can interleave; returns how many requests were removed in this call.
      let cutoffId: number | null = null;
      if (maxEvents != null) {
        const row = db.prepare('SELECT request_id FROM events ORDER BY id DESC LIMIT 1 OFFSET ?').get(maxEvents - 1) as { request_id: number } | undefined;
        if (row) cutoffId = row.request_id; // keep requests >= this one
      }
      const conds: string[] = [];
      const params: unknown[] = [];
      if (olderThan != null) { conds.push('received_at < ?'); params.push(olderThan); }
      if (cutoffId != null) { conds.push('id < ?'); params.push(cutoffId); }
      if (conds.length === 0) return 0;
      const ids = db.prepare(`SELECT id FROM requests WHERE ${conds.join(' OR ')} ORDER BY id LIMIT ?`).all(...params, batch) as { id: number }[];
      if (ids.length === 0) return 0;
      const evRows = db.prepare(`SELECT id, text, contact_name, contact_id, message_id FROM events WHERE request_id IN (${ids.map(() => '?').join(',')})`);
      db.transaction(() => {
        for (const e of evRows.all(...ids.map((r) => r.id)) as { id: number; text: string | null; contact_name: string | null; contact_id: string | null; message_id: string | null }[]) {
          if (e.text || e.contact_name || e.contact_id || e.message_id) deleteFts.run(e.id, e.text, e.contact_name, e.contact_id, e.message_id);
        }
        const del = db.prepare('DELETE FROM requests WHERE id = ?');
        for (const r of ids) del.run(r.id);
      })();
      return ids.length;
    },

    counts() {
      const events = (db.prepare('SELECT COUNT(*) AS n FROM events').get() as { n: number }).n;
      const requests = (db.prepare('SELECT COUNT(*) AS n FROM requests').get() as { n: number }).n;
      const pages = db.pragma('page_count', { simple: true }) as number;
      const size = db.pragma('page_size', { simple: true }) as number;
      return { events, requests, bytes: pages * size };
    },

    close() {
      try { db.pragma('wal_checkpoint(TRUNCATE)'); } catch { /* closing anyway */ }
      db.close();
    },
  };
  return api;
}
