import { describe, expect, it } from 'vitest';
import { ERROR_MESSAGES, HookscopeError, type ErrorCode } from '../../shared/errors';
import type { TunnelState } from '../../shared/types';
import { createTunnel, formatClockTime } from '../../electron/core/tunnel/tunnel';
import {
  classifyTunnelError, createNgrokConnector, redactTunnelText, TunnelConnectError,
} from '../../electron/core/tunnel/ngrok-connector';
import type { Logger, TunnelConnector, TunnelSession } from '../../electron/core/types';

const TOKEN = '2abcDEFghiJKLmnoPQRstu_3vwxYZ0123456789abcdefXYZ';
const URL_ = 'https://f00d-1-2-3-4.ngrok-free.app';
const DOMAIN = 'my-reserved-name.ngrok.app';

// ---- fakes ----

class FakeSession implements TunnelSession {
  closed = false;
  private cbs: ((err: Error) => void)[] = [];
  constructor(private readonly u: string | null) {}
  url() { return this.closed ? null : this.u; }
  async close() { this.closed = true; }
  onDisconnect(cb: (err: Error) => void) { this.cbs.push(cb); }
  drop(err: Error = new Error('heartbeat timeout: transport closed')) { for (const cb of this.cbs) cb(err); }
}

interface Deferred<T> { promise: Promise<T>; resolve(v: T): void; reject(e: unknown): void }
function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
}

type Step = { ok: string | null } | { fail: unknown } | { hang: Deferred<TunnelSession> };

class FakeConnector implements TunnelConnector {
  calls: { addr: number; authtoken: string; domain?: string | null }[] = [];
  sessions: FakeSession[] = [];
  constructor(public steps: Step[] = [], private readonly fallback: Step = { ok: URL_ }) {}
  async connect(opts: { addr: number; authtoken: string; domain?: string | null }): Promise<TunnelSession> {
    this.calls.push(opts);
    const step = this.steps.shift() ?? this.fallback;
    if ('hang' in step) return step.hang.promise;
    if ('fail' in step) throw step.fail;
    const s = new FakeSession(step.ok);
    this.sessions.push(s);
    return s;
  }
}

function captureLogger(): { logger: Logger; lines: unknown[] } {
  const lines: unknown[] = [];
  const rec = (level: string) => (msg: string, ctx?: Record<string, unknown>) => { lines.push({ level, msg, ctx }); };
  return { lines, logger: { debug: rec('debug'), info: rec('info'), warn: rec('warn'), error: rec('error') } };
}

async function waitFor(cond: () => boolean, ms = 2000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 2));
  }
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function make(connector: TunnelConnector, over: Partial<Parameters<typeof createTunnel>[0]> = {}) {
  const log = captureLogger();
  let now = Date.UTC(2025, 0, 15, 9, 30, 0);
  const states: TunnelState[] = [];
  const tunnel = createTunnel({
    connector,
    getAuthtoken: () => TOKEN,
    getDomain: () => null,
    getPort: () => 4750,
    clock: () => now,
    logger: log.logger,
    backoffMs: [5, 10],
    ...over,
  });
  tunnel.onChange((s) => states.push(s));
  return { tunnel, states, log, setNow: (t: number) => { now = t; }, now: () => now };
}

// ---- state machine ----

