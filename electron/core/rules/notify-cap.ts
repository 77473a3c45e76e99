// Desktop notifications are capped globally (notifyPerMinute, default 20 a minute, rules-runner.ts): past
// the cap they are still recorded and pushed to the UI, and one "N more" notification sums up the rest
// when the minute ends.
import type { NotificationRecord } from '../../../shared/types';
import type { Clock, Logger, Notifier } from '../types';

export interface NotifyCap {
  /** Shows (within the cap) and pushes notifications already recorded. */
  deliver(records: NotificationRecord[]): void;
  /** Ends the notification minute when it is over: one summary for what was held back. */
  roll(now: number): void;
}

export function createNotifyCap(deps: {
  clock: Clock; logger: Logger; notifier?: Notifier; emit: (n: NotificationRecord[]) => void; perMinute: number;
}): NotifyCap {
  const { clock, logger } = deps;
  /** The global notification budget: shown this minute, and how many were held back. */
  const shownWindow = { since: Number.NEGATIVE_INFINITY, shown: 0, held: 0 };

  function show(n: { title: string; body: string; eventId: number | null; notificationId: number }): void {
    try {
      deps.notifier?.show(n);
    } catch (err) {
      logger.warn('desktop notification failed', { error: (err as Error).message });
    }
  }

  function roll(now: number): void {
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

  return {
    roll,
    deliver(records) {
      if (records.length === 0) return;
      const now = clock();
      roll(now);
      for (const n of records) {
        if (shownWindow.shown >= deps.perMinute) { shownWindow.held++; continue; }
        shownWindow.shown++;
        show({ title: n.title, body: n.body, eventId: n.eventId, notificationId: n.id });
      }
      try {
        deps.emit(records);
      } catch (err) {
        logger.warn('notification push failed', { error: (err as Error).message });
      }
    },
  };
}
