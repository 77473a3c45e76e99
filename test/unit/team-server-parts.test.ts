// The team server's pieces without a process: which Host values pass, the token store (hashes only, a
// damaged file grants nothing, changes on disk picked up), and the desktop's remote client (the SSE
// parser across chunk boundaries, its connection states and back-off, how server answers become envelopes).
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allowedHosts, uiPublicUrlProblem } from '../../electron/serve/ui-host';
import { createUserTokenStore, USER_TOKENS_FILE } from '../../electron/serve/user-tokens';
import { createRemoteClient, normaliseServerUrl, type RemoteState } from '../../electron/core/remote/client';
import { silentLogger } from '../../electron/core/types';
import { createIpcBridge } from '../../renderer/state/bridge';
import { CHANNEL_ROLE } from '../../shared/roles';

describe('Host values a control API answers', () => {
  it('on loopback: only 127.0.0.1 and localhost at the port', () => {
    expect([...allowedHosts({ bindHost: '127.0.0.1', port: 4751, publicUrl: null })].sort()).toEqual(['127.0.0.1:4751', 'localhost:4751']);
  });
  it('bound to every interface: this machine\'s addresses and the public name, with and without its port', () => {
    const h = allowedHosts({ bindHost: '0.0.0.0', port: 4751, publicUrl: 'https://Hooks.Team.example', interfaceAddresses: ['10.0.0.5', 'fe80::1'] });
    for (const ok of ['10.0.0.5:4751', '[fe80::1]:4751', '[::1]:4751', 'hooks.team.example', 'hooks.team.example:443', 'localhost:4751']) expect(h.has(ok), ok).toBe(true);
    for (const no of ['10.0.0.5', 'hooks.team.example:4751', 'evil.example:4751', '10.0.0.6:4751']) expect(h.has(no), no).toBe(false);
  });
  it('a specific address and a public URL with its own port', () => {
    const h = allowedHosts({ bindHost: '192.168.1.20', port: 80, publicUrl: 'http://hooks.lan:8080', interfaceAddresses: [] });
    expect(h.has('192.168.1.20:80')).toBe(true);
    expect(h.has('hooks.lan:8080')).toBe(true);
    expect(h.has('hooks.lan:80')).toBe(false);
  });
  it('the public URL is an origin', () => {
    expect(uiPublicUrlProblem('https://hooks.team.example')).toBeNull();
    expect(uiPublicUrlProblem('https://hooks.team.example/')).toBeNull();
    expect(uiPublicUrlProblem('https://hooks.team.example/ui')).toMatch(/origin only/);
    expect(uiPublicUrlProblem('ftp://x')).toMatch(/https/);
    expect(uiPublicUrlProblem('https://u:p@x.example')).toMatch(/user name/);
  });
});

describe('per-user token store', () => {
  it('keeps hashes only, verifies, revokes, and refuses duplicate or odd names', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hs-tokens-'));
    const store = createUserTokenStore(dir, () => 1000);
    const a = store.add('alice', 'viewer');
    expect(readFileSync(join(dir, USER_TOKENS_FILE), 'utf8')).not.toContain(a.token);
    expect(store.verify(a.token)).toMatchObject({ name: 'alice', role: 'viewer', lastUsedAt: 1000 });
    expect(store.verify(`${a.token}x`)).toBeNull();
    expect(() => store.add('alice', 'admin')).toThrow(/already a token named/);
    expect(() => store.add(' ', 'admin')).toThrow(/name/);
    expect(() => store.add('x', 'owner' as never)).toThrow(/role/);
    expect(store.revoke('alice')?.name).toBe('alice');
    expect(store.verify(a.token)).toBeNull();
    expect(store.revoke('alice')).toBeNull();
  });
  it('another process\'s change is seen at once; a damaged file grants nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hs-tokens-'));
    const server = createUserTokenStore(dir);
    const cli = createUserTokenStore(dir);
    const b = cli.add('bob', 'admin');
    expect(server.verify(b.token)?.role).toBe('admin');
    cli.revoke(b.id);
    expect(server.verify(b.token)).toBeNull();
    const c = cli.add('carol', 'viewer');
    writeFileSync(join(dir, USER_TOKENS_FILE), '{ not json');
    expect(server.verify(c.token)).toBeNull();
    expect(server.list()).toEqual([]);
  });
});

describe('roles', () => {
  it('every channel that changes something is admin-only', () => {
    const adminOnly = Object.entries(CHANNEL_ROLE).filter(([, r]) => r === 'admin').map(([c]) => c).sort();
    expect(adminOnly).toEqual(['businesses:name', 'contacts:forget', 'forwards:drop', 'forwards:retry', 'import:file', 'rejected:reverify', 'replay:filtered', 'replay:send', 'rules:create', 'rules:delete',
      'rules:test', 'rules:update', 'settings:reveal-verify-token', 'settings:update', 'simulate:send', 'tunnel:start', 'tunnel:stop', 'views:create', 'views:delete', 'views:update']);
  });
});

/** A fetch whose /api/live answers with the given chunks, one stream per call. */
function fakeServer(streams: (string[] | 'refuse' | 'down')[], rpc: (path: string) => Response = () => new Response('{}')) {
  let n = 0;
  const calls: string[] = [];
  const f = (async (input: string | URL, init?: RequestInit) => {
    const url = String(input);
    calls.push(`${init?.method ?? 'GET'} ${url} ${JSON.stringify(init?.headers ?? {})}`);
    if (!url.endsWith('/api/live')) return rpc(url);
    const s = streams[Math.min(n++, streams.length - 1)];
    if (s === 'down') throw new TypeError('fetch failed');
    if (s === 'refuse') return new Response('{"error":{"code":"UNAUTHORIZED","message":"no"}}', { status: 401 });
    const body = new ReadableStream<Uint8Array>({
      start(c) { for (const chunk of s) c.enqueue(new TextEncoder().encode(chunk)); c.close(); },
    });
    return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
  }) as typeof fetch;
  return { f, calls };
}

