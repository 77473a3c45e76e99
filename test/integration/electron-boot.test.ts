// The desktop app's start-up, end to end without a display: the BUILT main bundle (dist-electron/main.cjs,
// from `npm run build`, which `npm test` runs first) in a child Node process, with `electron` replaced by
// the recording fake in test/helpers/fake-electron-impl.mjs. Real SQLite file, real receiver on port 0,
// real preload and renderer files; only Electron's own objects are stand-ins.
import { afterEach, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { openStoreFile } from '../helpers/store-file';

const ROOT = resolve(__dirname, '../..');
const MAIN = join(ROOT, 'dist-electron', 'main.cjs');
const FAKE = join(ROOT, 'test', 'helpers', 'fake-electron.mjs');

interface Rec { type: string; [k: string]: unknown }

interface Boot {
  child: ChildProcess;
  dir: string;
  userData: string;
  records(): Rec[];
  find(type: string, pred?: (r: Rec) => boolean): Rec | undefined;
  waitFor(type: string, pred?: (r: Rec) => boolean): Promise<Rec>;
  exited: Promise<number | null>;
  output(): string;
  invoke<T = unknown>(channel: string, args?: unknown, frameUrl?: string): Promise<{ ok: boolean; value?: T; error?: { code: string } }>;
  send(msg: object): void;
}

const running: ChildProcess[] = [];
afterEach(() => {
  for (const c of running.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

function boot(opts: { dir?: string; userData?: string; env?: Record<string, string>; lock?: string; args?: string[] } = {}): Boot {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'hookscope-boot-'));
  const userData = opts.userData ?? join(dir, 'Hookscope');
  const log = join(dir, `records-${running.length}-${Date.now()}.jsonl`);
  const child = spawn(process.execPath, ['--import', pathToFileURL(FAKE).href, MAIN, ...(opts.args ?? [])], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '', HOME: dir,
      FAKE_ELECTRON_LOG: log, FAKE_ELECTRON_USER_DATA: userData,
      ...(opts.lock ? { FAKE_ELECTRON_LOCK: opts.lock } : {}),
      HOOKSCOPE_PORT: '0',
      // Unsigned webhooks accepted (a provider without a secret is closed by default; docs/api.md "Trust boundary").
      HOOKSCOPE_ACCEPT_UNSIGNED: 'meta,twilio',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  running.push(child);
  let out = '';
  child.stdout!.on('data', (d) => { out += d; });
  child.stderr!.on('data', (d) => { out += d; });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const records = (): Rec[] => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Rec) : []);
  const find = (type: string, pred: (r: Rec) => boolean = () => true) => records().find((r) => r.type === type && pred(r));
  let ended = false;
  void exited.then(() => { ended = true; });
  const waitFor = async (type: string, pred?: (r: Rec) => boolean) => {
    for (;;) {
      const hit = find(type, pred);
      if (hit) return hit;
      if (ended) throw new Error(`the app exited before "${type}":\n${out}\n${JSON.stringify(records(), null, 1).slice(0, 4000)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  let nextId = 1;
  return {
    child, dir, userData, records, find, waitFor, exited, output: () => out,
    send: (msg) => child.send(msg),
    async invoke(channel, args, frameUrl) {
      const id = nextId++;
      child.send({ cmd: 'invoke', id, channel, args, frameUrl });
      const r = await waitFor('invoke-result', (x) => x.id === id);
      if (r.error) throw new Error(String(r.error));
      return r.value as never;
    },
  };
}

/** A Meta webhook of one incoming text message, written here from Meta's documented shape. */
function metaMessage(text: string): string {
  return JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: '102290129340398', changes: [{ field: 'messages', value: {
    messaging_product: 'whatsapp', metadata: { display_phone_number: '15550001111', phone_number_id: '106540352242922' },
    contacts: [{ profile: { name: 'Ana' }, wa_id: '5511987654321' }],
    messages: [{ from: '5511987654321', id: `wamid.boot-${text}`, timestamp: '1733000000', type: 'text', text: { body: text } }],
  } }] }] });
}

async function receiverUrl(b: Boot): Promise<string> {
  const info = await b.invoke<{ receiver: { url: string } }>('app:info');
  expect(info.ok).toBe(true);
  return info.value!.receiver.url;
}

function dialogs(b: Boot) {
  return b.records().filter((r) => r.type === 'dialog.showMessageBox' || r.type === 'dialog.showErrorBox');
}

describe('desktop boot (built main bundle, fake electron)', { timeout: 90_000 }, () => {
  it('happy path: hardened hidden window shown on ready, receiver stores a webhook in userData and pushes it to the window', async () => {
    const b = boot();
    const win = await b.waitFor('BrowserWindow.new');
    const options = win.options as { show: boolean; webPreferences: Record<string, unknown> };
    expect(options.show).toBe(false);
    expect(options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true });
    expect(win.preloadExists).toBe(true);
    const load = await b.waitFor('BrowserWindow.loadFile');
    expect(load).toMatchObject({ file: join(ROOT, 'dist', 'renderer', 'index.html'), exists: true });
    await b.waitFor('BrowserWindow.show');
    expect(b.find('session.setPermissionRequestHandler')).toBeTruthy();
    expect(dialogs(b)).toEqual([]);

    // The renderer subscribes, then a webhook arrives: it is stored, answered 200, and pushed.
    expect((await b.invoke('renderer:ready')).ok).toBe(true);
    const url = await receiverUrl(b);
    const r = await fetch(`${url}/meta`, { method: 'POST', body: metaMessage('hello from boot'), headers: { 'content-type': 'application/json' } });
    expect(r.status).toBe(200);
    const push = await b.waitFor('webContents.send', (x) => x.channel === 'events:appended');
    expect((push.payload as { text: string }[])[0].text).toBe('hello from boot');
    expect(existsSync(join(b.userData, 'hookscope.db'))).toBe(true);

    // Only our renderer page may call: another page in the same window is refused.
    const foreign = await b.invoke('events:list', {}, 'https://evil.example/');
    expect(foreign).toMatchObject({ ok: false, error: { code: 'FORBIDDEN_SENDER' } });
    const list = await b.invoke<{ total: number }>('events:list', {});
    expect(list.value!.total).toBe(1);
  });

  it('quits cleanly: before-quit waits for the core, the database is closed (WAL folded back), exit 0', async () => {
    const b = boot();
    await b.waitFor('BrowserWindow.show');
    const url = await receiverUrl(b);
    expect((await fetch(`${url}/meta`, { method: 'POST', body: metaMessage('kept'), headers: { 'content-type': 'application/json' } })).status).toBe(200);
    b.send({ cmd: 'quit' });
    expect(await b.exited).toBe(0);
    expect(b.find('app.quit-cancelled')).toBeTruthy(); // main held the quit until the core had stopped
    expect(b.find('Tray.destroy')).toBeTruthy();
    expect(existsSync(join(b.userData, 'hookscope.db-wal'))).toBe(false);
    const db = openStoreFile(b.userData, { readonly: true });
    try {
      expect((db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n).toBe(1);
    } finally { db.close(); }
  });

  it('secrets: the desktop stores keychain ciphertext marked as such, and serve over the same data dir refuses clearly', async () => {
    const b = boot();
    await b.waitFor('BrowserWindow.show');
    const r = await b.invoke<{ secrets: { metaAppSecret: { set: boolean } }; secretStorage: { kind: string; persistent: boolean } }>(
      'settings:update', { metaAppSecret: 'desk-app-secret-123' });
    expect(r.value).toMatchObject({ secrets: { metaAppSecret: { set: true } }, secretStorage: { kind: 'keychain', persistent: true } });
    const text = readFileSync(join(b.userData, 'secrets.json'), 'utf8');
    expect(text).not.toContain('desk-app-secret-123');
    expect(JSON.parse(text)).toMatchObject({ format: 'hookscope-secrets/1', secrets: { metaAppSecret: { encoding: 'electron-safestorage' } } });
    b.send({ cmd: 'quit' });
    expect(await b.exited).toBe(0);

    const serve = spawnSync(process.execPath, [join(ROOT, 'dist-electron', 'headless.mjs'), '--data-dir', b.userData, '--port', '0', '--ui-port', '0'],
      { env: { PATH: process.env.PATH ?? '', HOME: b.dir }, encoding: 'utf8', timeout: 20_000 });
    expect(serve.status).toBe(1);
    expect(serve.stderr).toMatch(/Meta app secret .*saved by the Hookscope desktop app.*Set META_APP_SECRET/);
    expect(serve.stderr + serve.stdout).not.toContain('desk-app-secret-123');
  });

  it('no keychain: the settings say secrets will not survive a restart, and the plain-file choice persists them', async () => {
    const b = boot({ env: { FAKE_ELECTRON_KEYRING: 'basic_text' } });
    await b.waitFor('BrowserWindow.show');
    const view = await b.invoke<{ secretStorage: { kind: string; persistent: boolean; canChoosePlainFile: boolean } }>('settings:get');
    expect(view.value!.secretStorage).toMatchObject({ kind: 'memory', persistent: false, canChoosePlainFile: true });
    await b.invoke('settings:update', { metaVerifyToken: 'memory-only-token' });
    expect(existsSync(join(b.userData, 'secrets.json'))).toBe(false);
    const chosen = await b.invoke<{ secretStorage: { kind: string; persistent: boolean } }>('settings:update', { secretStorage: 'plain-file' });
    expect(chosen.value!.secretStorage).toMatchObject({ kind: 'file', persistent: true });
    expect(JSON.parse(readFileSync(join(b.userData, 'secrets.json'), 'utf8'))).toMatchObject({ plainAllowed: true, secrets: { metaVerifyToken: { encoding: 'plain' } } });
    b.send({ cmd: 'quit' });
    expect(await b.exited).toBe(0);
  });

  it('corrupt database: a dialog names the cause and the fix, the file is left as it was, exit 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookscope-boot-'));
    const userData = join(dir, 'Hookscope');
    mkdirSync(userData);
    const garbage = Buffer.from('this is not an SQLite database '.repeat(200));
    writeFileSync(join(userData, 'hookscope.db'), garbage);
    const b = boot({ dir, userData, env: { FAKE_ELECTRON_DIALOG: JSON.stringify(['Quit']) } });
    expect(await b.exited).toBe(1);
    const [d] = dialogs(b);
    expect(d.message).toMatch(/database is damaged/);
    expect(d.detail).toMatch(/Move it aside/);
    expect(d.buttons).toContain('Move it aside and start fresh');
    expect(readFileSync(join(userData, 'hookscope.db')).equals(garbage)).toBe(true);
    expect(b.find('BrowserWindow.new')).toBeUndefined();
  });

  it('corrupt database, "move it aside": the damaged file is kept under a new name and the app starts fresh', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookscope-boot-'));
    const userData = join(dir, 'Hookscope');
    mkdirSync(userData);
    const garbage = Buffer.from('still not a database '.repeat(300));
    writeFileSync(join(userData, 'hookscope.db'), garbage);
    const b = boot({ dir, userData, env: { FAKE_ELECTRON_DIALOG: JSON.stringify(['Move it aside and start fresh']) } });
    await b.waitFor('BrowserWindow.show');
    const moved = readdirSync(userData).filter((f) => f.startsWith('hookscope.db.damaged-'));
    expect(moved).toHaveLength(1);
    expect(readFileSync(join(userData, moved[0])).equals(garbage)).toBe(true);
    const url = await receiverUrl(b);
    expect((await fetch(`${url}/meta`, { method: 'POST', body: metaMessage('fresh'), headers: { 'content-type': 'application/json' } })).status).toBe(200);
    b.send({ cmd: 'quit' });
    expect(await b.exited).toBe(0);
  });

  it('database from a newer version: dialog says update, nothing is changed, exit 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookscope-boot-'));
    const userData = join(dir, 'Hookscope');
    mkdirSync(userData);
    const db = openStoreFile(userData);
    db.pragma('user_version = 999');
    db.exec('CREATE TABLE future (x)');
    db.close();
    const b = boot({ dir, userData, env: { FAKE_ELECTRON_DIALOG: JSON.stringify(['Get the latest version']) } });
    expect(await b.exited).toBe(1);
    const [d] = dialogs(b);
    expect(d.message).toMatch(/newer version of Hookscope/);
    expect(d.detail).toMatch(/Update Hookscope to the latest version/);
    // This build's package.json names no homepage: no button leads to a made-up page, nothing is opened.
    expect(d.buttons).not.toContain('Get the latest version');
    expect(b.find('shell.openExternal')).toBeUndefined();
    const after = openStoreFile(userData, { readonly: true });
    try {
      expect(after.pragma('user_version', { simple: true })).toBe(999);
    } finally { after.close(); }
  });

  it('receiver port busy: dialog names the port and what to do, exit 1', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    try {
      const b = boot({ env: { HOOKSCOPE_PORT: String(port) } });
      expect(await b.exited).toBe(1);
      const [d] = dialogs(b);
      expect(d.message).toContain(`Port ${port}`);
      expect(d.detail).toMatch(/HOOKSCOPE_PORT/);
      expect(b.find('BrowserWindow.new')).toBeUndefined();
    } finally {
      blocker.close();
    }
  });

  it('data folder not writable: dialog offers another folder, and the chosen one is used', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookscope-boot-'));
    writeFileSync(join(dir, 'a-file'), 'x');
    const other = join(dir, 'elsewhere');
    const b = boot({ dir, userData: join(dir, 'a-file', 'Hookscope'), env: {
      FAKE_ELECTRON_DIALOG: JSON.stringify(['Choose another data folder…']), FAKE_ELECTRON_OPEN_DIALOG: other,
    } });
    await b.waitFor('BrowserWindow.show');
    const [d] = dialogs(b);
    expect(d.message).toMatch(/cannot write to its data folder/);
    expect(existsSync(join(other, 'hookscope.db'))).toBe(true);
    b.send({ cmd: 'quit' });
    expect(await b.exited).toBe(0);
  });

  it('second instance: quits without touching the database and the first one shows its window', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookscope-boot-'));
    const lock = join(dir, 'single-instance.lock');
    const first = boot({ dir, lock });
    await first.waitFor('BrowserWindow.show');
    const shownBefore = first.records().filter((r) => r.type === 'BrowserWindow.show').length;

    const second = boot({ dir, lock, userData: first.userData });
    expect(await second.exited).toBe(0);
    expect(second.find('app.requestSingleInstanceLock')?.got).toBe(false);
    expect(second.find('BrowserWindow.new')).toBeUndefined();
    expect(dialogs(second)).toEqual([]);

    await first.waitFor('second-instance-received');
    await first.waitFor('BrowserWindow.focus');
    expect(first.records().filter((r) => r.type === 'BrowserWindow.show').length).toBeGreaterThan(shownBefore);
    first.send({ cmd: 'quit' });
    expect(await first.exited).toBe(0);
  });

  it('hookscope:// links: a launch opens its window on the link, and a link sent to the running app reloads it there — twice', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookscope-boot-'));
    const lock = join(dir, 'single-instance.lock');
    const renderer = join(ROOT, 'dist', 'renderer', 'index.html');
    // Launched by the OS for a link: the first page load carries its query (the token never does).
    const first = boot({ dir, lock, args: ['hookscope://open/?event=12&tab=raw&token=leaked'] });
    await first.waitFor('BrowserWindow.show');
    expect(first.records().filter((r) => r.type === 'BrowserWindow.loadFile').map((r) => r.search)).toEqual(['?event=12&tab=raw']);

    // Links handed over by later launches (Windows and Linux): the running window loads each, once.
    const links = [['hookscope://open/?savedView=3', '?savedView=3'], ['http://127.0.0.1:5174/?status=failed&event=7&token=t', '?status=failed&event=7']];
    for (const [link, search] of links) {
      const second = boot({ dir, lock, userData: first.userData, args: [link] });
      expect(await second.exited).toBe(0);
      expect(second.find('BrowserWindow.new')).toBeUndefined();
      await first.waitFor('BrowserWindow.loadFile', (r) => r.search === search);
      expect(first.records().filter((r) => r.type === 'BrowserWindow.loadFile' && r.search === search)).toHaveLength(1);
    }
    // A launch without a link only shows the window: no reload.
    const loads = first.records().filter((r) => r.type === 'BrowserWindow.loadFile').length;
    const plain = boot({ dir, lock, userData: first.userData });
    expect(await plain.exited).toBe(0);
    await expect.poll(() => first.records().filter((r) => r.type === 'second-instance-received').length).toBe(3);
    await first.waitFor('BrowserWindow.focus');
    expect(first.records().filter((r) => r.type === 'BrowserWindow.loadFile').length).toBe(loads);
    expect(first.records().filter((r) => r.type === 'BrowserWindow.loadFile').every((r) => r.file === renderer)).toBe(true);
    expect(dialogs(first)).toEqual([]);
    first.send({ cmd: 'quit' });
    expect(await first.exited).toBe(0);
  });
});
