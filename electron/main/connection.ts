// "Connect to a team server" (README "Run a team server"): whether this desktop app runs its own core or
// shows a team server's, and the shell channels the Settings panel uses to switch. The address is kept in
// `<data dir>/connection.json`; the token only in the secret store (the OS keychain), never in settings,
// logs or the renderer. Switching restarts the app, so exactly one of the two is ever wired to the window.
import { ipcMain, type IpcMainInvokeEvent } from 'electron';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { appError } from '../../shared/errors';
import type { Envelope } from '../../shared/ipc';
import type { Logger, Notifier, SecretStore } from '../core/types';
import { checkRemote, normaliseServerUrl, type RemoteClient, type RemoteState } from '../core/remote/client';
import { SHELL_REQUEST_CHANNELS, type ConnectionView } from '../preload/channels';

export const CONNECTION_FILE = 'connection.json';

export type ConnectionChoice = { mode: 'local' } | { mode: 'remote'; url: string };

export function readConnectionChoice(dataDir: string): ConnectionChoice {
  const file = join(dataDir, CONNECTION_FILE);
  if (!existsSync(file)) return { mode: 'local' };
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as { mode?: unknown; url?: unknown };
    if (v.mode === 'remote' && typeof v.url === 'string') {
      const n = normaliseServerUrl(v.url);
      if ('url' in n) return { mode: 'remote', url: n.url };
    }
  } catch { /* a damaged file means this computer's own core, the safe default */ }
  return { mode: 'local' };
}

export function writeConnectionChoice(dataDir: string, choice: ConnectionChoice): void {
  const file = join(dataDir, CONNECTION_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(choice, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}

/**
 * Showing a team server, its rules still reach this desktop: each notification it fires becomes a native
 * one here. The server's "hide message text" setting is honoured (its words then stay in the in-app list).
 */
export function relayRemoteNotifications(remote: Pick<RemoteClient, 'on' | 'call' | 'onState'>, notifier: Notifier): () => void {
  let hideText = true; // when the server's setting cannot be read, the lock screen gets no customer words
  let known: Promise<void> = Promise.resolve();
  const learn = () => {
    known = remote.call('settings:get', undefined).then((env) => {
      if (env.ok) hideText = (env.value as { hideNotificationText?: boolean }).hideNotificationText === true;
    });
  };
  const offs = [
    remote.onState((s) => { if (s === 'open') learn(); }),
    remote.on('settings:changed', (v) => { hideText = v.hideNotificationText === true; }),
    remote.on('notifications:fired', (items) => void known.then(() => {
      for (const n of items) {
        notifier.show(hideText && n.ruleId !== 0
          ? { title: 'Hookscope', body: 'A rule fired — open Hookscope to read it.', eventId: n.eventId, notificationId: n.id }
          : { title: n.title, body: n.body, eventId: n.eventId, notificationId: n.id });
      }
    })),
  ];
  return () => offs.forEach((off) => off());
}

export interface ConnectionIpcOptions {
  dataDir: string;
  secrets: SecretStore;
  /** What runs now (the choice takes effect at the next start). */
  active: ConnectionChoice;
  remoteState: () => RemoteState | null;
  trusted: (event: IpcMainInvokeEvent) => boolean;
  /** Restarts the app so the new choice is the one wired up. */
  restart: () => void;
  logger: Logger;
  fetch?: typeof fetch;
}

/** The Settings panel's "Team server" section: read the choice, connect (checked first), go back to local. */
export function setupConnectionIpc(o: ConnectionIpcOptions): { dispose(): void } {
  const view = (): ConnectionView => ({
    mode: o.active.mode,
    url: o.active.mode === 'remote' ? o.active.url : null,
    state: o.remoteState(),
    tokenSet: o.secrets.get('teamServerToken') != null,
    canKeepToken: o.secrets.info?.().persistent ?? true,
  });
  const refuse = (): Envelope<never> => ({ ok: false, error: appError('FORBIDDEN_SENDER') });
  const handlers: Record<(typeof SHELL_REQUEST_CHANNELS)[number], (args: unknown) => Promise<Envelope<unknown>> | Envelope<unknown>> = {
    'connection:get': () => ({ ok: true, value: view() }),
    'connection:connect': async (args) => {
      const a = (args ?? {}) as { url?: unknown; token?: unknown };
      if (typeof a.url !== 'string' || typeof a.token !== 'string' || !a.token.trim() || a.token.length > 500) {
        return { ok: false, error: appError('VALIDATION', 'Give the team server\'s address and your token.') };
      }
      const n = normaliseServerUrl(a.url);
      if ('error' in n) return { ok: false, error: appError('VALIDATION', n.error) };
      if (o.secrets.info && !o.secrets.info().persistent) {
        return { ok: false, error: appError('VALIDATION', 'This computer has no keychain to keep the token in: choose "store secrets in a file" in Settings first, or the connection would be lost at the restart.') };
      }
      const checked = await checkRemote(n.url, a.token.trim(), o.fetch);
      if (!checked.ok) return { ok: false, error: appError('VALIDATION', checked.message) };
      o.secrets.set('teamServerToken', a.token.trim());
      writeConnectionChoice(o.dataDir, { mode: 'remote', url: n.url });
      o.logger.info('connecting to a team server; restarting', { role: checked.identity.role });
      setTimeout(o.restart, 50);
      return { ok: true, value: { ...view(), identity: checked.identity } };
    },
    'connection:disconnect': () => {
      writeConnectionChoice(o.dataDir, { mode: 'local' });
      o.secrets.set('teamServerToken', null);
      o.logger.info('back to this computer\'s own core; restarting');
      setTimeout(o.restart, 50);
      return { ok: true, value: { ...view(), mode: 'local' } };
    },
  };
  for (const [channel, fn] of Object.entries(handlers)) {
    ipcMain.handle(channel, (event, args: unknown) => (o.trusted(event) ? fn(args) : refuse()));
  }
  return { dispose() { for (const ch of SHELL_REQUEST_CHANNELS) ipcMain.removeHandler(ch); } };
}
