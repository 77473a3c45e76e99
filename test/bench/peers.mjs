// Peers as context (no target): mockttp and @mockoon/cli receiving the same signed POSTs, as ratios of
// the bare node:http rate measured in this section. Installed at bench time into a temp prefix.
import { execFile } from 'node:child_process';
import { writeFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { ROOT, load, signedBodies, spawnUntil, tmp } from './lib.mjs';

function npmInstall(prefix) {
  return new Promise((res, rej) => {
    execFile('npm', ['install', '--prefix', prefix, 'mockttp', '@mockoon/cli', '--no-audit', '--no-fund', '--loglevel=error'],
      { cwd: prefix, timeout: 180_000 }, (err, _out, stderr) => (err ? rej(new Error(String(stderr || err.message).trim().split('\n').pop())) : res()));
  });
}

function freePort() {
  return new Promise((res) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); }); });
}

function mockoonEnv(port) {
  const id = (n) => `b1a7e2c4-0000-4000-8000-00000000000${n}`;
  return {
    uuid: id(1), lastMigration: 33, name: 'bench', endpointPrefix: '', latency: 0, port, hostname: '127.0.0.1', folders: [],
    routes: [{ uuid: id(2), type: 'http', documentation: '', method: 'post', endpoint: 'meta', responseMode: null, streamingMode: null, streamingInterval: 0,
      responses: [{ uuid: id(3), rules: [], rulesOperator: 'OR', statusCode: 200, label: '', headers: [{ key: 'content-type', value: 'text/plain' }], bodyType: 'INLINE',
        filePath: '', databucketID: '', sendFileAsBody: false, disableTemplating: true, fallbackTo404: false, default: true, crudKey: 'id', callbacks: [], latency: 0, body: 'OK\n' }] }],
    rootChildren: [{ type: 'route', uuid: id(2) }], proxyMode: false, proxyHost: '', proxyRemovePrefix: false,
    tlsOptions: { enabled: false, type: 'CERT', pfxPath: '', certPath: '', keyPath: '', caPath: '', passphrase: '' },
    cors: false, headers: [], proxyReqHeaders: [], proxyResHeaders: [], data: [], callbacks: [],
  };
}

export async function benchPeers({ quick, log }) {
  const durationMs = quick ? 3000 : 5000;
  const bodies = signedBodies(256);
  const prefix = tmp('peers');
  const rows = [];
  try {
    log('peers: bare node:http baseline');
    const bare = await spawnUntil(process.execPath, [join(ROOT, 'test/bench/bare-server.mjs')], /listening: (\S+)/);
    const b = await load(`${bare.url}/meta`, bodies, { durationMs });
    await bare.stop();
    rows.push({ name: 'bare node:http (this section)', value: `${b.rps.toFixed(0)} req/s`, target: '—', ratio: '1.00×', pass: null });

    log(`peers: npm install mockttp @mockoon/cli into ${prefix}`);
    try {
      await npmInstall(prefix);
    } catch (err) {
      rows.push({ name: 'mockttp, @mockoon/cli', value: 'skipped', target: '—', ratio: `skipped: npm install failed (${err.message.slice(0, 80)})`, pass: null });
      return rows;
    }
    const peers = [
      ['mockttp', async () => spawnUntil(process.execPath, [join(ROOT, 'test/bench/peer-mockttp.mjs'), prefix], /listening: (\S+)/)],
      ['@mockoon/cli', async () => {
        const port = await freePort();
        const env = join(prefix, 'mockoon-env.json');
        writeFileSync(env, JSON.stringify(mockoonEnv(port)));
        const s = await spawnUntil(process.execPath, [join(prefix, 'node_modules/@mockoon/cli/bin/run.js'), 'start', '--data', env, '--port', String(port), '--repair', '--disable-log-to-file'],
          /Server started on port (\d+)/, { cwd: prefix });
        return { ...s, url: `http://127.0.0.1:${s.url}` };
      }],
    ];
    for (const [name, start] of peers) {
      let s;
      try {
        log(`peers: ${name}`);
        // A peer is someone else's package at whatever version npm gives today: one that hangs (a promise
        // no handle keeps alive ends the whole bench with exit 13 and no table) is cut off and said to be.
        let timer;
        const cut = new Promise((_, rej) => { timer = setTimeout(() => rej(new Error(`no answer within ${(durationMs + 90_000) / 1000} s`)), durationMs + 90_000); });
        const r = await Promise.race([(async () => {
          s = await start();
          return load(`${s.url}/meta`, bodies, { durationMs });
        })(), cut]).finally(() => clearTimeout(timer));
        rows.push({ name: `${name} (answers 200, stores nothing)`, value: `${r.rps.toFixed(0)} req/s`, target: '—', ratio: `${(r.rps / b.rps).toFixed(2)}× bare, p99 ${r.p99.toFixed(1)} ms`, pass: null });
      } catch (err) {
        rows.push({ name, value: 'skipped', target: '—', ratio: `skipped: ${String(err.message).split('\n')[0].slice(0, 100)}`, pass: null });
      } finally {
        await s?.stop();
      }
    }
    return rows;
  } finally {
    rmSync(prefix, { recursive: true, force: true });
  }
}
