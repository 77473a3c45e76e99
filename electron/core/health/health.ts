// Health checks: the core watches rates, silence and stuck lifecycles on a timer (docs/api.md "Health
// checks"). Each preset of shared/health.ts is one check the user turns on, with its parameters. State
// lives in SQLite (health_checks: firing since; health_history: each episode), so a check fires once per
// episode and recovers once, across restarts. Firing and recovering go through the notification path
// (a notifications row with rule_id 0, Hookscope's own, the `notifications:fired` push, the desktop
// notifier); bodies carry numbers and ids, never a customer's words.
//
// Team mode: every process keeps its own state from its read model (the same history, so the same
// state), and only the one running the timers (team.runsTimers) notifies what it has not notified yet:
// nothing is lost while no process holds the timers; a new holder may tell an episode once more.
import type { Database as Db } from 'better-sqlite3';
import type { NotificationRecord } from '../../../shared/types';
import {
  HEALTH_KINDS, HEALTH_PRESETS, foreignParams, healthParamsOf,
  type HealthCheck, type HealthEpisode, type HealthKind, type HealthParams,
} from '../../../shared/health';
import { inTimeWindow, parseHhmm } from '../../../shared/rules';
import { HookscopeError } from '../../../shared/errors';
import { insertNotification } from '../rules/rules-store';
import type { Clock, Logger, Notifier } from '../types';
import { createMeasures, filterBehind, type Measures } from './measures';

/** `rule_id` of Hookscope's own notifications (api.ts SYSTEM_RULE_ID). */
const OWN_RULE_ID = 0;
const MIN = 60_000;
/** Points of the chart. */
const SERIES_POINTS = 24;
/** Episodes kept per check. */
const HISTORY_KEPT = 200;

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

