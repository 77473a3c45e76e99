// Notification rules and the notifications they fired (pushed by the core): the toasts, the history
// the Notifications panel shows, its unread count, and the rule editor's create/update/preview calls.
import type { RulePreview, RuleTestResult } from '../../../shared/ipc';
import type { DeliveryRecord, NotificationRecord, Rule, RuleInput } from '../../../shared/types';
import { errorText, type SliceContext } from '../context';
import type { Result } from './tools';

export interface RulesSlice {
  rules: Rule[];
  rulesError: string | null;
  /** Toasts: newest first, bounded, dismissable. */
  notifications: NotificationRecord[];
  /** The Notifications panel's history, newest first; null until first loaded. */
  notificationHistory: NotificationRecord[] | null;
  notificationHistoryError: string | null;
  /** Notifications fired since the Notifications panel was last open. */
  unreadNotifications: number;
  loadRules(): Promise<void>;
  receiveNotifications(batch: NotificationRecord[]): void;
  dismissNotification(id: number): void;
  loadNotificationHistory(limit?: number): Promise<void>;
  markNotificationsRead(): void;
  createRule(input: RuleInput): Promise<Result<Rule>>;
  updateRule(id: number, input: RuleInput): Promise<Result<Rule>>;
  deleteRule(id: number): Promise<Result<null>>;
  setRuleEnabled(id: number, enabled: boolean): Promise<Result<Rule>>;
  /** Runs the rule against the selected event and the last `sinceMs` of stored events (default 24 h). */
  previewRule(rule: unknown, eventId?: number | null, sinceMs?: number): Promise<Result<RulePreview>>;
  /** Sends the sample event through the rule's http actions (a saved rule by id, or the editor's rule). */
  testRule(id: number | null, rule?: RuleInput): Promise<Result<RuleTestResult>>;
  /** Every attempt of the rule's http actions, newest first. */
  loadDeliveries(ruleId: number): Promise<Result<DeliveryRecord[]>>;
}

const MAX_NOTIFICATIONS = 50;
const MAX_HISTORY = 500;

const fail = (err: unknown): { ok: false; error: string; code?: string } => {
  const code = err && typeof err === 'object' && 'code' in err ? String((err as { code: unknown }).code) : undefined;
  return { ok: false, error: errorText(err), ...(code ? { code } : {}) };
};

/** The stored form of a rule, without its id: what create/update take. */
function inputOf(rule: Rule): RuleInput {
  const { id: _id, ...rest } = rule;
  return rest;
}

export function createRulesSlice(ctx: SliceContext): RulesSlice {
  const { set, get, bridge } = ctx;
  let historySeq = 0;
  const upsert = (rule: Rule) => {
    const rules = get().rules;
    const i = rules.findIndex((r) => r.id === rule.id);
    set({ rules: i < 0 ? [...rules, rule] : rules.map((r) => (r.id === rule.id ? rule : r)) });
  };
  return {
    rules: [],
    rulesError: null,
    notifications: [],
    notificationHistory: null,
    notificationHistoryError: null,
    unreadNotifications: 0,
    async loadRules() {
      try {
        set({ rules: await bridge.invoke('rules:list', undefined), rulesError: null });
      } catch (err) {
        set({ rulesError: errorText(err) });
      }
    },
    receiveNotifications(batch) {
      if (!Array.isArray(batch) || batch.length === 0) return;
      const s = get();
      const seen = new Set(s.notifications.map((n) => n.id));
      const fresh = batch.filter((n) => !seen.has(n.id));
      const patch: Partial<RulesSlice> = {
        notifications: [...[...fresh].reverse(), ...s.notifications].slice(0, MAX_NOTIFICATIONS),
      };
      if (s.notificationHistory) {
        const inHistory = new Set(s.notificationHistory.map((n) => n.id));
        const add = batch.filter((n) => !inHistory.has(n.id)).sort((a, b) => b.firedAt - a.firedAt || b.id - a.id);
        patch.notificationHistory = [...add, ...s.notificationHistory].slice(0, MAX_HISTORY);
      }
      patch.unreadNotifications = s.unreadNotifications + fresh.length;
      set(patch);
    },
    dismissNotification(id) {
      set({ notifications: get().notifications.filter((n) => n.id !== id) });
    },
    async loadNotificationHistory(limit = 200) {
      const seq = ++historySeq;
      try {
        const { items } = await bridge.invoke('notifications:list', { limit });
        if (seq !== historySeq) return;
        // Pushes that arrived while the list was in flight stay.
        const ids = new Set(items.map((n) => n.id));
        const pushed = (get().notificationHistory ?? []).filter((n) => !ids.has(n.id) && n.firedAt >= (items[0]?.firedAt ?? 0));
        set({ notificationHistory: [...pushed, ...items].slice(0, MAX_HISTORY), notificationHistoryError: null });
      } catch (err) {
        if (seq !== historySeq) return;
        set({ notificationHistoryError: errorText(err) });
      }
    },
    markNotificationsRead() {
      if (get().unreadNotifications !== 0) set({ unreadNotifications: 0 });
    },
    async createRule(input) {
      try {
        const rule = await bridge.invoke('rules:create', input);
        upsert(rule);
        return { ok: true, value: rule };
      } catch (err) {
        return fail(err);
      }
    },
    async updateRule(id, input) {
      try {
        const rule = await bridge.invoke('rules:update', { id, rule: input });
        upsert(rule);
        return { ok: true, value: rule };
      } catch (err) {
        return fail(err);
      }
    },
    async deleteRule(id) {
      try {
        await bridge.invoke('rules:delete', { id });
        set({ rules: get().rules.filter((r) => r.id !== id) });
        return { ok: true, value: null };
      } catch (err) {
        return fail(err);
      }
    },
    async setRuleEnabled(id, enabled) {
      const rule = get().rules.find((r) => r.id === id);
      if (!rule) return { ok: false, error: `Rule ${id} is gone.` };
      // Optimistic: the switch moves at once and moves back if the core refuses.
      upsert({ ...rule, enabled });
      const r = await get().updateRule(id, { ...inputOf(rule), enabled });
      if (!r.ok && get().rules.some((x) => x.id === id)) upsert(rule);
      return r;
    },
    async testRule(id, rule) {
      try {
        return { ok: true, value: await bridge.invoke('rules:test', { ...(id != null ? { id } : {}), ...(rule ? { rule } : {}) }) };
      } catch (err) {
        return fail(err);
      }
    },
    async loadDeliveries(ruleId) {
      try {
        return { ok: true, value: (await bridge.invoke('deliveries:list', { ruleId, limit: 100 })).items };
      } catch (err) {
        return fail(err);
      }
    },
    async previewRule(rule, eventId, sinceMs) {
      try {
        const value = await bridge.invoke('rules:preview', {
          rule,
          ...(eventId != null ? { eventId } : {}),
          ...(sinceMs != null ? { sinceMs } : {}),
        });
        return { ok: true, value };
      } catch (err) {
        return fail(err);
      }
    },
  };
}
