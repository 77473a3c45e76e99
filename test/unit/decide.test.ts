// The receiver's trust decision (electron/core/ingest/decide.ts) as the pure function it is: every
// provider × set up or not × signature good, bad, missing or malformed × "accept unsigned webhooks" on or
// off; Meta's handshake; what the headers alone doom; and what the user reads in the Rejected view (the
// status, the diagnosis, the row kept). A slip here accepts a stranger's request into the user's data, or
// refuses the provider's own — the integration tests (receiver.test.ts, trust-*.test.ts) cover the socket.
import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  decide, header, notSetUp, plain, refusalDiagnosis, refusedByHeaders, rejectedRow, twilioUrls,
  type Decision, type ReceiverInput, type Refusal, type TrustConfig,
} from '../../electron/core/ingest/decide';
import { signMeta, signTwilio, twilioDigest } from '../../electron/core/ingest/signature';
import { REJECTED_BODY_KEEP } from '../../electron/core/store/schema';
import { parseForm } from '../../shared/form';
import type { Provider } from '../../shared/types';
import { fixture, SIGNED } from '../helpers/fixtures';

const SECRET = SIGNED.secret;
const TOKEN = 'twilio-test-auth-token';
const PUBLIC = 'https://hooks.example.test';
const OWN = 'http://127.0.0.1:4000';
const META_BODY = fixture(SIGNED.file);
const TWILIO_FORM = fixture('twilio/inbound-text.txt');
const TWILIO_JSON = fixture('twilio/json-body.json');

interface Config { metaSecrets?: string[]; twilioTokens?: string[]; unsigned?: Provider[]; verifyToken?: string | null; limit?: number; publicUrl?: string | null; ownUrl?: string | null }
function trust(c: Config = {}): TrustConfig {
  return {
    metaSecrets: () => c.metaSecrets ?? [],
    twilioTokens: () => c.twilioTokens ?? [],
    acceptsUnsigned: (p) => (c.unsigned ?? []).includes(p),
    verifyToken: () => (c.verifyToken === undefined ? 'verify-me' : c.verifyToken),
    bodyLimitBytes: () => c.limit ?? 1_000_000,
    publicUrl: () => (c.publicUrl === undefined ? PUBLIC : c.publicUrl),
    ownUrl: () => (c.ownUrl === undefined ? OWN : c.ownUrl),
  };
}

function input(over: Partial<ReceiverInput>): ReceiverInput {
  return { method: 'POST', path: '/meta', query: '', headers: [], body: Buffer.alloc(0), origin: 'network', ...over };
}
function meta(sig?: string, body: Buffer = META_BODY, over: Partial<ReceiverInput> = {}): ReceiverInput {
  const headers: [string, string][] = [['content-type', 'application/json']];
  if (sig !== undefined) headers.push(['x-hub-signature-256', sig]);
  return input({ body, headers, ...over });
}
function twilioForm(sig?: string, body: Buffer = TWILIO_FORM, over: Partial<ReceiverInput> = {}): ReceiverInput {
  const headers: [string, string][] = [['content-type', 'application/x-www-form-urlencoded']];
  if (sig !== undefined) headers.push(['x-twilio-signature', sig]);
  return input({ path: '/twilio', body, headers, ...over });
}
const twilioSig = (url = `${PUBLIC}/twilio`, body: Buffer = TWILIO_FORM, token = TOKEN) => signTwilio(url, parseForm(body.toString('utf8')), token);
function refused(d: Decision): Refusal {
  if (d.accepted) throw new Error(`expected a refusal, got ${d.status}`);
  return d;
}
function accepted(d: Decision): Extract<Decision, { accepted: true }> {
  if (!d.accepted) throw new Error(`expected an acceptance, got ${d.status}: ${d.diagnosis}`);
  return d;
}

