// Forgetting a contact: everything stored about one customer's number is erased, nothing about anyone
// else is touched (docs/api.md, "Forget a contact").
//
// What "about the number" means:
//  - every event whose contactId is the number, with its search-index entry;
//  - the requests behind them. A request whose events are all this contact's (or have no contact) is
//    erased whole. A request that also carries another contact (Meta batches several customers into
//    one webhook) is kept for that other contact, but edited: this contact's messages, statuses and
//    profile are cut out of the JSON body and any remaining mention of the number is overwritten. Its
//    `error` says so — the body is no longer the bytes the provider signed;
//  - requests with no contact at all (malformed or unrecognised bodies) whose body mentions the number
//    as a whole digit run;
//  - notifications fired for those events or recorded for that contact, and rule-action deliveries
//    for those events (when that table exists).
// Erased rows are overwritten (secure_delete, FTS5 secure-delete) and the WAL is checkpointed. SQLite
// may still hold stale copies of old cells in pages' unused space (left there when it rebalanced its
// trees, long before): only a VACUUM removes those, which the caller runs (api.ts).
import type { Database as Db } from 'better-sqlite3';
import { HookscopeError } from '../../../shared/errors';
import type { ForgetResult } from '../../../shared/types';
import { requestBytes } from './pack';
export type { ForgetResult } from '../../../shared/types';

/** The number as stored (digits only): `+55 11 9…`, `whatsapp:+5511…` are accepted too. */
export function contactKey(input: string): string {
  const digits = input.replace(/^whatsapp:/i, '').replace(/[\s+\-().]/g, '');
  if (!/^\d{3,20}$/.test(digits)) throw new HookscopeError('VALIDATION', `contactId: "${input}" is not a WhatsApp number (digits only, as in the feed).`);
  return digits;
}

interface EvRow { id: number; request_id: number; text: string | null; contact_name: string | null; contact_id: string | null; message_id: string | null }

/** Whole digit runs only: 5511999 must not match inside 155119990. */
function mentions(text: string, digits: string): boolean {
  return new RegExp(`(?<!\\d)${digits}(?!\\d)`).test(text);
}

function tableHas(db: Db, table: string, column: string): boolean {
  const cols = db.prepare(`SELECT name FROM pragma_table_info(?)`).all(table) as { name: string }[];
  return cols.some((c) => c.name === column);
}

/** Cuts one contact out of a Meta batch: their messages, statuses and contacts entries. */
export function cutContact(body: string, digits: string): string {
  let out = body;
  try {
    const doc = JSON.parse(body) as { entry?: { changes?: { value?: Record<string, unknown> }[] }[] };
    for (const entry of Array.isArray(doc?.entry) ? doc.entry : []) {
      for (const change of Array.isArray(entry?.changes) ? entry.changes : []) {
        const v = change?.value;
        if (!v || typeof v !== 'object') continue;
        const keep = (list: unknown, key: string) => (Array.isArray(list)
          ? list.filter((x) => String((x as Record<string, unknown>)?.[key] ?? '').replace(/\D/g, '') !== digits)
          : list);
        if (v.messages !== undefined) v.messages = keep(v.messages, 'from');
        if (v.statuses !== undefined) v.statuses = keep(v.statuses, 'recipient_id');
        if (v.contacts !== undefined) v.contacts = keep(v.contacts, 'wa_id');
      }
    }
    out = JSON.stringify(doc);
  } catch { /* not JSON: only the overwrite below applies */ }
  // Whatever still mentions the number (another customer quoting it, a context.from) is overwritten.
  return out.replace(new RegExp(`(?<!\\d)${digits}(?!\\d)`, 'g'), '[erased]');
}

/** What an edited request's `error` gains (appended to any error it had). */
export const EDITED_NOTE = 'Edited after receipt: one contact\'s data was erased (the body is no longer the signed original).';

/** Which requests a forget erases whole and which it edits (a team server applies the same to its shared record). */
export interface ForgetTouched { whole: number[]; edited: number[] }

