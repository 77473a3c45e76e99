// Forgetting a contact: everything stored about one customer's number is erased, nothing about anyone
// else is touched (docs/api.md, "Forget a contact").
//
// What "about the number" means:
//  - every event whose contactId is the number, with its search-index entry;
//  - the requests behind them. A request whose events are all this contact's (or have no contact) is
//    erased whole. A request that also carries another contact (Meta batches several customers into
//    one webhook) is kept for that other contact, but edited: this contact's messages, statuses and
//    profile are cut out of the JSON body and any remaining mention of the number is overwritten. Its
//    `error` says so — the body is no longer the bytes the provider signed. Packed rows (pack.ts) are
//    unpacked first and written back plain;
//  - requests with no contact at all (malformed or unrecognised bodies) whose body mentions the number
//    as a whole digit run;
//  - mentions of the number inside other contacts' data (their texts, error details, raw payloads,
//    request bodies, forward and action replies, notifications): masked there, however it was spaced
//    (`+55 11 98765-0001`);
//  - the rejected log's rows that mention the number (a webhook refused at the trust boundary still
//    holds the customer's name and words);
//  - notifications, rule-action deliveries and pending jobs, lead timers fired for those events or
//    recorded for that contact; forward replies of edited requests (a handler's echo of the body).
// The erase is a list of steps, one per table (STEPS below): a new table that keeps customer data gets
// one more step. Each reports what it erased, edited or masked: the API's `erased` list.
// Erased rows are overwritten (secure_delete, FTS5 secure-delete), the search index is merged so no old
// segment keeps a term, and the WAL is checkpointed. SQLite may still hold stale copies of old cells in
// pages' unused space (left there when it rebalanced its trees, long before): `eraseTraces` runs the
// VACUUM that removes those and truncates the WAL again (handlers/privacy.ts, team/team-forget.ts).
import type { Database as Db } from 'better-sqlite3';
import { HookscopeError } from '../../../shared/errors';
import type { ForgetResult, ForgetStepResult } from '../../../shared/types';
import { requestBytes } from './pack';
import { searchKeys } from './where-sql';
import { readDetails } from './event-columns';
import { hasLog } from './log-file';
import { FIELD_COLUMNS, type HeldRow } from './field-columns';
export type { ForgetResult, ForgetStepResult } from '../../../shared/types';

/** The number as stored (digits only): `+55 11 9…`, `whatsapp:+5511…` are accepted too. */
export function contactKey(input: string): string {
  const digits = input.replace(/^whatsapp:/i, '').replace(/[\s+\-().]/g, '');
  if (!/^\d{3,20}$/.test(digits)) throw new HookscopeError('VALIDATION', `contactId: "${input}" is not a WhatsApp number (digits only, as in the feed).`);
  return digits;
}

interface EvRow { id: number; request_id: number; text: string | null; contact_name: string | null; contact_id: string | null; message_id: string | null }

/** What replaces a mention of the forgotten number inside someone else's data. */
export const ERASED = '[erased]';

/**
 * The number as people and providers write it: its digits in order with up to two separators between
 * each (`+55 11 98765-0001`, `(11) 98765.0001`), as a whole run (5511999 must not match inside 155119990).
 */
export function numberPattern(digits: string, flags = 'g'): RegExp {
  return new RegExp(`(?<!\\d)\\+?${digits.split('').join('[\\s.()\\-]{0,2}')}(?!\\d)`, flags);
}

/** The bits of `raw_cols` whose leaf (as its field row reads in text) mentions the number. */
function heldMentioning(row: HeldRow & { raw_cols: number }, digits: string): number {
  let bits = 0;
  for (const leaf of FIELD_COLUMNS.values()) {
    if ((row.raw_cols & leaf.bit) === 0) continue;
    const v = leaf.text(row);
    if (v != null && mentions(v, digits)) bits |= leaf.bit;
  }
  return bits;
}

function mentions(text: string, digits: string): boolean {
  return numberPattern(digits, '').test(text);
}

function maskIn(text: string, digits: string): string {
  return text.replace(numberPattern(digits), ERASED);
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
  return maskIn(out, digits);
}

