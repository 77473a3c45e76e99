// Shows an OS notification for each notification a rule fires, in a browser tab that opted in
// (Notifications panel). The desktop app never does this here: main shows native ones.
import { useEffect } from 'react';
import { useAppStore } from '../../state/hooks';
import { createNotifyBudget, newlyFired, notificationApi, readOptIn, shouldShowBrowserNotifications } from './browser-notify';
import { usePrivacy } from '../privacy/privacy';

export function BrowserNotifier() {
  const store = useAppStore();
  useEffect(() => {
    let lastSeen = Math.max(0, ...store.getState().notifications.map((n) => n.id));
    const budget = createNotifyBudget();
    return store.subscribe((s, prev) => {
      if (s.notifications === prev.notifications) return;
      const fresh = newlyFired(s.notifications, lastSeen);
      if (fresh.length === 0) return;
      lastSeen = fresh[fresh.length - 1].id;
      const api = notificationApi();
      if (!api || !shouldShowBrowserNotifications({ isDesktop: s.isDesktop, permission: api.permission, optedIn: readOptIn() })) return;
      // Privacy mode, or the setting that keeps message text off the lock screen: the OS shows only
      // that a rule fired, never the words (the in-app list keeps them).
      const hide = usePrivacy.getState().on || s.settings?.hideNotificationText === true;
      const { show, more } = budget(fresh.length);
      if (more > 0) {
        try { new api(`${more} more notification${more === 1 ? '' : 's'}`, { body: 'Held back to keep the desktop usable; all are in the Notifications panel.', tag: 'hookscope-more' }); } catch { /* as below */ }
      }
      for (const n of fresh.slice(0, show)) {
        try {
          const shown = hide
            ? new api('Hookscope', { body: 'A rule fired — open Hookscope to read it.', tag: `hookscope-${n.id}` })
            : new api(n.title, { body: n.body, tag: `hookscope-${n.id}` });
          shown.onclick = () => {
            window.focus();
            if (n.eventId != null) store.getState().select(n.eventId);
            shown.close();
          };
        } catch { /* some browsers only allow notifications from a service worker */ }
      }
    });
  }, [store]);
  return null;
}