describe('Meta webhooks (POST /meta)', () => {
  const setUp = trust({ metaSecrets: [SECRET] });

  it('signed with the configured app secret: accepted as valid, answered "OK", with the message as events', () => {
    const d = accepted(decide(meta(SIGNED.signature), setUp));
    expect(d).toMatchObject({ status: 200, answer: 'OK\n', contentType: 'text/plain; charset=utf-8', provider: 'meta', error: null });
    expect(d.sig).toEqual({ verdict: 'valid', diagnosis: null, matchedSecretIndex: 0 });
    expect(d.events.length).toBeGreaterThan(0);
    expect(d.events[0].provider).toBe('meta');
    expect(d.events[0].kind).toBe('message');
  });

  it('signed with the second of two secrets (rotation): accepted', () => {
    const d = accepted(decide(meta(SIGNED.signature), trust({ metaSecrets: ['old-secret', SECRET] })));
    expect(d.sig.verdict).toBe('valid');
  });

  it('a wrong signature is refused 401 as invalid, saying it does not match', () => {
    const d = refused(decide(meta(signMeta(META_BODY, 'someone-else')), setUp));
    expect(d).toMatchObject({ status: 401, provider: 'meta', sig: { verdict: 'invalid' } });
    expect(d.diagnosis).toBe('X-Hub-Signature-256 does not match the raw body with the configured app secret.');
    expect(d.sig.diagnosis).toBe(d.diagnosis);
  });

  it('one changed byte of the body makes the right signature invalid', () => {
    const body = Buffer.from(META_BODY);
    body[body.length - 2] ^= 1;
    expect(refused(decide(meta(SIGNED.signature, body), setUp)).sig.verdict).toBe('invalid');
  });

  it('no signature header is refused 401 as missing', () => {
    const d = refused(decide(meta(undefined), setUp));
    expect(d).toMatchObject({ status: 401, provider: 'meta', sig: { verdict: 'missing' } });
    expect(d.diagnosis).toMatch(/^No X-Hub-Signature-256 header/);
  });

  it('a malformed signature header (not sha256=<64 hex>) is refused 401 as invalid', () => {
    for (const h of ['sha1=abc', 'sha256=zz', SIGNED.signature.slice(0, -1), 'garbage']) {
      const d = refused(decide(meta(h), setUp));
      expect(d.status).toBe(401);
      expect(d.sig.verdict).toBe('invalid');
      expect(d.diagnosis.length).toBeGreaterThan(0);
    }
  });

  it('a signed body that is not JSON is refused 400 "Malformed JSON", the valid signature kept', () => {
    const body = Buffer.from('{not json');
    const d = refused(decide(meta(signMeta(body, SECRET), body), setUp));
    expect(d.status).toBe(400);
    expect(d.provider).toBe('meta');
    expect(d.sig.verdict).toBe('valid');
    expect(d.diagnosis).toMatch(/^Malformed JSON: ./);
  });

  it('with a secret set, "accept unsigned" changes nothing: an unsigned request is still refused', () => {
    const d = refused(decide(meta(undefined), trust({ metaSecrets: [SECRET], unsigned: ['meta'] })));
    expect(d.status).toBe(401);
    expect(d.sig.verdict).toBe('missing');
  });

  it('no secret and "accept unsigned" on: accepted as unchecked, with or without a signature header', () => {
    const open = trust({ unsigned: ['meta'] });
    for (const sig of [undefined, 'sha256=whatever']) {
      const d = accepted(decide(meta(sig), open));
      expect(d.sig.verdict).toBe('unchecked');
      expect(d.answer).toBe('OK\n');
      expect(d.events.length).toBeGreaterThan(0);
    }
  });

  it('no secret and "accept unsigned" off: refused 403, the Rejected view saying how to set Meta up', () => {
    const d = refused(decide(meta(SIGNED.signature), trust()));
    expect(d).toMatchObject({ status: 403, provider: 'meta', sig: { verdict: 'unchecked', diagnosis: null } });
    expect(d.diagnosis).toBe('Meta is not set up in Hookscope: no Meta app secret is configured, so webhooks on /meta are refused. Paste the app secret (App Dashboard → App settings → Basic) in Setup or set META_APP_SECRET; for a quick trial, turn on "Accept unsigned webhooks" for Meta (Settings, or --accept-unsigned meta).');
  });

  it('"accept unsigned" for Twilio does not open Meta', () => {
    expect(refused(decide(meta(undefined), trust({ unsigned: ['twilio'] }))).status).toBe(403);
  });

  it('the simulator, replay and import pass a closed Meta as unchecked (the user\'s own doing)', () => {
    for (const origin of ['simulate', 'replay', 'import'] as const) {
      const d = accepted(decide(meta(undefined, META_BODY, { origin }), trust()));
      expect(d.sig.verdict).toBe('unchecked');
    }
  });

  it('a local origin is still held to the signature when a secret is set', () => {
    const d = refused(decide(meta('sha256=' + '0'.repeat(64), META_BODY, { origin: 'replay' }), setUp));
    expect(d.status).toBe(401);
  });

  // The HMACs a large body got as it arrived (request-path.ts) stand for hashing it again — only for the
  // network, and only under the secrets they were made with.
  const hmac = (secret: string, body: Buffer = META_BODY) => createHmac('sha256', secret).update(body).digest();
  it('digests made as the body arrived decide as the body itself would: right ones valid, wrong ones invalid', () => {
    const rotated = trust({ metaSecrets: ['old-secret', SECRET] });
    const ok = meta(SIGNED.signature, META_BODY, { metaDigests: { secrets: ['old-secret', SECRET], digests: [hmac('old-secret'), hmac(SECRET)] } });
    expect(accepted(decide(ok, rotated)).sig).toEqual({ verdict: 'valid', diagnosis: null, matchedSecretIndex: 1 });
    // Digests of other bytes refuse even the body whose signature is right: they are what is compared.
    const other = Buffer.from('{"other":"bytes"}');
    const wrong = meta(SIGNED.signature, META_BODY, { metaDigests: { secrets: ['old-secret', SECRET], digests: [hmac('old-secret', other), hmac(SECRET, other)] } });
    expect(refused(decide(wrong, rotated)).sig.verdict).toBe('invalid');
  });

  it('digests made under secrets since changed, or handed in by a local caller, are not trusted: the body is hashed', () => {
    const forged = Buffer.from('{"forged":true}');
    const claim = (secrets: string[]) => ({ secrets, digests: secrets.map(() => Buffer.from(SIGNED.signature.slice(7), 'hex')) });
    // A network body signed with the new secret, hashed as it arrived under the old one: valid.
    expect(accepted(decide(meta(SIGNED.signature, META_BODY, { metaDigests: { secrets: ['old-secret'], digests: [hmac('old-secret')] } }), setUp)).sig.verdict).toBe('valid');
    // Digests claiming a forged body matches: refused for a local origin and for changed secrets alike.
    expect(refused(decide(meta(SIGNED.signature, forged, { origin: 'import', metaDigests: claim([SECRET]) }), setUp)).status).toBe(401);
    expect(refused(decide(meta(SIGNED.signature, forged, { metaDigests: claim(['old-secret']) }), setUp)).status).toBe(401);
  });
});

