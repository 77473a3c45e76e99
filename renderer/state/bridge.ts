// The only door into the renderer: requests go out and pushes come in through a Bridge, whatever
// the transport. Desktop: the preload's `window.hookscope` (Electron IPC). Browser under
// `npm run serve`: HTTP for requests, server-sent events for pushes, a bearer token from the URL.
import type { ArgsOf, Bridge, Envelope, PushChannel, PushChannels, RequestChannel, ResultOf } from '../../shared/ipc';
import { PUSH_CHANNELS } from '../../shared/ipc';
import type { ErrorCode } from '../../shared/errors';
import type { ConnectionView } from '../../shared/types';

/** What the preload exposes (electron/preload). Envelopes, because Electron drops custom error fields. */
export interface PreloadApi {
  invoke(channel: string, args?: unknown): Promise<Envelope<unknown>>;
  on(channel: string, cb: (payload: unknown) => void): () => void;
  ready(): void;
}

/**
 * The few browser facilities the transports use, typed structurally so this file compiles (and is
 * tested) without the DOM library.
 */
export interface EventSourceLike {
  readonly readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  addEventListener(type: string, cb: (ev: { data?: unknown }) => void): void;
  close(): void;
}
export type EventSourceCtor = new (url: string) => EventSourceLike;
export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}
interface BrowserGlobals {
  hookscope?: PreloadApi;
  location: { search: string };
  sessionStorage?: StorageLike;
  EventSource?: EventSourceCtor;
}

export type ConnectionState = 'connecting' | 'open' | 'down';

/** The contract's Bridge plus what a live stream can tell: (re)connections, so the store can resync. */
export interface AppBridge extends Bridge {
  readonly transport: 'ipc' | 'http' | 'fake';
  /** Called on every (re)connection of the push stream, and with state changes. */
  onConnection?(cb: (state: ConnectionState) => void): () => void;
  /** `serve` only: makes a new UI token (the current one stops working) and returns it. */
  rotateToken?(): Promise<string>;
  /** Called once when the core refuses the token (401): it is stale, or was rotated elsewhere. */
  onUnauthorized?(cb: () => void): () => void;
  /** Desktop only: run this computer's own core, or show a team server's (Settings → Team server). */
  teamServer?: TeamServerLink;
}

export interface TeamServerLink {
  get(): Promise<ConnectionView>;
  /** Checks the address and token with the server, keeps them, and restarts the app connected. */
  connect(url: string, token: string): Promise<ConnectionView>;
  /** Back to this computer's own core (restarts the app). */
  disconnect(): Promise<ConnectionView>;
}

/** A failed request, carrying the contract's error code. */
export class BridgeError extends Error {
  constructor(public readonly code: ErrorCode | 'NETWORK', message: string) {
    super(message);
    this.name = 'BridgeError';
  }
}

function unwrap<T>(env: unknown): T {
  if (env && typeof env === 'object') {
    const e = env as { ok?: boolean; value?: unknown; error?: { code?: string; message?: string } };
    if (e.ok === true) return e.value as T;
    if (e.ok === false || e.error) {
      throw new BridgeError((e.error?.code ?? 'INTERNAL') as ErrorCode, e.error?.message ?? 'Request failed.');
    }
  }
  throw new BridgeError('INTERNAL', 'Malformed answer from the core.');
}

export function createIpcBridge(api: PreloadApi): AppBridge {
  const shell = async <T>(channel: string, args?: unknown): Promise<T> => unwrap<T>(await api.invoke(channel, args));
  return {
    transport: 'ipc',
    teamServer: {
      get: () => shell<ConnectionView>('connection:get'),
      connect: (url, token) => shell<ConnectionView>('connection:connect', { url, token }),
      disconnect: () => shell<ConnectionView>('connection:disconnect'),
    },
    /**
     * Its own core is always there ('open'); showing a team server, main pushes the live stream's state,
     * so a restarting server reads "Reconnecting…" and its end triggers the same resync as in a browser.
     */
    onConnection(cb) {
      cb('open');
      return api.on('connection:changed', (p) => {
        const state = (p as { state?: unknown } | null)?.state;
        if (state === 'connecting' || state === 'open' || state === 'down') cb(state);
      });
    },
    async invoke<C extends RequestChannel>(channel: C, args: ArgsOf<C>): Promise<ResultOf<C>> {
      return unwrap<ResultOf<C>>(await api.invoke(channel, args));
    },
    on<P extends PushChannel>(channel: P, cb: (payload: PushChannels[P]) => void) {
      return api.on(channel, (payload) => cb(payload as PushChannels[P]));
    },
    ready() {
      api.ready();
    },
  };
}

