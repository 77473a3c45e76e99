import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { createHash, createHmac } from 'node:crypto';
import {
  debugSignature, signMeta, signTwilio, verifyMeta, verifyTwilio, type SignatureDebugInput,
} from '../../electron/core/ingest/signature';
import {
  escapeUnicodeJson, joinBaseUrl, parseMetaSignatureHeader, parseTwilioSignatureSettings, reserialiseJson,
  twilioSigningString, twilioUrlCandidates,
} from '../../shared/signature';

// The shared folder is a sibling of the repository.
const FIXTURES = path.resolve(__dirname, '../../../shared/fixtures/whatsapp');
const fixture = (name: string): Buffer => fs.readFileSync(path.join(FIXTURES, name));

// ---- vectors from fixtures/whatsapp/SOURCES.md, "Signature test vectors" ----
const REAL_CAPTURE = 'meta-cloud__message-text__pywa-signed-real-capture.json';
const REAL_SECRET = '1222e786b144d0e85b9f365372d93676';
const REAL_HEADER = 'sha256=54edfa1d7259e0eb13c677cc7d73d1b5c86cfa12433d19156e058ab9251bc441';
const EMOJI_FIXTURE = 'meta-cloud__message-reaction__pywa-emoji-escaped.json';
const URL_FIXTURE = 'meta-cloud__message-image__pywa-media-with-url.json';

const TW_TOKEN = '12345';
const TW_URL = 'https://mycompany.com/myapp.php?foo=1&bar=2';
const TW_PARAMS: [string, string][] = [
  ['CallSid', 'CA1234567890ABCDE'], ['Caller', '+14158675309'], ['Digits', '1234'],
  ['From', '+14158675309'], ['To', '+18005551212'],
];
const TW_SIG = 'RSOYDt4T1cUTdK1PDd93/VVr8B8=';
const TW_JSON_BODY = '{"property": "value", "boolean": true}';
const TW_JSON_HASH = '0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620';
const TW_JSON_URL = `${TW_URL}&bodySHA256=${TW_JSON_HASH}`;
const TW_JSON_SIG = 'a9nBmqA0ju/hNViExpshrM61xv4=';

function parseForm(text: string): [string, string][] {
  return text.split('&').map((p) => {
    const eq = p.indexOf('=');
    return [decodeURIComponent(p.slice(0, eq).replace(/\+/g, ' ')), decodeURIComponent(p.slice(eq + 1).replace(/\+/g, ' '))];
  });
}

