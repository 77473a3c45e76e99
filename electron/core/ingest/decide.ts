// The receiver's trust decision as a pure function of the request and the configuration: no I/O, no
// clock, no state. The receiver (receiver.ts) reads the body, calls decide(), and does what the verdict
// says — stores an accepted request, keeps a refused one in the rejected log, answers. Re-verification
// (reverify.ts) calls the same function with the secrets configured now. Accepted = routed, right method,
// well-formed, and the signature `valid` — or `unchecked` because no secret is set for that provider and
// the user chose to accept its unsigned webhooks (or it came from inside the core). Everything else is
// refused and never normalised into the user's data (docs/api.md "Trust boundary").
import { STATUS_CODES } from 'node:http';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { NormalisedEvent, Provider, SignatureVerdict, StoredRequest } from '../../../shared/types';
import { redactVerifyToken } from '../../../shared/redact';
import { parseForm } from '../../../shared/form';
import { eventsOf, handshakeEvent } from './derive-events';
import { verifyMeta, verifyTwilio } from './signature';
import type { RejectedRow } from '../store/rejected-log';
import { REJECTED_BODY_KEEP } from '../store/schema';

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
  /**
   * The whole body's chunks when `body` holds only a prefix because its signature already failed as it
   * arrived (request-path.ts): hashed for the rejected log only if the row is kept (rejectedRow).
   */
  bodyChunks?: Buffer[];
  /**
   * The HMAC-SHA256 of the whole raw body under each of `secrets`, computed as it arrived (request-path.ts).
   * Read only for network requests (no local caller can hand one in) and while the secrets are the same.
   */
  metaDigests?: { secrets: string[]; digests: Buffer[] };
}

type Sig = { verdict: SignatureVerdict; diagnosis: string | null };

/** What the receiver makes of a request before anything is stored: accepted (with its events) or rejected. */
export type Decision =
  | { accepted: true; status: number; answer: string; contentType: string; provider: Provider; sig: Sig; events: NormalisedEvent[]; error: string | null }
  | { accepted: false; status: number; provider: Provider | null; sig: Sig; diagnosis: string };

export type Refusal = Extract<Decision, { accepted: false }>;

/**
 * What the decision reads of the configuration, at the moment it decides (a secret pasted in Setup counts
 * for the next request). The receiver builds one over its settings once; tests pass plain values.
 */
export interface TrustConfig {
  metaSecrets(): string[];
  twilioTokens(): string[];
  /** The user's "accept unsigned webhooks" switch (or the run's flag) for a provider without a secret. */
  acceptsUnsigned(p: Provider): boolean;
  verifyToken(): string | null;
  bodyLimitBytes(): number;
  /** The public URL the provider calls (settings, flag or tunnel); null when none is known. */
  publicUrl(): string | null;
  /** The receiver's own URL once it listens (`http://127.0.0.1:port`); null before. */
  ownUrl(): string | null;
}

const UNCHECKED: Sig = { verdict: 'unchecked', diagnosis: null };
const TEXT = 'text/plain; charset=utf-8';
// An empty TwiML answer: Twilio sends nothing back to the customer.
const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';

export function header(headers: [string, string][], name: string): string | undefined {
  for (const [k, v] of headers) if (k === name) return v;
  return undefined;
}

/** Constant-time string equality that does not leak the length either. */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

/**
 * Refusals say only the standard reason phrase: the diagnosis is in the rejected log for the user, and a
 * stranger scanning the port learns neither the app's name nor its routes.
 */
export function plain(status: number): string {
  return `${STATUS_CODES[status] ?? 'Error'}\n`;
}

function refuse(status: number, provider: Provider | null, diagnosis: string, sig: Sig = UNCHECKED): Refusal {
  return { accepted: false, status, provider, sig, diagnosis };
}

/** The request's verdict with the configuration as it is now (docs/api.md "Trust boundary"). */
export function decide(input: ReceiverInput, trust: TrustConfig): Decision {
  const d = decideWhole(input, trust);
  if (d.accepted && input.bodySize != null && input.bodySize !== input.body.length) {
    // Only a prefix was read (the headers said it would be refused, then the secrets changed meanwhile).
    return refuse(400, d.provider, 'Refused before the whole body was read.', d.sig);
  }
  return d;
}

