// Desktop notifications: click focuses the window and asks the renderer to select the event; badge counts.
import { beforeEach, describe, expect, it, vi } from 'vitest';

const h = vi.hoisted(() => {
  const shown: Array<{ options: { title: string; body: string }; listeners: Map<string, () => void>; show: ReturnType<typeof vi.fn> }> = [];
  class FakeNotification {
    static isSupported = vi.fn(() => true);
    listeners = new Map<string, () => void>();
    constructor(public options: { title: string; body: string }) { shown.push(this); }
    on(event: string, fn: () => void) { this.listeners.set(event, fn); return this; }
    show = vi.fn();
  }
  const app = { setBadgeCount: vi.fn(() => true) };
  return { shown, FakeNotification, app };
});
vi.mock('electron', () => ({ Notification: h.FakeNotification, app: h.app }));

import { createNotifier } from '../../electron/main/notifications';
import { silentLogger } from '../../electron/core/types';

beforeEach(() => { h.shown.length = 0; vi.clearAllMocks(); });

function setup(focused = false, platform: NodeJS.Platform = 'darwin') {
  const focusWindow = vi.fn(() => ({}) as never);
  const onClick = vi.fn();
  const notifier = createNotifier({ focusWindow, isWindowFocused: () => focused, onClick, logger: silentLogger, platform });
  return { notifier, focusWindow, onClick };
}

describe('notifier', () => {
  it('shows a notification; a click focuses the window and pushes the event to select', () => {
    const { notifier, focusWindow, onClick } = setup();
    notifier.show({ title: 'Ana replied', body: 'yes, 3pm works', eventId: 42, notificationId: 7 });
    const n = h.shown[0];
    expect(n.options).toMatchObject({ title: 'Ana replied', body: 'yes, 3pm works' });
    expect(n.show).toHaveBeenCalled();
    n.listeners.get('click')!();
    expect(focusWindow).toHaveBeenCalled();
    expect(onClick).toHaveBeenCalledWith({ eventId: 42, notificationId: 7 });
  });

  it('counts unread on the badge while the window is not focused, and clears it', () => {
    const { notifier } = setup(false);
    notifier.show({ title: 'a', body: '', eventId: 1, notificationId: 1 });
    notifier.show({ title: 'b', body: '', eventId: 2, notificationId: 2 });
    expect(h.app.setBadgeCount).toHaveBeenLastCalledWith(2);
    notifier.clearBadge();
    expect(h.app.setBadgeCount).toHaveBeenLastCalledWith(0);
  });

  it('does not badge when the window is focused, and is quiet where notifications are unsupported', () => {
    setup(true).notifier.show({ title: 'a', body: '', eventId: 1, notificationId: 1 });
    expect(h.app.setBadgeCount).not.toHaveBeenCalled();
    h.FakeNotification.isSupported.mockReturnValueOnce(false);
    h.shown.length = 0;
    setup(false).notifier.show({ title: 'a', body: '', eventId: 1, notificationId: 1 });
    expect(h.shown).toHaveLength(0);
  });

  it('escapes markup in the body on Linux, where notification servers render it; strips bidi and control characters everywhere', () => {
    const hostile = 'Click <a href="http://evil.example">here</a> & <img src="file:///etc/passwd"> \u202Egnp.exe\u0007';
    setup(false, 'linux').notifier.show({ title: '<b>Eve</b>', body: hostile, eventId: 1, notificationId: 1 });
    expect(h.shown[0].options.body).toBe('Click &lt;a href=&quot;http://evil.example&quot;&gt;here&lt;/a&gt; &amp; &lt;img src=&quot;file:///etc/passwd&quot;&gt; gnp.exe');
    expect(h.shown[0].options.title).toBe('<b>Eve</b>'); // titles are plain text on every server
    setup(false, 'darwin').notifier.show({ title: 't', body: hostile, eventId: 1, notificationId: 2 });
    expect(h.shown[1].options.body).toBe('Click <a href="http://evil.example">here</a> & <img src="file:///etc/passwd"> gnp.exe');
  });
});