describe('Twilio webhooks (POST /twilio)', () => {
  const setUp = trust({ twilioTokens: [TOKEN] });

  it('a form signed for the public URL: accepted as valid, answered with empty TwiML', () => {
    const d = accepted(decide(twilioForm(twilioSig()), setUp));
    expect(d).toMatchObject({
      status: 200, provider: 'twilio', error: null, contentType: 'text/xml; charset=utf-8',
      answer: '<?xml version="1.0" encoding="UTF-8"?><Response></Response>',
    });
    expect(d.sig.verdict).toBe('valid');
    expect(d.events[0]).toMatchObject({ provider: 'twilio', kind: 'message' });
    expect(d.events[0].text).toContain('Posso remarcar');
  });

  it('signed for the query the request carries: the query is part of the signed URL', () => {
    const d = decide(twilioForm(twilioSig(`${PUBLIC}/twilio?team=ops`), TWILIO_FORM, { query: 'team=ops' }), setUp);
    expect(d.accepted).toBe(true);
    expect(decide(twilioForm(twilioSig(`${PUBLIC}/twilio`), TWILIO_FORM, { query: 'team=ops' }), setUp).accepted).toBe(false);
  });

  it('signed for the receiver\'s own URL (a local test): accepted', () => {
    expect(decide(twilioForm(twilioSig(`${OWN}/twilio`)), setUp).accepted).toBe(true);
  });

  it('a wrong signature is refused 401 as invalid, naming the URL it was checked against', () => {
    const d = refused(decide(twilioForm(twilioSig(`${PUBLIC}/twilio`, TWILIO_FORM, 'other-token')), setUp));
    expect(d).toMatchObject({ status: 401, provider: 'twilio', sig: { verdict: 'invalid' } });
    expect(d.diagnosis).toBe(`X-Twilio-Signature does not match ${PUBLIC}/twilio with the configured auth token.`);
  });

  it('no signature header is refused 401 as missing', () => {
    const d = refused(decide(twilioForm(undefined), setUp));
    expect(d).toMatchObject({ status: 401, sig: { verdict: 'missing' } });
    expect(d.diagnosis).toMatch(/^No X-Twilio-Signature header/);
  });

  it('a malformed signature header is refused 401 as invalid', () => {
    for (const h of ['not base64 at all', '====', 'x']) expect(refused(decide(twilioForm(h), setUp)).sig.verdict).toBe('invalid');
  });

  it('a JSON body (any case of "json" in its type) is checked by its bodySHA256 and read as JSON', () => {
    const hash = createHash('sha256').update(TWILIO_JSON).digest('hex');
    const query = `bodySHA256=${hash}`;
    const sig = twilioDigest(TOKEN, `${PUBLIC}/twilio?${query}`, 'HMAC_SHA1');
    const req = input({ path: '/twilio', query, body: TWILIO_JSON, headers: [['content-type', 'Application/JSON'], ['x-twilio-signature', sig]] });
    const d = accepted(decide(req, setUp));
    expect(d.sig.verdict).toBe('valid');
    expect(d.events).toHaveLength(1);
    expect(d.events[0]).toMatchObject({ provider: 'twilio', kind: 'unknown', text: 'JSON body from Twilio' });
  });

  it('a JSON body whose bytes were changed after signing is refused: the body does not match its hash', () => {
    const hash = createHash('sha256').update(TWILIO_JSON).digest('hex');
    const query = `bodySHA256=${hash}`;
    const sig = twilioDigest(TOKEN, `${PUBLIC}/twilio?${query}`, 'HMAC_SHA1');
    const body = Buffer.from(TWILIO_JSON.toString('utf8').replace('delivered', 'read     '));
    const d = refused(decide(input({ path: '/twilio', query, body, headers: [['content-type', 'application/json'], ['x-twilio-signature', sig]] }), setUp));
    expect(d.status).toBe(401);
    expect(d.diagnosis).toMatch(/bodySHA256/);
  });

  it('an unsigned JSON body that does not parse is refused 400 when Twilio is open', () => {
    const d = refused(decide(input({ path: '/twilio', body: Buffer.from('{'), headers: [['content-type', 'application/json']] }), trust({ unsigned: ['twilio'] })));
    expect(d).toMatchObject({ status: 400, provider: 'twilio', sig: { verdict: 'unchecked' } });
    expect(d.diagnosis).toMatch(/^Malformed JSON: ./);
  });

  it('no token and "accept unsigned" on: accepted as unchecked', () => {
    const d = accepted(decide(twilioForm(undefined), trust({ unsigned: ['twilio'] })));
    expect(d.sig.verdict).toBe('unchecked');
    expect(d.events[0].provider).toBe('twilio');
  });

  it('with a token set, "accept unsigned" changes nothing', () => {
    expect(refused(decide(twilioForm(undefined), trust({ twilioTokens: [TOKEN], unsigned: ['twilio'] }))).status).toBe(401);
  });

  it('no token and "accept unsigned" off: refused 403, the Rejected view saying how to set Twilio up', () => {
    const d = refused(decide(twilioForm(twilioSig()), trust({ unsigned: ['meta'] })));
    expect(d).toMatchObject({ status: 403, provider: 'twilio', sig: { verdict: 'unchecked' } });
    expect(d.diagnosis).toBe('Twilio is not set up in Hookscope: no Twilio auth token is configured, so webhooks on /twilio are refused. Paste the auth token (Twilio Console → Account info) in Setup or set TWILIO_AUTH_TOKEN; for a quick trial, turn on "Accept unsigned webhooks" for Twilio (Settings, or --accept-unsigned twilio).');
  });

  it('a Meta secret does not open Twilio', () => {
    expect(refused(decide(twilioForm(undefined), trust({ metaSecrets: [SECRET] }))).status).toBe(403);
  });

  it('the simulator passes a closed Twilio as unchecked', () => {
    expect(accepted(decide(twilioForm(undefined, TWILIO_FORM, { origin: 'simulate' }), trust())).sig.verdict).toBe('unchecked');
  });
});

