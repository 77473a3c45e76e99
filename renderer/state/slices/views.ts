// Saved views (named filter + search + columns, kept by the core) and the names of business numbers.
import type { BusinessNumber, EventFilter, SavedView } from '../../../shared/types';
import type { FeedColumns } from '../feed-view';
import { errorText, type SliceContext } from '../context';

export interface ViewsSlice {
  savedViews: SavedView[];
  viewsError: string | null;
  /** The saved view whose filter is showing (cleared when the filter changes away from it). */
  openViewId: number | null;
  businesses: BusinessNumber[];
  /** businessId → name (Settings → Business numbers). */
  businessNames: Record<string, string>;
  loadViews(): Promise<void>;
  /** Saves the current filter and columns under `name`. */
  saveView(name: string, opts?: { isDefault?: boolean }): Promise<SavedView | null>;
  updateView(id: number, patch: { name?: string; isDefault?: boolean; filter?: EventFilter }): Promise<void>;
  deleteView(id: number): Promise<void>;
  openView(id: number): void;
  loadBusinesses(): Promise<void>;
  /** The inspector's open tab (lower case, e.g. `raw`), kept in the URL with the open event. */
  inspectorTab: string;
  setInspectorTab(tab: string): void;
  /** The `?` list of keyboard shortcuts. */
  shortcutsOpen: boolean;
  setShortcutsOpen(open: boolean): void;
  /** At start: a `savedView=` link opens that view; else, with no filter in the URL, the default view. */
  openStartView(savedView: number | null): Promise<void>;
  nameBusiness(businessId: string, name: string | null): Promise<void>;
}

export function createViewsSlice(ctx: SliceContext): ViewsSlice {
  const { set, get, bridge } = ctx;
  const namesOf = (list: BusinessNumber[]) => Object.fromEntries(list.filter((b) => b.name).map((b) => [b.businessId, b.name as string]));

  return {
    savedViews: [],
    viewsError: null,
    openViewId: null,
    businesses: [],
    businessNames: {},
    inspectorTab: 'summary',
    shortcutsOpen: false,
    setShortcutsOpen(open) { set({ shortcutsOpen: open }); },
    setInspectorTab(tab) { if (get().inspectorTab !== tab) set({ inspectorTab: tab }); },

    async openStartView(savedView) {
      if (get().savedViews.length === 0) await get().loadViews();
      const views = get().savedViews;
      const v = savedView != null ? views.find((x) => x.id === savedView) : Object.keys(get().filter).length === 0 ? views.find((x) => x.isDefault) : undefined;
      if (v) get().openView(v.id);
      else if (savedView != null) set({ viewsError: `The saved view ${savedView} does not exist (any more).` });
    },

    async loadViews() {
      try {
        set({ savedViews: await bridge.invoke('views:list', undefined), viewsError: null });
      } catch (err) {
        set({ viewsError: errorText(err) });
      }
    },

    async saveView(name, opts = {}) {
      try {
        const v = await bridge.invoke('views:create', { name, filter: get().filter, columns: { ...get().columns }, isDefault: opts.isDefault });
        await get().loadViews();
        set({ openViewId: v.id });
        return v;
      } catch (err) {
        set({ viewsError: errorText(err) });
        return null;
      }
    },

    async updateView(id, patch) {
      try {
        await bridge.invoke('views:update', { id, view: patch });
        await get().loadViews();
      } catch (err) {
        set({ viewsError: errorText(err) });
      }
    },

    async deleteView(id) {
      try {
        await bridge.invoke('views:delete', { id });
        if (get().openViewId === id) set({ openViewId: null });
        await get().loadViews();
      } catch (err) {
        set({ viewsError: errorText(err) });
      }
    },

    openView(id) {
      const v = get().savedViews.find((x) => x.id === id);
      if (!v) return;
      if (v.columns) get().setColumns(v.columns as Partial<FeedColumns>);
      get().replaceFilter(v.filter);
      set({ openViewId: id });
    },

    async loadBusinesses() {
      try {
        const list = await bridge.invoke('businesses:list', undefined);
        set({ businesses: list, businessNames: namesOf(list) });
      } catch { /* the filter and column fall back to the numbers */ }
    },

    async nameBusiness(businessId, name) {
      await bridge.invoke('businesses:name', { businessId, name });
      await get().loadBusinesses();
    },
  };
}