describe('remote client (the desktop showing a team server)', () => {
  it('parses frames split anywhere, skips malformed ones, and reconnects after the stream ends', async () => {
    const { f, calls } = fakeServer([
      ['retry: 2000\n: connected\n\nevent: events:app', 'ended\ndata: [{"id":1,"text":"a"}]\n\nevent: events:appended\ndata: {not json\n\n',
        'event: nonsense:channel\ndata: {}\n\nevent: tunnel:changed\r\ndata: {"state":"off",\r\ndata: "since":0}\r\n\r\n'],
      'down',
      ['event: events:appended\ndata: [{"id":2}]\n\n'],
      'down',
    ]);
    const c = createRemoteClient({ url: 'http://team.example/', token: 'tok', logger: silentLogger, fetch: f, retryMs: 1, maxRetryMs: 2 });
    const events: unknown[] = [];
    const tunnels: unknown[] = [];
    const states: RemoteState[] = [];
    c.on('events:appended', (p) => events.push(p));
    c.on('tunnel:changed', (p) => tunnels.push(p));
    c.onState((s) => states.push(s));
    c.start();
    while (events.length < 2) await new Promise((r) => setTimeout(r, 5));
    await c.stop();
    expect(events).toEqual([[{ id: 1, text: 'a' }], [{ id: 2 }]]);
    expect(tunnels).toEqual([{ state: 'off', since: 0 }]);
    expect(states.slice(0, 4)).toEqual(['open', 'down', 'connecting', 'down']);
    expect(states).toContain('open');
    // The token goes in the header, never in a URL.
    expect(calls.every((l) => !l.split(' ')[1].includes('tok'))).toBe(true);
    expect(calls[0]).toContain('"authorization":"Bearer tok"');
  });

  it('stop() ends a client that is waiting to retry', async () => {
    const { f } = fakeServer(['refuse']);
    const c = createRemoteClient({ url: 'http://team.example', token: 't', logger: silentLogger, fetch: f, retryMs: 60_000 });
    const states: RemoteState[] = [];
    c.onState((s) => states.push(s));
    c.start();
    while (!states.includes('down')) await new Promise((r) => setTimeout(r, 5));
    await c.stop();
    expect(c.state()).toBe('down');
  });

  it('turns the server\'s answers into envelopes: values, its error codes, and a non-Hookscope answer', async () => {
    const { f } = fakeServer([], (url) => url.endsWith('events:list') ? new Response('{"ok":true,"value":{"total":3}}')
      : url.endsWith('rules:create') ? new Response('{"error":{"code":"FORBIDDEN_ROLE","message":"viewer"}}', { status: 403 })
        : new Response('<html>proxy error</html>', { status: 502 }));
    const c = createRemoteClient({ url: 'http://team.example', token: 't', logger: silentLogger, fetch: f });
    expect(await c.call('events:list', {})).toEqual({ ok: true, value: { total: 3 } });
    expect(await c.call('rules:create', {})).toEqual({ ok: false, error: { code: 'FORBIDDEN_ROLE', message: 'viewer' } });
    expect(await c.call('stats:get', {})).toMatchObject({ ok: false, error: { code: 'SERVER_UNREACHABLE' } });
    expect(await c.call('no:such', {})).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    await expect(c.handlers['rules:create']({ name: 'x', when: {} })).rejects.toMatchObject({ code: 'FORBIDDEN_ROLE' });
    const down = createRemoteClient({ url: 'http://team.example', token: 't', logger: silentLogger, fetch: (async () => { throw new TypeError('fetch failed'); }) as typeof fetch });
    expect(await down.call('events:list', {})).toMatchObject({ ok: false, error: { code: 'SERVER_UNREACHABLE' } });
  });

  it('normalises the address and refuses one carrying a token', () => {
    expect(normaliseServerUrl(' https://hooks.team.example/ ')).toEqual({ url: 'https://hooks.team.example' });
    expect(normaliseServerUrl('https://team.example/hookscope/')).toEqual({ url: 'https://team.example/hookscope' });
    expect(normaliseServerUrl('https://team.example/?token=abc')).toHaveProperty('error');
    expect(normaliseServerUrl('file:///etc/passwd')).toHaveProperty('error');
    expect(normaliseServerUrl('not a url')).toHaveProperty('error');
  });
});

describe('desktop bridge: connection state', () => {
  it('its own core is open at once; a team server\'s stream state follows main\'s pushes', () => {
    const subs = new Map<string, (p: unknown) => void>();
    const bridge = createIpcBridge({ invoke: async () => ({ ok: true, value: null }), on: (ch, cb) => { subs.set(ch, cb); return () => subs.delete(ch); }, ready: () => {} });
    const states: string[] = [];
    bridge.onConnection!((s) => states.push(s));
    subs.get('connection:changed')!({ state: 'down' });
    subs.get('connection:changed')!({ state: 'bogus' });
    subs.get('connection:changed')!({ state: 'open' });
    expect(states).toEqual(['open', 'down', 'open']);
  });
});
