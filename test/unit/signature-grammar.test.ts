// The header grammars, URL forms and diagnoses of shared/signature.ts, pinned one behaviour at a time:
// each test names what a user would see go wrong if the code drifted (docs/mutation.md keeps the
// mutation score these tests hold the file to).
import { describe, expect, it } from 'vitest';
import {
  describeMetaHeaderProblem, escapeUnicodeJson, isLocalUrl, joinBaseUrl, parseMetaSignatureHeader,
  parseTwilioSignatureSettings, reserialiseJson, twilioBodyHashParam, twilioParamString, twilioSigningString,
  twilioUrlCandidates, twilioUrlCandidatesDetailed,
} from '../../shared/signature';

const HEX = '0123456789abcdef'.repeat(4);

describe('X-Hub-Signature-256 grammar: what Meta sends verifies, anything else is named', () => {
  it('a blank header is "empty", whatever the whitespace', () => {
    expect(parseMetaSignatureHeader('')).toEqual({ ok: false, problem: 'empty' });
    expect(parseMetaSignatureHeader(' \t ')).toEqual({ ok: false, problem: 'empty' });
  });

  it('a header without "=" has no prefix', () => {
    expect(parseMetaSignatureHeader(HEX)).toEqual({ ok: false, problem: 'no-prefix' });
  });

  it('a header starting with "=" names an empty algorithm instead of passing as sha256', () => {
    expect(parseMetaSignatureHeader(`=${HEX}`)).toEqual({ ok: false, problem: 'wrong-algorithm', algorithm: '' });
  });

  it('sha1= (the old X-Hub-Signature) is refused and named', () => {
    expect(parseMetaSignatureHeader(`sha1=${HEX.slice(0, 40)}`)).toEqual({ ok: false, problem: 'wrong-algorithm', algorithm: 'sha1' });
    expect(parseMetaSignatureHeader(`xsha256=${HEX}`)).toMatchObject({ ok: false, problem: 'wrong-algorithm', algorithm: 'xsha256' });
    expect(parseMetaSignatureHeader(`sha2566=${HEX}`)).toMatchObject({ ok: false, problem: 'wrong-algorithm' });
  });

  it('tolerates re-cased prefix, upper-case hex and spaces around "=", and returns lowercase hex', () => {
    expect(parseMetaSignatureHeader(`  SHA256 = ${HEX.toUpperCase()}  `)).toEqual({ ok: true, hex: HEX });
    expect(parseMetaSignatureHeader(`sha256=${HEX}`)).toEqual({ ok: true, hex: HEX });
  });

  it('64 characters that are not all hex are "not hex", not a valid signature', () => {
    expect(parseMetaSignatureHeader(`sha256=${'g'.repeat(64)}`)).toEqual({ ok: false, problem: 'not-hex' });
    expect(parseMetaSignatureHeader(`sha256=z${HEX.slice(1)}`)).toEqual({ ok: false, problem: 'not-hex' });
    expect(parseMetaSignatureHeader(`sha256=${HEX.slice(1)}z`)).toEqual({ ok: false, problem: 'not-hex' });
    expect(parseMetaSignatureHeader(`sha256=${HEX.slice(0, 32)} ${HEX.slice(33)}`)).toEqual({ ok: false, problem: 'not-hex' });
    expect(parseMetaSignatureHeader(`sha256=${HEX.slice(1)}=`)).toEqual({ ok: false, problem: 'not-hex' });
  });

  it('hex of the wrong length is "wrong length"', () => {
    expect(parseMetaSignatureHeader(`sha256=${HEX.slice(1)}`)).toEqual({ ok: false, problem: 'wrong-length' });
    expect(parseMetaSignatureHeader(`sha256=${HEX}a`)).toEqual({ ok: false, problem: 'wrong-length' });
    expect(parseMetaSignatureHeader('sha256=')).toEqual({ ok: false, problem: 'wrong-length' });
  });

  it('the debugger says what is wrong in words, one distinct sentence per problem', () => {
    const empty = describeMetaHeaderProblem({ ok: false, problem: 'empty' });
    const noPrefix = describeMetaHeaderProblem({ ok: false, problem: 'no-prefix' });
    const algo = describeMetaHeaderProblem({ ok: false, problem: 'wrong-algorithm', algorithm: 'sha1' });
    const algoUnknown = describeMetaHeaderProblem({ ok: false, problem: 'wrong-algorithm' });
    const notHex = describeMetaHeaderProblem({ ok: false, problem: 'not-hex' });
    const length = describeMetaHeaderProblem({ ok: false, problem: 'wrong-length' });
    expect(empty).toMatch(/X-Hub-Signature-256 header is empty/);
    expect(noPrefix).toMatch(/malformed: expected "sha256=" followed by 64 hex characters/);
    expect(algo).toMatch(/names "sha1" instead of sha256/);
    expect(algoUnknown).toMatch(/names "" instead of sha256/);
    expect(notHex).toMatch(/not hexadecimal/);
    expect(length).toMatch(/wrong length/);
    expect(new Set([empty, noPrefix, algo, notHex, length]).size).toBe(5);
  });
});

