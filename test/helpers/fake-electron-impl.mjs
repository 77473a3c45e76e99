// A recording stand-in for the `electron` module, so the BUILT main bundle (dist-electron/main.cjs) can
// boot under plain Node on a machine without a display or the Electron binary:
//
//   node --import ./test/helpers/fake-electron.mjs dist-electron/main.cjs
//
// Everything main asks of Electron is answered the way Electron answers it (a hidden window that becomes
// ready after loadFile, a dialog that returns the index of a button, a single-instance lock held across
// processes, before-quit that can be cancelled, app.exit that ends the process) and written as one JSON
// line per call to $FAKE_ELECTRON_LOG, which the boot test reads (test/integration/electron-boot.test.ts).
//
// Driven by the environment:
//   FAKE_ELECTRON_LOG           where the records go (required)
//   FAKE_ELECTRON_USER_DATA     app.getPath('userData')
//   FAKE_ELECTRON_LOCK          a file path: the single-instance lock (a Unix socket beside it relays argv)
//   FAKE_ELECTRON_DIALOG        JSON array of button labels, answered in order by showMessageBox; when they run
//                               out the cancel button (Quit) is chosen, as Escape would
//   FAKE_ELECTRON_OPEN_DIALOG   the folder showOpenDialog returns (else it is cancelled)
//   FAKE_ELECTRON_KEYRING       `none`: safeStorage unavailable; `basic_text`: Linux without a keyring
// and by messages on the IPC channel when the test spawned it with one:
//   { cmd: 'invoke', id, channel, args, frameUrl? }   calls the ipcMain handler as our window's top frame would
//   { cmd: 'quit' }                                    app.quit() (the tray's Quit, Cmd-Q)
//   { cmd: 'close-window' }                            the user closes the window
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import Module from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
const LOG = process.env.FAKE_ELECTRON_LOG;
if (!LOG) throw new Error('fake-electron: FAKE_ELECTRON_LOG is required');

/** Synchronous so a record written just before process.exit is never lost. */
function record(type, data = {}) {
  fs.appendFileSync(LOG, `${JSON.stringify({ type, t: Date.now(), ...data })}\n`);
}

// Electron keeps running when the event loop is empty; so does the fake, until app.quit/app.exit.
const keepAlive = setInterval(() => {}, 1 << 30);
// Electron logs an unhandled rejection in main and carries on (it does not crash like Node 20 would): the
// invisible-process failure this fake must be able to reproduce.
process.on('unhandledRejection', (reason) => {
  record('unhandled-rejection', { message: String(reason instanceof Error ? reason.message : reason) });
  console.error('fake-electron: unhandled rejection', reason);
});

const appPath = path.resolve(path.dirname(process.argv[1] ?? '.'), '..');
let exiting = false;
function exitProcess(code) {
  if (exiting) return;
  exiting = true;
  record('process-exit', { code });
  clearInterval(keepAlive);
  releaseLock();
  process.exit(code);
}

// ------------------------------------------------------------------ single-instance lock

const LOCK = process.env.FAKE_ELECTRON_LOCK ?? null;
let lockServer = null;
let holdsLock = false;
let pendingRelay = Promise.resolve();