describe('tunnel state machine', () => {
  it('starts off', () => {
    const { tunnel } = make(new FakeConnector());
    expect(tunnel.get().state).toBe('off');
  });

  it('goes off → connecting → online with the url, passing port, token and domain', async () => {
    const c = new FakeConnector([{ ok: URL_ }]);
    const { tunnel, states } = make(c, { getDomain: () => DOMAIN });
    const s = await tunnel.start();
    expect(s).toMatchObject({ state: 'online', url: URL_ });
    expect(states.map((x) => x.state)).toEqual(['connecting', 'online']);
    expect(c.calls).toEqual([{ addr: 4750, authtoken: TOKEN, domain: DOMAIN }]);
    expect(tunnel.get()).toMatchObject({ state: 'online', url: URL_ });
  });

  it('without a token ends in TUNNEL_NO_TOKEN at once and never calls the connector', async () => {
    const c = new FakeConnector();
    const { tunnel, states } = make(c, { getAuthtoken: () => null });
    const s = await tunnel.start();
    expect(s).toMatchObject({ state: 'error', code: 'TUNNEL_NO_TOKEN', message: ERROR_MESSAGES.TUNNEL_NO_TOKEN });
    expect(states.map((x) => x.state)).toEqual(['error']);
    expect(c.calls).toHaveLength(0);
  });

  it('start() is idempotent while connecting and while online', async () => {
    const hang = deferred<TunnelSession>();
    const c = new FakeConnector([{ hang }]);
    const { tunnel } = make(c);
    const p1 = tunnel.start();
    const p2 = tunnel.start();
    expect(tunnel.get().state).toBe('connecting');
    hang.resolve(new FakeSession(URL_));
    const [a, b] = await Promise.all([p1, p2]);
    expect(a.state).toBe('online');
    expect(b.state).toBe('online');
    await tunnel.start();
    expect(c.calls).toHaveLength(1);
  });

  it('stop() while connecting ends off and closes the session that arrives late', async () => {
    const hang = deferred<TunnelSession>();
    const c = new FakeConnector([{ hang }]);
    const { tunnel } = make(c);
    const p = tunnel.start();
    const stopped = await tunnel.stop();
    expect(stopped.state).toBe('off');
    const late = new FakeSession(URL_);
    hang.resolve(late);
    expect((await p).state).toBe('off');
    await waitFor(() => late.closed);
    expect(tunnel.get().state).toBe('off');
  });

  it('stop() closes an online session and can start again', async () => {
    const c = new FakeConnector();
    const { tunnel } = make(c);
    await tunnel.start();
    const s = await tunnel.stop();
    expect(s.state).toBe('off');
    expect(s.url).toBeUndefined();
    expect(c.sessions[0].closed).toBe(true);
    expect((await tunnel.start()).state).toBe('online');
    expect(c.calls).toHaveLength(2);
  });

  it('reconnects with back-off after a drop, saying since when it is down', async () => {
    const netErr = new Error('failed to connect session: failed to establish tcp connection');
    const c = new FakeConnector([{ ok: URL_ }, { fail: netErr }, { fail: netErr }, { ok: `${URL_}/2` }]);
    const { tunnel, states, setNow } = make(c);
    await tunnel.start();
    const downAt = Date.UTC(2025, 0, 15, 9, 41, 7);
    setNow(downAt);
    c.sessions[0].drop();
    expect(tunnel.get()).toMatchObject({ state: 'connecting', since: downAt, message: `reconnecting, down since ${formatClockTime(downAt)}` });
    expect(tunnel.get().message).toMatch(/^reconnecting, down since \d\d:\d\d:\d\d$/);
    expect(tunnel.get().url).toBeUndefined();
    expect(c.sessions[0].closed).toBe(true);
    await waitFor(() => tunnel.get().state === 'online');
    expect(tunnel.get().url).toBe(`${URL_}/2`);
    expect(c.calls).toHaveLength(4);
    // Failed retries stay in `connecting` (no flapping through `error`).
    expect(states.map((s) => s.state)).toEqual(['connecting', 'online', 'connecting', 'online']);
  });

  it('back-off follows the given delays and caps at the last one', async () => {
    const netErr = new Error('failed to establish tcp connection');
    const c = new FakeConnector([{ ok: URL_ }], { fail: netErr });
    const times: number[] = [];
    const origConnect = c.connect.bind(c);
    c.connect = async (o) => { times.push(Date.now()); return origConnect(o); };
    const { tunnel } = make(c, { backoffMs: [20, 60] });
    await tunnel.start();
    c.sessions[0].drop();
    await waitFor(() => times.length >= 5, 3000);
    await tunnel.stop();
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    // gaps[0] is start → drop (immediate); then 20, 60, 60…
    expect(gaps[1]).toBeGreaterThanOrEqual(18);
    expect(gaps[2]).toBeGreaterThanOrEqual(55);
    expect(gaps[3]).toBeGreaterThanOrEqual(55);
  });

  it('stop() cancels pending retries', async () => {
    const c = new FakeConnector([{ ok: URL_ }], { fail: new Error('failed to establish tcp connection') });
    const { tunnel } = make(c, { backoffMs: [30] });
    await tunnel.start();
    c.sessions[0].drop();
    expect(tunnel.get().state).toBe('connecting');
    expect((await tunnel.stop()).state).toBe('off');
    await sleep(80);
    expect(c.calls).toHaveLength(1);
    expect(tunnel.get().state).toBe('off');
  });

  it('a drop then an error a retry cannot fix ends in error without more retries', async () => {
    const c = new FakeConnector([{ ok: URL_ }, { fail: new Error('failed to connect session: authentication failed: The authtoken you specified is properly formed, but it is invalid. error_code: ERR_NGROK_107') }]);
    const { tunnel } = make(c);
    await tunnel.start();
    c.sessions[0].drop();
    await waitFor(() => tunnel.get().state === 'error');
    expect(tunnel.get()).toMatchObject({ code: 'TUNNEL_INVALID_TOKEN', message: ERROR_MESSAGES.TUNNEL_INVALID_TOKEN });
    await sleep(50);
    expect(c.calls).toHaveLength(2);
  });

  it('a token removed while reconnecting ends in TUNNEL_NO_TOKEN', async () => {
    let token: string | null = TOKEN;
    const c = new FakeConnector([{ ok: URL_ }]);
    const { tunnel } = make(c, { getAuthtoken: () => token });
    await tunnel.start();
    token = null;
    c.sessions[0].drop();
    await waitFor(() => tunnel.get().state === 'error');
    expect(tunnel.get().code).toBe('TUNNEL_NO_TOKEN');
    expect(c.calls).toHaveLength(1);
  });

  it('a first connect that fails with a network error does not retry', async () => {
    const c = new FakeConnector([], { fail: new Error('failed to connect session: failed to establish tcp connection') });
    const { tunnel } = make(c);
    const s = await tunnel.start();
    expect(s).toMatchObject({ state: 'error', code: 'TUNNEL_NO_NETWORK', message: ERROR_MESSAGES.TUNNEL_NO_NETWORK });
    await sleep(40);
    expect(c.calls).toHaveLength(1);
    // Retrying by hand works: start() from `error` tries again.
    await tunnel.start();
    expect(c.calls).toHaveLength(2);
  });

  it('a drop of a stale session after stop is ignored', async () => {
    const c = new FakeConnector();
    const { tunnel } = make(c);
    await tunnel.start();
    const first = c.sessions[0];
    await tunnel.stop();
    first.drop();
    expect(tunnel.get().state).toBe('off');
    await sleep(30);
    expect(c.calls).toHaveLength(1);
  });

  it('onChange unsubscribes, and close() stops and ignores later starts', async () => {
    const c = new FakeConnector();
    const { tunnel } = make(c);
    const seen: string[] = [];
    const off = tunnel.onChange((s) => seen.push(s.state));
    await tunnel.start();
    off();
    await tunnel.stop();
    expect(seen).toEqual(['connecting', 'online']);
    await tunnel.start();
    await tunnel.close();
    expect(tunnel.get().state).toBe('off');
    expect((await tunnel.start()).state).toBe('off');
    expect(c.calls).toHaveLength(2);
  });
});

