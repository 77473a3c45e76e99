// One zustand store built from slices. `createAppStore(bridge)` makes a fresh one (one per test).
import { createStore, type StoreApi } from 'zustand/vanilla';
import { wirePushes, type AppBridge } from './bridge';
import { frameScheduler, type AppState, type SliceContext, type StoreOptions } from './context';
import { createEventsSlice, type EventsSlice } from './slices/events';
import { createFiltersSlice, type FiltersSlice } from './slices/filters';
import { createInsightsSlice, type InsightsSlice } from './slices/insights';
import { createRulesSlice, type RulesSlice } from './slices/rules';
import { createSelectionSlice, type SelectionSlice } from './slices/selection';
import { createSettingsSlice, type SettingsSlice } from './slices/settings';
import { createTunnelSlice, type TunnelSlice } from './slices/tunnel';
import { createToolsSlice, type ToolsSlice } from './slices/tools';
import { createRejectedSlice, type RejectedSlice } from './slices/rejected';
import { createMessagesSlice, type MessagesSlice } from './slices/messages';
import { createViewsSlice, type ViewsSlice } from './slices/views';
import { createHealthSlice, type HealthSlice } from './slices/health';
import { usePanel } from './panel-state';

export interface LifecycleSlice {
  /** Subscribe to pushes, load everything the first screen needs, then tell the core we are ready. */
  start(): Promise<void>;
  stop(): void;
}

// The whole state is every slice together. context.ts declares `AppState` empty and this fills it in by
// declaration merging, so a slice can read its neighbours through `get()` without importing this file
// (which imports every slice): no import cycle.
declare module './context' {
  interface AppState extends EventsSlice, FiltersSlice, SelectionSlice, RulesSlice, TunnelSlice, SettingsSlice, ToolsSlice, InsightsSlice, MessagesSlice, LifecycleSlice, RejectedSlice, ViewsSlice, HealthSlice {}
}
export type { AppState } from './context';
export type AppStore = StoreApi<AppState>;

export function createAppStore(bridge: AppBridge, options: StoreOptions = {}): AppStore {
  const opts: SliceContext['opts'] = {
    schedule: options.schedule ?? frameScheduler,
    windowSize: options.windowSize ?? 2000,
    pageSize: options.pageSize ?? 200,
    statsThrottleMs: options.statsThrottleMs ?? 1000,
    now: options.now ?? (() => Date.now()),
    initialFilter: options.initialFilter ?? {},
    initialView: options.initialView ?? 'events',
  };
  return createStore<AppState>()((set, get) => {
    const ctx: SliceContext = { set, get, bridge, opts };
    let unwire: (() => void) | null = null;
    return {
      ...createEventsSlice(ctx),
      ...createFiltersSlice(ctx),
      ...createSelectionSlice(ctx),
      ...createRulesSlice(ctx),
      ...createTunnelSlice(ctx),
      ...createSettingsSlice(ctx),
      ...createToolsSlice(ctx),
      ...createInsightsSlice(ctx),
      ...createRejectedSlice(ctx),
      ...createMessagesSlice(ctx),
      ...createViewsSlice(ctx),
      ...createHealthSlice(ctx),
      async start() {
        if (unwire) return;
        const s = get();
        unwire = wirePushes(bridge, {
          receiveEvents: s.receiveEvents,
          receiveTunnel: s.receiveTunnel,
          receiveNotifications: s.receiveNotifications,
          receiveSettings: s.receiveSettings,
          notificationClicked: (click) => {
            if (click && typeof click.eventId === 'number') {
              get().select(click.eventId);
              // As with a toast: an open side panel would cover the inspector showing the event.
              usePanel.getState().close();
            }
          },
          contactForgotten: (batch) => {
            if (!Array.isArray(batch)) return;
            for (const p of batch) if (p && typeof p.contactId === 'string') void get().contactForgotten(p.contactId);
          },
          setConnection: s.setConnection,
          // What was stored while the stream was down (or before it first opened) was never pushed: the
          // page and the counts are both fetched again, so the chips add up with the list.
          resync: () => {
            void get().resync();
            void get().resyncMessages();
            void get().refreshStats();
          },
        });
        const offRejected = bridge.on('rejected:changed', (p) => get().receiveRejected(p));
        // Team server: "database unreachable" shows and clears as the shared database goes and comes back.
        const offTeam = bridge.on('team:changed', (team) => { const info = get().appInfo; if (info) set({ appInfo: { ...info, team } }); });
        const prevUnwire = unwire!;
        unwire = () => { offRejected(); offTeam(); prevUnwire(); };
        await Promise.all([s.loadIdentity(), s.loadAppInfo(), s.loadSettings(), s.loadTunnel(), s.refreshStats(), s.reload(), s.loadRules(), s.loadRejected(), s.loadViews(), s.loadBusinesses(), ...(s.view === 'messages' ? [s.reloadMessages()] : [])]);
        bridge.ready();
      },
      stop() {
        unwire?.();
        unwire = null;
      },
    };
  });
}
