// One HTTP exchange with exact bytes and headers (docs/api.md "Trust boundary"): what the forwarder, the
// replay, the simulator and rules' http actions all send with. It never throws: every failure is an answer
// in words (refused, timed out, broken off, a header Node will not send).
//
// Decisions:
//  - node:http(s) rather than fetch: fetch refuses some header names and does not keep the original order
//    or casing of repeated headers.
//  - Hop-by-hop headers are the client's own: `content-length` and `host` are computed for the target.
//  - durationMs runs from the start of the request to the end of the answer (or to the 2 KB excerpt,
//    after which the rest is discarded), which is what a provider waiting for the 200 would feel.
//  - Redirects are not followed, so a target cannot bounce a request elsewhere.
import { request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';

export const EXCERPT_BYTES = 2048;

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