const TOKEN_KEY = 'hookscope.token';

/**
 * The serve token: from `?token=` (what the user pasted), remembered in sessionStorage for this tab.
 * It stays in the URL on purpose, so a reload or a copied address keeps working.
 */
export function resolveToken(search: string, storage: StorageLike | null): string | null {
  const fromUrl = new URLSearchParams(search).get('token');
  if (fromUrl) {
    try { storage?.setItem(TOKEN_KEY, fromUrl); } catch { /* storage may be disabled */ }
    return fromUrl;
  }
  try { return storage?.getItem(TOKEN_KEY) ?? null; } catch { return null; }
}

export interface HttpBridgeOptions {
  token: string;
  /** Origin + path prefix; defaults to the page's origin. */
  base?: string;
  fetch?: typeof fetch;
  EventSource?: EventSourceCtor;
}

export function createHttpBridge(opts: HttpBridgeOptions): AppBridge {
  const base = opts.base ?? '';
  const doFetch = opts.fetch ?? ((...a: Parameters<typeof fetch>) => fetch(...a));
  const ES = opts.EventSource ?? (globalThis as unknown as BrowserGlobals).EventSource;
  const listeners = new Map<PushChannel, Set<(payload: unknown) => void>>();
  const connectionListeners = new Set<(s: ConnectionState) => void>();
  const unauthorizedListeners = new Set<() => void>();
  let token = opts.token;
  let refused = false;
  const refuse = () => {
    if (refused) return;
    refused = true;
    source?.close();
    source = null;
    unauthorizedListeners.forEach((cb) => cb());
  };
  let source: EventSourceLike | null = null;
  let retryDelay = 1000;
  let started = false;

  const emitConnection = (s: ConnectionState) => connectionListeners.forEach((cb) => cb(s));

  const connect = () => {
    if (!ES) return;
    emitConnection('connecting');
    if (refused) return;
    const es = new ES(`${base}/api/live?token=${encodeURIComponent(token)}`);
    source = es;
    es.onopen = () => {
      retryDelay = 1000;
      emitConnection('open');
    };
    es.onerror = () => {
      emitConnection('down');
      // EventSource retries by itself unless the server refused the stream (401, 404…): then we retry.
      if (es.readyState === 2 /* CLOSED */) {
        es.close();
        if (source === es) source = null;
        // EventSource hides the status: one request tells a refused token (the page says so) from a restart.
        void doFetch(`${base}/api/rpc/app:info`, { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: '' })
          .then((r) => { if (r.status === 401) refuse(); }, () => undefined);
        setTimeout(connect, retryDelay);
        retryDelay = Math.min(retryDelay * 2, 30_000);
      }
    };
    for (const ch of PUSH_CHANNELS) {
      es.addEventListener(ch, (ev) => {
        let payload: unknown;
        try {
          payload = JSON.parse(String(ev.data));
        } catch {
          return; // a malformed frame must not break the stream
        }
        listeners.get(ch)?.forEach((cb) => cb(payload));
      });
    }
  };

  return {
    transport: 'http',
    async invoke<C extends RequestChannel>(channel: C, args: ArgsOf<C>): Promise<ResultOf<C>> {
      let res: Response;
      try {
        res = await doFetch(`${base}/api/rpc/${channel}`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
          body: args === undefined ? '' : JSON.stringify(args),
        });
      } catch (err) {
        throw new BridgeError('NETWORK', `Cannot reach Hookscope (${(err as Error).message}).`);
      }
      if (res.status === 401) refuse();
      let body: unknown;
      try {
        body = await res.json();
      } catch {
        throw new BridgeError(res.status === 401 ? 'UNAUTHORIZED' : 'INTERNAL', `Unexpected answer (HTTP ${res.status}).`);
      }
      return unwrap<ResultOf<C>>(body);
    },
    async rotateToken() {
      const res = await doFetch(`${base}/api/ui-token/rotate`, { method: 'POST', headers: { Authorization: `Bearer ${token}` } });
      const body = (await res.json().catch(() => null)) as { token?: unknown; error?: { message?: string } } | null;
      if (!res.ok || typeof body?.token !== 'string') {
        throw new BridgeError(res.status === 401 ? 'UNAUTHORIZED' : 'BAD_REQUEST', body?.error?.message ?? `Could not rotate the token (HTTP ${res.status}).`);
      }
      token = body.token;
      return token;
    },
    onUnauthorized(cb) {
      unauthorizedListeners.add(cb);
      if (refused) cb();
      return () => { unauthorizedListeners.delete(cb); };
    },
    on<P extends PushChannel>(channel: P, cb: (payload: PushChannels[P]) => void) {
      let set = listeners.get(channel);
      if (!set) listeners.set(channel, (set = new Set()));
      const fn = cb as (p: unknown) => void;
      set.add(fn);
      return () => { set.delete(fn); };
    },
    onConnection(cb) {
      connectionListeners.add(cb);
      return () => { connectionListeners.delete(cb); };
    },
    ready() {
      if (started) return;
      started = true;
      connect();
    },
  };
}

