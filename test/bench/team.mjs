// Team server: ingest into a shared PostgreSQL database beside the SQLite default, same payloads, same load
// generator, same run; then two serve processes receiving at once into one database. PostgreSQL is a
// throwaway cluster started here (Debian's postgresql; as the `postgres` user when run as root), or the
// database in HOOKSCOPE_BENCH_DATABASE_URL. The cluster runs with fsync on (a figure for real durability).
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
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

export async function benchTeam({ quick, log }) {
  const durationMs = quick ? 3000 : 5000;
  const bodies = signedBodies(256);
  const external = process.env.HOOKSCOPE_BENCH_DATABASE_URL;
  const cluster = external ? null : await startCluster();
  let n = 0;
  const database = async () => (external ? external : cluster.database(`bench_${process.pid}_${++n}`));
  const rows = [];
  try {
    log('team: SQLite serve (the default), signed bodies');
    const lite = await startServe({ dataDir: tmp('team-sqlite'), env: { META_APP_SECRET: SECRET } });
    const s = await load(`${lite.receiverUrl}/meta`, bodies, { durationMs });
    await lite.stop();
    rmSync(lite.dataDir, { recursive: true, force: true });

    log('team: one serve on PostgreSQL');
    const url1 = await database();
    const one = await startServe({ dataDir: tmp('team-pg1'), env: { META_APP_SECRET: SECRET, HOOKSCOPE_DATABASE_URL: url1 } });
    const p = await load(`${one.receiverUrl}/meta`, bodies, { durationMs });
    await one.stop();
    rmSync(one.dataDir, { recursive: true, force: true });
    const stored1 = external ? null : await sharedCount(url1);

    log('team: two serve processes on one PostgreSQL database, receiving at once');
    const url2 = await database();
    const [a, b] = await Promise.all([0, 1].map((i) => startServe({ dataDir: tmp(`team-pg2-${i}`), env: { META_APP_SECRET: SECRET, HOOKSCOPE_DATABASE_URL: url2 } })));
    const [la, lb] = await Promise.all([a, b].map((x) => load(`${x.receiverUrl}/meta`, bodies, { durationMs, concurrency: 16 })));
    await Promise.all([a.stop(), b.stop()]);
    for (const x of [a, b]) rmSync(x.dataDir, { recursive: true, force: true });
    const stored2 = external ? null : await sharedCount(url2);

    rows.push({ name: 'load generator', value: loadGenerator(), target: '—', ratio: external ? 'database from HOOKSCOPE_BENCH_DATABASE_URL' : 'throwaway local cluster, fsync on', pass: null });
    rows.push({ name: 'SQLite ingest (same run)', value: `${s.rps.toFixed(0)} req/s`, target: '—', ratio: `p50 ${s.p50.toFixed(2)} ms, p99 ${s.p99.toFixed(2)} ms`, pass: null });
    rows.push({ name: 'PostgreSQL ingest, one process', value: `${p.rps.toFixed(0)} req/s`, target: '—', ratio: `${(p.rps / s.rps).toFixed(2)}× SQLite, p99 ${p.p99.toFixed(2)} ms`, pass: null });
    const failures1 = p.errors + p.non200;
    rows.push({ name: 'PostgreSQL stored ≥ acknowledged', value: stored1 == null ? 'not counted' : `${stored1} stored`, target: 'stored ≥ acked, no errors', ratio: `${p.acked} acked, ${failures1} errors`,
      pass: stored1 == null ? null : stored1 >= p.acked && failures1 === 0 });
    const both = la.rps + lb.rps;
    const failures2 = la.errors + la.non200 + lb.errors + lb.non200;
    rows.push({ name: 'two processes at once (16 conns each)', value: `${both.toFixed(0)} req/s`, target: '—', ratio: `${(both / p.rps).toFixed(2)}× one process, p99 ${Math.max(la.p99, lb.p99).toFixed(2)} ms`, pass: null });
    rows.push({ name: 'two processes: stored ≥ acknowledged', value: stored2 == null ? 'not counted' : `${stored2} stored`, target: 'stored ≥ acked, no errors', ratio: `${la.acked + lb.acked} acked, ${failures2} errors`,
      pass: stored2 == null ? null : stored2 >= la.acked + lb.acked && failures2 === 0 });
  } finally {
    cluster?.stop();
  }
  return rows;
}
