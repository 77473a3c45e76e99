// What each health check measures, at any moment `at` (so the same query draws the chart's past points).
// Only accepted webhooks count: `requests` and `events` hold nothing the trust boundary refused (those are
// in `rejected`, read by the signature check alone), so a stranger's unsigned or forged request can neither
// end a silence nor fake a failure spike (docs/api.md "Health checks"). Every query is bounded by a time
// window on an indexed column and a row limit.
import type { Database as Db, Statement } from 'better-sqlite3';
import type { EventFilter, Provider } from '../../../shared/types';
import type { HealthParams } from '../../../shared/health';

/** How far back a `sent` status is looked for by the stuck check (older ones are history, not stuck). */
export const STUCK_LOOKBACK_MS = 24 * 3_600_000;
/** Stuck message ids kept in an answer. */
export const STUCK_IDS_SHOWN = 50;
const MIN = 60_000;

export interface FailureReading {
  /** Worst per-number rate (per cent) among numbers with enough messages; 0 when none has. */
  percent: number;
  sent: number;
  failed: number;
  businessId: string | null;
  /** The most frequent error codes among the failures, most first. */
  codes: { code: string; count: number }[];
}

export interface Measures {
  /** When the newest accepted webhook from the provider's network (not simulated, not replayed) at or before `at` arrived. */
  lastAccepted(p: HealthParams, at: number): number | null;
  failureRate(p: HealthParams, at: number): FailureReading;
  stuck(p: HealthParams, at: number): { count: number; ids: string[] };
  /** The stuck count at each moment of `ats` (ascending), from one pass over the `sent` statuses. */
  stuckSeries(p: HealthParams, ats: number[]): number[];
  signatures(p: HealthParams, at: number): number;
  quality(p: HealthParams, at: number): { count: number; latest: string | null };
}

