// Sends rules' http actions: a queue in SQLite (action_jobs), so a retry survives a restart, and every
// attempt recorded (deliveries). Safe by construction:
//  - Ingest only inserts a row; sending happens later, off the receiver's path.
//  - Per target origin at most MAX_PER_ORIGIN requests at once, MAX_IN_FLIGHT overall: a dead URL holds
//    at most its own slots while every other target keeps flowing.
//  - Per rule at most `maxPerMinute` first attempts in any minute; what goes over is held for a digest or
//    stays queued, never skipped (action-cap.ts).
//  - Every job carries a delivery key, and a target that points back at this Hookscope is refused and
//    recorded, never retried; retries double their delay up to `maxTries` (action-request.ts, which
//    builds what is sent). Redirects are not followed (send-raw.ts), so a target cannot bounce the request.
// The parts, by seam: action-queue.ts is the tables (the queue with team mode's lease, the deliveries
// log), action-cap.ts the per-minute cap and digest, action-request.ts the request and the meaning of its
// answer; this file runs the queue: slots, attempts, the retry timer, the editor's test, shutdown.
// Times come from the injected clock; the runner's tick (and a timer after each failure) calls pump().
import type { Database as Db } from 'better-sqlite3';
import type { DeliveryRecord, HttpAction } from '../../../shared/types';
import { DEFAULT_TIMEOUT_MS, redactUrl } from '../../../shared/actions';
import { sendRaw, type SendOutcome } from '../tools/send-raw';
import type { Clock, Logger } from '../types';
import { createActionCap } from './action-cap';
import { createActionQueue, createDeliveryLog, type JobRow } from './action-queue';
import { actionHeaders, actionKey, attemptResult, loopProblem, originOf, withDeliveryKey } from './action-request';

const MAX_PER_ORIGIN = 2;
const MAX_IN_FLIGHT = 16;
const EXCERPT_CHARS = 500;

export interface ActionSenderDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  emit(records: DeliveryRecord[]): void;
  /** Where this Hookscope receives webhooks: ports on this machine and public URLs (tunnel, --public-url). */
  self(): { ports: number[]; urls: string[] };
  maxPerMinute?: number;
  maxTries?: number;
  baseDelayMs?: number;
  /** Replaceable in tests. */
  send?: typeof sendRaw;
  /** What every delivery key starts with (the same in every team process). */
  keyPrefix?: () => string;
  /**
   * The one delivery that stands for `jobs`, held over a rule's per-minute cap: its body and headers
   * (signed like the action's), or null when the rule is gone (a plain JSON digest is sent instead).
   */
  renderDigest?(ruleId: number, actionIndex: number, jobs: { eventId: number | null; body: string }[]): { body: string; headers: [string, string][] } | null;
  /** A job finished (delivered or given up): team mode releases the request's claim when none is left. */
  onFinished?(requestId: number | null): void;
}

export interface NewAction {
  ruleId: number | null;
  eventId: number | null;
  actionIndex: number;
  contactId: string | null;
  action: HttpAction;
  /** The rendered body, sent byte for byte and signed as it is. */
  body: string;
  secret: string | null;
  /** The request the event came from (team mode: its claim's lease covers this job). */
  requestId?: number | null;
  /** What happens past the rule's per-minute cap (Rule.actionOverflow). */
  overflow?: 'digest' | 'queue';
}

export interface ActionSender {
  /** Queues an action (inside the caller's transaction when there is one); sending comes later. */
  enqueue(a: NewAction): boolean;
  /** Requests with actions still queued (team mode holds their claims). */
  pendingRequests(): number[];
  /** Starts every due attempt that has a free slot. */
  pump(): void;
  /** One attempt now, no retries, recorded as a test. */
  test(a: NewAction): Promise<SendOutcome & { url: string }>;
  list(q: { ruleId?: number; eventId?: number; limit?: number }): DeliveryRecord[];
  stop(): Promise<void>;
}

