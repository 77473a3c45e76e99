// Sends rules' http actions: a queue in SQLite (action_jobs), so a retry survives a restart, and every
// attempt recorded (deliveries). Safe by construction:
//  - Ingest only inserts a row; sending happens later, off the receiver's path.
//  - Per target origin at most MAX_PER_ORIGIN requests at once, MAX_IN_FLIGHT overall: a dead URL holds
//    at most its own slots while every other target keeps flowing.
//  - Per rule at most `maxPerMinute` actions a minute; the overflow is recorded as one delivery row per
//    minute that counts what was skipped (never silently dropped, never a row per skipped event).
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
import { sendRaw, type SendOutcome } from '../tools/forwarder';
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
}

export interface ActionSender {
  /** Queues an action; returns false when the per-rule cap refused it (the overflow is recorded). */
  enqueue(a: NewAction): boolean;
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
  id: r.id, ruleId: r.rule_id, eventId: r.event_id, contactId: r.contact_id ?? null, url: redactUrl(r.url), attempt: r.attempt, status: r.status, error: r.error,
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
  /** ruleId → the current minute's count and, once over the cap, the row that counts the overflow. */
  const budget = new Map<number, { since: number; count: number; overflowRow: number | null; skipped: number }>();
  const running = new Set<Promise<void>>();
  let stopped = false;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;

  const st = {
    insertJob: db.prepare(`INSERT INTO action_jobs (rule_id, event_id, action_index, contact_id, method, url, origin, headers, body, timeout_ms, attempts, next_at, created_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)`),
    // Busy origins are left out in SQL, so a dead target's backlog can never fill the page and starve the rest.
    due: db.prepare<[number, string], JobRow>(`SELECT * FROM action_jobs WHERE next_at <= ? AND origin NOT IN (SELECT value FROM json_each(?))
      ORDER BY next_at, id LIMIT 64`),
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

  function overCap(ruleId: number, now: number, url: string, eventId: number | null, contactId: string | null): boolean {
    let b = budget.get(ruleId);
    if (!b || now - b.since >= 60_000) { b = { since: now, count: 0, overflowRow: null, skipped: 0 }; budget.set(ruleId, b); }
    if (b.count < maxPerMinute) { b.count++; return false; }
    b.skipped++;
    const error = `skipped ${b.skipped} action${b.skipped === 1 ? '' : 's'}: over the cap of ${maxPerMinute} a minute for this rule`;
    if (b.overflowRow == null) {
      b.overflowRow = record({ rule_id: ruleId, event_id: eventId, contact_id: contactId, url, attempt: 0, status: null, error,
        duration_ms: null, response_excerpt: null, at: now, test: 0, next_at: null }).id;
    } else {
      st.updateOverflow.run(error, now, b.overflowRow);
    }
    if (budget.size > 10_000) budget.clear();
    return true;
  }

  function enqueue(a: NewAction): boolean {
    const now = clock();
    if (a.ruleId != null && overCap(a.ruleId, now, a.action.url, a.eventId, a.contactId)) return false;
    const headers = actionHeaders(a.action, a.body, a.secret);
    st.insertJob.run(a.ruleId, a.eventId, a.actionIndex, a.contactId, a.action.method ?? 'POST', a.action.url, originOf(a.action.url),
      JSON.stringify(headers), Buffer.from(a.body, 'utf8'), a.action.timeoutMs ?? DEFAULT_TIMEOUT_MS, now, now);
    schedulePump();
    return true;
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
      record({ rule_id: job.rule_id, event_id: job.event_id, contact_id: job.contact_id, url: job.url, attempt: n, status: null,
        error: loop, duration_ms: 0, response_excerpt: null, at: clock(), test: 0, next_at: null });
      return;
    }
    const ac = new AbortController();
    inFlight.set(job.id, ac);
    perOrigin.set(origin, (perOrigin.get(origin) ?? 0) + 1);
    const p = send({ url: job.url, method: job.method, headers: JSON.parse(job.headers) as [string, string][], body: job.body,
      timeoutMs: job.timeout_ms, signal: ac.signal })
      .then((o) => {
        // Shutting down: the job stays as it is and the next start sends it again.
        if (stopped) return;
        const now = clock();
        const ok = o.status != null && o.status >= 200 && o.status < 300;
        const last = ok || n >= maxTries;
        const nextAt = last ? null : now + delayAfter(n);
        if (last) st.deleteJob.run(job.id); else st.retryJob.run(n, nextAt, job.id);
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
        for (const job of page) {
          if (inFlight.size >= MAX_IN_FLIGHT) break;
          if ((perOrigin.get(job.origin) ?? 0) >= MAX_PER_ORIGIN) continue; // this target is busy; others go on
          attempt(job);
          started++;
        }
        if (started === 0) break;
      }
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