describe('JSON re-encodings the signature debugger tries', () => {
  it('reserialiseJson is parse-then-stringify, null for non-JSON', () => {
    expect(reserialiseJson('{ "a" : 1, "b": "\\u00e9" }')).toBe('{"a":1,"b":"é"}');
    expect(reserialiseJson('not json')).toBeNull();
  });

  it('escapeUnicodeJson: non-ASCII as lowercase \\uXXXX, / as \\/, ASCII and DEL untouched', () => {
    expect(escapeUnicodeJson('plain ~ text')).toBe('plain ~ text');
    expect(escapeUnicodeJson('a\u007fb')).toBe('a\u007fb');
    expect(escapeUnicodeJson('\u0080')).toBe('\\u0080');
    expect(escapeUnicodeJson('ÿĀ')).toBe('\\u00ff\\u0100');
    expect(escapeUnicodeJson('Sí 😀!')).toBe('S\\u00ed \\ud83d\\ude00!');
    expect(escapeUnicodeJson('a/b/')).toBe('a\\/b\\/');
    expect(escapeUnicodeJson('/é')).toBe('\\/\\u00e9');
  });

  it('escapeUnicodeJson copies existing escapes as they are', () => {
    expect(escapeUnicodeJson('"a\\/b"')).toBe('"a\\/b"');
    expect(escapeUnicodeJson('"\\"/"')).toBe('"\\"\\/"');
    expect(escapeUnicodeJson('\\\\/')).toBe('\\\\\\/');
    expect(escapeUnicodeJson('\\u00e9é')).toBe('\\u00e9\\u00e9');
  });
});

describe('the string Twilio signs', () => {
  it('no params: the URL alone', () => {
    expect(twilioParamString([])).toBe('');
    expect(twilioSigningString('https://h.example.com/x', [])).toBe('https://h.example.com/x');
  });

  it('keys in UTF-16 order; a repeated key\'s values de-duplicated and sorted', () => {
    expect(twilioParamString([['b', '2'], ['a', 'z'], ['B', '0'], ['a', 'y'], ['a', 'z']])).toBe('B0ayazb2');
    expect(twilioParamString([['k', 'v']])).toBe('kv');
    expect(twilioParamString([['k', '']])).toBe('k');
  });
});

