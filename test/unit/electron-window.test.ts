// The window factory's security settings, with Electron replaced by fakes (the binary cannot run here).
import { beforeEach, describe, expect, it, vi } from 'vitest';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const h = vi.hoisted(() => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- listeners of every event shape
  type Listener = (...args: any[]) => void;
  class FakeEmitter {
    listeners = new Map<string, Listener[]>();
    on(event: string, fn: Listener) { this.listeners.set(event, [...(this.listeners.get(event) ?? []), fn]); return this; }
    once(event: string, fn: Listener) { return this.on(event, fn); }
    emit(event: string, ...args: unknown[]) { for (const fn of this.listeners.get(event) ?? []) fn(...args); }
    count(event: string) { return this.listeners.get(event)?.length ?? 0; }
  }
  class FakeSession {
    requestHandler: ((wc: unknown, permission: string, cb: (granted: boolean) => void, details?: unknown) => void) | null = null;
    checkHandler: ((...a: unknown[]) => boolean) | null = null;
    setPermissionRequestHandler(fn: FakeSession['requestHandler']) { this.requestHandler = fn; }
    setPermissionCheckHandler(fn: FakeSession['checkHandler']) { this.checkHandler = fn; }
  }
  class FakeWebContents extends FakeEmitter {
    session = new FakeSession();
    windowOpenHandler: ((d: { url: string }) => { action: string }) | null = null;
    setWindowOpenHandler(fn: FakeWebContents['windowOpenHandler']) { this.windowOpenHandler = fn; }
    getType() { return 'window'; }
  }
  const windows: FakeBrowserWindow[] = [];
  class FakeBrowserWindow extends FakeEmitter {
    webContents = new FakeWebContents();
    loadedFile: string | null = null;
    show = vi.fn();
    constructor(public options: { show?: boolean; webPreferences: Record<string, unknown> }) { super(); windows.push(this); }
    loadFile(file: string) { this.loadedFile = file; return Promise.resolve(); }
  }
  const openExternal = vi.fn((_url: string) => Promise.resolve());
  return { windows, FakeBrowserWindow, FakeWebContents, FakeEmitter, openExternal };
});

vi.mock('electron', () => ({ BrowserWindow: h.FakeBrowserWindow, shell: { openExternal: h.openExternal } }));

import { createMainWindow, hardenAllWebContents, isRendererUrl, isSafeExternalUrl } from '../../electron/main/window';
import { silentLogger } from '../../electron/core/types';

const preloadPath = path.resolve('dist-electron/preload.cjs');
const rendererFile = path.resolve('dist/renderer/index.html');

function makeWindow() {
  createMainWindow({ preloadPath, rendererFile, logger: silentLogger });
  return h.windows[h.windows.length - 1];
}

beforeEach(() => { h.openExternal.mockClear(); });

