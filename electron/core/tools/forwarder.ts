// Forwarding (docs/api.md, --forward-to): every stored request is delivered — exact body bytes, original
// method, path, query and headers — to every configured local handler, and what each handler answered is
// recorded. It runs after the receiver has its answer: a slow or dead handler never delays the provider's
// 200, never blocks ingest, and never blocks the other handlers.
//
// The outbox (docs/architecture.md "The outbox"): a forward is a row of `outbox`, written in the same
// transaction that derives the request (enqueue(), called by the deriver's inTx hook). The dispatcher here
// delivers the rows and marks them done; a crash or a restart resumes where it stopped, so a delivery
// happens at least once, and each carries `X-Hookscope-Delivery: <key>` (the same key on every retry and
// after a restart) so a handler can drop a repeat.
//
// Decisions:
//  - What a forward carries is decided by forwardedRequest() alone (pure; docs/api.md "Trust boundary"):
//    the provider's words, never a caller's. Target URL: a target with a path other than '/'
//    (`http://localhost:3000/webhook?k=v`) is used as it is; a bare origin (`http://localhost:3000`)
//    gets the route (`/meta`, `/twilio`) appended. The query the caller sent is never passed on (a
//    stranger's `?admin=1` must not reach the handler). So one handler URL can take both providers, or
//    a handler can keep its own route.
//  - Which requests: every stored request whose origin is `network`, `replay` or `simulate` (the
//    simulator exists to drive the user's handler through the whole path). `import` is not forwarded:
//    an import is history, and pushing thousands of old webhooks at a handler would be a surprise.
//    Requests refused as too large are not forwarded (their body was never read).
//  - Headers: the ones providers send and document (FORWARDED_HEADERS: signature, content type, user
//    agent, Twilio's idempotency token…), in order; never `Authorization`, `Cookie` or anything else a
//    caller adds. The client computes `content-length` and `host` for the target. The one header added
//    is `X-Hookscope-Delivery` (not covered by any provider signature, so the original
//    X-Hub-Signature-256 still validates at the handler).
//  - Sent with node:http(s) rather than fetch: fetch refuses some header names and does not keep the
//    original order or casing of repeated headers.
//  - durationMs runs from the start of the request to the end of the answer (or to the 2 KB excerpt,
//    after which the rest is discarded), which is what a provider waiting for the 200 would feel.
//  - In order per target: one delivery at a time per handler, oldest first; the next waits until the one
//    before is delivered or given up. A handler that is down, slow, or answers 5xx / 408 / 429 gets
//    retries with doubling delays (settings `forwardRetry`: base delay, at most maxTries attempts and
//    maxAgeMs after it was received, delays capped at a minute); a 2xx or another 4xx is an answer and
//    ends it. A slow handler is a backlog on disk, never a drop.
//  - A target on this machine at the receiver's own port is refused (recorded as skipped): every
//    forwarded request would come back as a new network request and be forwarded again, forever.
import { request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createHash } from 'node:crypto';
import type { ForwardResult, ForwardTargetSummary, DeliveryRecord } from '../../../shared/types';
import type { ReceiverInput } from '../ingest/receiver';
import type { DerivedRequest, Store } from '../store/store';
import type { Settings } from '../setup/settings';
import type { Clock, Logger } from '../types';

export const EXCERPT_BYTES = 2048;
/** The longest wait between two tries of one forward. */
export const MAX_RETRY_DELAY_MS = 60_000;
/** Finished outbox rows are kept this long (the Forward panel's "delivered" / "given up" counts). */
export const DONE_KEPT_MS = 24 * 60 * 60_000;
/** The header that names a delivery: the same on every retry and after a restart. */
export const DELIVERY_HEADER = 'x-hookscope-delivery';

const HOP_BY_HOP = new Set([
  'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade',
  'host', 'content-length',
  // A handler that does not answer 100-continue would stall every delivery until the timeout.
  'expect',
]);

