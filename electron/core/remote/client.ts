// The desktop app as a viewer of a team server (docs/api.md "Team server"): instead of running its own
// core, main speaks the same contract to a `serve` elsewhere over the HTTP transport the browser UI uses —
// requests as POST /api/rpc/<channel>, pushes from the /api/live stream — and hands both to the unchanged
// IPC layer, so the renderer is the same UI either way. The token stays in main: it goes out in the
// Authorization header only (never in a URL, never to the renderer, never to the log).
// The stream reconnects on its own with back-off, so a restarted server is picked up without the user.
import { PUSH_CHANNELS, REQUEST_CHANNELS, isRequestChannel, type ContractHandlers, type Envelope, type PushChannel, type PushChannels, type RequestChannel } from '../../../shared/ipc';
import { appError, ERROR_MESSAGES, HookscopeError, type ErrorCode } from '../../../shared/errors';
import type { Identity } from '../../../shared/types';
import type { Logger } from '../types';

export type RemoteState = 'connecting' | 'open' | 'down';

export interface RemoteClientOptions {
  /** The team server's UI address, e.g. https://hooks.team.example (a path prefix is kept). */
  url: string;
  token: string;
  logger: Logger;
  fetch?: typeof fetch;
  /** First and longest wait between reconnection attempts (default 1 s and 15 s). */
  retryMs?: number;
  maxRetryMs?: number;
  /** How long one request may take (default 30 s). */
  timeoutMs?: number;
}

export interface RemoteClient {
  /** One request over the contract; failures are envelopes, never throws. */
  call(channel: string, args: unknown): Promise<Envelope<unknown>>;
  /** The contract's handlers, each a round trip to the server (for the IPC layer and its validation). */
  readonly handlers: ContractHandlers;
  on<P extends PushChannel>(channel: P, cb: (payload: PushChannels[P]) => void): () => void;
  onState(cb: (state: RemoteState) => void): () => void;
  state(): RemoteState;
  /** Opens the live stream (and keeps reopening it) until stop(). */
  start(): void;
  stop(): Promise<void>;
}

/** The server's address without a trailing slash; null (with why) when it is not one. */
export function normaliseServerUrl(raw: string): { url: string } | { error: string } {
  let u: URL;
  try { u = new URL(raw.trim()); } catch { return { error: 'Give the team server\'s address, e.g. https://hooks.team.example' }; }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return { error: 'The address starts with https:// (or http:// on a trusted network).' };
  if (u.username || u.password) return { error: 'Put the token in its own field, not in the address.' };
  // A pasted `…/?token=…` address: the token belongs in its field (it is kept in the keychain, not in settings).
  if (u.searchParams.has('token')) return { error: 'This address carries a token: paste the token in its own field and the address without ?token=….' };
  return { url: `${u.origin}${u.pathname.replace(/\/+$/, '')}` };
}


function asEnvelope(status: number, body: unknown): Envelope<unknown> {
  if (body && typeof body === 'object') {
    const b = body as { ok?: unknown; value?: unknown; error?: { code?: unknown; message?: unknown } };
    if (b.ok === true) return { ok: true, value: b.value };
    if (b.error && typeof b.error.code === 'string') {
      // The server's codes are ours; an unknown one (a newer server) still reads as a failure with its words.
      const code: ErrorCode = Object.prototype.hasOwnProperty.call(ERROR_MESSAGES, b.error.code) ? b.error.code as ErrorCode : 'INTERNAL';
      return { ok: false, error: { code, message: typeof b.error.message === 'string' ? b.error.message : `HTTP ${status}` } };
    }
  }
  return { ok: false, error: appError('SERVER_UNREACHABLE', `The team server answered HTTP ${status} without a Hookscope answer: is this its UI address?`) };
}