describe('the URLs a Twilio signature is checked against', () => {
  const req = (headers: [string, string][], query = '') => input({ path: '/twilio', query, headers });

  it('a known public URL (trailing slashes dropped) and the receiver\'s own; the caller\'s forwarded headers ignored', () => {
    const urls = twilioUrls(req([['x-forwarded-host', 'evil.example'], ['host', 'evil.example']], 'a=1'), trust({ publicUrl: 'https://hooks.example.test//' }));
    expect(urls).toEqual(['https://hooks.example.test/twilio?a=1', `${OWN}/twilio?a=1`]);
  });

  it('no public URL: the forwarded host (https unless a proto is forwarded), then the Host header, then the own URL', () => {
    const none = trust({ publicUrl: null });
    expect(twilioUrls(req([['x-forwarded-host', 'proxy.example'], ['host', 'inner:4000']]), none))
      .toEqual(['https://proxy.example/twilio', 'http://inner:4000/twilio', `${OWN}/twilio`]);
    expect(twilioUrls(req([['x-forwarded-host', 'proxy.example'], ['x-forwarded-proto', 'http']]), none))
      .toEqual(['http://proxy.example/twilio', `${OWN}/twilio`]);
  });

  it('a request signed for the forwarded host is accepted only while no public URL is known', () => {
    const headers: [string, string][] = [['content-type', 'application/x-www-form-urlencoded'], ['x-forwarded-host', 'proxy.example'], ['x-twilio-signature', twilioSig('https://proxy.example/twilio')]];
    const r = input({ path: '/twilio', body: TWILIO_FORM, headers });
    expect(decide(r, trust({ twilioTokens: [TOKEN], publicUrl: null })).accepted).toBe(true);
    expect(decide(r, trust({ twilioTokens: [TOKEN] })).accepted).toBe(false);
  });

  it('the same URL twice is tried once; nothing known, nothing tried', () => {
    expect(twilioUrls(req([['host', '127.0.0.1:4000']]), trust({ publicUrl: null }))).toEqual([`${OWN}/twilio`]);
    expect(twilioUrls(req([]), trust({ publicUrl: null, ownUrl: null }))).toEqual([]);
  });
});