/** The original headers minus hop-by-hop ones (and any the Connection header names). */
export function endToEndHeaders(headers: [string, string][]): [string, string][] {
  const named = new Set<string>();
  for (const [k, v] of headers) {
    if (k.toLowerCase() === 'connection') for (const n of v.split(',')) named.add(n.trim().toLowerCase());
  }
  return headers.filter(([k]) => !HOP_BY_HOP.has(k.toLowerCase()) && !named.has(k.toLowerCase()));
}

/**
 * Headers a provider sends (docs/webhooks.md): Meta's X-Hub-Signature(-256), Twilio's X-Twilio-Signature,
 * X-Twilio-Webhooks-Signature-Settings, I-Twilio-Idempotency-Token and X-Home-Region, and the plain HTTP
 * ones describing the body. Everything else a caller sent stays here.
 */
export const FORWARDED_HEADERS = new Set([
  'content-type', 'content-encoding', 'user-agent', 'accept', 'accept-encoding',
  'x-hub-signature-256', 'x-hub-signature',
  'x-twilio-signature', 'x-twilio-webhooks-signature-settings', 'i-twilio-idempotency-token', 'x-home-region',
]);

/**
 * What one forward of `input` to `target` carries: the target's own URL (a bare origin gets the route
 * appended, never the caller's query) and the provider's headers only. Throws on an invalid target.
 */
export function forwardedRequest(target: string, input: { path: string; headers: [string, string][] }): { url: string; headers: [string, string][] } {
  const u = new URL(target);
  const url = u.pathname !== '/' && u.pathname !== '' ? target : `${target.replace(/\?.*$/, '').replace(/\/+$/, '')}${input.path}`;
  return { url, headers: input.headers.filter(([k]) => FORWARDED_HEADERS.has(k.toLowerCase())) };
}

/** Where a replayed request goes for a target (replay.ts): the target, plus the original path and query for a bare origin. */
export function targetUrl(target: string, path: string, query: string): string {
  const u = new URL(target);
  if (u.pathname !== '/' && u.pathname !== '') {
    if (!u.search && query) return `${target}?${query}`;
    return target;
  }
  const base = target.replace(/\/+$/, '').replace(/\?.*$/, '');
  return `${base}${path}${query ? `?${query}` : ''}`;
}

export interface SendOutcome {
  status: number | null;
  durationMs: number;
  error: string | null;
  excerpt: string | null;
}

/**
 * One HTTP exchange with exact bytes and headers; never throws. The timeout covers the whole exchange
 * (connect, answer, excerpt), through an AbortController.
 */
