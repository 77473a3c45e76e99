// Settings as the core shows them (secrets only say whether they are set), app info, connection.
import type { AppInfo } from '../../../shared/ipc';
import type { ConnectionView, Identity, SettingsView } from '../../../shared/types';
import type { ConnectionState } from '../bridge';
import { errorText, type SliceContext } from '../context';

export interface SettingsSlice {
  settings: SettingsView | null;
  appInfo: AppInfo | null;
  connection: ConnectionState;
  /** Who this UI speaks for: on a team server a viewer's controls for changes are hidden (null: not known yet). */
  identity: Identity | null;
  loadIdentity(): Promise<void>;
  /** Desktop only: whether the window shows this computer's core or a team server's (null: not loaded, or a browser). */
  teamServer: ConnectionView | null;
  canConnectTeamServer: boolean;
  loadTeamServer(): Promise<void>;
  /** Checks the address and token with the server, keeps them and restarts connected; or `{ error }`. */
  connectTeamServer(url: string, token: string): Promise<{ ok: true; view: ConnectionView } | { error: string }>;
  disconnectTeamServer(): Promise<{ ok: true } | { error: string }>;
  startupError: string | null;
  loadSettings(): Promise<void>;
  loadAppInfo(): Promise<void>;
  receiveSettings(settings: SettingsView): void;
  setConnection(state: ConnectionState): void;
  simulate(kind: 'message' | 'status', provider: 'meta' | 'twilio'): Promise<string | null>;
  /** Whether this transport has a UI token to rotate (`serve` in a browser). */
  canRotateUiToken: boolean;
  /** A new UI token (the current one stops working): `{ token }`, or `{ error }`. */
  rotateUiToken(): Promise<{ token: string } | { error: string }>;
  /** The verify token in use, read back so it can be typed into Meta again. */
  revealVerifyToken(): Promise<{ token: string | null } | { error: string }>;
}

export function createSettingsSlice(ctx: SliceContext): SettingsSlice {
  const { set, bridge } = ctx;
  return {
    settings: null,
    appInfo: null,
    connection: 'connecting',
    identity: null,
    teamServer: null,
    canConnectTeamServer: bridge.teamServer != null,
    async loadTeamServer() {
      if (!bridge.teamServer) return;
      try { set({ teamServer: await bridge.teamServer.get() }); } catch { /* an older shell: the section stays hidden */ }
    },
    async connectTeamServer(url, token) {
      if (!bridge.teamServer) return { error: 'Only the desktop app connects to a team server; a browser just opens its address.' };
      try {
        const view = await bridge.teamServer.connect(url, token);
        set({ teamServer: view });
        return { ok: true, view };
      } catch (err) {
        return { error: errorText(err) };
      }
    },
    async disconnectTeamServer() {
      if (!bridge.teamServer) return { error: 'Not the desktop app.' };
      try {
        set({ teamServer: await bridge.teamServer.disconnect() });
        return { ok: true };
      } catch (err) {
        return { error: errorText(err) };
      }
    },
    startupError: null,
    async loadIdentity() {
      try {
        set({ identity: await bridge.invoke('app:me', undefined) });
      } catch {
        // A core without the channel (older serve) is a single user with every right; the server decides anyway.
        set({ identity: { role: 'admin', name: null } });
      }
    },
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
    canRotateUiToken: typeof bridge.rotateToken === 'function',
    async rotateUiToken() {
      if (!bridge.rotateToken) return { error: 'The desktop app has no UI token.' };
      try {
        return { token: await bridge.rotateToken() };
      } catch (err) {
        return { error: errorText(err) };
      }
    },
    async revealVerifyToken() {
      try {
        return await bridge.invoke('settings:reveal-verify-token', undefined);
      } catch (err) {
        return { error: errorText(err) };
      }
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
