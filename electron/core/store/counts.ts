// The status bar's and the Messages view's counts under a filter, each read in one transaction.
import type { Database as Db, Statement } from 'better-sqlite3';
import type { EventFilter, EventStatus, HookEvent, MessageStats, Stats } from '../../../shared/types';
import { where } from './filter-sql';

/** The status bar's and the Messages view's counts under a filter (`status` is ignored: they are per status). */
export function createCounts(db: Db, prep: (sql: string) => Statement): { stats(f: EventFilter): Stats; messageStats(f: EventFilter): MessageStats } {
  // A row of the Messages view is a message id, or an event of its own when it has none (message-list.ts).
  const MESSAGE_KEY = `COALESCE(message_id, 'event:' || id)`;
  const messageStatsTx = db.transaction((full: EventFilter): MessageStats => {
    const { status: _ignored, ...f } = full;
    const byStatus: MessageStats['byStatus'] = {};
    const w = where(f);
    for (const r of prep(`SELECT status, COUNT(DISTINCT ${MESSAGE_KEY}) AS n FROM events WHERE status IS NOT NULL AND (${w.sql}) GROUP BY status`).all(...w.params) as { status: EventStatus; n: number }[]) {
      byStatus[r.status] = r.n;
    }
    const t = where(full);
    const total = (prep(`SELECT COUNT(DISTINCT ${MESSAGE_KEY}) AS n FROM events WHERE ${t.sql}`).get(...t.params) as { n: number }).n;
    const all = (prep(`SELECT COUNT(DISTINCT ${MESSAGE_KEY}) AS n FROM events`).get() as { n: number }).n;
    return { byStatus, total, all };
  });

  // One read transaction: the counts, the total of everything and the newest id counted come from the
  // same snapshot, so the renderer can add exactly the live events that came after it.
  const statsTx = db.transaction((full: EventFilter): Stats => {
      const { status: _ignored, ...f } = full;
      const maxId = (prep('SELECT MAX(id) AS m FROM events').get() as { m: number | null }).m ?? 0;
      const byStatus: Stats['byStatus'] = {};
      const byErrorCode: Record<string, number> = {};
      const byKind: Stats['byKind'] = {};
      let total = 0;
      const filtered = Object.values(f).some((v) => v != null && !(Array.isArray(v) && v.length === 0) && v !== '');
      if (filtered) {
        // A filter (a time range, say): one pass over what matches, not three scans of the status,
        // kind and error indexes filtered row by row (1.3 s at a million events, docs/benchmarks.md). A
        // time range alone reads events_received only: it holds the three columns grouped (migration 10).
        const w = where(f);
        for (const r of prep(`SELECT kind, status, error_code, COUNT(*) AS n FROM events WHERE ${w.sql} GROUP BY kind, status, error_code`).all(...w.params) as { kind: HookEvent['kind']; status: EventStatus | null; error_code: string | null; n: number }[]) {
          if (r.status != null) byStatus[r.status] = (byStatus[r.status] ?? 0) + r.n;
          if (r.error_code != null) byErrorCode[r.error_code] = (byErrorCode[r.error_code] ?? 0) + r.n;
          byKind[r.kind] = (byKind[r.kind] ?? 0) + r.n;
          total += r.n;
        }
        // Same read transaction as maxId, so this is the count up to it. Without a WHERE on id, SQLite counts
        // the narrowest index instead of walking every row of the table (20× quicker at a million events).
        const all = (prep('SELECT COUNT(*) AS n FROM events').get() as { n: number }).n;
        return { byStatus, byErrorCode, byKind, total, all, maxId };
      }
      // All time: each count from its own covering index.
      for (const r of prep('SELECT status, COUNT(*) AS n FROM events WHERE status IS NOT NULL GROUP BY status').all() as { status: EventStatus; n: number }[]) {
        byStatus[r.status] = r.n;
      }
      for (const r of prep('SELECT error_code, COUNT(*) AS n FROM events WHERE error_code IS NOT NULL GROUP BY error_code').all() as { error_code: string; n: number }[]) {
        byErrorCode[r.error_code] = r.n;
      }
      for (const r of prep('SELECT kind, COUNT(*) AS n FROM events GROUP BY kind').all() as { kind: HookEvent['kind']; n: number }[]) {
        byKind[r.kind] = r.n;
        total += r.n;
      }
      return { byStatus, byErrorCode, byKind, total, all: total, maxId };
  });
  return { stats: (f) => statsTx(f), messageStats: (f) => messageStatsTx(f) };
}