export function forgetContact(db: Db, input: string, opts: { dryRun?: boolean; touched?: ForgetTouched } = {}): ForgetResult {
  const digits = contactKey(input);
  const dryRun = opts.dryRun === true;

  const run = () => {
    const own = db.prepare('SELECT id, request_id, text, contact_name, contact_id, message_id FROM events WHERE contact_id = ?').all(digits) as EvRow[];
    const othersIn = db.prepare('SELECT COUNT(*) AS n FROM events WHERE request_id = ? AND contact_id IS NOT NULL AND contact_id <> ?');
    const whole = new Set<number>();
    const edited = new Set<number>();
    for (const e of own) {
      if (whole.has(e.request_id) || edited.has(e.request_id)) continue;
      ((othersIn.get(e.request_id, digits) as { n: number }).n === 0 ? whole : edited).add(e.request_id);
    }
    // Requests no event ties to any contact but whose body names the number (a malformed body, say).
    if (digits.length >= 6) {
      // Packed rows (pack.ts) are searched after unpacking; plain ones are narrowed down in SQL first.
      const candidates = db.prepare(`SELECT id, headers, body, packed FROM requests r WHERE (r.packed <> 0 OR instr(r.body, ?) > 0)
        AND NOT EXISTS (SELECT 1 FROM events e WHERE e.request_id = r.id AND e.contact_id IS NOT NULL)`).all(Buffer.from(digits)) as { id: number; headers: string; body: Buffer | null; packed: number }[];
      for (const c of candidates) {
        const body = requestBytes(c).body;
        if (body && mentions(body.toString('latin1'), digits)) whole.add(c.id);
      }
    }
    // Every event that goes: this contact's, plus the contact-less ones of requests erased whole.
    const gone = new Map<number, EvRow>(own.map((e) => [e.id, e]));
    const inRequest = db.prepare('SELECT id, request_id, text, contact_name, contact_id, message_id FROM events WHERE request_id = ?');
    for (const rid of whole) for (const e of inRequest.all(rid) as EvRow[]) gone.set(e.id, e);
    const eventIds = [...gone.keys()];

    const ids = JSON.stringify(eventIds);
    const notifications = (db.prepare('SELECT COUNT(*) AS n FROM notifications WHERE contact_id = ? OR event_id IN (SELECT value FROM json_each(?))').get(digits, ids) as { n: number }).n;
    const hasDeliveries = tableHas(db, 'deliveries', 'event_id');
    const deliveries = hasDeliveries
      ? (db.prepare('SELECT COUNT(*) AS n FROM deliveries WHERE contact_id = ? OR event_id IN (SELECT value FROM json_each(?))').get(digits, ids) as { n: number }).n
      : 0;
    if (opts.touched) { opts.touched.whole = [...whole]; opts.touched.edited = [...edited]; }
    const result: ForgetResult = { contactId: digits, requests: whole.size, requestsEdited: edited.size, events: eventIds.length, notifications, deliveries, dryRun };
    if (dryRun) return result;

    const ftsDelete = db.prepare(`INSERT INTO events_fts (events_fts, rowid, text, contact_name, contact_id, message_id) VALUES ('delete', ?, ?, ?, ?, ?)`);
    for (const e of gone.values()) {
      if (e.text || e.contact_name || e.contact_id || e.message_id) ftsDelete.run(e.id, e.text, e.contact_name, e.contact_id, e.message_id);
    }
    db.prepare('DELETE FROM notifications WHERE contact_id = ? OR event_id IN (SELECT value FROM json_each(?))').run(digits, ids);
    if (hasDeliveries) db.prepare('DELETE FROM deliveries WHERE contact_id = ? OR event_id IN (SELECT value FROM json_each(?))').run(digits, ids);
    // Rule actions still waiting to be sent carry the contact's words in their bodies; unanswered-lead
    // timers name the contact. Neither may outlive a forget.
    if (tableHas(db, 'action_jobs', 'contact_id')) db.prepare('DELETE FROM action_jobs WHERE contact_id = ? OR event_id IN (SELECT value FROM json_each(?))').run(digits, ids);
    if (tableHas(db, 'lead_waits', 'contact_id')) db.prepare('DELETE FROM lead_waits WHERE contact_id = ?').run(digits);
    db.prepare('DELETE FROM events WHERE id IN (SELECT value FROM json_each(?))').run(ids);
    const delRequest = db.prepare('DELETE FROM requests WHERE id = ?');
    for (const rid of whole) delRequest.run(rid);
    const getBody = db.prepare('SELECT headers, body, packed FROM requests WHERE id = ?');
    // Written back plain: the edited body is no longer what the provider sent, and stays readable as such.
    const setBody = db.prepare(`UPDATE requests SET headers = ?, body = ?, body_size = ?, packed = 0,
      error = COALESCE(error || ' ', '') || ? WHERE id = ?`);
    for (const rid of edited) {
      const row = getBody.get(rid) as { headers: string; body: Buffer | null; packed: number } | undefined;
      if (!row) continue;
      const { headers, body } = requestBytes(row);
      if (!body) continue;
      const next = Buffer.from(cutContact(body.toString('utf8'), digits), 'utf8');
      setBody.run(headers, next, next.length, EDITED_NOTE, rid);
    }
    return result;
  };

  if (dryRun) return db.transaction(run)();
  const before = db.pragma('secure_delete', { simple: true }) as number;
  db.pragma('secure_delete = ON');
  try {
    // FTS5 keeps deleted tokens in older index segments until a merge; secure-delete removes them now.
    // Only for this: it makes every other delete (retention) slower.
    db.exec(`INSERT INTO events_fts (events_fts, rank) VALUES ('secure-delete', 1)`);
    let r: ForgetResult;
    try {
      r = db.transaction(run)();
    } finally {
      db.exec(`INSERT INTO events_fts (events_fts, rank) VALUES ('secure-delete', 0)`);
    }
    // The WAL still holds the old pages until a checkpoint copies the overwritten ones back.
    try { db.pragma('wal_checkpoint(TRUNCATE)'); } catch { /* a reader holds it; the next checkpoint does it */ }
    return r;
  } finally {
    db.pragma(`secure_delete = ${before ? 'ON' : 'OFF'}`);
  }
}
