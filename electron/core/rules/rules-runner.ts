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
// (queued in SQLite and sent by action-sender.ts, never inside this call); rule-firing.ts records both. Timer rules: silence,
// unanswered leads (lead_waits rows, so a restart resumes them) and digests (their last period in
// rule_state), in timer-rules.ts; all three run on tick(), which reads the injected clock.
//
// Defence in depth: events whose signature is `invalid` or `missing` never reach a rule's output here,
// whatever the caller passes — a forged webhook must not post to a CRM or a team chat.
//
// Desktop notifications are capped globally (notifyPerMinute, default 20 a minute; notify-cap.ts): past the
// cap they are still recorded and pushed to the UI, and one "N more" notification sums up the rest when the
// minute ends.
import type { Database as Db } from 'better-sqlite3';
import type { HookEvent, NotificationRecord, Provider, Rule, RuleInput } from '../../../shared/types';
import { compileRule, inQuietHours, renderTemplate, type CompiledRule, type RuleContext } from '../../../shared/rules';
import { kindIs } from '../../../shared/event-kinds';
import { lastFiredFor, listRules, type NewNotification } from './rules-store';
import { localTime } from './rule-time';
import { createNotifyCap } from './notify-cap';
import { createRuleFiring } from './rule-firing';
import { createTimerRules } from './timer-rules';
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
  /**
   * Evaluate enabled rules against freshly derived events; never throws. Called inside the derive
   * transaction (docs/architecture.md "The outbox"): the notification rows and queued actions commit with
   * the events, so a crash neither loses a decision nor takes it twice. What must wait for the commit
   * (desktop notifications, pushes) is handed to `later` when given, else done at once.
   */
  onEvents(events: HookEvent[], later?: (() => void)[]): void;
  /** Re-read rules after a create/update/delete. */
  reload(): void;
  /**
   * Whether onEvents can do anything: an enabled rule that matches events or tracks unanswered leads. A
   * team server claims a derived request's rules only when it does (team/team-core.ts).
   */
  watchesEvents(): boolean;
  /** How many of these events the rule would have notified about (throttle and quiet hours by event time). */
  wouldHaveFired(rule: RuleInput, events: Iterable<HookEvent>): number;
  /** Check timer rules (silence, unanswered leads, digests) and due retries now. */
  tick(): void;
  start(): void;
  stop(): void;
}

// Pure time helpers live in rule-time.ts; their names stay reachable from here.
export { digestSlot, workingMsBetween } from './rule-time';

const ACCEPTED = new Set(['valid', 'unchecked']);

