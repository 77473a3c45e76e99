// The browser transport of the renderer's bridge: HTTP requests with the bearer token, envelopes
// unwrapped, named server-sent events dispatched, and a resync signal on every (re)connection.
import { describe, expect, it } from 'vitest';
import {
  BridgeError, createBridge, createHttpBridge, createIpcBridge, resolveToken, type EventSourceLike,
} from '../../renderer/state/bridge';
import { createAppStore } from '../../renderer/state/store';
import type { RequestChannel } from '../../shared/ipc';
import { inMemoryCore } from '../helpers/fake-bridge';

class FakeEventSource implements EventSourceLike {
  static last: FakeEventSource | null = null;
  readyState = 0;
  onopen: ((ev: unknown) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  listeners = new Map<string, ((ev: { data?: unknown }) => void)[]>();
  constructor(public url: string) { FakeEventSource.last = this; }
  addEventListener(type: string, cb: (ev: { data?: unknown }) => void) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), cb]);
  }
  close() { this.readyState = 2; }
  open() { this.readyState = 1; this.onopen?.({}); }
  fire(type: string, data: string) { this.listeners.get(type)?.forEach((cb) => cb({ data })); }
}

function fakeFetch(answer: (url: string, init: RequestInit) => { status?: number; body: unknown }) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fn = (async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    const a = answer(url, init);
    return new Response(JSON.stringify(a.body), { status: a.status ?? 200, headers: { 'content-type': 'application/json' } });
  }) as unknown as typeof fetch;
  return { fn, calls };
}

describe('HTTP bridge', () => {
  it('posts to /api/rpc/<channel> with the bearer token and unwraps the envelope', async () => {
    const f = fakeFetch(() => ({ body: { ok: true, value: { items: [], total: 0 } } }));
    const bridge = createHttpBridge({ token: 'T0k', fetch: f.fn, EventSource: FakeEventSource });
    const page = await bridge.invoke('events:list', { status: ['failed'], limit: 10 });
    expect(page).toEqual({ items: [], total: 0 });
    expect(f.calls[0].url).toBe('/api/rpc/events:list');
    expect(f.calls[0].init.method).toBe('POST');
    expect((f.calls[0].init.headers as Record<string, string>).Authorization).toBe('Bearer T0k');
    expect(JSON.parse(String(f.calls[0].init.body))).toEqual({ status: ['failed'], limit: 10 });
    await bridge.invoke('app:info', undefined);
    expect(f.calls[1].init.body).toBe('');
  });

  it('turns an error envelope (or a bare {error}) into a BridgeError with its code', async () => {
    const f = fakeFetch((url) => url.endsWith('events:get')
      ? { status: 404, body: { ok: false, error: { code: 'NOT_FOUND', message: 'Not found.' } } }
      : { status: 401, body: { error: { code: 'UNAUTHORIZED', message: 'A valid token is required.' } } });
    const bridge = createHttpBridge({ token: 't', fetch: f.fn, EventSource: FakeEventSource });
    await expect(bridge.invoke('events:get', { id: 1 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const err = await bridge.invoke('settings:get', undefined).catch((e) => e);
    expect(err).toBeInstanceOf(BridgeError);
    expect(err.code).toBe('UNAUTHORIZED');
  });

  it('opens /api/live with the token on ready() and dispatches named events', async () => {
    const bridge = createHttpBridge({ token: 'a b', fetch: fakeFetch(() => ({ body: {} })).fn, EventSource: FakeEventSource });
    const got: unknown[] = [];
    const states: string[] = [];
    bridge.on('events:appended', (p) => got.push(p));
    bridge.onConnection!((s) => states.push(s));
    bridge.ready();
    const es = FakeEventSource.last!;
    expect(es.url).toBe('/api/live?token=a%20b');
    es.open();
    es.fire('events:appended', JSON.stringify([{ id: 1 }]));
    es.fire('events:appended', '{not json'); // ignored, the stream goes on
    es.fire('tunnel:changed', JSON.stringify({ state: 'off', since: 0 }));
    expect(got).toEqual([[{ id: 1 }]]);
    expect(states).toEqual(['connecting', 'open']);
  });

  it('a store on the HTTP bridge refetches page 1 when the stream (re)opens', async () => {
    // The fetch answers as the shared fake's in-memory core would (no events), the rest with nothing.
    const core = inMemoryCore([]);
    const f = fakeFetch((url, init) => {
      const answer = core[url.slice('/api/rpc/'.length) as RequestChannel] as ((args: unknown) => unknown) | undefined;
      return { body: { ok: true, value: answer?.(init.body ? JSON.parse(String(init.body)) : {}) } };
    });
    const bridge = createHttpBridge({ token: 't', fetch: f.fn, EventSource: FakeEventSource });
    const store = createAppStore(bridge, { schedule: (cb) => cb() });
    await store.getState().start();
    const lists = () => f.calls.filter((c) => c.url.endsWith('events:list')).length;
    const n = lists();
    FakeEventSource.last!.open();
    await new Promise((r) => setTimeout(r, 0));
    expect(lists()).toBe(n + 1);
    expect(store.getState().connection).toBe('open');
  });
});

describe('transport choice and token', () => {
  it('uses the preload when present', async () => {
    const bridge = createBridge({
      location: { search: '' },
      hookscope: { invoke: async () => ({ ok: true, value: 42 }), on: () => () => {}, ready: () => {} },
    });
    expect('error' in bridge).toBe(false);
    if (!('error' in bridge)) {
      expect(bridge.transport).toBe('ipc');
      expect(await bridge.invoke('stats:get', {})).toBe(42);
    }
  });

  it('takes the token from the URL, remembers it, and falls back to the remembered one', () => {
    const mem = new Map<string, string>();
    const storage = { getItem: (k: string) => mem.get(k) ?? null, setItem: (k: string, v: string) => { mem.set(k, v); } };
    expect(resolveToken('?token=abc&status=failed', storage)).toBe('abc');
    expect(resolveToken('?status=failed', storage)).toBe('abc');
    expect(resolveToken('', null)).toBeNull();
    const b = createBridge({ location: { search: '' } });
    expect(b).toHaveProperty('error');
  });

  it('IPC bridge unwraps envelopes from the preload', async () => {
    const b = createIpcBridge({ invoke: async () => ({ ok: false, error: { code: 'VALIDATION', message: 'bad' } }), on: () => () => {}, ready: () => {} });
    await expect(b.invoke('events:get', { id: 1 })).rejects.toMatchObject({ code: 'VALIDATION', message: 'bad' });
  });
});
