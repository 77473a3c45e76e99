// A health check's firing or recovery posted through a rule's http actions (docs/api.md "Health checks"):
// the same sender, queue and outbox as a rule's own actions. Only the rule's actions are used, not its
// conditions or its switch: a rule may exist just to hold the Slack or Teams target a check posts to.
import type { Database as Db } from 'better-sqlite3';
import { actionsOf, eventFields, renderBody } from '../../../shared/actions';
import type { ActionSender } from '../rules/action-sender';
import { actionSecret, getRule } from '../rules/rules-store';
import type { Logger } from '../types';
import type { HealthNotice } from './health-state';

export interface HealthActions {
  /** Queues the rule's http actions for this notice. */
  act(ruleId: number, n: HealthNotice): void;
  /** Whether the rule exists and has an http action. */
  hasHttpActions(ruleId: number): boolean;
}

export function createHealthActions(deps: { db: Db; sender: Pick<ActionSender, 'enqueue'>; logger: Logger }): HealthActions {
  const { db, sender, logger } = deps;
  return {
    act(ruleId, n) {
      const rule = getRule(db, ruleId);
      if (!rule) { logger.warn('a health check posts to a rule that is gone', { ruleId, check: n.check }); return; }
      actionsOf(rule).forEach((a, i) => {
        if (a.type !== 'http') return;
        const fields = eventFields(null, { ruleId, ruleName: rule.name, title: n.title, body: n.body, check: n.check, state: n.state, value: n.value });
        sender.enqueue({
          ruleId, eventId: null, actionIndex: i, contactId: null, action: a, body: renderBody(a.body ?? '', fields),
          secret: actionSecret(db, ruleId, i), requestId: null, overflow: rule.actionOverflow ?? 'digest',
        });
      });
    },
    hasHttpActions(ruleId) {
      const r = getRule(db, ruleId);
      return !!r && actionsOf(r).some((a) => a.type === 'http');
    },
  };
}
