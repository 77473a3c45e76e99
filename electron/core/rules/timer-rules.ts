// Timer rules (rules-runner.ts runs them on tick()): unanswered leads (lead_waits rows, so a restart
// resumes them), digests (their last period in rule_state) and silence. What fires goes through the
// runner's `fire` (rule-firing.ts), so a timer rule's notification and actions are recorded exactly like an event rule's.
import type { Database as Db } from 'better-sqlite3';
import type { HookEvent, Rule } from '../../../shared/types';
import { inQuietHours, renderTemplate, type CompiledRule, type RuleContext } from '../../../shared/rules';
import { digestFacts, type DigestFacts, type NewNotification } from './rules-store';
import { digestSlot, localStamp, localTime, windowStart, workingMsBetween } from './rule-time';
import type { Logger } from '../types';

/** Records what a rule does when it fires: a notification row in `pending` and/or http jobs in `jobs`. */
export type Fire = (rule: Rule, ev: HookEvent | null, title: string, body: string, now: number,
  pending: NewNotification[], jobs: (() => void)[], extra: Record<string, unknown>) => void;

export interface TimerRulesDeps {
  db: Db;
  logger: Logger;
  isLeadReply: (ev: HookEvent) => boolean;
  /** receivedAt of the newest incoming message, or null when there is none. */
  lastIncomingAt: () => number | null;
  /** The stored event of an unanswered-lead wait. */
  getEvent?: (id: number) => HookEvent | null;
  fire: Fire;
}

export interface TimerRules {
  /** The enabled timer rules, after the runner (re)loaded its rules. */
  set(rules: { silence: CompiledRule<Rule>[]; unanswered: CompiledRule<Rule>[]; digests: Rule[] }): void;
  /** When the runner started: silence is counted from then at the earliest (the app being closed is not silence). */
  started(at: number): void;
  /** Starts and ends unanswered-lead waits for freshly derived, accepted events. */
  trackWaits(events: HookEvent[]): void;
  /** Unanswered leads and digests that are due at `now`. */
  tickDue(now: number, pending: NewNotification[], jobs: (() => void)[]): void;
  /** Silence rules that are due at `now`. */
  tickSilence(now: number, pending: NewNotification[], jobs: (() => void)[]): void;
}

/** A status that means the business sent this contact a message: ends an unanswered-lead wait. */
const OUTGOING_STATUSES = new Set(['queued', 'sent']);

export function digestSummary(f: DigestFacts): string {
  const codes = Object.entries(f.failedByCode).sort((x, y) => y[1] - x[1]).map(([c, n]) => `${c} ×${n}`).join(', ');
  const who = (l: { contactId: string; contactName: string | null }[]) =>
    l.slice(0, 10).map((c) => c.contactName || `+${c.contactId}`).join(', ') + (l.length > 10 ? ` and ${l.length - 10} more` : '');
  return [
    `${f.failed} failed${codes ? ` (${codes})` : ''}`,
    `${f.leadsReplied.length} lead${f.leadsReplied.length === 1 ? '' : 's'} replied${f.leadsReplied.length ? `: ${who(f.leadsReplied)}` : ''}`,
    `${f.unanswered.length} unanswered${f.unanswered.length ? `: ${who(f.unanswered)}` : ''}`,
  ].join(' · ');
}