export function createMeasures(db: Db): Measures {
  const cache = new Map<string, Statement>();
  const stmt = (sql: string) => { let s = cache.get(sql); if (!s) { s = db.prepare(sql); cache.set(sql, s); } return s; };
  const prov = (p: HealthParams): Provider | null => p.provider ?? null;

  return {
    lastAccepted(p, at) {
      if (p.businessId) {
        const r = stmt(`SELECT e.received_at AS t FROM events e JOIN requests r ON r.id = e.request_id
          WHERE e.business_id = ? AND e.received_at <= ? AND (? IS NULL OR e.provider = ?) AND r.origin = 'network'
          ORDER BY e.id DESC LIMIT 1`).get(p.businessId, at, prov(p), prov(p)) as { t: number } | undefined;
        return r?.t ?? null;
      }
      // A GET is Meta's handshake, not a webhook: only POSTs end a silence.
      const r = stmt(`SELECT received_at AS t FROM requests WHERE received_at <= ? AND method = 'POST' AND origin = 'network'
        AND provider IS NOT NULL AND (? IS NULL OR provider = ?) ORDER BY received_at DESC LIMIT 1`).get(at, prov(p), prov(p)) as { t: number } | undefined;
      return r?.t ?? null;
    },

    failureRate(p, at) {
      const since = at - (p.windowMinutes ?? 15) * MIN;
      const code = p.errorCode ?? null;
      const business = p.businessId ?? null;
      // One row per receiving number: messages (not events) with a status in the window, and those failed.
      const rows = stmt(`SELECT business_id AS b, COUNT(DISTINCT message_id) AS sent,
          COUNT(DISTINCT CASE WHEN status = 'failed' AND (@code IS NULL OR error_code = @code) THEN message_id END) AS failed
        FROM events WHERE received_at > @since AND received_at <= @at AND kind = 'status' AND message_id IS NOT NULL
          AND (@business IS NULL OR business_id = @business)
        GROUP BY business_id LIMIT 1000`).all({ code, since, at, business }) as { b: string | null; sent: number; failed: number }[];
      let worst: { b: string | null; sent: number; failed: number; pct: number } | null = null;
      for (const r of rows) {
        if (r.sent < (p.minSent ?? 1)) continue;
        const pct = (100 * r.failed) / r.sent;
        if (!worst || pct > worst.pct || (pct === worst.pct && r.failed > worst.failed)) worst = { ...r, pct };
      }
      if (!worst) return { percent: 0, sent: rows.reduce((n, r) => n + r.sent, 0), failed: rows.reduce((n, r) => n + r.failed, 0), businessId: null, codes: [] };
      const codes = worst.failed === 0 ? [] : (stmt(`SELECT COALESCE(error_code, '?') AS code, COUNT(DISTINCT message_id) AS count
        FROM events WHERE received_at > ? AND received_at <= ? AND kind = 'status' AND status = 'failed' AND business_id IS ?
          AND (? IS NULL OR error_code = ?)
        GROUP BY error_code ORDER BY count DESC LIMIT 5`).all(since, at, worst.b, code, code) as { code: string; count: number }[]);
      return { percent: Math.round(worst.pct * 10) / 10, sent: worst.sent, failed: worst.failed, businessId: worst.b, codes };
    },

    stuck(p, at) {
      const olderThan = at - (p.minutes ?? 30) * MIN;
      // A message is stuck when its `sent` status is older than N minutes and nothing after `sent`
      // (delivered, read, played, failed) arrived for it from the same provider by `at`.
      const rows = stmt(`SELECT s.message_id AS id, MIN(s.received_at) AS t FROM events s
        WHERE s.received_at > ? AND s.received_at <= ? AND s.kind = 'status' AND s.status = 'sent' AND s.message_id IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM events d WHERE d.message_id = s.message_id AND d.status IN ('delivered', 'read', 'played', 'failed')
            AND d.received_at <= ? AND d.provider IS s.provider)
        GROUP BY s.message_id ORDER BY t LIMIT 1000`).all(olderThan - STUCK_LOOKBACK_MS, olderThan, at) as { id: string; t: number }[];
      return { count: rows.length, ids: rows.slice(0, STUCK_IDS_SHOWN).map((r) => r.id) };
    },

    stuckSeries(p, ats) {
      if (ats.length === 0) return [];
      const n = (p.minutes ?? 30) * MIN;
      // Each message's first `sent` in the span, and when it first got past `sent` (null: not yet).
      const rows = stmt(`SELECT MIN(s.received_at) AS sent, (SELECT MIN(d.received_at) FROM events d WHERE d.message_id = s.message_id
            AND d.status IN ('delivered', 'read', 'played', 'failed') AND d.provider IS s.provider) AS done
        FROM events s WHERE s.received_at > ? AND s.received_at <= ? AND s.kind = 'status' AND s.status = 'sent' AND s.message_id IS NOT NULL
        GROUP BY s.message_id, s.provider LIMIT 100000`).all(ats[0] - n - STUCK_LOOKBACK_MS, ats[ats.length - 1] - n) as { sent: number; done: number | null }[];
      return ats.map((t) => rows.filter((r) => r.sent > t - n - STUCK_LOOKBACK_MS && r.sent <= t - n && (r.done == null || r.done > t)).length);
    },

    signatures(p, at) {
      // The rejected log is bounded in bytes and per caller (store/rejected-log.ts, ingest/gate.ts): so is this count.
      const r = stmt(`SELECT COUNT(*) AS n FROM rejected WHERE received_at > ? AND received_at <= ? AND signature = 'invalid'
        AND (? IS NULL OR provider = ?)`).get(at - (p.windowMinutes ?? 15) * MIN, at, prov(p), prov(p)) as { n: number };
      return r.n;
    },

    quality(p, at) {
      // Account-level Meta events the normaliser marked (shared/normalise/meta.ts: quality drops, limits,
      // paused or rejected templates, restrictions) and templates moved to another category.
      // `+received_at`: through the kind index (account and template events are few), not every event of the window.
      const rows = stmt(`SELECT text FROM events WHERE +received_at > ? AND +received_at <= ? AND kind IN ('account', 'template') AND duplicate = 0
          AND (json_extract(details, '$.severity') IN ('warning', 'critical') OR json_extract(details, '$.previousCategory') IS NOT NULL)
        ORDER BY id DESC LIMIT 1000`).all(at - (p.windowMinutes ?? 1440) * MIN, at) as { text: string | null }[];
      return { count: rows.length, latest: rows[0]?.text ?? null };
    },
  };
}

/** The feed's filter showing the events behind a check's value at `at`. */
export function filterBehind(kind: string, p: HealthParams, at: number, extra: { businessId?: string | null; ids?: string[] } = {}): EventFilter | null {
  const window = (p.windowMinutes ?? 15) * MIN;
  switch (kind) {
    case 'silence': {
      const f: EventFilter = {};
      if (p.provider) f.provider = [p.provider];
      if (p.businessId) f.businessId = p.businessId;
      return f;
    }
    case 'failure-rate': {
      const f: EventFilter = { status: ['failed'], since: at - window };
      const b = p.businessId ?? extra.businessId;
      if (b) f.businessId = b;
      // The search knows error codes (docs/api.md "Search").
      if (p.errorCode) f.q = p.errorCode;
      return f;
    }
    case 'stuck':
      if (!extra.ids || extra.ids.length === 0) return null;
      // One stuck message: its lifecycle; several: the `sent` statuses of the stuck range.
      return extra.ids.length === 1 ? { messageId: extra.ids[0] }
        : { status: ['sent'], since: at - (p.minutes ?? 30) * MIN - STUCK_LOOKBACK_MS, until: at - (p.minutes ?? 30) * MIN };
    case 'quality':
      return { kind: ['account', 'template'], since: at - (p.windowMinutes ?? 1440) * MIN };
    default:
      // Rejected requests are not events: the Rejected view lists them.
      return null;
  }
}
