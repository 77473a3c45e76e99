// The rules slice and the Stats panel's data, driven by the fake bridge: notifications land in the
// toasts, the history and the unread count; rule edits and previews go through the bridge and come
// back as results carrying the core's message; the browser-notification helpers.
import { describe, expect, it } from 'vitest';
import type { ResultOf } from '../../shared/ipc';
import type { NotificationRecord, RuleInput } from '../../shared/types';
import { BridgeError } from '../../renderer/state/bridge';
import { fakeBridge } from '../helpers/fake-bridge';
import { createAppStore } from '../../renderer/state/store';
import { createNotifyBudget, newlyFired, readOptIn, shouldShowBrowserNotifications, writeOptIn } from '../../renderer/features/notifications/browser-notify';

const note = (id: number, firedAt = 1000 + id): NotificationRecord => ({ id, ruleId: 1, eventId: 10 + id, title: `t${id}`, body: `b${id}`, firedAt });
const input: RuleInput = { name: 'Keyword', enabled: true, when: { kind: ['message'], text: 'appointment' }, title: '{contactName}', body: '{text}' };

describe('rules slice', () => {
  it('counts unread notifications, adds pushes to a loaded history newest first, and marks read', async () => {
    const { bridge, calls } = fakeBridge({ handlers: { 'notifications:list': () => ({ items: [note(2), note(1)] }) } });
    const store = createAppStore(bridge);
    store.getState().receiveNotifications([note(1)]);
    expect(store.getState().unreadNotifications).toBe(1);
    expect(store.getState().notificationHistory).toBeNull();
    await store.getState().loadNotificationHistory();
    expect(calls.at(-1)).toEqual({ channel: 'notifications:list', args: { limit: 200 } });
    expect(store.getState().notificationHistory!.map((n) => n.id)).toEqual([2, 1]);
    store.getState().receiveNotifications([note(3), note(4)]);
    expect(store.getState().notificationHistory!.map((n) => n.id)).toEqual([4, 3, 2, 1]);
    expect(store.getState().notifications.map((n) => n.id)).toEqual([4, 3, 1]);
    expect(store.getState().unreadNotifications).toBe(3);
    // A repeated push (resync) is not counted twice.
    store.getState().receiveNotifications([note(4)]);
    expect(store.getState().unreadNotifications).toBe(3);
    expect(store.getState().notificationHistory!.map((n) => n.id)).toEqual([4, 3, 2, 1]);
    store.getState().markNotificationsRead();
    expect(store.getState().unreadNotifications).toBe(0);
  });

  it('creates, updates, toggles and deletes rules through the bridge, keeping the list current', async () => {
    let next = 1;
    const { bridge, calls } = fakeBridge({ handlers: {
      'rules:create': (r) => ({ ...(r as RuleInput), id: next++ }),
      'rules:update': ({ id, rule }) => ({ ...(rule as RuleInput), id }),
      'rules:delete': () => ({ deleted: true }),
    } });
    const store = createAppStore(bridge);
    const created = await store.getState().createRule(input);
    expect(created.ok).toBe(true);
    expect(store.getState().rules.map((r) => r.name)).toEqual(['Keyword']);
    await store.getState().updateRule(1, { ...input, name: 'Renamed' });
    expect(store.getState().rules.map((r) => r.name)).toEqual(['Renamed']);
    await store.getState().setRuleEnabled(1, false);
    expect(calls.at(-1)).toEqual({ channel: 'rules:update', args: { id: 1, rule: { ...input, name: 'Renamed', enabled: false } } });
    expect(store.getState().rules[0].enabled).toBe(false);
    expect(await store.getState().deleteRule(1)).toEqual({ ok: true, value: null });
    expect(store.getState().rules).toEqual([]);
    expect((await store.getState().setRuleEnabled(1, true)).ok).toBe(false);
  });

  it('answers the core’s message when a save is refused', async () => {
    const { bridge } = fakeBridge({ handlers: {
      'rules:create': () => { throw new BridgeError('REGEX_UNSAFE', 'when.textRegex: backreferences are not allowed'); },
    } });
    const store = createAppStore(bridge);
    expect(await store.getState().createRule(input)).toEqual({ ok: false, error: 'when.textRegex: backreferences are not allowed', code: 'REGEX_UNSAFE' });
    expect(store.getState().rules).toEqual([]);
  });

  it('previews with the selected event only when there is one', async () => {
    const { bridge, calls } = fakeBridge({ handlers: { 'rules:preview': () => ({ valid: true, error: null, matches: true, wouldHaveFired: 3 }) } });
    const store = createAppStore(bridge);
    expect(await store.getState().previewRule(input, 42)).toEqual({ ok: true, value: { valid: true, error: null, matches: true, wouldHaveFired: 3 } });
    expect(calls.at(-1)!.args).toEqual({ rule: input, eventId: 42 });
    await store.getState().previewRule(input, null);
    expect(calls.at(-1)!.args).toEqual({ rule: input });
  });

  it('loads the Stats panel’s two calls over the chosen window', async () => {
    const extra = { since: 0, until: 1, funnel: { total: 0, sent: 0, delivered: 0, read: 0, failed: 0, rates: { delivered: null, read: null, failed: null } }, perMinute: [], handlerLatency: {} } as unknown as ResultOf<'stats:extra'>;
    const { bridge, calls } = fakeBridge({ handlers: { 'stats:get': () => ({ byStatus: {}, byErrorCode: {} }), 'stats:extra': () => extra } });
    const store = createAppStore(bridge, { now: () => 10_000_000 });
    await store.getState().loadInsights(3_600_000);
    expect(calls.map((c) => [c.channel, c.args])).toEqual([['stats:get', { since: 6_400_000 }], ['stats:extra', { since: 6_400_000 }]]);
    expect(store.getState().insights).toMatchObject({ windowMs: 3_600_000, loading: false, error: null, data: { extra } });
  });
});

describe('browser notifications', () => {
  it('show only in a browser tab that allowed and opted in', () => {
    expect(shouldShowBrowserNotifications({ isDesktop: false, permission: 'granted', optedIn: true })).toBe(true);
    expect(shouldShowBrowserNotifications({ isDesktop: true, permission: 'granted', optedIn: true })).toBe(false);
    expect(shouldShowBrowserNotifications({ isDesktop: false, permission: 'default', optedIn: true })).toBe(false);
    expect(shouldShowBrowserNotifications({ isDesktop: false, permission: 'granted', optedIn: false })).toBe(false);
  });

  it('remembers the opt-in and picks out what just fired', () => {
    const m = new Map<string, string>();
    const s = { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), removeItem: (k: string) => void m.delete(k) };
    expect(readOptIn(s)).toBe(false);
    writeOptIn(true, s);
    expect(readOptIn(s)).toBe(true);
    writeOptIn(false, s);
    expect(readOptIn(s)).toBe(false);
    expect(newlyFired([note(5), note(3), note(4)], 3).map((n) => n.id)).toEqual([4, 5]);
  });
});

describe('browser notification budget', () => {
  it('shows at most 20 a minute, counts the rest for one summary, and starts afresh the next minute', () => {
    let t = 0;
    const budget = createNotifyBudget(20, () => t);
    expect(budget(15)).toEqual({ show: 15, more: 0 });
    expect(budget(10)).toEqual({ show: 5, more: 5 });
    expect(budget(3)).toEqual({ show: 0, more: 8 });
    t = 60_000;
    expect(budget(2)).toEqual({ show: 2, more: 0 });
  });
});