describe("Meta's handshake (GET /meta)", () => {
  const get = (query: string) => input({ method: 'GET', query });
  const ok = 'hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=1158201444';

  it('the right mode and token: 200 with exactly the challenge, as plain text, and a verification event', () => {
    const d = accepted(decide(get(ok), trust()));
    expect(d).toMatchObject({ status: 200, answer: '1158201444', contentType: 'text/plain; charset=utf-8', provider: 'meta', sig: { verdict: 'unchecked', diagnosis: null }, error: null });
    expect(d.events).toHaveLength(1);
    expect(d.events[0]).toMatchObject({ kind: 'verification', providerStatus: 'accepted' });
  });

  it('the PHP spelling (hub_mode, hub_verify_token, hub_challenge) is accepted too', () => {
    expect(accepted(decide(get('hub_mode=subscribe&hub_verify_token=verify-me&hub_challenge=42'), trust())).answer).toBe('42');
  });

  it('the dotted spelling wins when both are sent', () => {
    expect(decide(get('hub.mode=subscribe&hub_mode=nope&hub.verify_token=verify-me'), trust()).accepted).toBe(true);
    expect(decide(get('hub.mode=nope&hub_mode=subscribe&hub.verify_token=verify-me'), trust()).accepted).toBe(false);
  });

  it('a missing challenge is answered with an empty body', () => {
    expect(accepted(decide(get('hub.mode=subscribe&hub.verify_token=verify-me'), trust())).answer).toBe('');
  });

  it('the challenge is echoed byte for byte, however long or odd (the answer is text, never HTML)', () => {
    const challenge = '<script>alert(1)</script>'.repeat(200);
    const d = accepted(decide(get(`hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=${encodeURIComponent(challenge)}`), trust()));
    expect(d.answer).toBe(challenge);
    expect(d.contentType).toBe('text/plain; charset=utf-8');
  });

  it('a wrong token is refused 403; so is one that only starts or ends like it', () => {
    for (const t of ['nope', 'verify-m', 'verify-me2', 'VERIFY-ME', '']) {
      const d = refused(decide(get(`hub.mode=subscribe&hub.verify_token=${t}&hub.challenge=1`), trust()));
      expect(d).toMatchObject({ status: 403, provider: 'meta', sig: { verdict: 'unchecked' } });
      expect(d.diagnosis).toBe('The verify token sent does not match the one configured in Hookscope.');
    }
  });

  it('a missing token is refused 403 "hub.verify_token is missing."', () => {
    expect(refused(decide(get('hub.mode=subscribe&hub.challenge=1'), trust())).diagnosis).toBe('hub.verify_token is missing.');
  });

  it('a mode other than subscribe, or none, is refused 403 saying which', () => {
    expect(refused(decide(get('hub.mode=unsubscribe&hub.verify_token=verify-me'), trust())).diagnosis).toBe('hub.mode is "unsubscribe", expected "subscribe".');
    expect(refused(decide(get('hub.verify_token=verify-me'), trust())).diagnosis).toBe('hub.mode is missing, expected "subscribe".');
  });

  it('no verify token configured: refused 403 whatever is sent, saying how to set one', () => {
    for (const expected of [null, '']) {
      const d = refused(decide(get(ok), trust({ verifyToken: expected })));
      expect(d.status).toBe(403);
      expect(d.diagnosis).toBe('No verify token is configured in Hookscope: set META_VERIFY_TOKEN or paste one in Setup.');
    }
  });

  it('the handshake needs no app secret and ignores "accept unsigned"', () => {
    expect(decide(get(ok), trust({ metaSecrets: [SECRET] })).accepted).toBe(true);
    expect(decide(get('hub.mode=subscribe&hub.verify_token=x'), trust({ unsigned: ['meta'] })).accepted).toBe(false);
  });
});

