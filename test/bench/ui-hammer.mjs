// A UI client hammering the control API: pages, status filters and full-text search back to back
// (closed loop, one request at a time, page size 200 as the UI asks), plus the status counts the UI
// refreshes at most once a second (all-time /api/stats, as the filter bar does).
import http from 'node:http';

import { readFileSync } from 'node:fs';

const cfg = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const u = new URL(cfg.uiBase);
const paths = [
  '/api/events?limit=200', '/api/events?limit=200&status=failed', '/api/events?limit=200&status=delivered',
  '/api/events?limit=200&q=order', '/api/events?limit=200&status=read', '/api/events?limit=200&q=refund%20tomorrow',
  '/api/events?limit=200&kind=message',
];
let lastStats = 0;
const get = (path) => new Promise((resolve) => {
  const t = performance.now();
  http.get({ host: u.hostname, port: u.port, path, agent, headers: { authorization: `Bearer ${cfg.token}` } }, (res) => {
    res.on('data', () => {});
    res.on('end', () => resolve({ status: res.statusCode, ms: performance.now() - t }));
  }).on('error', () => resolve({ status: 0, ms: performance.now() - t }));
});
const end = performance.now() + cfg.durationMs;
const lat = [];
let i = 0;
let bad = 0;
while (performance.now() < end) {
  const statsDue = performance.now() - lastStats >= 1000;
  if (statsDue) lastStats = performance.now();
  const r = await get(statsDue ? '/api/stats' : paths[i++ % paths.length]);
  if (r.status !== 200) bad++;
  lat.push(r.ms);
  if (cfg.thinkMs) await new Promise((r2) => setTimeout(r2, cfg.thinkMs));
}
lat.sort((a, b) => a - b);
const pct = (p) => lat[Math.min(lat.length - 1, Math.ceil((p / 100) * lat.length) - 1)];
process.stdout.write(`${JSON.stringify({ count: lat.length, bad, rps: lat.length / (cfg.durationMs / 1000), p50: pct(50), p99: pct(99) })}\n`);
agent.destroy();