// ---- each error, with our code and wording ----

const CASES: [string, unknown, ErrorCode][] = [
  ['invalid token (107)', Object.assign(new Error(`failed to connect session: authentication failed: The authtoken you specified is properly formed, but it is invalid.\nYour authtoken: ${TOKEN}\n error_code: ERR_NGROK_107`), { errorCode: 'ERR_NGROK_107' }), 'TUNNEL_INVALID_TOKEN'],
  ['malformed token (105)', new Error(`failed to connect session: authentication failed: The authtoken you specified does not look like a proper ngrok tunnel authtoken. Your authtoken: ${TOKEN} error_code: ERR_NGROK_105`), 'TUNNEL_INVALID_TOKEN'],
  ['no network (real offline text)', Object.assign(new Error('failed to connect session: failed to establish tcp connection'), { code: 'GenericFailure' }), 'TUNNEL_NO_NETWORK'],
  ['no network (DNS)', Object.assign(new Error('getaddrinfo ENOTFOUND connect.ngrok-agent.com'), { code: 'ENOTFOUND' }), 'TUNNEL_NO_NETWORK'],
  ['session limit (108)', new Error('failed to connect session: Your account is limited to 1 simultaneous ngrok agent sessions. error_code: ERR_NGROK_108'), 'TUNNEL_SESSION_LIMIT'],
  ['domain not allowed (320)', new Error(`failed to start listener: This domain is reserved for another account. Failed to bind the domain "${DOMAIN}" error_code: ERR_NGROK_320`), 'TUNNEL_DOMAIN_NOT_ALLOWED'],
  ['domain not reserved (319)', new Error(`failed to start listener: You must reserve a custom hostname for your account before it can be bound. Failed to bind the domain "${DOMAIN}" error_code: ERR_NGROK_319`), 'TUNNEL_DOMAIN_NOT_ALLOWED'],
  ['free plan subdomain (313)', new Error('failed to start listener: Only paid plans may bind custom subdomains. error_code: ERR_NGROK_313'), 'TUNNEL_DOMAIN_NOT_ALLOWED'],
  ['anything else', new Error('something unexpected'), 'TUNNEL_FAILED'],
];

