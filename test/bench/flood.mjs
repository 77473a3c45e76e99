// Flood: what strangers cost (docs/api.md "Trust boundary"). Genuine signed webhooks at a steady rate,
// their ack latency measured with no flood (the baseline, same run) and then while separate processes
// flood the receiver with forged 1 MiB bodies, unrouted scans and amplification bodies (a 15 KB body of
// 5,000 empty messages, badly signed). Twice: with the default per-source limit (one attacker address:
// most junk is answered 429 unread) and with the limit lifted (every forgery is kept, so the rejected
// log's byte cap is what bounds the disk). Plus the data dir's growth in each. And stalled uploads: many
// connections each sending its headers and part of a body, then nothing, kept up for the whole phase
// (each one cut off is opened again), while genuine webhooks are timed.
import { readdirSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { load, signedBodies, sign, startServe, tmp } from './lib.mjs';

function dirBytes(dir) {
  let n = 0;
  for (const f of readdirSync(dir)) {
    try { n += statSync(join(dir, f)).size; } catch { /* a WAL file may come and go */ }
  }
  return n;
}

function junkBodies() {
  const mib = 'a'.repeat(1024 * 1024 - 200);
  const amplification = JSON.stringify({ object: 'whatsapp_business_account', entry: [{ changes: [{ field: 'messages', value: { messages: Array(5000).fill({}) } }] }] });
  return {
    forged: [{ body: mib, headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(mib, 'not-the-secret') } }],
    amplification: [{ body: amplification, headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(amplification, 'nope') } }],
    scan: [{ body: '', headers: {} }],
  };
}

/**
 * Keeps `count` stalled uploads open against the receiver until stop() (each closed one is reopened):
 * headers with a made-up signature, then `send` bytes of a `declared`-byte body, then silence.
 */
function stalledUploads(receiverUrl, { count, declared, send }) {
  const u = new URL(receiverUrl);
  const open = new Set();
  let stopped = false;
  let opened = 0;
  const chunk = Buffer.alloc(send, 0x61);
  const one = () => {
    if (stopped) return;
    opened++;
    const sock = connect(Number(u.port), u.hostname, () => {
      sock.write(`POST /meta HTTP/1.1\r\nHost: ${u.host}\r\nContent-Type: application/json\r\nContent-Length: ${declared}\r\nX-Hub-Signature-256: sha256=${'0'.repeat(64)}\r\n\r\n`);
      sock.write(chunk);
    });
    open.add(sock);
    sock.on('data', () => undefined);
    sock.on('error', () => undefined);
    // Reopened a second later: a stranger's upload bandwidth is finite (on loopback it would not be).
    sock.on('close', () => { open.delete(sock); setTimeout(one, 1000); });
  };
  for (let i = 0; i < count; i++) one();
  return { stop() { stopped = true; for (const s of open) s.destroy(); }, opened: () => opened };
}