export function sendRaw(opts: {
  url: string; method: string; headers: [string, string][]; body: Buffer; timeoutMs: number; now?: () => number;
  /** Aborts the exchange from outside (shutdown). */
  signal?: AbortSignal;
}): Promise<SendOutcome> {
  const now = opts.now ?? (() => performance.now());
  const started = now();
  return new Promise<SendOutcome>((resolve) => {
    let settled = false;
    const done = (o: Omit<SendOutcome, 'durationMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...o, durationMs: Math.round((now() - started) * 100) / 100 });
    };
    let u: URL;
    try {
      u = new URL(opts.url);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`unsupported protocol ${u.protocol}`);
    } catch (err) {
      resolve({ status: null, durationMs: 0, error: `Invalid target URL: ${(err as Error).message}`, excerpt: null });
      return;
    }
    const ac = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; ac.abort(); }, opts.timeoutMs);
    if (opts.signal) {
      if (opts.signal.aborted) ac.abort();
      else opts.signal.addEventListener('abort', () => ac.abort(), { once: true });
    }
    // Raw header array keeps order, casing and repeated headers exactly.
    // With a raw array Node adds no Host of its own: the target's host comes first, as a client sends it.
    const flat: string[] = ['host', u.host];
    for (const [k, v] of endToEndHeaders(opts.headers)) flat.push(k, v);
    const hasBody = opts.body.length > 0 || !['GET', 'HEAD'].includes(opts.method.toUpperCase());
    if (hasBody) flat.push('content-length', String(opts.body.length));
    let req: ReturnType<typeof httpRequest>;
    try {
      req = (u.protocol === 'https:' ? httpsRequest : httpRequest)(u, {
        method: opts.method,
        headers: flat as unknown as OutgoingHttpHeaders,
        signal: ac.signal,
        agent: false,
      }, onResponse);
    } catch (err) {
      // Node validates header names/values (and the method) synchronously: an edited replay header or
      // an imported HAR can hold a CR/LF or a space in a name. That is an answer, not a crash.
      done({ status: null, error: `Cannot send this request: ${(err as Error).message}`, excerpt: null });
      return;
    }
    function onResponse(res: IncomingMessage) {
      const chunks: Buffer[] = [];
      let size = 0;
      const finish = () => done({ status: res.statusCode ?? null, error: null, excerpt: excerptOf(Buffer.concat(chunks, Math.min(size, EXCERPT_BYTES))) });
      res.on('data', (c: Buffer) => {
        if (size >= EXCERPT_BYTES) return;
        chunks.push(c);
        size += c.length;
        if (size >= EXCERPT_BYTES) {
          finish();
          res.destroy();
        }
      });
      res.on('end', finish);
      res.on('error', (err) => done({
        status: res.statusCode ?? null,
        error: timedOut ? `The answer did not finish within ${opts.timeoutMs} ms (timed out)` : `Answer broken off: ${err.message}`,
        excerpt: excerptOf(Buffer.concat(chunks)),
      }));
      res.on('close', finish);
    }
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (timedOut) done({ status: null, error: `No answer within ${opts.timeoutMs} ms (timed out)`, excerpt: null });
      else if (ac.signal.aborted) done({ status: null, error: 'Aborted: Hookscope is stopping', excerpt: null });
      else done({ status: null, error: describeNetError(err), excerpt: null });
    });
    req.end(hasBody ? opts.body : undefined);
  });
}

function excerptOf(b: Buffer): string | null {
  if (b.length === 0) return null;
  // A cut may split a UTF-8 sequence; the decoder's replacement character marks it, which is fine for an excerpt.
  return b.subarray(0, EXCERPT_BYTES).toString('utf8');
}

function describeNetError(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ECONNREFUSED': return `Connection refused (${err.message.replace(/^connect ECONNREFUSED /, '')}): is the handler running?`;
    case 'ENOTFOUND': return `Host not found: ${err.message}`;
    case 'ECONNRESET': return 'The handler closed the connection without answering';
    default: return err.message || String(err);
  }
}

export interface Forwarder {
  /**
   * Inside the derive transaction: one outbox row per target for each request that is forwarded (see the
   * header comment for which). Returns how many rows it wrote.
   */
  enqueue(items: DerivedRequest[]): number;
  /** Wakes the dispatcher (after a derive commit; at start, to resume what a restart left). */
  kick(): void;
  /** Resolves when no forward is in flight and none is due now (retries scheduled later do not count). */
  idle(): Promise<void>;
  /** Aborts deliveries in flight; they stay in the outbox for the next start. */
  stop(): void;
  /** Per target: queued / retrying / delivered / given up (Tools → Forward). */
  summary(): ForwardTargetSummary[];
  /** Sends what waits for a retry (and what was given up) again now; all targets when none is named. */
  retryNow(target?: string): number;
  /** Gives up what waits for a target (all targets when none is named); recorded, never silent. */
  drop(target?: string): number;
  /** The outbox rows as deliveries (GET /api/deliveries?kind=forward), newest first. */
  list(q: { requestId?: number; limit?: number }): DeliveryRecord[];
}

