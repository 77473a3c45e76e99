// What each health check reads from its measure (electron/core/health/evaluators.ts) and what a reading
// does to a check's episode and notifications (healthStep in electron/core/health/health-state.ts) —
// pure, without a database or a clock.
import { describe, expect, it } from 'vitest';
import {
  EVALUATORS, judgeFailureRate, judgeQuality, judgeSignatures, judgeSilence, judgeStuck, type ReadContext,
} from '../../electron/core/health/evaluators';
import { healthStep } from '../../electron/core/health/health-state';
import type { Measures } from '../../electron/core/health/measures';
import { HEALTH_KINDS, healthParamsOf } from '../../shared/health';

const MIN = 60_000;
const NOW = new Date(2026, 5, 2, 12, 0).getTime();
const ctx = (c: Partial<ReadContext> = {}): ReadContext => ({ now: NOW, enabledAt: NOW - 24 * 60 * MIN, firingSince: null, startedAt: NOW - 24 * 60 * MIN, ...c });

describe('silence', () => {
  const p = { minutes: 60, provider: 'meta' as const };
  it('fires after the set minutes without an accepted webhook, valued in minutes since the last one', () => {
    const r = judgeSilence(p, NOW - 61 * MIN, ctx());
    expect(r).toMatchObject({ bad: true, value: 61, title: 'No webhooks from Meta for 60 minutes' });
    expect(judgeSilence(p, NOW - 59 * MIN, ctx()).bad).toBe(false);
  });
  it('does not count the time the app was closed or the check was off', () => {
    expect(judgeSilence(p, NOW - 5 * 60 * MIN, ctx({ startedAt: NOW - 10 * MIN })).bad).toBe(false);
    expect(judgeSilence(p, NOW - 5 * 60 * MIN, ctx({ enabledAt: NOW - 10 * MIN })).bad).toBe(false);
    expect(judgeSilence(p, null, ctx({ startedAt: NOW - 61 * MIN, enabledAt: NOW - 61 * MIN })).bad).toBe(true);
  });
  it('never fires outside working hours, and counts from their start inside them', () => {
    const late = { ...p, from: '13:00', to: '17:00' };
    expect(judgeSilence(late, NOW - 5 * 60 * MIN, ctx()).bad).toBe(false);
    const since10 = { ...p, from: '11:30', to: '17:00' };
    expect(judgeSilence(since10, NOW - 5 * 60 * MIN, ctx()).bad).toBe(false); // 30 min into the day's hours
    expect(judgeSilence({ ...p, from: '10:30', to: '17:00' }, NOW - 5 * 60 * MIN, ctx()).bad).toBe(true);
  });
  it('is over only when a webhook arrives after it fired', () => {
    expect(judgeSilence(p, NOW - 61 * MIN, ctx({ firingSince: NOW - MIN })).over).toBe(false);
    expect(judgeSilence(p, NOW - MIN, ctx({ firingSince: NOW - 2 * MIN })).over).toBe(true);
    expect(judgeSilence(p, NOW - MIN, ctx()).over).toBe(false); // not firing: nothing to recover
  });
  it('says when nothing was ever accepted', () => {
    expect(judgeSilence({ minutes: 5, businessId: '1555' }, null, ctx()).summary).toBe('No accepted webhook from number 1555 yet');
  });
});

describe('failure rate', () => {
  const p = { percent: 20, windowMinutes: 15 };
  const f = { percent: 25, sent: 8, failed: 2, businessId: '1555', codes: [{ code: '131026', count: 2 }] };
  it('fires at the set percentage, naming the number and the error codes', () => {
    expect(judgeFailureRate(p, f)).toMatchObject({
      bad: true, over: false, value: 25, businessId: '1555',
      title: 'Failure rate 25 % on number 1555 over the last 15 minutes',
      summary: '2 of 8 messages failed on number 1555 in the last 15 min (25 %): 131026 ×2',
    });
    expect(judgeFailureRate(p, { ...f, percent: 19 }).bad).toBe(false);
  });
  it('needs at least one failure', () => {
    expect(judgeFailureRate({ ...p, percent: 0 }, { ...f, percent: 0, failed: 0 }).bad).toBe(false);
  });
});

describe('stuck messages', () => {
  it('fires at the set count and keeps message ids out of the stored words', () => {
    const r = judgeStuck({ minutes: 30, count: 2 }, { count: 2, ids: ['wamid.SECRET1', 'wamid.SECRET2'] });
    expect(r).toMatchObject({ bad: true, value: 2, ids: ['wamid.SECRET1', 'wamid.SECRET2'], title: '2 messages stuck at sent for over 30 minutes' });
    expect(`${r.summary} ${r.title} ${r.recoveredTitle}`).not.toContain('wamid');
    expect(judgeStuck({ minutes: 30, count: 2 }, { count: 1, ids: ['x'] }).bad).toBe(false);
  });
});

