// Notification rules and the notifications they fired (pushed by the core).
import type { NotificationRecord, Rule } from '../../../shared/types';
import { errorText, type SliceContext } from '../context';

export interface RulesSlice {
  rules: Rule[];
  rulesError: string | null;
  /** Newest first, bounded. */
  notifications: NotificationRecord[];
  loadRules(): Promise<void>;
  receiveNotifications(batch: NotificationRecord[]): void;
  dismissNotification(id: number): void;
}

const MAX_NOTIFICATIONS = 50;

export function createRulesSlice(ctx: SliceContext): RulesSlice {
  const { set, get, bridge } = ctx;
  return {
    rules: [],
    rulesError: null,
    notifications: [],
    async loadRules() {
      try {
        set({ rules: await bridge.invoke('rules:list', undefined), rulesError: null });
      } catch (err) {
        set({ rulesError: errorText(err) });
      }
    },
    receiveNotifications(batch) {
      if (!Array.isArray(batch) || batch.length === 0) return;
      const seen = new Set(get().notifications.map((n) => n.id));
      const fresh = batch.filter((n) => !seen.has(n.id));
      set({ notifications: [...fresh.reverse(), ...get().notifications].slice(0, MAX_NOTIFICATIONS) });
    },
    dismissNotification(id) {
      set({ notifications: get().notifications.filter((n) => n.id !== id) });
    },
  };
}
