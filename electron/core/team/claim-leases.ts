// Who runs a derived request's rules in team mode (docs/architecture.md "Team mode"): the process that
// claims it first in PostgreSQL (pg-claims.ts). Claims go in derivation order, one round trip per derived
// batch; a batch waits for the previous one and is tried again while the database is away.
//
// Leases: a claim stays open while the actions its rules queued here are not done, renewed every third of
// the lease; once none is left it is finished. A claim whose lease ran out (its process died, or lost the
// database for longer than the lease) is taken over: the taker runs the request's rules on its own read
// model — the same events, so the same delivery keys.
import type { DerivedRequest, Store } from '../store/store';
import type { Logger } from '../types';
import type { Team } from './team';

/** What a process does with a derived request it acts on (after-derive.ts runs it). */
export type Act = (item: DerivedRequest, what: { rules: boolean; forward: boolean }) => void;

export interface ClaimLeases {
  /** Claims a derived batch; runs `act` (rules only) for the requests this process won. */
  claim(batch: DerivedRequest[], act: Act): void;
  /** The act a taken-over claim runs with (the latest derived batch's). */
  actWith(act: Act): void;
  /** Rules ran or actions finished here: renew or finish this process's claims soon. */
  changed(): void;
  /** Starts renewing, finishing and taking over claims every third of the lease. */
  start(): void;
  /** Stops the timer (nothing new is synced). */
  halt(): void;
  /** No more retries: claims in flight finish (or give up, at most 3 s) before the connection goes. */
  stop(): Promise<void>;
}

export function createClaimLeases(deps: {
  store: Store;
  logger: Logger;
  /** The team database once open; null before. */
  team: () => Pick<Team, 'claimMany' | 'renewClaims' | 'finishClaims' | 'takeExpiredClaims'> | null;
  /** How far this read model is derived (a claim past it cannot be taken over yet: no events here). */
  derivedThrough: () => number;
  /** How long a claim holds without renewal before another process takes its request's rules over. */
  leaseMs: number;
}): ClaimLeases {
  const { store, logger, leaseMs } = deps;
  let claims: Promise<void> = Promise.resolve();
  let stopping = false;
  let lastAct: Act | null = null;
  /** Requests whose claims this process holds open. */
  const mine = new Set<number>();
  const pendingActions = store.db.prepare('SELECT DISTINCT request_id FROM action_jobs WHERE request_id IS NOT NULL').pluck();
  const eventIdsOf = store.db.prepare('SELECT id FROM events WHERE request_id = ? ORDER BY id').pluck();
  let leaseTimer: ReturnType<typeof setInterval> | null = null;
  let syncing: Promise<void> | null = null;
  let syncAgain = false;

  function claim(batch: DerivedRequest[], act: Act) {
    claims = claims.then(async () => {
      for (let attempt = 0; !stopping || attempt === 0; attempt++) {
        try {
          const won = await deps.team()!.claimMany(batch.map((d) => d.request.id), leaseMs);
          for (const d of batch) {
            if (!won.has(d.request.id)) continue;
            mine.add(d.request.id);
            act(d, { rules: true, forward: false });
          }
          if (won.size > 0) changed();
          return;
        } catch (err) {
          if (stopping) return;
          logger.debug('could not claim derived requests; trying again', { err: String(err) });
          await new Promise((r) => setTimeout(r, Math.min(1000 * (attempt + 1), 5000)));
        }
      }
    });
  }

  function changed() {
    if (syncing) { syncAgain = true; return; }
    syncing = syncLeases().finally(() => {
      syncing = null;
      if (syncAgain && !stopping) { syncAgain = false; changed(); }
    });
  }

  async function syncLeases(): Promise<void> {
    const t = deps.team();
    if (!t || stopping) return;
    try {
      const pending = new Set(pendingActions.all() as number[]);
      const done = [...mine].filter((id) => !pending.has(id));
      const held = [...mine].filter((id) => pending.has(id));
      if (done.length) { await t.finishClaims(done); for (const id of done) mine.delete(id); }
      if (held.length) await t.renewClaims(held, leaseMs);
      const taken = await t.takeExpiredClaims(leaseMs, deps.derivedThrough());
      for (const id of taken) {
        mine.add(id);
        const item = takenOver(id);
        if (!item || !lastAct) continue;
        logger.info('a claim expired in another process: running its rules here', { requestId: id });
        lastAct(item, { rules: true, forward: false });
      }
      if (taken.length) syncAgain = true;
    } catch (err) {
      logger.debug('could not sync rule claims; trying again', { err: String(err) });
    }
  }

  /** A taken-over request as the rules runner needs it: its events from this read model (null when none). */
  function takenOver(id: number): DerivedRequest | null {
    const events = (eventIdsOf.all(id) as number[]).map((e) => store.getEvent(e)).filter((e): e is NonNullable<typeof e> => e != null);
    if (events.length === 0) return null;
    const request = { id, receivedAt: events[0].receivedAt, method: 'POST', path: '', query: '', headers: [], body: null, provider: events[0].provider,
      responseStatus: events[0].httpStatus ?? 200, signature: events[0].signature, signatureDiagnosis: null, error: null, origin: 'network' as const };
    return { request, result: { requestId: id, events } };
  }

  return {
    claim,
    actWith(act) { lastAct = act; },
    changed,
    start() {
      leaseTimer = setInterval(changed, Math.max(50, Math.floor(leaseMs / 3)));
      leaseTimer.unref?.();
    },
    halt() { if (leaseTimer) clearInterval(leaseTimer); },
    async stop() {
      stopping = true;
      await Promise.race([claims, new Promise((r) => setTimeout(r, 3000))]);
    },
  };
}
