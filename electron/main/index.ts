// Hookscope's Electron main process. Reads top to bottom like the table of contents: one setupX() per
// feature; the pieces live in the sibling files. The core (electron/core) knows nothing of Electron: this
// file hands it Electron-derived values (data dir, secret store, notifier, native binding).
import { app, BrowserWindow, dialog, shell } from 'electron';
import fs from 'node:fs';
import path from 'node:path';
import { createCore } from '../core/core';
import { parseAcceptUnsigned } from '../core/setup/settings';
import type { Core } from '../core/core';
import { createConsoleLogger } from './log';
import { createMainWindow, hardenAllWebContents } from './window';
import { createPushRelay, isTrustedSender, setupIpc, type PushRelay } from './ipc';
import { createExportSaver, createRemoteExportSaver } from './export';
import { readConnectionChoice, relayRemoteNotifications, setupConnectionIpc, writeConnectionChoice, type ConnectionChoice } from './connection';
import { createRemoteClient } from '../core/remote/client';
import type { SecretStore } from '../core/types';
import { createNotifier, type DesktopNotifier } from './notifications';
import { createSecretStore } from './secrets';
import { createTray, type AppTray } from './tray';
import { resolveNativeBinding } from './native';
import { classifyBootError, moveDatabaseAside, type BootAction, type BootFailure } from './boot-failure';

const DEFAULT_RECEIVER_PORT = 4750;
const DEFAULT_RECEIVER_HOST = '127.0.0.1';
// main.cjs and preload.cjs sit side by side in dist-electron/; the renderer build in dist/renderer/.
const PRELOAD_PATH = path.join(__dirname, 'preload.cjs');
const RENDERER_FILE = path.join(__dirname, '..', 'dist', 'renderer', 'index.html');

const log = createConsoleLogger('main');
// The shell's state: the one window (or none, on macOS after closing it), where pushes go, the notifier.
let mainWindow: BrowserWindow | null = null;
let relay: PushRelay | null = null;
let notifier: DesktopNotifier | null = null;
let booted = false;
// The secret store of the data dir in use: the core's, or the one keeping a team server's token.
let secretStore: SecretStore | null = null;

if (setupSingleInstance()) void boot().catch(bootCrashed);

async function boot(): Promise<void> {
  hardenAllWebContents(app, log);
  setupPlatformIdentity();
  await app.whenReady();

  relay = setupPushRelay();
  const choice = readConnectionChoice(bootSettings().dataDir);
  if (choice.mode === 'remote' && bootRemote(choice, relay)) return;
  notifier = setupNotifications(relay);
  const core = await startCoreOrExplain();
  if (!core) return;
  const ipc = setupIpc({ core, relay, overrides: { 'export:save': createExportSaver(core, () => mainWindow) }, getWindow: () => mainWindow, rendererFile: RENDERER_FILE, logger: log });
  const connection = setupConnection({ mode: 'local' }, () => null);

  focusWindow();
  booted = true;
  const tray = setupTray(core);
  setupWindowLifecycle();
  setupCleanQuit(core, () => { ipc.dispose(); connection.dispose(); relay?.dispose(); tray?.destroy(); });
}

/**
 * Showing a team server instead of running a core: the same IPC contract, each request a round trip to
 * the server and its live stream relayed as pushes (electron/core/remote/client.ts). False when no token
 * is kept for it (then this computer's own core starts, and the choice goes back to local).
 */
function bootRemote(choice: Extract<ConnectionChoice, { mode: 'remote' }>, pushes: PushRelay): boolean {
  const dataDir = bootSettings().dataDir;
  secretStore = createSecretStore(dataDir, log);
  const token = secretStore.get('teamServerToken');
  if (!token) {
    log.warn('a team server was chosen but no token is kept for it; starting this computer\'s own core');
    writeConnectionChoice(dataDir, { mode: 'local' });
    secretStore = null;
    return false;
  }
  const remote = createRemoteClient({ url: choice.url, token, logger: createConsoleLogger('remote') });
  remote.onState((state) => pushes.push('connection:changed', { state }));
  notifier = setupNotifications(pushes);
  relayRemoteNotifications(remote, notifier);
  pushes.push('connection:changed', { state: remote.state() });
  const exportSaver = createRemoteExportSaver((q) => fetch(`${choice.url}/api/export?${q}`, { headers: { authorization: `Bearer ${token}` } }), () => mainWindow);
  const ipc = setupIpc({ core: remote, relay: pushes, overrides: { 'export:save': exportSaver }, getWindow: () => mainWindow, rendererFile: RENDERER_FILE, logger: log });
  const connection = setupConnection(choice, () => remote.state());
  remote.start();
  focusWindow();
  booted = true;
  setupWindowLifecycle();
  setupCleanQuit(remote, () => { ipc.dispose(); connection.dispose(); pushes.dispose(); });
  return true;
}

