// Stats beyond GET /api/stats: the delivery funnel, events per minute, and how fast the user's
// handlers answer forwarded webhooks, measured against Meta's guidance (docs/webhooks.md / Meta's
// webhook docs: answer fast — a median of at most 250 ms and fewer than 1 % of answers over 1 s).
// All reads are single aggregate queries or one synchronous pass: no iterator outlives a call.
import type { Database as Db } from 'better-sqlite3';
import type { EventStatus, Funnel, HistoryImportStats, LatencyStats, MinuteBucket, PricingStats, StatsExtra } from '../../../shared/types';
export type { Funnel, LatencyStats, MinuteBucket } from '../../../shared/types';
import { currentState, STATUS_RANK } from './store';
import { sqlKinds } from '../../../shared/event-kinds';
import { flatPricingSql } from './event-columns';

/** Any connection to the store's file: the main one, or the read worker's. */
type Conn = { db: Db };


const ratio = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 10_000) / 10_000 : null);

export function funnel(store: Conn, since = 0, until?: number): Funnel {
  const rows = store.db.prepare(`SELECT message_id AS id, group_concat(DISTINCT status) AS statuses FROM events
    WHERE kind = 'status' AND message_id IS NOT NULL AND status IS NOT NULL AND received_at >= ? ${until != null ? 'AND received_at < ?' : ''}
    GROUP BY message_id`).all(...(until != null ? [since, until] : [since])) as { id: string; statuses: string }[];
  const rank = (s: EventStatus) => STATUS_RANK[s] ?? 0;
  const f = { total: 0, sent: 0, delivered: 0, read: 0, failed: 0 };
  for (const r of rows) {
    f.total++;
    const state = currentState(r.statuses.split(',') as EventStatus[]);
    if (state === 'failed') { f.failed++; continue; }
    if (!state) continue;
    const k = rank(state);
    if (k >= rank('sent')) f.sent++;
    if (k >= rank('delivered')) f.delivered++;
    if (k >= rank('read')) f.read++;
  }
  return { ...f, rates: { delivered: ratio(f.delivered, f.sent), read: ratio(f.read, f.delivered), failed: ratio(f.failed, f.total) } };
}


/** Beyond this many minutes (a week) empty buckets are left out instead of filled with zeros. */
const MAX_FILLED = 7 * 24 * 60;

export function perMinute(store: Conn, since: number, until: number): MinuteBucket[] {
  // Imported past conversation (kind 'history') arrives in bursts of thousands but is not today's
  // traffic: kinds that are not traffic (shared/event-kinds.ts) are left out of the per-minute counts.
  const rows = store.db.prepare(`SELECT (received_at / 60000) * 60000 AS t, COUNT(*) AS total,
      SUM(kind = 'message') AS messages, SUM(kind = 'status') AS statuses, SUM(status = 'failed') AS failed,
      SUM(signature IN ('invalid', 'missing')) AS invalidSignatures
    FROM events WHERE received_at >= ? AND received_at < ? AND kind NOT IN (${sqlKinds('traffic', false)}) GROUP BY t ORDER BY t`).all(since, until) as MinuteBucket[];
  const first = Math.floor(since / 60_000) * 60_000;
  const minutes = Math.ceil((until - first) / 60_000);
  if (minutes > MAX_FILLED || minutes <= 0) return rows;
  const byT = new Map(rows.map((r) => [r.t, r]));
  const out: MinuteBucket[] = [];
  for (let t = first; t < until; t += 60_000) {
    out.push(byT.get(t) ?? { t, total: 0, messages: 0, statuses: 0, failed: 0, invalidSignatures: 0 });
  }
  return out;
}


/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

function latencyOf(durations: number[], errors: number): LatencyStats {
  durations.sort((a, b) => a - b);
  const p50 = percentile(durations, 50);
  const over = durations.length ? durations.filter((d) => d > 1000).length / durations.length : null;
  return {
    count: durations.length, errors, p50, p95: percentile(durations, 95), p99: percentile(durations, 99),
    overOneSecond: over == null ? null : Math.round(over * 10_000) / 10_000,
    guidance: {
      medianMs: 250, maxShareOverOneSecond: 0.01,
      medianOk: p50 == null ? null : p50 <= 250,
      slowShareOk: over == null ? null : over < 0.01,
    },
  };
}

