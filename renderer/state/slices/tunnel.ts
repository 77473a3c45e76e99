// The ngrok tunnel as the core reports it.
import type { TunnelState } from '../../../shared/types';
import { errorText, type SliceContext } from '../context';

export interface TunnelSlice {
  tunnel: TunnelState | null;
  tunnelBusy: boolean;
  tunnelError: string | null;
  loadTunnel(): Promise<void>;
  startTunnel(): Promise<void>;
  stopTunnel(): Promise<void>;
  receiveTunnel(state: TunnelState): void;
}

export function createTunnelSlice(ctx: SliceContext): TunnelSlice {
  const { set, bridge } = ctx;
  const run = async (channel: 'tunnel:start' | 'tunnel:stop') => {
    set({ tunnelBusy: true, tunnelError: null });
    try {
      set({ tunnel: await bridge.invoke(channel, undefined), tunnelBusy: false });
    } catch (err) {
      set({ tunnelBusy: false, tunnelError: errorText(err) });
    }
  };
  return {
    tunnel: null,
    tunnelBusy: false,
    tunnelError: null,
    async loadTunnel() {
      try {
        set({ tunnel: await bridge.invoke('tunnel:get', undefined) });
      } catch (err) {
        set({ tunnelError: errorText(err) });
      }
    },
    startTunnel: () => run('tunnel:start'),
    stopTunnel: () => run('tunnel:stop'),
    receiveTunnel(state) {
      set({ tunnel: state, tunnelError: null });
    },
  };
}
