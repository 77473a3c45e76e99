// Fires notification rules: event rules on every committed batch of events, silence rules on a timer.
// Evaluation itself is shared/rules.ts (the same code the editor previews with); this file adds what
// needs state and time: enabled, duplicates, quiet hours, throttling, silence timers, and recording.
//
// Quiet hours: a rule inside its quiet hours records nothing and shows nothing, and does not start a
// throttle window — as if it were switched off for that time. (The notifications table has no
// "suppressed" flag, and a list full of notifications nobody was told about would read as noise.)
// Times of day (quiet hours, working hours) are the machine's local time of the injected clock.
import type { Database as Db } from 'better-sqlite3';
import type { HookEvent, NotificationRecord, Rule, RuleInput } from '../../../shared/types';
import { compileRule, inQuietHours, inTimeWindow, parseHhmm, renderTemplate, type CompiledRule, type RuleContext } from '../../../shared/rules';
import { insertNotification, lastFiredFor, listRules, type NewNotification } from './rules-store';
import type { Clock, Logger, Notifier } from '../types';

export interface RulesRunnerDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  notifier?: Notifier;
  emit: (n: NotificationRecord[]) => void;
  isLeadReply: (ev: HookEvent) => boolean;
  /** receivedAt of the newest incoming message, or null when there is none. */
  lastIncomingAt: () => number | null;
  /** How often start() runs tick(); default 30 s. */
  tickMs?: number;
}

export interface RulesRunner {
  /** Evaluate enabled rules against freshly committed events; never throws. */
  onEvents(events: HookEvent[]): void;
  /** Re-read rules after a create/update/delete. */
  reload(): void;
  /** How many of these events the rule would have notified about (throttle and quiet hours by event time). */
  wouldHaveFired(rule: RuleInput, events: Iterable<HookEvent>): number;
  /** Check silence rules now. */
  tick(): void;
  start(): void;
  stop(): void;
}

const localTime = (ms: number) => { const d = new Date(ms); return { hours: d.getHours(), minutes: d.getMinutes() }; };

/** Start (ms) of the working-hours window `now` is in, or null when `now` is outside it. */
function windowStart(w: { from?: string; to?: string }, now: number): number | null {
  if (w.from === undefined || w.to === undefined) return Number.NEGATIVE_INFINITY;
  if (!inTimeWindow({ from: w.from, to: w.to }, localTime(now))) return null;
  const f = parseHhmm(w.from) ?? 0;
  const d = new Date(now);
  d.setHours(Math.floor(f / 60), f % 60, 0, 0);
  if (d.getTime() > now) d.setDate(d.getDate() - 1); // a window wrapping midnight began yesterday
  return d.getTime();
}