export async function benchFlood({ quick, log }) {
  const durationMs = quick ? 4000 : 8000;
  const rate = 50;
  const rows = [];
  const junk = junkBodies();
  const genuine = signedBodies(2000);

  const serve = await startServe({ dataDir: tmp('flood'), env: { META_APP_SECRET: 'bench-app-secret-0123456789abcdef' } });
  try {
    const put = (body) => fetch(`${serve.uiBase}/api/settings`, { method: 'PUT', headers: { authorization: `Bearer ${serve.token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const measure = async (label, flood) => {
      const before = dirBytes(serve.dataDir);
      log(`flood: genuine at ${rate}/s for ${durationMs / 1000} s, ${label}`);
      const floods = flood ? [
        load(`${serve.receiverUrl}/meta`, junk.forged, { concurrency: 16, durationMs, warmupMs: 500 }),
        load(`${serve.receiverUrl}/meta`, junk.amplification, { concurrency: 8, durationMs, warmupMs: 500 }),
        load(`${serve.receiverUrl}/wp-login.php`, junk.scan, { concurrency: 8, durationMs, warmupMs: 500 }),
      ] : [];
      const [g, ...f] = await Promise.all([load(`${serve.receiverUrl}/meta`, genuine, { rate, concurrency: 8, durationMs, warmupMs: 1000 }), ...floods]);
      const grown = dirBytes(serve.dataDir) - before;
      return { g, f, grown };
    };

    const base = await measure('no flood', false);
    rows.push({ name: 'genuine ack latency, no flood (baseline)', value: `p50 ${base.g.p50.toFixed(2)} ms`, target: '—', ratio: `p99 ${base.g.p99.toFixed(2)} ms, ${base.g.non200 + base.g.errors} not 200`, pass: null });

    // Stalled uploads: 1,200 connections holding 128 KiB each (~150 MiB), reopened as they are cut off.
    const stallCount = quick ? 600 : 1200;
    log(`flood: genuine at ${rate}/s for ${durationMs / 1000} s, ${stallCount} stalled uploads`);
    const stalls = stalledUploads(serve.receiverUrl, { count: stallCount, declared: 256 * 1024, send: 128 * 1024 });
    let stalled;
    try {
      stalled = await load(`${serve.receiverUrl}/meta`, genuine, { rate, concurrency: 8, durationMs, warmupMs: 1000 });
      if (process.env.BENCH_DEBUG) log(JSON.stringify(stalled));
    } finally {
      stalls.stop();
    }
    rows.push({
      name: `genuine ack latency during ${stallCount} stalled uploads`, value: `p50 ${stalled.p50.toFixed(2)} ms`, target: 'p99 ≤ 250 ms, all 200',
      ratio: `p99 ${stalled.p99.toFixed(2)} ms (${(stalled.p99 / base.g.p99).toFixed(1)}× baseline), ${stalled.non200 + stalled.errors} not 200, ${stalls.opened()} uploads opened`,
      pass: stalled.p99 <= 250 && stalled.non200 + stalled.errors === 0,
    });

    const limited = await measure('flood from one address (default per-source limit)', true);
    const junkRate = (f) => f.reduce((n, x) => n + x.measured, 0) / (durationMs / 1000);
    rows.push({
      name: 'genuine ack latency during flood (per-source limit)', value: `p50 ${limited.g.p50.toFixed(2)} ms`, target: 'p99 ≤ 100 ms, all 200',
      ratio: `p99 ${limited.g.p99.toFixed(2)} ms (${(limited.g.p99 / base.g.p99).toFixed(1)}× baseline), ${limited.g.non200 + limited.g.errors} not 200`,
      pass: limited.g.p99 <= 100 && limited.g.non200 + limited.g.errors === 0,
    });
    rows.push({ name: 'junk answered during flood (per-source limit)', value: `${junkRate(limited.f).toFixed(0)} req/s`, target: '—', ratio: `1 MiB ${(limited.f[0].measured / (durationMs / 1000)).toFixed(0)}/s, amplification ${(limited.f[1].measured / (durationMs / 1000)).toFixed(0)}/s, scans ${(limited.f[2].measured / (durationMs / 1000)).toFixed(0)}/s`, pass: null });
    rows.push({ name: 'data-dir growth during flood (per-source limit)', value: `${(limited.grown / 2 ** 20).toFixed(1)} MiB`, target: '≤ 64 MiB (log cap)', ratio: '—', pass: limited.grown <= 64 * 2 ** 20 });

    // Lifted limit: as if the junk came from many addresses; a small cap so the bound shows in one run.
    const cap = 16 * 2 ** 20;
    await put({ rejectedPerMinute: 100_000, rejectedLogBytes: cap });
    const open = await measure('flood, per-source limit lifted, 16 MiB log cap', true);
    rows.push({
      name: 'genuine ack latency during flood (limit lifted)', value: `p50 ${open.g.p50.toFixed(2)} ms`, target: 'p99 ≤ 250 ms, all 200',
      ratio: `p99 ${open.g.p99.toFixed(2)} ms (${(open.g.p99 / base.g.p99).toFixed(1)}× baseline), ${open.g.non200 + open.g.errors} not 200`,
      pass: open.g.p99 <= 250 && open.g.non200 + open.g.errors === 0,
    });
    rows.push({ name: 'junk answered during flood (limit lifted)', value: `${junkRate(open.f).toFixed(0)} req/s`, target: '—', ratio: `${((open.f[0].measured * 1024 * 1024) / (durationMs / 1000) / 2 ** 20).toFixed(0)} MiB/s of forged bodies`, pass: null });
    rows.push({ name: 'data-dir growth during flood (limit lifted)', value: `${(open.grown / 2 ** 20).toFixed(1)} MiB`, target: '≤ 16 MiB cap + 16 MiB', ratio: '—', pass: open.grown <= cap + 16 * 2 ** 20 });
  } finally {
    await serve.stop();
  }
  return rows;
}
