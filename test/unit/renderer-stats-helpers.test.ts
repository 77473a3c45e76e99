// The Stats panel's pure helpers: rates, explained failures, bars for the per-minute chart, and the
// PASS / needs-attention marks against Meta's latency guidance.
import { describe, expect, it } from 'vitest';
import type { LatencyStats, MinuteBucket } from '../../shared/types';
import { chartBars, failureRows, formatMs, formatRate, latencyMarks, STATS_WINDOWS } from '../../renderer/features/stats/stats-helpers';

const bucket = (i: number, total: number, failed = 0): MinuteBucket => ({ t: i * 60_000, total, messages: total, statuses: 0, failed, invalidSignatures: 0 });

describe('stats helpers', () => {
  it('offers 1 h, 24 h and 7 d', () => {
    expect(STATS_WINDOWS.map((w) => [w.label, w.ms])).toEqual([['1 h', 3_600_000], ['24 h', 86_400_000], ['7 d', 604_800_000]]);
  });

  it('formats rates and durations', () => {
    expect(formatRate(null)).toBe('—');
    expect(formatRate(0)).toBe('0 %');
    expect(formatRate(1)).toBe('100 %');
    expect(formatRate(0.9345)).toBe('93.5 %');
    expect(formatRate(0.99999)).toBe('100 %');
    expect(formatMs(null)).toBe('—');
    expect(formatMs(249.6)).toBe('250 ms');
    expect(formatMs(1234)).toBe('1.23 s');
    expect(formatMs(12_340)).toBe('12.3 s');
  });

  it('lists failures by code, most frequent first, explained', () => {
    const rows = failureRows({ '131026': 2, '130472': 5, '999999': 1, '131047': 0 });
    expect(rows.map((r) => [r.code, r.count, r.known])).toEqual([['130472', 5, true], ['131026', 2, true], ['999999', 1, false]]);
    expect(rows[0].title.length).toBeGreaterThan(3);
    expect(rows[0].action.length).toBeGreaterThan(3);
    expect(rows[2].title).toBe('Error 999999');
    expect(failureRows(undefined)).toEqual([]);
  });

  it('draws one bar per minute, scaled to the tallest', () => {
    const { bars, max } = chartBars([bucket(0, 2), bucket(1, 0), bucket(2, 4, 1)], 300, 80);
    expect(max).toBe(4);
    expect(bars).toHaveLength(3);
    expect(bars.map((b) => b.h)).toEqual([40, 0, 80]);
    expect(bars[2].y).toBe(0);
    expect(bars[1].x).toBeGreaterThan(bars[0].x);
    expect(bars.every((b) => b.x >= 0 && b.x + b.w <= 300)).toBe(true);
    expect(chartBars([], 300, 80)).toEqual({ bars: [], max: 0 });
    expect(chartBars([bucket(0, 0)], 300, 80).bars[0].h).toBe(0);
  });

  it('sums minutes into at most maxBars bars (a week is 10,080 minutes)', () => {
    const week = Array.from({ length: 10_080 }, (_, i) => bucket(i, i % 60 === 0 ? 3 : 0));
    const { bars, max } = chartBars(week, 500, 80, 120);
    expect(bars.length).toBeLessThanOrEqual(120);
    expect(bars[0].minutes).toBe(84);
    expect(bars.reduce((a, b) => a + b.total, 0)).toBe(week.reduce((a, b) => a + b.total, 0));
    expect(max).toBe(Math.max(...bars.map((b) => b.total)));
  });

  it('marks latency against the guidance', () => {
    const lat = (medianOk: boolean | null, slowShareOk: boolean | null): Pick<LatencyStats, 'guidance'> => ({
      guidance: { medianMs: 250, maxShareOverOneSecond: 0.01, medianOk, slowShareOk },
    });
    expect(latencyMarks(lat(true, false))).toEqual({ median: 'pass', slow: 'attention' });
    expect(latencyMarks(lat(null, null))).toEqual({ median: 'none', slow: 'none' });
    expect(latencyMarks(null)).toEqual({ median: 'none', slow: 'none' });
  });
});
