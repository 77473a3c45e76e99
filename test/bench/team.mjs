// Team server: ingest into a shared PostgreSQL database beside the SQLite default, same payloads, same load
// generator, same run; then two serve processes receiving at once into one database. PostgreSQL is a
// throwaway cluster started here (Debian's postgresql; as the `postgres` user when run as root), or the
// database in HOOKSCOPE_BENCH_DATABASE_URL. The cluster runs with fsync on (a figure for real durability).
//
// Fairness on a loaded machine: the three set-ups (SQLite, PostgreSQL one process, two processes) run in
// interleaved rounds, in the opposite order every other round, each on a fresh data dir and database; the
// ratios are taken within a round and reported as the median and spread over rounds. Every set-up gets
// 32 connections in all (two processes: 16 each). Serve CPU per acknowledged request (user + system, read
// from /proc once the process has gone idle — a second process's catching up included) says how much a
// second process adds by deriving the other's rows.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { SECRET, load, loadGenerator, signedBodies, startServe, tmp } from './lib.mjs';

function pgBin() {
  const onPath = spawnSync('sh', ['-c', 'command -v pg_ctl'], { encoding: 'utf8' }).stdout.trim();
  if (onPath && existsSync(onPath.replace(/pg_ctl$/, 'initdb'))) return onPath.replace(/\/pg_ctl$/, '');
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const v = readdirSync(root).filter((x) => existsSync(join(root, x, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a))[0];
  return v ? join(root, v, 'bin') : null;
}

const freePort = () => new Promise((res) => { const s = createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); }); });

