// Rule claims on the team database (docs/architecture.md "Team mode"): a derived request's rules run in
// the one process that inserts its rule_claims row first. A claim is a lease (lease_until, done): the
// claimer renews it while the actions it queued are not done and finishes it when they are; a claim not
// done whose lease ran out is taken over by another process (team-core.ts runs the request's rules again
// there). Queries only: who claims and when is team-core.ts's concern.
import type { Query } from './pg-connect';

export interface ClaimQueries {
  /** True for the one process that claims this request first (across every process on the database). */
  claim(requestId: number, by: string): Promise<boolean>;
  /** The ids among `requestIds` this process claimed first (one round trip for a derived batch). */
  claimMany(requestIds: number[], by: string, leaseMs?: number): Promise<Set<number>>;
  /** Extends this process's open claims on these requests by `leaseMs`. */
  renewClaims(requestIds: number[], by: string, leaseMs: number): Promise<void>;
  /** This process's claims on these requests are done: their actions were delivered or given up. */
  finishClaims(requestIds: number[], by: string): Promise<void>;
  /** Takes over open claims whose lease ran out (at most `limit`, up to request `throughId`); their ids. */
  takeExpiredClaims(by: string, leaseMs: number, throughId: number, limit?: number): Promise<number[]>;
}

export function claimQueries(q: Query): ClaimQueries {
  return {
    async claim(requestId, by) {
      const r = await q(`INSERT INTO rule_claims (request_id, claimed_by, claimed_at) VALUES ($1, $2, $3)
        ON CONFLICT (request_id) DO NOTHING RETURNING request_id`, [requestId, by, Date.now()]);
      return (r.rowCount ?? 0) > 0;
    },

    async claimMany(requestIds, by, leaseMs) {
      if (requestIds.length === 0) return new Set();
      const now = Date.now();
      const r = await q<{ request_id: string }>(`INSERT INTO rule_claims (request_id, claimed_by, claimed_at, lease_until, done)
        SELECT unnest($1::bigint[]), $2, $3, $4, $5 ON CONFLICT (request_id) DO NOTHING RETURNING request_id`,
      [requestIds, by, now, now + (leaseMs ?? 0), leaseMs == null]);
      return new Set(r.rows.map((x) => Number(x.request_id)));
    },
    async renewClaims(requestIds, by, leaseMs) {
      if (requestIds.length === 0) return;
      await q('UPDATE rule_claims SET lease_until = $3 WHERE request_id = ANY($1::bigint[]) AND claimed_by = $2 AND NOT done',
        [requestIds, by, Date.now() + leaseMs]);
    },
    async finishClaims(requestIds, by) {
      if (requestIds.length === 0) return;
      await q('UPDATE rule_claims SET done = true WHERE request_id = ANY($1::bigint[]) AND claimed_by = $2', [requestIds, by]);
    },
    async takeExpiredClaims(by, leaseMs, throughId, limit = 500) {
      const now = Date.now();
      const r = await q<{ request_id: string }>(`UPDATE rule_claims SET claimed_by = $1, claimed_at = $2, lease_until = $3
        WHERE request_id IN (SELECT request_id FROM rule_claims WHERE NOT done AND lease_until < $2 AND request_id <= $4
          ORDER BY request_id LIMIT $5 FOR UPDATE SKIP LOCKED)
        RETURNING request_id`, [by, now, now + leaseMs, throughId, limit]);
      return r.rows.map((x) => Number(x.request_id)).sort((a, b) => a - b);
    },
  };
}