describe('signatures', () => {
  it('fires at five rejected signatures in the window by default', () => {
    expect(judgeSignatures({ windowMinutes: 15 }, 5)).toMatchObject({ bad: true, title: '5 webhooks failed their signature check in 15 minutes' });
    expect(judgeSignatures({ windowMinutes: 15 }, 4).bad).toBe(false);
  });
});

describe('quality', () => {
  it('fires on any warning, titled with the latest one cut to 120 characters', () => {
    const latest = `Quality rating dropped to RED ${'x'.repeat(200)}`;
    const r = judgeQuality({ windowMinutes: 60 }, { count: 3, latest });
    expect(r.bad).toBe(true);
    expect(r.title).toBe(`Quality or limits: ${latest.slice(0, 120)}`);
    expect(judgeQuality({ windowMinutes: 60 }, { count: 0, latest: null })).toMatchObject({ bad: false, over: true });
  });
});

describe('the table of checks', () => {
  const fake = (calls: string[]): Measures => ({
    lastAccepted: (_p, at) => { calls.push('lastAccepted'); return at - 2 * MIN; },
    failureRate: (_p, at) => { calls.push('failureRate'); return { percent: at === NOW ? 50 : 10, sent: 2, failed: 1, businessId: null, codes: [] }; },
    stuck: () => { calls.push('stuck'); return { count: 0, ids: [] }; },
    stuckSeries: (_p, ats) => { calls.push('stuckSeries'); return ats.map(() => 1); },
    signatures: () => { calls.push('signatures'); return 0; },
    quality: () => { calls.push('quality'); return { count: 0, latest: null }; },
  });
  it('has one evaluator per preset, each reading its own measure', () => {
    for (const k of HEALTH_KINDS) {
      const calls: string[] = [];
      EVALUATORS[k].read(fake(calls), healthParamsOf(k, null), ctx());
      expect(calls, k).toEqual([{ silence: 'lastAccepted', 'failure-rate': 'failureRate', stuck: 'stuck', signatures: 'signatures', quality: 'quality' }[k]]);
    }
  });
  it('draws the chart at each moment; stuck in one pass for all of them', () => {
    const ats = [NOW - 2 * MIN, NOW - MIN, NOW];
    expect(EVALUATORS['failure-rate'].series(fake([]), {}, ats)).toEqual([10, 10, 50]);
    expect(EVALUATORS.silence.series(fake([]), {}, ats)).toEqual([2, 2, 2]);
    const calls: string[] = [];
    expect(EVALUATORS.stuck.series(fake(calls), {}, ats)).toEqual([1, 1, 1]);
    expect(calls).toEqual(['stuckSeries']);
  });
  it('shows each check\'s threshold and a chart twice its duration or four windows long', () => {
    expect(EVALUATORS.silence.threshold({ minutes: 45 })).toBe(45);
    expect(EVALUATORS['failure-rate'].threshold({ percent: 30 })).toBe(30);
    expect(EVALUATORS.stuck.threshold({ count: 3 })).toBe(3);
    expect(EVALUATORS.signatures.threshold({ count: 7 })).toBe(7);
    expect(EVALUATORS.quality.threshold({})).toBe(1);
    expect(EVALUATORS.silence.span({ minutes: 30 })).toBe(60 * MIN);
    expect(EVALUATORS.signatures.span({ windowMinutes: 15 })).toBe(60 * MIN);
  });
});

describe('an evaluation\'s step', () => {
  const bad = { bad: true, over: false };
  const fine = { bad: false, over: true };
  it('opens an episode and tells it once; the next readings of the same episode tell nothing', () => {
    expect(healthStep({ firing: false, notified: null }, bad, true)).toEqual({ open: true, close: false, tell: 'firing' });
    expect(healthStep({ firing: true, notified: 'firing' }, bad, true)).toEqual({ open: false, close: false, tell: null });
  });
  it('closes it and tells the recovery once', () => {
    expect(healthStep({ firing: true, notified: 'firing' }, fine, true)).toEqual({ open: false, close: true, tell: 'recovered' });
    expect(healthStep({ firing: false, notified: 'recovered' }, fine, true)).toEqual({ open: false, close: false, tell: null });
  });
  it('a process that does not hold the timers records the episode but tells nothing; the next holder tells it', () => {
    expect(healthStep({ firing: false, notified: null }, bad, false)).toEqual({ open: true, close: false, tell: null });
    expect(healthStep({ firing: true, notified: null }, bad, true)).toEqual({ open: false, close: false, tell: 'firing' });
  });
  it('an episode that ended before it was told is never told as recovered', () => {
    expect(healthStep({ firing: true, notified: null }, fine, true)).toEqual({ open: false, close: true, tell: null });
  });
});
