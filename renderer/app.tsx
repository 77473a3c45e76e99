// The window: top bar, filters, the feed with the inspector beside it, notifications.
import { useEffect } from 'react';
import { Feed } from './features/feed/feed';
import { FilterBar, SEARCH_INPUT_ID } from './features/filters/filter-bar';
import { Inspector } from './features/inspector/inspector';
import { TopBar } from './features/topbar/top-bar';
import { useApp, useAppStore } from './state/hooks';
import type { AppStore } from './state/store';
import { Notifications } from './features/notifications/toasts';
import { PanelHost } from './features/panels/panel-host';
import { usePanel } from './state/panel-state';
import { BrowserNotifier } from './features/notifications/browser-notifier';
import { TrustBanner } from './features/rejected/trust-banner';
import { ErrorBoundary } from './ui/error-boundary';
import { focusFeed } from './features/feed/feed-focus';

export function App() {
  const store = useAppStore();
  const startupError = useApp((s) => s.startupError);
  const hasSelection = useApp((s) => s.selectedId != null);
  const selectedId = useApp((s) => s.selectedId);
  const identity = useApp((s) => s.identity);
  useKeyboard(store);
  return (
    // data-role: styles.css hides every [data-admin-only] control from a team server's viewers.
    <div className="app" data-role={identity?.role ?? 'admin'}>
      <a className="skip-link" href="#feed" data-testid="skip-link" onClick={(ev) => { if (focusFeed()) ev.preventDefault(); }}>
        Skip to the feed
      </a>
      <ErrorBoundary name="The top bar"><TopBar /></ErrorBoundary>
      <TrustBanner />
      {identity?.role === 'viewer' && (
        <div className="notice banner" data-testid="viewer-banner">
          View only{identity.name ? ` (signed in as ${identity.name})` : ''}: you see everything on this team server live; changes are for its admins.
        </div>
      )}
      {startupError && <div className="notice notice-error banner" data-testid="startup-error">Cannot talk to Hookscope: {startupError}</div>}
      <div role="search" aria-label="Filters">
        <ErrorBoundary name="The filters"><FilterBar /></ErrorBoundary>
      </div>
      <main className={`workspace${hasSelection ? ' has-selection' : ''}`}>
        <h1 className="sr-only">Hookscope</h1>
        <Feed />
        {hasSelection && (
          <ErrorBoundary name="The inspector" resetKey={selectedId}>
            <Inspector />
          </ErrorBoundary>
        )}
        <ErrorBoundary name="The side panel"><PanelHost /></ErrorBoundary>
      </main>
      <ErrorBoundary name="Notifications">
        <Notifications />
        <BrowserNotifier />
      </ErrorBoundary>
    </div>
  );
}

/** Closes the side panel and gives focus back to its button in the top bar. */
function closePanel(id: string) {
  usePanel.getState().close();
  document.querySelector<HTMLElement>(`[data-testid="nav-${id}"]`)?.focus();
}

/** Inputs that take no typing: keys pressed on them are shortcuts (Esc closes the panel). */
const NON_TEXT_INPUTS = new Set(['checkbox', 'radio', 'button', 'submit', 'reset', 'file', 'range', 'color']);

function isTyping(t: EventTarget | null): boolean {
  if (!(t instanceof HTMLElement)) return false;
  if (t instanceof HTMLInputElement) return !NON_TEXT_INPUTS.has(t.type);
  return t.isContentEditable || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT';
}

/**
 * Window shortcuts, only while focus is not in a text field: j/k move the selection, `/` focuses search,
 * Esc steps back (inspector → its row, row → closes the event, then search, then the panel). Arrow keys
 * belong to whatever has focus (the feed grid handles its own), never to the window.
 */
function useKeyboard(store: AppStore) {
  useEffect(() => {
    const onKey = (ev: KeyboardEvent) => {
      if (ev.ctrlKey || ev.metaKey || ev.altKey || ev.defaultPrevented) return;
      const search = document.getElementById(SEARCH_INPUT_ID) as HTMLInputElement | null;
      if (isTyping(ev.target)) {
        if (ev.key === 'Escape' && ev.target === search) {
          ev.preventDefault();
          store.getState().setFilter({ q: undefined });
          (ev.target as HTMLElement).blur();
        } else if (ev.key === 'Escape') {
          (ev.target as HTMLElement).blur();
        }
        return;
      }
      switch (ev.key) {
        case '/':
          ev.preventDefault();
          search?.focus();
          search?.select();
          return;
        case 'j':
          ev.preventDefault();
          store.getState().moveSelection(1);
          return;
        case 'k':
          ev.preventDefault();
          store.getState().moveSelection(-1);
          return;
        case 'Escape': {
          // Esc closes the side panel when focus is in it; otherwise selection, then search, then the panel.
          const panel = usePanel.getState();
          const inPanel = ev.target instanceof Element && ev.target.closest('.side-panel') != null;
          const inInspector = ev.target instanceof Element && ev.target.closest('[data-testid="inspector"]') != null;
          if (panel.panel && inPanel) closePanel(panel.panel);
          else if (inInspector && store.getState().selectedId != null) focusFeed();
          else if (store.getState().selectedId != null) store.getState().clearSelection();
          else if (store.getState().filter.q) store.getState().setFilter({ q: undefined });
          else if (panel.panel) closePanel(panel.panel);
          return;
        }
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [store]);
}
