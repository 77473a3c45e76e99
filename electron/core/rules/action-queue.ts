// The action sender's two tables (docs/architecture.md "The outbox"): `action_jobs`, the queue of http
// actions still to send (so a retry survives a restart), and `deliveries`, every attempt recorded and
// pushed (`deliveries:recorded`). The sender (action-sender.ts) decides when a job runs; the cap
// (action-cap.ts) holds jobs over a rule's per-minute cap.
//
// Team mode: a job keeps the request it came from, and the request's claim (its lease) is held while any
// of its jobs is queued; finish() tells onFinished when one is done, so the claim can be released.
import type { Database as Db } from 'better-sqlite3';
import type { DeliveryRecord } from '../../../shared/types';
import { redactUrl } from '../../../shared/actions';
import type { Logger } from '../types';

export interface JobRow {
  id: number; rule_id: number | null; event_id: number | null; action_index: number; contact_id: string | null;
  method: string; url: string; origin: string; headers: string; body: Buffer; timeout_ms: number; attempts: number; next_at: number;
  request_id: number | null; delivery_key: string | null; overflow: string; held: number; digest_of: number; created_at: number;
}
export interface DeliveryRow {
  id: number; rule_id: number | null; event_id: number | null; contact_id?: string | null; url: string; attempt: number; status: number | null;
  error: string | null; duration_ms: number | null; at: number; response_excerpt: string | null; test: number; next_at: number | null;
}

/** A job as queued: its request, built already (headers and body as they will be sent). */
export type NewJob = Pick<JobRow, 'rule_id' | 'event_id' | 'action_index' | 'contact_id' | 'method' | 'url' | 'origin' | 'body' | 'timeout_ms'
  | 'next_at' | 'created_at' | 'request_id' | 'delivery_key' | 'overflow' | 'digest_of'> & { headers: [string, string][] };

export interface ActionQueue {
  /** Inserts a job (inside the caller's transaction when there is one); answers its id. */
  insert(job: NewJob): number;
  setKey(id: number, key: string): void;
  /** Up to 64 due jobs, oldest due first, none of an origin in `busy` (so a dead target cannot fill the page). */
  due(now: number, busy: string[]): JobRow[];
  /** Held for the minute's digest (1) or left queued (0) until `until`. */
  hold(id: number, held: 0 | 1, until: number): void;
  heldOf(ruleId: number, actionIndex: number): JobRow[];
  /** Requests with actions still queued (team mode holds their claims). */
  pendingRequests(): number[];
  /** When the earliest job is due; null when the queue is empty. */
  nextDue(): number | null;
  remove(id: number): void;
  /** Done with a job (delivered, given up, refused): removed, and its request's claim told. */
  finish(job: JobRow): void;
  retry(id: number, attempts: number, nextAt: number): void;
}

export function createActionQueue(db: Db, onFinished?: (requestId: number | null) => void): ActionQueue {
  const st = {
    insertJob: db.prepare(`INSERT INTO action_jobs (rule_id, event_id, action_index, contact_id, method, url, origin, headers, body, timeout_ms, attempts, next_at, created_at,
      request_id, delivery_key, overflow, digest_of)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?)`),
    setKey: db.prepare('UPDATE action_jobs SET delivery_key = ? WHERE id = ?'),
    // Busy origins are left out in SQL, so a dead target's backlog can never fill the page and starve the rest.
    due: db.prepare<[number, string], JobRow>(`SELECT * FROM action_jobs WHERE next_at <= ? AND origin NOT IN (SELECT value FROM json_each(?))
      ORDER BY next_at, id LIMIT 64`),
    hold: db.prepare('UPDATE action_jobs SET held = ?, next_at = ? WHERE id = ?'),
    heldOf: db.prepare<[number, number], JobRow>('SELECT * FROM action_jobs WHERE rule_id = ? AND action_index = ? AND held = 1 ORDER BY id'),
    pendingRequests: db.prepare('SELECT DISTINCT request_id FROM action_jobs WHERE request_id IS NOT NULL').pluck(),
    nextDue: db.prepare<[], { t: number | null }>('SELECT MIN(next_at) AS t FROM action_jobs'),
    deleteJob: db.prepare('DELETE FROM action_jobs WHERE id = ?'),
    retryJob: db.prepare('UPDATE action_jobs SET attempts = ?, next_at = ? WHERE id = ?'),
  };
  return {
    insert: (j) => Number(st.insertJob.run(j.rule_id, j.event_id, j.action_index, j.contact_id, j.method, j.url, j.origin, JSON.stringify(j.headers),
      j.body, j.timeout_ms, j.next_at, j.created_at, j.request_id, j.delivery_key, j.overflow, j.digest_of).lastInsertRowid),
    setKey: (id, key) => { st.setKey.run(key, id); },
    due: (now, busy) => st.due.all(now, JSON.stringify(busy)),
    hold: (id, held, until) => { st.hold.run(held, until, id); },
    heldOf: (ruleId, actionIndex) => st.heldOf.all(ruleId, actionIndex),
    pendingRequests: () => st.pendingRequests.all() as number[],
    nextDue: () => st.nextDue.get()?.t ?? null,
    remove: (id) => { st.deleteJob.run(id); },
    finish(job) {
      st.deleteJob.run(job.id);
      onFinished?.(job.request_id);
    },
    retry: (id, attempts, nextAt) => { st.retryJob.run(attempts, nextAt, id); },
  };
}