describe('Twilio: the URL forms it may have signed', () => {
  it('https without a port: as given, then with :443', () => {
    expect(twilioUrlCandidatesDetailed('https://h.example.com/hook')).toEqual([
      { url: 'https://h.example.com/hook', variant: 'as-given' },
      { url: 'https://h.example.com:443/hook', variant: 'port-added', port: '443' },
    ]);
  });

  it('with the default port: as given, then without it', () => {
    expect(twilioUrlCandidatesDetailed('https://h.example.com:443/hook')).toEqual([
      { url: 'https://h.example.com:443/hook', variant: 'as-given' },
      { url: 'https://h.example.com/hook', variant: 'port-removed', port: '443' },
    ]);
    expect(twilioUrlCandidates('http://h.example.com:80/hook')).toEqual(['http://h.example.com:80/hook', 'http://h.example.com/hook']);
    expect(twilioUrlCandidates('http://h.example.com/hook')).toEqual(['http://h.example.com/hook', 'http://h.example.com:80/hook']);
  });

  it('another port, or a scheme without a default port, has no port variant', () => {
    expect(twilioUrlCandidates('https://h.example.com:8443/hook')).toEqual(['https://h.example.com:8443/hook']);
    expect(twilioUrlCandidates('https://h.example.com:80/hook')).toEqual(['https://h.example.com:80/hook']);
    expect(twilioUrlCandidates('ftp://h.example.com/hook')).toEqual(['ftp://h.example.com/hook']);
  });

  it('scheme case, user info, IPv6 brackets and the fragment survive', () => {
    expect(twilioUrlCandidates('HTTPS://h.example.com/x')).toEqual(['HTTPS://h.example.com/x', 'https://h.example.com:443/x']);
    expect(twilioUrlCandidates('https://u:p@h.example.com/x#f')).toEqual(['https://u:p@h.example.com/x#f', 'https://u:p@h.example.com:443/x#f']);
    expect(twilioUrlCandidates('https://[2001:db8::1]/x')).toEqual(['https://[2001:db8::1]/x', 'https://[2001:db8::1]:443/x']);
    expect(twilioUrlCandidates('https://[2001:db8::1]:443/x')).toEqual(['https://[2001:db8::1]:443/x', 'https://[2001:db8::1]/x']);
  });

  it('the legacy query form of each port form, after them', () => {
    expect(twilioUrlCandidatesDetailed('https://h.example.com/x?a=b+c')).toEqual([
      { url: 'https://h.example.com/x?a=b+c', variant: 'as-given' },
      { url: 'https://h.example.com:443/x?a=b+c', variant: 'port-added', port: '443' },
      { url: 'https://h.example.com/x?a=b%20c', variant: 'legacy-query' },
      { url: 'https://h.example.com:443/x?a=b%20c', variant: 'legacy-query' },
    ]);
    expect(twilioUrlCandidates('https://h.example.com:8443/x?a=b+c#f')).toEqual([
      'https://h.example.com:8443/x?a=b+c#f', 'https://h.example.com:8443/x?a=b%20c#f',
    ]);
  });

  it('the legacy query: re-encoded with encodeURIComponent, repeated keys grouped, index keys first', () => {
    const legacy = (q: string) => twilioUrlCandidates(`https://h.example.com:8443/x?${q}`).slice(1);
    expect(legacy('a=1&b=2&a=3')).toEqual(['https://h.example.com:8443/x?a=1&a=3&b=2']);
    expect(legacy('b=1&10=x&2=y&01=z')).toEqual(['https://h.example.com:8443/x?2=y&10=x&b=1&01=z']);
    expect(legacy('k&&v=%7e%21%27')).toEqual(['https://h.example.com:8443/x?k=&v=~!\'']);
    expect(legacy('a=%C3%A9%zz%41')).toEqual(['https://h.example.com:8443/x?a=%C3%A9%25zzA']);
    expect(legacy('a%20b=%E2%82')).toEqual(['https://h.example.com:8443/x?a%20b=%25E2%2582']);
    expect(legacy('4294967295=a&4294967294=b')).toEqual(['https://h.example.com:8443/x?4294967294=b&4294967295=a']);
    expect(legacy('12345678901=a&1=b')).toEqual(['https://h.example.com:8443/x?1=b&12345678901=a']);
    // Already in legacy form: nothing new to try.
    expect(legacy('a=1&b=2')).toEqual([]);
  });

  it('a lone surrogate in the query yields no legacy form (and does not throw)', () => {
    expect(twilioUrlCandidates('https://h.example.com:8443/x?a=\ud800b')).toEqual(['https://h.example.com:8443/x?a=\ud800b']);
  });

  it('an empty query or an unparseable URL yields the URL itself', () => {
    expect(twilioUrlCandidates('https://h.example.com:8443/x?')).toEqual(['https://h.example.com:8443/x?']);
    expect(twilioUrlCandidates('not a url')).toEqual(['not a url']);
    expect(twilioUrlCandidates('https://h.example.com:44x/x')).toEqual(['https://h.example.com:44x/x']);
  });
});