describe('signature vectors (SOURCES.md)', () => {
  it('1. Meta real signed capture verifies over the fixture bytes', () => {
    const body = fixture(REAL_CAPTURE);
    expect(body.length).toBe(511);
    expect(signMeta(body, REAL_SECRET)).toBe(REAL_HEADER);
    expect(verifyMeta(body, REAL_HEADER, [REAL_SECRET])).toEqual({ verdict: 'valid', diagnosis: null, matchedSecretIndex: 0 });
  });

  it('2. HMAC(TEST_APP_SECRET, "test") — official Node SDK', () => {
    const hex = '0c61947b610d4f45e65f3d680e26027121ec2413e77598bcb6cfc6e0d9888221';
    expect(signMeta('test', 'TEST_APP_SECRET')).toBe(`sha256=${hex}`);
    expect(verifyMeta(Buffer.from('test'), `sha256=${hex}`, ['TEST_APP_SECRET']).verdict).toBe('valid');
  });

  it('3. HMAC("secret", "test") — Elixir SDK', () => {
    const hex = '0329a06b62cd16b33eb6792be8c60b158d89a2ee3a876fce9a881ebb488c0914';
    expect(signMeta(Buffer.from('test'), 'secret')).toBe(`sha256=${hex}`);
    expect(verifyMeta(Buffer.from('test'), `sha256=${hex}`, ['secret']).verdict).toBe('valid');
  });

  it('4. Twilio form-encoded vector', () => {
    expect(twilioSigningString(TW_URL, TW_PARAMS)).toBe(
      'https://mycompany.com/myapp.php?foo=1&bar=2CallSidCA1234567890ABCDECaller+14158675309Digits1234From+14158675309To+18005551212',
    );
    expect(signTwilio(TW_URL, TW_PARAMS, TW_TOKEN)).toBe(TW_SIG);
    // Params arrive in any order: the signed string sorts them.
    const shuffled = [...TW_PARAMS].reverse();
    expect(verifyTwilio({ header: TW_SIG, tokens: [TW_TOKEN], urls: [TW_URL], params: shuffled, rawBody: Buffer.from('') }))
      .toEqual({ verdict: 'valid', diagnosis: null, matchedSecretIndex: 0 });
  });

  it('5. Twilio JSON body vector (bodySHA256)', () => {
    expect(createHash('sha256').update(TW_JSON_BODY).digest('hex')).toBe(TW_JSON_HASH);
    expect(signTwilio(TW_JSON_URL, [], TW_TOKEN)).toBe(TW_JSON_SIG);
    const check = verifyTwilio({ header: TW_JSON_SIG, tokens: [TW_TOKEN], urls: [TW_JSON_URL], params: null, rawBody: Buffer.from(TW_JSON_BODY) });
    expect(check).toEqual({ verdict: 'valid', diagnosis: null, matchedSecretIndex: 0 });
  });
});

