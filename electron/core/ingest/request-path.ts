// The receiver's request path: from a socket's request to its answer, bounded in bytes and time
// (docs/api.md "Trust boundary"). The headers are read first: a request they already doom (refusedByHeaders
// in decide.ts) has its body hashed as it passes, never held; one announcing more than the limit is refused
// without being read; any other body is held within the memory budgets (body-budget.ts) and must arrive
// within its deadline (BODY_MIN_RATE), a large one once its turn comes (upload-turns.ts). The whole request
// then goes to handle.ts, and the answer is written when it settles: 200 only after the commit, 503 +
// Retry-After when storing failed.
import { createHash, type Hmac } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RejectedItem } from '../../../shared/types';
import type { RejectedLog } from '../store/rejected-log';
import { REJECTED_BODY_KEEP } from '../store/schema';
import { isDiskFull, sourceAddress, type RateLimiter } from './gate';
import { header, plain, refusedByHeaders, sameList, type ReceiverInput, type TrustConfig } from './decide';
import { metaHashers, verifyMeta } from './signature';
import { SMALL_BODY, type BodyBudget, type Holder } from './body-budget';
import type { ReceiverAnswer } from './handle';
import { createUploadTurns, type TurnOptions } from './upload-turns';
import type { Logger } from '../types';

/**
 * Providers send small bodies in one go, right after the headers. A body must arrive within
 * bodyGraceMs plus its size at this rate (bytes/s): a stalled upload is cut off (408) within seconds,
 * so holding memory costs a stranger a steady upload, not one burst.
 */
export const BODY_MIN_RATE = 64 * 1024;
export const BODY_GRACE_MS = 5_000;

export interface RequestPathDeps {
  trust: TrustConfig;
  budget: BodyBudget;
  handle(input: ReceiverInput): Promise<ReceiverAnswer>;
  logger: Logger;
  tunnelUrl(): string | null;
  /** Rejected requests per source: a doomed request from a source over it is answered 429 unread. */
  limiter?: RateLimiter;
  /** Counts requests refused without being kept. */
  rejected?: RejectedLog;
  onRejected?: (item: RejectedItem | null) => void;
  /** Told whether the disk is full (storing failed for lack of space) or no longer (one was stored). */
  onDiskFull?: (full: boolean) => void;
  /** Once its headers are in, a body has this long plus its size at BODY_MIN_RATE to arrive (ms). */
  bodyGraceMs: number;
  /** Large uploads: how long one holds the turn, waits at most, how many wait (upload-turns.ts). */
  uploadTurns?: TurnOptions;
}

type Base = Omit<ReceiverInput, 'body'> & { source: string };

/**
 * What the readers do once they know (built once per receiver, so a request allocates no callbacks of its
 * own): refuse for size, cut off (503), refuse as too slow (408), or hand over the whole request.
 */
interface Outcomes {
  tooLarge(x: Exchange, size: number): void;
  cut(x: Exchange): void;
  late(x: Exchange): void;
  whole(x: Exchange, input: ReceiverInput): void;
}

/** One request on the path: what it holds in memory, its body's deadline, whether it was answered. */
interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  base: Base;
  answered: boolean;
  holder: Holder | null;
  deadline: ReturnType<typeof setTimeout> | null;
}

/** The request as the decision reads it: path and query apart, header names lower-cased, the caller's address. */
function requestOf(req: IncomingMessage, tunnelOnline: boolean): Base {
  const url = req.url ?? '/';
  const qi = url.indexOf('?');
  const headers: [string, string][] = [];
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) headers.push([raw[i].toLowerCase(), raw[i + 1]]);
  return {
    method: req.method ?? 'GET', path: qi >= 0 ? url.slice(0, qi) : url, query: qi >= 0 ? url.slice(qi + 1) : '', headers,
    origin: 'network', source: sourceAddress(req.socket.remoteAddress, header(headers, 'x-forwarded-for'), tunnelOnline),
  };
}

/** The whole request: its base and body, fields named (every accepted webhook; no spread copy). */
function withBody(b: Base, body: Buffer): ReceiverInput {
  return { method: b.method, path: b.path, query: b.query, headers: b.headers, origin: b.origin, source: b.source, body };
}

/** Frees what the request held (its deadline, its bytes in the budgets). */
function release(budget: BodyBudget, x: Exchange): void {
  if (x.deadline) { clearTimeout(x.deadline); x.deadline = null; }
  if (x.holder) { budget.release(x.holder); x.holder = null; }
}

/** The body's deadline (BODY_MIN_RATE): the grace, plus the time its size takes at the minimum rate. */
function watchDeadline(x: Exchange, declared: number, graceMs: number, on: Outcomes): void {
  const started = Date.now();
  let seen = 0;
  x.req.on('data', (c: Buffer) => { seen += c.length; });
  const check = () => {
    x.deadline = null;
    if (x.answered || x.req.complete) return;
    const allowed = graceMs + (Math.max(Number.isFinite(declared) ? declared : 0, seen) / BODY_MIN_RATE) * 1000;
    const left = started + allowed - Date.now();
    if (left > 0) { x.deadline = setTimeout(check, left); return; }
    on.late(x);
  };
  x.deadline = setTimeout(check, graceMs + (Number.isFinite(declared) ? (declared / BODY_MIN_RATE) * 1000 : 0));
  x.res.on('close', () => { if (x.deadline) { clearTimeout(x.deadline); x.deadline = null; } });
}

