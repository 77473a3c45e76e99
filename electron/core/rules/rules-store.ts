// Rules and notifications in SQLite (tables `rules` and `notifications`, electron/core/store/schema.ts), plus
// the lead-reply lookup over `events`. Plain functions over a better-sqlite3 handle; statements are
// prepared once per database (the runner calls some of them for every incoming event).
import type { Database as Db, Statement } from 'better-sqlite3';
import type { HookEvent, NotificationRecord, Provider, Rule, RuleInput } from '../../../shared/types';
import { HookscopeError } from '../../../shared/errors';
import { validateRule } from '../../../shared/rules';
import type { Clock } from '../types';

/** "The business has messaged this contact lately": any status event for the contact within this window. */
export const LEAD_WINDOW_MS = 30 * 86_400_000;

interface Statements {
  listRules: Statement<[], RuleRow>;
  getRule: Statement<[number], RuleRow>;
  insertRule: Statement<[string, number, number]>;
  updateRule: Statement<[string, number, number]>;
  deleteRule: Statement<[number]>;
  insertNotification: Statement<[number, number | null, string, string, number, string | null]>;
  listNotifications: Statement<[number], NotificationRow>;
  lastFired: Statement<[{ r: number; c: string | null; p: Provider | null }], { at: number | null }>;
}

interface RuleRow { id: number; spec: string; created_at: number; updated_at: number }
interface NotificationRow { id: number; rule_id: number; event_id: number | null; title: string; body: string; fired_at: number }

const cache = new WeakMap<Db, Statements>();
function stmts(db: Db): Statements {
  let s = cache.get(db);
  if (!s) {
    s = {
      listRules: db.prepare('SELECT id, spec, created_at, updated_at FROM rules ORDER BY id'),
      getRule: db.prepare('SELECT id, spec, created_at, updated_at FROM rules WHERE id = ?'),
      insertRule: db.prepare('INSERT INTO rules (spec, created_at, updated_at) VALUES (?, ?, ?)'),
      updateRule: db.prepare('UPDATE rules SET spec = ?, updated_at = ? WHERE id = ?'),
      deleteRule: db.prepare('DELETE FROM rules WHERE id = ?'),
      insertNotification: db.prepare(
        'INSERT INTO notifications (rule_id, event_id, title, body, fired_at, contact_id) VALUES (?, ?, ?, ?, ?, ?)'),
      listNotifications: db.prepare(
        'SELECT id, rule_id, event_id, title, body, fired_at FROM notifications ORDER BY fired_at DESC, id DESC LIMIT ?'),
      // `IS ?` so a null contact (account events, silence) throttles against other null-contact rows;
      // served by notifications_rule_contact (rule_id, contact_id, fired_at).
      // A rule that only acts over http has no notification rows: its first attempts count as firings.
      // A throttle is per provider and number: the fired event's provider must be @p (a firing whose
      // event is gone, or a caller without a provider, still counts).
      lastFired: db.prepare(`SELECT MAX(at) AS at FROM (
          SELECT MAX(fired_at) AS at FROM notifications n WHERE rule_id = @r AND contact_id IS @c
            AND (@p IS NULL OR n.event_id IS NULL OR COALESCE((SELECT provider FROM events WHERE id = n.event_id), @p) = @p)
          UNION ALL SELECT MAX(at) FROM deliveries d WHERE rule_id = @r AND contact_id IS @c AND attempt = 1 AND test = 0
            AND (@p IS NULL OR d.event_id IS NULL OR COALESCE((SELECT provider FROM events WHERE id = d.event_id), @p) = @p)
          UNION ALL SELECT MAX(created_at) FROM action_jobs j WHERE rule_id = @r AND contact_id IS @c
            AND (@p IS NULL OR j.event_id IS NULL OR COALESCE((SELECT provider FROM events WHERE id = j.event_id), @p) = @p))`),
    };
    cache.set(db, s);
  }
  return s;
}

