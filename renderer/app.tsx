// The window: top bar, filters, the feed with the inspector beside it, notifications.
import { useEffect } from 'react';
import { Feed } from './features/feed/feed';
import { FilterBar, SEARCH_INPUT_ID } from './features/filters/filter-bar';
import { Inspector } from './features/inspector/inspector';
import { TopBar } from './features/topbar/top-bar';
import { useApp, useAppStore } from './state/hooks';
import type { AppStore } from './state/store';
import { Notifications } from './ui/notifications';
import { PanelHost } from './features/panels/panel-host';
import { usePanel } from './features/panels/panel-state';
import { BrowserNotifier } from './features/notifications/browser-notifier';
import { TrustBanner } from './features/rejected/trust-banner';

export function App() {
  const store = useAppStore();
  const startupError = useApp((s) => s.startupError);
  const hasSelection = useApp((s) => s.selectedId != null);
  useKeyboard(store);
  return (
    <div className="app">
      <TopBar />
      <TrustBanner />
      {startupError && <div className="notice notice-error banner" data-testid="startup-error">Cannot talk to Hookscope: {startupError}</div>}
      <FilterBar />
      <main className={`workspace${hasSelection ? ' has-selection' : ''}`}>
        <Feed />
        <Inspector />
        <PanelHost />
      </main>
      <Notifications />
      <BrowserNotifier />
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

/** j/k and ↓/↑ move the selection, `/` focuses search, Esc clears search or selection. */
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
        case 'ArrowDown':
          ev.preventDefault();
          store.getState().moveSelection(1);
          return;
        case 'k':
        case 'ArrowUp':
          ev.preventDefault();
          store.getState().moveSelection(-1);
          return;
        case 'Escape': {
          // Esc closes the side panel when focus is in it; otherwise selection, then search, then the panel.
          const panel = usePanel.getState();
          const inPanel = ev.target instanceof Element && ev.target.closest('.side-panel') != null;
          if (panel.panel && inPanel) closePanel(panel.panel);
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
