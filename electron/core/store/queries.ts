// The UI's queries over one connection: pages, filters, search, counts, the inspector's event and request,
// a message's life and a conversation. The store (store.ts) runs them on the main connection when there is
// no read worker; the read worker (electron/core/read-worker.ts) runs the very same code over a read-only
// connection of its own (reads.ts). What writes (append, derive, pack, prune) is store.ts and derivation.ts.
// The reads by what they read: the feed's pages (event-pages.ts, with totals.ts), lookups by id
// (lookups.ts), counts (counts.ts) and the Messages view (message-list.ts), all over the filter as SQL
// (filter-sql.ts).
import { attachLog } from './log-file';
import Database from 'better-sqlite3';
import type { Database as Db, Statement } from 'better-sqlite3';
import { join } from 'node:path';
import type {
  EventDetail, EventFilter, EventPage, HookEvent, ListQuery,
  MessageLifecycle, MessagePage, MessageStats, MessageQuery, NormalisedEvent, Provider, Stats,
} from '../../../shared/types';
import { createMessageList } from './message-list';
import { requestBytes } from './pack';
import { EVENT_COLUMNS, rawOf, rowToEvent, type EventRow } from './event-columns';
import type { EventDeriver } from './event-deriver';
import { where } from './filter-sql';
import { createTotals } from './totals';
import { createEventPages } from './event-pages';
import { createSearchTerms } from './search-terms';
import { createCounts } from './counts';
import { createLookups, lookupStatements, type StoredRequestWithBytes, type Thread } from './lookups';

// The pieces' names stay reachable from here (store.ts re-exports some of them).
export { EVENT_COLUMNS, rawOf, rowToEvent, safeJson, type EventRow } from './event-columns';
export { ftsQuery } from './filter-sql';
export { GENERATION_KEY } from './totals';
export type { StoredRequestWithBytes, Thread } from './lookups';

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

/**
 * The UI's read queries over one connection. The store runs them on the main connection when there is no
 * read worker; the read worker runs the very same code over a read-only connection of its own. `deriver`
 * computes an event's raw JSON again from its request's bytes (event-deriver.ts).
 */
export function createReads(db: Db, deriver: EventDeriver): StoreReads {
  const prep = statementCache(db);
  const st = lookupStatements(db);
  const lookups = createLookups(db, deriver, st);
  const counts = createCounts(db, prep);
  const terms = createSearchTerms(db);
  const listEvents = createEventPages(db, prep, createTotals(prep, terms), terms);
  const messages = createMessageList<EventRow>({
    prep, where, rowToEvent, getEventRow: st.getEventRow, lifecycleRows: st.lifecycleRows,
    getRequestStatus: db.prepare('SELECT response_status FROM requests WHERE id = ?').pluck(),
  });
  return {
    listEvents,
    listMessages: (q) => messages.list(q),
    messageStats: (f) => counts.messageStats(f),
    getEvent: (id) => lookups.getEvent(id),
    getRequest: (id) => lookups.getRequest(id),
    lifecycle: (m, p) => lookups.lifecycle(m, p),
    thread: (c, l, p) => lookups.thread(c, l, p),
    stats: (f) => counts.stats(f),
  };
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

/** A read-only connection to the store's file (read worker); the schema is the writer's business. */
export function openReadConnection(opts: { dataDir: string; nativeBinding?: string }): Db {
  const db = new Database(join(opts.dataDir, 'hookscope.db'), {
    readonly: true, fileMustExist: true, ...(opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {}),
  });
  db.pragma('busy_timeout = 5000');
  // The request log of a split store, read-only like main (log-file.ts).
  attachLog(db, opts.dataDir);
  return db;
}

  /** Every event matching a filter, newest first by default; `withRaw`: with each event's raw JSON. */
export function* iterateEvents(db: Db, f: EventFilter, deriver: EventDeriver, opts: { withRaw?: boolean; order?: 'asc' | 'desc' } = {}): IterableIterator<HookEvent> {
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
          cached = { id: row.request_id, events: r && b ? deriver.eventsOfStored({ ...r, body: b.body, headers: JSON.parse(b.headers) as [string, string][] }) : [] };
        }
        ev.raw = rawOf(cached.events, row, position.get(row.request_id, row.id) as number);
      }
      yield ev;
    }
  }
