// What one http action sends and what its answer means (electron/core/rules/action-request.ts): the
// headers and signature, the delivery key, the loop guard, and retries with doubling delays.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { actionHeaders, actionKey, attemptResult, loopProblem, originOf, withDeliveryKey } from '../../electron/core/rules/action-request';

const post = { type: 'http' as const, url: 'https://hooks.example.com/x', method: 'POST' as const };

describe('the headers of an action', () => {
  it('adds a user agent and a JSON content type unless the user set them', () => {
    expect(actionHeaders(post, '{"a":1}', null)).toEqual([['user-agent', 'Hookscope'], ['content-type', 'application/json']]);
    expect(actionHeaders({ ...post, headers: { 'User-Agent': 'mine', 'Content-Type': 'text/plain' } }, 'x', null))
      .toEqual([['User-Agent', 'mine'], ['Content-Type', 'text/plain']]);
    expect(actionHeaders(post, '', null)).toEqual([['user-agent', 'Hookscope']]); // no body, no content type
  });
  it('signs the exact body with the action\'s secret, so the receiver can check it', () => {
    const body = '{"text":"héllo"}';
    const sig = actionHeaders(post, body, 's3cret').find(([k]) => k === 'x-hookscope-signature')?.[1];
    expect(sig).toBe(`sha256=${createHmac('sha256', 's3cret').update(body).digest('hex')}`);
    expect(actionHeaders(post, body, null).some(([k]) => k === 'x-hookscope-signature')).toBe(false);
  });
});

describe('the delivery key', () => {
  it('of an event\'s action is made of the event, the rule and the action\'s position', () => {
    expect(actionKey('db1', { eventId: 9, ruleId: 3, actionIndex: 1 })).toBe('db1-a9-3-1');
    expect(actionKey('db1', { eventId: null, ruleId: 3, actionIndex: 1 })).toBeNull();
    expect(actionKey('db1', { eventId: 9, ruleId: null, actionIndex: 1 })).toBeNull();
  });
  it('is sent as Idempotency-Key and X-Hookscope-Delivery; a user\'s own Idempotency-Key wins', () => {
    expect(withDeliveryKey([['a', '1']], 'k1')).toEqual([['a', '1'], ['idempotency-key', 'k1'], ['x-hookscope-delivery', 'k1']]);
    expect(withDeliveryKey([['Idempotency-Key', 'mine']], 'k1')).toEqual([['Idempotency-Key', 'mine'], ['x-hookscope-delivery', 'k1']]);
  });
});

describe('a target that loops back into this Hookscope', () => {
  const self = { ports: [8080], urls: ['https://abc.ngrok.app', 'not a url'] };
  it('is refused: the receiver\'s port on this machine, or its public URL', () => {
    expect(loopProblem('http://localhost:8080/meta', self)).toMatch(/own receiver \(port 8080\)/);
    expect(loopProblem('http://127.0.0.9:8080', self)).toMatch(/own receiver/);
    expect(loopProblem('http://[::1]:8080', self)).toMatch(/own receiver/);
    expect(loopProblem('https://ABC.ngrok.app/hook', self)).toMatch(/own public URL/);
    expect(loopProblem('not a url', self)).toBe('the target is not a URL');
  });
  it('is not another port on this machine or another host at the same port', () => {
    expect(loopProblem('http://localhost:3000', self)).toBeNull();
    expect(loopProblem('http://hooks.example.com:8080', self)).toBeNull();
  });
  it('groups targets by origin for the per-target slots', () => {
    expect(originOf('https://hooks.example.com/a?b=1')).toBe('https://hooks.example.com');
    expect(originOf('nonsense')).toBe('nonsense');
  });
});

describe('what an answer makes of a job', () => {
  const retry = { maxTries: 6, baseDelayMs: 30_000 };
  it('a 2xx ends it', () => {
    expect(attemptResult({ status: 204, error: null }, 3, 0, retry)).toEqual({ ok: true, last: true, nextAt: null, error: null });
  });
  it('anything else is tried again after 30 s, 1, 2, 4, 8 min, then given up after six tries, saying so', () => {
    const delays = [1, 2, 3, 4, 5].map((n) => attemptResult({ status: 500, error: null }, n, 0, retry).nextAt);
    expect(delays).toEqual([30_000, 60_000, 120_000, 240_000, 480_000]);
    expect(attemptResult({ status: 500, error: null }, 1, 0, retry).error).toBe('HTTP 500');
    expect(attemptResult({ status: null, error: 'Connection refused' }, 6, 0, retry))
      .toEqual({ ok: false, last: true, nextAt: null, error: 'Connection refused; gave up after 6 tries' });
    expect(attemptResult({ status: 302, error: null }, 6, 0, retry).error).toBe('HTTP 302; gave up after 6 tries');
  });
});
