import { describe, expect, it } from 'vitest';
import { createHash, createHmac } from 'node:crypto';
import { signMeta, signTwilio, verifyMeta, verifyTwilio } from '../../electron/core/ingest/signature';
import { debugSignature, type SignatureDebugInput } from '../../electron/core/ingest/signature-debug';
import {
  escapeUnicodeJson, joinBaseUrl, parseMetaSignatureHeader, parseTwilioSignatureSettings, reserialiseJson,
  twilioSigningString, twilioUrlCandidates,
} from '../../shared/signature';
import { fixture, SIGNED, VECTORS } from '../helpers/fixtures';

// Signature vectors computed outside Hookscope over the corpus bytes (test/fixtures/signatures/vectors.json).
const META_VEC = VECTORS.meta.filter((v) => v.file);
const SIGNED_FILE = SIGNED.file;
const SIGNED_SECRET = SIGNED.secret;
const SIGNED_HEADER = SIGNED.signature;
/** Emoji sent by Meta as a \uXXXX surrogate pair; a media URL sent with \/ escapes. */
const EMOJI_FIXTURE = 'meta/message-reaction.json';
const URL_FIXTURE = 'meta/message-image.json';

const TW_VEC = VECTORS.twilio.find((v) => v.file === 'twilio/status-delivered.txt' && v.algorithm === 'HMAC_SHA1')!;
const TW_TOKEN = TW_VEC.token;
const TW_URL = TW_VEC.url;
const TW_PARAMS = parseForm(fixture(TW_VEC.file).toString('utf8'));
const TW_SIG = TW_VEC.header;
const TW_JSON_VEC = VECTORS.twilio.find((v) => v.bodySHA256)!;
const TW_JSON_BODY = fixture(TW_JSON_VEC.file).toString('utf8');
const TW_JSON_HASH = TW_JSON_VEC.bodySHA256!;
const TW_JSON_URL = TW_JSON_VEC.url;
const TW_JSON_SIG = TW_JSON_VEC.header;

function parseForm(text: string): [string, string][] {
  return text.split('&').map((p) => {
    const eq = p.indexOf('=');
    return [decodeURIComponent(p.slice(0, eq).replace(/\+/g, ' ')), decodeURIComponent(p.slice(eq + 1).replace(/\+/g, ' '))];
  });
}

