// A team server (docs/api.md "Team server"): the control API beyond loopback with per-user tokens. Over
// real HTTP against the built `serve`: every role × a representative set of routes (reads, changes, the
// live stream), a revoked token refused (its open stream ended), the CLI's tokens taking effect on a
// running server, tokens never in logs or on disk, and the Host check accepting the declared public name
// while refusing any other name.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { execFile, spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { HEADLESS, startServe, type ServeProcess } from '../helpers/serve';

let s: ServeProcess;
let port: string;
const PUBLIC = 'https://hooks.team.example';

beforeAll(async () => {
  s = await startServe(['--ui-host', '0.0.0.0', '--ui-public-url', PUBLIC], { HOOKSCOPE_DEBUG: '1' });
  port = new URL(s.uiBase).port;
});
afterAll(async () => { await s?.stop(); });

async function call(token: string | null, method: string, path: string, body?: unknown) {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const ctl = new AbortController();
  const r = await fetch(`${s.uiBase}${path}`, { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body), signal: ctl.signal });
  const type = r.headers.get('content-type') ?? '';
  const text = type.startsWith('text/event-stream') ? '' : await r.text();
  ctl.abort();
  let json: { error?: { code: string; message: string } } & Record<string, unknown> = {};
  try { json = text ? JSON.parse(text) : {}; } catch { /* csv, text */ }
  return { status: r.status, type, json, text };
}

async function makeToken(name: string, role: 'viewer' | 'admin', by = s.token) {
  const r = await call(by, 'POST', '/api/tokens', { name, role });
  expect(r.status, JSON.stringify(r.json)).toBe(201);
  return r.json as { id: string; name: string; role: string; token: string };
}

function withHost(host: string, path: string, token = s.token): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    httpRequest({ host: '127.0.0.1', port, path, headers: { host, authorization: `Bearer ${token}` } },
      (res) => { resolve(res.statusCode!); res.resume(); }).on('error', reject).end();
  });
}

/**
 * The tokens CLI, without blocking this process: a blocked event loop lets the server close kept-alive
 * sockets under the fetch client, which then fails its next request.
 */