async function startCluster() {
  const bin = pgBin();
  if (!bin) throw new Error('no PostgreSQL installed (initdb/pg_ctl): the team section needs Debian\'s postgresql');
  const root = process.getuid?.() === 0;
  const run = (cmd, args) => execFileSync(root ? 'runuser' : cmd, root ? ['-u', 'postgres', '--', cmd, ...args] : args, { stdio: 'pipe' });
  const dir = mkdtempSync(join(tmpdir(), 'hookscope-bench-pg-'));
  if (root) execFileSync('chown', ['-R', 'postgres:postgres', dir]); else chmodSync(dir, 0o700);
  const data = join(dir, 'data');
  run(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C']);
  const port = await freePort();
  run(join(bin, 'pg_ctl'), ['-D', data, '-l', join(dir, 'log'), '-w', 'start', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`]);
  return {
    async database(name) {
      const c = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres` });
      await c.connect();
      await c.query(`CREATE DATABASE ${name}`);
      await c.end();
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    stop() {
      try { run(join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop']); } catch { /* gone */ }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function sharedCount(url) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try { return Number((await c.query('SELECT count(*) AS n FROM requests WHERE response_status = 200')).rows[0].n); } finally { await c.end(); }
}

/** CPU time (user + system, ms) a process has used so far, from /proc; null where there is no /proc. */
function cpuMs(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) * 10; // clock ticks of 10 ms (USER_HZ 100)
  } catch { return null; }
}

/** Waits until the processes stop using CPU (what was received is mirrored and derived), then their total. */
async function settledCpuMs(pids) {
  let last = null;
  for (let i = 0; i < 100; i++) {
    const now = pids.map(cpuMs);
    if (now.some((x) => x == null)) return null;
    const sum = now.reduce((a, b) => a + b, 0);
    if (last != null && sum - last <= 20) return sum;
    last = sum;
    await new Promise((r) => setTimeout(r, 250));
  }
  return last;
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const spread = (xs, f = (x) => x.toFixed(2)) => (xs.length > 1 ? `${f(Math.min(...xs))}–${f(Math.max(...xs))}` : f(xs[0]));

/** One serve set-up under load: `procs` processes, 32 connections shared among them. */
async function runSetup({ procs, url, durationMs, bodies, entry, label }) {
  const env = { META_APP_SECRET: SECRET, ...(url ? { HOOKSCOPE_DATABASE_URL: url } : {}) };
  const servers = await Promise.all(Array.from({ length: procs }, (_, i) => startServe({ dataDir: tmp(`${label}-${i}`), env, ...(entry ? { entry } : {}) })));
  try {
    const cpu0 = servers.map((x) => cpuMs(x.child.pid));
    const loads = await Promise.all(servers.map((x) => load(`${x.receiverUrl}/meta`, bodies, { durationMs, concurrency: 32 / procs })));
    const cpu1 = await settledCpuMs(servers.map((x) => x.child.pid));
    const acked = loads.reduce((a, l) => a + l.acked, 0);
    return {
      rps: loads.reduce((a, l) => a + l.rps, 0), p99: Math.max(...loads.map((l) => l.p99)), acked,
      failures: loads.reduce((a, l) => a + l.errors + l.non200, 0),
      cpuPerReqUs: cpu1 == null || cpu0.includes(null) || acked === 0 ? null : ((cpu1 - cpu0.reduce((a, b) => a + b, 0)) * 1000) / acked,
    };
  } finally {
    await Promise.all(servers.map((x) => x.stop()));
    for (const x of servers) rmSync(x.dataDir, { recursive: true, force: true });
  }
}

/**
 * One round: SQLite, PostgreSQL with one process, two processes on one database, in `reverse` order every
 * other round. `entry` runs another build of serve (A/B of two builds, test/bench/team.mjs callers).
 */
export async function teamRound({ durationMs, bodies, database, counted, log, reverse = false, entry }) {
  const out = {};
  const setups = [
    ['lite', async () => runSetup({ procs: 1, durationMs, bodies, entry, label: 'team-sqlite' })],
    ['one', async () => { const url = await database(); const r = await runSetup({ procs: 1, url, durationMs, bodies, entry, label: 'team-pg1' }); return { ...r, stored: counted ? await sharedCount(url) : null }; }],
    ['two', async () => { const url = await database(); const r = await runSetup({ procs: 2, url, durationMs, bodies, entry, label: 'team-pg2' }); return { ...r, stored: counted ? await sharedCount(url) : null }; }],
  ];
  for (const [name, run] of reverse ? setups.reverse() : setups) {
    log(`team: ${name === 'lite' ? 'SQLite serve (the default)' : name === 'one' ? 'one serve on PostgreSQL' : 'two serve processes on one PostgreSQL database'}`);
    out[name] = await run();
  }
  return out;
}

/** A throwaway cluster (or HOOKSCOPE_BENCH_DATABASE_URL) and a fresh database per call. */
export async function teamDatabases() {
  const external = process.env.HOOKSCOPE_BENCH_DATABASE_URL;
  const cluster = external ? null : await startCluster();
  let n = 0;
  return {
    external: !!external,
    database: async () => (external ? external : cluster.database(`bench_${process.pid}_${++n}`)),
    stop: () => cluster?.stop(),
  };
}

export async function benchTeam({ quick, log, rounds }) {
  const durationMs = quick ? 3000 : 5000;
  const n = Math.max(1, rounds ?? 3);
  const bodies = signedBodies(256);
  const dbs = await teamDatabases();
  const rows = [];
  try {
    const runs = [];
    for (let r = 0; r < n; r++) runs.push(await teamRound({ durationMs, bodies, database: dbs.database, counted: !dbs.external, log, reverse: r % 2 === 1 }));
    const pgVsLite = runs.map((x) => x.one.rps / x.lite.rps);
    const twoVsOne = runs.map((x) => x.two.rps / x.one.rps);
    const rps = (k) => median(runs.map((x) => x[k].rps));
    const p99 = (k) => median(runs.map((x) => x[k].p99));
    const cpu = (k) => (runs.some((x) => x[k].cpuPerReqUs == null) ? null : median(runs.map((x) => x[k].cpuPerReqUs)));
    const stored = (k) => (dbs.external ? null : runs.every((x) => x[k].stored >= x[k].acked && x[k].failures === 0));
    const sum = (k, f) => runs.reduce((a, x) => a + f(x[k]), 0);
    const medianOf = `median of ${n} interleaved round${n > 1 ? 's' : ''}`;

    rows.push({ name: 'load generator', value: loadGenerator(), target: '—', ratio: `${dbs.external ? 'database from HOOKSCOPE_BENCH_DATABASE_URL' : 'throwaway local cluster, fsync on'}; ${n} rounds of ${durationMs / 1000} s, order alternating`, pass: null });
    rows.push({ name: 'SQLite ingest (same rounds)', value: `${rps('lite').toFixed(0)} req/s`, target: '—', ratio: `${medianOf}, p99 ${p99('lite').toFixed(2)} ms`, pass: null });
    rows.push({ name: 'PostgreSQL ingest, one process', value: `${rps('one').toFixed(0)} req/s`, target: '≥ 0.8× SQLite',
      ratio: `${median(pgVsLite).toFixed(2)}× SQLite (rounds ${spread(pgVsLite)}), p99 ${p99('one').toFixed(2)} ms`, pass: median(pgVsLite) >= 0.8 });
    rows.push({ name: 'PostgreSQL stored ≥ acknowledged', value: dbs.external ? 'not counted' : `${sum('one', (x) => x.stored)} stored`, target: 'stored ≥ acked, no errors',
      ratio: `${sum('one', (x) => x.acked)} acked, ${sum('one', (x) => x.failures)} errors`, pass: stored('one') });
    rows.push({ name: 'two processes at once (16 conns each)', value: `${rps('two').toFixed(0)} req/s`, target: '≥ 1.2× one process',
      ratio: `${median(twoVsOne).toFixed(2)}× one process (rounds ${spread(twoVsOne)}), p99 ${p99('two').toFixed(2)} ms`, pass: median(twoVsOne) >= 1.2 });
    rows.push({ name: 'two processes: stored ≥ acknowledged', value: dbs.external ? 'not counted' : `${sum('two', (x) => x.stored)} stored`, target: 'stored ≥ acked, no errors',
      ratio: `${sum('two', (x) => x.acked)} acked, ${sum('two', (x) => x.failures)} errors`, pass: stored('two') });
    if (cpu('one') != null && cpu('two') != null) {
      rows.push({ name: 'serve CPU per acknowledged request', value: `${cpu('two').toFixed(0)} µs (two, summed)`, target: '—',
        ratio: `one process ${cpu('one').toFixed(0)} µs, SQLite ${cpu('lite').toFixed(0)} µs; the difference is mostly the second process deriving the other's rows`, pass: null });
    }
  } finally {
    dbs.stop();
  }
  return rows;
}
