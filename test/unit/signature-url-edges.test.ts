// The edges of shared/signature.ts's URL handling that a mutation run found unpinned (docs/mutation.md):
// a Twilio candidate URL must be the URL as written with one deliberate change, never a URL with part of
// it silently dropped; the legacy query must be exactly what node's querystring writes; the bodySHA256
// parameter is found only under its own name; a pasted webhook URL is not doubled however it ends.
import { describe, expect, it } from 'vitest';
import { joinBaseUrl, isLocalUrl, twilioBodyHashParam, twilioUrlCandidates } from '../../shared/signature';

describe('Twilio candidate URLs never drop part of what was written', () => {
  it('text before the scheme makes the URL unparseable: no port variant that would lose it', () => {
    expect(twilioUrlCandidates('1https://h.example.com/x')).toEqual(['1https://h.example.com/x']);
    expect(twilioUrlCandidates('see https://h.example.com/x')).toEqual(['see https://h.example.com/x']);
    // The same rule keeps a look-alike from counting as a local URL.
    expect(isLocalUrl('1http://localhost/x')).toBe(false);
  });

  it('a fragment that spans lines is not cut at the line break', () => {
    expect(twilioUrlCandidates('https://h.example.com/x#a\nb')).toEqual(['https://h.example.com/x#a\nb']);
  });

  it('a port that is not all digits is not read as the digits before it', () => {
    expect(twilioUrlCandidates('https://h.example.com:443x/x')).toEqual(['https://h.example.com:443x/x']);
    expect(twilioUrlCandidates('https://h.example.com:x/x')).toEqual(['https://h.example.com:x/x']);
  });

  it('an empty user info ("@" right after //) is kept in every variant', () => {
    expect(twilioUrlCandidates('https://@h.example.com/x')).toEqual(['https://@h.example.com/x', 'https://@h.example.com:443/x']);
  });
});

describe('the legacy query is exactly what node\'s querystring writes', () => {
  const legacy = (q: string) => twilioUrlCandidates(`https://h.example.com:8443/x?${q}`).slice(1);

  it('4294967295 is not an array index (it keeps its place); 4294967294 is (it goes first)', () => {
    // node: querystring.stringify(querystring.parse('b=1&4294967295=a')) === 'b=1&4294967295=a'
    expect(legacy('b=1&4294967295=a')).toEqual([]);
    expect(legacy('b=1&4294967294=a')).toEqual(['https://h.example.com:8443/x?4294967294=a&b=1']);
  });

  it('a pair with an empty name ("=x") keeps its value under the empty name', () => {
    // node: querystring.stringify(querystring.parse('=x&a=1')) === '=x&a=1', nothing new to try.
    expect(legacy('=x&a=1')).toEqual([]);
    expect(legacy('=x+y')).toEqual(['https://h.example.com:8443/x?=x%20y']);
  });
});

describe('the bodySHA256 parameter is found only under its own name', () => {
  it('a relative URL whose first parameter is bodySHA256', () => {
    expect(twilioBodyHashParam('/x?bodySHA256=abc')).toBe('abc');
  });

  it('a parameter without "=" whose name starts with bodySHA256 is not it', () => {
    expect(twilioBodyHashParam('https://h.example.com/x?bodySHA256x')).toBeNull();
    expect(twilioBodyHashParam('https://h.example.com/x?a=1&bodySHA2560')).toBeNull();
  });
});

describe('joinBaseUrl: edges of the path', () => {
  it('a bare query goes after a slash, not glued to the host', () => {
    expect(joinBaseUrl('https://h.example.com', '?x=1')).toBe('https://h.example.com/?x=1');
  });

  it('a request path with several trailing slashes still matches the pasted webhook path', () => {
    expect(joinBaseUrl('https://h.example.com/webhooks/twilio', '/webhooks/twilio//')).toBe('https://h.example.com/webhooks/twilio');
  });
});