describe('window factory', () => {
  it('locks webPreferences: isolated, sandboxed, no Node, our preload', () => {
    const win = makeWindow();
    const prefs = win.options.webPreferences;
    expect(prefs).toMatchObject({
      contextIsolation: true, sandbox: true, nodeIntegration: false, nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false, webSecurity: true, allowRunningInsecureContent: false, webviewTag: false,
    });
    expect(prefs.preload).toBe(preloadPath);
    expect(win.loadedFile).toBe(rendererFile);
    expect(win.options.show).toBe(false);
    win.emit('ready-to-show');
    expect(win.show).toHaveBeenCalled();
  });

  it('denies window.open; a safe https URL goes to the browser instead', () => {
    const win = makeWindow();
    const open = win.webContents.windowOpenHandler!;
    expect(open({ url: 'https://developers.facebook.com/docs/whatsapp' })).toEqual({ action: 'deny' });
    expect(h.openExternal).toHaveBeenCalledWith('https://developers.facebook.com/docs/whatsapp');
  });

  it.each([
    'http://example.com', 'file:///etc/passwd', 'javascript:alert(1)', 'https://meta.com@evil.example/',
    'smb://host/share', 'not a url', `https://x.example/${'a'.repeat(3000)}`,
  ])('window.open of %s is denied and not opened anywhere', (url) => {
    const win = makeWindow();
    expect(win.webContents.windowOpenHandler!({ url })).toEqual({ action: 'deny' });
    expect(h.openExternal).not.toHaveBeenCalled();
  });

  it('blocks navigation away from the renderer', () => {
    const win = makeWindow();
    for (const url of ['https://evil.example/', 'file:///etc/passwd', pathToFileURL(rendererFile).href + '?x']) {
      const event = { url, preventDefault: vi.fn() };
      win.webContents.emit('will-navigate', event, url);
      expect(event.preventDefault).toHaveBeenCalled();
    }
    // Only the https one was handed to the browser.
    expect(h.openExternal).toHaveBeenCalledTimes(1);
    expect(h.openExternal).toHaveBeenCalledWith('https://evil.example/');
  });

  it('refuses <webview> attachment', () => {
    const win = makeWindow();
    const event = { preventDefault: vi.fn() };
    win.webContents.emit('will-attach-webview', event, {}, {});
    expect(event.preventDefault).toHaveBeenCalled();
  });

  it('denies every permission request and check, notifications included', () => {
    const win = makeWindow();
    const { requestHandler, checkHandler } = win.webContents.session;
    for (const permission of ['notifications', 'media', 'geolocation', 'clipboard-read', 'openExternal']) {
      const cb = vi.fn();
      requestHandler!(win.webContents, permission, cb, {});
      expect(cb).toHaveBeenCalledWith(false);
      expect(checkHandler!(win.webContents, permission, 'file://', {})).toBe(false);
    }
  });

  it('hardenAllWebContents applies the same rules once, even to our own window', () => {
    const app = new h.FakeEmitter();
    hardenAllWebContents(app as never, silentLogger);
    const contents = new h.FakeWebContents();
    app.emit('web-contents-created', {}, contents);
    app.emit('web-contents-created', {}, contents);
    expect(contents.count('will-navigate')).toBe(1);
    expect(contents.windowOpenHandler!({ url: 'https://a.example' })).toEqual({ action: 'deny' });
  });
});

describe('url checks', () => {
  it('isSafeExternalUrl accepts only plain https', () => {
    expect(isSafeExternalUrl('https://ngrok.com/')).toBe(true);
    expect(isSafeExternalUrl('http://ngrok.com/')).toBe(false);
    expect(isSafeExternalUrl('https://u:p@ngrok.com/')).toBe(false);
    expect(isSafeExternalUrl(42)).toBe(false);
  });

  it('isRendererUrl matches our file with any hash or query, nothing else', () => {
    const href = pathToFileURL(rendererFile).href;
    expect(isRendererUrl(href, rendererFile)).toBe(true);
    expect(isRendererUrl(`${href}#/events/3`, rendererFile)).toBe(true);
    expect(isRendererUrl(pathToFileURL(path.resolve('dist/renderer/other.html')).href, rendererFile)).toBe(false);
    expect(isRendererUrl('https://evil.example/dist/renderer/index.html', rendererFile)).toBe(false);
    expect(isRendererUrl('', rendererFile)).toBe(false);
    expect(isRendererUrl(null, rendererFile)).toBe(false);
  });

  it('isRendererUrl accepts our page installed under a path with brackets and spaces, however it is escaped', () => {
    const file = '/opt/Hook[scope] apps/resources/app.asar/dist/renderer/index.html';
    // Chromium leaves [ ] as they are; Node writes %5B %5D. Both name the same file.
    expect(isRendererUrl('file:///opt/Hook[scope]%20apps/resources/app.asar/dist/renderer/index.html', file, 'linux')).toBe(true);
    expect(isRendererUrl(pathToFileURL(file).href, file, 'linux')).toBe(true);
    expect(isRendererUrl('file:///opt/Hook[scope]%20apps/resources/app.asar/dist/renderer/other.html', file, 'linux')).toBe(false);
    expect(isRendererUrl('file:///opt/Hook[scope]%20apps/resources/app.asar/dist/renderer%2Findex.html', file, 'linux')).toBe(false);
    // Case differs only where the file system ignores it.
    expect(isRendererUrl('file:///OPT/Hook[scope]%20apps/resources/app.asar/dist/renderer/index.html', file, 'linux')).toBe(false);
    expect(isRendererUrl('file:///OPT/Hook[scope]%20apps/resources/app.asar/dist/renderer/index.html', file, 'darwin')).toBe(true);
  });
});