/** A body the headers doomed: never held — a prefix kept for the diagnosis, the rest hashed and counted as it passes. */
function readRefused(x: Exchange, limit: number, on: Outcomes): void {
  const hash = createHash('sha256');
  const prefix: Buffer[] = [];
  let kept = 0;
  let size = 0;
  x.req.on('data', (c: Buffer) => {
    if (x.answered) return;
    size += c.length;
    if (size > limit) return on.tooLarge(x, size);
    hash.update(c);
    if (kept < REJECTED_BODY_KEEP) { const part = c.subarray(0, REJECTED_BODY_KEEP - kept); prefix.push(Buffer.from(part)); kept += part.length; }
  });
  x.req.on('end', () => {
    if (x.answered) return;
    on.whole(x, { ...x.base, body: Buffer.concat(prefix, kept), bodySize: size, bodySha256: hash.digest('hex') });
  });
}

/** The first `n` bytes of the chunks, copied into one buffer. */
function prefixOf(chunks: Buffer[], n: number): Buffer {
  const parts: Buffer[] = [];
  let k = 0;
  for (const c of chunks) {
    if (k >= n) break;
    const part = c.subarray(0, n - k);
    parts.push(part);
    k += part.length;
  }
  return Buffer.concat(parts, k);
}

const NO_BYTES = Buffer.alloc(0);

/** A Meta body's HMACs under the secrets configured when it began to arrive, fed chunk by chunk. */
interface Hashing { secrets: string[]; hashers: Hmac[] }

/**
 * A body that may be accepted: held whole, its bytes counted in the budgets (body-budget.ts). Memory for
 * bodies is shared: past a budget the longest-stalled uploads make room, so a webhook arriving whole is
 * never the one refused because others stall.
 *
 * A signed Meta body that spans more than one chunk is HMACed as it arrives (a provider's usual webhook comes
 * in one chunk and decide() hashes it as before): the hashing is spread over the reads instead of one pass
 * over the joined body at its end, and a body whose signature fails is never joined — decide() refuses it
 * from the digests, the rejected log gets the prefix it keeps anyway and hashes the rest only if it keeps the
 * row (docs/architecture.md "One webhook, from socket to screen", step 1).
 */
function readHeld(x: Exchange, budget: BodyBudget, limit: number, trust: TrustConfig, on: Outcomes): void {
  const chunks: Buffer[] = [];
  let size = 0;
  const metaPost = x.base.path === '/meta' && x.base.method === 'POST';
  let hashing: Hashing | null = null;
  x.req.on('data', (c: Buffer) => {
    if (x.answered) return;
    size += c.length;
    if (size > limit) { chunks.length = 0; release(budget, x); return on.tooLarge(x, size); }
    if (!x.holder) {
      const signed = header(x.base.headers, x.base.path === '/meta' ? 'x-hub-signature-256' : 'x-twilio-signature') != null;
      x.holder = { source: x.base.source, signed, held: 0, cut: () => { chunks.length = 0; on.cut(x); } };
      budget.hold(x.holder);
    }
    chunks.push(c);
    if (!budget.take(x.holder, c.length)) { chunks.length = 0; return on.cut(x); }
    if (metaPost && chunks.length === 2) {
      const secrets = trust.metaSecrets();
      if (secrets.length > 0) { hashing = { secrets, hashers: metaHashers(secrets) }; for (const h of hashing.hashers) h.update(chunks[0]); }
    }
    if (hashing) for (const h of hashing.hashers) h.update(c);
  });
  x.req.on('end', () => {
    if (x.answered) return;
    // Whole now: no longer an upload that could be stalling (its bytes count until it is answered).
    if (x.holder) budget.settle(x.holder);
    if (!hashing) return on.whole(x, withBody(x.base, chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size)));
    const metaDigests = { secrets: hashing.secrets, digests: hashing.hashers.map((h) => h.digest()) };
    const refused = sameList(metaDigests.secrets, trust.metaSecrets())
      && verifyMeta(NO_BYTES, header(x.base.headers, 'x-hub-signature-256'), metaDigests.secrets, metaDigests.digests).verdict !== 'valid';
    const input = withBody(x.base, refused ? prefixOf(chunks, REJECTED_BODY_KEEP) : Buffer.concat(chunks, size));
    input.metaDigests = metaDigests;
    if (refused) { input.bodySize = size; input.bodyChunks = chunks; }
    on.whole(x, input);
  });
}

