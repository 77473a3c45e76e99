// The `outbox` table (docs/architecture.md "The outbox"): one row per forward of a request to a target,
// written in the derive transaction. This file is its SQL and the backlog the user sees and steers
// (Tools → Forward, GET /api/deliveries?kind=forward, forward:retry / forward:drop); the dispatcher that
// sends the rows is forward-dispatcher.ts.
//
// The order of delivery is the row id: the head of a target's queue is its oldest row not finished, and
// only heads are sent (one at a time per target, in order).
import type { Database as Db } from 'better-sqlite3';
import type { DeliveryRecord, ForwardTargetSummary } from '../../../shared/types';

export type OutboxState = 'queued' | 'retrying' | 'delivered' | 'given_up' | 'dropped';
export interface OutboxRow {
  id: number; request_id: number; target: string; delivery_key: string; state: OutboxState; attempts: number;
  next_at: number; created_at: number; done_at: number | null; last_status: number | null; last_error: string | null;
}

export interface Outbox {
  /** A new row: queued, or (with `skipped`) given up at once with that reason. */
  insert(requestId: number, target: string, key: string, now: number, skipped?: string): void;
  /** The head of each target's queue: its oldest row not finished. */
  heads(): OutboxRow[];
  finish(id: number, state: 'delivered' | 'given_up' | 'dropped', attempts: number, now: number, status: number | null, error: string | null): void;
  retry(id: number, attempts: number, nextAt: number, status: number | null, error: string): void;
  /** Deletes finished rows done before `before`. */
  prune(before: number): void;
  /** Per target (every configured one, and any with rows left): queued / retrying / delivered / given up. */
  summary(configured: string[]): ForwardTargetSummary[];
  /** What waits for a retry, and what was given up (as new), due now; all targets when none is named. */
  retryNow(target: string | undefined, now: number): number;
  /** Gives up what waits for a target (all targets when none is named), as dropped by the user. */
  drop(target: string | undefined, now: number): number;
  /** The rows as deliveries, newest first. */
  list(q: { requestId?: number; limit?: number }): DeliveryRecord[];
}

const emptySummary = (target: string, configured: boolean): ForwardTargetSummary => ({
  target, configured, queued: 0, retrying: 0, delivered: 0, givenUp: 0, oldestWaitingAt: null, nextAttemptAt: null, lastError: null,
});

const toDelivery = (r: OutboxRow): DeliveryRecord => ({
  kind: 'forward', id: r.id, ruleId: null, eventId: null, contactId: null, requestId: r.request_id, url: r.target, attempt: r.attempts,
  status: r.last_status, error: r.last_error, durationMs: null, at: r.done_at ?? r.created_at, excerpt: null, test: false,
  nextAttemptAt: r.state === 'retrying' ? r.next_at : null, state: r.state === 'given_up' ? 'given-up' : r.state, key: r.delivery_key,
});

function where(target?: string): { sql: string; args: string[] } {
  return target == null ? { sql: '', args: [] } : { sql: ' AND target = ?', args: [target] };
}

export function createOutbox(db: Db): Outbox {
  const st = {
    insert: db.prepare(`INSERT INTO outbox (request_id, target, delivery_key, state, attempts, next_at, created_at, done_at, last_error)
      VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?)`),
    heads: db.prepare<[], OutboxRow>(`SELECT o.* FROM outbox o JOIN (SELECT MIN(id) AS id FROM outbox WHERE state IN ('queued', 'retrying') GROUP BY target) h ON h.id = o.id`),
    finish: db.prepare('UPDATE outbox SET state = ?, attempts = ?, done_at = ?, last_status = ?, last_error = ? WHERE id = ?'),
    retry: db.prepare(`UPDATE outbox SET state = 'retrying', attempts = ?, next_at = ?, last_status = ?, last_error = ? WHERE id = ?`),
    prune: db.prepare('DELETE FROM outbox WHERE done_at IS NOT NULL AND done_at < ?'),
    summary: db.prepare<[], { target: string; state: OutboxState; n: number; oldest: number; next: number | null }>(
      `SELECT target, state, COUNT(*) AS n, MIN(created_at) AS oldest, MIN(CASE WHEN state = 'retrying' THEN next_at END) AS next
       FROM outbox GROUP BY target, state`),
    lastError: db.prepare<[string], { last_error: string | null; last_status: number | null }>(
      `SELECT last_error, last_status FROM outbox WHERE target = ? AND last_error IS NOT NULL ORDER BY id DESC LIMIT 1`),
  };

  return {
    insert(requestId, target, key, now, skipped) {
      if (skipped != null) st.insert.run(requestId, target, key, 'given_up', now, now, now, skipped);
      else st.insert.run(requestId, target, key, 'queued', now, now, null, null);
    },
    heads: () => st.heads.all(),
    finish(id, state, attempts, now, status, error) { st.finish.run(state, attempts, now, status, error, id); },
    retry(id, attempts, nextAt, status, error) { st.retry.run(attempts, nextAt, status, error, id); },
    prune(before) { st.prune.run(before); },
    summary(configured) {
      const by = new Map<string, ForwardTargetSummary>();
      for (const t of configured) by.set(t, emptySummary(t, true));
      for (const r of st.summary.all()) {
        let s = by.get(r.target);
        if (!s) { s = emptySummary(r.target, false); by.set(r.target, s); }
        if (r.state === 'queued') s.queued += r.n;
        else if (r.state === 'retrying') { s.retrying += r.n; s.nextAttemptAt = r.next; }
        else if (r.state === 'delivered') s.delivered += r.n;
        else s.givenUp += r.n;
        if (r.state === 'queued' || r.state === 'retrying') s.oldestWaitingAt = Math.min(s.oldestWaitingAt ?? Infinity, r.oldest);
      }
      for (const s of by.values()) s.lastError = st.lastError.get(s.target)?.last_error ?? null;
      return [...by.values()];
    },
    retryNow(target, now) {
      const w = where(target);
      return db.prepare(`UPDATE outbox SET state = CASE WHEN state = 'given_up' THEN 'queued' ELSE state END, next_at = ?, done_at = NULL,
        attempts = CASE WHEN state = 'given_up' THEN 0 ELSE attempts END, created_at = CASE WHEN state = 'given_up' THEN ? ELSE created_at END
        WHERE state IN ('queued', 'retrying', 'given_up')${w.sql}`).run(now, now, ...w.args).changes;
    },
    drop(target, now) {
      const w = where(target);
      return db.prepare(`UPDATE outbox SET state = 'dropped', done_at = ?, last_error = 'Dropped by the user'
        WHERE state IN ('queued', 'retrying')${w.sql}`).run(now, ...w.args).changes;
    },
    list(q) {
      const limit = Math.max(1, Math.min(1000, Math.floor(q.limit ?? 200)));
      const rows = (q.requestId != null
        ? db.prepare(`SELECT * FROM outbox WHERE request_id = ? ORDER BY id DESC LIMIT ${limit}`).all(q.requestId)
        : db.prepare(`SELECT * FROM outbox ORDER BY id DESC LIMIT ${limit}`).all()) as OutboxRow[];
      return rows.map(toDelivery);
    },
  };
}
