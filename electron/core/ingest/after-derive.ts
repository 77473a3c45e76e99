// What a derived request sets off, in one place (docs/architecture.md "One webhook, from socket to screen",
// steps 5–6, and "The outbox"): inside the derive transaction the rules run and the forwards are queued, so
// what they set off commits with the events; after the commit the events are pushed to the UI and what had
// to wait for the commit (desktop notifications) is done. A rolled-back request never gets that far.
import type { HookEvent, SignatureVerdict } from '../../../shared/types';
import type { DerivedRequest, Store } from '../store/store';
import type { RulesRunner } from '../rules/rules-runner';
import type { PowerTools } from '../tools/power-tools';
import type { TeamSide } from '../team/team-core';
import type { Clock, Logger } from '../types';
import { QUIET_AFTER_MS } from './reverify';

/** Whether an event may reach rules and notifications: only accepted verdicts (belt and braces at the seam). */
export function isTrusted(signature: SignatureVerdict): boolean {
  return signature === 'valid' || signature === 'unchecked';
}

type What = { rules: boolean; forward: boolean };

export interface AfterDeriveDeps {
  db: Store['db'];
  clock: Clock;
  logger: Logger;
  rules: Pick<RulesRunner, 'onEvents'>;
  power: Pick<PowerTools, 'forwarder' | 'afterDerived'>;
  /** Live events to the UI, without their raw payload (the inspector fetches it on demand). */
  push: (events: HookEvent[]) => void;
  /** Team mode (team/team-core.ts): the receiving process forwards, the claiming process runs the rules. */
  team: Pick<TeamSide, 'owns' | 'derived'> | null;
}

export interface AfterDerive {
  /** The deriver's inTx (ingest/deriver.ts): rules and the outbox, inside the derive transaction. */
  inTx(items: DerivedRequest[]): void;
  /** The deriver's onDerived: pushes, what waited for the commit, deliveries. */
  onDerived(items: DerivedRequest[]): void;
}

export function createAfterDerive(deps: AfterDeriveDeps): AfterDerive {
  const { db, clock, logger, rules, power, push, team } = deps;
  // What must wait for the commit (desktop notifications, pushes), kept per request until onDerived: only
  // for requests that have some (a WeakMap entry for every derived request cost more than its rules).
  const later = new WeakMap<DerivedRequest, (() => void)[]>();
  // Requests received over an hour before they are derived (re-verified from the rejected log, or left
  // underived by a crash and a long stop) join the history quietly: no rules, no forwards. A request whose
  // events could not be derived is shown (its bytes are kept) but neither forwarded nor given to the rules:
  // what it means is unknown.
  const live = (d: DerivedRequest, now: number) => !d.failed && now - d.request.receivedAt <= QUIET_AFTER_MS;

  /** Rules for the trusted events, in the caller's transaction. */
  function runRules(d: DerivedRequest, laterList?: (() => void)[]): void {
    const trusted = d.result.events.filter((e) => isTrusted(e.signature));
    if (trusted.length > 0) rules.onEvents(trusted, laterList);
  }

  return {
    inTx(items) {
      const now = clock();
      const forward: DerivedRequest[] = [];
      for (const d of items) {
        if (d.failed) continue;
        // Team mode: the receiving process forwards; rules run in the process that claims the request
        // (after the commit: the claim is a round trip to PostgreSQL).
        const w: What = live(d, now) ? { rules: !team, forward: team ? team.owns(d.request.id) : true } : { rules: false, forward: false };
        if (w.forward) forward.push(d);
        if (w.rules) {
          const l: (() => void)[] = [];
          runRules(d, l);
          if (l.length > 0) later.set(d, l);
        }
      }
      if (forward.length === 0) return;
      try {
        power.forwarder.enqueue(forward);
      } catch (err) {
        // The database refusing (disk full) fails the derive transaction: derived again later, nothing lost.
        if (String((err as { code?: unknown }).code ?? '').startsWith('SQLITE_')) throw err;
        logger.error('could not queue forwards', { err: String(err) });
      }
    },
    onDerived(items) {
      const now = clock();
      for (const d of items) {
        push(d.result.events);
        for (const f of later.get(d) ?? []) {
          try { f(); } catch (err) { logger.warn('after-derive step failed', { err: String(err) }); }
        }
      }
      power.afterDerived();
      if (!team) return;
      // Team mode's claimed requests: their rules run here, after the claim, in one transaction of their
      // own. Forwards were written to the outbox by the derive transaction.
      team.derived(items.map((item) => ({ item, live: live(item, now) })), (d, what) => {
        if (!what.rules) return;
        const trusted = d.result.events.filter((e) => isTrusted(e.signature));
        if (trusted.length > 0) db.transaction(() => rules.onEvents(trusted))();
        power.afterDerived();
      });
    },
  };
}