/** The receiver's request handler (createServer's listener). */
export function createRequestPath(deps: RequestPathDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const { budget, logger, trust } = deps;
  /** Storing failed for lack of disk space, and nothing was stored since (onDiskFull). */
  let diskFull = false;

  /** Writes the answer once `p` settles. */
  function send(x: Exchange, p: Promise<ReceiverAnswer>, close = false): void {
    x.answered = true;
    const { res } = x;
    const path = x.base.path;
    p.then((a) => {
      if (a.accepted && diskFull) { diskFull = false; deps.onDiskFull?.(false); }
      // nosniff: the handshake echoes hub.challenge, which the caller chooses.
      res.writeHead(a.status, { 'content-type': a.contentType, 'x-content-type-options': 'nosniff', ...(close ? { connection: 'close' } : {}) });
      res.end(a.body);
    }).catch((err) => {
      // Nothing was acknowledged: 503 + Retry-After asks the provider to retry later (a 500 would say the
      // request itself is bad). The shared database away (team mode), a full disk (said in the UI and
      // the doctor, and over by itself once a retry is stored), or any other failure to store.
      const away = (err as { code?: string }).code === 'DB_UNREACHABLE';
      const full = !away && isDiskFull(err);
      if (away) logger.warn('database unreachable: answered 503, the provider will retry', { path });
      else if (full) { if (!diskFull) logger.error('disk full: webhooks are answered 503 until there is room, the providers will retry', { path }); }
      else logger.error('receiver failed to store a request', { err: String(err), path });
      if (full && !diskFull) { diskFull = true; deps.onDiskFull?.(true); }
      if (!res.headersSent) res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', connection: 'close', 'retry-after': full ? '30' : '5' });
      res.end(plain(503));
    });
  }

  /** Answers now without reading (more of) the body, and closes the connection after the answer. */
  function cutOff(x: Exchange, status: number, count = true): void {
    x.answered = true;
    x.req.pause();
    release(budget, x);
    if (count) { deps.rejected?.countNotStored(); deps.onRejected?.(null); }
    x.res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff', connection: 'close', ...(status === 503 ? { 'retry-after': '5' } : {}) });
    x.res.end(plain(status));
    x.res.on('finish', () => x.req.destroy());
  }

  /** Refuses for its size (413) without reading the rest; the connection closes after the answer. */
  function tooLarge(x: Exchange, size: number): void {
    x.req.pause();
    send(x, deps.handle({ ...x.base, body: Buffer.alloc(0), tooLarge: size }), true);
    x.res.on('finish', () => x.req.destroy());
  }

  const on: Outcomes = {
    tooLarge,
    cut: (x) => cutOff(x, 503, false),
    late: (x) => { logger.debug('upload too slow: cut off', { path: x.base.path }); cutOff(x, 408); },
    whole: (x, input) => send(x, deps.handle(input)),
  };

  const turns = createUploadTurns(deps.uploadTurns);

  /** Reads the body within its deadline: hashed as it passes (doomed by its headers) or held. */
  function readBody(x: Exchange, declared: number, doomed: boolean, limit: number): void {
    if (!x.req.complete) watchDeadline(x, declared, deps.bodyGraceMs, on);
    if (doomed) readRefused(x, limit, on);
    else readHeld(x, budget, limit, trust, on);
  }

  return function onRequest(req, res) {
    const tunnelOnline = deps.tunnelUrl() != null;
    const base = requestOf(req, tunnelOnline);
    const x: Exchange = { req, res, base, answered: false, holder: null, deadline: null };
    res.on('close', () => release(budget, x));
    const limit = trust.bodyLimitBytes();
    const doomed = refusedByHeaders(base.method, base.path, base.headers, trust);
    // A caller over its rejected-request limit whose request cannot be accepted: 429, body never read.
    const over = deps.limiter?.isOver(base.source) ?? false;
    if (doomed && over) return cutOff(x, 429);

    const declared = Number(req.headers['content-length'] ?? NaN);
    const small = Number.isFinite(declared) && declared <= SMALL_BODY;
    // A caller over that limit announcing more than a webhook's usual size, with a signature only its body
    // could disprove: answered 503 unread, so a flood of large forgeries costs neither the bytes nor the
    // HMAC. Only through our tunnel, where a source is the caller's own address (gate.ts sourceAddress):
    // without it every caller through one proxy or tunnel of the user's is one loopback source, and a
    // stranger's junk would hold a provider's large webhooks out. A request announcing no length (the
    // handshake's GET, a chunked upload) is read as before.
    if (over && tunnelOnline && Number.isFinite(declared) && declared > SMALL_BODY) return cutOff(x, 503);
    // While its source (or everyone) is over the budget for bodies in flight, an upload announcing more
    // than a webhook's usual size is refused before its body is read: 503, the provider retries. Small
    // ones are read and make room (body-budget.ts), so a genuine webhook still gets in.
    if (!doomed && !small && budget.full(base.source)) return cutOff(x, 503, false);
    // Refuse without reading the body.
    if (Number.isFinite(declared) && declared > limit) return tooLarge(x, declared);
    req.on('error', (err) => logger.debug('request stream error', { err: String(err) }));
    // Large uploads are read in turns (upload-turns.ts), the body's deadline starting with its turn;
    // meanwhile nothing more than the stream's own buffer is read. The handshake's GET has no body to wait for.
    if (!doomed && !small && base.method === 'POST') res.on('close', turns.enter(() => readBody(x, declared, doomed, limit)));
    else readBody(x, declared, doomed, limit);
  };
}