function decideWhole(input: ReceiverInput, trust: TrustConfig): Decision {
  const route: Provider | null = input.path === '/meta' ? 'meta' : input.path === '/twilio' ? 'twilio' : null;
  if (!route) return refuse(404, null, `No such route ${input.method} ${input.path}: the provider should call /meta (Meta) or /twilio (Twilio).`);
  if (input.tooLarge != null) {
    return refuse(413, route, `Body of ${input.tooLarge} bytes is over the ${trust.bodyLimitBytes()}-byte limit.`);
  }
  if (route === 'meta' && input.method === 'GET') return handshake(input.query, trust);
  if (input.method !== 'POST') return refuse(405, route, `${input.method} is not allowed on ${input.path}.`);

  const closed = notSetUp(route, input.origin, trust);
  if (closed) return refuse(403, route, closed);

  let sig: Sig;
  let params: [string, string][] | null = null;
  if (route === 'meta') {
    const secrets = trust.metaSecrets();
    const pre = input.origin === 'network' && input.metaDigests && sameList(input.metaDigests.secrets, secrets) ? input.metaDigests.digests : undefined;
    sig = verifyMeta(input.body, header(input.headers, 'x-hub-signature-256'), secrets, pre);
    if (secrets.length > 0 && sig.verdict !== 'valid') return refuse(401, route, sig.diagnosis ?? `Signature ${sig.verdict}.`, sig);
  } else {
    // Twilio: form-encoded inbound messages and status callbacks; JSON bodies use bodySHA256.
    const tokens = trust.twilioTokens();
    const isJson = /json/i.test(header(input.headers, 'content-type') ?? '');
    params = isJson ? null : parseForm(input.body.toString('utf8'));
    sig = verifyTwilio({ header: header(input.headers, 'x-twilio-signature'), tokens, urls: twilioUrls(input, trust), params, rawBody: input.body });
    if (tokens.length > 0 && sig.verdict !== 'valid') return refuse(401, route, sig.diagnosis ?? `Signature ${sig.verdict}.`, sig);
  }
  let events: NormalisedEvent[];
  try {
    // The fields eventsOf reads, named: a spread copy of the whole input cost more than the rest of this line.
    events = eventsOf({ method: input.method, path: input.path, query: input.query, headers: input.headers, body: input.body, provider: route }, params);
  } catch (err) {
    return refuse(400, route, `Malformed JSON: ${(err as Error).message}`, sig);
  }
  return route === 'meta'
    ? { accepted: true, status: 200, answer: 'OK\n', contentType: TEXT, provider: route, sig, events, error: null }
    : { accepted: true, status: 200, answer: EMPTY_TWIML, contentType: 'text/xml; charset=utf-8', provider: route, sig, events, error: null };
}

/** Same strings in the same order. */
export function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The URLs Twilio may have signed for this request, the most trusted first. */
export function twilioUrls(input: ReceiverInput, trust: TrustConfig): string[] {
  const suffix = input.path + (input.query ? `?${input.query}` : '');
  const urls: string[] = [];
  const pub = trust.publicUrl();
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
  const own = trust.ownUrl();
  if (own) urls.push(`${own}${suffix}`);
  return [...new Set(urls)];
}

/**
 * A provider without a secret is closed (docs/api.md "Trust boundary"): its webhooks are refused unless
 * the user turned on "accept unsigned webhooks" for it. Local origins (the simulator, replay, import)
 * are the user's own doing inside the core — no network request can carry them — so they pass as
 * `unchecked` and Setup's Simulate works on a fresh install. Returns why it is closed, or null.
 */
export function notSetUp(route: Provider, origin: ReceiverInput['origin'], trust: TrustConfig): string | null {
  if (origin !== 'network') return null;
  if (route === 'meta') {
    if (trust.metaSecrets().length > 0 || trust.acceptsUnsigned('meta')) return null;
    return 'Meta is not set up in Hookscope: no Meta app secret is configured, so webhooks on /meta are refused. Paste the app secret (App Dashboard → App settings → Basic) in Setup or set META_APP_SECRET; for a quick trial, turn on "Accept unsigned webhooks" for Meta (Settings, or --accept-unsigned meta).';
  }
  if (trust.twilioTokens().length > 0 || trust.acceptsUnsigned('twilio')) return null;
  return 'Twilio is not set up in Hookscope: no Twilio auth token is configured, so webhooks on /twilio are refused. Paste the auth token (Twilio Console → Account info) in Setup or set TWILIO_AUTH_TOKEN; for a quick trial, turn on "Accept unsigned webhooks" for Twilio (Settings, or --accept-unsigned twilio).';
}

