// Forwarding (docs/api.md, --forward-to): after a request is committed, deliver it — exact body bytes,
// original method, path, query and headers — to every configured local handler, and record what each
// handler answered. It runs after the receiver has its answer: a slow or dead handler never delays the
// provider's 200, never blocks ingest, and never blocks the other handlers.
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
//    caller adds. The client computes `content-length` and `host` for the target. Nothing is added, so
//    the original X-Hub-Signature-256 still validates at the handler.
//  - Sent with node:http(s) rather than fetch: fetch refuses some header names and does not keep the
//    original order or casing of repeated headers.
//  - durationMs runs from the start of the request to the end of the answer (or to the 2 KB excerpt,
//    after which the rest is discarded), which is what a provider waiting for the 200 would feel.
//  - Per target at most MAX_IN_FLIGHT deliveries at once and MAX_QUEUED waiting; beyond that a delivery
//    is recorded as skipped rather than piling up sockets and memory behind a dead handler.
//  - A target on this machine at the receiver's own port is refused (recorded as skipped): every
//    forwarded request would come back as a new network request and be forwarded again, forever.
import { request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { ForwardResult } from '../../../shared/types';
import type { ReceiverInput } from '../ingest/receiver';
import type { Store } from '../store/store';
import type { Settings } from '../setup/settings';
import type { Clock, Logger } from '../types';

export const EXCERPT_BYTES = 2048;
const MAX_IN_FLIGHT = 16;
const MAX_QUEUED = 500;
/** Bodies held for one target while its handler is slow or dead (the body limit can be 64 MiB). */
export const MAX_QUEUED_BYTES = 64 * 1024 * 1024;

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
  /** Schedules delivery of a stored request to every target; returns at once. */
  forward(input: ReceiverInput, requestId: number): void;
  /** Resolves when every scheduled delivery has finished and been recorded. */
  idle(): Promise<void>;
  /** Aborts deliveries in flight; nothing is recorded after this (the store is closing). */
  stop(): void;
}

export const FORWARDED_ORIGINS: ReadonlySet<ReceiverInput['origin']> = new Set(['network', 'replay', 'simulate']);

interface Job { input: ReceiverInput; requestId: number; target: string }

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

export function createForwarder(deps: {
  store: Store; settings: Settings; logger: Logger; clock: Clock;
  /** The receiver's own port, to refuse a target that would forward every request back to us forever. */
  receiverPort?: () => number | null | undefined;
}): Forwarder {
  const { store, settings, logger } = deps;
  const inFlight = new Map<string, number>();
  const queues = new Map<string, Job[]>();
  const queuedBytes = new Map<string, number>();
  let pending = 0;
  let waiters: (() => void)[] = [];
  let stopped = false;
  const controllers = new Set<AbortController>();

  function record(requestId: number, f: ForwardResult) {
    if (stopped) return;
    try {
      store.addForward(requestId, f);
    } catch (err) {
      logger.warn('could not record a forward', { requestId, target: f.target, err: String(err) });
    }
  }

  function settle() {
    pending--;
    if (pending === 0) {
      const w = waiters;
      waiters = [];
      for (const r of w) r();
    }
  }

  function pump(target: string) {
    const q = queues.get(target);
    while (q && q.length > 0 && (inFlight.get(target) ?? 0) < MAX_IN_FLIGHT && !stopped) {
      const job = q.shift()!;
      queuedBytes.set(target, (queuedBytes.get(target) ?? 0) - job.input.body.length);
      inFlight.set(target, (inFlight.get(target) ?? 0) + 1);
      void deliver(job).catch((err: unknown) => {
        logger.error('forward failed unexpectedly', { requestId: job.requestId, err: String(err) });
      }).finally(() => {
        inFlight.set(target, (inFlight.get(target) ?? 1) - 1);
        settle();
        pump(target);
      });
    }
  }

  async function deliver(job: Job) {
    const { input, target } = job;
    let url: string;
    let headers: [string, string][];
    try {
      ({ url, headers } = forwardedRequest(target, input));
    } catch {
      record(job.requestId, { target, status: null, durationMs: null, error: `Invalid forward target "${target}"`, responseExcerpt: null });
      return;
    }
    const ac = new AbortController();
    controllers.add(ac);
    const out = await sendRaw({
      url, method: input.method, headers, body: input.body,
      timeoutMs: settings.plain().forwardTimeoutMs, signal: ac.signal,
    }).finally(() => controllers.delete(ac));
    record(job.requestId, { target, status: out.status, durationMs: out.durationMs, error: out.error, responseExcerpt: out.excerpt });
    if (out.error) logger.debug('forward failed', { target, requestId: job.requestId, err: out.error });
  }

  return {
    forward(input, requestId) {
      if (stopped || !FORWARDED_ORIGINS.has(input.origin) || input.tooLarge != null) return;
      const targets = settings.forwardTargets();
      if (targets.length === 0) return;
      for (const target of targets) {
        let q = queues.get(target);
        if (!q) { q = []; queues.set(target, q); }
        if (isSelfTarget(target, deps.receiverPort?.())) {
          record(requestId, { target, status: null, durationMs: null, error: 'Skipped: this target is Hookscope\'s own receiver, so forwarding would loop', responseExcerpt: null });
          continue;
        }
        if (q.length >= MAX_QUEUED) {
          record(requestId, { target, status: null, durationMs: null, error: `Skipped: ${MAX_QUEUED} deliveries already waiting for this handler`, responseExcerpt: null });
          continue;
        }
        const bytes = queuedBytes.get(target) ?? 0;
        if (q.length > 0 && bytes + input.body.length > MAX_QUEUED_BYTES) {
          record(requestId, { target, status: null, durationMs: null, error: `Skipped: ${Math.round(bytes / 1048576)} MiB of deliveries already waiting for this handler`, responseExcerpt: null });
          continue;
        }
        q.push({ input, requestId, target });
        queuedBytes.set(target, bytes + input.body.length);
        pending++;
      }
      // The receiver answers after this hook returns: start the deliveries on a later turn so the
      // provider's 200 is written first.
      setImmediate(() => { for (const t of targets) pump(t); });
    },
    idle() {
      if (pending === 0) return Promise.resolve();
      return new Promise<void>((r) => waiters.push(r));
    },
    stop() {
      stopped = true;
      for (const c of controllers) c.abort();
      for (const q of queues.values()) {
        pending -= q.length;
        q.length = 0;
      }
      queuedBytes.clear();
      if (pending <= 0) {
        pending = 0;
        const w = waiters;
        waiters = [];
        for (const r of w) r();
      }
    },
  };
}
