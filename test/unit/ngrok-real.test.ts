// The REAL @ngrok/ngrok package, on a machine without internet: the tunnel must end in a clear
// error within seconds, leave nothing running, and never disturb the local receiver.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { build } from 'esbuild';
import type { AddressInfo } from 'node:net';
import { ERROR_MESSAGES } from '../../shared/errors';
import { createTunnel } from '../../electron/core/tunnel/tunnel';
import { createNgrokConnector, TunnelConnectError } from '../../electron/core/tunnel/ngrok-connector';
import type { Logger } from '../../electron/core/types';

// A well-formed looking but dummy authtoken; nothing real.
const DUMMY_TOKEN = '2dummyAuthtokenForTests_0000000000000000000000000';
const ACCEPTED = ['TUNNEL_NO_NETWORK', 'TUNNEL_INVALID_TOKEN'];

let server: http.Server;
let port = 0;

function get(path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, timeout: 2000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('local server did not answer')));
    req.on('error', reject);
  });
}

beforeAll(async () => {
  server = http.createServer((req, res) => { res.writeHead(200, { 'content-type': 'text/plain' }); res.end(`pong ${req.url}`); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
});

describe('real @ngrok/ngrok without network', () => {
  it('ends in a clear error within 15 s while the local server keeps answering', async () => {
    const lines: string[] = [];
    const rec = (msg: string, ctx?: Record<string, unknown>) => { lines.push(JSON.stringify({ msg, ctx })); };
    const logger: Logger = { debug: rec, info: rec, warn: rec, error: rec };
    const tunnel = createTunnel({
      connector: createNgrokConnector({ connectTimeoutMs: 8000 }),
      getAuthtoken: () => DUMMY_TOKEN,
      getDomain: () => null,
      getPort: () => port,
      logger,
    });
    const states: string[] = [];
    tunnel.onChange((s) => states.push(s.state));

    // Keep hitting the local server while the tunnel tries.
    let pings = 0;
    let pingFailures = 0;
    let pinging = true;
    const pinger = (async () => {
      while (pinging) {
        try { const r = await get(`/during-${pings}`); if (r.status === 200) pings++; else pingFailures++; } catch { pingFailures++; }
        await new Promise((r) => setTimeout(r, 20));
      }
    })();

    const t0 = Date.now();
    const final = await tunnel.start();
    const elapsed = Date.now() - t0;
    pinging = false;
    await pinger;

    console.log(`[ngrok-real] offline result after ${elapsed} ms: code=${final.code} message="${final.message}"`);
    expect(final.state).toBe('error');
    expect(ACCEPTED).toContain(final.code);
    expect(final.message).toBe(ERROR_MESSAGES[final.code as keyof typeof ERROR_MESSAGES]);
    expect(final.message!.length).toBeGreaterThan(30);
    expect(elapsed).toBeLessThan(15_000);
    expect(states).toEqual(['connecting', 'error']);
    expect(pingFailures).toBe(0);
    expect(pings).toBeGreaterThan(0);

    // Nothing retries behind our back after a first failure.
    await new Promise((r) => setTimeout(r, 300));
    expect(tunnel.get().state).toBe('error');

    // The local server still answers after the failure.
    const after = await get('/after');
    expect(after).toEqual({ status: 200, body: 'pong /after' });

    expect(lines.join('\n')).not.toContain(DUMMY_TOKEN);
    await tunnel.close();
    expect(tunnel.get().state).toBe('off');
  }, 30_000);

  it('the connector itself rejects with one of our codes, also with a domain, and leaves no listener open', async () => {
    const connector = createNgrokConnector({ connectTimeoutMs: 8000 });
    for (const domain of [null, 'hookscope-test.ngrok.app']) {
      const t0 = Date.now();
      const err = await connector.connect({ addr: port, authtoken: DUMMY_TOKEN, domain }).then(
        () => { throw new Error('connected without network?'); },
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(TunnelConnectError);
      const e = err as TunnelConnectError;
      expect(ACCEPTED).toContain(e.code);
      expect(e.message).toBe(ERROR_MESSAGES[e.code]);
      expect(e.detail ?? '').not.toContain(DUMMY_TOKEN);
      expect(Date.now() - t0).toBeLessThan(15_000);
    }
    const imported: unknown = await import('@ngrok/ngrok');
    const mod = ((imported as { default?: unknown }).default ?? imported) as typeof import('@ngrok/ngrok');
    expect(await mod.listeners()).toHaveLength(0);
    expect(await get('/still')).toEqual({ status: 200, body: 'pong /still' });
  }, 40_000);

  it('leaves nothing running: a process that failed to start the tunnel exits on its own', async () => {
    // Bundle a tiny script over the real connector and tunnel, with @ngrok/ngrok resolved to this repo's copy.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookscope-ngrok-'));
    const entry = path.join(dir, 'entry.ts');
    const out = path.join(dir, 'run.mjs');
    const core = path.resolve(__dirname, '../../electron/core/tunnel');
    fs.writeFileSync(entry, [
      `import { createTunnel } from ${JSON.stringify(path.join(core, 'tunnel.ts'))};`,
      `import { createNgrokConnector } from ${JSON.stringify(path.join(core, 'ngrok-connector.ts'))};`,
      `const t = createTunnel({ connector: createNgrokConnector({ connectTimeoutMs: 8000 }), getAuthtoken: () => ${JSON.stringify(DUMMY_TOKEN)}, getDomain: () => null, getPort: () => ${port} });`,
      'const s = await t.start();',
      'console.log(JSON.stringify(s));',
    ].join('\n'));
    const ngrokPath = createRequire(__filename).resolve('@ngrok/ngrok');
    await build({
      entryPoints: [entry], outfile: out, bundle: true, platform: 'node', format: 'esm', logLevel: 'silent',
      plugins: [{ name: 'ngrok-abs', setup(b) { b.onResolve({ filter: /^@ngrok\/ngrok$/ }, () => ({ path: ngrokPath, external: true })); } }],
    });
    const t0 = Date.now();
    const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [out], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      child.stdout.on('data', (c) => { stdout += c; });
      const killer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`the process did not exit on its own: ${stdout}`)); }, 20_000);
      child.on('exit', (c) => { clearTimeout(killer); resolve({ code: c, stdout }); });
    });
    fs.rmSync(dir, { recursive: true, force: true });
    expect(code).toBe(0);
    const state = JSON.parse(stdout.trim().split('\n').pop()!);
    expect(state.state).toBe('error');
    expect(ACCEPTED).toContain(state.code);
    expect(Date.now() - t0).toBeLessThan(20_000);
  }, 40_000);
});