/** Which http actions of a rule have a stored secret (action index → true). */
function secretIndexes(db: Db, ruleId: number): Set<number> {
  return new Set(db.prepare<[number], { i: number }>('SELECT action_index AS i FROM action_secrets WHERE rule_id = ?').all(ruleId).map((r) => r.i));
}

/** Replaces each http action's secret by `secretSet`: secrets are write-only. */
function withSecretFlags(db: Db, rule: Rule): Rule {
  if (!rule.actions) return rule;
  const set = secretIndexes(db, rule.id);
  return { ...rule, actions: rule.actions.map((a, i) => {
    if (a.type !== 'http') return a;
    const { secret: _secret, ...rest } = a;
    return { ...rest, secretSet: set.has(i) };
  }) };
}

/** The spec as stored: no secrets (they live in action_secrets), no read-only flags. */
function specOf(rule: RuleInput): RuleInput {
  if (!rule.actions) return rule;
  return { ...rule, actions: rule.actions.map((a) => {
    if (a.type !== 'http') return a;
    const { secret: _secret, secretSet: _set, ...rest } = a;
    return rest;
  }) };
}

/**
 * Applies the write-only secrets of an input: a string sets, null clears, omitted keeps. A kept secret
 * stays bound to its action's index AND URL: when actions are reordered or the URL changes, it is
 * dropped rather than sign requests to a target it was never meant for.
 */
function saveSecrets(db: Db, ruleId: number, rule: RuleInput): void {
  const actions = rule.actions ?? [];
  db.prepare('DELETE FROM action_secrets WHERE rule_id = ? AND action_index >= ?').run(ruleId, actions.length);
  actions.forEach((a, i) => {
    if (a.type !== 'http' || a.secret === null) {
      db.prepare('DELETE FROM action_secrets WHERE rule_id = ? AND action_index = ?').run(ruleId, i);
    } else if (typeof a.secret === 'string' && a.secret !== '') {
      db.prepare('INSERT OR REPLACE INTO action_secrets (rule_id, action_index, url, secret) VALUES (?, ?, ?, ?)').run(ruleId, i, a.url, a.secret);
    } else {
      db.prepare('DELETE FROM action_secrets WHERE rule_id = ? AND action_index = ? AND url <> ?').run(ruleId, i, a.url);
    }
  });
}

/** The signing secret of a rule's http action, for the sender only. */
export function actionSecret(db: Db, ruleId: number, actionIndex: number): string | null {
  return db.prepare<[number, number], { secret: string }>('SELECT secret FROM action_secrets WHERE rule_id = ? AND action_index = ?')
    .get(ruleId, actionIndex)?.secret ?? null;
}

function rowToRule(r: RuleRow): Rule {
  let spec: unknown;
  try {
    spec = JSON.parse(r.spec);
  } catch {
    spec = null;
  }
  const v = validateRule(spec);
  if (v.ok) return { id: r.id, ...v.rule };
  // A spec written by another version or edited by hand: still listed (so it can be fixed or deleted),
  // but disabled so it never fires on half-understood conditions.
  const raw = (spec && typeof spec === 'object' ? spec : {}) as Partial<RuleInput>;
  return {
    id: r.id,
    name: typeof raw.name === 'string' && raw.name ? raw.name : `Unreadable rule #${r.id}`,
    enabled: false,
    when: raw.when && typeof raw.when === 'object' ? raw.when : {},
    title: typeof raw.title === 'string' ? raw.title : '{contactName}',
    body: typeof raw.body === 'string' ? raw.body : '{text}',
  };
}

function validated(input: unknown): RuleInput {
  const v = validateRule(input);
  if (!v.ok) throw new HookscopeError(v.code, v.message);
  return v.rule;
}

export function listRules(db: Db): Rule[] {
  return stmts(db).listRules.all().map((r) => withSecretFlags(db, rowToRule(r)));
}