describe('Twilio JSON body: the bodySHA256 parameter', () => {
  it('is read by its name, not the first parameter', () => {
    expect(twilioBodyHashParam('https://h.example.com/x?foo=bar&bodySHA256=abc')).toBe('abc');
    expect(twilioBodyHashParam('https://h.example.com/x?bodySHA256=abc&foo=bar')).toBe('abc');
    expect(twilioBodyHashParam('https://h.example.com/x?foo=bar')).toBeNull();
    expect(twilioBodyHashParam('https://h.example.com/x?xbodySHA256=1&bodySHA2566=2&bodysha256=3')).toBeNull();
  });

  it('is percent-decoded, key and value; stops at the fragment', () => {
    expect(twilioBodyHashParam('https://h.example.com/x?body%53HA256=ab%2Bc+d#frag')).toBe('ab+c d');
  });

  it('without "=" or without a query there is none', () => {
    expect(twilioBodyHashParam('https://h.example.com/x?bodySHA256')).toBeNull();
    expect(twilioBodyHashParam('https://h.example.com/bodySHA256=abc')).toBeNull();
  });

  it('a relative URL still has its query read', () => {
    expect(twilioBodyHashParam('/x?a=1&bodySHA256=abc')).toBe('abc');
    expect(twilioBodyHashParam('/x/bodySHA256=abc')).toBeNull();
  });
});

describe('X-Twilio-Webhooks-Signature-Settings: which HMAC Twilio used', () => {
  it('no header, or no algorithm: HMAC-SHA1', () => {
    for (const h of [undefined, null, '', 'key=k1', 'algorithm', 'xalgorithm=HMAC_SHA256', 'algorithm=HMAC_SHA1', 'algorithm=HMAC_SHA512', 'algorithm=HMAC_SHA256X']) {
      expect(parseTwilioSignatureSettings(h)).toBe('HMAC_SHA1');
    }
  });

  it('algorithm=HMAC_SHA256 among other settings, written any common way: HMAC-SHA256', () => {
    for (const h of [
      'key=k1,algorithm=HMAC_SHA256', 'algorithm=HMAC_SHA256', ' Algorithm = hmac-sha256 ', 'key=k1; algorithm=sha256',
      'noequals,algorithm=HMAC_SHA256', 'algorithm=HMAC_SHA1,algorithm=HMAC_SHA256',
    ]) {
      expect(parseTwilioSignatureSettings(h), h).toBe('HMAC_SHA256');
    }
  });
});

describe('joinBaseUrl: the URL a provider called', () => {
  it('base plus the request path and query', () => {
    expect(joinBaseUrl('https://h.example.com', '/webhooks/twilio?x=1')).toBe('https://h.example.com/webhooks/twilio?x=1');
    expect(joinBaseUrl(' https://h.example.com// ', '/webhooks/twilio')).toBe('https://h.example.com/webhooks/twilio');
    expect(joinBaseUrl('https://h.example.com', 'webhooks/twilio')).toBe('https://h.example.com/webhooks/twilio');
    expect(joinBaseUrl('https://h.example.com', '')).toBe('https://h.example.com');
    expect(joinBaseUrl('https://h.example.com/', '/')).toBe('https://h.example.com/');
    expect(joinBaseUrl('https://h.example.com/other', '/webhooks/twilio?x=1')).toBe('https://h.example.com/other/webhooks/twilio?x=1');
  });

  it('a base pasted with the webhook path on it is not doubled; its own query wins', () => {
    expect(joinBaseUrl('https://h.example.com/webhooks/twilio', '/webhooks/twilio?x=1')).toBe('https://h.example.com/webhooks/twilio?x=1');
    expect(joinBaseUrl('https://h.example.com/webhooks/twilio/', '/webhooks/twilio/')).toBe('https://h.example.com/webhooks/twilio');
    expect(joinBaseUrl('https://h.example.com/webhooks/twilio?a=1', '/webhooks/twilio?x=1')).toBe('https://h.example.com/webhooks/twilio?a=1');
  });
});

describe('isLocalUrl: a URL Twilio cannot have called from the internet', () => {
  it('loopback, *.localhost and wildcard hosts are local', () => {
    for (const u of [
      'http://localhost:5173/x', 'https://LOCALHOST/x', 'https://app.localhost/x', 'http://127.0.0.1:8080/x', 'http://127.9.9.9/x',
      'http://[::1]:8080/x', 'http://0.0.0.0:3000/x', 'http://[::]:3000/x', 'http://user@localhost/x',
    ]) expect(isLocalUrl(u), u).toBe(true);
  });

  it('public hosts, look-alikes and unparseable text are not', () => {
    for (const u of [
      'https://abc.ngrok-free.app/x', 'https://localhost.example.com/x', 'https://mylocalhost/x', 'https://1127.0.0.1/x',
      'https://8.127.0.1/x', 'http://[::2]/x', 'http://0.0.0.1/x', 'localhost', 'not a url',
    ]) expect(isLocalUrl(u), u).toBe(false);
  });
});