/** Handler latency over forwards recorded since `since` (ms since epoch), overall and per target. */
export function handlerLatency(store: Conn, since = 0): LatencyStats & { byTarget: Record<string, LatencyStats> } {
  const rows = store.db.prepare('SELECT target, status, duration_ms AS d FROM forwards WHERE at >= ?').all(since) as { target: string; status: number | null; d: number | null }[];
  const all: number[] = [];
  let errors = 0;
  const per = new Map<string, { d: number[]; errors: number }>();
  for (const r of rows) {
    let t = per.get(r.target);
    if (!t) { t = { d: [], errors: 0 }; per.set(r.target, t); }
    if (r.status == null || r.d == null) { errors++; t.errors++; continue; }
    all.push(r.d);
    t.d.push(r.d);
  }
  const byTarget: Record<string, LatencyStats> = {};
  for (const [k, v] of per) byTarget[k] = latencyOf(v.d, v.errors);
  return { ...latencyOf(all, errors), byTarget };
}

export const WEEK_MS = 7 * 86_400_000;

/**
 * Per-message pricing (Meta puts `pricing` on sent/delivered/read statuses; the normaliser flattens it
 * into details.billable / details.pricingCategory): distinct messages over the 7 days before `until`,
 * billable or free, by category. A message counts once whatever number of statuses repeat its pricing.
 */
export function pricing(store: Conn, until: number): PricingStats {
  const since = until - WEEK_MS;
  // The flattened keys as readDetails gives them (a status stores them once, in `pricing`: event-columns.ts).
  const rows = store.db.prepare(`SELECT category, billable, COUNT(DISTINCT message_id) AS n FROM (
      SELECT message_id, ${flatPricingSql('details', 'pricingCategory')} AS category, ${flatPricingSql('details', 'billable')} AS billable
      FROM events WHERE received_at >= ? AND received_at < ? AND kind = 'status' AND message_id IS NOT NULL
        AND details IS NOT NULL AND json_valid(details)
    ) WHERE billable IS NOT NULL GROUP BY category, billable`).all(since, until) as { category: string | null; billable: number; n: number }[];
  // A Map, then fromEntries: a category named "__proto__" in a payload stays an ordinary key.
  const byCategory = new Map<string, { billable: number; free: number }>();
  let billable = 0;
  let free = 0;
  for (const r of rows) {
    const key = typeof r.category === 'string' ? r.category : 'uncategorised';
    let c = byCategory.get(key);
    if (!c) { c = { billable: 0, free: 0 }; byCategory.set(key, c); }
    if (r.billable === 1) { c.billable += r.n; billable += r.n; } else { c.free += r.n; free += r.n; }
  }
  return { since, until, byCategory: Object.fromEntries(byCategory), billable, free };
}

/** The newest chat-history import progress (coexistence), with how many past messages are stored. */
export function historyImport(store: Conn): HistoryImportStats | null {
  const last = store.db.prepare(`SELECT received_at AS at, details FROM events
    WHERE kind = 'history' AND message_type = 'history_sync' ORDER BY id DESC LIMIT 1`).get() as { at: number; details: string | null } | undefined;
  if (!last) return null;
  let d: Record<string, unknown> = {};
  try { d = last.details ? JSON.parse(last.details) as Record<string, unknown> : {}; } catch { /* shown as unknown progress */ }
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  const messages = (store.db.prepare(`SELECT COUNT(*) FROM events WHERE kind = 'history' AND (message_type IS NULL OR message_type <> 'history_sync')`).pluck().get() as number) ?? 0;
  return { progress: num(d.progress), phase: num(d.phase), chunkOrder: num(d.chunkOrder), at: last.at, messages, declined: d.declined === true };
}

/** Funnel, events per minute and handler latency over [since, until); pricing over the week before `until`. */
export function statsExtra(store: Conn, since: number, until: number): StatsExtra {
  return {
    since, until, funnel: funnel(store, since, until), perMinute: perMinute(store, since, until), handlerLatency: handlerLatency(store, since),
    pricing: pricing(store, until), historyImport: historyImport(store),
  };
}