export const FORWARDED_ORIGINS: ReadonlySet<ReceiverInput['origin']> = new Set(['network', 'replay', 'simulate']);

/** True when a target points back at our own receiver port on this machine: forwarding there would loop. */
export function isSelfTarget(target: string, receiverPort: number | null | undefined): boolean {
  if (!receiverPort) return false;
  try {
    const u = new URL(target);
    const port = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
    const h = u.hostname.replace(/^\[|\]$/g, '').toLowerCase();
    const local = h === 'localhost' || h.endsWith('.localhost') || h === '::1' || h === '0.0.0.0' || h === '::' || /^127\./.test(h);
    return local && port === receiverPort;
  } catch {
    return false;
  }
}

/** Whether an answer ends a forward: a 2xx, or a 4xx other than "try later" (408, 425, 429). */
export function forwardAnswered(status: number | null): boolean {
  if (status == null) return false;
  if (status >= 200 && status < 300) return true;
  return status >= 400 && status < 500 && status !== 408 && status !== 425 && status !== 429;
}

/** The delivery key of a request's forward to a target: stable across retries, restarts and target order. */
export function forwardKey(prefix: string, requestId: number, target: string): string {
  return `${prefix}-f${requestId}-${createHash('sha256').update(target).digest('hex').slice(0, 10)}`;
}

type OutboxState = 'queued' | 'retrying' | 'delivered' | 'given_up' | 'dropped';
interface OutboxRow {
  id: number; request_id: number; target: string; delivery_key: string; state: OutboxState; attempts: number;
  next_at: number; created_at: number; done_at: number | null; last_status: number | null; last_error: string | null;
}

