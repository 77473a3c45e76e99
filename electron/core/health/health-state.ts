// A health check's state in SQLite (docs/api.md "Health checks"): health_checks holds whether it is on,
// its parameters, since when it fires and what this process last told; health_history holds each
// episode. So a check fires once per episode and recovers once, across restarts.
//
// State and notification are apart (healthStep): every process records the state (its UI shows the
// same as the others'), and the one that notifies tells what it has not told yet — so a firing recorded
// while no process held the timers is told by the next holder rather than lost (a change of holder
// mid-episode may tell it once more, from another process).
import type { Database as Db } from 'better-sqlite3';
import type { NotificationRecord } from '../../../shared/types';
import { healthParamsOf, type HealthEpisode, type HealthKind, type HealthParams } from '../../../shared/health';
import { insertNotification } from '../rules/rules-store';
import type { Reading } from './evaluators';

/** `rule_id` of Hookscope's own notifications (api.ts SYSTEM_RULE_ID). */
const OWN_RULE_ID = 0;
/** Episodes kept per check. */
const HISTORY_KEPT = 200;

export interface HealthRow {
  id: HealthKind; enabled: number; params: string; enabled_at: number | null;
  firing_since: number | null; value: number | null; summary: string | null; checked_at: number | null;
  /** What this process last notified: 'firing', 'recovered' or null (nothing yet). */
  notified: string | null;
}

/** What a firing or a recovery tells a rule's http actions (their `{title}`, `{body}`, and JSON fields). */
export interface HealthNotice {
  check: HealthKind;
  state: 'firing' | 'recovered';
  title: string;
  body: string;
  value: number;
}

/** What one evaluation does to a check: open or close an episode, and what to tell (if anything). */
export interface HealthStep {
  open: boolean;
  close: boolean;
  tell: 'firing' | 'recovered' | null;
}

/**
 * Pure: an episode opens when the condition holds and none is open, closes when it is over; a process
 * that notifies tells a firing it has not told yet, and a recovery after a firing it told.
 */
export function healthStep(was: { firing: boolean; notified: string | null }, reading: Pick<Reading, 'bad' | 'over'>, notify: boolean): HealthStep {
  const open = !was.firing && reading.bad;
  const close = was.firing && reading.over;
  const firing = open || (was.firing && !close);
  let tell: HealthStep['tell'] = null;
  if (notify && firing && was.notified !== 'firing') tell = 'firing';
  else if (notify && !firing && was.notified === 'firing') tell = 'recovered';
  return { open, close, tell };
}

export interface HealthState {
  /** A check's row (defaults when it was never turned on). */
  row(id: HealthKind): HealthRow;
  rows(): HealthRow[];
  /** Its stored parameters over the preset's defaults. */
  paramsOf(r: HealthRow): HealthParams;
  /**
   * Records a reading in one transaction: the value, the episode, and — when this process notifies — the
   * notification row and the rule's http actions. Answers the notification to show, if any.
   */
  record(r: HealthRow, p: HealthParams, reading: Reading, now: number, notify: boolean): NotificationRecord | null;
  /** Saves on/off and parameters; turned off while firing, the episode ends without a "recovered". */
  save(r: HealthRow, enabled: boolean, p: HealthParams, enabledAt: number | null, now: number): void;
  history(id: HealthKind): HealthEpisode[];
}

export function createHealthState(db: Db, act?: (ruleId: number, n: HealthNotice) => void): HealthState {
  const getRow = db.prepare<[string], HealthRow>('SELECT * FROM health_checks WHERE id = ?');
  const allRows = db.prepare<[], HealthRow>('SELECT * FROM health_checks');
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

  const record = db.transaction((r: HealthRow, p: HealthParams, reading: Reading, now: number, notify: boolean): NotificationRecord | null => {
    setReading.run(reading.value, reading.summary, now, r.id);
    const step = healthStep({ firing: r.firing_since != null, notified: r.notified }, reading, notify);
    if (step.open) {
      setFiring.run(now, r.id);
      openEpisode.run(r.id, now, reading.value, reading.summary);
      pruneHistory.run(r.id, r.id);
    } else if (step.close) {
      setFiring.run(null, r.id);
      closeEpisode.run(now, r.id);
    }
    if (step.tell == null) return null;
    setNotified.run(step.tell, r.id);
    const title = step.tell === 'firing' ? reading.title : reading.recoveredTitle;
    if (p.ruleId != null) act?.(p.ruleId, { check: r.id, state: step.tell, title, body: reading.summary, value: reading.value });
    return insertNotification(db, { ruleId: OWN_RULE_ID, eventId: null, contactId: null, firedAt: now, title, body: reading.summary });
  });

  const save = db.transaction((r: HealthRow, enabled: boolean, p: HealthParams, enabledAt: number | null, now: number) => {
    upsert.run({ id: r.id, enabled: enabled ? 1 : 0, params: JSON.stringify(p), enabledAt });
    if (!enabled && r.firing_since != null) { setFiring.run(null, r.id); closeEpisode.run(now, r.id); setNotified.run(null, r.id); }
  });

  return {
    row: (id) => getRow.get(id) ?? {
      id, enabled: 0, params: '{}', enabled_at: null, firing_since: null, value: null, summary: null, checked_at: null, notified: null,
    },
    rows: () => allRows.all(),
    paramsOf(r) {
      try { return healthParamsOf(r.id, JSON.parse(r.params) as HealthParams); } catch { return healthParamsOf(r.id, null); }
    },
    record,
    save: (r, enabled, p, enabledAt, now) => save(r, enabled, p, enabledAt, now),
    history: (id) => historyOf.all(id).map((h) => ({ id: h.id, firedAt: h.fired_at, recoveredAt: h.recovered_at, value: h.value, summary: h.summary })),
  };
}
