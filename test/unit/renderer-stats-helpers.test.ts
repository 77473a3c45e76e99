// The Stats panel's pure helpers: rates, explained failures, bars for the per-minute chart, and the
// PASS / needs-attention marks against Meta's latency guidance.
import { describe, expect, it } from 'vitest';
import type { LatencyStats, MinuteBucket } from '../../shared/types';
import { BUCKET_MS, chartBuckets, failureRows, formatMs, formatRate, latencyMarks, STATS_WINDOWS } from '../../renderer/features/stats/stats-helpers';

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

  it('sums a week of minutes into 28 six-hour bars, nothing lost', () => {
    const since = new Date(2026, 10, 23, 0, 0).getTime();
    const week = Array.from({ length: 10_080 }, (_, i) => bucket(i, i % 60 === 0 ? 3 : 0)).map((x) => ({ ...x, t: since + x.t }));
    const bars = chartBuckets(week, since, since + 7 * 86_400_000, BUCKET_MS['7d']);
    expect(bars).toHaveLength(28);
    expect(bars.reduce((a, b) => a + b.total, 0)).toBe(week.reduce((a, b) => a + b.total, 0));
    expect(bars.every((b) => b.total === 18)).toBe(true);
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
