// Pure helpers for the Stats panel: windows, rates, the failures table, the per-minute bars and the
// handler-latency verdicts against Meta's guidance.
import { explainError } from '../../../shared/error-codes';
import type { LatencyStats, MinuteBucket } from '../../../shared/types';

export const STATS_WINDOWS = [
  { id: '1h', label: '1 h', ms: 3_600_000 },
  { id: '24h', label: '24 h', ms: 86_400_000 },
  { id: '7d', label: '7 d', ms: 7 * 86_400_000 },
] as const;
export type StatsWindowId = (typeof STATS_WINDOWS)[number]['id'];

/** Least time between two refreshes caused by arriving events. */
export const STATS_REFRESH_MS = 2000;

/** 0.9345 → "93.5 %"; null (nothing to divide by) → "—". */
export function formatRate(r: number | null | undefined): string {
  if (r == null || !Number.isFinite(r)) return '—';
  const pct = r * 100;
  const digits = pct === 0 || pct === 100 || pct >= 99.95 ? 0 : 1;
  return `${pct.toFixed(digits)} %`;
}

export function formatMs(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

export interface FailureRow { code: string; count: number; title: string; action: string; known: boolean }

/** Failures by error code, most frequent first, each explained. */
export function failureRows(byErrorCode: Record<string, number> | undefined): FailureRow[] {
  return Object.entries(byErrorCode ?? {})
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([code, count]) => {
      const x = explainError(code);
      return { code, count, title: x?.title ?? `Error ${code}`, action: x?.action ?? '', known: x?.known ?? false };
    });
}

export type Mark = 'pass' | 'attention' | 'none';

/** PASS / needs attention for the median (≤ 250 ms) and the share over 1 s (< 1 %); none without data. */
export function latencyMarks(l: Pick<LatencyStats, 'guidance'> | null | undefined): { median: Mark; slow: Mark } {
  const m = (ok: boolean | null | undefined): Mark => (ok == null ? 'none' : ok ? 'pass' : 'attention');
  return { median: m(l?.guidance.medianOk), slow: m(l?.guidance.slowShareOk) };
}

export const MARK_TEXT: Record<Mark, string> = { pass: 'PASS', attention: 'needs attention', none: 'no data' };

/** Bar width per window: enough bars to read a shape, few enough to see each one. */
export const BUCKET_MS: Record<StatsWindowId, number> = { '1h': 2 * 60_000, '24h': 3_600_000, '7d': 6 * 3_600_000 };

export interface ChartBucket { t: number; end: number; total: number; failed: number; messages: number; statuses: number }

/**
 * Per-minute buckets summed into bars of `bucketMs`, aligned to the clock (whole hours, whole 2-minute
 * marks) so a bar means the same span whatever the moment the panel opened. Empty spans stay as zero bars.
 */
export function chartBuckets(buckets: readonly MinuteBucket[], since: number, until: number, bucketMs: number): ChartBucket[] {
  if (until <= since) return [];
  const offset = new Date(since).getTimezoneOffset() * 60_000;
  const align = (t: number) => Math.floor((t - offset) / bucketMs) * bucketMs + offset;
  const out: ChartBucket[] = [];
  for (let t = align(since); t < until; t += bucketMs) out.push({ t, end: t + bucketMs, total: 0, failed: 0, messages: 0, statuses: 0 });
  for (const b of buckets) {
    const i = Math.floor((b.t - out[0].t) / bucketMs);
    const g = out[i];
    if (!g) continue;
    g.total += b.total;
    g.failed += b.failed;
    g.messages += b.messages;
    g.statuses += b.statuses;
  }
  return out;
}

/** A round axis top at or above `max` (1, 2, 5 × 10ⁿ), and never below 1. */
export function niceCeil(max: number): number {
  if (max <= 1) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 5, 10]) if (m * p >= max) return m * p;
  return 10 * p;
}