describe('routes, methods and sizes', () => {
  const open = trust({ metaSecrets: [SECRET], twilioTokens: [TOKEN] });

  it('any other path is refused 404, naming the routes', () => {
    for (const path of ['/', '/meta/', '/Meta', '/twilio/x', '/metatwilio']) {
      const d = refused(decide(input({ path }), open));
      expect(d).toMatchObject({ status: 404, provider: null, sig: { verdict: 'unchecked', diagnosis: null } });
      expect(d.diagnosis).toBe(`No such route POST ${path}: the provider should call /meta (Meta) or /twilio (Twilio).`);
    }
  });

  it('a method other than POST is refused 405 (GET only on /meta, for the handshake)', () => {
    expect(refused(decide(input({ method: 'PUT' }), open))).toMatchObject({ status: 405, provider: 'meta', diagnosis: 'PUT is not allowed on /meta.' });
    expect(refused(decide(input({ method: 'GET', path: '/twilio' }), open))).toMatchObject({ status: 405, provider: 'twilio', diagnosis: 'GET is not allowed on /twilio.' });
  });

  it('a body over the limit is refused 413 on either route, before its signature is looked at', () => {
    const big = trust({ metaSecrets: [SECRET], limit: 1024 });
    const d = refused(decide(meta(SIGNED.signature, Buffer.alloc(0), { tooLarge: 5000 }), big));
    expect(d).toMatchObject({ status: 413, provider: 'meta', diagnosis: 'Body of 5000 bytes is over the 1024-byte limit.' });
    expect(refused(decide(input({ method: 'GET', tooLarge: 2000 }), big)).status).toBe(413);
    expect(refused(decide(twilioForm(undefined, Buffer.alloc(0), { tooLarge: 0 }), big)).status).toBe(413);
  });

  it('an unknown path is 404 even when too large', () => {
    expect(refused(decide(input({ path: '/x', tooLarge: 9 }), open)).status).toBe(404);
  });

  it('a request accepted on its prefix alone is refused 400: the body was not read whole', () => {
    const d = refused(decide(meta(SIGNED.signature, META_BODY, { bodySize: META_BODY.length + 1 }), trust({ metaSecrets: [SECRET] })));
    expect(d).toMatchObject({ status: 400, provider: 'meta', sig: { verdict: 'valid' }, diagnosis: 'Refused before the whole body was read.' });
    expect(decide(meta(SIGNED.signature, META_BODY, { bodySize: META_BODY.length }), trust({ metaSecrets: [SECRET] })).accepted).toBe(true);
  });

  it('a refusal on a prefix keeps its own reason', () => {
    const d = refused(decide(meta(undefined, META_BODY, { bodySize: META_BODY.length + 1 }), trust({ metaSecrets: [SECRET] })));
    expect(d.status).toBe(401);
  });
});