function pidAlive(pid) {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

function requestSingleInstanceLock() {
  if (!LOCK) { holdsLock = true; return true; }
  const sock = `${LOCK}.sock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(LOCK, String(process.pid), { flag: 'wx' });
      holdsLock = true;
      fs.rmSync(sock, { force: true });
      lockServer = net.createServer((conn) => {
        let data = '';
        conn.on('data', (d) => { data += d; });
        conn.on('end', () => {
          const argv = JSON.parse(data || '[]');
          record('second-instance-received', { argv });
          app.emit('second-instance', { preventDefault() {} }, argv, process.cwd(), {});
        });
      });
      lockServer.listen(sock);
      lockServer.unref();
      return true;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      const owner = Number(fs.readFileSync(LOCK, 'utf8'));
      if (pidAlive(owner)) {
        // Electron hands our argv to the first instance, which gets 'second-instance'.
        pendingRelay = new Promise((resolve) => {
          const c = net.connect(sock, () => c.end(JSON.stringify(process.argv)));
          c.on('close', resolve);
          c.on('error', resolve);
        });
        return false;
      }
      fs.rmSync(LOCK, { force: true }); // a crashed owner: the OS would have released its lock
    }
  }
  return false;
}

function releaseLock() {
  if (!holdsLock || !LOCK) return;
  try { lockServer?.close(); } catch { /* closing anyway */ }
  fs.rmSync(LOCK, { force: true });
  fs.rmSync(`${LOCK}.sock`, { force: true });
  holdsLock = false;
}

// ------------------------------------------------------------------ app

class FakeApp extends EventEmitter {
  isPackaged = false;
  #ready = false;
  #readyPromise = null;
  requestSingleInstanceLock() {
    const got = requestSingleInstanceLock();
    record('app.requestSingleInstanceLock', { got });
    return got;
  }
  whenReady() {
    this.#readyPromise ??= new Promise((resolve) => setImmediate(() => {
      this.#ready = true;
      record('app.ready');
      this.emit('ready');
      resolve();
    }));
    return this.#readyPromise;
  }
  isReady() { return this.#ready; }
  getPath(name) {
    const userData = process.env.FAKE_ELECTRON_USER_DATA;
    if (name === 'userData') return userData;
    if (name === 'appData') return path.dirname(userData);
    if (name === 'temp') return process.env.TMPDIR ?? '/tmp';
    return path.join(userData, `fake-${name}`);
  }
  setPath(name, value) { record('app.setPath', { name, value }); }
  getAppPath() { return appPath; }
  getVersion() { return JSON.parse(fs.readFileSync(path.join(appPath, 'package.json'), 'utf8')).version; }
  getName() { return 'Hookscope'; }
  setAppUserModelId(id) { record('app.setAppUserModelId', { id }); }
  setBadgeCount(n) { record('app.setBadgeCount', { n }); return true; }
  relaunch() { record('app.relaunch'); }
  focus() { record('app.focus'); }
  quit() {
    record('app.quit');
    // Electron quits on the next turn, after the lock's argv reached the first instance.
    void pendingRelay.then(() => setImmediate(() => {
      let prevented = false;
      this.emit('before-quit', { preventDefault() { prevented = true; } });
      if (prevented) { record('app.quit-cancelled'); return; }
      for (const w of [...windows]) w.destroy();
      this.emit('will-quit', { preventDefault() {} });
      this.emit('quit', {}, 0);
      exitProcess(0);
    }));
  }
  exit(code = 0) {
    record('app.exit', { code });
    exitProcess(code);
  }
}
const app = new FakeApp();

// ------------------------------------------------------------------ windows

let nextContentsId = 1;
const windows = new Set();

class FakeSession {
  setPermissionRequestHandler(fn) { this.permissionRequestHandler = fn; record('session.setPermissionRequestHandler'); }
  setPermissionCheckHandler(fn) { this.permissionCheckHandler = fn; record('session.setPermissionCheckHandler'); }
}

class FakeWebContents extends EventEmitter {
  id = nextContentsId++;
  session = new FakeSession();
  #destroyed = false;
  url = '';
  setWindowOpenHandler(fn) { this.windowOpenHandler = fn; record('webContents.setWindowOpenHandler'); }
  getType() { return 'window'; }
  getURL() { return this.url; }
  isDestroyed() { return this.#destroyed; }
  destroy() { this.#destroyed = true; }
  send(channel, payload) { record('webContents.send', { id: this.id, channel, payload }); }
}

class BrowserWindow extends EventEmitter {
  static getAllWindows() { return [...windows]; }
  #destroyed = false;
  #visible = false;
  constructor(options = {}) {
    super();
    this.options = options;
    this.webContents = new FakeWebContents();
    windows.add(this);
    record('BrowserWindow.new', { id: this.webContents.id, options, preloadExists: Boolean(options.webPreferences?.preload && fs.existsSync(options.webPreferences.preload)) });
    app.emit('web-contents-created', {}, this.webContents);
  }
  loadFile(file, options = {}) {
    const exists = fs.existsSync(file);
    // Electron accepts the query with or without its '?'; recorded as the page would see it.
    const search = options.search ? `?${String(options.search).replace(/^\?/, '')}` : '';
    record('BrowserWindow.loadFile', { file, exists, search });
    if (!exists) return Promise.reject(new Error(`ERR_FILE_NOT_FOUND (-6) loading '${file}'`));
    this.webContents.url = pathToFileURL(file).href + search;
    return new Promise((resolve) => setImmediate(() => {
      this.webContents.emit('did-finish-load');
      this.emit('ready-to-show');
      resolve();
    }));
  }
  show() { this.#visible = true; record('BrowserWindow.show', { id: this.webContents.id }); }
  hide() { this.#visible = false; }
  focus() { record('BrowserWindow.focus', { id: this.webContents.id }); this.emit('focus'); }
  isVisible() { return this.#visible; }
  isFocused() { return false; }
  isMinimized() { return false; }
  restore() { record('BrowserWindow.restore'); }
  isDestroyed() { return this.#destroyed; }
  close() { this.destroy(); }
  destroy() {
    if (this.#destroyed) return;
    this.#destroyed = true;
    windows.delete(this);
    this.webContents.destroy();
    record('BrowserWindow.closed', { id: this.webContents.id });
    this.emit('closed');
    if (windows.size === 0) app.emit('window-all-closed');
  }
}

// ------------------------------------------------------------------ dialogs, shell

const dialogAnswers = JSON.parse(process.env.FAKE_ELECTRON_DIALOG ?? '[]');
const dialog = {
  showMessageBox(...args) {
    const opts = args.length > 1 ? args[1] : args[0];
    const wanted = dialogAnswers.shift();
    let response = wanted === undefined ? (opts.cancelId ?? 0) : opts.buttons.indexOf(wanted);
    if (response < 0) response = opts.cancelId ?? 0;
    record('dialog.showMessageBox', { title: opts.title, message: opts.message, detail: opts.detail, buttons: opts.buttons, response, answered: opts.buttons[response] });
    return Promise.resolve({ response, checkboxChecked: false });
  },
  showErrorBox(title, content) { record('dialog.showErrorBox', { title, content }); },
  showOpenDialog(...args) {
    const opts = args.length > 1 ? args[1] : args[0];
    const folder = process.env.FAKE_ELECTRON_OPEN_DIALOG;
    record('dialog.showOpenDialog', { title: opts?.title, answer: folder ?? null });
    return Promise.resolve(folder ? { canceled: false, filePaths: [folder] } : { canceled: true, filePaths: [] });
  },
  showSaveDialog() { record('dialog.showSaveDialog'); return Promise.resolve({ canceled: true }); },
};
const shell = {
  openExternal(url) { record('shell.openExternal', { url }); return Promise.resolve(); },
  openPath(p) { record('shell.openPath', { path: p }); return Promise.resolve(''); },
  showItemInFolder(p) { record('shell.showItemInFolder', { path: p }); },
};

// ------------------------------------------------------------------ ipcMain

const handlers = new Map();
const ipcMain = {
  handle(channel, fn) {
    if (handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    handlers.set(channel, fn);
  },
  removeHandler(channel) { handlers.delete(channel); },
  on() {},
};

async function invoke({ id, channel, args, frameUrl }) {
  const win = [...windows][0];
  const fn = handlers.get(channel);
  if (!win || !fn) { record('invoke-result', { id, channel, error: !win ? 'no window' : 'no handler' }); return; }
  const event = { sender: win.webContents, senderFrame: { url: frameUrl ?? win.webContents.url, parent: null } };
  try {
    record('invoke-result', { id, channel, value: await fn(event, args) });
  } catch (err) {
    record('invoke-result', { id, channel, error: String(err) });
  }
}

if (process.send) {
  process.on('message', (m) => {
    if (m?.cmd === 'invoke') void invoke(m);
    else if (m?.cmd === 'quit') app.quit();
    else if (m?.cmd === 'close-window') for (const w of [...windows]) w.close();
  });
  // The channel must not keep a process alive that Electron would have ended.
  process.channel?.unref();
}

// ------------------------------------------------------------------ safeStorage, notifications, tray

const keyring = process.env.FAKE_ELECTRON_KEYRING ?? 'gnome_libsecret';
// Not encryption: a reversible transform with Chromium's "v10" prefix, so the files look like the real ones.
const flip = (buf) => Buffer.from(buf.map((b) => b ^ 0x5a));
const safeStorage = {
  isEncryptionAvailable: () => keyring !== 'none',
  getSelectedStorageBackend: () => (keyring === 'none' ? 'unknown' : keyring),
  encryptString(s) { return Buffer.concat([Buffer.from('v10'), flip(Buffer.from(s, 'utf8'))]); },
  decryptString(buf) {
    if (buf.subarray(0, 3).toString() !== 'v10') throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
    return flip(buf.subarray(3)).toString('utf8');
  },
};

class Notification extends EventEmitter {
  static isSupported() { return true; }
  constructor(opts) { super(); this.opts = opts; }
  show() { record('Notification.show', { title: this.opts.title, body: this.opts.body }); }
  close() {}
}

class Tray extends EventEmitter {
  constructor() { super(); record('Tray.new'); }
  setContextMenu(menu) { record('Tray.setContextMenu', { labels: menu.map((i) => i.label ?? i.type) }); }
  setToolTip(tip) { record('Tray.setToolTip', { tip }); }
  destroy() { record('Tray.destroy'); }
}
const Menu = { buildFromTemplate: (template) => template, setApplicationMenu() {} };
const nativeImage = { createFromDataURL: () => ({ isEmpty: () => false }), createFromPath: () => ({ isEmpty: () => false }) };
const clipboard = { writeText(text) { record('clipboard.writeText', { length: text.length }); } };

// ------------------------------------------------------------------ install as `electron`

const fake = { app, BrowserWindow, dialog, shell, ipcMain, safeStorage, Notification, Tray, Menu, nativeImage, clipboard };
const FAKE_ID = path.join(appPath, 'node_modules', 'electron', '__fake_electron__.js');
const fakeModule = new Module(FAKE_ID);
fakeModule.filename = FAKE_ID;
fakeModule.loaded = true;
fakeModule.exports = fake;
Module._cache[FAKE_ID] = fakeModule;
const originalResolve = Module._resolveFilename;
Module._resolveFilename = function resolveElectron(request, ...rest) {
  return request === 'electron' ? FAKE_ID : originalResolve.call(this, request, ...rest);
};
record('fake-electron.loaded', { pid: process.pid, appPath });