/** Picks the transport: the preload in the desktop app, HTTP + SSE in a browser. */
export function createBridge(g: BrowserGlobals = globalThis as unknown as BrowserGlobals): AppBridge | { error: string } {
  if (g.hookscope) return createIpcBridge(g.hookscope);
  let storage: StorageLike | null = null;
  try { storage = g.sessionStorage ?? null; } catch { /* disabled */ }
  const token = resolveToken(g.location.search, storage);
  if (!token) {
    return { error: 'This page needs the address printed by `npm run serve` — it ends with ?token=…' };
  }
  return createHttpBridge({ token });
}

/** Where pushes land in the store. */
export interface PushSink {
  receiveEvents(batch: PushChannels['events:appended']): void;
  receiveTunnel(state: PushChannels['tunnel:changed']): void;
  receiveNotifications(batch: PushChannels['notifications:fired']): void;
  receiveSettings(settings: PushChannels['settings:changed']): void;
  /** A desktop notification was clicked: show its event. */
  notificationClicked(click: PushChannels['notifications:clicked']): void;
  /** Contacts were forgotten (in this window or another): drop what is shown of them. */
  contactForgotten(p: PushChannels['contacts:forgotten']): void;
  setConnection(state: ConnectionState): void;
  /** After every (re)connection of the stream: refetch what might have been missed. */
  resync(): void;
}

/** Subscribes the store to every push channel; the one place pushes enter the renderer. */
export function wirePushes(bridge: AppBridge, sink: PushSink): () => void {
  const offs = [
    bridge.on('events:appended', (p) => sink.receiveEvents(p)),
    bridge.on('tunnel:changed', (p) => sink.receiveTunnel(p)),
    bridge.on('notifications:fired', (p) => sink.receiveNotifications(p)),
    bridge.on('settings:changed', (p) => sink.receiveSettings(p)),
    bridge.on('notifications:clicked', (p) => sink.notificationClicked(p)),
    bridge.on('contacts:forgotten', (p) => sink.contactForgotten(p)),
  ];
  if (bridge.onConnection) {
    offs.push(
      bridge.onConnection((state) => {
        sink.setConnection(state);
        if (state === 'open') sink.resync();
      }),
    );
  } else {
    sink.setConnection('open');
  }
  return () => offs.forEach((off) => off());
}
