// The one delivery that stands for the http actions a rule held over its per-minute cap (action-sender.ts
// renderDigest): the rule's own body template, filled with a summary of what was held back.
import type { Store } from '../store/store';
import { actionsOf, eventFields, renderBody } from '../../../shared/actions';
import { actionHeaders } from './action-request';
import { actionSecret, getRule } from './rules-store';

export function renderOverflowDigest(store: Pick<Store, 'db' | 'getEvent'>, ruleId: number, actionIndex: number, jobs: { eventId: number | null; body: string }[]) {
  const rule = getRule(store.db, ruleId);
  const action = rule && actionsOf(rule)[actionIndex];
  if (!rule || !action || action.type !== 'http') return null;
  const lines: string[] = [];
  for (const j of jobs.slice(0, 20)) {
    const ev = j.eventId != null ? store.getEvent(j.eventId) : null;
    if (ev) lines.push(`${ev.contactName || (ev.contactId ? `+${ev.contactId}` : ev.kind)}: ${ev.text ?? ev.status ?? ev.kind}`);
  }
  if (jobs.length > lines.length) lines.push(`… and ${jobs.length - lines.length} more`);
  const title = `${jobs.length} more match${jobs.length === 1 ? '' : 'es'} of “${rule.name}” (over the per-minute cap)`;
  const body = lines.join('\n');
  const fields = eventFields(null, { ruleId, ruleName: rule.name, title, body, count: jobs.length, eventIds: jobs.map((j) => j.eventId) });
  const rendered = renderBody(action.body ?? '', fields);
  return { body: rendered, headers: actionHeaders(action, rendered, actionSecret(store.db, ruleId, actionIndex)) };
}
