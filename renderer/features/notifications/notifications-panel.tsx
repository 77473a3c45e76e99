// The Notifications panel: every notification rules fired, newest first; a click shows its event.
// In a browser tab it also offers OS notifications (the desktop app's main process shows its own).
import { useEffect, useState } from 'react';
import type { NotificationRecord } from '../../../shared/types';
import { useApp, useAppStore } from '../../state/hooks';
import { formatDateTime } from '../../ui/format';
import { usePanel } from '../../state/panel-state';
import { notificationApi, readOptIn, writeOptIn } from './browser-notify';
import { useMask } from '../privacy/privacy';

export function NotificationsPanel() {
  const store = useAppStore();
  const history = useApp((s) => s.notificationHistory);
  const error = useApp((s) => s.notificationHistoryError);
  const unread = useApp((s) => s.unreadNotifications);
  const rules = useApp((s) => s.rules);
  const close = usePanel((s) => s.close);
  const mask = useMask();

  useEffect(() => { void store.getState().loadNotificationHistory(); }, [store]);
  // Open panel: whatever arrives is seen.
  useEffect(() => { if (unread > 0) store.getState().markNotificationsRead(); }, [unread, store]);

  // Rule id 0: Hookscope's own notice (signed webhooks failing their signature check), not a rule.
  const ruleName = (n: NotificationRecord) => n.ruleId === 0 ? 'Hookscope' : rules.find((r) => r.id === n.ruleId)?.name ?? `Rule #${n.ruleId} (deleted)`;

  const open = (n: NotificationRecord) => {
    if (n.eventId != null) store.getState().select(n.eventId);
    close();
  };

  return (
    <div className="notifications-panel" data-testid="notifications-panel">
      <BrowserNotificationsToggle />
      {error && <p className="field-error" role="alert">{error}</p>}
      {history == null ? (
        <p className="muted">Loading…</p>
      ) : history.length === 0 ? (
        <p className="muted" data-testid="notifications-empty">No notifications yet. Rules fire them when matching events arrive.</p>
      ) : (
        <ul className="notification-list">
          {history.map((n) => (
            <li key={n.id}>
              <button type="button" className="notification-item" data-testid="notification-item" data-event-id={n.eventId ?? ''}
                onClick={() => open(n)} disabled={n.eventId == null} title={n.eventId == null ? 'No event (a silence rule)' : 'Show the event'}>
                <span className="notification-head">
                  <strong className="wrap-words">{mask.text(n.title)}</strong>
                  <time className="muted small" dateTime={new Date(n.firedAt).toISOString()}>{formatDateTime(n.firedAt)}</time>
                </span>
                {n.body && <span className="notification-body wrap-words">{mask.text(n.body)}</span>}
                <span className="muted small">{ruleName(n)}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function BrowserNotificationsToggle() {
  const isDesktop = useApp((s) => s.isDesktop);
  const api = notificationApi();
  const [permission, setPermission] = useState(api?.permission ?? null);
  const [optedIn, setOptedIn] = useState(readOptIn());
  if (isDesktop) {
    return <p className="muted small" data-testid="desktop-notifications-native">The desktop app shows system notifications for every rule that fires.</p>;
  }
  if (!api) {
    return <p className="muted small">This browser cannot show desktop notifications; the in-app toasts still appear.</p>;
  }
  const enable = async () => {
    let p = api.permission;
    if (p === 'default') {
      try { p = await api.requestPermission(); } catch { p = api.permission; }
    }
    setPermission(p);
    if (p === 'granted') { writeOptIn(true); setOptedIn(true); }
  };
  const on = permission === 'granted' && optedIn;
  return (
    <section className="panel-section" data-testid="browser-notifications">
      <div className="panel-row">
        {on ? (
          <>
            <span className="grow">Desktop notifications are on for this browser.</span>
            <button type="button" className="btn btn-xs" data-testid="browser-notifications-off" onClick={() => { writeOptIn(false); setOptedIn(false); }}>Turn off</button>
          </>
        ) : permission === 'denied' ? (
          <span className="muted small">The browser blocks notifications for this page; allow them in the site settings to get desktop notifications.</span>
        ) : (
          <button type="button" className="btn btn-xs" data-testid="browser-notifications-on" onClick={() => void enable()}>Show desktop notifications</button>
        )}
      </div>
    </section>
  );
}
