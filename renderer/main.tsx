// Entry: pick the transport, build the store (filter from the URL), keep the URL in step, render.
// Under `serve` the token is checked before the app renders: a missing or refused token gets one
// full page with the fix, never a half-rendered app.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';
import { BridgeError, createBridge, type AppBridge } from './state/bridge';
import { StoreContext } from './state/hooks';
import { createAppStore } from './state/store';
import { frameScheduler } from './state/context';
import { pacedScheduler } from './state/paced-schedule';
import { filterFromSearch, filterToSearch, selectionFromSearch, selectionToSearch, viewFromSearch, viewToSearch } from './state/url-filter';
import { TokenPage } from './features/token/token-page';
import { applyTheme, loadThemeChoice } from './ui/theme';
import './ui/styles.css';

/** Least time between two live flushes: ten a second is as live as a person can read. */
const LIVE_GAP_MS = 100;
/** A flush waits this long after a click, key or wheel step (the next frames answer the user)… */
const INPUT_QUIET_MS = 120;
/** …and never longer than this (a long scroll or typing run still sees the stream). */
const LIVE_MAX_WAIT_MS = 500;

applyTheme(loadThemeChoice());
const root = createRoot(document.getElementById('root')!);
const bridge = createBridge();

if ('error' in bridge) {
  root.render(<TokenPage problem="missing" />);
} else {
  void boot(bridge);
}

async function boot(b: AppBridge) {
  if (b.transport === 'http') {
    try {
      await b.invoke('app:info', undefined);
    } catch (err) {
      if (err instanceof BridgeError && err.code === 'UNAUTHORIZED') {
        root.render(<TokenPage problem="stale" />);
        return;
      }
      // Anything else (core restarting): the app shows its own connection state and retries.
    }
  }
  // Live pushes reach the screen at most every LIVE_GAP_MS and yield to the user's input (paced-schedule.ts).
  const paced = pacedScheduler({ minGapMs: LIVE_GAP_MS, inputQuietMs: INPUT_QUIET_MS, maxWaitMs: LIVE_MAX_WAIT_MS, now: () => performance.now(), frame: frameScheduler });
  for (const type of ['pointerdown', 'keydown', 'wheel'] as const) window.addEventListener(type, paced.noteInput, { capture: true, passive: true });
  const store = createAppStore(b, { schedule: paced.schedule, initialFilter: filterFromSearch(window.location.search), initialView: viewFromSearch(window.location.search) });

  // The filter lives in the URL (the token and other parameters stay put), so a view survives reload.
  store.subscribe((s, prev) => {
    if (s.filter === prev.filter && s.view === prev.view) return;
    const search = viewToSearch(s.view, filterToSearch(s.filter, window.location.search));
    if (search !== window.location.search) {
      window.history.replaceState(window.history.state, '', `${window.location.pathname}${search}${window.location.hash}`);
    }
  });
  // The open event and inspector tab are in the URL too: a link opens them (docs/api.md "Links").
  store.subscribe((s, prev) => {
    if (s.selectedId === prev.selectedId && s.inspectorTab === prev.inspectorTab) return;
    const search = selectionToSearch(s.selectedId, s.inspectorTab, window.location.search);
    if (search !== window.location.search) {
      window.history.replaceState(window.history.state, '', `${window.location.pathname}${search}${window.location.hash}`);
    }
  });
  window.addEventListener('popstate', () => {
    store.getState().replaceFilter(filterFromSearch(window.location.search));
    store.getState().setView(viewFromSearch(window.location.search));
  });

  // Refused later (rotated from another tab, data dir swapped): the whole page says so.
  b.onUnauthorized?.(() => {
    store.getState().stop();
    root.render(<TokenPage problem="stale" />);
  });

  root.render(
    <StrictMode>
      <StoreContext.Provider value={store}>
        <App />
      </StoreContext.Provider>
    </StrictMode>,
  );
  const opened = selectionFromSearch(window.location.search);
  void store.getState().start().then(async () => {
    await store.getState().openStartView(opened.savedView);
    if (opened.eventId != null) {
      if (opened.tab) store.getState().setInspectorTab(opened.tab);
      store.getState().select(opened.eventId);
    }
  });
}
