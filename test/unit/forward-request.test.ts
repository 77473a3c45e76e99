// What one forward is, decided without I/O (electron/core/tools/forward-request.ts): where it goes, what
// it carries, whether a target loops back, its delivery key, and what an answer makes of the outbox row.
import { describe, expect, it } from 'vitest';
import {
  FORWARDED_ORIGINS, MAX_RETRY_DELAY_MS, forwardAnswered, forwardKey, forwardedRequest, isSelfTarget, nextForwardStep, targetUrl,
} from '../../electron/core/tools/forward-request';

const metaHeaders: [string, string][] = [
  ['Host', 'abc.ngrok.app'], ['Authorization', 'Bearer stolen'], ['Content-Type', 'application/json'],
  ['Cookie', 'session=1'], ['X-Hub-Signature-256', 'sha256=ab'], ['X-Admin', '1'], ['User-Agent', 'facebookexternalua'],
];

describe('where a forward goes and what it carries', () => {
  it('a bare origin gets the route; the caller\'s query is never passed on', () => {
    expect(forwardedRequest('http://localhost:3000', { path: '/meta', headers: [] }).url).toBe('http://localhost:3000/meta');
    expect(forwardedRequest('http://localhost:3000/', { path: '/twilio', headers: [] }).url).toBe('http://localhost:3000/twilio');
    expect(forwardedRequest('http://localhost:3000/?k=v', { path: '/meta', headers: [] }).url).toBe('http://localhost:3000/meta');
  });
  it('a target with its own path is used as it is, query included', () => {
    expect(forwardedRequest('http://localhost:3000/webhook?k=v', { path: '/meta', headers: [] }).url).toBe('http://localhost:3000/webhook?k=v');
  });
  it('carries only the headers providers send, in their order; never a caller\'s Authorization or Cookie', () => {
    expect(forwardedRequest('http://localhost:3000', { path: '/meta', headers: metaHeaders }).headers).toEqual([
      ['Content-Type', 'application/json'], ['X-Hub-Signature-256', 'sha256=ab'], ['User-Agent', 'facebookexternalua'],
    ]);
  });
  it('refuses an invalid target by throwing', () => {
    expect(() => forwardedRequest('not a url', { path: '/meta', headers: [] })).toThrow();
  });
  it('a replay to a bare origin keeps the original path and query; a target with a path gets the query only when it has none', () => {
    expect(targetUrl('http://localhost:3000', '/meta', 'a=1')).toBe('http://localhost:3000/meta?a=1');
    expect(targetUrl('http://localhost:3000/hook', '/meta', 'a=1')).toBe('http://localhost:3000/hook?a=1');
    expect(targetUrl('http://localhost:3000/hook?b=2', '/meta', 'a=1')).toBe('http://localhost:3000/hook?b=2');
  });
  it('imports are history and are not forwarded; network, replay and simulate are', () => {
    expect([...FORWARDED_ORIGINS].sort()).toEqual(['network', 'replay', 'simulate']);
  });
});

describe('a target that would loop', () => {
  it('is this machine at the receiver\'s own port, by any local name', () => {
    for (const t of ['http://localhost:8080/x', 'http://127.0.0.1:8080', 'http://[::1]:8080', 'http://app.localhost:8080', 'http://0.0.0.0:8080']) {
      expect(isSelfTarget(t, 8080), t).toBe(true);
    }
    expect(isSelfTarget('http://localhost', 80)).toBe(true);
  });
  it('is not another port, another host, or any target while the receiver\'s port is unknown', () => {
    expect(isSelfTarget('http://localhost:3000', 8080)).toBe(false);
    expect(isSelfTarget('http://example.com:8080', 8080)).toBe(false);
    expect(isSelfTarget('http://localhost:8080', null)).toBe(false);
    expect(isSelfTarget('not a url', 8080)).toBe(false);
  });
});

describe('the delivery key', () => {
  it('is the same for a request and target every time, and differs per target and per request', () => {
    const k = forwardKey('db1', 7, 'http://localhost:3000');
    expect(forwardKey('db1', 7, 'http://localhost:3000')).toBe(k);
    expect(k).toMatch(/^db1-f7-[0-9a-f]{10}$/);
    expect(forwardKey('db1', 7, 'http://localhost:3001')).not.toBe(k);
    expect(forwardKey('db1', 8, 'http://localhost:3000')).not.toBe(k);
  });
});

describe('what an answer makes of the row', () => {
  const retry = { maxTries: 5, maxAgeMs: 60 * 60_000, baseDelayMs: 1000 };
  it('a 2xx or a 4xx other than "try later" ends it; 408, 425, 429, 5xx and no answer do not', () => {
    for (const s of [200, 204, 299, 400, 404, 410, 499]) expect(forwardAnswered(s), String(s)).toBe(true);
    for (const s of [null, 100, 301, 408, 425, 429, 500, 503]) expect(forwardAnswered(s), String(s)).toBe(false);
    expect(nextForwardStep({ status: 404, error: null }, 1, 0, 10, retry)).toEqual({ state: 'delivered', error: null });
  });
  it('retries with doubling delays, capped at a minute, keeping the reason', () => {
    expect(nextForwardStep({ status: 503, error: null }, 1, 0, 10, retry)).toEqual({ state: 'retrying', error: 'HTTP 503', nextAt: 1010 });
    expect(nextForwardStep({ status: null, error: 'Connection refused' }, 3, 0, 10, retry)).toEqual({ state: 'retrying', error: 'Connection refused', nextAt: 4010 });
    const long = nextForwardStep({ status: 500, error: null }, 4, 0, 10, { ...retry, baseDelayMs: 30_000 });
    expect(long).toEqual({ state: 'retrying', error: 'HTTP 500', nextAt: 10 + MAX_RETRY_DELAY_MS });
  });
  it('gives up after maxTries tries, saying so', () => {
    expect(nextForwardStep({ status: 503, error: null }, 5, 0, 10, retry)).toEqual({ state: 'given_up', error: 'HTTP 503; gave up after 5 tries' });
    expect(nextForwardStep({ status: 503, error: null }, 1, 0, 10, { ...retry, maxTries: 1 })).toEqual({ state: 'given_up', error: 'HTTP 503; gave up after 1 try' });
  });
  it('gives up once maxAgeMs have passed since it was queued, whatever the tries left', () => {
    expect(nextForwardStep({ status: 500, error: null }, 2, 1000, 1000 + retry.maxAgeMs, retry).state).toBe('given_up');
    expect(nextForwardStep({ status: 500, error: null }, 2, 1000, 999 + retry.maxAgeMs, retry).state).toBe('retrying');
  });
});