/** Settings → Team server: switching restarts the app, so one of the two is ever wired to the window. */
function setupConnection(active: ConnectionChoice, remoteState: () => 'connecting' | 'open' | 'down' | null): { dispose(): void } {
  const dataDir = bootSettings().dataDir;
  return setupConnectionIpc({
    dataDir,
    secrets: secretStore ?? createSecretStore(dataDir, log),
    active,
    remoteState,
    trusted: (event) => isTrustedSender(event, mainWindow, RENDERER_FILE),
    restart: () => { app.relaunch(); app.quit(); },
    logger: log,
  });
}

/**
 * Where the desktop app keeps its data: the same per-user folder as `npm run serve` (Electron's userData
 * for productName "Hookscope"), or HOOKSCOPE_DATA_DIR / _PORT / _HOST like serve, so a fix named in a
 * failure dialog works for both.
 */
/** HOOKSCOPE_ACCEPT_UNSIGNED for this run; a value that names no provider is logged and ignored. */
function acceptUnsignedFromEnv(): Array<'meta' | 'twilio'> {
  try { return parseAcceptUnsigned(process.env.HOOKSCOPE_ACCEPT_UNSIGNED); } catch (err) {
    log.warn('HOOKSCOPE_ACCEPT_UNSIGNED ignored', { error: (err as Error).message });
    return [];
  }
}

function bootSettings(): { dataDir: string; port: number; host: string } {
  const envPort = Number(process.env.HOOKSCOPE_PORT);
  return {
    dataDir: process.env.HOOKSCOPE_DATA_DIR?.trim() || app.getPath('userData'),
    port: process.env.HOOKSCOPE_PORT && Number.isInteger(envPort) && envPort >= 0 && envPort <= 65535 ? envPort : DEFAULT_RECEIVER_PORT,
    host: process.env.HOOKSCOPE_HOST?.trim() || DEFAULT_RECEIVER_HOST,
  };
}

/**
 * Creates and starts the core. When that fails the user gets a dialog naming the cause with the fixes as
 * buttons (electron/main/boot-failure.ts); a fix that can be applied here (move a damaged database aside,
 * pick another folder, try again) starts over, anything else exits 1 — a failed boot never leaves an
 * invisible process holding the single-instance lock. Returns null when the app is exiting.
 */
async function startCoreOrExplain(): Promise<Core | null> {
  const settings = bootSettings();
  let dataDir = settings.dataDir;
  for (;;) {
    let core: Core | null = null;
    try {
      core = createCore({
        dataDir,
        receiverPort: settings.port,
        receiverHost: settings.host,
        mode: 'desktop',
        version: app.getVersion(),
        logger: createConsoleLogger('core'),
        secretStore: (secretStore = createSecretStore(dataDir, log)),
        notifier: notifier ?? undefined,
        nativeBinding: setupNativeBinding(),
        // HOOKSCOPE_ACCEPT_UNSIGNED=meta,twilio works for the desktop app too (like serve's variable).
        env: { acceptUnsigned: acceptUnsignedFromEnv() },
      });
      await core.start();
      return core;
    } catch (err) {
      if (core) await core.stop().catch(() => undefined);
      const failure = classifyBootError(err, { dataDir, port: settings.port, host: settings.host, isPackaged: app.isPackaged, releasesUrl: releasesUrl() });
      log.error('could not start', { kind: failure.kind, dataDir, error: failure.technical });
      const action = await askHowToRecover(failure);
      log.info('boot failure answered', { kind: failure.kind, action });
      if (action === 'retry') continue;
      if (action === 'move-db-aside') {
        try {
          const movedTo = moveDatabaseAside(dataDir);
          log.warn('damaged database moved aside; starting with an empty one', { movedTo });
          continue;
        } catch (moveErr) {
          return exitWithError('The damaged database could not be moved aside.', `${String(moveErr)}\n\nNothing was deleted. Move ${dataDir} yourself, then start Hookscope again.`);
        }
      }
      if (action === 'choose-data-dir') {
        const picked = await dialog.showOpenDialog({ title: 'Choose a folder for Hookscope\'s data', properties: ['openDirectory', 'createDirectory'] });
        if (!picked.canceled && picked.filePaths[0]) dataDir = picked.filePaths[0];
        continue;
      }
      const releases = releasesUrl();
      if (action === 'get-update' && releases) await openQuietly(() => shell.openExternal(releases));
      if (action === 'open-data-dir') await openQuietly(() => shell.openPath(dataDir));
      app.exit(1);
      return null;
    }
  }
}

async function askHowToRecover(failure: BootFailure): Promise<BootAction> {
  const labels = failure.actions.map((a) => a.label);
  const { response } = await dialog.showMessageBox({
    type: 'error',
    title: 'Hookscope could not start',
    message: failure.cause,
    detail: `${failure.fix}\n\nDetails: ${failure.technical}`,
    buttons: labels,
    defaultId: 0,
    cancelId: labels.length - 1,
    noLink: true,
  });
  return failure.actions[response]?.action ?? 'quit';
}

function exitWithError(title: string, detail: string): null {
  log.error(title, { detail });
  dialog.showErrorBox(title, detail);
  app.exit(1);
  return null;
}

/** Anything boot did not expect still ends in a dialog and exit 1, never in a silent background process. */
function bootCrashed(err: unknown): void {
  const message = err instanceof Error ? err.stack ?? err.message : String(err);
  exitWithError('Hookscope could not start', `${message}\n\nRun Hookscope from a terminal to see the full log.`);
}

