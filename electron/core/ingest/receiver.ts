// The signed-webhook receiver: the port the tunnel exposes, so everything on it is hostile until verified.
// Every request is decided first (decide()): an accepted one — routed, and signed with a configured secret
// or unchecked because none is set and the user accepts that provider's unsigned webhooks — is stored with its exact bytes before it is answered, and a 200 means
// the group-committed transaction holding it is on disk; its events are derived from that record right
// after (deriver.ts). A rejected one goes to the bounded
// rejected log (rejected-log.ts) and never becomes events (docs/api.md "Trust boundary"). Nothing here
// may throw past the request handler (a 500 makes Meta retry for days).
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { AddressInfo, Socket } from 'node:net';
import type { NormalisedEvent, Provider, ReceiverInfo, RejectedItem, SignatureVerdict, StoredRequest } from '../../../shared/types';
import { redactVerifyToken } from '../../../shared/redact';
import { HookscopeError } from '../../../shared/errors';
import { parseForm } from '../../../shared/form';
import { eventsOf, handshakeEvent } from './derive-events';
import { verifyMeta, verifyTwilio } from './signature';
import type { IngestRecord } from '../store/store';
import type { RejectedLog, RejectedRow } from '../store/rejected-log';
import { REJECTED_BODY_KEEP } from '../store/schema';
import { isDiskFull, sourceAddress, type RateLimiter } from './gate';
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
  /** The caller's address (gate.ts sourceAddress); absent for local origins. */
  source?: string;
  /** Size of the whole body when `body` holds only a prefix of it (refused before reading it all). */
  bodySize?: number;
  /** SHA-256 (hex) of the whole body when `body` holds only a prefix. */
  bodySha256?: string;
}

export interface ReceiverAnswer {
  status: number;
  contentType: string;
  body: string;
  /** The stored request, when it was accepted (its events are derived from it shortly after: deriver.ts). */
  requestId: number | null;
  /** The rejected-log row, when it was rejected and kept. */
  rejectedId?: number | null;
  /** Why it was rejected, for local callers (replay, simulator, import); never sent over the network. */
  diagnosis?: string;
  accepted: boolean;
}

/** What the receiver makes of a request before anything is stored: accepted (with its events) or rejected. */
export type Decision =
  | { accepted: true; status: number; answer: string; contentType: string; provider: Provider; sig: { verdict: SignatureVerdict; diagnosis: string | null }; events: NormalisedEvent[]; error: string | null }
  | { accepted: false; status: number; provider: Provider | null; sig: { verdict: SignatureVerdict; diagnosis: string | null }; diagnosis: string };

export interface Receiver {
  start(): Promise<ReceiverInfo>;
  /** Stop accepting; resolve when every accepted request has been answered. */
  stop(): Promise<void>;
  info(): ReceiverInfo | null;
  /** Runs a request through the same path as the network (replay, simulator, import). */
  handle(input: ReceiverInput): Promise<ReceiverAnswer>;
  /** The trust decision alone, with the secrets configured now (re-verification of the rejected log). */
  decide(input: ReceiverInput): Decision;
}

export interface ReceiverDeps {
  host: string;
  port: number;
  settings: Settings;
  writer: Writer;
  clock: Clock;
  logger: Logger;
  tunnelUrl: () => string | null;
  /** Where refused requests are kept (rejected-log.ts); without one they are answered and not kept. */
  rejected?: RejectedLog;
  /** Rejected requests per source (gate.ts); none: unlimited. */
  limiter?: RateLimiter;
  /** True while free disk is under the floor: rejected requests are then not stored. */
  diskLow?: () => boolean;
  /** Bytes of request bodies held in memory at once; beyond, the longest-stalled uploads are cut off. */
  inFlightBudget?: number;
  /** Bytes of bodies one source may hold at once; beyond, that source's own longest-stalled uploads go. */
  perSourceBudget?: number;
  /** Once its headers are in, a body has this long plus its size at BODY_MIN_RATE to arrive (ms). */
  bodyGraceMs?: number;
  /** Called after a rejected request was answered (kept or not). */
  onRejected?: (item: RejectedItem | null) => void;
  /**
   * Told whether the disk is full: true when storing an accepted request failed for lack of space
   * (answered 503 + Retry-After), false when one is stored again.
   */
  onDiskFull?: (full: boolean) => void;
}

