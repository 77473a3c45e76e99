// The signed-webhook receiver (SPEC §2): the port the tunnel exposes. Every request that reaches it is
// stored — headers and exact body bytes — before it is answered, and a 200 means the group-committed
// transaction holding it is on disk. Bad input gets a clear answer and is stored too; nothing here
// may throw past the request handler (a 500 makes Meta retry for days).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { AddressInfo, Socket } from 'node:net';
import type { NormalisedEvent, Provider, ReceiverInfo, SignatureVerdict, StoredRequest } from '../../../shared/types';
import { HookscopeError } from '../../../shared/errors';
import { normaliseMeta, normaliseTwilio, normaliseTwilioJson } from '../../../shared/normalise';
import { parseForm } from '../../../shared/form';
import { verifyMeta, verifyTwilio } from './signature';
import type { IngestRecord, IngestResult } from '../store/store';
import type { Writer } from './writer';
import type { Settings } from '../setup/settings';
import type { Clock, Logger } from '../types';

export interface ReceiverInput {
  method: string;
  path: string;
  query: string;
  headers: [string, string][];
  body: Buffer;
  origin: StoredRequest['origin'];
  /** Set when the body was refused before being read whole. */
  tooLarge?: number;
}

export interface ReceiverAnswer {
  status: number;
  contentType: string;
  body: string;
  requestId: number | null;
  result: IngestResult | null;
}

export interface Receiver {
  start(): Promise<ReceiverInfo>;
  /** Stop accepting; resolve when every accepted request has been answered. */
  stop(): Promise<void>;
  info(): ReceiverInfo | null;
  /** Runs a request through the same path as the network (replay, simulator, import). */
  handle(input: ReceiverInput): Promise<ReceiverAnswer>;
}

export interface ReceiverDeps {
  host: string;
  port: number;
  settings: Settings;
  writer: Writer;
  clock: Clock;
  logger: Logger;
  tunnelUrl: () => string | null;
  /** Called after a request is committed, with its original bytes (forwarding, rules, pushes). */
  onStored?: (input: ReceiverInput, result: IngestResult) => void;
}

export function blankEvent(over: Partial<NormalisedEvent>): NormalisedEvent {
  return {
    provider: null, kind: 'unknown', status: null, providerStatus: null, messageId: null, contactId: null,
    contactName: null, businessId: null, messageType: null, text: null, replyTo: null, errorCode: null,
    errorTitle: null, errorDetail: null, timestamp: null, raw: null, ...over,
  };
}

function header(headers: [string, string][], name: string): string | undefined {
  for (const [k, v] of headers) if (k === name) return v;
  return undefined;
}

/** Constant-time string equality that does not leak the length either. */
function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

