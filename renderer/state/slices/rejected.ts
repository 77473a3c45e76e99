// The rejected log as the UI sees it: requests the receiver refused at the trust boundary (docs/api.md
// "Trust boundary"). Seen, not trusted: they never enter the feed; a re-verify may move them there.
import type { PushChannels } from '../../../shared/ipc';
import type { RejectedDetail, RejectedItem, ReverifyResult } from '../../../shared/types';
import { errorText, type SliceContext } from '../context';

export interface RejectedSummary { total: number; dropped: number; notStored: number; diskLow: boolean; diskFull?: boolean }

export interface RejectedSlice {
  rejectedSummary: RejectedSummary | null;
  rejectedItems: RejectedItem[];
  rejectedDetail: RejectedDetail | null;
  rejectedBusy: boolean;
  rejectedError: string | null;
  reverifyResult: ReverifyResult | null;
  loadRejected(): Promise<void>;
  openRejected(id: number): Promise<void>;
  reverifyRejected(): Promise<void>;
  receiveRejected(p: PushChannels['rejected:changed']): void;
}

export function createRejectedSlice(ctx: SliceContext): RejectedSlice {
  const { set, get, bridge } = ctx;
  return {
    rejectedSummary: null,
    rejectedItems: [],
    rejectedDetail: null,
    rejectedBusy: false,
    rejectedError: null,
    reverifyResult: null,
    async loadRejected() {
      try {
        const page = await bridge.invoke('rejected:list', { limit: 200 });
        set({
          rejectedSummary: { total: page.total, dropped: page.dropped, notStored: page.notStored, diskLow: page.diskLow, diskFull: page.diskFull ?? false },
          rejectedItems: page.items, rejectedError: null,
        });
      } catch (err) {
        set({ rejectedError: errorText(err) });
      }
    },
    async openRejected(id) {
      try {
        set({ rejectedDetail: await bridge.invoke('rejected:get', { id }), rejectedError: null });
      } catch (err) {
        set({ rejectedError: errorText(err) });
      }
    },
    async reverifyRejected() {
      set({ rejectedBusy: true, rejectedError: null });
      try {
        const r = await bridge.invoke('rejected:reverify', undefined);
        set({ reverifyResult: r, rejectedBusy: false, rejectedDetail: null });
        await get().loadRejected();
      } catch (err) {
        set({ rejectedBusy: false, rejectedError: errorText(err) });
      }
    },
    receiveRejected(p) {
      const prev = get().rejectedSummary;
      set({ rejectedSummary: { dropped: prev?.dropped ?? 0, ...p } });
    },
  };
}
