// Health checks' pure parts: a check's parameters (defaults overlaid, foreign keys named), the state in
// words, working hours (wrapping midnight), and the panel's sparkline scale.
import { describe, expect, it } from 'vitest';
import { foreignParams, healthParamsOf, healthStateWords, HEALTH_KINDS, HEALTH_PRESETS } from '../../shared/health';
import { workingWindowStart } from '../../electron/core/health/evaluators';
import { sparkline } from '../../renderer/features/health/sparkline';

describe('health parameters', () => {
  it('overlays what is stored on the preset defaults and drops keys the preset does not read', () => {
    expect(healthParamsOf('failure-rate', { percent: 50, minutes: 3 } as never)).toEqual({ percent: 50, windowMinutes: 15, minSent: 5, businessId: null, errorCode: null, ruleId: null });
    expect(healthParamsOf('stuck', null)).toEqual({ minutes: 30, count: 1, ruleId: null });
    // null clears an optional parameter; it is kept as null, not replaced by the default.
    expect(healthParamsOf('silence', { provider: null, minutes: 5 })).toMatchObject({ provider: null, minutes: 5 });
  });
  it('names the parameters a preset does not read', () => {
    expect(foreignParams('stuck', { minutes: 1, percent: 2, provider: 'meta' })).toEqual(['percent', 'provider']);
    expect(foreignParams('silence', { minutes: 1, from: '09:00', to: '17:00' })).toEqual([]);
  });
  it('every preset reads its own defaults and nothing else', () => {
    for (const k of HEALTH_KINDS) expect(Object.keys(HEALTH_PRESETS[k].defaults).sort()).toEqual([...HEALTH_PRESETS[k].params].sort());
  });
  it('says the state in words', () => {
    expect(healthStateWords({ state: 'firing', firingSince: 5 }, (ms) => `t${ms}`)).toBe('firing since t5');
    expect(healthStateWords({ state: 'ok', firingSince: null }, String)).toBe('ok');
    expect(healthStateWords({ state: 'off', firingSince: null }, String)).toBe('off');
  });
});

describe('working hours', () => {
  const at = (d: number, h: number, m = 0) => new Date(2026, 5, d, h, m).getTime();
  it('gives the start of the window now is in, null outside it, -Infinity without hours', () => {
    expect(workingWindowStart({ from: '09:00', to: '17:00' }, at(2, 10))).toBe(at(2, 9));
    expect(workingWindowStart({ from: '09:00', to: '17:00' }, at(2, 17))).toBeNull();
    expect(workingWindowStart({ from: '09:00', to: '17:00' }, at(2, 8, 59))).toBeNull();
    expect(workingWindowStart({}, at(2, 3))).toBe(Number.NEGATIVE_INFINITY);
  });
  it('a window wrapping midnight began the day before', () => {
    expect(workingWindowStart({ from: '22:00', to: '06:00' }, at(2, 2))).toBe(at(1, 22));
    expect(workingWindowStart({ from: '22:00', to: '06:00' }, at(2, 23))).toBe(at(2, 22));
    expect(workingWindowStart({ from: '22:00', to: '06:00' }, at(2, 12))).toBeNull();
  });
});

describe('sparkline', () => {
  it('scales to the larger of the values and the threshold, oldest point on the left', () => {
    const s = sparkline([{ value: 0 }, { value: 50 }, { value: 25 }], 100, 100, 54);
    expect(s.max).toBe(100);
    expect(s.points).toBe('0,52 50,27 100,39.5');
    expect(s.thresholdY).toBe(2);
  });
  it('without a threshold the highest value reaches the top; negatives and NaN sit on the floor', () => {
    const s = sparkline([{ value: -3 }, { value: Number.NaN }, { value: 8 }], null, 10, 20);
    expect(s.points).toBe('0,18 5,18 10,2');
    expect(s.thresholdY).toBeNull();
  });
});