export { blankEvent } from './derive-events';

/**
 * Providers send small bodies in one go, right after the headers. A body must arrive within
 * bodyGraceMs plus its size at this rate (bytes/s): a stalled upload is cut off (408) within seconds,
 * so holding memory costs a stranger a steady upload, not one burst.
 */
export const BODY_MIN_RATE = 64 * 1024;
export const BODY_GRACE_MS = 5_000;
/** Provider webhooks are rarely larger: under pressure, bigger uploads wait (503) rather than push others out. */
export const SMALL_BODY = 64 * 1024;

/** An upload whose body is held in memory while it arrives (the receiver's budget bookkeeping). */
interface Holder {
  source: string;
  /** Carries the provider's signature header for its route: a genuine webhook, or a good imitation. */
  signed: boolean;
  held: number;
  /** Answers it now (503 + Retry-After) and closes it, freeing what it held. */
  cut(): void;
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

/**
 * Refusals say only the standard reason phrase: the diagnosis is in the rejected log for the user, and a
 * stranger scanning the port learns neither the app's name nor its routes.
 */
function plain(status: number): string {
  return `${STATUS_CODES[status] ?? 'Error'}\n`;
}

export function createReceiver(deps: ReceiverDeps): Receiver {
  const { settings, writer, clock, logger } = deps;
  let server: Server | null = null;
  let info: ReceiverInfo | null = null;
  const sockets = new Set<Socket>();
  let inFlight = 0;
  let drained: (() => void) | null = null;
  let bodyBytesInFlight = 0;
  // Uploads holding memory, oldest first (Map keeps insertion order), and what each source holds.
  const holders = new Set<Holder>();
  const sourceBytes = new Map<string, number>();
  const perSourceBudget = () => deps.perSourceBudget ?? Math.max(16 * 1024 * 1024, 2 * settings.plain().bodyLimitBytes);
  const bodyGraceMs = deps.bodyGraceMs ?? BODY_GRACE_MS;

  /**
   * The upload to cut off to make room for `self`: the oldest one still in flight (a genuine webhook
   * arrives whole in milliseconds, so whatever has been waiting longest is stalling), preferring ones
   * without a provider's signature header — the reserve that keeps signed webhooks from being refused
   * because others stall. `sameSource`: only that source's (its own budget).
   */
  function victim(self: Holder, sameSource: boolean): Holder | null {
    let oldestSigned: Holder | null = null;
    for (const h of holders) {
      if (h === self || (sameSource && h.source !== self.source)) continue;
      if (!h.signed) return h;
      oldestSigned ??= h;
    }
    return oldestSigned;
  }

  /** After `self` took more memory: cut stalled uploads until the budgets hold again. */
  function makeRoom(self: Holder): boolean {
    while ((sourceBytes.get(self.source) ?? 0) > perSourceBudget()) {
      const v = victim(self, true);
      if (!v) break;
      v.cut();
    }
    while (bodyBytesInFlight > inFlightBudget) {
      const v = victim(self, false);
      if (!v) break;
      v.cut();
    }
    // The last guard against running out of memory: nothing else left to cut.
    return bodyBytesInFlight <= 2 * inFlightBudget;
  }
  /** Storing failed for lack of disk space, and nothing was stored since (onDiskFull). */
  let diskFull = false;
  const inFlightBudget = deps.inFlightBudget ?? 64 * 1024 * 1024;

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

  /**
   * The trust boundary. Accepted = routed, right method, well-formed, and the signature `valid` — or
   * `unchecked` because no secret is set for that provider and the user chose to accept its unsigned
   * webhooks (or it came from inside the core: notSetUp). Everything else is rejected and never
   * normalised into the user's data (docs/api.md "Trust boundary").
   */
  function decide(input: ReceiverInput): Decision {
    const route: Provider | null = input.path === '/meta' ? 'meta' : input.path === '/twilio' ? 'twilio' : null;
    const reject = (status: number, provider: Provider | null, diagnosis: string, sig: { verdict: SignatureVerdict; diagnosis: string | null } = UNCHECKED): Decision =>
      ({ accepted: false, status, provider, sig, diagnosis });
    if (!route) return reject(404, null, `No such route ${input.method} ${input.path}: the provider should call /meta (Meta) or /twilio (Twilio).`);
    if (input.tooLarge != null) {
      return reject(413, route, `Body of ${input.tooLarge} bytes is over the ${settings.plain().bodyLimitBytes}-byte limit.`);
    }
    if (route === 'meta' && input.method === 'GET') return handshake(input);
    if (input.method !== 'POST') return reject(405, route, `${input.method} is not allowed on ${input.path}.`);

    const closed = notSetUp(route, input.origin);
    if (closed) return reject(403, route, closed);

    if (route === 'meta') {
      const secrets = settings.metaSecrets();
      const sig = verifyMeta(input.body, header(input.headers, 'x-hub-signature-256'), secrets);
      if (secrets.length > 0 && sig.verdict !== 'valid') return reject(401, route, sig.diagnosis ?? `Signature ${sig.verdict}.`, sig);
      let events: NormalisedEvent[];
      try {
        events = eventsOf({ ...input, provider: route });
      } catch (err) {
        return reject(400, route, `Malformed JSON: ${(err as Error).message}`, sig);
      }
      return { accepted: true, status: 200, answer: 'OK\n', contentType: 'text/plain; charset=utf-8', provider: route, sig, events, error: null };
    }

    // Twilio: form-encoded inbound messages and status callbacks; JSON bodies use bodySHA256.
    const tokens = settings.twilioTokens();
    const contentType = header(input.headers, 'content-type') ?? '';
    const isJson = /json/i.test(contentType);
    const params = isJson ? null : parseForm(input.body.toString('utf8'));
    const sig = verifyTwilio({ header: header(input.headers, 'x-twilio-signature'), tokens, urls: twilioUrls(input), params, rawBody: input.body });
    if (tokens.length > 0 && sig.verdict !== 'valid') return reject(401, route, sig.diagnosis ?? `Signature ${sig.verdict}.`, sig);
    let events: NormalisedEvent[];
    try {
      events = eventsOf({ ...input, provider: route }, params);
    } catch (err) {
      return reject(400, route, `Malformed JSON: ${(err as Error).message}`, sig);
    }
    // An empty TwiML answer: Twilio sends nothing back to the customer.
    return { accepted: true, status: 200, answer: '<?xml version="1.0" encoding="UTF-8"?><Response></Response>', contentType: 'text/xml; charset=utf-8', provider: route, sig, events, error: null };
  }

  /**
   * A provider without a secret is closed (docs/api.md "Trust boundary"): its webhooks are refused unless
   * the user turned on "accept unsigned webhooks" for it. Local origins (the simulator, replay, import)
   * are the user's own doing inside the core — no network request can carry them — so they pass as
   * `unchecked` and Setup's Simulate works on a fresh install. Returns why it is closed, or null.
   */
  function notSetUp(route: Provider, origin: ReceiverInput['origin']): string | null {
    if (origin !== 'network') return null;
    if (route === 'meta') {
      if (settings.metaSecrets().length > 0 || settings.acceptsUnsigned('meta')) return null;
      return 'Meta is not set up in Hookscope: no Meta app secret is configured, so webhooks on /meta are refused. Paste the app secret (App Dashboard → App settings → Basic) in Setup or set META_APP_SECRET; for a quick trial, turn on "Accept unsigned webhooks" for Meta (Settings, or --accept-unsigned meta).';
    }
    if (settings.twilioTokens().length > 0 || settings.acceptsUnsigned('twilio')) return null;
    return 'Twilio is not set up in Hookscope: no Twilio auth token is configured, so webhooks on /twilio are refused. Paste the auth token (Twilio Console → Account info) in Setup or set TWILIO_AUTH_TOKEN; for a quick trial, turn on "Accept unsigned webhooks" for Twilio (Settings, or --accept-unsigned twilio).';
  }

  function handshake(input: ReceiverInput): Decision {
    const q = new URLSearchParams(input.query);
    // PHP-style frameworks rename hub.mode to hub_mode; accept both spellings (docs §1.1).
    const get = (k: string) => q.get(`hub.${k}`) ?? q.get(`hub_${k}`);
    const mode = get('mode');
    const token = get('verify_token');
    const challenge = get('challenge') ?? '';
    const expected = settings.verifyToken();
    let why: string | null = null;
    if (!expected) why = 'No verify token is configured in Hookscope: set META_VERIFY_TOKEN or paste one in Setup.';
    else if (mode !== 'subscribe') why = `hub.mode is ${mode == null ? 'missing' : `"${mode}"`}, expected "subscribe".`;
    else if (token == null) why = 'hub.verify_token is missing.';
    else if (!safeEqual(token, expected)) why = 'The verify token sent does not match the one configured in Hookscope.';
    if (why) return { accepted: false, status: 403, provider: 'meta', sig: UNCHECKED, diagnosis: why };
    return {
      accepted: true, status: 200, answer: challenge, contentType: 'text/plain; charset=utf-8', provider: 'meta', sig: UNCHECKED, error: null,
      events: [handshakeEvent(input.query)],
    };
  }

  async function handle(input: ReceiverInput): Promise<ReceiverAnswer> {
    let d = decide(input);
    if (d.accepted && input.bodySize != null && input.bodySize !== input.body.length) {
      // Only a prefix was read (the headers said it would be refused, then the secrets changed meanwhile).
      d = { accepted: false, status: 400, provider: d.provider, sig: d.sig, diagnosis: 'Refused before the whole body was read.' };
    }
    if (d.accepted) {
      const record: IngestRecord = {
        request: {
          receivedAt: clock(), method: input.method, path: input.path, query: redactVerifyToken(input.query), headers: input.headers,
          body: input.body, provider: d.provider, responseStatus: d.status, signature: d.sig.verdict,
          signatureDiagnosis: d.sig.diagnosis, error: d.error, origin: input.origin,
        },
        events: d.events,
      };
      // The 200 waits for the request row alone; its events, search entries, lifecycle and rules are
      // derived from it right after (deriver.ts), and again after a crash if they had not been.
      const t0 = performance.now();
      const { requestId } = await writer.submit(record);
      // How long the answer waited for the commit: kept with the request by the deriver (the list's ackMs).
      record.request.ackMs = Math.round((performance.now() - t0) * 10) / 10;
      return { status: d.status, body: d.answer, contentType: d.contentType, requestId, accepted: true };
    }
    return reject(input, d);
  }

  async function reject(input: ReceiverInput, d: Extract<Decision, { accepted: false }>): Promise<ReceiverAnswer> {
    const diagnosis = (status429: boolean) => status429 ? 'Too many rejected requests from this source.' : d.status === 401 ? `Signature ${d.sig.verdict}: ${d.diagnosis}` : d.diagnosis;
    const answer = (status: number, rejectedId: number | null): ReceiverAnswer =>
      ({ status, body: plain(status), contentType: 'text/plain; charset=utf-8', requestId: null, rejectedId, accepted: false, diagnosis: diagnosis(status === 429) });
    const log = deps.rejected;
    // Local origins (replay, simulator, import) are the user's own doing: kept, never rate-limited.
    const source = input.origin === 'network' ? (input.source ?? 'unknown') : null;
    if (source != null && deps.limiter && !deps.limiter.take(source)) {
      log?.countNotStored();
      deps.onRejected?.(null);
      return answer(429, null);
    }
    if (!log || deps.diskLow?.()) {
      log?.countNotStored();
      deps.onRejected?.(null);
      return answer(d.status, null);
    }
    const kept = input.body.length > REJECTED_BODY_KEEP ? input.body.subarray(0, REJECTED_BODY_KEEP) : input.body;
    const row: RejectedRow = {
      receivedAt: clock(), method: input.method, path: input.path, query: redactVerifyToken(input.query), headers: input.headers,
      body: input.tooLarge != null && input.body.length === 0 ? null : Buffer.from(kept),
      bodySize: input.bodySize ?? (input.tooLarge ?? input.body.length),
      bodySha256: input.bodySha256 ?? (input.tooLarge != null ? null : createHash('sha256').update(input.body).digest('hex')),
      provider: d.provider, httpStatus: d.status, signature: d.sig.verdict, diagnosis: d.diagnosis, source, origin: input.origin,
    };
    const id = await log.add(row);
    deps.onRejected?.(id == null ? null : {
      id, receivedAt: row.receivedAt, method: row.method, path: row.path, provider: row.provider, httpStatus: row.httpStatus,
      signature: row.signature, diagnosis: row.diagnosis, source: row.source, bytes: row.bodySize,
    });
    return answer(d.status, id);
  }

  /** True when the headers alone already say the request will be rejected: no need to hold its body. */
  function rejectedByHeaders(method: string, path: string, headers: [string, string][]): boolean {
    if (path === '/meta') {
      if (method === 'GET') return false;
      if (method !== 'POST') return true;
      if (notSetUp('meta', 'network')) return true;
      return settings.metaSecrets().length > 0 && !header(headers, 'x-hub-signature-256');
    }
    if (path === '/twilio') {
      if (method !== 'POST') return true;
      if (notSetUp('twilio', 'network')) return true;
      return settings.twilioTokens().length > 0 && !header(headers, 'x-twilio-signature');
    }
    return true;
  }

  function onRequest(req: IncomingMessage, res: ServerResponse) {
    inFlight++;
    let held = 0;
    let holder: Holder | null = null;
    let deadline: ReturnType<typeof setTimeout> | null = null;
    const release = () => {
      if (deadline) { clearTimeout(deadline); deadline = null; }
      bodyBytesInFlight -= held;
      if (holder) {
        holders.delete(holder);
        const left = (sourceBytes.get(holder.source) ?? 0) - held;
        if (left > 0) sourceBytes.set(holder.source, left); else sourceBytes.delete(holder.source);
        holder = null;
      }
      held = 0;
    };
    res.on('close', () => {
      release();
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
    const method = req.method ?? 'GET';
    const source = sourceAddress(req.socket.remoteAddress, header(headers, 'x-forwarded-for'), deps.tunnelUrl() != null);
    const base = { method, path, query, headers, origin: 'network' as const, source };

    let answered = false;
    const answer = (p: Promise<ReceiverAnswer>, close = false) => {
      answered = true;
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
    };
    /** Answers now without reading (more of) the body, and closes the connection after the answer. */
    const cutOff = (status: number, count = true) => {
      answered = true;
      req.pause();
      release();
      if (count) { deps.rejected?.countNotStored(); deps.onRejected?.(null); }
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff', connection: 'close', ...(status === 503 ? { 'retry-after': '5' } : {}) });
      res.end(plain(status));
      res.on('finish', () => req.destroy());
    };

    const doomed = rejectedByHeaders(method, path, headers);
    // A caller over its rejected-request limit whose request cannot be accepted: 429, body never read.
    if (doomed && deps.limiter?.isOver(source)) return cutOff(429);

    const declared = Number(req.headers['content-length'] ?? NaN);
    // While its source (or everyone) is over the budget for bodies in flight, an upload announcing more
    // than a webhook's usual size is refused before its body is read: 503, the provider retries. Small
    // ones are read and make room (makeRoom), so a genuine webhook still gets in.
    if (!doomed && !(Number.isFinite(declared) && declared <= SMALL_BODY)
      && ((sourceBytes.get(source) ?? 0) >= perSourceBudget() || bodyBytesInFlight >= inFlightBudget)) {
      return cutOff(503, false);
    }
    // The body's deadline (BODY_MIN_RATE): the grace, plus the time its size takes at the minimum rate.
    if (!req.complete) {
      const started = Date.now();
      let seen = 0;
      req.on('data', (c: Buffer) => { seen += c.length; });
      const check = () => {
        deadline = null;
        if (answered || req.complete) return;
        const allowed = bodyGraceMs + (Math.max(Number.isFinite(declared) ? declared : 0, seen) / BODY_MIN_RATE) * 1000;
        const left = started + allowed - Date.now();
        if (left > 0) { deadline = setTimeout(check, left); return; }
        logger.debug('upload too slow: cut off', { path });
        cutOff(408);
      };
      deadline = setTimeout(check, bodyGraceMs + (Number.isFinite(declared) ? (declared / BODY_MIN_RATE) * 1000 : 0));
      res.on('close', () => { if (deadline) { clearTimeout(deadline); deadline = null; } });
    }
    if (Number.isFinite(declared) && declared > limit) {
      // Refuse without reading the body; the connection closes after the answer.
      req.pause();
      answer(handle({ ...base, body: Buffer.alloc(0), tooLarge: declared }), true);
      res.on('finish', () => req.destroy());
      return;
    }

    if (doomed) {
      // Rejected whatever the body says: keep a prefix for diagnosis, hash and count the rest as it passes.
      const hash = createHash('sha256');
      const prefix: Buffer[] = [];
      let kept = 0;
      let size = 0;
      req.on('data', (c: Buffer) => {
        if (answered) return;
        size += c.length;
        if (size > limit) { answer(handle({ ...base, body: Buffer.alloc(0), tooLarge: size }), true); req.pause(); res.on('finish', () => req.destroy()); return; }
        hash.update(c);
        if (kept < REJECTED_BODY_KEEP) { const part = c.subarray(0, REJECTED_BODY_KEEP - kept); prefix.push(Buffer.from(part)); kept += part.length; }
      });
      req.on('end', () => {
        if (answered) return;
        answer(handle({ ...base, body: Buffer.concat(prefix, kept), bodySize: size, bodySha256: hash.digest('hex') }));
      });
      req.on('error', (err) => logger.debug('request stream error', { err: String(err) }));
      return;
    }

    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      if (answered) return;
      size += c.length;
      if (size > limit) {
        chunks.length = 0;
        release();
        req.pause();
        answer(handle({ ...base, body: Buffer.alloc(0), tooLarge: size }), true);
        res.on('finish', () => req.destroy());
        return;
      }
      if (!holder) {
        const sigHeader = path === '/meta' ? 'x-hub-signature-256' : 'x-twilio-signature';
        const h: Holder = { source, signed: header(headers, sigHeader) != null, held: 0, cut: () => { chunks.length = 0; cutOff(503, false); } };
        holder = h;
        holders.add(h);
      }
      held += c.length;
      holder.held = held;
      bodyBytesInFlight += c.length;
      sourceBytes.set(source, (sourceBytes.get(source) ?? 0) + c.length);
      chunks.push(c);
      // Memory for bodies is shared: past a budget the longest-stalled uploads make room (makeRoom), so a
      // webhook arriving whole is never the one refused because others stall.
      if ((bodyBytesInFlight > inFlightBudget || (sourceBytes.get(source) ?? 0) > perSourceBudget()) && !makeRoom(holder)) {
        chunks.length = 0;
        return cutOff(503, false);
      }
    });
    req.on('end', () => {
      if (answered) return;
      // Whole now: no longer an upload that could be stalling (its bytes count until it is answered).
      if (holder) holders.delete(holder);
      answer(handle({ ...base, body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size) }));
    });
    req.on('error', (err) => logger.debug('request stream error', { err: String(err) }));
  }

  return {
    handle,
    decide,
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
