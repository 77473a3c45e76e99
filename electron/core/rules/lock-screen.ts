// The desktop notifier, minding the "hide message text" setting (docs/api.md, hideNotificationText): what the OS shows on a
// lock screen is rendered again from the rule's templates with the message text left out.
import type { Store } from '../store/store';
import type { Settings } from '../setup/settings';
import type { Logger, Notifier } from '../types';
import { renderTemplate } from '../../../shared/rules';
import { listRules, SYSTEM_RULE_ID } from './rules-store';

/** Placeholder for message text on the lock screen. */
export const HIDDEN_TEXT = '(message hidden)';

/**
 * The title and body the OS shows are rendered again from the rule's templates with the message text left
 * out. The in-app list keeps the full words (privacy mode masks those on screen).
 */
export function lockScreenSafe(notifier: Notifier, parts: { store: Store; settings: Settings; logger: Logger }): Notifier {
  const firedBy = parts.store.db.prepare('SELECT rule_id AS ruleId, event_id AS eventId FROM notifications WHERE id = ?');
  return {
    show(n) {
      if (parts.settings.view().hideNotificationText !== true) return notifier.show(n);
      let title = 'Hookscope';
      const fired = firedBy.get(n.notificationId) as { ruleId: number; eventId: number | null } | undefined;
      // Hookscope's own notifications carry no customer words: shown as they are.
      if (fired?.ruleId === SYSTEM_RULE_ID) return notifier.show(n);
      let body = 'A rule fired — open Hookscope to read it.';
      try {
        const row = fired;
        const rule = row ? listRules(parts.store.db).find((r) => r.id === row.ruleId) : undefined;
        const ev = row?.eventId != null ? parts.store.getEvent(row.eventId) : null;
        if (rule && ev) {
          const quiet = { ...ev, text: ev.text == null ? null : HIDDEN_TEXT };
          title = renderTemplate(rule.title, quiet) || title;
          body = renderTemplate(rule.body, quiet);
        } else if (rule && row?.eventId == null) {
          // A silence rule: no message, nothing to hide.
          ({ title, body } = n);
        }
      } catch (err) {
        parts.logger.warn('could not render the lock-screen notification', { err: String(err) });
      }
      notifier.show({ ...n, title, body });
    },
  };
}