export function getRule(db: Db, id: number): Rule | null {
  const r = stmts(db).getRule.get(id);
  return r ? withSecretFlags(db, rowToRule(r)) : null;
}

/** Validates (HookscopeError RULE_INVALID / REGEX_UNSAFE with the reason) and stores the normalised rule. */
export function createRule(db: Db, input: unknown, now: number = Date.now()): Rule {
  const rule = validated(input);
  const id = db.transaction(() => {
    const info = stmts(db).insertRule.run(JSON.stringify(specOf(rule)), now, now);
    const ruleId = Number(info.lastInsertRowid);
    saveSecrets(db, ruleId, rule);
    return ruleId;
  })();
  return withSecretFlags(db, { id, ...specOf(rule) });
}

/** Replaces a rule's spec; NOT_FOUND when the id does not exist. */
export function updateRule(db: Db, id: number, input: unknown, now: number = Date.now()): Rule {
  const rule = validated(input);
  db.transaction(() => {
    const info = stmts(db).updateRule.run(JSON.stringify(specOf(rule)), now, id);
    if (info.changes === 0) throw new HookscopeError('NOT_FOUND', `There is no rule #${id}.`);
    saveSecrets(db, id, rule);
    // Timer state belongs to the rule as it was: a changed unanswered window or digest starts afresh.
    db.prepare('DELETE FROM rule_state WHERE rule_id = ?').run(id);
  })();
  return withSecretFlags(db, { id, ...specOf(rule) });
}

/** Deletes a rule; its past notifications stay in the history. Returns false when the id did not exist. */
export function deleteRule(db: Db, id: number): boolean {
  return db.transaction(() => {
    const gone = stmts(db).deleteRule.run(id).changes > 0;
    // Pending retries and timers of a deleted rule stop; its delivery history stays, like notifications.
    for (const t of ['action_secrets', 'action_jobs', 'lead_waits', 'rule_state']) db.prepare(`DELETE FROM ${t} WHERE rule_id = ?`).run(id);
    return gone;
  })();
}

/** `rule_id` of the notifications Hookscope raises itself rather than a rule (failing signatures). */
export const SYSTEM_RULE_ID = 0;

export interface NewNotification {
  ruleId: number;
  eventId: number | null;
  title: string;
  body: string;
  firedAt: number;
  contactId: string | null;
}

export function insertNotification(db: Db, n: NewNotification): NotificationRecord {
  const info = stmts(db).insertNotification.run(n.ruleId, n.eventId, n.title, n.body, n.firedAt, n.contactId);
  return { id: Number(info.lastInsertRowid), ruleId: n.ruleId, eventId: n.eventId, title: n.title, body: n.body, firedAt: n.firedAt };
}

/** Newest first. */
export function listNotifications(db: Db, limit = 200): NotificationRecord[] {
  const n = Math.max(1, Math.min(5000, Math.floor(limit)));
  return stmts(db).listNotifications.all(n).map((r) => ({
    id: r.id, ruleId: r.rule_id, eventId: r.event_id, title: r.title, body: r.body, firedAt: r.fired_at,
  }));
}

/** When this rule last fired for this contact (ms), from the table so throttling survives restarts. */
export function lastFiredFor(db: Db, ruleId: number, contactId: string | null, provider: Provider | null = null): number | null {
  return stmts(db).lastFired.get({ r: ruleId, c: contactId, p: provider })?.at ?? null;
}

/**
 * Answers `leadReply` for the rules: an incoming message whose contact got any status event (i.e. the
 * business messaged them) in the 30 days before the message, or whose replyTo is a message id the
 * business sent (known from its status events). The window is anchored on the message's receivedAt,
 * so previews over past events ("would have fired") answer as the live runner would have.
 */