describe('signature vectors (test/fixtures/signatures)', () => {
  it('Meta: every vector verifies over the exact file bytes, and agrees with node:crypto', () => {
    expect(META_VEC.length).toBeGreaterThanOrEqual(4);
    for (const v of META_VEC) {
      const body = fixture(v.file!);
      expect(body.length, v.file).toBe(v.bytes);
      expect(`sha256=${createHmac('sha256', v.secret).update(body).digest('hex')}`, v.file).toBe(v.header);
      expect(signMeta(body, v.secret), v.file).toBe(v.header);
      expect(verifyMeta(body, v.header, [v.secret]), v.file).toEqual({ verdict: 'valid', diagnosis: null, matchedSecretIndex: 0 });
      // A trailing newline (what an editor adds) breaks it: the bytes are the contract.
      expect(verifyMeta(Buffer.concat([body, Buffer.from('\n')]), v.header, [v.secret]).verdict, v.file).toBe('invalid');
    }
  });

  it('Meta: a short literal body', () => {
    const v = VECTORS.meta.find((x) => x.body !== undefined)!;
    expect(signMeta(v.body!, v.secret)).toBe(v.header);
    expect(signMeta(Buffer.from(v.body!), v.secret)).toBe(v.header);
    expect(verifyMeta(Buffer.from(v.body!), v.header, [v.secret]).verdict).toBe('valid');
  });

  it('Meta: the escaped and the raw UTF-8 forms of one message have different signatures', () => {
    const [escaped, raw] = ['meta/message-text-unicode-escaped.json', 'meta/message-text-raw-utf8.json'].map((f) => META_VEC.find((v) => v.file === f)!);
    expect(escaped.header).not.toBe(raw.header);
    expect(verifyMeta(fixture(raw.file!), escaped.header, [escaped.secret]).verdict).toBe('invalid');
  });

  it('Twilio: every form vector, SHA-1 and SHA-256, over the URL and the decoded params', () => {
    for (const v of VECTORS.twilio.filter((x) => !x.bodySHA256)) {
      const params = parseForm(fixture(v.file).toString('utf8'));
      const algo = v.algorithm === 'HMAC_SHA256' ? 'sha256' : 'sha1';
      expect(createHmac(algo, v.token).update(twilioSigningString(v.url, params)).digest('base64'), v.file).toBe(v.header);
      expect(signTwilio(v.url, params, v.token, v.algorithm), v.file).toBe(v.header);
      // Params arrive in any order: the signed string sorts them.
      expect(verifyTwilio({ header: v.header, tokens: [v.token], urls: [v.url], params: [...params].reverse(), rawBody: fixture(v.file), algorithm: v.algorithm }), v.file)
        .toEqual({ verdict: 'valid', diagnosis: null, matchedSecretIndex: 0 });
    }
  });

  it('twilioSigningString: URL, then each name and value, sorted by name', () => {
    expect(twilioSigningString('https://h.example/twilio?x=1', [['To', 'whatsapp:+1'], ['Body', 'Olá'], ['AccountSid', 'AC1']]))
      .toBe('https://h.example/twilio?x=1AccountSidAC1BodyOláTowhatsapp:+1');
  });

  it('Twilio JSON body (bodySHA256)', () => {
    expect(createHash('sha256').update(TW_JSON_BODY).digest('hex')).toBe(TW_JSON_HASH);
    expect(signTwilio(TW_JSON_URL, [], TW_TOKEN)).toBe(TW_JSON_SIG);
    const check = verifyTwilio({ header: TW_JSON_SIG, tokens: [TW_TOKEN], urls: [TW_JSON_URL], params: null, rawBody: Buffer.from(TW_JSON_BODY) });
    expect(check).toEqual({ verdict: 'valid', diagnosis: null, matchedSecretIndex: 0 });
  });

  it('HMAC_SHA256 when X-Twilio-Webhooks-Signature-Settings says so (and inferred from the length)', () => {
    const base = { tokens: [TW_TOKEN], urls: [TW_URL], params: TW_PARAMS, rawBody: Buffer.from('') };
    const sig = signTwilio(TW_URL, TW_PARAMS, TW_TOKEN, 'HMAC_SHA256');
    expect(sig).toBe(createHmac('sha256', TW_TOKEN).update(twilioSigningString(TW_URL, TW_PARAMS)).digest('base64'));
    const algorithm = parseTwilioSignatureSettings('key=abc,algorithm=HMAC_SHA256');
    expect(algorithm).toBe('HMAC_SHA256');
    expect(verifyTwilio({ ...base, header: sig, algorithm }).verdict).toBe('valid');
    expect(verifyTwilio({ ...base, header: sig }).verdict).toBe('valid');
    expect(verifyTwilio({ ...base, header: TW_SIG, algorithm }).verdict).toBe('invalid');
  });

  it('verifies a Twilio WhatsApp form body signed for a tunnel URL', () => {
    const raw = fixture('twilio/inbound-text.txt');
    const params = parseForm(raw.toString('utf8'));
    const url = 'https://abc.ngrok-free.app/twilio';
    const header = signTwilio(url, params, 'tok');
    expect(verifyTwilio({ header, tokens: ['tok'], urls: [url, 'http://127.0.0.1:4750/twilio'], params, rawBody: raw }).verdict).toBe('valid');
    const localOnly = verifyTwilio({ header, tokens: ['tok'], urls: ['http://127.0.0.1:4750/twilio'], params, rawBody: raw });
    expect(localOnly.verdict).toBe('invalid');
    expect(localOnly.diagnosis).toMatch(/public URL/);
  });
});