export function createReceiver(deps: ReceiverDeps): Receiver {
  const { settings, writer, clock, logger } = deps;
  let server: Server | null = null;
  let info: ReceiverInfo | null = null;
  const sockets = new Set<Socket>();
  let inFlight = 0;
  let drained: (() => void) | null = null;

  async function commit(input: ReceiverInput, provider: Provider | null, status: number, sig: { verdict: SignatureVerdict; diagnosis: string | null },
    events: NormalisedEvent[], error: string | null): Promise<IngestResult> {
    const record: IngestRecord = {
      request: {
        receivedAt: clock(), method: input.method, path: input.path, query: input.query, headers: input.headers,
        body: input.tooLarge != null ? null : input.body, provider, responseStatus: status, signature: sig.verdict,
        signatureDiagnosis: sig.diagnosis, error, origin: input.origin,
      },
      events,
    };
    const result = await writer.submit(record);
    try { deps.onStored?.(input, result); } catch (err) { logger.error('after-store hook failed', { err: String(err) }); }
    return result;
  }

  const UNCHECKED = { verdict: 'unchecked' as const, diagnosis: null };

  function twilioUrls(input: ReceiverInput): string[] {
    const suffix = input.path + (input.query ? `?${input.query}` : '');
    const urls: string[] = [];
    const pub = settings.publicUrl(deps.tunnelUrl());
    if (pub) {
      urls.push(pub.replace(/\/+$/, '') + suffix);
    } else {
      // No public URL known (the user's own proxy or tunnel): the forwarded headers say what the provider
      // called. They are the caller's words, so they are only tried when nothing better is known — else a
      // request genuinely signed for another endpoint sharing the token could be replayed here as valid.
      const fHost = header(input.headers, 'x-forwarded-host');
      if (fHost) urls.push(`${header(input.headers, 'x-forwarded-proto') ?? 'https'}://${fHost}${suffix}`);
      const host = header(input.headers, 'host');
      if (host) urls.push(`http://${host}${suffix}`);
    }
    if (info) urls.push(`${info.url}${suffix}`);
    return [...new Set(urls)];
  }

  async function handle(input: ReceiverInput): Promise<ReceiverAnswer> {
    const text = (status: number, body: string, result: IngestResult | null, contentType = 'text/plain; charset=utf-8'): ReceiverAnswer =>
      ({ status, body, contentType, requestId: result?.requestId ?? null, result });
    const route = input.path === '/meta' ? 'meta' : input.path === '/twilio' ? 'twilio' : null;
    const provider: Provider | null = route;

    if (!route) {
      const r = await commit(input, null, 404, UNCHECKED, [blankEvent({
        kind: 'unrouted', text: `${input.method} ${input.path}`,
        errorDetail: 'No such route: the provider should call /meta (Meta) or /twilio (Twilio).',
      })], null);
      return text(404, 'Not found: Hookscope listens on /meta and /twilio\n', r);
    }

    if (input.tooLarge != null) {
      const limit = settings.plain().bodyLimitBytes;
      const msg = `Body of ${input.tooLarge} bytes is over the ${limit}-byte limit`;
      const r = await commit(input, provider, 413, UNCHECKED, [blankEvent({ provider, kind: 'invalid', text: msg, errorDetail: msg })], msg);
      return text(413, `${msg}\n`, r);
    }

    if (route === 'meta' && input.method === 'GET') return handshake(input);

    if (input.method !== 'POST') {
      const msg = `${input.method} is not allowed on ${input.path}`;
      const r = await commit(input, provider, 405, UNCHECKED, [blankEvent({ provider, kind: 'invalid', text: msg, errorDetail: msg })], msg);
      return text(405, `${msg}\n`, r);
    }

    if (route === 'meta') {
      const secrets = settings.metaSecrets();
      const sig = verifyMeta(input.body, header(input.headers, 'x-hub-signature-256'), secrets);
      const refused = secrets.length > 0 && (sig.verdict === 'invalid' || sig.verdict === 'missing');
      let events: NormalisedEvent[];
      let error: string | null = null;
      let status = refused ? 401 : 200;
      try {
        events = normaliseMeta(JSON.parse(input.body.toString('utf8')));
      } catch (err) {
        error = `Malformed JSON: ${(err as Error).message}`;
        events = [blankEvent({ provider, kind: 'invalid', text: error, errorDetail: error })];
        if (!refused) status = 400;
      }
      if (refused && !error) error = sig.diagnosis;
      const r = await commit(input, provider, status, sig, events, error);
      if (status === 401) return text(401, `Signature ${sig.verdict}: ${sig.diagnosis ?? ''}\n`, r);
      if (status === 400) return text(400, `${error}\n`, r);
      return text(200, 'OK\n', r);
    }

    // Twilio: form-encoded inbound messages and status callbacks; JSON bodies use bodySHA256.
    const tokens = settings.twilioTokens();
    const contentType = header(input.headers, 'content-type') ?? '';
    const isJson = /json/i.test(contentType);
    const params = isJson ? null : parseForm(input.body.toString('utf8'));
    const sig = verifyTwilio({ header: header(input.headers, 'x-twilio-signature'), tokens, urls: twilioUrls(input), params, rawBody: input.body });
    const refused = tokens.length > 0 && (sig.verdict === 'invalid' || sig.verdict === 'missing');
    let events: NormalisedEvent[];
    let error: string | null = refused ? sig.diagnosis : null;
    let status = refused ? 401 : 200;
    if (params) {
      events = normaliseTwilio(params);
    } else {
      try {
        events = normaliseTwilioJson(JSON.parse(input.body.toString('utf8')));
      } catch (err) {
        error = `Malformed JSON: ${(err as Error).message}`;
        events = [blankEvent({ provider, kind: 'invalid', text: error, errorDetail: error })];
        if (!refused) status = 400;
      }
    }
    const r = await commit(input, provider, status, sig, events, error);
    if (status === 401) return text(401, `Signature ${sig.verdict}: ${sig.diagnosis ?? ''}\n`, r);
    if (status === 400) return text(400, `${error}\n`, r);
    // An empty TwiML answer: Twilio sends nothing back to the customer.
    return text(200, '<?xml version="1.0" encoding="UTF-8"?><Response></Response>', r, 'text/xml; charset=utf-8');
  }

  async function handshake(input: ReceiverInput): Promise<ReceiverAnswer> {
    const q = new URLSearchParams(input.query);
    // PHP-style frameworks rename hub.mode to hub_mode; accept both spellings (docs §1.1).
    const get = (k: string) => q.get(`hub.${k}`) ?? q.get(`hub_${k}`);
    const mode = get('mode');
    const token = get('verify_token');
    const challenge = get('challenge') ?? '';
    const expected = settings.verifyToken();
    let ok = false;
    let why: string;
    if (!expected) why = 'No verify token is configured in Hookscope: set META_VERIFY_TOKEN or paste one in Setup.';
    else if (mode !== 'subscribe') why = `hub.mode is ${mode == null ? 'missing' : `"${mode}"`}, expected "subscribe".`;
    else if (token == null) why = 'hub.verify_token is missing.';
    else if (!safeEqual(token, expected)) why = 'The verify token Meta sent does not match the one configured in Hookscope.';
    else { ok = true; why = 'Handshake accepted: Meta can now deliver webhooks here.'; }
    const r = await commit(input, 'meta', ok ? 200 : 403, UNCHECKED, [blankEvent({
      provider: 'meta', kind: 'verification', providerStatus: ok ? 'accepted' : 'refused', text: why,
      details: { mode, challenge },
    })], ok ? null : why);
    return ok
      ? { status: 200, contentType: 'text/plain; charset=utf-8', body: challenge, requestId: r.requestId, result: r }
      : { status: 403, contentType: 'text/plain; charset=utf-8', body: `${why}\n`, requestId: r.requestId, result: r };
  }

  function onRequest(req: IncomingMessage, res: ServerResponse) {
    inFlight++;
    res.on('close', () => {
      inFlight--;
      if (inFlight === 0 && drained) drained();
    });
    const url = req.url ?? '/';
    const qi = url.indexOf('?');
    const path = qi >= 0 ? url.slice(0, qi) : url;
    const query = qi >= 0 ? url.slice(qi + 1) : '';
    const headers: [string, string][] = [];
    const raw = req.rawHeaders;
    for (let i = 0; i < raw.length; i += 2) headers.push([raw[i].toLowerCase(), raw[i + 1]]);
    const limit = settings.plain().bodyLimitBytes;
    const base = { method: req.method ?? 'GET', path, query, headers, origin: 'network' as const };

    const answer = (p: Promise<ReceiverAnswer>, close = false) => {
      p.then((a) => {
        // nosniff: the handshake echoes hub.challenge, which the caller chooses.
        res.writeHead(a.status, { 'content-type': a.contentType, 'x-content-type-options': 'nosniff', ...(close ? { connection: 'close' } : {}) });
        res.end(a.body);
      }).catch((err) => {
        logger.error('receiver failed to store a request', { err: String(err), path });
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' });
        res.end('Hookscope could not store this request\n');
      });
    };

    const declared = Number(req.headers['content-length'] ?? NaN);
    if (Number.isFinite(declared) && declared > limit) {
      // Refuse without reading the body; the connection closes after the answer.
      req.pause();
      answer(handle({ ...base, body: Buffer.alloc(0), tooLarge: declared }), true);
      res.on('finish', () => req.destroy());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (c: Buffer) => {
      if (refused) return;
      size += c.length;
      if (size > limit) {
        refused = true;
        chunks.length = 0;
        req.pause();
        answer(handle({ ...base, body: Buffer.alloc(0), tooLarge: size }), true);
        res.on('finish', () => req.destroy());
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (refused) return;
      answer(handle({ ...base, body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size) }));
    });
    req.on('error', (err) => logger.debug('request stream error', { err: String(err) }));
  }

  return {
    handle,
    info: () => info,
    start() {
      return new Promise<ReceiverInfo>((resolve, reject) => {
        const s = createServer({
          // Stalled clients cannot pile up: headers within 10 s, the whole request within 30 s.
          headersTimeout: 10_000,
          requestTimeout: 30_000,
          keepAliveTimeout: 5_000,
        }, onRequest);
        s.on('connection', (sock) => { sockets.add(sock); sock.on('close', () => sockets.delete(sock)); });
        s.once('error', (err: NodeJS.ErrnoException) => {
          if (err.code === 'EADDRINUSE') reject(new HookscopeError('PORT_IN_USE', `Port ${deps.port} on ${deps.host} is already in use (receiver). Stop the other program or pick another --port.`));
          else if (err.code === 'EACCES') reject(new HookscopeError('PORT_IN_USE', `Not allowed to listen on ${deps.host}:${deps.port} (receiver).`));
          else reject(err);
        });
        s.listen(deps.port, deps.host, () => {
          const a = s.address() as AddressInfo;
          const hostForUrl = a.family === 'IPv6' ? `[${a.address}]` : a.address;
          info = { host: a.address, port: a.port, url: `http://${hostForUrl}:${a.port}` };
          server = s;
          resolve(info);
        });
      });
    },
    stop() {
      return new Promise<void>((resolve) => {
        if (!server) return resolve();
        const s = server;
        server = null;
        s.close(() => resolve());
        // Idle keep-alive sockets would hold close() open; requests in flight finish first.
        s.closeIdleConnections();
        const finish = () => { for (const sock of sockets) sock.destroy(); };
        if (inFlight === 0) finish();
        else drained = () => { writer.flush(); setTimeout(finish, 50); };
      });
    },
  };
}