async function openQuietly(open: () => Promise<unknown>): Promise<void> {
  try { await open(); } catch (err) { log.warn('could not open', { error: String(err) }); }
}

/** The project's releases page, from package.json `homepage` (https only); null when the build names none. */
function releasesUrl(): string | null {
  const homepage = readPackageField(path.join(app.getAppPath(), 'package.json'), 'homepage');
  return homepage && /^https:\/\//.test(homepage) ? `${homepage.replace(/\/+$/, '')}/releases` : null;
}

/** A second launch focuses the running app instead of fighting it for the receiver port and database. */
function setupSingleInstance(): boolean {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return false;
  }
  // Ignored until boot has shown the first window (the core may still be starting).
  app.on('second-instance', () => { if (booted) focusWindow(); });
  return true;
}

/** Windows groups notifications and the taskbar by this id; it must match electron-builder's appId. */
function setupPlatformIdentity(): void {
  if (process.platform === 'win32') app.setAppUserModelId('io.hookscope.app');
}

function setupNativeBinding(): string | undefined {
  const file = resolveNativeBinding({
    isPackaged: app.isPackaged,
    appPath: app.getAppPath(),
    electronVersion: process.versions.electron ?? '',
    betterSqliteVersion: readPackageVersion(path.join(app.getAppPath(), 'node_modules', 'better-sqlite3', 'package.json')),
    platform: process.platform,
    arch: process.arch,
    exists: fs.existsSync,
  });
  if (!app.isPackaged && !file) {
    log.warn('no better-sqlite3 build for this Electron found; run `npm start` (it builds one) rather than `electron .`');
  }
  return file;
}

function setupPushRelay(): PushRelay {
  return createPushRelay({ getTarget: () => (mainWindow && !mainWindow.isDestroyed() ? mainWindow.webContents : null) });
}

function setupNotifications(pushes: PushRelay): DesktopNotifier {
  return createNotifier({
    focusWindow,
    isWindowFocused: () => Boolean(mainWindow && !mainWindow.isDestroyed() && mainWindow.isFocused()),
    // The renderer selects the event; if the window was just re-created this is held until it is ready.
    onClick: (click) => pushes.push('notifications:clicked', click),
    logger: log,
  });
}

/** Shows, restores and focuses the one window, creating it if it was closed (macOS keeps running). */
function focusWindow(): BrowserWindow {
  if (!mainWindow || mainWindow.isDestroyed()) {
    const win = createMainWindow({ preloadPath: PRELOAD_PATH, rendererFile: RENDERER_FILE, logger: log });
    mainWindow = win;
    // A reload or navigation gives us a fresh renderer that has not subscribed yet: hold pushes again.
    win.webContents.on('did-navigate', () => relay?.resetReady());
    win.webContents.on('render-process-gone', (_e, details) => {
      log.error('renderer process gone', { reason: details.reason });
      relay?.resetReady();
    });
    win.on('focus', () => notifier?.clearBadge());
    win.on('closed', () => {
      if (mainWindow === win) mainWindow = null;
      // A future window pulls fresh state with requests; held pushes would only duplicate it.
      relay?.resetReady();
      relay?.clear();
    });
    return win;
  }
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.show();
  mainWindow.focus();
  return mainWindow;
}

function setupTray(core: Core): AppTray | null {
  const tray = createTray({
    receiver: core.receiverInfo(),
    tunnel: null,
    showWindow: () => { focusWindow(); },
    quit: () => app.quit(),
    logger: log,
  });
  if (tray) {
    core.on('tunnel:changed', (tunnel) => tray.update({ tunnel }));
    void Promise.resolve(core.handlers['tunnel:get'](undefined)).then((tunnel) => tray.update({ tunnel }), () => undefined);
  }
  return tray;
}

function setupWindowLifecycle(): void {
  // macOS convention: the app (and the receiver) keeps running with no window; the dock icon reopens it.
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => { focusWindow(); });
}

/**
 * Quit = stop accepting webhooks, finish what was accepted, close the database, then exit. before-quit is
 * cancelled once so the async stop can run; a stuck stop cannot keep the app alive past a few seconds.
 */
function setupCleanQuit(core: { stop(): Promise<void> }, disposeShell: () => void): void {
  let stopping = false;
  app.on('before-quit', (event) => {
    event.preventDefault();
    if (stopping) return;
    stopping = true;
    const deadline = setTimeout(() => {
      log.error('core did not stop within 8 s; exiting anyway');
      app.exit(1);
    }, 8000);
    core.stop()
      .catch((err: unknown) => log.error('core stop failed', { error: String(err) }))
      .finally(() => {
        clearTimeout(deadline);
        disposeShell();
        app.exit(0);
      });
  });
}

function readPackageVersion(file: string): string | null {
  return readPackageField(file, 'version');
}

function readPackageField(file: string, field: string): string | null {
  try {
    const v: unknown = JSON.parse(fs.readFileSync(file, 'utf8'))[field];
    return typeof v === 'string' ? v : null;
  } catch {
    return null;
  }
}