/** Asks the server who this token is (GET /api/me): checks the address and the token before they are kept. */
export async function checkRemote(url: string, token: string, f: typeof fetch = fetch, timeoutMs = 10_000): Promise<{ ok: true; identity: Identity } | { ok: false; message: string }> {
  let r: Response;
  try {
    r = await f(`${url}/api/me`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    return { ok: false, message: `Cannot reach ${url}: ${(err as Error).message}` };
  }
  const body = await r.json().catch(() => null) as { role?: unknown; name?: unknown; error?: { message?: string } } | null;
  if (r.status === 401) return { ok: false, message: 'The team server refused this token (mistyped, or revoked).' };
  if (r.status === 403) return { ok: false, message: body?.error?.message ?? 'The team server refused this address (its --ui-public-url is another name).' };
  if (!r.ok || !body || (body.role !== 'viewer' && body.role !== 'admin')) {
    return { ok: false, message: `${url} did not answer like a Hookscope team server (HTTP ${r.status}).` };
  }
  return { ok: true, identity: { role: body.role, name: typeof body.name === 'string' ? body.name : null } };
}

export function createRemoteClient(o: RemoteClientOptions): RemoteClient {
  const f = o.fetch ?? fetch;
  const base = o.url.replace(/\/+$/, '');
  const auth = { authorization: `Bearer ${o.token}` };
  const first = o.retryMs ?? 1000;
  const longest = o.maxRetryMs ?? 15_000;
  const listeners = new Map<PushChannel, Set<(p: unknown) => void>>();
  const stateListeners = new Set<(s: RemoteState) => void>();
  let current: RemoteState = 'connecting';
  let running = false;
  let stream: AbortController | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let delay = first;
  let loop: Promise<void> | null = null;
  let wake: (() => void) | null = null;

  const setState = (s: RemoteState) => {
    if (s === current) return;
    current = s;
    for (const cb of stateListeners) cb(s);
  };

  async function call(channel: string, args: unknown): Promise<Envelope<unknown>> {
    let r: Response;
    try {
      // Channel names are from the contract (checked before this call): `noun:verb`, safe in a path.
      r = await f(`${base}/api/rpc/${channel}`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: args === undefined ? '' : JSON.stringify(args),
        signal: AbortSignal.timeout(o.timeoutMs ?? 30_000),
      });
    } catch (err) {
      return { ok: false, error: appError('SERVER_UNREACHABLE', `Cannot reach the team server (${(err as Error).message}); retrying in the background.`) };
    }
    return asEnvelope(r.status, await r.json().catch(() => null));
  }

  const handlers = Object.fromEntries(REQUEST_CHANNELS.map((ch) => [ch, async (args: unknown) => {
    const env = await call(ch, args);
    if (env.ok) return env.value;
    throw new HookscopeError(env.error.code, env.error.message);
  }])) as unknown as ContractHandlers;

  function emit(event: string, data: string) {
    if (!(PUSH_CHANNELS as string[]).includes(event)) return;
    let payload: unknown;
    try { payload = JSON.parse(data); } catch { return; } // a malformed frame must not end the stream
    for (const cb of listeners.get(event as PushChannel) ?? []) cb(payload);
  }

  /** One life of the live stream: resolves when it ends, for whatever reason. */
  async function streamOnce(): Promise<'ended' | 'refused'> {
    const ctl = new AbortController();
    stream = ctl;
    let r: Response;
    try {
      r = await f(`${base}/api/live`, { headers: { ...auth, accept: 'text/event-stream' }, signal: ctl.signal });
    } catch {
      return 'ended';
    }
    if (r.status === 401 || r.status === 403) { await r.body?.cancel().catch(() => undefined); return 'refused'; }
    if (!r.ok || !r.body || !(r.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
      await r.body?.cancel().catch(() => undefined);
      return 'ended';
    }
    delay = first;
    setState('open');
    const decoder = new TextDecoder();
    let buf = '';
    let event = 'message';
    let data: string[] = [];
    try {
      for await (const chunk of r.body as unknown as AsyncIterable<Uint8Array>) {
        buf += decoder.decode(chunk, { stream: true });
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl).replace(/\r$/, '');
          buf = buf.slice(nl + 1);
          if (line === '') {
            if (data.length) emit(event, data.join('\n'));
            event = 'message';
            data = [];
          } else if (line.startsWith('event:')) event = line.slice(6).trim();
          else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
          // `:` comments (heartbeats) and `retry:` need nothing here.
        }
      }
    } catch {
      // aborted or the connection dropped: both end this life of the stream
    }
    return 'ended';
  }

  async function run() {
    while (running) {
      const how = await streamOnce();
      if (!running) break;
      setState('down');
      if (how === 'refused') o.logger.warn('the team server refused the token; retrying (it may have been restored)');
      else o.logger.info('team server stream ended; reconnecting', { inMs: delay });
      await new Promise<void>((res) => { wake = res; timer = setTimeout(res, delay); });
      timer = null;
      wake = null;
      delay = Math.min(delay * 2, longest);
      if (running) setState('connecting');
    }
  }

  return {
    call: (channel, args) => (isRequestChannel(channel) ? call(channel as RequestChannel, args) : Promise.resolve({ ok: false, error: appError('NOT_FOUND', `Unknown channel "${channel}".`) })),
    handlers,
    on(channel, cb) {
      let set = listeners.get(channel);
      if (!set) listeners.set(channel, (set = new Set()));
      const fn = cb as (p: unknown) => void;
      set.add(fn);
      return () => { set.delete(fn); };
    },
    onState(cb) {
      stateListeners.add(cb);
      return () => { stateListeners.delete(cb); };
    },
    state: () => current,
    start() {
      if (running) return;
      running = true;
      loop = run();
    },
    async stop() {
      running = false;
      if (timer) clearTimeout(timer);
      wake?.();
      stream?.abort();
      await loop;
    },
  };
}