/** What a firing or a recovery tells a rule's http actions (their `{title}`, `{body}`, and JSON fields). */
export interface HealthNotice {
  check: HealthKind;
  state: 'firing' | 'recovered';
  title: string;
  body: string;
  value: number;
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

interface Row {
  id: HealthKind; enabled: number; params: string; enabled_at: number | null;
  firing_since: number | null; value: number | null; summary: string | null; checked_at: number | null;
  /** What this process last notified: 'firing', 'recovered' or null (nothing yet). */
  notified: string | null;
}

interface Reading {
  value: number;
  /** The condition holds now (fire when ok). */
  bad: boolean;
  /** The condition is over (recover when firing). For most checks: !bad. */
  over: boolean;
  summary: string;
  title: string;
  recoveredTitle: string;
  businessId?: string | null;
  ids?: string[];
}

const localTime = (ms: number) => { const d = new Date(ms); return { hours: d.getHours(), minutes: d.getMinutes() }; };

/** Start (ms) of the working-hours window `now` is in; -Infinity without hours; null outside them. */
export function workingWindowStart(p: { from?: string | null; to?: string | null }, now: number): number | null {
  if (!p.from || !p.to) return Number.NEGATIVE_INFINITY;
  if (!inTimeWindow({ from: p.from, to: p.to }, localTime(now))) return null;
  const f = parseHhmm(p.from) ?? 0;
  const d = new Date(now);
  d.setHours(Math.floor(f / 60), f % 60, 0, 0);
  if (d.getTime() > now) d.setDate(d.getDate() - 1); // a window wrapping midnight began yesterday
  return d.getTime();
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const who = (p: HealthParams) => [p.provider === 'meta' ? 'Meta' : p.provider === 'twilio' ? 'Twilio' : null, p.businessId ? `number ${p.businessId}` : null]
  .filter(Boolean).join(' on ') || 'any provider';

export function createHealth(deps: HealthDeps): Health {
  const { db, clock, logger } = deps;
  const m: Measures = createMeasures(db);
  let startedAt = clock();
  let timer: ReturnType<typeof setInterval> | null = null;

  const getRow = db.prepare<[string], Row>('SELECT * FROM health_checks WHERE id = ?');
  const allRows = db.prepare<[], Row>('SELECT * FROM health_checks');
  const upsert = db.prepare(`INSERT INTO health_checks (id, enabled, params, enabled_at) VALUES (@id, @enabled, @params, @enabledAt)
    ON CONFLICT(id) DO UPDATE SET enabled = @enabled, params = @params, enabled_at = @enabledAt`);
  const setReading = db.prepare('UPDATE health_checks SET value = ?, summary = ?, checked_at = ? WHERE id = ?');
  const setFiring = db.prepare('UPDATE health_checks SET firing_since = ? WHERE id = ?');
  const setNotified = db.prepare('UPDATE health_checks SET notified = ? WHERE id = ?');
  const openEpisode = db.prepare('INSERT INTO health_history (check_id, fired_at, value, summary) VALUES (?, ?, ?, ?)');
  const closeEpisode = db.prepare('UPDATE health_history SET recovered_at = ? WHERE check_id = ? AND recovered_at IS NULL');
  const pruneHistory = db.prepare(`DELETE FROM health_history WHERE check_id = ? AND id <= (
    SELECT id FROM health_history WHERE check_id = ? ORDER BY id DESC LIMIT 1 OFFSET ${HISTORY_KEPT})`);
  const historyOf = db.prepare<[string], { id: number; fired_at: number; recovered_at: number | null; value: number; summary: string }>(
    'SELECT id, fired_at, recovered_at, value, summary FROM health_history WHERE check_id = ? ORDER BY id DESC LIMIT 50');

  const rowOf = (id: HealthKind): Row => getRow.get(id) ?? {
    id, enabled: 0, params: '{}', enabled_at: null, firing_since: null, value: null, summary: null, checked_at: null, notified: null,
  };
  const paramsOf = (r: Row): HealthParams => {
    try { return healthParamsOf(r.id, JSON.parse(r.params) as HealthParams); } catch { return healthParamsOf(r.id, null); }
  };

  /** Reads the watched value now and says whether the check should fire or recover. */
  function read(r: Row, p: HealthParams, now: number): Reading {
    switch (r.id) {
      case 'silence': {
        const last = m.lastAccepted(p, now);
        // Silence counts from the latest of: the last accepted webhook, when the check was turned on,
        // when this process started (the app being closed is not the provider's silence), and the start
        // of today's working hours (no alarm at 09:00 sharp for last night's quiet).
        const ws = workingWindowStart(p, now);
        const since = Math.max(last ?? Number.NEGATIVE_INFINITY, r.enabled_at ?? now, startedAt, ws ?? Number.NEGATIVE_INFINITY);
        const quietMin = Math.max(0, (now - (last ?? since)) / MIN);
        return {
          value: Math.round(quietMin * 10) / 10,
          bad: ws !== null && now - since >= (p.minutes ?? 60) * MIN,
          // A webhook accepted after it fired ends the episode, in working hours or not.
          over: r.firing_since != null && last != null && last >= r.firing_since,
          summary: last == null ? `No accepted webhook from ${who(p)} yet` : `Last accepted webhook from ${who(p)} ${Math.round(quietMin)} min ago`,
          title: `No webhooks from ${who(p)} for ${plural(p.minutes ?? 60, 'minute')}`,
          recoveredTitle: `Webhooks from ${who(p)} are arriving again`,
        };
      }
      case 'failure-rate': {
        const f = m.failureRate(p, now);
        const bad = f.percent >= (p.percent ?? 20) && f.failed > 0;
        const where = f.businessId ? ` on number ${f.businessId}` : '';
        const codes = f.codes.map((c) => `${c.code} ×${c.count}`).join(', ');
        return {
          value: f.percent, bad, over: !bad,
          summary: `${f.failed} of ${plural(f.sent, 'message')} failed${where} in the last ${p.windowMinutes} min (${f.percent} %)${codes ? `: ${codes}` : ''}`,
          title: `Failure rate ${f.percent} %${where} over the last ${p.windowMinutes} minutes`,
          recoveredTitle: 'Deliveries back to normal',
          businessId: f.businessId,
        };
      }
      case 'stuck': {
        const s = m.stuck(p, now);
        const bad = s.count >= (p.count ?? 1);
        return {
          value: s.count, bad, over: !bad, ids: s.ids,
          summary: s.count === 0 ? `No message stuck at sent for over ${p.minutes} min`
            // No ids in these words: they are stored (history, notifications) and a forgotten contact's
            // message ids must not outlive its events (docs/api.md "Forget a contact"); the panel lists them live.
            : `${plural(s.count, 'message')} sent over ${p.minutes} min ago with no delivered, read or failed since`,
          title: `${plural(s.count, 'message')} stuck at sent for over ${p.minutes} minutes`,
          recoveredTitle: 'No more stuck messages',
        };
      }
      case 'signatures': {
        const n = m.signatures(p, now);
        const bad = n >= (p.count ?? 5);
        return {
          value: n, bad, over: !bad,
          summary: `${plural(n, 'webhook')} from ${who(p)} rejected for a wrong signature in the last ${p.windowMinutes} min`,
          title: `${plural(n, 'webhook')} failed their signature check in ${p.windowMinutes} minutes`,
          recoveredTitle: 'Signatures check out again',
        };
      }
      case 'quality': {
        const q = m.quality(p, now);
        const bad = q.count > 0;
        const latest = q.latest ? q.latest.slice(0, 120) : null;
        return {
          value: q.count, bad, over: !bad,
          summary: q.count === 0 ? `No quality, limit or template warning in the last ${p.windowMinutes} min`
            : `${plural(q.count, 'warning')} in the last ${p.windowMinutes} min${latest ? `; latest: ${latest}` : ''}`,
          title: `Quality or limits: ${latest ?? plural(q.count, 'warning')}`,
          recoveredTitle: 'No quality or limit warnings any more',
        };
      }
    }
  }

  // State and notification are apart: every process records the state (its UI shows the same as the
  // others'), and the one that notifies tells what it has not told yet — so a firing recorded while no
  // process held the timers is told by the next holder rather than lost (a change of holder mid-episode
  // may tell it once more, from another process).
  const transition = db.transaction((r: Row, p: HealthParams, reading: Reading, now: number, notify: boolean): NotificationRecord | null => {
    setReading.run(reading.value, reading.summary, now, r.id);
    let firing = r.firing_since != null;
    if (!firing && reading.bad) {
      setFiring.run(now, r.id);
      openEpisode.run(r.id, now, reading.value, reading.summary);
      pruneHistory.run(r.id, r.id);
      firing = true;
    } else if (firing && reading.over) {
      setFiring.run(null, r.id);
      closeEpisode.run(now, r.id);
      firing = false;
    }
    if (!notify) return null;
    if (firing && r.notified !== 'firing') {
      setNotified.run('firing', r.id);
      if (p.ruleId != null) deps.act?.(p.ruleId, { check: r.id, state: 'firing', title: reading.title, body: reading.summary, value: reading.value });
      return insertNotification(db, { ruleId: OWN_RULE_ID, eventId: null, contactId: null, firedAt: now, title: reading.title, body: reading.summary });
    }
    if (!firing && r.notified === 'firing') {
      setNotified.run('recovered', r.id);
      if (p.ruleId != null) deps.act?.(p.ruleId, { check: r.id, state: 'recovered', title: reading.recoveredTitle, body: reading.summary, value: reading.value });
      return insertNotification(db, { ruleId: OWN_RULE_ID, eventId: null, contactId: null, firedAt: now, title: reading.recoveredTitle, body: reading.summary });
    }
    return null;
  });

  function evaluate(): void {
    const now = clock();
    const notify = deps.runsTimers ? deps.runsTimers() : true;
    const fired: NotificationRecord[] = [];
    for (const r of allRows.all()) {
      if (!r.enabled || !(HEALTH_KINDS as readonly string[]).includes(r.id)) continue;
      try {
        const p = paramsOf(r);
        const rec = transition(r, p, read(r, p, now), now, notify);
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
    const r = rowOf(id);
    const p = paramsOf(r);
    const preset = HEALTH_PRESETS[id];
    const enabled = r.enabled === 1;
    const history: HealthEpisode[] = historyOf.all(id).map((h) => ({ id: h.id, firedAt: h.fired_at, recoveredAt: h.recovered_at, value: h.value, summary: h.summary }));
    const base: HealthCheck = {
      id, name: preset.name, watches: preset.watches, unit: preset.unit, enabled, params: p,
      state: !enabled ? 'off' : r.firing_since != null ? 'firing' : 'ok', firingSince: enabled ? r.firing_since : null,
      value: r.value, summary: r.summary ?? '', checkedAt: r.checked_at, threshold: thresholdOf(id, p),
      filter: null, series: [], history,
    };
    if (!enabled) return base;
    // The chart and the events behind the value are read now (the list is asked for rarely; the timer
    // only evaluates the present).
    const reading = read(r, p, now);
    base.filter = filterBehind(id, p, now, { businessId: reading.businessId, ids: reading.ids });
    if (reading.ids) base.messageIds = reading.ids;
    base.series = seriesOf(r, p, now);
    return base;
  }

  function seriesOf(r: Row, p: HealthParams, now: number): { at: number; value: number }[] {
    const span = r.id === 'silence' || r.id === 'stuck' ? 2 * (p.minutes ?? 60) * MIN : 4 * (p.windowMinutes ?? 15) * MIN;
    const step = Math.max(MIN, Math.floor(span / (SERIES_POINTS - 1)));
    const ats = Array.from({ length: SERIES_POINTS }, (_, i) => now - (SERIES_POINTS - 1 - i) * step);
    // Stuck looks a day back at each point: one pass for all of them rather than one query per point.
    if (r.id === 'stuck') { const counts = m.stuckSeries(p, ats); return ats.map((at, i) => ({ at, value: counts[i] })); }
    const out: { at: number; value: number }[] = [];
    for (let i = SERIES_POINTS - 1; i >= 0; i--) {
      const at = now - i * step;
      let value: number;
      switch (r.id) {
        case 'silence': { const last = m.lastAccepted(p, at); value = last == null ? 0 : Math.round(((at - last) / MIN) * 10) / 10; break; }
        case 'failure-rate': value = m.failureRate(p, at).percent; break;
        case 'signatures': value = m.signatures(p, at); break;
        case 'quality': value = m.quality(p, at).count; break;
      }
      out.push({ at, value });
    }
    return out;
  }

  return {
    tick,
    list() {
      tick();
      const now = clock();
      return HEALTH_KINDS.map((id) => view(id, now));
    },
    update(id, change) {
      const r = rowOf(id);
      const params = change.params ?? {};
      const foreign = foreignParams(id, params);
      if (foreign.length > 0) {
        throw new HookscopeError('VALIDATION', `The ${HEALTH_PRESETS[id].name} check takes ${HEALTH_PRESETS[id].params.join(', ')}; not ${foreign.join(', ')}.`);
      }
      const p = { ...paramsOf(r), ...params };
      if ((p.from == null) !== (p.to == null)) throw new HookscopeError('VALIDATION', 'Working hours need both from and to.');
      if (params.ruleId != null && !deps.hasHttpActions?.(params.ruleId)) {
        throw new HookscopeError('VALIDATION', `Rule ${params.ruleId} has no http action to post to (add one to the rule first).`);
      }
      const enabled = change.enabled ?? r.enabled === 1;
      const now = clock();
      const enabledAt = enabled && r.enabled !== 1 ? now : r.enabled_at;
      db.transaction(() => {
        upsert.run({ id, enabled: enabled ? 1 : 0, params: JSON.stringify(p), enabledAt });
        // Turned off while firing: the episode ends there, without a "recovered" notification.
        if (!enabled && r.firing_since != null) { setFiring.run(null, id); closeEpisode.run(now, id); setNotified.run(null, id); }
      })();
      tick();
      return view(id, clock());
    },
    isOn: (id) => getRow.get(id)?.enabled === 1,
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

function thresholdOf(id: HealthKind, p: HealthParams): number | null {
  switch (id) {
    case 'silence': return p.minutes ?? null;
    case 'failure-rate': return p.percent ?? null;
    case 'stuck': return p.count ?? null;
    case 'signatures': return p.count ?? null;
    case 'quality': return 1;
  }
}
