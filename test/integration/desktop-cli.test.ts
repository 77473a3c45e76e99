// The `hookscope` command against the desktop app: the BUILT main bundle booted with the recording fake
// Electron (test/helpers/desktop-boot.ts), the real CLI binary (bin/hookscope.mjs), no flags — the command
// finds the app through its data folder (Electron's userData, e.g. ~/.config/Hookscope on Linux) as a user's would.
import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { HookEvent } from '../../shared/types';
import { bootDesktop, type DesktopBoot } from '../helpers/desktop-boot';

const BIN = resolve(__dirname, '../../bin/hookscope.mjs');

interface Run { child: ChildProcess; out(): string; err(): string; exit: Promise<number | null> }

/** Where Electron keeps userData for productName "Hookscope" under this home (README "From the terminal"). */
function userDataIn(home: string): string {
  if (process.platform === 'win32') return join(home, 'AppData', 'Roaming', 'Hookscope');
  if (process.platform === 'darwin') return join(home, 'Library', 'Application Support', 'Hookscope');
  return join(home, '.config', 'Hookscope');
}

/** The command with only PATH and HOME: no --url, --token or HOOKSCOPE_* variables. */
function hookscope(home: string, args: string[]): Run {
  const env = { PATH: process.env.PATH ?? '', HOME: home, USERPROFILE: home, APPDATA: join(home, 'AppData', 'Roaming') };
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => { out += d; });
  child.stderr!.on('data', (d) => { err += d; });
  const exit = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  return { child, out: () => out, err: () => err, exit };
}

/** A raw request, so the Host header can be anything (fetch would not let a test set it). */
function raw(url: string, path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const u = new URL(url);
  return new Promise((res, rej) => {
    const r = request({ host: u.hostname, port: u.port, path, headers }, (m) => {
      let body = '';
      m.on('data', (d) => { body += d; });
      m.on('end', () => res({ status: m.statusCode ?? 0, body }));
    });
    r.on('error', rej);
    r.end();
  });
}

const apps: DesktopBoot[] = [];
const runs: Run[] = [];
const servers: Server[] = [];
afterEach(() => {
  for (const r of runs.splice(0)) if (r.child.exitCode === null) r.child.kill('SIGKILL');
  for (const a of apps.splice(0)) a.kill();
  for (const s of servers.splice(0)) s.close();
});

function start(home: string): DesktopBoot {
  const b = bootDesktop({ dir: home, userData: userDataIn(home) });
  apps.push(b);
  return b;
}

const discovery = (b: DesktopBoot) => join(b.userData, 'serve.json');
const readUrl = (b: DesktopBoot) => (JSON.parse(readFileSync(discovery(b), 'utf8')) as { url: string }).url;

describe('the desktop app serves the control API to the hookscope command', () => {
  it('found with no flags: tail --json follows, trigger + wait work; the token stays in the 0600 file; quit removes serve.json — twice', async () => {
    const home = mkdtempSync(join(tmpdir(), 'hookscope-desk-cli-'));
    for (const round of [1, 2]) {
      const b = start(home);
      await expect.poll(() => existsSync(discovery(b)), { timeout: 60_000 }).toBe(true);
      const url = readUrl(b);
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const token = readFileSync(join(b.userData, 'ui-token'), 'utf8').trim();
      expect(statSync(join(b.userData, 'ui-token')).mode & 0o777).toBe(0o600);
      expect(statSync(discovery(b)).mode & 0o777).toBe(0o600);

      const tail = hookscope(home, ['tail', '--json']);
      runs.push(tail);
      await expect.poll(() => tail.err(), { timeout: 30_000 }).toContain(`following ${url}`);
      const id = `wamid.DESK${round}`;
      const trig = hookscope(home, ['trigger', 'status', '--message-id', id]);
      expect(await trig.exit).toBe(0);
      const wait = hookscope(home, ['wait', '--for', `status=read messageId=${id}`, '--timeout', '30s', '--json']);
      expect(await wait.exit).toBe(0);
      expect(JSON.parse(wait.out())).toMatchObject({ status: 'read', messageId: id });
      await expect.poll(() => tail.out(), { timeout: 30_000 }).toContain(id);
      const lines = tail.out().trim().split('\n').map((l) => JSON.parse(l) as HookEvent);
      expect(lines.every((e) => e.messageId === id)).toBe(true);
      tail.child.kill('SIGINT');
      expect(await tail.exit).toBe(0);

      // Never in the app's log.
      expect(b.output()).not.toContain(token);
      b.send({ cmd: 'quit' });
      expect(await b.exited).toBe(0);
      expect(existsSync(discovery(b))).toBe(false);
      // Found no more: the command says so instead of hanging.
      const gone = hookscope(home, ['tail']);
      expect(await gone.exit).toBe(3);
    }
  }, 240_000);

  it('only /api/ on 127.0.0.1 with the token: no token 401, a wrong token 401, a foreign Host refused, no browser UI', async () => {
    const home = mkdtempSync(join(tmpdir(), 'hookscope-desk-cli-'));
    const b = start(home);
    await expect.poll(() => existsSync(discovery(b)), { timeout: 60_000 }).toBe(true);
    const url = readUrl(b);
    const token = readFileSync(join(b.userData, 'ui-token'), 'utf8').trim();
    const host = new URL(url).host;

    expect((await raw(url, '/api/me', { host })).status).toBe(401);
    expect((await raw(url, '/api/me', { host, authorization: 'Bearer not-the-token' })).status).toBe(401);
    expect((await raw(url, '/api/events', { host })).status).toBe(401);
    const me = await raw(url, '/api/me', { host, authorization: `Bearer ${token}` });
    expect(me.status).toBe(200);
    expect(JSON.parse(me.body)).toMatchObject({ role: 'admin' });
    // DNS rebinding: a page on another name resolving to 127.0.0.1 sends its own Host.
    const rebound = await raw(url, '/api/me', { host: `evil.example:${new URL(url).port}`, authorization: `Bearer ${token}` });
    expect(rebound.status).toBe(403);
    expect(rebound.body).toContain('FORBIDDEN_HOST');
    // The window is the UI: the browser app is not served here, with or without the token.
    for (const path of ['/', '/index.html', `/?token=${token}`]) {
      const page = await raw(url, path, { host });
      expect(page.status).toBe(404);
      expect(page.body).not.toContain('<html');
    }
    b.send({ cmd: 'quit' });
    expect(await b.exited).toBe(0);
  }, 120_000);

  it('a busy port: one clear log line, the app still starts and works, and no serve.json points at the other program', async () => {
    const busy: Server = createServer();
    servers.push(busy);
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
    const port = (busy.address() as { port: number }).port;
    const home = mkdtempSync(join(tmpdir(), 'hookscope-desk-cli-'));
    const b = bootDesktop({ dir: home, userData: userDataIn(home), env: { HOOKSCOPE_UI_PORT: String(port) } });
    apps.push(b);
    await expect.poll(() => b.output(), { timeout: 60_000 }).toContain(`port ${port} on 127.0.0.1 is in use`);
    expect((await b.invoke('app:info')).ok).toBe(true);
    expect(existsSync(discovery(b))).toBe(false);
    b.send({ cmd: 'quit' });
    expect(await b.exited).toBe(0);
  }, 120_000);
});