/** What an edited request's `error` gains (appended to any error it had). */
export const EDITED_NOTE = 'Edited after receipt: one contact\'s data was erased (the body is no longer the signed original).';

/** Which requests a forget erases whole and which it edits (a team server applies the same to its shared record). */
export interface ForgetTouched { whole: number[]; edited: number[] }


/** What every step sees: the contact, and the plan computed from the events. */
interface ForgetCtx {
  db: Db;
  digits: string;
  /** Events that go: this contact's, plus the contact-less ones of requests erased whole. */
  gone: Map<number, EvRow>;
  /** JSON array of the gone event ids (for json_each). */
  ids: string;
  whole: Set<number>;
  edited: Set<number>;
}

type ForgetStep = { table: string; run(ctx: ForgetCtx): { erased: number; edited: number } | null };

const ftsDeleteSql = `INSERT INTO events_fts (events_fts, rowid, text, contact_name, contact_id, message_id) VALUES ('delete', ?, ?, ?, ?, ?)`;
const ftsInsertSql = 'INSERT INTO events_fts (rowid, text, contact_name, contact_id, message_id) VALUES (?, ?, ?, ?, ?)';

/**
 * Masks the number in the given text columns of every row of `table` that mentions it; returns those rows
 * (`before`: the columns read, `extra` ones included; `after`: the masked values).
 */
function maskRows(ctx: ForgetCtx, table: string, columns: string[], extra: string[] = []): { id: number; before: Record<string, unknown>; after: Record<string, unknown> }[] {
  const { db, digits } = ctx;
  const have = columns.filter((c) => tableHas(db, table, c));
  if (have.length === 0) return [];
  // Narrowed in SQL by the last four digits (separators rarely split those), then matched exactly.
  const tail = digits.slice(-4);
  const rows = db.prepare(`SELECT rowid AS rid, ${[...have, ...extra].join(', ')} FROM ${table} WHERE ${have.map((c) => `instr(CAST(${c} AS TEXT), ?) > 0`).join(' OR ')}`)
    .all(...have.map(() => tail)) as Record<string, unknown>[];
  const update = db.prepare(`UPDATE ${table} SET ${have.map((c) => `${c} = ?`).join(', ')} WHERE rowid = ?`);
  const out: { id: number; before: Record<string, unknown>; after: Record<string, unknown> }[] = [];
  for (const r of rows) {
    const after: Record<string, unknown> = {};
    let changed = false;
    for (const c of have) {
      const v = r[c];
      const next = typeof v === 'string' ? maskIn(v, digits) : Buffer.isBuffer(v) ? Buffer.from(maskIn(v.toString('utf8'), digits), 'utf8') : v;
      changed ||= typeof v === 'string' ? next !== v : Buffer.isBuffer(v) ? !(next as Buffer).equals(v) : false;
      after[c] = next;
    }
    if (!changed) continue;
    update.run(...have.map((c) => after[c]), r.rid);
    out.push({ id: r.rid as number, before: r, after });
  }
  return out;
}

function maskColumns(ctx: ForgetCtx, table: string, columns: string[]): number {
  return maskRows(ctx, table, columns).length;
}

/**
 * The erase, one step per table that can hold a customer's data. Order matters only where noted:
 * rows that point at events and requests go before them.
 */