describe('verifyMeta', () => {
  const body = fixture(REAL_CAPTURE);

  it('accepts any of several secrets (rotation, several apps) and says which', () => {
    const r = verifyMeta(body, REAL_HEADER, ['other-app-secret', 'old-secret', REAL_SECRET]);
    expect(r.verdict).toBe('valid');
    expect(r.matchedSecretIndex).toBe(2);
  });

  it('tampered body → invalid', () => {
    const tampered = Buffer.from(body.toString('utf8').replace('Hey there!', 'Hey there?'));
    const r = verifyMeta(tampered, REAL_HEADER, [REAL_SECRET]);
    expect(r.verdict).toBe('invalid');
    expect(r.diagnosis).toMatch(/does not match/);
    expect(r.matchedSecretIndex).toBeUndefined();
  });

  it('one flipped hex char → invalid', () => {
    const last = REAL_HEADER.at(-1)!;
    const flipped = REAL_HEADER.slice(0, -1) + (last === '0' ? '1' : '0');
    expect(verifyMeta(body, flipped, [REAL_SECRET]).verdict).toBe('invalid');
  });

  it('missing header → missing, with a diagnosis', () => {
    const r = verifyMeta(body, undefined, [REAL_SECRET]);
    expect(r.verdict).toBe('missing');
    expect(r.diagnosis).toMatch(/X-Hub-Signature-256/);
  });

  it('no secret → unchecked, whatever the header', () => {
    expect(verifyMeta(body, REAL_HEADER, []).verdict).toBe('unchecked');
    expect(verifyMeta(body, undefined, []).verdict).toBe('unchecked');
  });

  it('headers of the wrong length or shape do not throw', () => {
    for (const h of ['sha256=', 'sha256=abc', `${REAL_HEADER}00`, 'sha256=zz', 'garbage', 'sha1=0123', `sha256=${'g'.repeat(64)}`, '=']) {
      const r = verifyMeta(body, h, [REAL_SECRET]);
      expect(r.verdict).toBe('invalid');
      expect(r.diagnosis).toBeTruthy();
    }
  });

  it('tolerates upper-case hex, prefix case and whitespace', () => {
    const hex = REAL_HEADER.slice('sha256='.length);
    expect(verifyMeta(body, `  SHA256 = ${hex.toUpperCase()}\t`, [REAL_SECRET]).verdict).toBe('valid');
    expect(parseMetaSignatureHeader(` sha256=${hex.toUpperCase()} `)).toEqual({ ok: true, hex });
    expect(parseMetaSignatureHeader('sha1=abcd')).toEqual({ ok: false, problem: 'wrong-algorithm', algorithm: 'sha1' });
  });

  it('raw bytes matter: a body re-serialised from a payload with emoji or \\/ escapes fails', () => {
    for (const name of [EMOJI_FIXTURE, URL_FIXTURE]) {
      // What Meta sends: compact, non-ASCII as \uXXXX, / as \/.
      const metaBody = escapeUnicodeJson(JSON.stringify(JSON.parse(fixture(name).toString('utf8'))));
      expect(metaBody).toMatch(name === EMOJI_FIXTURE ? /\\ud83d\\ude2e/ : /https:\\\/\\\//);
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
    const withPort = 'https://mycompany.com:443/myapp.php?foo=1&bar=2';
    expect(verifyTwilio({ ...base, header: signTwilio(withPort, TW_PARAMS, TW_TOKEN) }).verdict).toBe('valid');
    expect(verifyTwilio({ ...base, header: TW_SIG, urls: [withPort] }).verdict).toBe('valid');
  });

  it('tampered param → invalid; missing header → missing; no token → unchecked', () => {
    const params = TW_PARAMS.map(([k, v]) => [k, k === 'Digits' ? '9999' : v] as [string, string]);
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

  it('HMAC_SHA256 when X-Twilio-Webhooks-Signature-Settings says so (and inferred from the length)', () => {
    const sig = signTwilio(TW_URL, TW_PARAMS, TW_TOKEN, 'HMAC_SHA256');
    expect(sig).toBe(createHmac('sha256', TW_TOKEN).update(twilioSigningString(TW_URL, TW_PARAMS)).digest('base64'));
    const algorithm = parseTwilioSignatureSettings('key=abc,algorithm=HMAC_SHA256');
    expect(algorithm).toBe('HMAC_SHA256');
    expect(verifyTwilio({ ...base, header: sig, algorithm }).verdict).toBe('valid');
    expect(verifyTwilio({ ...base, header: sig }).verdict).toBe('valid');
    expect(verifyTwilio({ ...base, header: TW_SIG, algorithm }).verdict).toBe('invalid');
  });

  it('verifies a real Twilio WhatsApp form body signed for a tunnel URL', () => {
    const raw = fixture('twilio__inbound-text__botbuilder-text.txt');
    const params = parseForm(raw.toString('utf8'));
    const url = 'https://abc.ngrok-free.app/twilio';
    const header = signTwilio(url, params, 'tok');
    expect(verifyTwilio({ header, tokens: ['tok'], urls: [url, 'http://127.0.0.1:4750/twilio'], params, rawBody: raw }).verdict).toBe('valid');
    const localOnly = verifyTwilio({ header, tokens: ['tok'], urls: ['http://127.0.0.1:4750/twilio'], params, rawBody: raw });
    expect(localOnly.verdict).toBe('invalid');
    expect(localOnly.diagnosis).toMatch(/public URL/);
  });
});

describe('shared signature maths', () => {
  it('twilioSigningString sorts keys, and de-duplicates and sorts repeated values', () => {
    expect(twilioSigningString('https://x/y', [['b', '2'], ['a', 'z'], ['a', 'm'], ['a', 'z']])).toBe('https://x/yamazb2');
  });

  it('twilioUrlCandidates: as given, default port added/removed, legacy query', () => {
    expect(twilioUrlCandidates(TW_URL)).toEqual([TW_URL, 'https://mycompany.com:443/myapp.php?foo=1&bar=2']);
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
    expect(reserialiseJson(raw)).toContain('😮');
    expect(escapeUnicodeJson(reserialiseJson(raw)!)).toContain('"emoji":"\\ud83d\\ude2e"');
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
      headers: [['x-hub-signature-256', REAL_HEADER]], rawBody: fixture(REAL_CAPTURE), metaSecrets: ['wrong', REAL_SECRET],
    }));
    expect(d.received).toBe(REAL_HEADER);
    expect(d.candidates.find((c) => c.matches)?.label).toMatch(/^app secret #2 \([0-9a-f]{4}\) · raw body/);
    expect(d.candidates.find((c) => c.matches)?.computed).toBe(REAL_HEADER);
    expect(d.cause).toMatch(/valid/);
  });

  it('never shows a secret or the verify token, only labels and fingerprints', () => {
    const d = debugSignature(metaInput({
      headers: [['x-hub-signature-256', 'sha256=' + '0'.repeat(64)]], rawBody: fixture(REAL_CAPTURE),
      metaSecrets: [REAL_SECRET], verifyToken: 'my-verify-token',
    }));
    const text = JSON.stringify(d);
    expect(text).not.toContain(REAL_SECRET);
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
    const raw = fixture(REAL_CAPTURE);
    const header = signMeta(raw, 'hookscope-verify-123');
    for (const secrets of [['hookscope-verify-123x'], []]) {
      const d = debugSignature(metaInput({ headers: [['x-hub-signature-256', header]], rawBody: raw, metaSecrets: secrets, verifyToken: 'hookscope-verify-123' }));
      expect(d.cause).toBe('The signature was made with your verify token: paste the App Secret (App Dashboard → Settings → Basic), not the verify token.');
    }
  });

  it('no secret matches → another app or rotated', () => {
    const d = debugSignature(metaInput({ headers: [['x-hub-signature-256', REAL_HEADER]], rawBody: fixture(REAL_CAPTURE), metaSecrets: ['a', 'b'] }));
    expect(d.candidates.length).toBeGreaterThanOrEqual(2);
    expect(d.candidates.every((c) => !c.matches)).toBe(true);
    expect(d.cause).toBe('No configured secret produces this signature: the app secret is probably from another Meta app, or was rotated.');
  });

  it('missing header', () => {
    const d = debugSignature(metaInput({ rawBody: fixture(REAL_CAPTURE), metaSecrets: [REAL_SECRET] }));
    expect(d.received).toBeNull();
    expect(d.cause).toBe('No X-Hub-Signature-256 header: the request did not come from Meta, or a proxy stripped it.');
  });

  it('malformed header is named, not thrown', () => {
    const d = debugSignature(metaInput({ headers: [['x-hub-signature-256', 'sha256=abc']], rawBody: fixture(REAL_CAPTURE), metaSecrets: [REAL_SECRET] }));
    expect(d.cause).toMatch(/wrong length/);
  });
});

describe('debugSignature — Twilio', () => {
  const raw = fixture('twilio__inbound-text__botbuilder-text.txt');
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
    const base = 'https://mycompany.com';
    const pq = '/myapp.php?foo=1&bar=2&bodySHA256=' + TW_JSON_HASH;
    const h: [string, string][] = [['content-type', 'application/json'], ['x-twilio-signature', TW_JSON_SIG]];
    const ok = debugSignature(twInput({ headers: h, rawBody: Buffer.from(TW_JSON_BODY), pathAndQuery: pq, publicUrl: base, twilioTokens: [TW_TOKEN] }));
    expect(ok.cause).toMatch(/^The signature is valid/);
    const changed = debugSignature(twInput({ headers: h, rawBody: Buffer.from('{}'), pathAndQuery: pq, publicUrl: base, twilioTokens: [TW_TOKEN] }));
    expect(changed.cause).toMatch(/bodySHA256/);
  });
});

describe('speed', () => {
  it('verifyMeta stays in the microseconds', () => {
    const body = fixture(REAL_CAPTURE);
    const n = 5000;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) verifyMeta(body, REAL_HEADER, [REAL_SECRET]);
    const perCallUs = ((performance.now() - t0) * 1000) / n;
    expect(perCallUs).toBeLessThan(100);
  });
});
