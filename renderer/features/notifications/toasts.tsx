// Notifications fired by rules, as small toasts (the desktop also shows OS notifications).
import { useEffect } from 'react';
import { useApp, useAppStore } from '../../state/hooks';
import { usePanel } from '../../state/panel-state';
import { useMask } from '../privacy/privacy';

const TOAST_MS = 8000;

export function Notifications() {
  const store = useAppStore();
  const items = useApp((s) => s.notifications);
  const mask = useMask();
  const shown = items.slice(0, 3);
  useEffect(() => {
    if (shown.length === 0) return;
    const t = setTimeout(() => store.getState().dismissNotification(shown[shown.length - 1].id), TOAST_MS);
    return () => clearTimeout(t);
  }, [shown, store]);
  if (shown.length === 0) return null;
  return (
    <div className="toasts" aria-live="polite">
      {shown.map((n) => (
        <div key={n.id} className="toast" data-testid="notification">
          <button
            type="button"
            className="toast-body"
            data-testid="notification-open"
            onClick={() => {
              if (n.eventId != null) {
                store.getState().select(n.eventId);
                // A side panel would cover the inspector that now shows the event.
                usePanel.getState().close();
              }
              store.getState().dismissNotification(n.id);
            }}
          >
            <strong>{mask.text(n.title)}</strong>
            {n.body && <span>{mask.text(n.body)}</span>}
          </button>
          <button type="button" className="btn btn-ghost btn-xs" aria-label="Dismiss" onClick={() => store.getState().dismissNotification(n.id)}>✕</button>
        </div>
      ))}
    </div>
  );
}