/** Meta's subscription handshake (GET /meta): the challenge echoed when mode and verify token are right. */
export function handshake(query: string, trust: TrustConfig): Decision {
  const q = new URLSearchParams(query);
  // PHP-style frameworks rename hub.mode to hub_mode; accept both spellings (docs/api.md, the receiver's routes).
  const get = (k: string) => q.get(`hub.${k}`) ?? q.get(`hub_${k}`);
  const mode = get('mode');
  const token = get('verify_token');
  const challenge = get('challenge') ?? '';
  const expected = trust.verifyToken();
  let why: string | null = null;
  if (!expected) why = 'No verify token is configured in Hookscope: set META_VERIFY_TOKEN or paste one in Setup.';
  else if (mode !== 'subscribe') why = `hub.mode is ${mode == null ? 'missing' : `"${mode}"`}, expected "subscribe".`;
  else if (token == null) why = 'hub.verify_token is missing.';
  else if (!safeEqual(token, expected)) why = 'The verify token sent does not match the one configured in Hookscope.';
  if (why) return refuse(403, 'meta', why);
  return { accepted: true, status: 200, answer: challenge, contentType: TEXT, provider: 'meta', sig: UNCHECKED, error: null, events: [handshakeEvent(query)] };
}

/**
 * True when the headers alone already say a network request will be refused: its body need not be held
 * (the receiver hashes it as it passes and keeps a prefix for the rejected log).
 */
export function refusedByHeaders(method: string, path: string, headers: [string, string][], trust: TrustConfig): boolean {
  if (path === '/meta') {
    if (method === 'GET') return false;
    if (method !== 'POST') return true;
    if (notSetUp('meta', 'network', trust)) return true;
    return trust.metaSecrets().length > 0 && !header(headers, 'x-hub-signature-256');
  }
  if (path === '/twilio') {
    if (method !== 'POST') return true;
    if (notSetUp('twilio', 'network', trust)) return true;
    return trust.twilioTokens().length > 0 && !header(headers, 'x-twilio-signature');
  }
  return true;
}

/** What a local caller (replay, simulator, import) is told about a refusal; never sent over the network. */
export function refusalDiagnosis(d: Refusal, rateLimited: boolean): string {
  if (rateLimited) return 'Too many rejected requests from this source.';
  return d.status === 401 ? `Signature ${d.sig.verdict}: ${d.diagnosis}` : d.diagnosis;
}

/** SHA-256 (hex) of the chunks in order, without joining them. */
function sha256Of(chunks: Buffer[]): string {
  const h = createHash('sha256');
  for (const c of chunks) h.update(c);
  return h.digest('hex');
}

/**
 * The rejected log's row for a refusal: the query with its verify token redacted, the body's first
 * REJECTED_BODY_KEEP bytes (none when it was refused for its size before any was read), its whole size and
 * hash, and the caller's address (`source`: null for local origins).
 */
export function rejectedRow(input: ReceiverInput, d: Refusal, source: string | null, receivedAt: number): RejectedRow {
  const kept = input.body.length > REJECTED_BODY_KEEP ? input.body.subarray(0, REJECTED_BODY_KEEP) : input.body;
  return {
    receivedAt, method: input.method, path: input.path, query: redactVerifyToken(input.query), headers: input.headers,
    body: input.tooLarge != null && input.body.length === 0 ? null : Buffer.from(kept),
    bodySize: input.bodySize ?? (input.tooLarge ?? input.body.length),
    bodySha256: input.bodySha256 ?? (input.tooLarge != null ? null : sha256Of(input.bodyChunks ?? [input.body])),
    provider: d.provider, httpStatus: d.status, signature: d.sig.verdict, diagnosis: d.diagnosis, source, origin: input.origin,
  };
}
