// What the Health panel shows: every health check with its state, chart and history (`health:list`),
// and turning checks on or changing their thresholds (`health:update`). docs/api.md "Health checks".
import type { HealthCheck, HealthKind, HealthParams } from '../../../shared/health';
import { errorText, type SliceContext } from '../context';

export interface HealthState {
  checks: HealthCheck[] | null;
  loading: boolean;
  error: string | null;
  /** When the checks were read (ms since epoch). */
  at: number | null;
}

export interface HealthSlice {
  health: HealthState;
  /** Reads every check (the core evaluates them as it answers); the last call wins. */
  loadHealth(): Promise<void>;
  updateHealth(id: HealthKind, change: { enabled?: boolean; params?: HealthParams }): Promise<{ ok: true } | { ok: false; error: string }>;
}

export function createHealthSlice(ctx: SliceContext): HealthSlice {
  const { set, get, bridge, opts } = ctx;
  let seq = 0;
  return {
    health: { checks: null, loading: false, error: null, at: null },
    async loadHealth() {
      const mine = ++seq;
      set({ health: { ...get().health, loading: true } });
      try {
        const { checks } = await bridge.invoke('health:list', undefined);
        if (mine !== seq) return;
        set({ health: { checks, loading: false, error: null, at: opts.now() } });
      } catch (err) {
        if (mine !== seq) return;
        set({ health: { ...get().health, loading: false, error: errorText(err) } });
      }
    },
    async updateHealth(id, change) {
      try {
        const check = await bridge.invoke('health:update', { id, ...change });
        const checks = get().health.checks?.map((c) => (c.id === id ? check : c)) ?? null;
        ++seq; // a list read before this change must not overwrite it
        set({ health: { ...get().health, checks, loading: false } });
        return { ok: true };
      } catch (err) {
        return { ok: false, error: errorText(err) };
      }
    },
  };
}
