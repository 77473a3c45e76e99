// Load generator, run in its own process so it never shares the server's event loop.
// node:http keep-alive Agent (maxSockets = concurrency). Two modes:
//   closed loop: `concurrency` virtual users, each sends the next request as soon as the last is answered;
//   open loop (`rate` requests/s): sends on a fixed schedule, at most `concurrency` in flight.
// Prints one JSON line: counts, rate over the measured window, latency percentiles (ms).
import http from 'node:http';

import { readFileSync } from 'node:fs';

const cfg = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const url = new URL(cfg.url);
const concurrency = cfg.concurrency ?? 32;
const warmupMs = cfg.warmupMs ?? 1000;
const durationMs = cfg.durationMs ?? 5000;
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency });
const bodies = cfg.bodies.map((b) => ({ body: Buffer.from(b.body), headers: { ...b.headers, 'content-length': String(Buffer.byteLength(b.body)) } }));

let next = 0;
let acked = 0;
let non200 = 0;
let errors = 0;
let measured = 0;
const lat = [];
const t0 = performance.now();
const startMeasure = t0 + warmupMs;
const end = startMeasure + durationMs;
let firstError = null;

function send() {
  const b = bodies[next++ % bodies.length];
  const t = performance.now();
  return new Promise((resolve) => {
    const req = http.request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: b.headers, agent }, (res) => {
      res.on('data', () => {});
      res.on('end', () => {
        const now = performance.now();
        if (res.statusCode === 200) acked++;
        else non200++;
        if (t >= startMeasure && now <= end) { measured++; lat.push(now - t); }
        resolve();
      });
    });
    req.on('error', (e) => { errors++; firstError ??= String(e); resolve(); });
    req.end(b.body);
  });
}

async function user() {
  while (performance.now() < end && (!cfg.count || next < cfg.count)) await send();
}

async function openLoop(rate) {
  // Ticks of 10 ms: send the requests that are due, never more than `concurrency` in flight.
  let sent = 0;
  let inFlight = 0;
  const waiters = [];
  await new Promise((done) => {
    const tick = () => {
      const now = performance.now();
      if (now >= end) {
        const finish = () => (inFlight === 0 ? done() : setTimeout(finish, 5));
        return finish();
      }
      const due = Math.floor(((now - t0) / 1000) * rate);
      while (sent < due && inFlight < concurrency) {
        sent++;
        inFlight++;
        send().then(() => { inFlight--; });
      }
      setTimeout(tick, 10);
    };
    tick();
  });
  return waiters;
}

if (cfg.rate) await openLoop(cfg.rate);
else await Promise.all(Array.from({ length: concurrency }, user));

lat.sort((a, b) => a - b);
const pct = (p) => (lat.length ? lat[Math.min(lat.length - 1, Math.ceil((p / 100) * lat.length) - 1)] : NaN);
process.stdout.write(`${JSON.stringify({
  acked, non200, errors, firstError, measured, elapsedMs: performance.now() - t0,
  rps: measured / (durationMs / 1000), p50: pct(50), p95: pct(95), p99: pct(99), max: lat[lat.length - 1] ?? NaN,
})}\n`);
agent.destroy();