export function createLeadReplyChecker(db: Db, clock: Clock): (ev: HookEvent) => boolean {
  // `+kind` / `+received_at` keep the planner on events_contact (contact_id, id) and events_message
  // (message_id, status) instead of the much wider events_kind / events_received.
  // Same provider only: another provider's statuses for the number (or for the replied-to id) say nothing
  // about this provider's conversation (docs/api.md "Trust boundary").
  const recentStatus = db.prepare<[string, string | null, number, number], 1>(
    `SELECT 1 FROM events WHERE contact_id = ? AND +provider IS ? AND +kind = 'status' AND +received_at >= ? AND +received_at <= ? LIMIT 1`).pluck();
  const knownOutgoing = db.prepare<[string, string | null], 1>(
    `SELECT 1 FROM events WHERE message_id = ? AND +provider IS ? AND +kind = 'status' LIMIT 1`).pluck();
  return (ev) => {
    if (ev.kind !== 'message') return false;
    const at = ev.receivedAt || clock();
    if (ev.contactId && recentStatus.get(ev.contactId, ev.provider ?? null, at - LEAD_WINDOW_MS, at) !== undefined) return true;
    return !!ev.replyTo && knownOutgoing.get(ev.replyTo, ev.provider ?? null) !== undefined;
  };
}

export interface DigestFacts {
  failed: number;
  failedByCode: Record<string, number>;
  leadsReplied: { contactId: string; contactName: string | null }[];
  /** Leads who wrote in the period and got no outgoing message after their last one (up to `until`). */
  unanswered: { contactId: string; contactName: string | null }[];
}

/** What a digest says about [since, until): accepted events only, duplicates not counted twice. */
export function digestFacts(db: Db, isLeadReply: (ev: HookEvent) => boolean, since: number, until: number): DigestFacts {
  const failedRows = db.prepare<[number, number], { code: string; n: number }>(
    `SELECT COALESCE(error_code, 'no code') AS code, COUNT(*) AS n FROM events
     WHERE received_at >= ? AND received_at < ? AND kind = 'status' AND status = 'failed' AND duplicate = 0
       AND signature IN ('valid', 'unchecked') GROUP BY 1`).all(since, until);
  const failedByCode: Record<string, number> = {};
  let failed = 0;
  for (const r of failedRows) { failedByCode[r.code] = r.n; failed += r.n; }
  // The last incoming message per contact in the period (bounded: a digest names people, not thousands).
  // Per provider and number: one provider's statuses never answer another's lead.
  const lastMessages = db.prepare<[number, number], { id: number; provider: Provider | null; contact_id: string; contact_name: string | null; reply_to: string | null; received_at: number }>(
    `SELECT MAX(id) AS id, provider, contact_id, contact_name, reply_to, received_at FROM events
     WHERE received_at >= ? AND received_at < ? AND kind = 'message' AND duplicate = 0 AND contact_id IS NOT NULL
       AND signature IN ('valid', 'unchecked') GROUP BY provider, contact_id ORDER BY id DESC LIMIT 500`).all(since, until);
  const answered = db.prepare<[string, Provider | null, number, number], 1>(
    `SELECT 1 FROM events WHERE contact_id = ? AND +provider IS ? AND +kind = 'status' AND status IN ('queued', 'sent') AND +received_at > ? AND +received_at <= ? LIMIT 1`).pluck();
  const leadsReplied: DigestFacts['leadsReplied'] = [];
  const unanswered: DigestFacts['unanswered'] = [];
  for (const m of lastMessages) {
    const ev = { kind: 'message', provider: m.provider, contactId: m.contact_id, replyTo: m.reply_to, receivedAt: m.received_at } as HookEvent;
    if (!isLeadReply(ev)) continue;
    const who = { contactId: m.contact_id, contactName: m.contact_name };
    leadsReplied.push(who);
    if (answered.get(m.contact_id, m.provider, m.received_at, until) === undefined) unanswered.push(who);
  }
  return { failed, failedByCode, leadsReplied, unanswered };
}
