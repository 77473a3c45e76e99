// The preload bridge: exactly three functions, only contract channel names, never ipcRenderer itself.
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

const h = vi.hoisted(() => {
  const exposed: Record<string, unknown> = {};
  const ipcRenderer = {
    invoke: vi.fn(async (channel: string, args?: unknown) => ({ ok: true, value: { channel, args } })),
    on: vi.fn(),
    removeListener: vi.fn(),
    send: vi.fn(),
    sendSync: vi.fn(),
  };
  const contextBridge = { exposeInMainWorld: vi.fn((key: string, api: unknown) => { exposed[key] = api; }) };
  return { exposed, ipcRenderer, contextBridge };
});

vi.mock('electron', () => ({ contextBridge: h.contextBridge, ipcRenderer: h.ipcRenderer }));

import { PUSH_CHANNELS, REQUEST_CHANNELS } from '../../shared/ipc';
import { READY_CHANNEL, SHELL_PUSH_CHANNELS, type HookscopePreloadApi } from '../../electron/preload/channels';

let api: HookscopePreloadApi;
beforeAll(async () => {
  await import('../../electron/preload/index');
  api = h.exposed.hookscope as HookscopePreloadApi;
});
beforeEach(() => { vi.clearAllMocks(); });

describe('preload bridge', () => {
  it('exposes one object, `hookscope`, with invoke/on/ready and nothing else', () => {
    expect(Object.keys(h.exposed)).toEqual(['hookscope']);
    expect(Object.keys(api).sort()).toEqual(['invoke', 'on', 'ready']);
    for (const value of Object.values(api)) {
      expect(value).not.toBe(h.ipcRenderer);
      expect(Object.values(h.ipcRenderer)).not.toContain(value);
    }
  });

  it('forwards every contract request channel to ipcRenderer.invoke and returns the envelope', async () => {
    for (const channel of REQUEST_CHANNELS) {
      await expect(api.invoke(channel, { x: 1 } as never)).resolves.toEqual({ ok: true, value: { channel, args: { x: 1 } } });
    }
    expect(h.ipcRenderer.invoke).toHaveBeenCalledTimes(REQUEST_CHANNELS.length);
  });

  it.each(['evil:channel', READY_CHANNEL, 'events:appended', '__proto__', 'toString', ''])(
    'rejects invoke on %j without touching IPC', async (channel) => {
      await expect(api.invoke(channel as never)).rejects.toThrow(/unknown channel/);
      expect(h.ipcRenderer.invoke).not.toHaveBeenCalled();
    });

  it('subscribes to contract and shell push channels; the callback gets the payload, never the IPC event', () => {
    for (const channel of [...PUSH_CHANNELS, ...SHELL_PUSH_CHANNELS]) {
      const cb = vi.fn();
      const off = api.on(channel, cb);
      const [registered, listener] = h.ipcRenderer.on.mock.calls.at(-1)!;
      expect(registered).toBe(channel);
      const ipcEvent = { sender: h.ipcRenderer, senderId: 0 };
      listener(ipcEvent, { hello: channel });
      expect(cb).toHaveBeenCalledWith({ hello: channel });
      expect(cb.mock.calls[0]).toHaveLength(1);
      off();
      expect(h.ipcRenderer.removeListener).toHaveBeenCalledWith(channel, listener);
    }
  });

  it.each(['events:list', 'ELECTRON_BROWSER_WINDOW_ALERT', 'tunnel:changed-evil', 'constructor'])(
    'refuses to subscribe to %j', (channel) => {
      expect(() => api.on(channel as never, () => undefined)).toThrow(/unknown channel/);
      expect(h.ipcRenderer.on).not.toHaveBeenCalled();
    });

  it('ready() invokes the readiness signal', () => {
    api.ready();
    expect(h.ipcRenderer.invoke).toHaveBeenCalledWith(READY_CHANNEL);
  });
});

describe('preload bundle', () => {
  it('knows exactly the contract\'s channel names, without importing the contract (and its schemas) at runtime', async () => {
    const { PRELOAD_PUSH_CHANNELS, PRELOAD_REQUEST_CHANNELS } = await import('../../electron/preload/channels');
    expect([...PRELOAD_REQUEST_CHANNELS].sort()).toEqual([...REQUEST_CHANNELS].sort());
    expect([...PRELOAD_PUSH_CHANNELS].sort()).toEqual([...PUSH_CHANNELS].sort());
  });

  it('the built preload requires only electron and stays small (no zod)', async () => {
    const { readFileSync } = await import('node:fs');
    const { resolve } = await import('node:path');
    // Built by `npm test` (npm run build) before vitest runs.
    const text = readFileSync(resolve('dist-electron/preload.cjs'), 'utf8');
    expect([...new Set(text.match(/require\(["'][^"']+["']\)/g))]).toEqual(['require("electron")']);
    expect(text).not.toMatch(/zod|ZodError/);
    expect(Buffer.byteLength(text)).toBeLessThan(16 * 1024);
  });
});
