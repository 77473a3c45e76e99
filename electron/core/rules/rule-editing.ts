// What the rule editor's channels need beyond storing a rule (handlers/rules.ts rules:create, rules:update,
// rules:test): credentials sent back masked are put back from the stored rule, and the Test button sends
// every http action of a rule once.
import type { Database as Db } from 'better-sqlite3';
import { HookscopeError } from '../../../shared/errors';
import { renderTemplate, validateRule } from '../../../shared/rules';
import { actionsOf, eventFields, renderBody, SAMPLE_EVENT, unmaskAction } from '../../../shared/actions';
import type { HookEvent, HttpAction, RuleInput } from '../../../shared/types';
import { actionSecret, digestFacts, getRule } from './rules-store';
import type { ActionSender } from './action-sender';
import type { Clock } from '../types';

function notFound(what: string): never {
  throw new HookscopeError('NOT_FOUND', `${what} was not found.`);
}

/**
 * A rule sent back as it was read has its credentials masked (maskActions): put the stored ones back
 * (shared/actions.ts unmaskAction), or refuse when a masked value has nothing to stand for.
 */
export function unmaskedRule(db: Db, id: number | null, input: unknown): unknown {
  const actions = (input as { actions?: unknown } | null)?.actions;
  if (!Array.isArray(actions)) return input;
  const stored = id != null ? actionsOf(getRule(db, id) ?? {}) : [];
  return {
    ...(input as object),
    actions: actions.map((a: unknown, i) => {
      const h = a as HttpAction;
      if (!h || typeof h !== 'object' || h.type !== 'http' || typeof h.url !== 'string') return a;
      const s = stored[i]?.type === 'http' ? stored[i] as HttpAction : undefined;
      const out = unmaskAction(h, s, `actions[${i}]`);
      if (typeof out === 'string') throw new HookscopeError('VALIDATION', out);
      return out;
    }),
  };
}

/** The Test button: every http action of the rule, once, with the sample event (or the last day's digest). */
export async function testRule(deps: { db: Db; sender: Pick<ActionSender, 'test'>; clock: Clock; isLeadReply: (ev: HookEvent) => boolean }, args: { id?: number; rule?: unknown }) {
  const { db, sender, isLeadReply } = deps;
  let rule: RuleInput;
  const ruleId = args.id ?? null;
  if (args.rule !== undefined) {
    const v = validateRule(unmaskedRule(db, ruleId, args.rule));
    if (!v.ok) throw new HookscopeError(v.code, v.message);
    rule = v.rule;
  } else if (ruleId != null) {
    rule = getRule(db, ruleId) ?? notFound(`Rule ${ruleId}`);
  } else {
    throw new HookscopeError('BAD_REQUEST', 'Give a rule id or a rule to test.');
  }
  const http = actionsOf(rule).map((a, i) => [a, i] as const).filter((x): x is readonly [HttpAction, number] => x[0].type === 'http');
  if (http.length === 0) throw new HookscopeError('BAD_REQUEST', 'This rule has no http action to test; add one (Slack, Discord, Teams, JSON…).');
  const now = deps.clock();
  const ev = rule.digest ? null : { ...SAMPLE_EVENT, receivedAt: now };
  let extra: Record<string, unknown> = { minutes: rule.unanswered?.minutes ?? rule.silence?.minutes ?? '' };
  let vars: Record<string, string> = { minutes: String(extra.minutes) };
  if (rule.digest) {
    const f = digestFacts(db, isLeadReply, now - 86_400_000, now);
    const summary = `${f.failed} failed · ${f.leadsReplied.length} leads replied · ${f.unanswered.length} unanswered (test: the last 24 hours)`;
    extra = { period: 'the last 24 hours (test)', since: now - 86_400_000, until: now, failed: f.failed, failedByCode: f.failedByCode,
      leadsReplied: f.leadsReplied, unanswered: f.unanswered, summary };
    vars = { period: 'the last 24 hours (test)', summary, failed: String(f.failed), leadsReplied: String(f.leadsReplied.length), unanswered: String(f.unanswered.length) };
  }
  const title = renderTemplate(rule.title, ev, vars);
  const body = renderTemplate(rule.body, ev, vars);
  const results = await Promise.all(http.map(async ([a, i]) => {
    // Write-only secret: the editor sends it only when typed; otherwise the stored one signs.
    const secret = typeof a.secret === 'string' && a.secret !== '' ? a.secret
      : a.secret === null || ruleId == null ? null : actionSecret(db, ruleId, i);
    const fields = eventFields(ev, { ruleId, ruleName: rule.name, title, body, ...extra });
    const o = await sender.test({ ruleId, eventId: null, actionIndex: i, contactId: null, action: a, body: renderBody(a.body ?? '', fields), secret });
    return { actionIndex: i, url: o.url, status: o.status, durationMs: o.durationMs, error: o.error, excerpt: o.excerpt };
  }));
  return { results };
}
