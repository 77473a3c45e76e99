// Settings as the core shows them (secrets only say whether they are set), app info, connection.
import type { AppInfo } from '../../../shared/ipc';
import type { SettingsView } from '../../../shared/types';
import type { ConnectionState } from '../bridge';
import { errorText, type SliceContext } from '../context';

export interface SettingsSlice {
  settings: SettingsView | null;
  appInfo: AppInfo | null;
  connection: ConnectionState;
  startupError: string | null;
  loadSettings(): Promise<void>;
  loadAppInfo(): Promise<void>;
  receiveSettings(settings: SettingsView): void;
  setConnection(state: ConnectionState): void;
  simulate(kind: 'message' | 'status', provider: 'meta' | 'twilio'): Promise<string | null>;
}

export function createSettingsSlice(ctx: SliceContext): SettingsSlice {
  const { set, bridge } = ctx;
  return {
    settings: null,
    appInfo: null,
    connection: 'connecting',
    startupError: null,
    async loadSettings() {
      try {
        set({ settings: await bridge.invoke('settings:get', undefined) });
      } catch (err) {
        set({ startupError: errorText(err) });
      }
    },
    async loadAppInfo() {
      try {
        set({ appInfo: await bridge.invoke('app:info', undefined), startupError: null });
      } catch (err) {
        set({ startupError: errorText(err) });
      }
    },
    receiveSettings(settings) {
      set({ settings });
    },
    setConnection(connection) {
      set({ connection });
    },
    async simulate(kind, provider) {
      try {
        await bridge.invoke('simulate:send', { kind, provider });
        return null;
      } catch (err) {
        return errorText(err);
      }
    },
  };
}
