// The desktop app as a team server's viewer (README "Run a team server"): the built main bundle with the
// fake `electron`, against a real `serve`. Connecting checks the token with the server, keeps it in the
// keychain (never in connection.json, logs or the renderer) and restarts; the next start runs no core of its
// own, answers the same contract through the server (with the server's idea of the role), relays its live
// feed, and when the server restarts says "down" and then reconnects by itself and keeps relaying.
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServe, type ServeProcess } from '../helpers/serve';
import { bootDesktop, type DesktopBoot } from '../helpers/desktop-boot';

const running: { stop(): unknown }[] = [];
afterEach(async () => { for (const r of running.splice(0)) await r.stop(); });

function metaMessage(id: string, text: string): string {
  return JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: '102290129340398', changes: [{ field: 'messages', value: {
    messaging_product: 'whatsapp', metadata: { display_phone_number: '15550001111', phone_number_id: '106540352242922' },
    contacts: [{ profile: { name: 'Ana' }, wa_id: '5511987654321' }],
    messages: [{ from: '5511987654321', id, timestamp: '1733000000', type: 'text', text: { body: text } }],
  } }] }] });
}

async function post(s: ServeProcess, id: string, text: string) {
  const r = await fetch(`${s.receiverUrl}/meta`, { method: 'POST', body: metaMessage(id, text), headers: { 'content-type': 'application/json' } });
  expect(r.status).toBe(200);
}

function desk(opts: Parameters<typeof bootDesktop>[0] = {}): DesktopBoot {
  const b = bootDesktop(opts);
  running.push({ stop: () => b.kill() });
  return b;
}

async function serve(args: string[] = [], dataDir?: string): Promise<ServeProcess> {
  const s = await startServe(args, {}, dataDir);
  running.push(s);
  return s;
}