export function createRulesRunner(deps: RulesRunnerDeps): RulesRunner {
  const { db, clock, logger } = deps;
  let eventRules: CompiledRule<Rule>[] = [];
  let silenceRules: CompiledRule<Rule>[] = [];
  /** ruleId → contact → last fire (ms); misses fall back to the notifications table. */
  const lastFired = new Map<number, Map<string | null, number>>();
  /** ruleId → the lastIncomingAt value the silence rule already fired for. */
  const silenceFiredFor = new Map<number, number | null>();
  let startedAt = clock();
  let timer: ReturnType<typeof setInterval> | null = null;

  function reload(): void {
    try {
      const compiled = listRules(db).filter((r) => r.enabled).map((r) => compileRule(r));
      for (const c of compiled) {
        if (c.error) logger.warn('rule condition can never hold', { ruleId: c.rule.id, problem: c.error });
      }
      eventRules = compiled.filter((c) => !c.isSilence);
      silenceRules = compiled.filter((c) => c.isSilence);
      // Throttle state of deleted/edited rules: the table is the truth, the map only a cache.
      lastFired.clear();
      for (const id of [...silenceFiredFor.keys()]) {
        if (!silenceRules.some((c) => c.rule.id === id)) silenceFiredFor.delete(id);
      }
    } catch (err) {
      logger.error('could not load rules', { error: (err as Error).message });
    }
  }

  function lastFireOf(ruleId: number, contactId: string | null): number | null {
    let byContact = lastFired.get(ruleId);
    if (!byContact) { byContact = new Map(); lastFired.set(ruleId, byContact); }
    const hit = byContact.get(contactId);
    if (hit !== undefined) return hit;
    const fromDb = lastFiredFor(db, ruleId, contactId);
    if (fromDb != null) byContact.set(contactId, fromDb);
    return fromDb;
  }

  function remember(ruleId: number, contactId: string | null, at: number): void {
    let byContact = lastFired.get(ruleId);
    if (!byContact) { byContact = new Map(); lastFired.set(ruleId, byContact); }
    // Only a cache over the notifications table: cap it rather than grow with every contact ever seen.
    if (byContact.size >= 10_000) byContact.clear();
    byContact.set(contactId, at);
  }

  function deliver(records: NotificationRecord[]): void {
    if (records.length === 0) return;
    for (const n of records) {
      try {
        deps.notifier?.show({ title: n.title, body: n.body, eventId: n.eventId, notificationId: n.id });
      } catch (err) {
        logger.warn('desktop notification failed', { error: (err as Error).message });
      }
    }
    try {
      deps.emit(records);
    } catch (err) {
      logger.warn('notification push failed', { error: (err as Error).message });
    }
  }

  const insertAll = db.transaction((rows: NewNotification[]) => rows.map((n) => insertNotification(db, n)));

  function onEvents(events: HookEvent[]): void {
    if (eventRules.length === 0 || events.length === 0) return;
    const now = clock();
    const time = localTime(now);
    // Quiet hours depend only on the clock: decide once per batch.
    const active = eventRules.filter((c) => !inQuietHours(c.rule.quietHours, time));
    if (active.length === 0) return;
    const pending: NewNotification[] = [];
    for (const ev of events) {
      // A provider retry or a replay is the same fact again: never notify twice for it.
      if (ev.duplicate) continue;
      // Imported past conversation (coexistence history): it happened long ago, nobody is waiting.
      if (ev.kind === 'history') continue;
      let lead: boolean | undefined;
      const ctx: RuleContext = { isLeadReply: (e) => (lead ??= deps.isLeadReply(e)) };
      for (const c of active) {
        try {
          if (!c.matches(ev, ctx)) continue;
          const rule = c.rule;
          const throttleMs = (rule.throttleSeconds ?? 0) * 1000;
          if (throttleMs > 0) {
            const last = lastFireOf(rule.id, ev.contactId);
            if (last != null && now - last < throttleMs) continue;
          }
          remember(rule.id, ev.contactId, now);
          pending.push({
            ruleId: rule.id, eventId: ev.id, contactId: ev.contactId, firedAt: now,
            title: renderTemplate(rule.title, ev), body: renderTemplate(rule.body, ev),
          });
        } catch (err) {
          logger.error('rule evaluation failed', { ruleId: c.rule.id, eventId: ev.id, error: (err as Error).message });
        }
      }
    }
    if (pending.length === 0) return;
    let records: NotificationRecord[];
    try {
      records = insertAll(pending);
    } catch (err) {
      logger.error('could not record notifications', { error: (err as Error).message });
      return;
    }
    deliver(records);
  }

  function tick(): void {
    if (silenceRules.length === 0) return;
    const now = clock();
    let last: number | null;
    try {
      last = deps.lastIncomingAt();
    } catch (err) {
      logger.warn('silence check failed', { error: (err as Error).message });
      return;
    }
    const pending: NewNotification[] = [];
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
      pending.push({
        ruleId: rule.id, eventId: null, contactId: null, firedAt: now,
        title: renderTemplate(rule.title, null, vars), body: renderTemplate(rule.body, null, vars),
      });
    }
    if (pending.length === 0) return;
    try {
      deliver(insertAll(pending));
    } catch (err) {
      logger.error('could not record notifications', { error: (err as Error).message });
    }
  }

  function wouldHaveFired(rule: RuleInput, events: Iterable<HookEvent>): number {
    const c = compileRule(rule);
    if (c.isSilence || c.error) return 0;
    // Chronological order, whatever order the caller iterates in (lists are newest first).
    const list = [...events].filter((e) => !e.duplicate && e.kind !== 'history').sort((a, b) => a.receivedAt - b.receivedAt || a.id - b.id);
    const throttleMs = (rule.throttleSeconds ?? 0) * 1000;
    const last = new Map<string | null, number>();
    let count = 0;
    for (const ev of list) {
      if (inQuietHours(rule.quietHours, localTime(ev.receivedAt))) continue;
      let lead: boolean | undefined;
      if (!c.matches(ev, { isLeadReply: (e) => (lead ??= deps.isLeadReply(e)) })) continue;
      const prev = last.get(ev.contactId);
      if (throttleMs > 0 && prev !== undefined && ev.receivedAt - prev < throttleMs) continue;
      last.set(ev.contactId, ev.receivedAt);
      count++;
    }
    return count;
  }

  reload();

  const safeTick = () => {
    try {
      tick();
    } catch (err) {
      logger.error('silence check failed', { error: (err as Error).message });
    }
  };

  return {
    onEvents(events) {
      try {
        onEvents(events);
      } catch (err) {
        logger.error('rules runner failed', { error: (err as Error).message });
      }
    },
    reload,
    wouldHaveFired,
    tick: safeTick,
    start() {
      if (timer) return;
      startedAt = clock();
      timer = setInterval(safeTick, deps.tickMs ?? 30_000);
      timer.unref?.();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}