const STEPS: ForgetStep[] = [
  {
    table: 'notifications',
    run(ctx) {
      const erased = ctx.db.prepare('DELETE FROM notifications WHERE contact_id = ? OR event_id IN (SELECT value FROM json_each(?))').run(ctx.digits, ctx.ids).changes;
      return { erased, edited: maskColumns(ctx, 'notifications', ['title', 'body']) };
    },
  },
  {
    table: 'deliveries',
    run(ctx) {
      if (!tableHas(ctx.db, 'deliveries', 'event_id')) return null;
      const erased = ctx.db.prepare('DELETE FROM deliveries WHERE contact_id = ? OR event_id IN (SELECT value FROM json_each(?))').run(ctx.digits, ctx.ids).changes;
      return { erased, edited: maskColumns(ctx, 'deliveries', ['response_excerpt', 'error', 'url']) };
    },
  },
  {
    // Rule actions still waiting to be sent carry the contact's words in their bodies.
    table: 'action_jobs',
    run(ctx) {
      if (!tableHas(ctx.db, 'action_jobs', 'contact_id')) return null;
      const erased = ctx.db.prepare('DELETE FROM action_jobs WHERE contact_id = ? OR event_id IN (SELECT value FROM json_each(?))').run(ctx.digits, ctx.ids).changes;
      return { erased, edited: maskColumns(ctx, 'action_jobs', ['body', 'url']) };
    },
  },
  {
    // Unanswered-lead timers name the contact.
    table: 'lead_waits',
    run(ctx) {
      if (!tableHas(ctx.db, 'lead_waits', 'contact_id')) return null;
      return { erased: ctx.db.prepare('DELETE FROM lead_waits WHERE contact_id = ? OR event_id IN (SELECT value FROM json_each(?))').run(ctx.digits, ctx.ids).changes, edited: 0 };
    },
  },
  {
    // A handler's reply may echo the body it was sent: the replies to requests erased whole go with them,
    // those to edited requests lose their excerpt (it may quote the part cut out), others are masked.
    table: 'forwards',
    run(ctx) {
      const { db } = ctx;
      const whole = JSON.stringify([...ctx.whole]);
      const erased = db.prepare('DELETE FROM forwards WHERE request_id IN (SELECT value FROM json_each(?))').run(whole).changes;
      const cleared = db.prepare(`UPDATE forwards SET response_excerpt = NULL, error = CASE WHEN error IS NULL THEN NULL ELSE '${ERASED}' END
        WHERE request_id IN (SELECT value FROM json_each(?)) AND (response_excerpt IS NOT NULL OR error IS NOT NULL)`).run(JSON.stringify([...ctx.edited])).changes;
      return { erased, edited: cleared + maskColumns(ctx, 'forwards', ['response_excerpt', 'error']) };
    },
  },
  {
    // Forwards still waiting (the outbox): a request erased whole is never sent on; an edited one goes out
    // as edited (the dispatcher reads the body when it sends). A handler's last error may quote the number.
    table: 'outbox',
    run(ctx) {
      if (!tableHas(ctx.db, 'outbox', 'request_id')) return null;
      const erased = ctx.db.prepare('DELETE FROM outbox WHERE request_id IN (SELECT value FROM json_each(?))').run(JSON.stringify([...ctx.whole])).changes;
      return { erased, edited: maskColumns(ctx, 'outbox', ['last_error']) };
    },
  },
  {
    // This contact's events (and their search entries), then mentions of the number in everyone else's.
    table: 'events',
    run(ctx) {
      const { db } = ctx;
      const ftsDelete = db.prepare(ftsDeleteSql);
      for (const e of ctx.gone.values()) {
        if (e.text || e.contact_name || e.contact_id || e.message_id) ftsDelete.run(e.id, e.text, e.contact_name, e.contact_id, e.message_id);
      }
      const erased = db.prepare('DELETE FROM events WHERE id IN (SELECT value FROM json_each(?))').run(ctx.ids).changes;
      // Another customer quoting the number: the search index is updated with the masked words too.
      const masked = maskRows(ctx, 'events', ['text', 'error_title', 'error_detail', 'raw', 'details'], ['request_id', 'contact_name', 'contact_id', 'message_id']);
      const ftsInsert = db.prepare(ftsInsertSql);
      // The finding indexes (schema migration 8) of a masked event: its search keys are written again from
      // the masked row, and its indexed raw fields that mention the number go (the trigger takes those of
      // erased events).
      const hasKeys = tableHas(db, 'event_fields', 'event_id');
      const keysGone = hasKeys ? db.prepare('DELETE FROM events_keys WHERE rowid = ?') : null;
      const keysRow = hasKeys ? db.prepare(`SELECT error_code AS errorCode, error_title AS errorTitle, business_id AS businessId, details FROM events WHERE id = ?`) : null;
      const keysPut = hasKeys ? db.prepare('INSERT INTO events_keys (rowid, keys) VALUES (?, ?)') : null;
      const fieldsOf = hasKeys ? db.prepare('SELECT path_id AS path, value FROM event_fields WHERE event_id = ?') : null;
      const fieldGone = hasKeys ? db.prepare('DELETE FROM event_fields WHERE path_id = ? AND value = ? AND event_id = ?') : null;
      const hasHeld = tableHas(db, 'events', 'raw_cols');
      const heldOf = hasHeld ? db.prepare('SELECT raw_cols, message_id, contact_id, ts FROM events WHERE id = ?') : null;
      const heldGone = hasHeld ? db.prepare('UPDATE events SET raw_cols = raw_cols & ~? WHERE id = ?') : null;
      for (const { id } of masked) {
        if (!keysGone || !keysRow || !keysPut || !fieldsOf || !fieldGone) break;
        keysGone.run(id);
        const k = keysRow.get(id) as { errorCode: string | null; errorTitle: string | null; businessId: string | null; details: string | null } | undefined;
        if (k) {
          let details: Record<string, unknown> | undefined;
          try { details = k.details ? readDetails(k.details) : undefined; } catch { details = undefined; }
          const keys = searchKeys({ ...k, details });
          if (keys) keysPut.run(id, keys);
        }
        for (const f of fieldsOf.all(id) as { path: number; value: unknown }[]) {
          if (mentions(String(f.value), ctx.digits)) fieldGone.run(f.path, f.value, id);
        }
        // A leaf its row holds (field-columns.ts) that mentions the number stops matching, as its field row would.
        if (heldOf) {
          const h = heldOf.get(id) as (HeldRow & { raw_cols: number }) | undefined;
          const drop = h ? heldMentioning(h, ctx.digits) : 0;
          if (drop !== 0) heldGone?.run(drop, id);
        }
      }
      for (const { id, before, after } of masked) {
        const e = { ...before, ...after } as unknown as EvRow;
        // The request body behind a quoting event quotes it too: edited like a batch.
        if (!ctx.whole.has(e.request_id)) ctx.edited.add(e.request_id);
        if (after.text === before.text) continue;
        const old = before as unknown as EvRow;
        if (old.text || old.contact_name || old.contact_id || old.message_id) ftsDelete.run(id, old.text, old.contact_name, old.contact_id, old.message_id);
        ftsInsert.run(id, e.text, e.contact_name, e.contact_id, e.message_id);
      }
      return { erased, edited: masked.length };
    },
  },
  {
    // A saved view may filter on the number (contact = …, a search for it): its name and filter are masked.
    table: 'views',
    run(ctx) {
      if (!tableHas(ctx.db, 'views', 'spec')) return null;
      return { erased: 0, edited: maskColumns(ctx, 'views', ['name', 'spec']) };
    },
  },
  {
    table: 'requests',
    run(ctx) {
      const { db, digits } = ctx;
      const delRequest = db.prepare('DELETE FROM requests WHERE id = ?');
      let erased = 0;
      for (const rid of ctx.whole) erased += delRequest.run(rid).changes;
      const getBody = db.prepare('SELECT headers, body, packed FROM requests WHERE id = ?');
      // Written back plain: the edited body is no longer what the provider sent, and stays readable as such.
      // The note once: a forget finished after a crash (completePendingForget) edits the same rows again.
      const setBody = db.prepare(`UPDATE requests SET headers = ?, body = ?, body_size = ?, packed = 0,
        error = CASE WHEN instr(COALESCE(error, ''), ?) > 0 THEN error ELSE COALESCE(error || ' ', '') || ? END WHERE id = ?`);
      let edited = 0;
      for (const rid of ctx.edited) {
        const row = getBody.get(rid) as { headers: string; body: Buffer | null; packed: number } | undefined;
        if (!row) continue;
        const { headers, body } = requestBytes(row);
        if (!body) continue;
        const next = Buffer.from(cutContact(body.toString('utf8'), digits), 'utf8');
        setBody.run(maskIn(headers, digits), next, next.length, EDITED_NOTE, EDITED_NOTE, rid);
        edited++;
      }
      return { erased, edited };
    },
  },
  {
    // Refused at the trust boundary (an old secret, say): the kept body still holds the customer.
    table: 'rejected',
    run(ctx) {
      const { db, digits } = ctx;
      const tail = Buffer.from(digits.slice(-4));
      const rows = db.prepare('SELECT id, query, headers, body FROM rejected WHERE instr(body, ?) > 0 OR instr(query, ?) > 0 OR instr(headers, ?) > 0')
        .all(tail, digits.slice(-4), digits.slice(-4)) as { id: number; query: string; headers: string; body: Buffer | null }[];
      const del = db.prepare('DELETE FROM rejected WHERE id = ?');
      let erased = 0;
      for (const r of rows) {
        if (mentions(r.body?.toString('latin1') ?? '', digits) || mentions(decodeForm(r.query), digits) || mentions(r.headers, digits)
          || mentions(decodeForm(r.body?.toString('latin1') ?? ''), digits)) erased += del.run(r.id).changes;
      }
      return { erased, edited: 0 };
    },
  },
];

