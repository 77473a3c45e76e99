// The IPC edge: sender check, argument validation, envelopes, and the push relay (coalescing + readiness).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const h = vi.hoisted(() => {
  const handlers = new Map<string, (event: unknown, args?: unknown) => unknown>();
  const ipcMain = {
    handle: vi.fn((channel: string, fn: (event: unknown, args?: unknown) => unknown) => {
      if (handlers.has(channel)) throw new Error(`second handler for ${channel}`);
      handlers.set(channel, fn);
    }),
    removeHandler: vi.fn((channel: string) => { handlers.delete(channel); }),
  };
  return { handlers, ipcMain };
});

vi.mock('electron', () => ({ ipcMain: h.ipcMain, BrowserWindow: class {}, shell: { openExternal: vi.fn() } }));

import { createPushRelay, setupIpc } from '../../electron/main/ipc';
import { READY_CHANNEL } from '../../electron/preload/channels';
import { REQUEST_CHANNELS, type Envelope, type PushChannel, type PushChannels } from '../../shared/ipc';
import { HookscopeError } from '../../shared/errors';
import { silentLogger } from '../../electron/core/types';
import type { Core } from '../../electron/core/core';

const rendererFile = path.resolve('dist/renderer/index.html');
const rendererUrl = pathToFileURL(rendererFile).href;

function fakeWindow(id = 1) {
  const webContents = { id, send: vi.fn(), isDestroyed: () => false };
  return { webContents, isDestroyed: () => false };
}

function fakeCore() {
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const handlers: Record<string, ReturnType<typeof vi.fn>> = {};
  for (const c of REQUEST_CHANNELS) handlers[c] = vi.fn(async () => ({ channel: c }));
  handlers['events:get'] = vi.fn(async (args: { id: number }) => ({ id: args.id, text: 'hi' }));
  handlers['rules:delete'] = vi.fn(async () => { throw new HookscopeError('NOT_FOUND', 'No rule 9.'); });
  handlers['stats:get'] = vi.fn(async () => { throw new Error('disk on fire: /secret/path'); });
  const core = {
    handlers: handlers as unknown as Core['handlers'],
    on: (channel: string, cb: (p: unknown) => void) => {
      if (!listeners.has(channel)) listeners.set(channel, new Set());
      listeners.get(channel)!.add(cb);
      return () => { listeners.get(channel)!.delete(cb); };
    },
  } as Pick<Core, 'handlers' | 'on'>;
  const emit = <P extends PushChannel>(channel: P, payload: PushChannels[P]) => {
    for (const cb of listeners.get(channel) ?? []) cb(payload);
  };
  return { core, handlers, emit, listenerCount: () => [...listeners.values()].reduce((n, s) => n + s.size, 0) };
}

function event(opts: { senderId?: number; url?: string | null; parent?: unknown } = {}) {
  const senderFrame = opts.url === null ? null : { url: opts.url ?? `${rendererUrl}#/feed`, parent: opts.parent ?? null };
  return { sender: { id: opts.senderId ?? 1 }, senderFrame };
}

function setup() {
  const win = fakeWindow();
  const fc = fakeCore();
  const relay = createPushRelay({ getTarget: () => win.webContents as never });
  const ipc = setupIpc({ core: fc.core, relay, getWindow: () => win as never, rendererFile, logger: silentLogger });
  const invoke = async (channel: string, args?: unknown, ev = event()) =>
    (await h.handlers.get(channel)!(ev, args)) as Envelope<unknown>;
  return { win, ...fc, relay, ipc, invoke };
}

let current: ReturnType<typeof setup> | null = null;
beforeEach(() => { h.handlers.clear(); });
afterEach(() => { current?.ipc.dispose(); current?.relay.dispose(); current = null; vi.useRealTimers(); });
const start = () => (current = setup());

describe('ipc requests', () => {
  it('registers exactly one handler per contract channel, plus the readiness signal', () => {
    start();
    expect([...h.handlers.keys()].sort()).toEqual([...REQUEST_CHANNELS, READY_CHANNEL].sort());
  });

  it.each([
    ['another webContents', event({ senderId: 2 })],
    ['a page that navigated away', event({ url: 'https://evil.example/' })],
    ['another file:// page', event({ url: pathToFileURL(path.resolve('evil.html')).href })],
    ['an iframe', event({ parent: {} })],
    ['a destroyed frame', event({ url: null })],
  ])('refuses %s with FORBIDDEN_SENDER and never calls the core', async (_name, ev) => {
    const { invoke, handlers } = start();
    const res = await invoke('events:get', { id: 1 }, ev);
    expect(res).toEqual({ ok: false, error: { code: 'FORBIDDEN_SENDER', message: 'This sender is not allowed.' } });
    expect(handlers['events:get']).not.toHaveBeenCalled();
  });

  it('answers bad arguments with VALIDATION and a readable message', async () => {
    const { invoke, handlers } = start();
    const res = await invoke('events:get', { id: 'seven' });
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(res.error.code).toBe('VALIDATION');
    expect(res.error.message).toMatch(/^id: /);
    const rule = await invoke('rules:create', { name: '   ', when: {} });
    expect(rule).toMatchObject({ ok: false, error: { code: 'VALIDATION', message: expect.stringContaining('name: a rule needs a name') } });
    expect(handlers['events:get']).not.toHaveBeenCalled();
    expect(handlers['rules:create']).not.toHaveBeenCalled();
  });

  it('passes validated (coerced) arguments to the core and returns { ok: true, value }', async () => {
    const { invoke, handlers } = start();
    const res = await invoke('events:get', { id: '7' });
    expect(res).toEqual({ ok: true, value: { id: 7, text: 'hi' } });
    expect(handlers['events:get']).toHaveBeenCalledWith({ id: 7 });
    // Void channels take no arguments.
    expect(await invoke('app:info')).toEqual({ ok: true, value: { channel: 'app:info' } });
    // Envelopes survive structured cloning (what invoke does to them) unchanged.
    expect(structuredClone(res)).toEqual(res);
  });

  it('turns a thrown HookscopeError into { ok: false, error: { code, message } }', async () => {
    const { invoke } = start();
    expect(await invoke('rules:delete', { id: 9 })).toEqual({ ok: false, error: { code: 'NOT_FOUND', message: 'No rule 9.' } });
  });

  it('turns an unexpected error into INTERNAL without leaking its text', async () => {
    const { invoke } = start();
    const res = await invoke('stats:get', {});
    expect(res).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'Something went wrong inside Hookscope.' } });
  });

  it('dispose removes every handler and unsubscribes from the core', () => {
    const s = start();
    expect(s.listenerCount()).toBeGreaterThan(0);
    s.ipc.dispose();
    expect(h.handlers.size).toBe(0);
    expect(s.listenerCount()).toBe(0);
  });
});

