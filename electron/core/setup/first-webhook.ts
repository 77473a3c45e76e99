// When the first real webhook arrived: a signed message or status that came in from the network. The
// setup stepper stays on screen until then (docs/api.md: doctor:get `firstRealWebhookAt`): Meta's
// verification handshake, simulated, replayed and imported traffic prove nothing about the provider's
// configuration, and an unsigned or badly signed POST could come from anyone who has the tunnel URL.
// Computed from the store, never from what one window happened to load.
import type { Store } from '../store/store';

const KV_KEY = 'first_real_webhook_at';

/**
 * SQL condition on the `requests` row (alias `r`) that says it came from a provider over the network
 * and not from Hookscope's own simulator, replay or import. The one place "simulated" is decided: a
 * simulated request today is the one the simulator stored with origin 'simulate' (tools/simulator.ts).
 */
export function fromProviderSql(alias = 'r'): string {
  return `${alias}.origin = 'network'`;
}

export interface FirstWebhook {
  /** ms since epoch of the first real webhook, or null while there has been none. */
  at(): number | null;
}

export function createFirstWebhook(store: Pick<Store, 'db' | 'kvGet' | 'kvSet'>): FirstWebhook {
  const firstStmt = store.db.prepare(`SELECT MIN(e.received_at) AS t FROM events e JOIN requests r ON r.id = e.request_id
    WHERE e.kind IN ('message', 'status') AND e.signature = 'valid' AND ${fromProviderSql('r')}`);
  let known: number | null = null;
  return {
    at() {
      if (known != null) return known;
      // Kept once seen: retention or "forget" deleting that webhook later does not send the user back to setup.
      const kept = Number(store.kvGet(KV_KEY));
      if (Number.isFinite(kept) && kept > 0) return (known = kept);
      const t = (firstStmt.get() as { t: number | null }).t;
      if (t == null) return null;
      known = t;
      try { store.kvSet(KV_KEY, String(t)); } catch { /* a read-only store: remembered for this run */ }
      return t;
    },
  };
}
