// Rules and notifications in SQLite (tables `rules` and `notifications`, electron/core/store/schema.ts), plus
// the lead-reply lookup over `events`. Plain functions over a better-sqlite3 handle; statements are
// prepared once per database (the runner calls some of them for every incoming event).
import type { Database as Db, Statement } from 'better-sqlite3';
import type { HookEvent, NotificationRecord, Rule, RuleInput } from '../../../shared/types';
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
  lastFired: Statement<[number, string | null], { at: number | null }>;
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
      lastFired: db.prepare('SELECT MAX(fired_at) AS at FROM notifications WHERE rule_id = ? AND contact_id IS ?'),
    };
    cache.set(db, s);
  }
  return s;
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
  return stmts(db).listRules.all().map(rowToRule);
}

export function getRule(db: Db, id: number): Rule | null {
  const r = stmts(db).getRule.get(id);
  return r ? rowToRule(r) : null;
}

/** Validates (HookscopeError RULE_INVALID / REGEX_UNSAFE with the reason) and stores the normalised rule. */
export function createRule(db: Db, input: unknown, now: number = Date.now()): Rule {
  const rule = validated(input);
  const info = stmts(db).insertRule.run(JSON.stringify(rule), now, now);
  return { id: Number(info.lastInsertRowid), ...rule };
}

/** Replaces a rule's spec; NOT_FOUND when the id does not exist. */
export function updateRule(db: Db, id: number, input: unknown, now: number = Date.now()): Rule {
  const rule = validated(input);
  const info = stmts(db).updateRule.run(JSON.stringify(rule), now, id);
  if (info.changes === 0) throw new HookscopeError('NOT_FOUND', `There is no rule #${id}.`);
  return { id, ...rule };
}

/** Deletes a rule; its past notifications stay in the history. Returns false when the id did not exist. */
export function deleteRule(db: Db, id: number): boolean {
  return stmts(db).deleteRule.run(id).changes > 0;
}

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
export function lastFiredFor(db: Db, ruleId: number, contactId: string | null): number | null {
  return stmts(db).lastFired.get(ruleId, contactId)?.at ?? null;
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
  const recentStatus = db.prepare<[string, number, number], 1>(
    `SELECT 1 FROM events WHERE contact_id = ? AND +kind = 'status' AND +received_at >= ? AND +received_at <= ? LIMIT 1`).pluck();
  const knownOutgoing = db.prepare<[string], 1>(
    `SELECT 1 FROM events WHERE message_id = ? AND +kind = 'status' LIMIT 1`).pluck();
  return (ev) => {
    if (ev.kind !== 'message') return false;
    const at = ev.receivedAt || clock();
    if (ev.contactId && recentStatus.get(ev.contactId, at - LEAD_WINDOW_MS, at) !== undefined) return true;
    return !!ev.replyTo && knownOutgoing.get(ev.replyTo) !== undefined;
  };
}