describe('tunnel errors', () => {
  for (const [name, err, code] of CASES) {
    it(`${name} → ${code} with a message a person can act on`, async () => {
      const c = new FakeConnector([{ fail: err }]);
      const { tunnel } = make(c, { getDomain: () => DOMAIN });
      const s = await tunnel.start();
      expect(s.state).toBe('error');
      expect(s.code).toBe(code);
      expect(s.message).toBe(ERROR_MESSAGES[code]);
      expect(s.message).not.toContain(TOKEN);
      expect(s.url).toBeUndefined();
    });
  }

  it('classifyTunnelError reads our own codes, errorCode, and Node network codes', () => {
    expect(classifyTunnelError(new HookscopeError('TUNNEL_SESSION_LIMIT'))).toBe('TUNNEL_SESSION_LIMIT');
    expect(classifyTunnelError(new TunnelConnectError('TUNNEL_NO_NETWORK', null, null))).toBe('TUNNEL_NO_NETWORK');
    expect(classifyTunnelError(Object.assign(new Error('x'), { errorCode: 'ERR_NGROK_4018' }))).toBe('TUNNEL_INVALID_TOKEN');
    expect(classifyTunnelError(Object.assign(new Error('x'), { errorCode: 'ERR_NGROK_348' }))).toBe('TUNNEL_SESSION_LIMIT');
    expect(classifyTunnelError(Object.assign(new Error('x'), { errorCode: 'ERR_NGROK_7118' }))).toBe('TUNNEL_DOMAIN_NOT_ALLOWED');
    expect(classifyTunnelError(Object.assign(new Error('fetch failed'), { cause: { code: 'ECONNREFUSED' } }))).toBe('TUNNEL_NO_NETWORK');
    expect(classifyTunnelError(Object.assign(new Error('x'), { code: 'ETIMEDOUT' }))).toBe('TUNNEL_NO_NETWORK');
    expect(classifyTunnelError('tls handshake error')).toBe('TUNNEL_NO_NETWORK');
    expect(classifyTunnelError(null)).toBe('TUNNEL_FAILED');
    expect(classifyTunnelError(new HookscopeError('INTERNAL'))).toBe('TUNNEL_FAILED');
  });

  it('redactTunnelText removes tokens, URLs and ngrok hosts', () => {
    const text = `Your authtoken: ${TOKEN} url ${URL_}/meta host ${DOMAIN} and abc.ngrok-free.dev`;
    const r = redactTunnelText(text, [TOKEN]);
    expect(r).not.toContain(TOKEN);
    expect(r).not.toContain('ngrok-free.app');
    expect(r).not.toContain(DOMAIN);
    expect(r).not.toContain('abc.ngrok-free.dev');
  });
});

// ---- logs ----

describe('tunnel logs', () => {
  it('never contain the authtoken, the domain or the URL', async () => {
    const leaky = new Error(`failed to connect session: authentication failed: Your authtoken: ${TOKEN} (bound ${URL_}, domain ${DOMAIN}) error_code: ERR_NGROK_107`);
    const c = new FakeConnector([{ ok: URL_ }, { fail: new Error(`failed to establish tcp connection to ${URL_} with ${TOKEN}`) }, { fail: leaky }]);
    const { tunnel, log } = make(c, { getDomain: () => DOMAIN });
    await tunnel.start();
    c.sessions[0].drop(new Error(`session to ${URL_} closed; token ${TOKEN}`));
    await waitFor(() => tunnel.get().state === 'error');
    await tunnel.stop();
    const noToken = make(new FakeConnector(), { getAuthtoken: () => null });
    await noToken.tunnel.start();

    const all = JSON.stringify([...log.lines, ...noToken.log.lines]);
    expect(log.lines.length).toBeGreaterThan(4);
    expect(all).not.toContain(TOKEN);
    expect(all).not.toContain(URL_);
    expect(all).not.toContain('f00d-1-2-3-4');
    expect(all).not.toContain(DOMAIN);
    expect(all).not.toContain('my-reserved-name');
  });
});

// ---- the connector's own guarantees, over a stand-in for the native module ----

