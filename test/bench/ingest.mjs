// Ingest: hookscope's real serve process (signature check, normalisation, group-committed durable
// storage) against a bare node:http server, same payloads, same load generator, same run.
import Database from 'better-sqlite3';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, SECRET, load, loadGenerator, runChild, signedBodies, sleep, spawnUntil, startServe, tmp } from './lib.mjs';

/** The store's read model with its request log attached when it has its own file (electron/core/store/log-file.ts). */
function openStoreFiles(dataDir) {
  const db = new Database(join(dataDir, 'hookscope.db'), { readonly: true, fileMustExist: true });
  if (existsSync(join(dataDir, 'requests.db'))) db.prepare('ATTACH DATABASE ? AS log').run(join(dataDir, 'requests.db'));
  return db;
}

function countStored(dataDir) {
  const db = openStoreFiles(dataDir);
  try {
    const requests = db.prepare('SELECT COUNT(*) AS n FROM requests WHERE response_status = 200').get().n;
    const events = db.prepare('SELECT COUNT(*) AS n FROM events').get().n;
    return { requests, events };
  } finally { db.close(); }
}

/**
 * The deriver's watermark against the newest request (docs/architecture.md "Ingest": kv derived_through),
 * read from the serve process's own database file through a read-only connection of the bench's.
 */
function openLagProbe(dataDir) {
  const db = openStoreFiles(dataDir);
  const derived = db.prepare("SELECT CAST(value AS INTEGER) AS n FROM kv WHERE key = 'derived_through'").pluck();
  const newest = db.prepare('SELECT COALESCE(MAX(id), 0) FROM requests').pluck();
  return {
    // One read transaction: both figures from the same snapshot.
    sample: db.transaction(() => { const last = newest.get(); const through = derived.get() ?? 0; return { at: performance.now(), last, through, lag: Math.max(0, last - through) }; }),
    close: () => db.close(),
  };
}

/**
 * Sustained ingest: the same closed-loop load for a long run (60 s; 10 s with --quick), the derivation lag
 * sampled twice a second meanwhile. The figure that matters is the lag when the traffic stops, in seconds
 * of that traffic: a deriver that falls behind shows it here even when the 200s keep their pace (the
 * 5-second runs above end before a slow deriver's backlog shows).
 */
export async function benchSustained({ quick, log, bodies = signedBodies(256), bareRps = null, durationMs = quick ? 10_000 : 60_000, derive = null }) {
  log(`ingest: sustained ${Math.round(durationMs / 1000)} s, derivation lag sampled meanwhile${derive ? ` (HOOKSCOPE_DERIVE=${derive})` : ''}`);
  const serve = await startServe({ dataDir: tmp('ingest-sustained'), env: { META_APP_SECRET: SECRET, ...(derive ? { HOOKSCOPE_DERIVE: derive } : {}) } });
  const probe = openLagProbe(serve.dataDir);
  const samples = [];
  let loading = true;
  const sampler = (async () => {
    while (loading) {
      try { samples.push(probe.sample()); } catch { /* busy for a moment: the next sample */ }
      await sleep(500);
    }
  })();
  const warmupMs = 1000;
  const loadStarted = performance.now();
  const h = await load(`${serve.receiverUrl}/meta`, bodies, { durationMs, warmupMs });
  const loadEnded = performance.now();
  loading = false;
  await sampler;
  // The last sample taken while the load still ran: the backlog when the traffic stops.
  const during = samples.filter((x) => x.at >= loadStarted + warmupMs && x.at <= loadEnded);
  const end = during[during.length - 1] ?? probe.sample();
  const worst = during.reduce((m, x) => (x.lag > m.lag ? x : m), end);
  // Then how long the deriver takes to catch up once the traffic has stopped.
  let drained = probe.sample();
  const drainStart = performance.now();
  while (drained.lag > 0 && performance.now() - drainStart < Math.max(10_000, durationMs)) { await sleep(100); drained = probe.sample(); }
  const drainMs = performance.now() - drainStart;
  probe.close();
  const stored = countStored(serve.dataDir);
  await serve.stop();
  const storedAfter = countStored(serve.dataDir);
  rmSync(serve.dataDir, { recursive: true, force: true });

  const secs = `${Math.round(durationMs / 1000)} s`;
  const lagS = h.rps > 0 ? end.lag / h.rps : Infinity;
  const failures = h.errors + h.non200;
  // wrk counts only answers it read: requests in flight when a run (warm-up, then the measured one) is cut
  // off are stored without being counted, at most one per connection per run.
  const inFlight = 32 * 2;
  const rows = [];
  rows.push({ name: `ingest rate over ${secs}`, value: `${h.rps.toFixed(0)} req/s`, target: '—',
    ratio: `${bareRps ? `${(h.rps / bareRps).toFixed(2)}× bare, ` : ''}p50 ${h.p50.toFixed(2)} ms, p99 ${h.p99.toFixed(2)} ms`, pass: null });
  rows.push({ name: `derivation lag at the end of ${secs}`, value: `${end.lag} requests`, target: '≤ 1 s of traffic',
    ratio: `${lagS.toFixed(2)} s of traffic; worst ${worst.lag} (${(worst.lag / Math.max(1, h.rps)).toFixed(2)} s); caught up ${drainMs.toFixed(0)} ms after the load${drained.lag > 0 ? ` — NOT caught up, ${drained.lag} left` : ''}`,
    pass: lagS <= 1 && drained.lag === 0 });
  rows.push({ name: `stored = acknowledged over ${secs}`, value: `${stored.requests} stored`, target: 'every 200 stored, no errors',
    ratio: `${h.acked} acked (+ ≤ ${inFlight} in flight at the cut), ${failures} errors, ${storedAfter.requests} after stop, ${storedAfter.events} events`,
    pass: stored.requests >= h.acked && stored.requests - h.acked <= inFlight && storedAfter.requests === stored.requests && failures === 0 });
  return rows;
}

