// What a rule does when it fires, event rule or timer rule alike (docs/api.md "Rules"): its `actions` —
// `notify` becomes a notifications row, `http` a job queued for the action sender (action-sender.ts,
// never sent inside this call). fire() collects them; flush() writes them, inside the derive transaction
// when the caller is in one (docs/architecture.md "The outbox"), and hands what must wait for the commit
// (desktop notifications and pushes, through the notify cap) to `later` when given.
import type { Database as Db } from 'better-sqlite3';
import type { HttpAction, NotificationRecord } from '../../../shared/types';
import { actionsOf, eventFields, renderBody } from '../../../shared/actions';
import type { Logger } from '../types';
import type { ActionSender } from './action-sender';
import { actionSecret, insertNotification, type NewNotification } from './rules-store';
import type { Fire } from './timer-rules';

export interface RuleFiring {
  /** Queues what a rule does when it fires: a notification row in `pending` and/or http jobs in `jobs`. */
  fire: Fire;
  /** Queues the jobs and records the notifications; shows and pushes them now, or in `later`. */
  flush(pending: NewNotification[], jobs: (() => void)[], later?: (() => void)[]): void;
}

export function createRuleFiring(deps: {
  db: Db; logger: Logger;
  /** Sends http actions; without it, http actions are skipped (unit tests of notifications). */
  sender?: ActionSender;
  /** Shows (within the desktop cap) and pushes recorded notifications (notify-cap.ts). */
  deliver: (records: NotificationRecord[]) => void;
}): RuleFiring {
  const { db, logger } = deps;
  const insertAll = db.transaction((rows: NewNotification[]) => rows.map((n) => insertNotification(db, n)));

  const fire: Fire = (rule, ev, title, body, now, pending, jobs, extra) => {
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
        // An event's action has the same key in every run and every team process that derives it.
        requestId: ev?.requestId ?? null,
        overflow: rule.actionOverflow ?? 'digest',
      }));
    });
  };

  function flush(pending: NewNotification[], jobs: (() => void)[], later?: (() => void)[]): void {
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
    if (later) later.push(() => deps.deliver(records));
    else deps.deliver(records);
  }

  return { fire, flush };
}