/** A form body or query with its escapes undone (`%2B5511…`), for matching only. */
function decodeForm(s: string): string {
  try { return decodeURIComponent(s.replace(/\+/g, ' ')); } catch { return s; }
}

/** kv: a forget's erase begun and not known to be committed in both files (split store): its contact and plan. */
export const FORGET_PENDING_KEY = 'forget_pending';
/**
 * kv: an erase committed in both files whose rewrite (eraseTraces) is not known to be done. It names no
 * one: the plan (with the number) is gone by then, and the next start only rewrites the files.
 */
export const REWRITE_PENDING_KEY = 'forget_rewrite_pending';

/**
 * A split store (log-file.ts) commits a forget in two files, and a kill -9 may land between the two commits:
 * the events gone and the requests still there, or the other way round. So before erasing, the plan (the
 * contact, the requests erased whole and edited) is committed in the read model on its own; once both files
 * have committed it is replaced by the rewrite mark, and a store opened with a plan left finishes the erase
 * first (here). The erase is idempotent: what is already gone is not found again, an edited body is cut
 * again to the same bytes. A store opened with only the rewrite mark is rewritten, never searched again:
 * the contact may have written after the forget, and those messages are kept.
 * Only the process's first connection runs this (openStore `recover`): the derive worker's and an
 * export's own connections open a store the receiver's connection uses meanwhile.
 */
