// Which side panel is open (rules, notifications, stats, health, setup, tools, settings). Kept apart from the
// data store: it is pure view state, and the URL carries it (`panel=`) so a view survives reload.
import { create } from 'zustand';

export const PANEL_IDS = ['rules', 'notifications', 'stats', 'health', 'setup', 'tools', 'settings', 'rejected'] as const;
/** Panels opened from their own control rather than the nav (the rejected badge). */
export const OWN_BUTTON: ReadonlySet<string> = new Set(['rejected']);
export type PanelId = (typeof PANEL_IDS)[number];

// Reached through globalThis so this module also loads where there is no DOM (store unit tests).
interface UrlGlobals {
  location?: { search: string; href: string };
  history?: { state: unknown; replaceState(state: unknown, unused: string, url: URL): void };
}
const g = globalThis as UrlGlobals;

function fromUrl(): PanelId | null {
  if (!g.location) return null;
  const p = new URLSearchParams(g.location.search).get('panel');
  return (PANEL_IDS as readonly string[]).includes(p ?? '') ? (p as PanelId) : null;
}

function toUrl(panel: PanelId | null) {
  if (!g.location || !g.history) return;
  const url = new URL(g.location.href);
  if (panel) url.searchParams.set('panel', panel);
  else url.searchParams.delete('panel');
  g.history.replaceState(g.history.state, '', url);
}

interface PanelState {
  panel: PanelId | null;
  open(p: PanelId): void;
  toggle(p: PanelId): void;
  close(): void;
}

export const usePanel = create<PanelState>((set, get) => ({
  panel: fromUrl(),
  open: (p) => { toUrl(p); set({ panel: p }); },
  toggle: (p) => { const next = get().panel === p ? null : p; toUrl(next); set({ panel: next }); },
  close: () => { toUrl(null); set({ panel: null }); },
}));
