// The selected event and what the inspector loads for it: detail, lifecycle, conversation.
import type { ResultOf } from '../../../shared/ipc';
import type { EventDetail, MessageLifecycle, Provider } from '../../../shared/types';
import { errorText, type SliceContext } from '../context';
import { eventToOpen } from './messages-rows';

export interface Loadable<T> {
  key: string | null;
  data: T | null;
  loading: boolean;
  error: string | null;
}

const idle = <T,>(): Loadable<T> => ({ key: null, data: null, loading: false, error: null });

export type Thread = ResultOf<'contacts:thread'>;

export interface SelectionSlice {
  selectedId: number | null;
  detail: Loadable<EventDetail>;
  lifecycle: Loadable<MessageLifecycle>;
  thread: Loadable<Thread>;
  select(id: number | null): void;
  /** +1 = the next older row (j / ArrowDown), -1 = the next newer row (k / ArrowUp). */
  moveSelection(delta: number): void;
  clearSelection(): void;
  /** `provider`: the provider of the event shown (a message id or number belongs to one provider's history). */
  loadLifecycle(messageId: string, force?: boolean, provider?: Provider): Promise<void>;
  loadThread(contactId: string, force?: boolean, provider?: Provider): Promise<void>;
}

export function createSelectionSlice(ctx: SliceContext): SelectionSlice {
  const { set, get, bridge } = ctx;
  // The provider of the lifecycle / conversation shown (their keys stay the id, as the views compare them).
  let lifecycleProvider: Provider | undefined;
  let threadProvider: Provider | undefined;

  return {
    selectedId: null,
    detail: idle(),
    lifecycle: idle(),
    thread: idle(),

    select(id) {
      if (id === get().selectedId) return;
      if (id == null) {
        set({ selectedId: null, detail: idle(), lifecycle: idle(), thread: idle() });
        return;
      }
      const key = String(id);
      set({ selectedId: id, detail: { key, data: null, loading: true, error: null }, lifecycle: idle(), thread: idle() });
      bridge.invoke('events:get', { id }).then(
        (data) => {
          if (get().detail.key !== key) return;
          set({ detail: { key, data, loading: false, error: null } });
        },
        (err) => {
          if (get().detail.key !== key) return;
          set({ detail: { key, data: null, loading: false, error: errorText(err) } });
        },
      );
    },

    moveSelection(delta) {
      if (get().view === 'messages') {
        const { messages, selectedId } = get();
        if (messages.length === 0) return;
        const idx = selectedId == null ? -1 : messages.findIndex((m) => m.events.some((e) => e.id === selectedId));
        const next = idx === -1 ? 0 : Math.min(messages.length - 1, Math.max(0, idx + delta));
        get().select(eventToOpen(messages[next]));
        if (next >= messages.length - 5) void get().loadOlderMessages();
        return;
      }
      const { events, selectedId, hasOlder, loadingOlder } = get();
      if (events.length === 0) return;
      const idx = selectedId == null ? -1 : events.findIndex((e) => e.id === selectedId);
      let next: number;
      if (idx === -1) next = delta > 0 ? 0 : 0;
      else next = Math.min(events.length - 1, Math.max(0, idx + delta));
      get().select(events[next].id);
      // Near the bottom of the window: fetch the next older page ahead of the cursor.
      if (next >= events.length - 5 && hasOlder && !loadingOlder) void get().loadOlder();
    },

    clearSelection() {
      get().select(null);
    },

    async loadLifecycle(messageId, force, provider) {
      const cur = get().lifecycle;
      // A refresh from a push keeps the provider of the event shown.
      const p = provider ?? (cur.key === messageId ? lifecycleProvider : undefined);
      if (!force && cur.key === messageId && p === lifecycleProvider && (cur.data || cur.loading)) return;
      lifecycleProvider = p;
      set({ lifecycle: { key: messageId, data: cur.key === messageId ? cur.data : null, loading: true, error: null } });
      try {
        const data = await bridge.invoke('messages:get', { messageId, ...(p ? { provider: p } : {}) });
        if (get().lifecycle.key !== messageId) return;
        set({ lifecycle: { key: messageId, data, loading: false, error: null } });
      } catch (err) {
        if (get().lifecycle.key !== messageId) return;
        set({ lifecycle: { key: messageId, data: null, loading: false, error: errorText(err) } });
      }
    },

    async loadThread(contactId, force, provider) {
      const cur = get().thread;
      const p = provider ?? (cur.key === contactId ? threadProvider : undefined);
      if (!force && cur.key === contactId && p === threadProvider && (cur.data || cur.loading)) return;
      threadProvider = p;
      set({ thread: { key: contactId, data: cur.key === contactId ? cur.data : null, loading: true, error: null } });
      try {
        const data = await bridge.invoke('contacts:thread', { contactId, limit: 200, ...(p ? { provider: p } : {}) });
        if (get().thread.key !== contactId) return;
        set({ thread: { key: contactId, data, loading: false, error: null } });
      } catch (err) {
        if (get().thread.key !== contactId) return;
        set({ thread: { key: contactId, data: null, loading: false, error: errorText(err) } });
      }
    },
  };
}
