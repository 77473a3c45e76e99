// Sends rules' http actions: a queue in SQLite (action_jobs), so a retry survives a restart, and every
// attempt recorded (deliveries). Safe by construction:
//  - Ingest only inserts a row; sending happens later, off the receiver's path.
//  - Per target origin at most MAX_PER_ORIGIN requests at once, MAX_IN_FLIGHT overall: a dead URL holds
//    at most its own slots while every other target keeps flowing.
//  - Per rule at most `maxPerMinute` first attempts in any minute, counted when they are sent (so the
//    count survives a restart: it is read back from `deliveries`). What goes over is never skipped: by the
//    rule's `actionOverflow`, it is held and sent as one digest delivery when the minute ends (default),
//    or stays queued until the minute has room. One delivery row (attempt 0) per minute says how many
//    went over and what happens to them.
//  - Every job carries a delivery key, sent as `Idempotency-Key` and `X-Hookscope-Delivery`: for an
//    event's action it is made of the event, the rule and the action's position, so it is the same on
//    every retry, after a restart, and in every team process that derives the event; a receiver drops
//    repeats by it (deliveries are at least once).
//  - A target that points back at this Hookscope's receiver (its port on this machine, its public or
//    tunnel URL) is refused and recorded, never retried: every action would come back as a webhook.
//    Redirects are not followed (sendRaw), so a target cannot bounce the request there either.
//  - Retries: non-2xx answers and network errors, `maxTries` attempts in all with doubling delays
//    (30 s, 1, 2, 4, 8 min: six tries over ~15 minutes by default).
// Times come from the injected clock; the runner's tick (and a timer after each failure) calls pump().
import { createHmac } from 'node:crypto';
import { networkInterfaces } from 'node:os';
import type { Database as Db } from 'better-sqlite3';
import type { DeliveryRecord, HttpAction } from '../../../shared/types';
import { DEFAULT_TIMEOUT_MS, redactUrl } from '../../../shared/actions';
import { sendRaw, type SendOutcome } from '../tools/send-raw';
import type { Clock, Logger } from '../types';

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

interface JobRow {
  id: number; rule_id: number | null; event_id: number | null; action_index: number; contact_id: string | null;
  method: string; url: string; origin: string; headers: string; body: Buffer; timeout_ms: number; attempts: number; next_at: number;
  request_id: number | null; delivery_key: string | null; overflow: string; held: number; digest_of: number; created_at: number;
}
interface DeliveryRow {
  id: number; rule_id: number | null; event_id: number | null; contact_id?: string | null; url: string; attempt: number; status: number | null;
  error: string | null; duration_ms: number | null; at: number; response_excerpt: string | null; test: number; next_at: number | null;
}

export const hmacHeader = (body: string | Buffer, secret: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

/** The headers of an action as sent: the user's, a user agent, and the signature when there is a secret. */
export function actionHeaders(action: HttpAction, body: string, secret: string | null): [string, string][] {
  const out: [string, string][] = Object.entries(action.headers ?? {});
  if (!out.some(([k]) => k.toLowerCase() === 'user-agent')) out.push(['user-agent', 'Hookscope']);
  if (body !== '' && !out.some(([k]) => k.toLowerCase() === 'content-type')) out.push(['content-type', 'application/json']);
  if (secret) out.push(['x-hookscope-signature', hmacHeader(body, secret)]);
  return out;
}

function isLocalHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost') || h === '::1' || h === '::' || h === '0.0.0.0' || /^127\./.test(h) || /^::ffff:127\./.test(h)) return true;
  try {
    for (const list of Object.values(networkInterfaces())) for (const i of list ?? []) if (i.address.toLowerCase() === h) return true;
  } catch { /* no interface list: loopback names above still count */ }
  return false;
}

function originOf(url: string): string {
  try { return new URL(url).origin; } catch { return url; }
}

/** Why sending to `url` would loop back into this receiver, or null. */
export function loopProblem(url: string, self: { ports: number[]; urls: string[] }): string | null {
  let u: URL;
  try { u = new URL(url); } catch { return 'the target is not a URL'; }
  const port = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
  if (self.ports.includes(port) && isLocalHost(u.hostname)) {
    return `refused: the target is this Hookscope’s own receiver (port ${port}); every action would come back as a webhook`;
  }
  for (const s of self.urls) {
    try {
      if (new URL(s).host.toLowerCase() === u.host.toLowerCase()) return 'refused: the target is this Hookscope’s own public URL (tunnel); every action would come back as a webhook';
    } catch { /* a malformed setting is not a match */ }
  }
  return null;
}