type Handler = (addr: string, error: string) => boolean;

function stubModule(opts: { connect: () => Promise<unknown>; url?: string }) {
  const record = { handler: null as Handler | null, closes: 0, forwardedTo: '' as string, domain: null as string | null, token: '' };
  class SessionBuilder {
    authtoken(t: string) { record.token = t; return this; }
    clientInfo() { return this; }
    handleDisconnection(h: Handler) { record.handler = h; return this; }
    handleStopCommand() { return this; }
    connect() { return opts.connect(); }
  }
  const session = {
    httpEndpoint() {
      const ep = {
        domain(d: string) { record.domain = d; return ep; },
        async listenAndForward(to: string) { record.forwardedTo = to; return { url: () => opts.url ?? URL_ }; },
      };
      return ep;
    },
    async close() { record.closes++; },
  };
  const mod = { SessionBuilder } as unknown as typeof import('@ngrok/ngrok');
  return { mod, record, session };
}

describe('ngrok connector (stubbed native module)', () => {
  it('connects, forwards to the local port, binds the domain, and reports the url', async () => {
    const stub = stubModule({ connect: async () => stub.session });
    const c = createNgrokConnector({ load: async () => stub.mod });
    const s = await c.connect({ addr: 4750, authtoken: TOKEN, domain: DOMAIN });
    expect(s.url()).toBe(URL_);
    expect(stub.record).toMatchObject({ token: TOKEN, domain: DOMAIN, forwardedTo: 'http://127.0.0.1:4750' });
    await s.close();
    expect(stub.record.closes).toBe(1);
  });

  it('gives up after the connect timeout with TUNNEL_NO_NETWORK and closes a session that resolves late', async () => {
    const late = deferred<unknown>();
    const stub = stubModule({ connect: () => late.promise });
    const c = createNgrokConnector({ load: async () => stub.mod, connectTimeoutMs: 50 });
    const t0 = Date.now();
    const err = await c.connect({ addr: 1, authtoken: TOKEN }).catch((e) => e);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(err).toBeInstanceOf(TunnelConnectError);
    expect(err.code).toBe('TUNNEL_NO_NETWORK');
    expect(err.message).toBe(ERROR_MESSAGES.TUNNEL_NO_NETWORK);
    late.resolve(stub.session);
    await waitFor(() => stub.record.closes === 1);
  });

  it('on a drop, cancels ngrok\'s own reconnect loop, closes the session and tells the tunnel', async () => {
    const stub = stubModule({ connect: async () => stub.session });
    const c = createNgrokConnector({ load: async () => stub.mod });
    const s = await c.connect({ addr: 4750, authtoken: TOKEN });
    const got: Error[] = [];
    s.onDisconnect?.((e) => got.push(e));
    expect(stub.record.handler).toBeTypeOf('function');
    expect(stub.record.handler!('connect.ngrok-agent.com:443', 'heartbeat timeout')).toBe(false);
    expect(got).toHaveLength(1);
    expect(classifyTunnelError(got[0])).toBe('TUNNEL_NO_NETWORK');
    await waitFor(() => stub.record.closes === 1);
    expect(s.url()).toBeNull();
    // A second call from ngrok is still answered false and not reported twice.
    expect(stub.record.handler!('connect.ngrok-agent.com:443', 'again')).toBe(false);
    expect(got).toHaveLength(1);
  });

  it('maps a module that cannot load to TUNNEL_FAILED without throwing anything else', async () => {
    const c = createNgrokConnector({ load: async () => { throw new Error('Cannot find module ngrok.linux-x64-gnu.node'); } });
    const err = await c.connect({ addr: 1, authtoken: TOKEN }).catch((e) => e);
    expect(err).toBeInstanceOf(TunnelConnectError);
    expect(err.code).toBe('TUNNEL_FAILED');
  });

  it('strips the token from the redacted detail of an ngrok error', async () => {
    const stub = stubModule({ connect: async () => { throw new Error(`authentication failed: Your authtoken: ${TOKEN} error_code: ERR_NGROK_107`); } });
    const c = createNgrokConnector({ load: async () => stub.mod });
    const err = await c.connect({ addr: 1, authtoken: TOKEN }).catch((e) => e);
    expect(err.code).toBe('TUNNEL_INVALID_TOKEN');
    expect(err.ngrokCode).toBe('ERR_NGROK_107');
    expect(err.detail).not.toContain(TOKEN);
  });
});