export function createForwarder(deps: {
  store: Store; settings: Settings; logger: Logger; clock: Clock;
  /** The receiver's own port, to refuse a target that would forward every request back to us forever. */
  receiverPort?: () => number | null | undefined;
  /** What every delivery key of this database starts with (a random id kept in kv). */
  keyPrefix: () => string;
  /** Whether this process forwards a derived request (team mode: only the one that received it). */
  owns?: (requestId: number) => boolean;
}): Forwarder {
  const { store, settings, logger, clock } = deps;
  const db = store.db;
  /** target → the delivery in flight (one at a time per target: in order). */
  const active = new Map<string, AbortController>();
  let waiters: (() => void)[] = [];
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let timerAt = Infinity;
  let scheduled = false;
  let lastPrune = 0;

  const st = {
    insert: db.prepare(`INSERT INTO outbox (request_id, target, delivery_key, state, attempts, next_at, created_at, done_at, last_error)
      VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?)`),
    // The head of each target's queue: the oldest row not finished.
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

  function record(requestId: number, f: ForwardResult) {
    try {
      store.addForward(requestId, f);
    } catch (err) {
      logger.warn('could not record a forward', { requestId, err: String(err) });
    }
  }

  function enqueue(items: DerivedRequest[]): number {
    const targets = settings.forwardTargets();
    if (targets.length === 0) return 0;
    const now = clock();
    const port = deps.receiverPort?.();
    const prefix = deps.keyPrefix();
    let n = 0;
    for (const { request, failed } of items) {
      if (failed || !FORWARDED_ORIGINS.has(request.origin) || request.body == null) continue;
      if (deps.owns && !deps.owns(request.id)) continue;
      for (const target of targets) {
        const key = forwardKey(prefix, request.id, target);
        if (isSelfTarget(target, port)) {
          const error = 'Skipped: this target is Hookscope\'s own receiver, so forwarding would loop';
          st.insert.run(request.id, target, key, 'given_up', now, now, now, error);
          record(request.id, { target, status: null, durationMs: null, error, responseExcerpt: null });
          continue;
        }
        st.insert.run(request.id, target, key, 'queued', now, now, null, null);
        n++;
      }
    }
    return n;
  }

  function settleWaiters() {
    if (waiters.length === 0 || !isIdle()) return;
    const w = waiters;
    waiters = [];
    for (const r of w) r();
  }

  function isIdle(): boolean {
    if (stopped) return true;
    if (active.size > 0) return false;
    const now = clock();
    try {
      return !st.heads.all().some((h) => h.next_at <= now);
    } catch {
      return true; // the database is closing
    }
  }

  function schedule() {
    if (scheduled || stopped) return;
    scheduled = true;
    // Never inside the caller's turn: the derive transaction (and the receiver's answers) go first.
    setImmediate(() => { scheduled = false; pump(); });
  }

  function armTimer(at: number) {
    if (stopped || at >= timerAt) return;
    if (timer) clearTimeout(timer);
    timerAt = at;
    timer = setTimeout(() => { timer = null; timerAt = Infinity; pump(); }, Math.min(Math.max(0, at - clock()), MAX_RETRY_DELAY_MS));
    timer.unref?.();
  }

  function pump() {
    if (stopped) return;
    let heads: OutboxRow[];
    const now = clock();
    try {
      if (now - lastPrune > 60_000) { lastPrune = now; st.prune.run(now - DONE_KEPT_MS); }
      heads = st.heads.all();
    } catch (err) {
      logger.error('forward outbox unreadable; will retry', { err: String(err) });
      armTimer(now + 1000);
      return;
    }
    for (const row of heads) {
      if (active.has(row.target)) continue;
      if (row.next_at > now) { armTimer(row.next_at); continue; }
      deliver(row);
    }
    settleWaiters();
  }

  function deliver(row: OutboxRow) {
    const ac = new AbortController();
    active.set(row.target, ac);
    void attempt(row, ac).catch((err: unknown) => {
      logger.error('forward failed unexpectedly', { requestId: row.request_id, err: String(err) });
    }).finally(() => {
      if (active.get(row.target) === ac) active.delete(row.target);
      if (!stopped) schedule();
      settleWaiters();
    });
  }

  async function attempt(row: OutboxRow, ac: AbortController) {
    const { target } = row;
    const req = store.getRequest(row.request_id);
    if (!req) {
      // Erased since (retention, forget a contact): nothing left to send.
      st.finish.run('dropped', row.attempts, clock(), null, 'The request was deleted before it could be forwarded', row.id);
      return;
    }
    let url: string;
    let provided: [string, string][];
    try {
      ({ url, headers: provided } = forwardedRequest(target, req));
    } catch {
      const error = `Invalid forward target "${target}"`;
      st.finish.run('given_up', row.attempts + 1, clock(), null, error, row.id);
      record(row.request_id, { target, status: null, durationMs: null, error, responseExcerpt: null });
      return;
    }
    const headers: [string, string][] = [...provided, [DELIVERY_HEADER, row.delivery_key]];
    const out = await sendRaw({
      url, method: req.method, headers, body: req.bodyBytes,
      timeoutMs: settings.plain().forwardTimeoutMs, signal: ac.signal,
    });
    // Shutting down: the row stays as it is and the next start sends it again.
    if (stopped) return;
    const now = clock();
    const n = row.attempts + 1;
    const retry = settings.plain().forwardRetry;
    let error = out.error;
    if (forwardAnswered(out.status)) {
      st.finish.run('delivered', n, now, out.status, out.error, row.id);
    } else {
      const reason = out.error ?? `HTTP ${out.status}`;
      if (n >= retry.maxTries || now - row.created_at >= retry.maxAgeMs) {
        error = `${reason}; gave up after ${n} ${n === 1 ? 'try' : 'tries'}`;
        st.finish.run('given_up', n, now, out.status, error, row.id);
      } else {
        const nextAt = now + Math.min(retry.baseDelayMs * 2 ** (n - 1), MAX_RETRY_DELAY_MS);
        st.retry.run(n, nextAt, out.status, reason, row.id);
      }
      logger.debug('forward failed', { target, requestId: row.request_id, err: reason });
    }
    record(row.request_id, { target, status: out.status, durationMs: out.durationMs, error, responseExcerpt: out.excerpt });
  }

  function summary(): ForwardTargetSummary[] {
    const by = new Map<string, ForwardTargetSummary>();
    for (const t of settings.forwardTargets()) by.set(t, { target: t, configured: true, queued: 0, retrying: 0, delivered: 0, givenUp: 0, oldestWaitingAt: null, nextAttemptAt: null, lastError: null });
    for (const r of st.summary.all()) {
      let s = by.get(r.target);
      if (!s) { s = { target: r.target, configured: false, queued: 0, retrying: 0, delivered: 0, givenUp: 0, oldestWaitingAt: null, nextAttemptAt: null, lastError: null }; by.set(r.target, s); }
      if (r.state === 'queued') s.queued += r.n;
      else if (r.state === 'retrying') { s.retrying += r.n; s.nextAttemptAt = r.next; }
      else if (r.state === 'delivered') s.delivered += r.n;
      else s.givenUp += r.n;
      if (r.state === 'queued' || r.state === 'retrying') s.oldestWaitingAt = Math.min(s.oldestWaitingAt ?? Infinity, r.oldest);
    }
    for (const s of by.values()) {
      const last = st.lastError.get(s.target);
      s.lastError = last?.last_error ?? null;
    }
    return [...by.values()];
  }

  function where(target?: string): { sql: string; args: string[] } {
    return target == null ? { sql: '', args: [] } : { sql: ' AND target = ?', args: [target] };
  }

  return {
    enqueue,
    kick: schedule,
    idle() {
      if (isIdle()) return Promise.resolve();
      return new Promise<void>((r) => waiters.push(r));
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      for (const c of active.values()) c.abort();
      const w = waiters;
      waiters = [];
      for (const r of w) r();
    },
    summary,
    retryNow(target) {
      const w = where(target);
      const now = clock();
      const n = db.prepare(`UPDATE outbox SET state = CASE WHEN state = 'given_up' THEN 'queued' ELSE state END, next_at = ?, done_at = NULL,
        attempts = CASE WHEN state = 'given_up' THEN 0 ELSE attempts END, created_at = CASE WHEN state = 'given_up' THEN ? ELSE created_at END
        WHERE state IN ('queued', 'retrying', 'given_up')${w.sql}`).run(now, now, ...w.args).changes;
      timerAt = Infinity;
      schedule();
      return n;
    },
    drop(target) {
      const w = where(target);
      const now = clock();
      const n = db.prepare(`UPDATE outbox SET state = 'dropped', done_at = ?, last_error = 'Dropped by the user'
        WHERE state IN ('queued', 'retrying')${w.sql}`).run(now, ...w.args).changes;
      // An attempt in flight finishes and is recorded; the next head is the next row not dropped.
      return n;
    },
    list(q) {
      const limit = Math.max(1, Math.min(1000, Math.floor(q.limit ?? 200)));
      const rows = (q.requestId != null
        ? db.prepare(`SELECT * FROM outbox WHERE request_id = ? ORDER BY id DESC LIMIT ${limit}`).all(q.requestId)
        : db.prepare(`SELECT * FROM outbox ORDER BY id DESC LIMIT ${limit}`).all()) as OutboxRow[];
      return rows.map((r) => ({
        kind: 'forward' as const, id: r.id, ruleId: null, eventId: null, contactId: null, requestId: r.request_id, url: r.target, attempt: r.attempts,
        status: r.last_status, error: r.last_error, durationMs: null, at: r.done_at ?? r.created_at, excerpt: null, test: false,
        nextAttemptAt: r.state === 'retrying' ? r.next_at : null, state: r.state === 'given_up' ? 'given-up' : r.state, key: r.delivery_key,
      }));
    },
  };
}