export async function benchIngest({ quick, log, withUiLoad = true }) {
  const durationMs = quick ? 3000 : 5000;
  const bodies = signedBodies(256);
  const rows = [];

  log('ingest: bare node:http baseline');
  const bare = await spawnUntil(process.execPath, [join(ROOT, 'test/bench/bare-server.mjs')], /listening: (\S+)/);
  const b1 = await load(`${bare.url}/meta`, bodies, { durationMs });
  await bare.stop();

  log('ingest: hookscope serve (META_APP_SECRET set, signed bodies)');
  const serve = await startServe({ dataDir: tmp('ingest'), env: { META_APP_SECRET: SECRET } });
  const h = await load(`${serve.receiverUrl}/meta`, bodies, { durationMs });
  // The machine is noisy: the baseline is measured before and after hookscope, and averaged.
  const bare2 = await spawnUntil(process.execPath, [join(ROOT, 'test/bench/bare-server.mjs')], /listening: (\S+)/);
  const b2 = await load(`${bare2.url}/meta`, bodies, { durationMs });
  await bare2.stop();
  const b = { rps: (b1.rps + b2.rps) / 2, p99: Math.max(b1.p99, b2.p99), spread: `${b1.rps.toFixed(0)} / ${b2.rps.toFixed(0)}` };

  let u = null;
  let h2 = null;
  let hammer = null;
  if (withUiLoad) {
    log('ingest: hookscope again, while a client hammers /api/events pages, filters, search and stats');
    // Same store (it keeps growing): compare with a no-UI run on it right before.
    h2 = await load(`${serve.receiverUrl}/meta`, bodies, { durationMs });
    const ham = runChild('ui-hammer.mjs', { uiBase: serve.uiBase, token: serve.token, durationMs: durationMs + 1500 });
    u = await load(`${serve.receiverUrl}/meta`, bodies, { durationMs });
    hammer = await ham.done;
  }
  const acked = h.acked + (h2?.acked ?? 0) + (u?.acked ?? 0);
  const stored = countStored(serve.dataDir);
  await serve.stop();
  const storedAfter = countStored(serve.dataDir);
  rmSync(serve.dataDir, { recursive: true, force: true });
  const failures = h.errors + h.non200 + (h2 ? h2.errors + h2.non200 : 0) + (u ? u.errors + u.non200 : 0);

  rows.push({ name: 'load generator', value: loadGenerator(), target: '—', ratio: loadGenerator() === 'wrk' ? 'wrk -t1 -c32 (C, one thread)' : 'Node (wrk not installed)', pass: null });
  rows.push({ name: 'bare node:http rate (baseline)', value: `${b.rps.toFixed(0)} req/s`, target: '—', ratio: `before/after ${b.spread} req/s, p99 ${b.p99.toFixed(2)} ms`, pass: null });
  rows.push({ name: 'ingest rate vs bare (signed, stored, fsync)', value: `${h.rps.toFixed(0)} req/s`, target: '≥ 0.45× bare', ratio: `${(h.rps / b.rps).toFixed(2)}×`, pass: h.rps / b.rps >= 0.45 });
  rows.push({ name: 'ingest ack latency @32 conns', value: `p99 ${h.p99.toFixed(2)} ms`, target: 'p99 ≤ 10 ms', ratio: `p50 ${h.p50.toFixed(2)} ms`, pass: h.p99 <= 10 });
  rows.push({ name: 'stored ≥ acknowledged (200s)', value: `${stored.requests} stored`, target: 'stored ≥ acked, no errors',
    ratio: `${acked} acked, ${failures} errors, ${storedAfter.requests} after stop`, pass: stored.requests >= acked && storedAfter.requests >= acked && failures === 0 });
  if (u) {
    rows.push({ name: 'ingest rate while UI queries', value: `${u.rps.toFixed(0)} req/s`, target: '≥ 80 % of no-UI rate', ratio: `${((u.rps / h2.rps) * 100).toFixed(0)} % of ${h2.rps.toFixed(0)}`, pass: u.rps / h2.rps >= 0.8 });
    rows.push({ name: 'UI queries answered meanwhile', value: `${hammer.count} (${hammer.rps.toFixed(0)}/s)`, target: '—', ratio: `p50 ${hammer.p50.toFixed(1)} ms, p99 ${hammer.p99.toFixed(1)} ms`, pass: null });
  }
  return { rows, bareRps: b.rps, bodies };
}

