// What the UI hears when the trust boundary refuses a request (store/rejected-log.ts): a coalesced
// `rejected:changed` push, and — when a provider's signed webhooks start failing their signature check —
// one notification per burst. Rules never see rejected requests, so the core says it itself.
import type { PushChannels } from '../../../shared/ipc';
import type { RejectedItem } from '../../../shared/types';
import type { Store } from '../store/store';
import type { RejectedLog } from '../store/rejected-log';
import type { TypedEmitter } from '../emitter';
import { insertNotification, SYSTEM_RULE_ID } from '../rules/rules-store';
import type { Clock, Logger, Notifier } from '../types';

/** Failing signatures after this much quiet start a new burst (and a new notification). */
export const SIGNATURE_BURST_QUIET_MS = 15 * 60_000;

export interface RejectedNotices {
  /**
   * The rejected log changed (a request was refused, or the disk filled up or freed): a coalesced push to
   * the UI, and for a failing signature the burst's notification.
   */
  changed(item?: RejectedItem | null): void;
  stop(): void;
}

export function createRejectedNotices(deps: {
  db: Store['db'];
  rejected: Pick<RejectedLog, 'list'>;
  emitter: TypedEmitter<PushChannels>;
  clock: Clock;
  logger: Logger;
  /** The desktop notifier (already minding "hide message text"), when there is one. */
  notifier?: Notifier;
  diskLow: () => boolean;
  diskFull: () => boolean;
  /**
   * The signature health check is on (docs/api.md "Health checks"): it notifies at its threshold and on
   * recovery, so the burst notice here stays quiet — one notice, not two.
   */
  signaturesWatched?: () => boolean;
}): RejectedNotices {
  const { db, rejected, emitter, clock, logger, notifier } = deps;
  let timer: ReturnType<typeof setTimeout> | null = null;

  // A rotated app secret (or auth token) looks exactly like this: signed provider webhooks answered 401.
  // Once per burst per provider, so a flood of forgeries costs one notification, not thousands.
  const lastBadSignature = new Map<string, number>();
  function signatureFailing(item: RejectedItem): void {
    if (item.signature !== 'invalid' || item.httpStatus !== 401 || !item.provider) return;
    const now = clock();
    const last = lastBadSignature.get(item.provider);
    lastBadSignature.set(item.provider, now);
    if (last != null && now - last < SIGNATURE_BURST_QUIET_MS) return;
    if (deps.signaturesWatched?.()) return;
    const who = item.provider === 'meta' ? 'Meta' : 'Twilio';
    const what = item.provider === 'meta' ? 'the app secret' : 'the auth token';
    const title = `${who} webhooks are failing their signature check`;
    const body = `A signed webhook on ${item.path} did not match ${what} set in Hookscope, so it was rejected. If ${what} was rotated, paste the new one in Setup, then Re-verify in the Rejected view.`;
    try {
      const rec = insertNotification(db, { ruleId: SYSTEM_RULE_ID, eventId: null, title, body, firedAt: now, contactId: null });
      emitter.emit('notifications:fired', [rec]);
      notifier?.show({ title, body, eventId: null, notificationId: rec.id });
    } catch (err) {
      logger.warn('could not record the failing-signature notification', { err: String(err) });
    }
  }

  return {
    changed(item) {
      if (item) signatureFailing(item);
      // A flood refuses thousands of requests a second: the UI hears about it a few times a second.
      if (timer) return;
      timer = setTimeout(() => {
        timer = null;
        const page = rejected.list({ limit: 1 });
        emitter.emit('rejected:changed', { total: page.total, notStored: page.notStored, diskLow: deps.diskLow(), diskFull: deps.diskFull() });
      }, 250);
      timer.unref?.();
    },
    stop() {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
