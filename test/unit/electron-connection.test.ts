// Settings → Team server's shell channels, with `electron` mocked: only our window may call them, the
// token is checked with the server before it is kept (in the secret store, never in connection.json), a
// machine without a keychain is told before a restart would lose the token, and the server's rule
// notifications become native ones with its hide-text setting honoured.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const h = vi.hoisted(() => {
  const handlers = new Map<string, (event: unknown, args?: unknown) => unknown>();
  return {
    handlers,
    ipcMain: {
      handle: (channel: string, fn: (event: unknown, args?: unknown) => unknown) => { handlers.set(channel, fn); },
      removeHandler: (channel: string) => { handlers.delete(channel); },
    },
  };
});
vi.mock('electron', () => ({ ipcMain: h.ipcMain }));

import { readConnectionChoice, relayRemoteNotifications, setupConnectionIpc } from '../../electron/main/connection';
import { silentLogger, type SecretName, type SecretStore } from '../../electron/core/types';
import type { PushChannel, PushChannels } from '../../shared/ipc';

const TRUSTED = { trusted: true };

function memorySecrets(persistent = true): SecretStore & { values: Map<SecretName, string> } {
  const values = new Map<SecretName, string>();
  return {
    values,
    get: (n) => values.get(n) ?? null,
    set: (n, v) => { if (v == null) values.delete(n); else values.set(n, v); },
    info: () => ({ kind: persistent ? 'keychain' : 'memory', persistent, encrypted: persistent, unreadable: [], problem: null, canChoosePlainFile: !persistent }),
  };
}

const meServer = (async (url: string | URL, init?: RequestInit) => {
  const auth = (init?.headers as Record<string, string>).authorization;
  if (!String(url).endsWith('/api/me')) return new Response('nope', { status: 404 });
  return auth === 'Bearer good-token'
    ? new Response(JSON.stringify({ role: 'viewer', name: 'dee' }))
    : new Response('{"error":{"code":"UNAUTHORIZED","message":"x"}}', { status: 401 });
}) as typeof fetch;

function setup(secrets = memorySecrets()) {
  h.handlers.clear();
  const dataDir = mkdtempSync(join(tmpdir(), 'hs-conn-'));
  const restart = vi.fn();
  const conn = setupConnectionIpc({
    dataDir, secrets, active: { mode: 'local' }, remoteState: () => null,
    trusted: (e) => (e as { trusted?: boolean }).trusted === true, restart, logger: silentLogger, fetch: meServer,
  });
  const call = (channel: string, args?: unknown, event: unknown = TRUSTED) => h.handlers.get(channel)!(event, args) as Promise<{ ok: boolean; value?: Record<string, unknown>; error?: { code: string; message: string } }>;
  return { dataDir, restart, conn, call, secrets };
}

describe('team server shell channels', () => {
  beforeEach(() => { vi.useRealTimers(); });

  it('refuses any sender but our window', async () => {
    const { call } = setup();
    for (const ch of ['connection:get', 'connection:connect', 'connection:disconnect']) {
      expect(await call(ch, { url: 'http://x', token: 'good-token' }, { trusted: false }), ch).toMatchObject({ ok: false, error: { code: 'FORBIDDEN_SENDER' } });
    }
  });

  it('checks the token with the server, keeps it in the secret store only, then restarts', async () => {
    vi.useFakeTimers();
    const { call, dataDir, restart, secrets } = setup();
    const bad = await call('connection:connect', { url: 'https://team.example', token: 'bad' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(secrets.get('teamServerToken')).toBeNull();
    expect(readConnectionChoice(dataDir)).toEqual({ mode: 'local' });

    const ok = await call('connection:connect', { url: 'https://team.example/', token: 'good-token' });
    expect(ok.value).toMatchObject({ identity: { role: 'viewer', name: 'dee' }, tokenSet: true });
    expect(secrets.get('teamServerToken')).toBe('good-token');
    expect(readFileSync(join(dataDir, 'connection.json'), 'utf8')).not.toContain('good-token');
    expect(readConnectionChoice(dataDir)).toEqual({ mode: 'remote', url: 'https://team.example' });
    expect(JSON.stringify(ok)).not.toContain('good-token');
    vi.runAllTimers();
    expect(restart).toHaveBeenCalledTimes(1);

    await call('connection:disconnect');
    expect(secrets.get('teamServerToken')).toBeNull();
    expect(readConnectionChoice(dataDir)).toEqual({ mode: 'local' });
  });

  it('without a keychain, says so instead of losing the token at the restart', async () => {
    const { call, restart } = setup(memorySecrets(false));
    const r = await call('connection:connect', { url: 'https://team.example', token: 'good-token' });
    expect(r.error!.message).toMatch(/no keychain/);
    expect(restart).not.toHaveBeenCalled();
    expect((await call('connection:get')).value).toMatchObject({ canKeepToken: false, tokenSet: false });
  });
});

describe('the server\'s notifications on this desktop', () => {
  function fakeRemote(hide: boolean) {
    const subs = new Map<string, (p: unknown) => void>();
    let stateCb: ((s: 'open') => void) | null = null;
    return {
      remote: {
        on: <P extends PushChannel>(ch: P, cb: (p: PushChannels[P]) => void) => { subs.set(ch, cb as (p: unknown) => void); return () => {}; },
        onState: (cb: (s: 'connecting' | 'open' | 'down') => void) => { stateCb = cb; return () => {}; },
        call: async () => ({ ok: true as const, value: { hideNotificationText: hide } }),
      },
      open: () => stateCb!('open'),
      fire: (p: unknown) => subs.get('notifications:fired')!(p),
    };
  }
  const fired = [{ id: 5, ruleId: 2, eventId: 9, title: 'Ana replied', body: 'my number is 123', firedAt: 1 }];

  it('shows the rule\'s words, or only that a rule fired when the server hides message text', async () => {
    for (const hide of [false, true]) {
      const shown: unknown[] = [];
      const f = fakeRemote(hide);
      relayRemoteNotifications(f.remote, { show: (n) => shown.push(n) });
      f.open();
      f.fire(fired);
      await vi.waitFor(() => expect(shown).toHaveLength(1));
      expect(shown[0]).toEqual(hide
        ? { title: 'Hookscope', body: 'A rule fired — open Hookscope to read it.', eventId: 9, notificationId: 5 }
        : { title: 'Ana replied', body: 'my number is 123', eventId: 9, notificationId: 5 });
    }
  });
});