export function createRulesRunner(deps: RulesRunnerDeps): RulesRunner {
  const { db, clock, logger } = deps;
  let eventRules: CompiledRule<Rule>[] = [];
  let watching = false;
  const cap = createNotifyCap({ clock, logger, notifier: deps.notifier, emit: deps.emit, perMinute: deps.notifyPerMinute ?? 20 });
  const { fire, flush } = createRuleFiring({ db, logger, sender: deps.sender, deliver: (records) => cap.deliver(records) });
  const timers = createTimerRules({ db, logger, isLeadReply: deps.isLeadReply, lastIncomingAt: deps.lastIncomingAt, getEvent: deps.getEvent, fire });
  timers.started(clock());
  const throttle = createThrottle(db);
  let timer: ReturnType<typeof setInterval> | null = null;

  function reload(): void {
    try {
      const compiled = listRules(db).filter((r) => r.enabled).map((r) => compileRule(r));
      for (const c of compiled) {
        if (c.error) logger.warn('rule condition can never hold', { ruleId: c.rule.id, problem: c.error });
      }
      eventRules = compiled.filter((c) => !c.isSilence && !c.rule.unanswered && !c.rule.digest);
      watching = eventRules.length > 0 || compiled.some((c) => c.rule.unanswered != null);
      timers.set({
        silence: compiled.filter((c) => c.isSilence),
        unanswered: compiled.filter((c) => c.rule.unanswered != null),
        digests: compiled.filter((c) => c.rule.digest != null).map((c) => c.rule),
      });
      // Throttle state of deleted/edited rules: the table is the truth, the map only a cache.
      throttle.clear();
    } catch (err) {
      logger.error('could not load rules', { error: (err as Error).message });
    }
  }

  function onEvents(all: HookEvent[], later?: (() => void)[]): void {
    const events = all.filter((e) => ACCEPTED.has(e.signature));
    if (events.length === 0) return;
    try { timers.trackWaits(events); } catch (err) { logger.error('unanswered-lead tracking failed', { error: (err as Error).message }); }
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
            const last = throttle.lastFire(rule.id, ev.contactId, ev.provider);
            if (last != null && now - last < throttleMs) continue;
          }
          throttle.remember(rule.id, ev.contactId, now, ev.provider);
          const title = renderTemplate(rule.title, ev);
          const body = renderTemplate(rule.body, ev);
          fire(rule, ev, title, body, now, pending, jobs, {});
        } catch (err) {
          logger.error('rule evaluation failed', { ruleId: c.rule.id, eventId: ev.id, error: (err as Error).message });
        }
      }
    }
    flush(pending, jobs, later);
  }

  function tick(): void {
    const now = clock();
    cap.roll(now);
    deps.sender?.pump();
    if (deps.runsTimers && !deps.runsTimers()) return;
    const timerPending: NewNotification[] = [];
    const timerJobs: (() => void)[] = [];
    timers.tickDue(now, timerPending, timerJobs);
    flush(timerPending, timerJobs);
    const pending: NewNotification[] = [];
    const silenceJobs: (() => void)[] = [];
    timers.tickSilence(now, pending, silenceJobs);
    flush(pending, silenceJobs);
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
    onEvents(events, later) {
      try {
        onEvents(events, later);
      } catch (err) {
        logger.error('rules runner failed', { error: (err as Error).message });
      }
    },
    reload,
    watchesEvents: () => watching,
    wouldHaveFired: (rule, events) => wouldHaveFired(rule, events, deps.isLeadReply),
    tick: safeTick,
    start() {
      if (timer) return;
      timers.started(clock());
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

/** Per rule, when it last fired for a provider's number; misses fall back to the notifications table. */
function createThrottle(db: Db) {
  /** ruleId → contact → last fire (ms); only a cache over the notifications table. */
  const lastFired = new Map<number, Map<string | null, number>>();
  // Throttles are per provider and number: one provider's events never hold back another's.
  const throttleKey = (provider: Provider | null, contactId: string | null) => (contactId == null ? null : `${provider ?? ''}|${contactId}`);

  function lastFireOf(ruleId: number, contactId: string | null, provider: Provider | null = null): number | null {
    let byContact = lastFired.get(ruleId);
    if (!byContact) { byContact = new Map(); lastFired.set(ruleId, byContact); }
    const key = throttleKey(provider, contactId);
    const hit = byContact.get(key);
    if (hit !== undefined) return hit;
    const fromDb = lastFiredFor(db, ruleId, contactId, provider);
    if (fromDb != null) byContact.set(key, fromDb);
    return fromDb;
  }

  function remember(ruleId: number, contactId: string | null, at: number, provider: Provider | null = null): void {
    let byContact = lastFired.get(ruleId);
    if (!byContact) { byContact = new Map(); lastFired.set(ruleId, byContact); }
    // Only a cache over the notifications table: cap it rather than grow with every contact ever seen.
    if (byContact.size >= 10_000) byContact.clear();
    byContact.set(throttleKey(provider, contactId), at);
  }
  return { lastFire: lastFireOf, remember, clear: () => lastFired.clear() };
}

/** The rules:preview count: the same matching, throttle and quiet hours, by each event's own time. */
export function wouldHaveFired(rule: RuleInput, events: Iterable<HookEvent>, isLeadReply: (ev: HookEvent) => boolean): number {
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
    if (!c.matches(ev, { isLeadReply: (e) => (lead ??= isLeadReply(e)) })) continue;
    const prev = last.get(ev.contactId);
    if (throttleMs > 0 && prev !== undefined && ev.receivedAt - prev < throttleMs) continue;
    last.set(ev.contactId, ev.receivedAt);
    count++;
  }
  return count;
}
