// The core's Notifier, shown with Electron's Notification. A click brings the window forward and tells the
// renderer which event to select; notifications that arrive while the window is not focused count towards
// the dock/taskbar badge (app.setBadgeCount: macOS and Unity launchers; elsewhere it is a no-op).
import { app, Notification, type BrowserWindow } from 'electron';
import type { Logger, Notifier } from '../core/types';

export interface DesktopNotifier extends Notifier {
  /** The user looked at the window: nothing is unread any more. */
  clearBadge(): void;
}

/**
 * Text made safe for the platform's notification server. Linux servers (freedesktop Desktop
 * Notifications) read a markup subset in the body — <b>, <i>, <a href>, <img src> — and entities, so a
 * customer's "<a href=…>" would become a link and "<img src=file://…>" a file read: there the body is
 * entity-escaped. Everywhere: control characters (but newlines) and bidirectional overrides, which could
 * make a message read differently from what it says, are dropped; the length is clipped.
 */
export function notificationText(text: string, max: number, platform: NodeJS.Platform = process.platform, markup = false): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this removes
  let t = text.replace(/[\u0000-\u0009\u000b-\u001f\u007f\u202a-\u202e\u2066-\u2069]/g, '');
  if (t.length > max) t = `${t.slice(0, max - 1)}…`;
  if (platform === 'linux' && markup) t = t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
  return t;
}

export interface NotifierOptions {
  /** Shows, restores and focuses the window (creating it if it was closed) and returns it. */
  focusWindow: () => BrowserWindow;
  isWindowFocused: () => boolean;
  onClick: (click: { eventId: number | null; notificationId: number }) => void;
  logger: Logger;
  /** Defaults to process.platform; tests pass one. */
  platform?: NodeJS.Platform;
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
      // Payload text is hostile. The title is shown as plain text everywhere; the body is markup on Linux.
      const platform = opts.platform ?? process.platform;
      const n = new Notification({
        title: notificationText(title, 200, platform), body: notificationText(body, 1000, platform, true), silent: false,
      });
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