const toRecord = (r: DeliveryRow): DeliveryRecord => ({
  kind: 'action', id: r.id, ruleId: r.rule_id, eventId: r.event_id, contactId: r.contact_id ?? null, url: redactUrl(r.url), attempt: r.attempt, status: r.status, error: r.error,
  durationMs: r.duration_ms, at: r.at, excerpt: r.response_excerpt, test: r.test === 1, nextAttemptAt: r.next_at,
});

export function createActionSender(deps: ActionSenderDeps): ActionSender {
  const { db, clock, logger } = deps;
  const send = deps.send ?? sendRaw;
  const maxPerMinute = deps.maxPerMinute ?? 30;
  const maxTries = deps.maxTries ?? 6;
  const baseDelay = deps.baseDelayMs ?? 30_000;
  const inFlight = new Map<number, AbortController>();
  const perOrigin = new Map<string, number>();
  /** ruleId → start times of the first attempts in the last minute (read back from deliveries after a restart). */
  const sentAt = new Map<number, number[]>();
  /** ruleId → the delivery row that counts this minute's overflow. */
  const overflowRow = new Map<number, { id: number; until: number; held: number }>();
  const keyPrefix = deps.keyPrefix ?? (() => 'hs');
  const running = new Set<Promise<void>>();
  let stopped = false;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;

  const st = {
    insertJob: db.prepare(`INSERT INTO action_jobs (rule_id, event_id, action_index, contact_id, method, url, origin, headers, body, timeout_ms, attempts, next_at, created_at,
      request_id, delivery_key, overflow, digest_of)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?)`),
    setKey: db.prepare('UPDATE action_jobs SET delivery_key = ? WHERE id = ?'),
    // Busy origins are left out in SQL, so a dead target's backlog can never fill the page and starve the rest.
    due: db.prepare<[number, string], JobRow>(`SELECT * FROM action_jobs WHERE next_at <= ? AND origin NOT IN (SELECT value FROM json_each(?))
      ORDER BY next_at, id LIMIT 64`),
    firstAttempts: db.prepare<[number, number], { at: number }>('SELECT at FROM deliveries WHERE rule_id = ? AND attempt = 1 AND test = 0 AND at > ?'),
    hold: db.prepare('UPDATE action_jobs SET held = ?, next_at = ? WHERE id = ?'),
    heldOf: db.prepare<[number, number], JobRow>('SELECT * FROM action_jobs WHERE rule_id = ? AND action_index = ? AND held = 1 ORDER BY id'),
    pendingRequests: db.prepare('SELECT DISTINCT request_id FROM action_jobs WHERE request_id IS NOT NULL').pluck(),
    nextDue: db.prepare<[], { t: number | null }>('SELECT MIN(next_at) AS t FROM action_jobs'),
    deleteJob: db.prepare('DELETE FROM action_jobs WHERE id = ?'),
    retryJob: db.prepare('UPDATE action_jobs SET attempts = ?, next_at = ? WHERE id = ?'),
    insertDelivery: db.prepare(`INSERT INTO deliveries (rule_id, event_id, contact_id, url, attempt, status, error, duration_ms, response_excerpt, at, test, next_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    updateOverflow: db.prepare('UPDATE deliveries SET error = ?, at = ? WHERE id = ?'),
    get: db.prepare<[number], DeliveryRow>('SELECT * FROM deliveries WHERE id = ?'),
  };

  function record(row: Omit<DeliveryRow, 'id'> & { contact_id: string | null }): DeliveryRecord {
    const info = st.insertDelivery.run(row.rule_id, row.event_id, row.contact_id, row.url, row.attempt, row.status, row.error,
      row.duration_ms, row.response_excerpt, row.at, row.test, row.next_at);
    const rec = toRecord({ ...row, id: Number(info.lastInsertRowid) });
    try { deps.emit([rec]); } catch (err) { logger.warn('delivery push failed', { error: (err as Error).message }); }
    return rec;
  }

  /** The first attempts of a rule's actions in the minute before `now`. */
  function recentFirsts(ruleId: number, now: number): number[] {
    let list = sentAt.get(ruleId);
    if (!list) {
      list = st.firstAttempts.all(ruleId, now - 60_000).map((r) => r.at);
      if (sentAt.size > 10_000) sentAt.clear();
      sentAt.set(ruleId, list);
    }
    while (list.length > 0 && list[0] <= now - 60_000) list.shift();
    return list;
  }

  /**
   * A due first attempt of a rule over its cap: held for the minute's digest, or left queued until the
   * minute has room. True when the job must not be sent now. Counted in one delivery row per minute.
   */
  function overCap(job: JobRow, now: number): boolean {
    if (job.rule_id == null || job.attempts > 0 || job.digest_of > 0) return false;
    const firsts = recentFirsts(job.rule_id, now);
    if (firsts.length < maxPerMinute) { firsts.push(now); return false; }
    const until = firsts[0] + 60_000;
    const digest = job.overflow !== 'queue';
    st.hold.run(digest ? 1 : 0, until, job.id);
    let o = overflowRow.get(job.rule_id);
    const error = (n: number) => digest
      ? `${n} action${n === 1 ? '' : 's'} over the cap of ${maxPerMinute} a minute for this rule: held, sent as one digest when the minute ends`
      : `${n} action${n === 1 ? '' : 's'} over the cap of ${maxPerMinute} a minute for this rule: queued until the next minute has room`;
    if (!o || now >= o.until) {
      o = { id: record({ rule_id: job.rule_id, event_id: job.event_id, contact_id: job.contact_id, url: job.url, attempt: 0, status: null, error: error(1),
        duration_ms: null, response_excerpt: null, at: now, test: 0, next_at: until }).id, until, held: 1 };
      overflowRow.set(job.rule_id, o);
    } else {
      o.held++;
      st.updateOverflow.run(error(o.held), now, o.id);
    }
    return true;
  }

  /** Held jobs of a rule's action whose minute is over become one digest job, in one transaction. */
  const makeDigest = db.transaction((job: JobRow) => {
    const held = st.heldOf.all(job.rule_id!, job.action_index);
    if (held.length === 0) return;
    const items = held.map((h) => ({ eventId: h.event_id, body: h.body.toString('utf8') }));
    const rendered = deps.renderDigest?.(job.rule_id!, job.action_index, items) ?? null;
    const body = rendered?.body ?? JSON.stringify({ digest: true, ruleId: job.rule_id, count: held.length, items: items.map((i) => i.body) });
    const headers = rendered?.headers ?? (JSON.parse(held[0].headers) as [string, string][]).filter(([k]) => k.toLowerCase() !== 'x-hookscope-signature');
    const now = clock();
    const info = st.insertJob.run(job.rule_id, null, job.action_index, null, held[0].method, held[0].url, held[0].origin, JSON.stringify(headers),
      Buffer.from(body, 'utf8'), held[0].timeout_ms, now, now, held[0].request_id, `${keyPrefix()}-d${held[0].id}`, 'digest', held.length);
    void info;
    for (const h of held) st.deleteJob.run(h.id);
  });

  function enqueue(a: NewAction): boolean {
    const now = clock();
    const headers = actionHeaders(a.action, a.body, a.secret);
    const key = a.eventId != null && a.ruleId != null ? `${keyPrefix()}-a${a.eventId}-${a.ruleId}-${a.actionIndex}` : null;
    const info = st.insertJob.run(a.ruleId, a.eventId, a.actionIndex, a.contactId, a.action.method ?? 'POST', a.action.url, originOf(a.action.url),
      JSON.stringify(headers), Buffer.from(a.body, 'utf8'), a.action.timeoutMs ?? DEFAULT_TIMEOUT_MS, now, now,
      a.requestId ?? null, key, a.overflow ?? 'digest', 0);
    if (key == null) st.setKey.run(`${keyPrefix()}-j${Number(info.lastInsertRowid)}`, Number(info.lastInsertRowid));
    schedulePump();
    return true;
  }

  /** The headers a job is sent with: its own, and its delivery key (the user's Idempotency-Key wins). */
  function sentHeaders(job: JobRow): [string, string][] {
    const h = JSON.parse(job.headers) as [string, string][];
    const key = job.delivery_key ?? `${keyPrefix()}-j${job.id}`;
    if (!h.some(([k]) => k.toLowerCase() === 'idempotency-key')) h.push(['idempotency-key', key]);
    h.push(['x-hookscope-delivery', key]);
    return h;
  }

  let pumpScheduled = false;
  /** Never inside the caller's turn (the receiver's commit callback returns first), and once per turn. */
  function schedulePump(): void {
    if (pumpScheduled || stopped) return;
    pumpScheduled = true;
    setImmediate(() => { pumpScheduled = false; pump(); });
  }

  const delayAfter = (attempt: number) => baseDelay * 2 ** (attempt - 1);
  const excerptOf = (o: SendOutcome) => (o.excerpt == null ? null : o.excerpt.slice(0, EXCERPT_CHARS));

  function attempt(job: JobRow): void {
    const origin = job.origin;
    const loop = loopProblem(job.url, deps.self());
    const n = job.attempts + 1;
    if (loop) {
      st.deleteJob.run(job.id);
      deps.onFinished?.(job.request_id);
      record({ rule_id: job.rule_id, event_id: job.event_id, contact_id: job.contact_id, url: job.url, attempt: n, status: null,
        error: loop, duration_ms: 0, response_excerpt: null, at: clock(), test: 0, next_at: null });
      return;
    }
    const ac = new AbortController();
    inFlight.set(job.id, ac);
    perOrigin.set(origin, (perOrigin.get(origin) ?? 0) + 1);
    const p = send({ url: job.url, method: job.method, headers: sentHeaders(job), body: job.body,
      timeoutMs: job.timeout_ms, signal: ac.signal })
      .then((o) => {
        // Shutting down: the job stays as it is and the next start sends it again.
        if (stopped) return;
        const now = clock();
        const ok = o.status != null && o.status >= 200 && o.status < 300;
        const last = ok || n >= maxTries;
        const nextAt = last ? null : now + delayAfter(n);
        if (last) { st.deleteJob.run(job.id); deps.onFinished?.(job.request_id); } else st.retryJob.run(n, nextAt, job.id);
        const error = o.error ?? (ok ? null : `HTTP ${o.status}`);
        record({ rule_id: job.rule_id, event_id: job.event_id, contact_id: job.contact_id, url: job.url, attempt: n, status: o.status,
          error: !ok && last && n >= maxTries ? `${error}; gave up after ${n} tries` : error,
          duration_ms: o.durationMs, response_excerpt: excerptOf(o), at: now, test: 0, next_at: nextAt });
        if (nextAt != null) armRetryTimer();
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
    const next = st.nextDue.get()?.t;
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
        const page = st.due.all(clock(), JSON.stringify(busy)).filter((j) => !inFlight.has(j.id));
        if (page.length === 0) break;
        let started = 0;
        let changed = false;
        for (const job of page) {
          if (inFlight.size >= MAX_IN_FLIGHT) break;
          if ((perOrigin.get(job.origin) ?? 0) >= MAX_PER_ORIGIN) continue; // this target is busy; others go on
          if (job.held === 1) { makeDigest(job); changed = true; continue; } // its minute is over: one digest
          if (overCap(job, clock())) { changed = true; continue; }
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
    record({ rule_id: a.ruleId, event_id: null, contact_id: null, url: a.action.url, attempt: 1, status: o.status,
      error, duration_ms: o.durationMs, response_excerpt: excerptOf(o), at: clock(), test: 1, next_at: null });
    return { ...o, error, excerpt: excerptOf(o), url: redactUrl(a.action.url) };
  }

  function list(q: { ruleId?: number; eventId?: number; limit?: number }): DeliveryRecord[] {
    const where: string[] = [];
    const args: number[] = [];
    if (q.ruleId != null) { where.push('rule_id = ?'); args.push(q.ruleId); }
    if (q.eventId != null) { where.push('event_id = ?'); args.push(q.eventId); }
    const limit = Math.max(1, Math.min(1000, Math.floor(q.limit ?? 200)));
    return db.prepare<number[], DeliveryRow>(`SELECT * FROM deliveries ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ${limit}`)
      .all(...args).map(toRecord);
  }

  return {
    enqueue,
    pendingRequests: () => st.pendingRequests.all() as number[],
    pump,
    test,
    list,
    async stop() {
      stopped = true;
      if (retryTimer) clearTimeout(retryTimer);
      for (const ac of inFlight.values()) ac.abort();
      await Promise.allSettled([...running]);
    },
  };
}
