// Entry: pick the transport, build the store (filter from the URL), keep the URL in step, render.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';
import { createBridge } from './state/bridge';
import { StoreContext } from './state/hooks';
import { createAppStore } from './state/store';
import { filterFromSearch, filterToSearch, viewFromSearch, viewToSearch } from './state/url-filter';
import './ui/styles.css';

const root = createRoot(document.getElementById('root')!);
const bridge = createBridge();

if ('error' in bridge) {
  root.render(
    <div className="fatal" data-testid="fatal">
      <h1>Hookscope</h1>
      <p>{bridge.error}</p>
    </div>,
  );
} else {
  const store = createAppStore(bridge, { initialFilter: filterFromSearch(window.location.search), initialView: viewFromSearch(window.location.search) });

  // The filter lives in the URL (the token and other parameters stay put), so a view survives reload.
  store.subscribe((s, prev) => {
    if (s.filter === prev.filter && s.view === prev.view) return;
    const search = viewToSearch(s.view, filterToSearch(s.filter, window.location.search));
    if (search !== window.location.search) {
      window.history.replaceState(window.history.state, '', `${window.location.pathname}${search}${window.location.hash}`);
    }
  });
  window.addEventListener('popstate', () => {
    store.getState().replaceFilter(filterFromSearch(window.location.search));
    store.getState().setView(viewFromSearch(window.location.search));
  });

  root.render(
    <StrictMode>
      <StoreContext.Provider value={store}>
        <App />
      </StoreContext.Provider>
    </StrictMode>,
  );
  void store.getState().start();
}
