// Fires notification rules: event rules on every committed batch of events, silence rules on a timer.
// Evaluation itself is shared/rules.ts (the same code the editor previews with); this file adds what
// needs state and time: enabled, duplicates, quiet hours, throttling, silence timers, and recording.
//
// Quiet hours: a rule inside its quiet hours records nothing and shows nothing, and does not start a
// throttle window — as if it were switched off for that time. (The notifications table has no
// "suppressed" flag, and a list full of notifications nobody was told about would read as noise.)
// Times of day (quiet hours, working hours) are the machine's local time of the injected clock.
//
// Actions: a matching rule does what its `actions` say — `notify` (the notification above) and/or `http`
// (queued in SQLite and sent by action-sender.ts, never inside this call). Timer rules: silence,
// unanswered leads (lead_waits rows, so a restart resumes them) and digests (their last period in
// rule_state); all three run on tick(), which reads the injected clock.
//
// Defence in depth: events whose signature is `invalid` or `missing` never reach a rule's output here,
// whatever the caller passes — a forged webhook must not post to a CRM or a team chat.
//
// Desktop notifications are capped globally (notifyPerMinute, default 20 a minute): past the cap they are
// still recorded and pushed to the UI, and one "N more" notification sums up the rest when the minute ends.
import type { Database as Db } from 'better-sqlite3';
import type { HookEvent, HttpAction, NotificationRecord, Rule, RuleInput } from '../../../shared/types';
import { compileRule, inQuietHours, inTimeWindow, parseHhmm, renderTemplate, type CompiledRule, type RuleContext } from '../../../shared/rules';
import { actionsOf, eventFields, renderBody } from '../../../shared/actions';
import { kindIs } from '../../../shared/event-kinds';
import { actionSecret, digestFacts, insertNotification, lastFiredFor, listRules, type DigestFacts, type NewNotification } from './rules-store';
import type { ActionSender } from './action-sender';
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
  /** Runs before each timer check: events of requests already answered are derived first (ingest/deriver.ts). */
  beforeTick?: () => void;
  /** Sends http actions; without it, http actions are skipped (unit tests of notifications). */
  sender?: ActionSender;
  /** The stored event of an unanswered-lead wait. */
  getEvent?: (id: number) => HookEvent | null;
  /** Desktop notifications shown per minute before the rest are summed up; default 20. */
  notifyPerMinute?: number;
  /**
   * Whether this process runs the timer rules (silence, unanswered leads, digests) now. A team server's
   * processes share one history, so only the one holding the timers lock does (docs/architecture.md
   * "Team mode"); due action retries are every process's own queue and always run. Default: always.
   */
  runsTimers?: () => boolean;
}

