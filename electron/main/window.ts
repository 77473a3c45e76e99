// The one window factory. Every security-relevant webPreference is spelled out (not left to defaults) so a
// future Electron default change or a careless edit shows up in review and in test/unit/electron-window.test.ts.
import { BrowserWindow, shell, type App, type Session, type WebContents } from 'electron';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Logger } from '../core/types';

export interface WindowOptions {
  preloadPath: string;
  /** Absolute path of dist/renderer/index.html */
  rendererFile: string;
  /** The page's query when opened from a link (`?event=12&tab=raw`; electron/main/deep-link.ts). */
  search?: string;
  logger: Logger;
}

/** Only plain https links leave the app, and only to the user's browser; never file:, javascript:, custom schemes. */
export function isSafeExternalUrl(raw: unknown): boolean {
  if (typeof raw !== 'string' || raw.length > 2048) return false;
  let url: URL;
  try { url = new URL(raw); } catch { return false; }
  // Credentials in the URL are a phishing tell ("https://meta.com@evil.example"); refuse them.
  return url.protocol === 'https:' && url.hostname !== '' && url.username === '' && url.password === '';
}

/**
 * True when `raw` is our renderer page (any hash or query: the renderer may route by hash). Compared as
 * file paths, not URL strings: Chromium and Node escape differently (Chromium leaves `[` `]` as they are,
 * Node's pathToFileURL writes %5B %5D), and an install path with brackets refused every IPC call.
 */
export function isRendererUrl(raw: string | undefined | null, rendererFile: string, platform: NodeJS.Platform = process.platform): boolean {
  if (!raw) return false;
  let url: URL;
  try { url = new URL(raw); } catch { return false; }
  if (url.protocol !== 'file:') return false;
  const expected = pathToFileURL(rendererFile);
  if (url.host !== expected.host) return false;
  let actual: string;
  try { actual = path.resolve(fileURLToPath(url)); } catch { return false; }
  const wanted = path.resolve(rendererFile);
  // Windows and macOS file systems are case-insensitive by default; Chromium may normalise the drive letter.
  return platform === 'linux' ? actual === wanted : actual.toLowerCase() === wanted.toLowerCase();
}

export function createMainWindow(opts: WindowOptions): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 760,
    minHeight: 480,
    show: false,
    title: 'Hookscope',
    backgroundColor: '#111418',
    webPreferences: {
      preload: opts.preloadPath,
      // The renderer shows hostile text (webhook payloads); if it were ever tricked into running script,
      // these keep that script away from Node and from the preload's scope.
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      safeDialogs: true,
    },
  });

  lockDownWebContents(win.webContents, opts.logger);
  denyPermissions(win.webContents.session);

  win.once('ready-to-show', () => win.show());
  void win.loadFile(opts.rendererFile, opts.search ? { search: opts.search } : undefined).catch((err: unknown) => {
    opts.logger.error('renderer failed to load', { file: opts.rendererFile, error: String(err) });
  });
  return win;
}

/** Window-open and navigation rules; applied to our window and, by hardenAllWebContents, to any other. */
const lockedDown = new WeakSet<WebContents>();

export function lockDownWebContents(contents: WebContents, logger: Logger): void {
  // Idempotent: 'web-contents-created' and createMainWindow both reach our window; one set of listeners.
  if (lockedDown.has(contents)) return;
  lockedDown.add(contents);
  // No second windows, ever: a link with target=_blank opens in the user's browser if it is a safe https URL.
  contents.setWindowOpenHandler(({ url }) => {
    openExternalIfSafe(url, logger);
    return { action: 'deny' };
  });
  // The window only ever shows our file:// page. A navigation away (a clicked link, a payload that
  // somehow sets location) is cancelled; https links go to the browser instead.
  contents.on('will-navigate', (event) => {
    event.preventDefault();
    openExternalIfSafe(event.url, logger);
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

/** The app needs no web permission (notifications are shown by main, not by the page). */
export function denyPermissions(session: Session): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}

/** Defence in depth: any webContents created later (devtools aside) gets the same rules. */
export function hardenAllWebContents(app: App, logger: Logger): void {
  app.on('web-contents-created', (_event, contents) => {
    if (contents.getType() === 'window' || contents.getType() === 'webview') lockDownWebContents(contents, logger);
  });
}

function openExternalIfSafe(url: string, logger: Logger): void {
  if (isSafeExternalUrl(url)) {
    void shell.openExternal(url).catch((err: unknown) => logger.warn('could not open link', { error: String(err) }));
  } else {
    logger.warn('blocked navigation or window.open', { url: url.slice(0, 200) });
  }
}