describe('why a provider is closed', () => {
  it('only network requests are asked; a provider is open with a secret or with "accept unsigned" for it', () => {
    expect(notSetUp('meta', 'network', trust())).toMatch(/^Meta is not set up/);
    expect(notSetUp('twilio', 'network', trust())).toMatch(/^Twilio is not set up/);
    expect(notSetUp('meta', 'import', trust())).toBeNull();
    expect(notSetUp('meta', 'network', trust({ metaSecrets: ['s'] }))).toBeNull();
    expect(notSetUp('meta', 'network', trust({ unsigned: ['meta'] }))).toBeNull();
    expect(notSetUp('twilio', 'network', trust({ twilioTokens: ['t'] }))).toBeNull();
    expect(notSetUp('twilio', 'network', trust({ unsigned: ['twilio'] }))).toBeNull();
    expect(notSetUp('twilio', 'network', trust({ metaSecrets: ['s'], unsigned: ['meta'] }))).toMatch(/^Twilio/);
    expect(notSetUp('meta', 'network', trust({ twilioTokens: ['t'], unsigned: ['twilio'] }))).toMatch(/^Meta/);
  });
});

describe('what the headers alone doom (the body is then hashed as it passes, never held)', () => {
  const h = (sig?: [string, string]): [string, string][] => (sig ? [['content-type', 'x'], sig] : [['content-type', 'x']]);
  const metaSig: [string, string] = ['x-hub-signature-256', 'sha256=00'];
  const twSig: [string, string] = ['x-twilio-signature', 'abc'];

  it('the handshake is never doomed, even with Meta closed', () => {
    expect(refusedByHeaders('GET', '/meta', [], trust())).toBe(false);
  });

  it('another method or path is', () => {
    expect(refusedByHeaders('PUT', '/meta', h(metaSig), trust({ metaSecrets: ['s'] }))).toBe(true);
    expect(refusedByHeaders('GET', '/twilio', h(twSig), trust({ twilioTokens: ['t'] }))).toBe(true);
    expect(refusedByHeaders('POST', '/elsewhere', h(metaSig), trust({ metaSecrets: ['s'], twilioTokens: ['t'] }))).toBe(true);
    // A stranger's path carrying a Twilio signature is still unrouted, whatever Twilio's set-up.
    expect(refusedByHeaders('POST', '/elsewhere', h(twSig), trust({ metaSecrets: ['s'], twilioTokens: ['t'] }))).toBe(true);
    expect(refusedByHeaders('POST', '/twilio/', h(twSig), trust({ twilioTokens: ['t'] }))).toBe(true);
  });

  it('Meta: closed, or set up and unsigned, is doomed; signed, or open to unsigned, is read', () => {
    expect(refusedByHeaders('POST', '/meta', h(metaSig), trust())).toBe(true);
    expect(refusedByHeaders('POST', '/meta', h(), trust({ metaSecrets: ['s'] }))).toBe(true);
    expect(refusedByHeaders('POST', '/meta', h(twSig), trust({ metaSecrets: ['s'] }))).toBe(true);
    expect(refusedByHeaders('POST', '/meta', h(metaSig), trust({ metaSecrets: ['s'] }))).toBe(false);
    expect(refusedByHeaders('POST', '/meta', h(), trust({ unsigned: ['meta'] }))).toBe(false);
  });

  it('Twilio: closed, or set up and unsigned, is doomed; signed, or open to unsigned, is read', () => {
    expect(refusedByHeaders('POST', '/twilio', h(twSig), trust())).toBe(true);
    expect(refusedByHeaders('POST', '/twilio', h(), trust({ twilioTokens: ['t'] }))).toBe(true);
    expect(refusedByHeaders('POST', '/twilio', h(metaSig), trust({ twilioTokens: ['t'] }))).toBe(true);
    expect(refusedByHeaders('POST', '/twilio', h(twSig), trust({ twilioTokens: ['t'] }))).toBe(false);
    expect(refusedByHeaders('POST', '/twilio', h(), trust({ unsigned: ['twilio'] }))).toBe(false);
  });
});

