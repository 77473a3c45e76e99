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
import { BrowserNotifier } from './features/notifications/browser-notifier';

export function App() {
  const store = useAppStore();
  const startupError = useApp((s) => s.startupError);
  const hasSelection = useApp((s) => s.selectedId != null);
  useKeyboard(store);
  return (
    <div className="app">
      <TopBar />
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

function isTyping(t: EventTarget | null): boolean {
  if (!(t instanceof HTMLElement)) return false;
  return t.isContentEditable || t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT';
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
        case 'Escape':
          if (store.getState().selectedId != null) store.getState().clearSelection();
          else if (store.getState().filter.q) store.getState().setFilter({ q: undefined });
          return;
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [store]);
}
