// A rule's per-minute cap on http actions (docs/api.md "HTTP actions"): at most `maxPerMinute` first
// attempts in any minute, counted when they are sent (so the count survives a restart: it is read back
// from `deliveries`). What goes over is never skipped: by the rule's `actionOverflow`, it is held and
// sent as one digest delivery when the minute ends (default), or stays queued until the minute has room.
// One delivery row (attempt 0) per minute says how many went over and what happens to them.
import type { Database as Db } from 'better-sqlite3';
import type { Clock } from '../types';
import type { ActionQueue, DeliveryLog, JobRow } from './action-queue';

export interface ActionCap {
  /**
   * A due first attempt of a rule over its cap: held for the minute's digest, or left queued until the
   * minute has room. True when the job must not be sent now; false counts it as sent now.
   */
  overCap(job: JobRow, now: number): boolean;
  /** Held jobs of a rule's action whose minute is over become one digest job, in one transaction. */
  makeDigest(job: JobRow): void;
}

export function createActionCap(deps: {
  db: Db; clock: Clock; maxPerMinute: number; keyPrefix: () => string;
  queue: Pick<ActionQueue, 'insert' | 'hold' | 'heldOf' | 'remove'>;
  deliveries: Pick<DeliveryLog, 'record' | 'updateOverflow' | 'firstAttemptsSince'>;
  /** The digest's body and headers from the rule's own template, or null when the rule is gone (action-sender.ts). */
  renderDigest?(ruleId: number, actionIndex: number, jobs: { eventId: number | null; body: string }[]): { body: string; headers: [string, string][] } | null;
}): ActionCap {
  const { db, clock, maxPerMinute, keyPrefix, queue, deliveries } = deps;
  /** ruleId → start times of the first attempts in the last minute (read back from deliveries after a restart). */
  const sentAt = new Map<number, number[]>();
  /** ruleId → the delivery row that counts this minute's overflow. */
  const overflowRow = new Map<number, { id: number; until: number; held: number }>();

  /** The first attempts of a rule's actions in the minute before `now`. */
  function recentFirsts(ruleId: number, now: number): number[] {
    let list = sentAt.get(ruleId);
    if (!list) {
      list = deliveries.firstAttemptsSince(ruleId, now - 60_000);
      if (sentAt.size > 10_000) sentAt.clear();
      sentAt.set(ruleId, list);
    }
    while (list.length > 0 && list[0] <= now - 60_000) list.shift();
    return list;
  }

  function overCap(job: JobRow, now: number): boolean {
    if (job.rule_id == null || job.attempts > 0 || job.digest_of > 0) return false;
    const firsts = recentFirsts(job.rule_id, now);
    if (firsts.length < maxPerMinute) { firsts.push(now); return false; }
    const until = firsts[0] + 60_000;
    const digest = job.overflow !== 'queue';
    queue.hold(job.id, digest ? 1 : 0, until);
    let o = overflowRow.get(job.rule_id);
    const error = (n: number) => digest
      ? `${n} action${n === 1 ? '' : 's'} over the cap of ${maxPerMinute} a minute for this rule: held, sent as one digest when the minute ends`
      : `${n} action${n === 1 ? '' : 's'} over the cap of ${maxPerMinute} a minute for this rule: queued until the next minute has room`;
    if (!o || now >= o.until) {
      o = { id: deliveries.record({ rule_id: job.rule_id, event_id: job.event_id, contact_id: job.contact_id, url: job.url, attempt: 0, status: null, error: error(1),
        duration_ms: null, response_excerpt: null, at: now, test: 0, next_at: until }).id, until, held: 1 };
      overflowRow.set(job.rule_id, o);
    } else {
      o.held++;
      deliveries.updateOverflow(o.id, error(o.held), now);
    }
    return true;
  }

  const makeDigest = db.transaction((job: JobRow) => {
    const held = queue.heldOf(job.rule_id!, job.action_index);
    if (held.length === 0) return;
    const items = held.map((h) => ({ eventId: h.event_id, body: h.body.toString('utf8') }));
    const rendered = deps.renderDigest?.(job.rule_id!, job.action_index, items) ?? null;
    const body = rendered?.body ?? JSON.stringify({ digest: true, ruleId: job.rule_id, count: held.length, items: items.map((i) => i.body) });
    // Without the rule, the held jobs' own headers; their signature covered another body, so it is left out.
    const headers = rendered?.headers ?? (JSON.parse(held[0].headers) as [string, string][]).filter(([k]) => k.toLowerCase() !== 'x-hookscope-signature');
    const now = clock();
    queue.insert({
      rule_id: job.rule_id, event_id: null, action_index: job.action_index, contact_id: null, method: held[0].method, url: held[0].url, origin: held[0].origin,
      headers, body: Buffer.from(body, 'utf8'), timeout_ms: held[0].timeout_ms, next_at: now, created_at: now, request_id: held[0].request_id,
      delivery_key: `${keyPrefix()}-d${held[0].id}`, overflow: 'digest', digest_of: held.length,
    });
    for (const h of held) queue.remove(h.id);
  });

  return { overCap, makeDigest: (job) => { makeDigest(job); } };
}