export function createTimerRules(deps: TimerRulesDeps): TimerRules {
  const { db, logger, fire } = deps;
  let silenceRules: CompiledRule<Rule>[] = [];
  let unansweredRules: CompiledRule<Rule>[] = [];
  let digestRules: Rule[] = [];
  /** ruleId → the lastIncomingAt value the silence rule already fired for. */
  const silenceFiredFor = new Map<number, number | null>();
  let startedAt = Number.NEGATIVE_INFINITY;

  // The earliest unanswered message counts: later ones from the same contact do not restart the clock.
  const startWait = db.prepare('INSERT OR IGNORE INTO lead_waits (rule_id, contact_id, event_id, wrote_at) VALUES (?, ?, ?, ?)');
  // Only the same provider's outgoing message answers a lead (a wait whose event is gone ends either way).
  const endWaits = db.prepare(`DELETE FROM lead_waits WHERE contact_id = ? AND wrote_at <= ?
    AND COALESCE((SELECT provider FROM events WHERE id = lead_waits.event_id), ?) IS ?`);
  const waitsOf = db.prepare<[number], { contact_id: string; event_id: number; wrote_at: number }>(
    'SELECT contact_id, event_id, wrote_at FROM lead_waits WHERE rule_id = ? ORDER BY wrote_at LIMIT 1000');
  const dropWait = db.prepare('DELETE FROM lead_waits WHERE rule_id = ? AND contact_id = ?');
  const getState = db.prepare<[number, string], { value: string }>('SELECT value FROM rule_state WHERE rule_id = ? AND key = ?');
  const setState = db.prepare('INSERT OR REPLACE INTO rule_state (rule_id, key, value) VALUES (?, ?, ?)');

  function trackWaits(events: HookEvent[]): void {
    if (unansweredRules.length === 0) return;
    for (const ev of events) {
      if (ev.duplicate || !ev.contactId) continue;
      if (ev.kind === 'status' && ev.status && OUTGOING_STATUSES.has(ev.status)) {
        endWaits.run(ev.contactId, ev.receivedAt, ev.provider, ev.provider);
        continue;
      }
      if (ev.kind !== 'message') continue;
      let lead: boolean | undefined;
      const ctx: RuleContext = { isLeadReply: (e) => (lead ??= deps.isLeadReply(e)) };
      for (const c of unansweredRules) {
        try {
          if (c.matches(ev, ctx)) startWait.run(c.rule.id, ev.contactId, ev.id, ev.receivedAt);
        } catch (err) {
          logger.error('rule evaluation failed', { ruleId: c.rule.id, eventId: ev.id, error: (err as Error).message });
        }
      }
    }
  }

  function tickUnanswered(now: number, pending: NewNotification[], jobs: (() => void)[]): void {
    for (const c of unansweredRules) {
      const rule = c.rule;
      const u = rule.unanswered;
      if (!u) continue;
      if (windowStart(u, now) === null) continue; // outside working hours: wait for them
      if (inQuietHours(rule.quietHours, localTime(now))) continue;
      for (const w of waitsOf.all(rule.id)) {
        if (workingMsBetween(w.wrote_at, now, u) < u.minutes * 60_000) continue;
        dropWait.run(rule.id, w.contact_id);
        const ev = deps.getEvent?.(w.event_id) ?? null;
        const vars = { minutes: String(u.minutes) };
        fire(rule, ev, renderTemplate(rule.title, ev, vars), renderTemplate(rule.body, ev, vars), now, pending, jobs, { minutes: u.minutes });
      }
    }
  }

  function tickDigests(now: number, pending: NewNotification[], jobs: (() => void)[]): void {
    for (const rule of digestRules) {
      const d = rule.digest;
      if (!d) continue;
      const slot = digestSlot(d, now);
      const last = getState.get(rule.id, 'digestSlot');
      // A new digest rule starts counting now: its first digest covers the time since it was made.
      if (!last) { setState.run(rule.id, 'digestSlot', String(now)); continue; }
      const since = Number(last.value);
      if (!(slot > since)) continue;
      if (inQuietHours(rule.quietHours, localTime(now))) continue;
      // Closed across several slots: one digest for the whole stretch, not one per missed slot.
      setState.run(rule.id, 'digestSlot', String(slot));
      const facts = digestFacts(db, deps.isLeadReply, since, slot);
      const summary = digestSummary(facts);
      const period = `${localStamp(since)} – ${localStamp(slot)}`;
      const vars = { period, summary, failed: String(facts.failed), leadsReplied: String(facts.leadsReplied.length), unanswered: String(facts.unanswered.length) };
      fire(rule, null, renderTemplate(rule.title, null, vars), renderTemplate(rule.body, null, vars), now, pending, jobs, {
        period, since, until: slot, failed: facts.failed, failedByCode: facts.failedByCode,
        leadsReplied: facts.leadsReplied, unanswered: facts.unanswered, summary,
      });
    }
  }

  function tickSilence(now: number, pending: NewNotification[], jobs: (() => void)[]): void {
    if (silenceRules.length === 0) return;
    let last: number | null;
    try {
      last = deps.lastIncomingAt();
    } catch (err) {
      logger.warn('silence check failed', { error: (err as Error).message });
      return;
    }
    for (const c of silenceRules) {
      const rule = c.rule;
      const silence = rule.silence;
      if (!silence) continue;
      // Fired already for this stretch of silence: wait for an incoming message (lastIncomingAt moves).
      if (silenceFiredFor.has(rule.id) && silenceFiredFor.get(rule.id) === last) continue;
      if (silenceFiredFor.has(rule.id)) silenceFiredFor.delete(rule.id);
      const ws = windowStart(silence, now);
      if (ws === null) continue; // outside working hours
      if (inQuietHours(rule.quietHours, localTime(now))) continue;
      // Silence is counted from the latest of: the last incoming message, when the runner started (the
      // app being closed is not silence), and the start of today's working hours (no alarm at 09:00
      // sharp for last night's quiet).
      const since = Math.max(last ?? Number.NEGATIVE_INFINITY, startedAt, ws);
      if (now - since < silence.minutes * 60_000) continue;
      silenceFiredFor.set(rule.id, last);
      const vars = { minutes: String(silence.minutes) };
      fire(rule, null, renderTemplate(rule.title, null, vars), renderTemplate(rule.body, null, vars), now, pending, jobs, { minutes: silence.minutes });
    }
  }

  return {
    set(rules) {
      silenceRules = rules.silence;
      unansweredRules = rules.unanswered;
      digestRules = rules.digests;
      for (const id of [...silenceFiredFor.keys()]) {
        if (!silenceRules.some((c) => c.rule.id === id)) silenceFiredFor.delete(id);
      }
    },
    started(at) { startedAt = at; },
    trackWaits,
    tickDue(now, pending, jobs) {
      try { tickUnanswered(now, pending, jobs); } catch (err) { logger.error('unanswered-lead check failed', { error: (err as Error).message }); }
      try { tickDigests(now, pending, jobs); } catch (err) { logger.error('digest failed', { error: (err as Error).message }); }
    },
    tickSilence,
  };
}