export function createActionSender(deps: ActionSenderDeps): ActionSender {
  const { db, clock, logger } = deps;
  const send = deps.send ?? sendRaw;
  const retry = { maxTries: deps.maxTries ?? 6, baseDelayMs: deps.baseDelayMs ?? 30_000 };
  const keyPrefix = deps.keyPrefix ?? (() => 'hs');
  const queue = createActionQueue(db, deps.onFinished);
  const deliveries = createDeliveryLog(db, deps.emit, logger);
  const cap = createActionCap({ db, clock, maxPerMinute: deps.maxPerMinute ?? 30, keyPrefix, queue, deliveries, renderDigest: deps.renderDigest });
  const inFlight = new Map<number, AbortController>();
  const perOrigin = new Map<string, number>();
  const running = new Set<Promise<void>>();
  let stopped = false;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let pumpScheduled = false;

  function enqueue(a: NewAction): boolean {
    const now = clock();
    const key = actionKey(keyPrefix(), a);
    const id = queue.insert({
      rule_id: a.ruleId, event_id: a.eventId, action_index: a.actionIndex, contact_id: a.contactId, method: a.action.method ?? 'POST',
      url: a.action.url, origin: originOf(a.action.url), headers: actionHeaders(a.action, a.body, a.secret), body: Buffer.from(a.body, 'utf8'),
      timeout_ms: a.action.timeoutMs ?? DEFAULT_TIMEOUT_MS, next_at: now, created_at: now, request_id: a.requestId ?? null,
      delivery_key: key, overflow: a.overflow ?? 'digest', digest_of: 0,
    });
    if (key == null) queue.setKey(id, `${keyPrefix()}-j${id}`);
    schedulePump();
    return true;
  }

  /** Never inside the caller's turn (the receiver's commit callback returns first), and once per turn. */
  function schedulePump(): void {
    if (pumpScheduled || stopped) return;
    pumpScheduled = true;
    setImmediate(() => { pumpScheduled = false; pump(); });
  }

  const excerptOf = (o: SendOutcome) => (o.excerpt == null ? null : o.excerpt.slice(0, EXCERPT_CHARS));
  const recordOf = (job: JobRow, attempt: number) => ({ rule_id: job.rule_id, event_id: job.event_id, contact_id: job.contact_id, url: job.url, attempt, test: 0 });

  function attempt(job: JobRow): void {
    const origin = job.origin;
    const loop = loopProblem(job.url, deps.self());
    const n = job.attempts + 1;
    if (loop) {
      queue.finish(job);
      deliveries.record({ ...recordOf(job, n), status: null, error: loop, duration_ms: 0, response_excerpt: null, at: clock(), next_at: null });
      return;
    }
    const ac = new AbortController();
    inFlight.set(job.id, ac);
    perOrigin.set(origin, (perOrigin.get(origin) ?? 0) + 1);
    const headers = withDeliveryKey(JSON.parse(job.headers) as [string, string][], job.delivery_key ?? `${keyPrefix()}-j${job.id}`);
    const p = send({ url: job.url, method: job.method, headers, body: job.body, timeoutMs: job.timeout_ms, signal: ac.signal })
      .then((o) => {
        // Shutting down: the job stays as it is and the next start sends it again.
        if (stopped) return;
        const now = clock();
        const r = attemptResult(o, n, now, retry);
        if (r.last) queue.finish(job); else queue.retry(job.id, n, r.nextAt!);
        deliveries.record({ ...recordOf(job, n), status: o.status, error: r.error, duration_ms: o.durationMs, response_excerpt: excerptOf(o), at: now, next_at: r.nextAt });
        if (r.nextAt != null) armRetryTimer();
      })
      .catch((err: unknown) => logger.error('action attempt failed', { jobId: job.id, error: String(err) }))
      .finally(() => {
        inFlight.delete(job.id);
        const left = (perOrigin.get(origin) ?? 1) - 1;
        if (left <= 0) perOrigin.delete(origin); else perOrigin.set(origin, left);
        running.delete(p);
        schedulePump();
      });
    running.add(p);
  }

  /** Wakes pump() for the next retry; the runner's periodic tick is the backstop (and drives tests' clocks). */
  function armRetryTimer(): void {
    if (stopped) return;
    const next = queue.nextDue();
    if (next == null) return;
    if (retryTimer) clearTimeout(retryTimer);
    retryTimer = setTimeout(() => { retryTimer = null; pump(); }, Math.min(Math.max(0, next - clock()), 60_000));
    retryTimer.unref?.();
  }

  function pump(): void {
    if (stopped) return;
    try {
      while (inFlight.size < MAX_IN_FLIGHT) {
        const busy = [...perOrigin].filter(([, n]) => n >= MAX_PER_ORIGIN).map(([o]) => o);
        const page = queue.due(clock(), busy).filter((j) => !inFlight.has(j.id));
        if (page.length === 0) break;
        let started = 0;
        let changed = false;
        for (const job of page) {
          if (inFlight.size >= MAX_IN_FLIGHT) break;
          if ((perOrigin.get(job.origin) ?? 0) >= MAX_PER_ORIGIN) continue; // this target is busy; others go on
          if (job.held === 1) { cap.makeDigest(job); changed = true; continue; } // its minute is over: one digest
          if (cap.overCap(job, clock())) { changed = true; continue; }
          attempt(job);
          started++;
        }
        if (started === 0 && !changed) break;
      }
      // Held over a cap or queued for the next minute: wake up when the first of them is due.
      armRetryTimer();
    } catch (err) {
      logger.error('action queue failed', { error: (err as Error).message });
    }
  }

  async function test(a: NewAction): Promise<SendOutcome & { url: string }> {
    const headers = actionHeaders(a.action, a.body, a.secret);
    const loop = loopProblem(a.action.url, deps.self());
    const o: SendOutcome = loop ? { status: null, durationMs: 0, error: loop, excerpt: null }
      : await send({ url: a.action.url, method: a.action.method ?? 'POST', headers, body: Buffer.from(a.body, 'utf8'),
        timeoutMs: a.action.timeoutMs ?? DEFAULT_TIMEOUT_MS });
    const ok = o.status != null && o.status >= 200 && o.status < 300;
    const error = o.error ?? (ok ? null : `HTTP ${o.status}`);
    deliveries.record({ rule_id: a.ruleId, event_id: null, contact_id: null, url: a.action.url, attempt: 1, status: o.status,
      error, duration_ms: o.durationMs, response_excerpt: excerptOf(o), at: clock(), test: 1, next_at: null });
    return { ...o, error, excerpt: excerptOf(o), url: redactUrl(a.action.url) };
  }

  return {
    enqueue,
    pendingRequests: queue.pendingRequests,
    pump,
    test,
    list: deliveries.list,
    async stop() {
      stopped = true;
      if (retryTimer) clearTimeout(retryTimer);
      for (const ac of inFlight.values()) ac.abort();
      await Promise.allSettled([...running]);
    },
  };
}