describe('pushes', () => {
  const ev = (id: number) => ({ id }) as never;
  const tunnel = (state: 'off' | 'online') => ({ state, since: 1 }) as never;

  it('holds pushes until the renderer is ready, then delivers them coalesced', async () => {
    vi.useFakeTimers();
    const { emit, invoke, win } = start();
    emit('events:appended', [ev(1)]);
    emit('tunnel:changed', tunnel('off'));
    emit('events:appended', [ev(2), ev(3)]);
    emit('tunnel:changed', tunnel('online'));
    vi.advanceTimersByTime(1000);
    expect(win.webContents.send).not.toHaveBeenCalled();

    expect(await invoke(READY_CHANNEL)).toEqual({ ok: true, value: null });
    expect(win.webContents.send.mock.calls).toEqual([
      ['events:appended', [ev(1), ev(2), ev(3)]],
      ['tunnel:changed', tunnel('online')],
    ]);
  });

  it('batches pushes per ~50 ms once ready: arrays concatenated, state last-value-wins', async () => {
    vi.useFakeTimers();
    const { emit, invoke, win } = start();
    await invoke(READY_CHANNEL);
    emit('events:appended', [ev(4)]);
    emit('tunnel:changed', tunnel('off'));
    emit('events:appended', [ev(5)]);
    emit('tunnel:changed', tunnel('online'));
    vi.advanceTimersByTime(49);
    expect(win.webContents.send).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(win.webContents.send.mock.calls).toEqual([
      ['events:appended', [ev(4), ev(5)]],
      ['tunnel:changed', tunnel('online')],
    ]);
    win.webContents.send.mockClear();
    vi.advanceTimersByTime(500);
    expect(win.webContents.send).not.toHaveBeenCalled();
  });

  it('a ready signal from a foreign sender is refused and releases nothing', async () => {
    vi.useFakeTimers();
    const { emit, invoke, win } = start();
    emit('events:appended', [ev(1)]);
    const res = await invoke(READY_CHANNEL, undefined, event({ senderId: 2 }));
    expect(res).toMatchObject({ ok: false, error: { code: 'FORBIDDEN_SENDER' } });
    vi.advanceTimersByTime(1000);
    expect(win.webContents.send).not.toHaveBeenCalled();
  });

  it('after a reload (resetReady) pushes are held again until the new renderer is ready', async () => {
    vi.useFakeTimers();
    const { emit, invoke, win, relay } = start();
    await invoke(READY_CHANNEL);
    relay.resetReady();
    emit('events:appended', [ev(8)]);
    vi.advanceTimersByTime(1000);
    expect(win.webContents.send).not.toHaveBeenCalled();
    await invoke(READY_CHANNEL);
    expect(win.webContents.send).toHaveBeenCalledWith('events:appended', [ev(8)]);
  });

  it('bounds what is held for a renderer that never becomes ready, keeping the newest', () => {
    const wc = { id: 1, send: vi.fn(), isDestroyed: () => false };
    const relay = createPushRelay({ getTarget: () => wc as never, maxHeldItems: 3 });
    for (let i = 1; i <= 5; i++) relay.push('events:appended', [ev(i)]);
    relay.markReady(wc as never);
    expect(wc.send).toHaveBeenCalledWith('events:appended', [ev(3), ev(4), ev(5)]);
    relay.dispose();
  });

  it('carries the shell push for notification clicks', () => {
    const wc = { id: 1, send: vi.fn(), isDestroyed: () => false };
    const relay = createPushRelay({ getTarget: () => wc as never });
    relay.push('notifications:clicked', { eventId: 42, notificationId: 3 });
    relay.markReady(wc as never);
    expect(wc.send).toHaveBeenCalledWith('notifications:clicked', { eventId: 42, notificationId: 3 });
    relay.dispose();
  });

  it('every contact forgotten while the window was not ready reaches it (they add up, none is overwritten)', () => {
    const wc = { id: 1, send: vi.fn(), isDestroyed: () => false };
    const relay = createPushRelay({ getTarget: () => wc as never });
    relay.push('contacts:forgotten', [{ contactId: '5511900000001' }]);
    relay.push('contacts:forgotten', [{ contactId: '447900000002' }]);
    relay.markReady(wc as never);
    expect(wc.send).toHaveBeenCalledWith('contacts:forgotten', [{ contactId: '5511900000001' }, { contactId: '447900000002' }]);
    relay.dispose();
  });
});
