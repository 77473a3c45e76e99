// The core's Notifier, shown with Electron's Notification. A click brings the window forward and tells the
// renderer which event to select; notifications that arrive while the window is not focused count towards
// the dock/taskbar badge (app.setBadgeCount: macOS and Unity launchers; elsewhere it is a no-op).
import { app, Notification, type BrowserWindow } from 'electron';
import type { Logger, Notifier } from '../core/types';

export interface DesktopNotifier extends Notifier {
  /** The user looked at the window: nothing is unread any more. */
  clearBadge(): void;
}

export interface NotifierOptions {
  /** Shows, restores and focuses the window (creating it if it was closed) and returns it. */
  focusWindow: () => BrowserWindow;
  isWindowFocused: () => boolean;
  onClick: (click: { eventId: number | null; notificationId: number }) => void;
  logger: Logger;
}

export function createNotifier(opts: NotifierOptions): DesktopNotifier {
  let unread = 0;
  // Electron garbage-collects a Notification nobody references, and its click handler with it; keep the
  // shown ones until they are clicked or closed (bounded, oldest dropped).
  const live = new Set<Notification>();
  const setBadge = (n: number) => { try { app.setBadgeCount(n); } catch { /* unsupported platform */ } };

  return {
    show({ title, body, eventId, notificationId }) {
      if (!Notification.isSupported()) {
        opts.logger.info('desktop notifications are not supported here', { notificationId });
        return;
      }
      // Payload text is hostile; Notification renders plain text, and it is clipped to keep toasts sane.
      const n = new Notification({ title: title.slice(0, 200), body: body.slice(0, 1000), silent: false });
      const forget = () => live.delete(n);
      n.on('click', () => {
        forget();
        opts.focusWindow();
        opts.onClick({ eventId, notificationId });
      });
      n.on('close', forget);
      live.add(n);
      if (live.size > 50) live.delete(live.values().next().value as Notification);
      n.show();
      if (!opts.isWindowFocused()) setBadge(++unread);
    },
    clearBadge() {
      if (unread === 0) return;
      unread = 0;
      setBadge(0);
    },
  };
}