export function completePendingForget(db: Db): void {
  const row = db.prepare('SELECT value FROM kv WHERE key = ?').pluck().get(FORGET_PENDING_KEY) as string | undefined;
  if (row != null) {
    const plan = JSON.parse(row) as { contactId: string } & ForgetTouched;
    forgetContact(db, plan.contactId, { also: { whole: plan.whole, edited: plan.edited } });
  }
  if (db.prepare('SELECT 1 FROM kv WHERE key = ?').get(REWRITE_PENDING_KEY) == null) return;
  // Nothing else uses the store yet, so one checkpoint is enough; a reader left behind keeps the mark.
  rewriteFiles(db);
  try {
    const [r] = db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
    if (r.busy === 0) clearPending(db);
  } catch { /* busy: the next start does it again */ }
}

export function forgetContact(db: Db, input: string, opts: { dryRun?: boolean; touched?: ForgetTouched; also?: ForgetTouched } = {}): ForgetResult {
  const digits = contactKey(input);
  const dryRun = opts.dryRun === true;
  /** What the erase takes whole and edits (kept as the pending mark of a split store). */
  const plan: ForgetTouched = { whole: [], edited: [] };

  const run = (): ForgetResult => {
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
    // A plan left by a forget a crash cut short (completePendingForget): its rows whose events are gone already.
    for (const id of opts.also?.whole ?? []) { whole.add(id); edited.delete(id); }
    for (const id of opts.also?.edited ?? []) if (!whole.has(id)) edited.add(id);
    const gone = new Map<number, EvRow>(own.map((e) => [e.id, e]));
    const inRequest = db.prepare('SELECT id, request_id, text, contact_name, contact_id, message_id FROM events WHERE request_id = ?');
    for (const rid of whole) for (const e of inRequest.all(rid) as EvRow[]) gone.set(e.id, e);
    const ctx: ForgetCtx = { db, digits, gone, ids: JSON.stringify([...gone.keys()]), whole, edited };

    const erased: ForgetStepResult[] = [];
    for (const step of STEPS) {
      const r = step.run(ctx);
      if (r) erased.push({ table: step.table, ...r });
    }
    if (opts.touched) { opts.touched.whole = [...whole]; opts.touched.edited = [...edited]; }
    plan.whole = [...whole]; plan.edited = [...edited];
    const count = (t: string) => erased.find((x) => x.table === t)?.erased ?? 0;
    return {
      contactId: digits, requests: count('requests'), requestsEdited: erased.find((x) => x.table === 'requests')?.edited ?? 0,
      events: count('events'), notifications: count('notifications'), deliveries: count('deliveries'), dryRun, erased,
    };
  };

  if (dryRun) {
    // A dry run is the real erase, rolled back: the counts are exactly what the erase would do.
    let result: ForgetResult | null = null;
    try {
      db.transaction(() => { result = run(); throw new DryRun(); })();
    } catch (err) {
      if (!(err instanceof DryRun)) throw err;
    }
    return result!;
  }
  // A derive worker's transaction must not run between the erase's two commits (see readModelHolders).
  const holder = readModelHolders.get(db);
  if (!holder) return erase();
  if (!holder.acquireSync(HOLD_WAIT_MS)) throw new Error('the derive worker kept the read model too long; nothing was forgotten, try again');
  try { return erase(); } finally { holder.release(); }

  function erase(): ForgetResult {
  const before = db.pragma('secure_delete', { simple: true }) as number;
  db.pragma('secure_delete = ON');
  try {
    // FTS5 keeps deleted tokens in older index segments until a merge; secure-delete removes them now.
    // Only for this: it makes every other delete (retention) slower.
    db.exec(`INSERT INTO events_fts (events_fts, rank) VALUES ('secure-delete', 1)`);
    let r: ForgetResult;
    const split = hasLog(db);
    const mark = db.prepare('INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
    // The plan before (a crash with the log committed first finds it), and again with the erase (its
    // read-model half: requests derived meanwhile are in it when the read model committed first).
    if (split) {
      forgetContact(db, digits, { dryRun: true, touched: plan, also: opts.also });
      mark.run(FORGET_PENDING_KEY, JSON.stringify({ contactId: digits, ...plan }));
    }
    try {
      r = db.transaction(() => {
        const out = run();
        if (split) mark.run(FORGET_PENDING_KEY, JSON.stringify({ contactId: digits, ...plan }));
        return out;
      })();
      // Both files have committed: the plan goes (overwritten, secure_delete is on) and the rewrite mark,
      // without the number, stays until eraseTraces has rewritten both files; a crash before then is
      // rewritten at the next start (completePendingForget). A plan kept longer would erase, at that
      // start, what the contact sent after this forget.
      if (split) {
        db.transaction(() => {
          db.prepare('DELETE FROM kv WHERE key = ?').run(FORGET_PENDING_KEY);
          mark.run(REWRITE_PENDING_KEY, '1');
        })();
      }
      // Merge every segment into one: no old segment keeps a term of the erased rows (docs/api.md).
      db.exec(`INSERT INTO events_fts (events_fts) VALUES ('optimize')`);
      // The same for the finding index (schema migration 8: codes, ids, detail values).
      if (tableHas(db, 'events_keys', 'keys')) db.exec(`INSERT INTO events_keys (events_keys) VALUES ('optimize')`);
    } finally {
      db.exec(`INSERT INTO events_fts (events_fts, rank) VALUES ('secure-delete', 0)`);
    }
    // The WAL still holds the old pages until a checkpoint copies the overwritten ones back.
    try { db.pragma('wal_checkpoint(TRUNCATE)'); } catch { /* a reader holds it; eraseTraces does it again */ }
    return r;
  } finally {
    db.pragma(`secure_delete = ${before ? 'ON' : 'OFF'}`);
  }
  }
}

class DryRun extends Error {}

/** The receiver thread's side of the read model's lock (ingest/write-lock.ts MainLock). */
export interface ReadModelHolder { acquireSync(timeoutMs: number): boolean; release(): void }
/** How long a forget waits for the derive worker's current transaction (a short one: one slice of requests). */
const HOLD_WAIT_MS = 30_000;
/**
 * The read model's lock of a connection whose derivation runs on a worker (ingest/worker-deriver.ts), for
 * a split store. SQLite commits a transaction over two files one file at a time (hookscope.db first): a
 * derive transaction starting between the erase's two commits reads the watermark the erase left and
 * still sees the contact's requests not derived yet in the log, and would write their events back after
 * the forget. The erase holds the lock the derive transactions take, so none runs in between
 * (docs/architecture.md "Two files: the request log and the read model").
 */
const readModelHolders = new WeakMap<Db, ReadModelHolder>();
export function holdReadModelWith(db: Db, holder: ReadModelHolder | null): void {
  if (holder) readModelHolders.set(db, holder);
  else readModelHolders.delete(db);
}

/** The derive worker kept the read model's lock past HOLD_WAIT_MS: nothing was done. */
export class ReadModelBusy extends Error {}

/**
 * Runs `fn` (a VACUUM: the rewrite after a forget, retention's compact) holding the read model's lock
 * when a derive worker shares this connection's files. VACUUM writes the whole file: a derive transaction
 * started meanwhile meets SQLITE_BUSY, and the worker waits on the lock word, never in SQLite
 * (ingest/derive-worker.ts). Throws ReadModelBusy when the worker's transaction did not end in time.
 */
export function holdingReadModel<T>(db: Db, fn: () => T): T {
  const holder = readModelHolders.get(db);
  if (!holder) return fn();
  if (!holder.acquireSync(HOLD_WAIT_MS)) throw new ReadModelBusy('the derive worker kept the read model too long; try again');
  try { return fn(); } finally { holder.release(); }
}

/**
 * After a forget: rewrites the file (VACUUM, with secure_delete on so the pages it frees are zeroed) and
 * empties the WAL, so no free page, stale cell or old WAL frame keeps a byte of the erased rows. It holds
 * the connection meanwhile (ingest waits): `docs/benchmarks.md` has its cost per size, which the
 * confirmation states. The checkpoint is retried while a reader holds an old snapshot.
 */
export async function eraseTraces(db: Db, opts: { attempts?: number; wait?: (ms: number) => Promise<void> } = {}): Promise<{ vacuumed: boolean; walEmptied: boolean; ms: number }> {
  const started = performance.now();
  const wait = opts.wait ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  rewriteFiles(db);
  let walEmptied = false;
  for (let i = 0; i < (opts.attempts ?? 50) && !walEmptied; i++) {
    try {
      const [r] = db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number; log: number; checkpointed: number }[];
      walEmptied = r.busy === 0;
    } catch { /* busy */ }
    if (!walEmptied) await wait(20);
  }
  // Done: a split store's rewrite mark goes (kept while the WAL could not be emptied: the next start does it).
  if (walEmptied) clearPending(db);
  return { vacuumed: true, walEmptied, ms: Math.round(performance.now() - started) };
}

/** VACUUM of both files with secure_delete on (eraseTraces, and a forget finished at start). */
function rewriteFiles(db: Db): void {
  const before = db.pragma('secure_delete', { simple: true }) as number;
  db.pragma('secure_delete = ON');
  try {
    holdingReadModel(db, () => {
      db.exec('VACUUM');
      // The request log's file holds the erased bodies' old pages (log-file.ts): rewritten too.
      if (hasLog(db)) db.exec('VACUUM log');
    });
  } finally {
    db.pragma(`secure_delete = ${before ? 'ON' : 'OFF'}`);
  }
}

/** Clears a forget's rewrite mark once its files are rewritten and the WAL emptied. */
function clearPending(db: Db): void {
  db.prepare('DELETE FROM kv WHERE key = ?').run(REWRITE_PENDING_KEY);
}