describe('verifyMeta', () => {
  const body = fixture(SIGNED_FILE);

  it('accepts any of several secrets (rotation, several apps) and says which', () => {
    const r = verifyMeta(body, SIGNED_HEADER, ['other-app-secret', 'old-secret', SIGNED_SECRET]);
    expect(r.verdict).toBe('valid');
    expect(r.matchedSecretIndex).toBe(2);
  });

  it('a secret changed in Setup counts for the next request, however many requests came before (keys are kept between calls)', () => {
    const wrongSameLength = SIGNED_SECRET.replace(/.$/, (c) => (c === 'x' ? 'y' : 'x'));
    for (let round = 0; round < 2; round++) {
      expect(verifyMeta(body, SIGNED_HEADER, [SIGNED_SECRET]).verdict).toBe('valid');
      expect(verifyMeta(body, SIGNED_HEADER, [SIGNED_SECRET]).verdict).toBe('valid');
      // Replaced by a secret of the same length, then removed: the old key is not used again.
      expect(verifyMeta(body, SIGNED_HEADER, [wrongSameLength]).verdict).toBe('invalid');
      expect(verifyMeta(body, SIGNED_HEADER, ['another-app-secret', wrongSameLength]).verdict).toBe('invalid');
      expect(verifyMeta(body, SIGNED_HEADER, []).verdict).toBe('unchecked');
      // Added back beside another one: found at its new place.
      const r = verifyMeta(body, SIGNED_HEADER, [wrongSameLength, SIGNED_SECRET]);
      expect(r).toMatchObject({ verdict: 'valid', matchedSecretIndex: 1 });
    }
  });

  it('tampered body → invalid', () => {
    const tampered = Buffer.from(body.toString('utf8').replace('Saturday', 'Sunday'));
    const r = verifyMeta(tampered, SIGNED_HEADER, [SIGNED_SECRET]);
    expect(r.verdict).toBe('invalid');
    expect(r.diagnosis).toMatch(/does not match/);
    expect(r.matchedSecretIndex).toBeUndefined();
  });

  it('one flipped hex char → invalid', () => {
    const last = SIGNED_HEADER.at(-1)!;
    const flipped = SIGNED_HEADER.slice(0, -1) + (last === '0' ? '1' : '0');
    expect(verifyMeta(body, flipped, [SIGNED_SECRET]).verdict).toBe('invalid');
  });

  it('missing header → missing, with a diagnosis', () => {
    const r = verifyMeta(body, undefined, [SIGNED_SECRET]);
    expect(r.verdict).toBe('missing');
    expect(r.diagnosis).toMatch(/X-Hub-Signature-256/);
  });

  it('no secret → unchecked, whatever the header', () => {
    expect(verifyMeta(body, SIGNED_HEADER, []).verdict).toBe('unchecked');
    expect(verifyMeta(body, undefined, []).verdict).toBe('unchecked');
  });

  it('headers of the wrong length or shape do not throw', () => {
    for (const h of ['sha256=', 'sha256=abc', `${SIGNED_HEADER}00`, 'sha256=zz', 'garbage', 'sha1=0123', `sha256=${'g'.repeat(64)}`, '=']) {
      const r = verifyMeta(body, h, [SIGNED_SECRET]);
      expect(r.verdict).toBe('invalid');
      expect(r.diagnosis).toBeTruthy();
    }
  });

  it('tolerates upper-case hex, prefix case and whitespace', () => {
    const hex = SIGNED_HEADER.slice('sha256='.length);
    expect(verifyMeta(body, `  SHA256 = ${hex.toUpperCase()}\t`, [SIGNED_SECRET]).verdict).toBe('valid');
    expect(parseMetaSignatureHeader(` sha256=${hex.toUpperCase()} `)).toEqual({ ok: true, hex });
    expect(parseMetaSignatureHeader('sha1=abcd')).toEqual({ ok: false, problem: 'wrong-algorithm', algorithm: 'sha1' });
  });

  it('raw bytes matter: a body re-serialised from a payload with emoji or \\/ escapes fails', () => {
    for (const name of [EMOJI_FIXTURE, URL_FIXTURE]) {
      // What Meta sends: compact, non-ASCII as \uXXXX, / as \/.
      const metaBody = escapeUnicodeJson(JSON.stringify(JSON.parse(fixture(name).toString('utf8'))));
      expect(metaBody).toMatch(name === EMOJI_FIXTURE ? /\\ud83d\\udc4d/ : /https:\\\/\\\//);
      const header = signMeta(metaBody, 'app-secret');
      expect(verifyMeta(Buffer.from(metaBody), header, ['app-secret']).verdict).toBe('valid');
      const reserialised = Buffer.from(JSON.stringify(JSON.parse(metaBody)));
      expect(reserialised.equals(Buffer.from(metaBody))).toBe(false);
      expect(verifyMeta(reserialised, header, ['app-secret']).verdict).toBe('invalid');
    }
  });
});

describe('verifyTwilio', () => {
  const base = { tokens: [TW_TOKEN], urls: [TW_URL], params: TW_PARAMS, rawBody: Buffer.from('') };

  it('several tokens: the second one matches', () => {
    expect(verifyTwilio({ ...base, header: TW_SIG, tokens: ['secondary', TW_TOKEN] }).matchedSecretIndex).toBe(1);
  });

  it('tries the URLs in order: a public URL first, then the local one', () => {
    const r = verifyTwilio({ ...base, header: TW_SIG, urls: ['http://127.0.0.1:4750/myapp.php?foo=1&bar=2', TW_URL] });
    expect(r.verdict).toBe('valid');
  });

  it('accepts the URL with the default port added or removed', () => {
    const withPort = TW_URL.replace('ngrok-free.app/', 'ngrok-free.app:443/');
    expect(verifyTwilio({ ...base, header: signTwilio(withPort, TW_PARAMS, TW_TOKEN) }).verdict).toBe('valid');
    expect(verifyTwilio({ ...base, header: TW_SIG, urls: [withPort] }).verdict).toBe('valid');
  });

  it('tampered param → invalid; missing header → missing; no token → unchecked', () => {
    const params = TW_PARAMS.map(([k, v]) => [k, k === 'MessageStatus' ? 'failed' : v] as [string, string]);
    expect(verifyTwilio({ ...base, header: TW_SIG, params }).verdict).toBe('invalid');
    expect(verifyTwilio({ ...base, header: undefined }).verdict).toBe('missing');
    expect(verifyTwilio({ ...base, header: TW_SIG, tokens: [] }).verdict).toBe('unchecked');
  });

  it('headers of the wrong length do not throw', () => {
    for (const h of ['x', TW_SIG + 'AA', '', '====']) {
      expect(['invalid', 'missing']).toContain(verifyTwilio({ ...base, header: h }).verdict);
    }
  });

  it('JSON variant: a changed body fails the bodySHA256 check even though the URL signature holds', () => {
    const r = verifyTwilio({ header: TW_JSON_SIG, tokens: [TW_TOKEN], urls: [TW_JSON_URL], params: null, rawBody: Buffer.from('{"property":"value","boolean":true}') });
    expect(r.verdict).toBe('invalid');
    expect(r.diagnosis).toMatch(/bodySHA256/);
  });

});

describe('shared signature maths', () => {
  it('twilioSigningString sorts keys, and de-duplicates and sorts repeated values', () => {
    expect(twilioSigningString('https://x/y', [['b', '2'], ['a', 'z'], ['a', 'm'], ['a', 'z']])).toBe('https://x/yamazb2');
  });

  it('twilioUrlCandidates: as given, default port added/removed, legacy query', () => {
    expect(twilioUrlCandidates(TW_URL)).toEqual([TW_URL, 'https://hookscope-test.ngrok-free.app:443/twilio?team=ops&env=test']);
    expect(twilioUrlCandidates('http://h:80/p')).toEqual(['http://h:80/p', 'http://h/p']);
    expect(twilioUrlCandidates('http://127.0.0.1:4750/twilio')).toEqual(['http://127.0.0.1:4750/twilio']);
    const c = twilioUrlCandidates("https://h/p?name=O'Brien%27s&x=a%2Fb");
    expect(c).toContain("https://h/p?name=O'Brien's&x=a%2Fb");
    expect(c[0]).toBe("https://h/p?name=O'Brien%27s&x=a%2Fb");
    expect(twilioUrlCandidates('not a url')).toEqual(['not a url']);
  });

  it('escapeUnicodeJson writes non-ASCII as lowercase \\uXXXX and / as \\/, leaving escapes alone', () => {
    expect(escapeUnicodeJson('{"e":"😮é","u":"a/b","k":"\\/\\u00e9\\\\"}')).toBe('{"e":"\\ud83d\\ude2e\\u00e9","u":"a\\/b","k":"\\/\\u00e9\\\\"}');
    const raw = fixture(EMOJI_FIXTURE).toString('utf8');
    expect(reserialiseJson(raw)).toContain('👍');
    expect(escapeUnicodeJson(reserialiseJson(raw)!)).toContain('"emoji":"\\ud83d\\udc4d"');
    expect(reserialiseJson('{nope')).toBeNull();
  });

  it('joinBaseUrl does not double a pasted webhook path', () => {
    expect(joinBaseUrl('https://a.ngrok.app/', '/twilio?x=1')).toBe('https://a.ngrok.app/twilio?x=1');
    expect(joinBaseUrl('https://a.ngrok.app/twilio', '/twilio')).toBe('https://a.ngrok.app/twilio');
  });
});

describe('debugSignature — Meta', () => {
  const metaInput = (over: Partial<SignatureDebugInput>): SignatureDebugInput => ({
    provider: 'meta', headers: [['content-type', 'application/json']], rawBody: Buffer.from(''), method: 'POST',
    pathAndQuery: '/meta', publicUrl: null, localUrl: 'http://127.0.0.1:4750', metaSecrets: [], verifyToken: null,
    twilioTokens: [], ...over,
  });

  it('valid real capture: the raw-body candidate for secret #1 matches', () => {
    const d = debugSignature(metaInput({
      headers: [['x-hub-signature-256', SIGNED_HEADER]], rawBody: fixture(SIGNED_FILE), metaSecrets: ['wrong', SIGNED_SECRET],
    }));
    expect(d.received).toBe(SIGNED_HEADER);
    expect(d.candidates.find((c) => c.matches)?.label).toMatch(/^app secret #2 \([0-9a-f]{4}\) · raw body/);
    expect(d.candidates.find((c) => c.matches)?.computed).toBe(SIGNED_HEADER);
    expect(d.cause).toMatch(/valid/);
  });

  it('never shows a secret or the verify token, only labels and fingerprints', () => {
    const d = debugSignature(metaInput({
      headers: [['x-hub-signature-256', 'sha256=' + '0'.repeat(64)]], rawBody: fixture(SIGNED_FILE),
      metaSecrets: [SIGNED_SECRET], verifyToken: 'my-verify-token',
    }));
    const text = JSON.stringify(d);
    expect(text).not.toContain(SIGNED_SECRET);
    expect(text).not.toContain('my-verify-token');
    expect(d.candidates.some((c) => c.label.startsWith('verify token'))).toBe(true);
  });

  it('names re-serialisation when the sender signed JSON.stringify(JSON.parse(body))', () => {
    const raw = fixture(EMOJI_FIXTURE);
    const header = signMeta(JSON.stringify(JSON.parse(raw.toString('utf8'))), 'app-secret');
    const d = debugSignature(metaInput({ headers: [['x-hub-signature-256', header]], rawBody: raw, metaSecrets: ['app-secret'] }));
    expect(verifyMeta(raw, header, ['app-secret']).verdict).toBe('invalid');
    expect(d.cause).toBe('The signature matches the body after re-serialising: something between Meta and Hookscope re-encoded the JSON (a proxy or middleware).');
    expect(d.candidates.filter((c) => c.matches).map((c) => c.label)).toEqual([expect.stringMatching(/re-serialised/)]);
  });

  it('names re-encoding when a proxy decoded Meta\'s \\uXXXX and \\/ escapes', () => {
    for (const name of [EMOJI_FIXTURE, URL_FIXTURE]) {
      const metaBody = escapeUnicodeJson(JSON.stringify(JSON.parse(fixture(name).toString('utf8'))));
      const header = signMeta(metaBody, 'app-secret');
      const proxied = Buffer.from(JSON.stringify(JSON.parse(metaBody)));
      const d = debugSignature(metaInput({ headers: [['x-hub-signature-256', header]], rawBody: proxied, metaSecrets: ['app-secret'] }));
      expect(d.cause).toMatch(/re-escaped as Meta sends them.*re-encoded the JSON/);
    }
  });

  it('names the verify token pasted as app secret', () => {
    const raw = fixture(SIGNED_FILE);
    const header = signMeta(raw, 'hookscope-verify-123');
    for (const secrets of [['hookscope-verify-123x'], []]) {
      const d = debugSignature(metaInput({ headers: [['x-hub-signature-256', header]], rawBody: raw, metaSecrets: secrets, verifyToken: 'hookscope-verify-123' }));
      expect(d.cause).toBe('The signature was made with your verify token: paste the App Secret (App Dashboard → Settings → Basic), not the verify token.');
    }
  });

  it('no secret matches → another app or rotated', () => {
    const d = debugSignature(metaInput({ headers: [['x-hub-signature-256', SIGNED_HEADER]], rawBody: fixture(SIGNED_FILE), metaSecrets: ['a', 'b'] }));
    expect(d.candidates.length).toBeGreaterThanOrEqual(2);
    expect(d.candidates.every((c) => !c.matches)).toBe(true);
    expect(d.cause).toBe('No configured secret produces this signature: the app secret is probably from another Meta app, or was rotated.');
  });

  it('missing header', () => {
    const d = debugSignature(metaInput({ rawBody: fixture(SIGNED_FILE), metaSecrets: [SIGNED_SECRET] }));
    expect(d.received).toBeNull();
    expect(d.cause).toBe('No X-Hub-Signature-256 header: the request did not come from Meta, or a proxy stripped it.');
  });

  it('malformed header is named, not thrown', () => {
    const d = debugSignature(metaInput({ headers: [['x-hub-signature-256', 'sha256=abc']], rawBody: fixture(SIGNED_FILE), metaSecrets: [SIGNED_SECRET] }));
    expect(d.cause).toMatch(/wrong length/);
  });
});

describe('debugSignature — Twilio', () => {
  const raw = fixture('twilio/inbound-text.txt');
  const params = parseForm(raw.toString('utf8'));
  const PUBLIC = 'https://abc.ngrok-free.app';
  const twInput = (over: Partial<SignatureDebugInput>): SignatureDebugInput => ({
    provider: 'twilio', headers: [], rawBody: raw, method: 'POST', pathAndQuery: '/twilio', publicUrl: null,
    localUrl: 'http://127.0.0.1:4750', metaSecrets: [], verifyToken: null, twilioTokens: ['tok'], ...over,
  });
  const headers = (sig: string, extra: [string, string][] = []): [string, string][] => [
    ['host', 'abc.ngrok-free.app'], ['content-type', 'application/x-www-form-urlencoded'], ['x-forwarded-proto', 'https'],
    ['x-twilio-signature', sig], ...extra,
  ];

  it('Twilio signed the public URL while Hookscope only knows the local one', () => {
    const sig = signTwilio(`${PUBLIC}/twilio`, params, 'tok');
    const d = debugSignature(twInput({ headers: headers(sig) }));
    expect(d.cause).toBe('Twilio signed https://abc.ngrok-free.app/twilio but Hookscope only knows the local URL: set the public URL (or start the tunnel) so Twilio signatures can be checked.');
    expect(d.candidates.some((c) => c.label.includes('local URL'))).toBe(true);
  });

  it('only the local URL and no proxy hint: still says to set the public URL', () => {
    const sig = signTwilio(`${PUBLIC}/twilio`, params, 'tok');
    const d = debugSignature(twInput({ headers: [['host', '127.0.0.1:4750'], ['content-type', 'application/x-www-form-urlencoded'], ['x-twilio-signature', sig]] }));
    expect(d.cause).toMatch(/only knows the local URL.*set the public URL \(or start the tunnel\)/);
  });

  it('Twilio signed the URL with the default port', () => {
    const sig = signTwilio(`${PUBLIC}:443/twilio`, params, 'tok');
    const d = debugSignature(twInput({ headers: headers(sig), publicUrl: PUBLIC }));
    expect(d.cause).toMatch(/^Twilio signed the URL with the default port \(https:\/\/abc\.ngrok-free\.app:443\/twilio\)/);
    expect(verifyTwilio({ header: sig, tokens: ['tok'], urls: [`${PUBLIC}/twilio`], params, rawBody: raw }).verdict).toBe('valid');
  });

  it('valid with the public URL; and the stale tunnel address case', () => {
    const sig = signTwilio(`${PUBLIC}/twilio`, params, 'tok');
    expect(debugSignature(twInput({ headers: headers(sig), publicUrl: PUBLIC })).cause).toMatch(/^The signature is valid/);
    const stale = debugSignature(twInput({ headers: headers(sig), publicUrl: 'https://old.ngrok-free.app' }));
    expect(stale.cause).toMatch(/^Twilio signed https:\/\/abc\.ngrok-free\.app\/twilio, not the public URL set in Hookscope/);
  });

  it('wrong token → nothing matches, names the token or URL', () => {
    const sig = signTwilio(`${PUBLIC}/twilio`, params, 'other-account');
    const d = debugSignature(twInput({ headers: headers(sig), publicUrl: PUBLIC, twilioTokens: ['tok', 'tok2'] }));
    expect(d.candidates.every((c) => !c.matches)).toBe(true);
    expect(d.cause).toMatch(/^No configured auth token and URL produce this signature/);
    expect(JSON.stringify(d)).not.toMatch(/"tok2?"/);
  });

  it('missing header', () => {
    const d = debugSignature(twInput({ headers: [['content-type', 'application/x-www-form-urlencoded']], publicUrl: PUBLIC }));
    expect(d.received).toBeNull();
    expect(d.cause).toMatch(/^No X-Twilio-Signature header/);
  });

  it('JSON body vector: valid, and a changed body is named', () => {
    const base = 'https://hookscope-test.ngrok-free.app';
    const pq = '/twilio?bodySHA256=' + TW_JSON_HASH;
    const h: [string, string][] = [['content-type', 'application/json'], ['x-twilio-signature', TW_JSON_SIG]];
    const ok = debugSignature(twInput({ headers: h, rawBody: Buffer.from(TW_JSON_BODY), pathAndQuery: pq, publicUrl: base, twilioTokens: [TW_TOKEN] }));
    expect(ok.cause).toMatch(/^The signature is valid/);
    const changed = debugSignature(twInput({ headers: h, rawBody: Buffer.from('{}'), pathAndQuery: pq, publicUrl: base, twilioTokens: [TW_TOKEN] }));
    expect(changed.cause).toMatch(/bodySHA256/);
  });
});