function cli(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [HEADLESS, 'tokens', ...args, '--data-dir', s.dataDir], { encoding: 'utf8' }, (err, stdout, stderr) => {
      resolve({ status: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

/** Reads from a live stream until `pred` holds for the text so far (or the stream ends). */
async function readStream(res: Response, pred: (text: string) => boolean): Promise<{ text: string; ended: boolean }> {
  const reader = res.body!.getReader();
  let text = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return { text, ended: true };
    text += Buffer.from(value).toString('utf8');
    if (pred(text)) { void reader.cancel(); return { text, ended: false }; }
  }
}

const READS: [string, string, unknown?][] = [
  ['GET', '/api/events'], ['GET', '/api/settings'], ['GET', '/api/rules'], ['GET', '/api/stats'], ['GET', '/api/tunnel'],
  ['GET', '/api/rejected'], ['GET', '/api/notifications'], ['GET', '/api/export?format=csv'], ['GET', '/api/doctor'], ['GET', '/api/health'],
  ['POST', '/api/rpc/events:list', {}], ['POST', '/api/rpc/settings:get'], ['POST', '/api/rules/preview', { rule: { name: 'x', when: {} } }],
];
const CHANGES: [string, string, unknown?][] = [
  ['POST', '/api/rules', { name: 'by viewer', when: {} }], ['PUT', '/api/rules/1', { name: 'x', when: {} }], ['DELETE', '/api/rules/1'],
  ['PUT', '/api/settings', { forwardTargets: ['http://127.0.0.1:9/viewer'] }], ['POST', '/api/rpc/settings:update', { forwardTargets: ['http://127.0.0.1:9/viewer'] }],
  ['POST', '/api/replay/1', {}], ['POST', '/api/simulate', { kind: 'message' }], ['POST', '/api/rpc/simulate:send', { kind: 'message' }],
  ['POST', '/api/tunnel/start'], ['DELETE', '/api/contacts/5511900000000'], ['POST', '/api/rejected/reverify'],
  ['POST', '/api/import?format=ndjson', ''], ['POST', '/api/rpc/settings:reveal-verify-token'],
  ['GET', '/api/tokens'], ['POST', '/api/tokens', { name: 'viewer-made', role: 'admin' }], ['DELETE', '/api/tokens/anything'],
  ['POST', '/api/ui-token/rotate'], ['PUT', '/api/health/silence', { enabled: true }],
];

describe('team server: per-user tokens and roles', { timeout: 60_000 }, () => {
  it('prints the TLS advice and the public address when listening beyond loopback', () => {
    expect(s.stdout()).toMatch(/warning: the UI and control API listen on 0\.0\.0\.0:\d+, beyond this computer\. Put TLS in front/);
    expect(s.stdout()).toContain(`ui public: ${PUBLIC}/`);
  });

  it('the data dir\'s UI token is an admin; /api/me says who each caller is', async () => {
    expect((await call(s.token, 'GET', '/api/me')).json).toEqual({ role: 'admin', name: null });
    const v = await makeToken('vera', 'viewer');
    expect(v.token).toMatch(/^hs_[A-Za-z0-9_-]{43}$/);
    expect((await call(v.token, 'GET', '/api/me')).json).toEqual({ role: 'viewer', name: 'vera' });
    expect((await call(v.token, 'POST', '/api/rpc/app:me')).json).toEqual({ ok: true, value: { role: 'viewer', name: 'vera' } });
    expect((await call(v.token, 'POST', '/api/rpc/app%3Ame')).json).toEqual({ ok: true, value: { role: 'viewer', name: 'vera' } });
    const a = await makeToken('adam', 'admin');
    expect((await call(a.token, 'GET', '/api/me')).json).toEqual({ role: 'admin', name: 'adam' });
  });

  it('a viewer reads every route and is refused every change with 403 and a clear message; nothing changed', async () => {
    const v = await makeToken('viewer-matrix', 'viewer');
    for (const [m, p, b] of READS) {
      const r = await call(v.token, m, p, b);
      expect(r.status, `${m} ${p}`).toBe(200);
    }
    for (const [m, p, b] of CHANGES) {
      const r = await call(v.token, m, p, b);
      expect(r.status, `${m} ${p}`).toBe(403);
      expect(r.json.error?.code, `${m} ${p}`).toBe('FORBIDDEN_ROLE');
      expect(r.json.error?.message).toMatch(/viewer-matrix.*viewer.*not change/);
    }
    expect((await call(s.token, 'GET', '/api/rules')).json).toEqual([]);
    expect(JSON.stringify((await call(s.token, 'GET', '/api/settings')).json)).not.toContain('/viewer');
    expect(((await call(s.token, 'GET', '/api/tokens')).json.items as { name: string }[]).map((t) => t.name)).not.toContain('viewer-made');
    expect(((await call(s.token, 'GET', '/api/events')).json as { total: number }).total).toBe(0);
  });

  it('an admin token may read and change: rules, settings, simulate, tokens', async () => {
    const a = await makeToken('admin-matrix', 'admin');
    for (const [m, p, b] of READS) expect((await call(a.token, m, p, b)).status, `${m} ${p}`).toBe(200);
    const rule = await call(a.token, 'POST', '/api/rules', { name: 'by admin', when: { kind: ['message'] } });
    expect(rule.status).toBe(201);
    expect((await call(a.token, 'PUT', '/api/settings', { retention: { days: 7 } })).status).toBe(200);
    expect((await call(a.token, 'DELETE', `/api/rules/${String(rule.json.id)}`)).status).toBe(200);
    const made = await makeToken('made-by-admin', 'viewer', a.token);
    expect((await call(a.token, 'DELETE', `/api/tokens/${made.id}`)).status).toBe(200);
    expect((await call(made.token, 'GET', '/api/events')).status).toBe(401);
  });

  it('the live stream: a viewer follows it; revoking the token ends the open stream and refuses it from then on', async () => {
    const v = await makeToken('stream-viewer', 'viewer');
    const ctl = new AbortController();
    const live = await fetch(`${s.uiBase}/api/live?token=${v.token}`, { signal: ctl.signal });
    expect(live.status).toBe(200);
    expect(live.headers.get('content-type')).toMatch(/event-stream/);
    const seen = readStream(live, (t) => t.includes('event: events:appended'));
    expect((await call(s.token, 'POST', '/api/simulate', { kind: 'message', text: 'for the team' })).status).toBe(200);
    expect((await seen).text).toContain('for the team');

    const live2 = await fetch(`${s.uiBase}/api/live`, { headers: { authorization: `Bearer ${v.token}` } });
    const ended = readStream(live2, () => false);
    const list = await call(s.token, 'GET', '/api/tokens');
    const id = (list.json.items as { id: string; name: string }[]).find((t) => t.name === 'stream-viewer')!.id;
    expect((await call(s.token, 'DELETE', `/api/tokens/${id}`)).json).toMatchObject({ revoked: { name: 'stream-viewer', role: 'viewer' } });
    expect((await ended).ended).toBe(true);
    const after = await call(v.token, 'GET', '/api/events');
    expect(after.status).toBe(401);
    expect((await call(v.token, 'GET', '/api/live')).status).toBe(401);
    ctl.abort();
  });

  it('lists names, roles, created and last used — never the token or its hash; the file keeps hashes only', async () => {
    const v = await makeToken('listed', 'viewer');
    await call(v.token, 'GET', '/api/events');
    const list = await call(s.token, 'GET', '/api/tokens');
    const item = (list.json.items as Record<string, unknown>[]).find((t) => t.name === 'listed')!;
    expect(Object.keys(item).sort()).toEqual(['createdAt', 'id', 'lastUsedAt', 'name', 'role']);
    expect(item.lastUsedAt).toEqual(expect.any(Number));
    expect(list.text).not.toContain(v.token);
    const file = join(s.dataDir, 'ui-tokens.json');
    const stored = readFileSync(file, 'utf8');
    expect(stored).not.toContain(v.token);
    expect(stored).toMatch(/"sha256": "[0-9a-f]{64}"/);
    expect(statSync(file).mode & 0o077).toBe(0);
  });

  it('tokens made and revoked with the CLI work on the running server at once', async () => {
    const add = await cli('add', 'cli user', '--role', 'viewer');
    expect(add.status, add.stderr).toBe(0);
    const token = /^(hs_\S+)$/m.exec(add.stdout)![1];
    expect((await call(token, 'GET', '/api/me')).json).toEqual({ role: 'viewer', name: 'cli user' });
    expect((await call(token, 'POST', '/api/rules', { name: 'x', when: {} })).status).toBe(403);
    const list = await cli('list');
    expect(list.stdout).toMatch(/^cli user\tviewer\tcreated /m);
    expect(list.stdout).not.toContain(token);
    const dup = await cli('add', 'cli user');
    expect(dup.status).toBe(1);
    expect(dup.stderr).toMatch(/already a token named "cli user"/);
    const bad = await cli('add', 'x', '--role', 'owner');
    expect(bad.status).toBe(2);
    const revoke = await cli('revoke', 'cli user');
    expect(revoke.status).toBe(0);
    expect((await call(token, 'GET', '/api/events')).status).toBe(401);
  });

  it('the Host check accepts the declared public name (with or without its port) and loopback, and refuses other names', async () => {
    const v = await makeToken('host-viewer', 'viewer');
    expect(await withHost('hooks.team.example', '/api/events', v.token)).toBe(200);
    expect(await withHost('HOOKS.team.example:443', '/api/events')).toBe(200);
    expect(await withHost(`127.0.0.1:${port}`, '/api/events')).toBe(200);
    expect(await withHost(`localhost:${port}`, '/api/events')).toBe(200);
    for (const evil of ['evil.example', `evil.example:${port}`, 'hooks.team.example.evil.example', 'hooks.team.example:8443', 'team.example', `127.0.0.1.evil.example:${port}`]) {
      expect(await withHost(evil, '/api/events'), evil).toBe(403);
      expect(await withHost(evil, '/'), evil).toBe(403);
    }
    // No Host header at all (HTTP/1.0) is refused too.
    const raw = await new Promise<string>((resolve) => {
      const c = connect(Number(port), '127.0.0.1', () => c.write(`GET /api/events HTTP/1.0\r\nAuthorization: Bearer ${s.token}\r\n\r\n`));
      let d = '';
      c.on('data', (x) => { d += x; });
      c.on('close', () => resolve(d));
    });
    expect(raw.split('\r\n')[0]).toMatch(/ 403 /);
  });

  it('no token ever reaches the logs', async () => {
    const v = await makeToken('quiet', 'viewer');
    await call(v.token, 'GET', '/api/events?q=x');
    await fetch(`${s.uiBase}/api/events?token=${v.token}`);
    await call(v.token, 'POST', '/api/rules', { name: 'x', when: {} });
    await call('hs_wrong-token-value-for-the-log-check', 'GET', '/api/events');
    const logs = s.stdout() + s.stderr();
    expect(logs).toContain('token created'); // the debug log is on, and token events are logged …
    expect(logs).not.toContain(v.token); // … without the token
    expect(logs).not.toContain('hs_wrong-token-value-for-the-log-check');
    for (const t of (await call(s.token, 'GET', '/api/tokens')).json.items as { id: string }[]) expect(logs).not.toContain(t.id);
  });
});

describe('team server: on loopback by default', { timeout: 30_000 }, () => {
  it('without --ui-host only 127.0.0.1 listens, no warning, and a public name is refused', async () => {
    const local = await startServe();
    try {
      expect(local.stdout()).not.toMatch(/beyond this computer/);
      expect(local.uiBase).toMatch(/^http:\/\/127\.0\.0\.1:/);
      const p = new URL(local.uiBase).port;
      const st = await new Promise<number>((resolve) => {
        httpRequest({ host: '127.0.0.1', port: p, path: '/api/events', headers: { host: 'hooks.team.example', authorization: `Bearer ${local.token}` } },
          (res) => { resolve(res.statusCode!); res.resume(); }).end();
      });
      expect(st).toBe(403);
    } finally { await local.stop(); }
  });

  it('rejects a --ui-public-url that is not an origin', () => {
    const r = spawnSync(process.execPath, [HEADLESS, '--ui-host', '0.0.0.0', '--ui-public-url', 'https://hooks.team.example/ui?x=1', '--port', '0', '--ui-port', '0'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/--ui-public-url: must be an origin only/);
  });
});