describe('desktop: connect to a team server', { timeout: 90_000 }, () => {
  it('connects with a viewer token, restarts as the server\'s viewer, relays its live feed, and reconnects after the server restarts', async () => {
    let s = await serve();
    const made = await s.api<{ token: string }>('/api/tokens', { method: 'POST', body: JSON.stringify({ name: 'desk viewer', role: 'viewer' }) });
    const token = made.body.token;

    // 1. A desktop running its own core connects from Settings → Team server.
    const first = desk();
    await first.waitFor('BrowserWindow.show');
    expect((await first.invoke<{ mode: string }>('connection:get')).value).toMatchObject({ mode: 'local', tokenSet: false });
    const wrong = await first.invoke('connection:connect', { url: s.uiBase, token: 'hs_not-a-token' });
    expect(wrong).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(wrong.error!.message).toMatch(/refused this token/);
    expect(first.find('app.relaunch')).toBeUndefined();
    const ok = await first.invoke<{ identity: { role: string; name: string } }>('connection:connect', { url: `${s.uiBase}/`, token });
    expect(ok.value!.identity).toEqual({ role: 'viewer', name: 'desk viewer' });
    await first.waitFor('app.relaunch');
    expect(await first.exited).toBe(0);
    const userData = first.userData;
    expect(JSON.parse(readFileSync(join(userData, 'connection.json'), 'utf8'))).toEqual({ mode: 'remote', url: s.uiBase });
    const secrets = readFileSync(join(userData, 'secrets.json'), 'utf8');
    expect(secrets).not.toContain(token);
    expect(JSON.parse(secrets).secrets.teamServerToken.encoding).toBe('electron-safestorage');

    // 2. The next start shows the team server: no receiver of its own, the server's history and role.
    const b = desk({ dir: first.dir, userData });
    await b.waitFor('BrowserWindow.show');
    expect((await b.invoke('renderer:ready')).ok).toBe(true);
    expect((await b.invoke("app:me")).value).toEqual({ role: "viewer", name: "desk viewer" });
    expect((await b.invoke<{ receiver: { url: string } }>('app:info')).value!.receiver.url).toBe(s.receiverUrl);
    expect((await b.invoke<{ mode: string; url: string; tokenSet: boolean }>('connection:get')).value).toMatchObject({ mode: 'remote', url: s.uiBase, tokenSet: true });
    const refused = await b.invoke('rules:create', { name: 'from a viewer', when: {} });
    expect(refused).toMatchObject({ ok: false, error: { code: 'FORBIDDEN_ROLE' } });
    await b.waitFor('webContents.send', (r) => r.channel === 'connection:changed' && (r.payload as { state: string }).state === 'open');
    expect((await s.api('/api/rules', { method: 'POST', body: JSON.stringify({ name: 'Lead', when: { kind: ['message'] }, title: '{contactName} wrote', body: '{text}' }) })).status).toBe(201);
    await post(s, 'wamid.team-1', 'seen by the desk');
    const push = await b.waitFor('webContents.send', (r) => r.channel === 'events:appended' && JSON.stringify(r.payload).includes('seen by the desk'));
    expect((push.payload as { text: string }[])[0].text).toBe('seen by the desk');
    expect(((await b.invoke<{ total: number }>('events:list', {})).value!).total).toBe(1);
    // The server's rule fired: this desktop shows it as a native notification.
    expect(await b.waitFor('Notification.show')).toMatchObject({ title: 'Ana wrote', body: 'seen by the desk' });

    // 3. The server restarts (same data dir and ports): down, then open again by itself, and the feed flows.
    const uiPort = new URL(s.uiBase).port;
    const recvPort = new URL(s.receiverUrl).port;
    const dataDir = s.dataDir;
    await s.stop();
    running.splice(running.indexOf(s), 1);
    await b.waitFor('webContents.send', (r) => r.channel === 'connection:changed' && (r.payload as { state: string }).state === 'down');
    const downAt = b.records().length;
    s = await serve(['--ui-port', uiPort, '--port', recvPort], dataDir);
    for (;;) {
      const later = b.records().slice(downAt);
      if (later.some((r) => r.type === 'webContents.send' && r.channel === 'connection:changed' && (r.payload as { state: string }).state === 'open')) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await post(s, 'wamid.team-2', 'after the restart');
    await b.waitFor('webContents.send', (r) => r.channel === 'events:appended' && JSON.stringify(r.payload).includes('after the restart'));

    // The token never reached the log, the records of what main sent, or the settings.
    expect(first.output() + b.output()).not.toContain(token);
    expect(first.recordsText() + b.recordsText()).not.toContain(token);
    expect(existsSync(join(userData, 'settings.json')) ? readFileSync(join(userData, 'settings.json'), 'utf8') : '').not.toContain(token);

    // 4. Back to this computer: the token is forgotten and the next start runs its own core again.
    await b.invoke('connection:disconnect');
    await b.waitFor('app.relaunch');
    expect(await b.exited).toBe(0);
    expect(JSON.parse(readFileSync(join(userData, 'connection.json'), 'utf8'))).toEqual({ mode: 'local' });
    expect(readFileSync(join(userData, 'secrets.json'), 'utf8')).not.toContain('teamServerToken');
    const c = desk({ dir: first.dir, userData });
    await c.waitFor('BrowserWindow.show');
    expect((await c.invoke('app:me')).value).toEqual({ role: 'admin', name: null });
    expect((await c.invoke<{ receiver: { url: string } }>('app:info')).value!.receiver.url).not.toBe(s.receiverUrl);
  });

  it('refuses a token pasted inside the address, and an address that is not a Hookscope', async () => {
    const b = desk();
    await b.waitFor('BrowserWindow.show');
    const inUrl = await b.invoke('connection:connect', { url: 'http://127.0.0.1:9/?token=abc', token: 'abc' });
    expect(inUrl.error!.message).toMatch(/carries a token/);
    const nowhere = await b.invoke('connection:connect', { url: 'http://127.0.0.1:9', token: 'abc' });
    expect(nowhere).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(nowhere.error!.message).toMatch(/Cannot reach/);
    expect(existsSync(join(b.userData, 'connection.json'))).toBe(false);
  });
});
