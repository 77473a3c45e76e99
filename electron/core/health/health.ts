// Health checks: the core watches rates, silence and stuck lifecycles on a timer (docs/api.md "Health
// checks"). Each preset of shared/health.ts is one check the user turns on, with its parameters. State
// lives in SQLite (health_checks: firing since; health_history: each episode), so a check fires once per
// episode and recovers once, across restarts. Firing and recovering go through the notification path
// (a notifications row with rule_id 0, Hookscope's own, the `notifications:fired` push, the desktop
// notifier); bodies carry numbers and ids, never a customer's words.
//
// The parts, by seam: evaluators.ts reads each check (a table of named pure judgements over measures.ts),
// health-state.ts records what a reading means (episodes, what was told) in one transaction; this file
// schedules the evaluations, shows and pushes what fired, and answers the panel (list, update).
//
// Team mode: every process keeps its own state from its read model (the same history, so the same
// state), and only the one running the timers (team.runsTimers) notifies what it has not notified yet:
// nothing is lost while no process holds the timers; a new holder may tell an episode once more.
import type { Database as Db } from 'better-sqlite3';
import type { NotificationRecord } from '../../../shared/types';
import { HEALTH_KINDS, HEALTH_PRESETS, foreignParams, type HealthCheck, type HealthKind, type HealthParams } from '../../../shared/health';
import { HookscopeError } from '../../../shared/errors';
import type { Clock, Logger, Notifier } from '../types';
import { EVALUATORS, type Reading } from './evaluators';
import { createHealthState, type HealthNotice, type HealthRow } from './health-state';
import { createMeasures, filterBehind, type Measures } from './measures';

/** Points of the chart. */
const SERIES_POINTS = 24;
const MIN = 60_000;

export interface HealthDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  emit: (n: NotificationRecord[]) => void;
  notifier?: Notifier;
  /** Team mode: whether this process notifies (it holds the timers lock). Default: always. */
  runsTimers?: () => boolean;
  /** Runs before each evaluation: requests already answered get their events first (ingest/deriver.ts). */
  beforeTick?: () => void;
  /** How often start() evaluates; default 30 s. */
  tickMs?: number;
  /**
   * Queues a rule's http actions (params.ruleId) for a firing or a recovery, inside the transaction that
   * records it: the outbox (action_jobs) commits with the state, so a crash neither loses nor repeats it.
   */
  act?: (ruleId: number, n: HealthNotice) => void;
  /** Whether a rule exists with an http action (params.ruleId is checked against it). */
  hasHttpActions?: (ruleId: number) => boolean;
}

export interface Health {
  /** Evaluates every enabled check now, by the injected clock; fires and recovers. Never throws. */
  tick(): void;
  /** Every preset with its state, value, chart and history (evaluated now first). */
  list(): HealthCheck[];
  /** Turns a check on or off and changes its parameters; answers it as list() would. */
  update(id: HealthKind, change: { enabled?: boolean; params?: HealthParams }): HealthCheck;
  /** Whether the user turned this check on. */
  isOn(id: HealthKind): boolean;
  start(): void;
  stop(): void;
}

export function createHealth(deps: HealthDeps): Health {
  const { db, clock, logger } = deps;
  const m: Measures = createMeasures(db);
  const state = createHealthState(db, deps.act);
  let startedAt = clock();
  let timer: ReturnType<typeof setInterval> | null = null;

  const read = (r: HealthRow, p: HealthParams, now: number): Reading =>
    EVALUATORS[r.id].read(m, p, { now, enabledAt: r.enabled_at, firingSince: r.firing_since, startedAt });

  function evaluate(): void {
    const now = clock();
    const notify = deps.runsTimers ? deps.runsTimers() : true;
    const fired: NotificationRecord[] = [];
    for (const r of state.rows()) {
      if (!r.enabled || !(HEALTH_KINDS as readonly string[]).includes(r.id)) continue;
      try {
        const p = state.paramsOf(r);
        const rec = state.record(r, p, read(r, p, now), now, notify);
        if (rec) fired.push(rec);
      } catch (err) {
        logger.error('health check failed', { check: r.id, error: (err as Error).message });
      }
    }
    if (fired.length === 0) return;
    for (const n of fired) {
      try { deps.notifier?.show({ title: n.title, body: n.body, eventId: null, notificationId: n.id }); } catch (err) {
        logger.warn('desktop notification failed', { error: (err as Error).message });
      }
    }
    try { deps.emit(fired); } catch (err) { logger.warn('notification push failed', { error: (err as Error).message }); }
  }

  function tick(): void {
    try {
      deps.beforeTick?.();
      evaluate();
    } catch (err) {
      logger.error('health checks failed', { error: (err as Error).message });
    }
  }

  function view(id: HealthKind, now: number): HealthCheck {
    const r = state.row(id);
    const p = state.paramsOf(r);
    const preset = HEALTH_PRESETS[id];
    const ev = EVALUATORS[id];
    const enabled = r.enabled === 1;
    const base: HealthCheck = {
      id, name: preset.name, watches: preset.watches, unit: preset.unit, enabled, params: p,
      state: !enabled ? 'off' : r.firing_since != null ? 'firing' : 'ok', firingSince: enabled ? r.firing_since : null,
      value: r.value, summary: r.summary ?? '', checkedAt: r.checked_at, threshold: ev.threshold(p),
      filter: null, series: [], history: state.history(id),
    };
    if (!enabled) return base;
    // The chart and the events behind the value are read now (the list is asked for rarely; the timer
    // only evaluates the present).
    const reading = read(r, p, now);
    base.filter = filterBehind(id, p, now, { businessId: reading.businessId, ids: reading.ids });
    if (reading.ids) base.messageIds = reading.ids;
    const step = Math.max(MIN, Math.floor(ev.span(p) / (SERIES_POINTS - 1)));
    const ats = Array.from({ length: SERIES_POINTS }, (_, i) => now - (SERIES_POINTS - 1 - i) * step);
    const values = ev.series(m, p, ats);
    base.series = ats.map((at, i) => ({ at, value: values[i] }));
    return base;
  }

  return {
    tick,
    list() {
      tick();
      const now = clock();
      return HEALTH_KINDS.map((id) => view(id, now));
    },
    update(id, change) {
      const r = state.row(id);
      const params = change.params ?? {};
      const foreign = foreignParams(id, params);
      if (foreign.length > 0) {
        throw new HookscopeError('VALIDATION', `The ${HEALTH_PRESETS[id].name} check takes ${HEALTH_PRESETS[id].params.join(', ')}; not ${foreign.join(', ')}.`);
      }
      const p = { ...state.paramsOf(r), ...params };
      if ((p.from == null) !== (p.to == null)) throw new HookscopeError('VALIDATION', 'Working hours need both from and to.');
      if (params.ruleId != null && !deps.hasHttpActions?.(params.ruleId)) {
        throw new HookscopeError('VALIDATION', `Rule ${params.ruleId} has no http action to post to (add one to the rule first).`);
      }
      const enabled = change.enabled ?? r.enabled === 1;
      const now = clock();
      state.save(r, enabled, p, enabled && r.enabled !== 1 ? now : r.enabled_at, now);
      tick();
      return view(id, clock());
    },
    isOn: (id) => state.row(id).enabled === 1,
    start() {
      if (timer) return;
      startedAt = clock();
      timer = setInterval(tick, deps.tickMs ?? 30_000);
      timer.unref?.();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}