const median = (xs) => { const a = [...xs].sort((x, y) => x - y); return a.length % 2 ? a[(a.length - 1) / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2; };
const spread = (xs, digits) => `${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}`;

/**
 * Derivation modes side by side (`--derive on,worker`; docs/benchmarks.md "Derivation on a worker"): the
 * machine is shared, so one round runs bare node:http and each mode back to back, the modes' order
 * alternating from round to round, and each mode's ratio is to the bare runs of its own round (the mean of
 * the one before and the one after). Reported: the median over the rounds and the spread (min–max).
 */
export async function benchDeriveModes({ quick, log, modes, rounds = 3 }) {
  const durationMs = quick ? 3000 : 5000;
  const bodies = signedBodies(256);
  const bareRun = async () => {
    const bare = await spawnUntil(process.execPath, [join(ROOT, 'test/bench/bare-server.mjs')], /listening: (\S+)/);
    try { return await load(`${bare.url}/meta`, bodies, { durationMs }); } finally { await bare.stop(); }
  };
  const per = Object.fromEntries(modes.map((m) => [m, { ratio: [], rps: [], p99: [], lost: 0, failures: 0 }]));
  const bares = [];
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? modes : [...modes].reverse();
    log(`ingest: round ${round + 1}/${rounds}: bare, ${order.join(', ')}, bare`);
    const before = await bareRun();
    const got = {};
    for (const mode of order) {
      const serve = await startServe({ dataDir: tmp(`ingest-${mode}`), env: { META_APP_SECRET: SECRET, HOOKSCOPE_DERIVE: mode } });
      const h = await load(`${serve.receiverUrl}/meta`, bodies, { durationMs });
      await serve.stop();
      const stored = countStored(serve.dataDir);
      rmSync(serve.dataDir, { recursive: true, force: true });
      got[mode] = h;
      per[mode].failures += h.errors + h.non200;
      if (stored.requests < h.acked) per[mode].lost += h.acked - stored.requests;
    }
    const after = await bareRun();
    const bareRps = (before.rps + after.rps) / 2;
    bares.push(bareRps);
    for (const mode of modes) {
      per[mode].ratio.push(got[mode].rps / bareRps);
      per[mode].rps.push(got[mode].rps);
      per[mode].p99.push(got[mode].p99);
    }
  }
  const rows = [
    { name: 'load generator', value: loadGenerator(), target: '—', ratio: `${rounds} rounds of ${durationMs / 1000} s, modes interleaved`, pass: null },
    { name: 'bare node:http rate (baseline)', value: `${median(bares).toFixed(0)} req/s`, target: '—', ratio: `median; rounds ${spread(bares, 0)} req/s`, pass: null },
  ];
  for (const mode of modes) {
    const m = per[mode];
    rows.push({ name: `ingest vs bare, HOOKSCOPE_DERIVE=${mode}`, value: `${median(m.rps).toFixed(0)} req/s`, target: '≥ 0.45× bare',
      ratio: `${median(m.ratio).toFixed(2)}× (rounds ${spread(m.ratio, 2)}), p99 ${median(m.p99).toFixed(2)} ms (${spread(m.p99, 1)})`, pass: median(m.ratio) >= 0.45 });
    rows.push({ name: `stored ≥ acknowledged, HOOKSCOPE_DERIVE=${mode}`, value: m.lost === 0 && m.failures === 0 ? 'yes' : `${m.lost} lost`, target: 'stored ≥ acked, no errors',
      ratio: `${m.failures} errors`, pass: m.lost === 0 && m.failures === 0 });
  }
  return { rows, bareRps: median(bares), bodies };
}

/** Sustained runs of each derivation mode, interleaved over `rounds` (benchSustained each time). */
export async function benchSustainedModes({ quick, log, modes, rounds = 2, bareRps = null, durationMs }) {
  const rows = [];
  for (let round = 0; round < rounds; round++) {
    for (const mode of round % 2 === 0 ? modes : [...modes].reverse()) {
      const got = await benchSustained({ quick, log, bareRps, durationMs, derive: mode });
      rows.push(...got.map((r) => ({ ...r, name: `${r.name} [${mode}, round ${round + 1}]` })));
    }
  }
  return rows;
}