export const toRecord = (r: DeliveryRow): DeliveryRecord => ({
  kind: 'action', id: r.id, ruleId: r.rule_id, eventId: r.event_id, contactId: r.contact_id ?? null, url: redactUrl(r.url), attempt: r.attempt, status: r.status, error: r.error,
  durationMs: r.duration_ms, at: r.at, excerpt: r.response_excerpt, test: r.test === 1, nextAttemptAt: r.next_at,
});

export interface DeliveryLog {
  /** Records an attempt (or an over-the-cap row, attempt 0) and pushes it. */
  record(row: Omit<DeliveryRow, 'id'> & { contact_id: string | null }): DeliveryRecord;
  /** Rewrites the words and time of a rule's over-the-cap row as more go over. */
  updateOverflow(id: number, error: string, at: number): void;
  /** When a rule's first attempts (not tests) after `since` were sent. */
  firstAttemptsSince(ruleId: number, since: number): number[];
  list(q: { ruleId?: number; eventId?: number; limit?: number }): DeliveryRecord[];
}

export function createDeliveryLog(db: Db, emit: (records: DeliveryRecord[]) => void, logger: Logger): DeliveryLog {
  const insert = db.prepare(`INSERT INTO deliveries (rule_id, event_id, contact_id, url, attempt, status, error, duration_ms, response_excerpt, at, test, next_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const updateOverflow = db.prepare('UPDATE deliveries SET error = ?, at = ? WHERE id = ?');
  const firstAttempts = db.prepare<[number, number], { at: number }>('SELECT at FROM deliveries WHERE rule_id = ? AND attempt = 1 AND test = 0 AND at > ?');
  return {
    record(row) {
      const info = insert.run(row.rule_id, row.event_id, row.contact_id, row.url, row.attempt, row.status, row.error,
        row.duration_ms, row.response_excerpt, row.at, row.test, row.next_at);
      const rec = toRecord({ ...row, id: Number(info.lastInsertRowid) });
      try { emit([rec]); } catch (err) { logger.warn('delivery push failed', { error: (err as Error).message }); }
      return rec;
    },
    updateOverflow: (id, error, at) => { updateOverflow.run(error, at, id); },
    firstAttemptsSince: (ruleId, since) => firstAttempts.all(ruleId, since).map((r) => r.at),
    list(q) {
      const where: string[] = [];
      const args: number[] = [];
      if (q.ruleId != null) { where.push('rule_id = ?'); args.push(q.ruleId); }
      if (q.eventId != null) { where.push('event_id = ?'); args.push(q.eventId); }
      const limit = Math.max(1, Math.min(1000, Math.floor(q.limit ?? 200)));
      return db.prepare<number[], DeliveryRow>(`SELECT * FROM deliveries ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ${limit}`)
        .all(...args).map(toRecord);
    },
  };
}