describe('what a refusal says and what the rejected log keeps', () => {
  const sigRefusal = (): Refusal => ({ accepted: false, status: 401, provider: 'meta', sig: { verdict: 'invalid', diagnosis: 'd' }, diagnosis: 'does not match' });

  it('the body of every refusal is the status\'s reason phrase alone', () => {
    expect(plain(404)).toBe('Not Found\n');
    expect(plain(429)).toBe('Too Many Requests\n');
    expect(plain(599)).toBe('Error\n');
  });

  it('a local caller is told the signature verdict with a 401, the reason otherwise, and "too many" when rate-limited', () => {
    expect(refusalDiagnosis(sigRefusal(), false)).toBe('Signature invalid: does not match');
    expect(refusalDiagnosis({ ...sigRefusal(), status: 403, diagnosis: 'closed' }, false)).toBe('closed');
    expect(refusalDiagnosis(sigRefusal(), true)).toBe('Too many rejected requests from this source.');
  });

  it('the row: the query with the verify token redacted, the whole body, its size and hash, who sent it', () => {
    const body = Buffer.from('{"x":1}');
    const req = input({ method: 'GET', query: 'hub.mode=subscribe&hub.verify_token=secret-token', body, headers: [['h', 'v']] });
    const row = rejectedRow(req, sigRefusal(), '203.0.113.7', 1234);
    expect(row).toEqual({
      receivedAt: 1234, method: 'GET', path: '/meta', query: 'hub.mode=subscribe&hub.verify_token=%5Bredacted%5D', headers: [['h', 'v']],
      body, bodySize: 7, bodySha256: createHash('sha256').update(body).digest('hex'),
      provider: 'meta', httpStatus: 401, signature: 'invalid', diagnosis: 'does not match', source: '203.0.113.7', origin: 'network',
    });
    expect(row.body).not.toBe(body);
  });

  it('a long body keeps its first REJECTED_BODY_KEEP bytes, its whole size and the hash of all of it', () => {
    const body = Buffer.alloc(REJECTED_BODY_KEEP + 10, 7);
    body[0] = 1;
    const row = rejectedRow(input({ body }), sigRefusal(), null, 0);
    expect(row.body!.length).toBe(REJECTED_BODY_KEEP);
    expect(row.body![0]).toBe(1);
    expect(row.bodySize).toBe(REJECTED_BODY_KEEP + 10);
    expect(row.bodySha256).toBe(createHash('sha256').update(body).digest('hex'));
    expect(row.source).toBeNull();
  });

  it('a prefix read by the path keeps the size and hash the path counted', () => {
    const row = rejectedRow(input({ body: Buffer.from('abc'), bodySize: 99, bodySha256: 'ff' }), sigRefusal(), 's', 0);
    expect(row).toMatchObject({ bodySize: 99, bodySha256: 'ff' });
    expect(row.body!.toString()).toBe('abc');
  });

  it('refused for its size before any byte was read: no body, the announced size, no hash', () => {
    const row = rejectedRow(input({ tooLarge: 5000 }), { ...sigRefusal(), status: 413 }, 's', 0);
    expect(row).toMatchObject({ body: null, bodySize: 5000, bodySha256: null, httpStatus: 413 });
    const counted = rejectedRow(input({ tooLarge: 5000, bodySize: 6000 }), { ...sigRefusal(), status: 413 }, 's', 0);
    expect(counted.bodySize).toBe(6000);
  });

  it('an empty body that was read is kept as empty, not as missing', () => {
    const row = rejectedRow(input({}), sigRefusal(), 's', 0);
    expect(row.body).toEqual(Buffer.alloc(0));
    expect(row.bodySize).toBe(0);
    expect(row.bodySha256).toBe(createHash('sha256').update(Buffer.alloc(0)).digest('hex'));
  });

  it('a header is found by its (lower-cased) name, the first one when repeated', () => {
    expect(header([['a', '1'], ['b', '2'], ['b', '3']], 'b')).toBe('2');
    expect(header([['a', '1']], 'b')).toBeUndefined();
  });
});