export interface RulesRunner {
  /** Evaluate enabled rules against freshly committed events; never throws. */
  onEvents(events: HookEvent[]): void;
  /** Re-read rules after a create/update/delete. */
  reload(): void;
  /** How many of these events the rule would have notified about (throttle and quiet hours by event time). */
  wouldHaveFired(rule: RuleInput, events: Iterable<HookEvent>): number;
  /** Check timer rules (silence, unanswered leads, digests) and due retries now. */
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

/** Milliseconds of [a, b) that fall inside the working-hours window (all of it without a window). */
export function workingMsBetween(a: number, b: number, w: { from?: string; to?: string }): number {
  if (b <= a) return 0;
  if (w.from === undefined || w.to === undefined) return b - a;
  const f = parseHhmm(w.from);
  const t = parseHhmm(w.to);
  if (f == null || t == null || f === t) return b - a;
  const at = (day: Date, minutes: number) => { const d = new Date(day); d.setHours(0, minutes, 0, 0); return d.getTime(); };
  const overlap = (s: number, e: number) => Math.max(0, Math.min(e, b) - Math.max(s, a));
  let total = 0;
  const day = new Date(a);
  day.setHours(0, 0, 0, 0);
  day.setDate(day.getDate() - 1); // a window wrapping midnight may have begun the day before
  for (let i = 0; i < 400 && day.getTime() < b; i++) {
    if (f < t) total += overlap(at(day, f), at(day, t));
    else total += overlap(at(day, 0), at(day, t)) + overlap(at(day, f), at(day, 24 * 60));
    day.setDate(day.getDate() + 1);
  }
  return total;
}

/** The latest scheduled digest time at or before `now` (local time). */
export function digestSlot(d: { every: 'day' | 'hour'; at?: string }, now: number): number {
  const x = new Date(now);
  if (d.every === 'hour') { x.setMinutes(0, 0, 0); return x.getTime(); }
  const m = parseHhmm(d.at ?? '18:00') ?? 18 * 60;
  x.setHours(0, m, 0, 0);
  if (x.getTime() > now) x.setDate(x.getDate() - 1);
  return x.getTime();
}

const pad = (n: number) => String(n).padStart(2, '0');
const localStamp = (ms: number) => { const d = new Date(ms); return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`; };

function digestSummary(f: DigestFacts): string {
  const codes = Object.entries(f.failedByCode).sort((x, y) => y[1] - x[1]).map(([c, n]) => `${c} ×${n}`).join(', ');
  const who = (l: { contactId: string; contactName: string | null }[]) =>
    l.slice(0, 10).map((c) => c.contactName || `+${c.contactId}`).join(', ') + (l.length > 10 ? ` and ${l.length - 10} more` : '');
  return [
    `${f.failed} failed${codes ? ` (${codes})` : ''}`,
    `${f.leadsReplied.length} lead${f.leadsReplied.length === 1 ? '' : 's'} replied${f.leadsReplied.length ? `: ${who(f.leadsReplied)}` : ''}`,
    `${f.unanswered.length} unanswered${f.unanswered.length ? `: ${who(f.unanswered)}` : ''}`,
  ].join(' · ');
}

const ACCEPTED = new Set(['valid', 'unchecked']);
/** A status that means the business sent this contact a message: ends an unanswered-lead wait. */
const OUTGOING_STATUSES = new Set(['queued', 'sent']);

export function createRulesRunner(deps: RulesRunnerDeps): RulesRunner {
  const { db, clock, logger } = deps;
  let eventRules: CompiledRule<Rule>[] = [];
  let silenceRules: CompiledRule<Rule>[] = [];
  let unansweredRules: CompiledRule<Rule>[] = [];
  let digestRules: Rule[] = [];
  const notifyCap = deps.notifyPerMinute ?? 20;
  /** The global notification budget: shown this minute, and how many were held back. */
  const shownWindow = { since: Number.NEGATIVE_INFINITY, shown: 0, held: 0 };
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
      eventRules = compiled.filter((c) => !c.isSilence && !c.rule.unanswered && !c.rule.digest);
      silenceRules = compiled.filter((c) => c.isSilence);
      unansweredRules = compiled.filter((c) => c.rule.unanswered != null);
      digestRules = compiled.filter((c) => c.rule.digest != null).map((c) => c.rule);
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

  function show(n: { title: string; body: string; eventId: number | null; notificationId: number }): void {
    try {
      deps.notifier?.show(n);
    } catch (err) {
      logger.warn('desktop notification failed', { error: (err as Error).message });
    }
  }

  /** Ends the notification minute when it is over: one summary for what was held back. */
  function rollNotifyWindow(now: number): void {
    if (now - shownWindow.since < 60_000) return;
    if (shownWindow.held > 0) {
      const held = shownWindow.held;
      show({ title: `${held} more notification${held === 1 ? '' : 's'}`,
        body: `Held back to keep the desktop usable; all ${held} are in the Notifications list.`, eventId: null, notificationId: 0 });
    }
    shownWindow.since = now;
    shownWindow.shown = 0;
    shownWindow.held = 0;
  }

  function deliver(records: NotificationRecord[]): void {
    if (records.length === 0) return;
    const now = clock();
    rollNotifyWindow(now);
    for (const n of records) {
      if (shownWindow.shown >= notifyCap) { shownWindow.held++; continue; }
      shownWindow.shown++;
      show({ title: n.title, body: n.body, eventId: n.eventId, notificationId: n.id });
    }
    try {
      deps.emit(records);
    } catch (err) {
      logger.warn('notification push failed', { error: (err as Error).message });
    }
  }

  const insertAll = db.transaction((rows: NewNotification[]) => rows.map((n) => insertNotification(db, n)));

  function onEvents(all: HookEvent[]): void {
    const events = all.filter((e) => ACCEPTED.has(e.signature));
    if (events.length === 0) return;
    try { trackWaits(events); } catch (err) { logger.error('unanswered-lead tracking failed', { error: (err as Error).message }); }
    if (eventRules.length === 0) return;
    const now = clock();
    const time = localTime(now);
    // Quiet hours depend only on the clock: decide once per batch.
    const active = eventRules.filter((c) => !inQuietHours(c.rule.quietHours, time));
    if (active.length === 0) return;
    const pending: NewNotification[] = [];
    const jobs: (() => void)[] = [];
    for (const ev of events) {
      // A provider retry or a replay is the same fact again: never notify twice for it.
      if (ev.duplicate) continue;
      // Imported past conversation (coexistence history): it happened long ago, nobody is waiting.
      if (!kindIs(ev.kind, 'notifies')) continue;
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
          const title = renderTemplate(rule.title, ev);
          const body = renderTemplate(rule.body, ev);
          fire(rule, ev, title, body, now, pending, jobs, {});
        } catch (err) {
          logger.error('rule evaluation failed', { ruleId: c.rule.id, eventId: ev.id, error: (err as Error).message });
        }
      }
    }
    flush(pending, jobs);
  }

  /** Queues what a rule does when it fires: a notification row and/or http jobs. */
  function fire(rule: Rule, ev: HookEvent | null, title: string, body: string, now: number,
    pending: NewNotification[], jobs: (() => void)[], extra: Record<string, unknown>): void {
    actionsOf(rule).forEach((a, i) => {
      if (a.type === 'notify') {
        pending.push({ ruleId: rule.id, eventId: ev?.id ?? null, contactId: ev?.contactId ?? null, firedAt: now, title, body });
        return;
      }
      const sender = deps.sender;
      if (!sender) return;
      const fields = eventFields(ev, { ruleId: rule.id, ruleName: rule.name, title, body, ...extra });
      const action: HttpAction = a;
      jobs.push(() => sender.enqueue({
        ruleId: rule.id, eventId: ev?.id ?? null, actionIndex: i, contactId: ev?.contactId ?? null, action,
        body: renderBody(action.body ?? '', fields), secret: actionSecret(db, rule.id, i),
      }));
    });
  }

  function flush(pending: NewNotification[], jobs: (() => void)[]): void {
    for (const j of jobs) {
      try { j(); } catch (err) { logger.error('could not queue an action', { error: (err as Error).message }); }
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

  /** Starts and ends unanswered-lead waits: a lead's message starts one, an outgoing message to them ends it. */
  function trackWaits(events: HookEvent[]): void {
    if (unansweredRules.length === 0) return;
    for (const ev of events) {
      if (ev.duplicate || !ev.contactId) continue;
      if (ev.kind === 'status' && ev.status && OUTGOING_STATUSES.has(ev.status)) {
        endWaits.run(ev.contactId, ev.receivedAt);
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

  // The earliest unanswered message counts: later ones from the same contact do not restart the clock.
  const startWait = db.prepare('INSERT OR IGNORE INTO lead_waits (rule_id, contact_id, event_id, wrote_at) VALUES (?, ?, ?, ?)');
  const endWaits = db.prepare('DELETE FROM lead_waits WHERE contact_id = ? AND wrote_at <= ?');
  const waitsOf = db.prepare<[number], { contact_id: string; event_id: number; wrote_at: number }>(
    'SELECT contact_id, event_id, wrote_at FROM lead_waits WHERE rule_id = ? ORDER BY wrote_at LIMIT 1000');
  const dropWait = db.prepare('DELETE FROM lead_waits WHERE rule_id = ? AND contact_id = ?');
  const getState = db.prepare<[number, string], { value: string }>('SELECT value FROM rule_state WHERE rule_id = ? AND key = ?');
  const setState = db.prepare('INSERT OR REPLACE INTO rule_state (rule_id, key, value) VALUES (?, ?, ?)');

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

  function tick(): void {
    const now = clock();
    rollNotifyWindow(now);
    deps.sender?.pump();
    if (deps.runsTimers && !deps.runsTimers()) return;
    const timerPending: NewNotification[] = [];
    const timerJobs: (() => void)[] = [];
    try { tickUnanswered(now, timerPending, timerJobs); } catch (err) { logger.error('unanswered-lead check failed', { error: (err as Error).message }); }
    try { tickDigests(now, timerPending, timerJobs); } catch (err) { logger.error('digest failed', { error: (err as Error).message }); }
    flush(timerPending, timerJobs);
    if (silenceRules.length === 0) return;
    let last: number | null;
    try {
      last = deps.lastIncomingAt();
    } catch (err) {
      logger.warn('silence check failed', { error: (err as Error).message });
      return;
    }
    const pending: NewNotification[] = [];
    const silenceJobs: (() => void)[] = [];
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
      fire(rule, null, renderTemplate(rule.title, null, vars), renderTemplate(rule.body, null, vars), now, pending, silenceJobs, { minutes: silence.minutes });
    }
    flush(pending, silenceJobs);
  }

  function wouldHaveFired(rule: RuleInput, events: Iterable<HookEvent>): number {
    const c = compileRule(rule);
    if (c.isSilence || c.error) return 0;
    // Chronological order, whatever order the caller iterates in (lists are newest first).
    const list = [...events].filter((e) => !e.duplicate && kindIs(e.kind, 'notifies')).sort((a, b) => a.receivedAt - b.receivedAt || a.id - b.id);
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
      deps.beforeTick?.();
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
      // Retries left over from the last run, and digests missed while closed, go out right away.
      setImmediate(() => { if (timer) safeTick(); });
      timer = setInterval(safeTick, deps.tickMs ?? 30_000);
      timer.unref?.();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}
