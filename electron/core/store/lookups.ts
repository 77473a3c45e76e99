// The inspector's and the conversation's lookups by id: one event (its raw JSON derived again from its
// request's exact bytes by the deriver the store was given, event-deriver.ts), one request with its
// forwards, a message's life, the conversation with a number.
import type { Database as Db, Statement } from 'better-sqlite3';
import type { EventDetail, HookEvent, MessageLifecycle, Provider, SignatureVerdict, StoredRequest } from '../../../shared/types';
import { currentState } from '../../../shared/messages';
import { sqlKinds } from '../../../shared/event-kinds';
import { arrayToEvent, rawOf, rowToEvent, EVENT_COLUMNS, type EventRow } from './event-columns';
import type { EventDeriver } from './event-deriver';
import { requestBytes } from './pack';

export interface StoredRequestWithBytes extends StoredRequest {
  bodyBytes: Buffer;
}

export interface Thread { contactId: string; items: HookEvent[]; lastIncomingAt: number | null }

const utf8 = new TextDecoder('utf-8', { fatal: true });
function bodyAsText(b: Buffer): { body: string; bodyIsText: boolean } {
  try {
    return { body: utf8.decode(b), bodyIsText: true };
  } catch {
    return { body: b.toString('base64'), bodyIsText: false };
  }
}

export interface Lookups {
  getEvent(id: number): EventDetail | null;
  getRequest(id: number): StoredRequestWithBytes | null;
  lifecycle(messageId: string, provider?: Provider): MessageLifecycle | null;
  thread(contactId: string, limit: number, provider?: Provider): Thread;
}

export interface LookupStatements {
  getEventRow: Statement; lifecycleRows: Statement; getRequestRow: Statement; getForwards: Statement; threadRows: Statement; lastIncoming: Statement;
}

/** The lookups' statements, prepared once per connection; the Messages view (message-list.ts) uses two of them too. */
export function lookupStatements(db: Db): LookupStatements {
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
  // Rows as arrays (event-columns.ts arrayToEvent): a thread is 200 of them.
  const threadRows = db.prepare(`SELECT ${EVENT_COLUMNS}, details FROM events WHERE contact_id = @c AND (@p IS NULL OR provider = @p) AND kind IN (${sqlKinds('conversation')}) ORDER BY COALESCE(ts, received_at) DESC, id DESC LIMIT @l`).raw();
  const lastIncoming = db.prepare(`SELECT MAX(COALESCE(ts, received_at)) AS t FROM events WHERE contact_id = @c AND (@p IS NULL OR provider = @p) AND kind = 'message'`);
  return { getEventRow, lifecycleRows, getRequestRow, getForwards, threadRows, lastIncoming };
}

export function createLookups(db: Db, deriver: EventDeriver, st: LookupStatements): Lookups {
  const { getEventRow, lifecycleRows, getRequestRow, getForwards, threadRows, lastIncoming } = st;
  const positionStmt = db.prepare('SELECT COUNT(*) FROM events WHERE request_id = ? AND id < ?').pluck();
  const lookups: Lookups = {
    getEvent(id) {
      const row = getEventRow.get(id) as EventRow | undefined;
      if (!row) return null;
      const request = lookups.getRequest(row.request_id);
      if (!request) return null;
      const { bodyBytes, ...req } = request;
      const ev = rowToEvent(row);
      if (row.raw == null) {
        // Derived again from the request's exact bytes (events of older versions kept their own JSON).
        const shape = { method: req.method, path: req.path, query: req.query, headers: req.headers, body: bodyBytes, provider: req.provider };
        ev.raw = rawOf(deriver.eventsOfStored(shape), row, positionStmt.get(row.request_id, row.id) as number);
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
      const items = (threadRows.all({ c: contactId, p: provider ?? null, l: limit }) as unknown[][]).map(arrayToEvent);
      // The last incoming message is read from the rows instead of walking the number's events again when
      // they hold it: fewer rows than the limit are every conversation event of the number; as many are the
      // newest by the very time the window reads (COALESCE(ts, received_at)), so a message among them is
      // later than any message past them. Only a cut thread with no message in it asks the index.
      let t: number | null = null;
      for (const e of items) if (e.kind === 'message') { const at = e.timestamp ?? e.receivedAt; if (t == null || at > t) t = at; }
      if (t == null && items.length >= limit) t = (lastIncoming.get({ c: contactId, p: provider ?? null }) as { t: number | null }).t;
      return { contactId, items: items.reverse(), lastIncomingAt: t };
    },
  };
  return lookups;
}
