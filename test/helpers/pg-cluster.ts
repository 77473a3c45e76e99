// A throwaway PostgreSQL cluster for the team-server tests: initdb into a fresh temp dir, a free TCP port
// on 127.0.0.1, its unix socket inside the temp dir, trust authentication (local test use only), one
// database per caller. Run as root (CI), the cluster belongs to the `postgres` user (PostgreSQL refuses to
// run as root) and every PostgreSQL binary runs through `runuser -u postgres --`.
// Without PostgreSQL installed, pgAvailable() is null and the suites skip with one line saying so.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/** The directory holding initdb and pg_ctl, or null when PostgreSQL is not installed. */
export function pgBinDir(): string | null {
  const fromPath = spawnSync('sh', ['-c', 'command -v pg_ctl'], { encoding: 'utf8' }).stdout.trim();
  if (fromPath) {
    // Debian puts only wrappers on PATH (pg_ctlcluster); the real binaries sit in /usr/lib/postgresql.
    const dir = fromPath.replace(/\/pg_ctl$/, '');
    if (existsSync(join(dir, 'initdb'))) return dir;
  }
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  return versions.length ? join(root, versions[0], 'bin') : null;
}

export const pgAvailable = pgBinDir;

/** The one line a skipped suite prints. */
export const PG_SKIP_LINE = 'team server (PostgreSQL): skipped — no PostgreSQL found (initdb/pg_ctl on PATH or in /usr/lib/postgresql/*/bin); CI installs Debian\'s postgresql.';

export interface PgCluster {
  /** postgres://… URL of a fresh database in this cluster. */
  createDatabase(name?: string): Promise<string>;
  host: string;
  port: number;
  /** Stops the server, keeping its data (every connection drops): "the database went away". */
  pause(): void;
  /** Starts it again on the same port, with the same data. */
  resume(): void;
  /** Stops the cluster (fast shutdown) and removes its directory. */
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

function run(bin: string, args: string[]): void {
  const [cmd, argv] = isRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  execFileSync(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
}

let dbSeq = 0;

export async function startPgCluster(): Promise<PgCluster> {
  const bin = pgBinDir();
  if (!bin) throw new Error(PG_SKIP_LINE);
  const dir = mkdtempSync(join(tmpdir(), 'hookscope-pg-'));
  if (isRoot) execFileSync('chown', ['-R', 'postgres:postgres', dir]);
  else chmodSync(dir, 0o700);
  const data = join(dir, 'data');
  // --no-sync and fsync=off: a test cluster lives for seconds; what these tests prove is Hookscope's
  // side (nothing acknowledged before COMMIT), not PostgreSQL's own crash safety.
  run(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync', '--locale=C']);
  let port = 0;
  let lastErr: unknown = null;
  const start = () => run(join(bin, 'pg_ctl'), ['-D', data, '-l', join(dir, 'log'), '-w', '-t', '30', 'start', '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=100`]);
  for (let attempt = 0; attempt < 5; attempt++) {
    port = await freePort();
    try {
      start();
      lastErr = null;
      break;
    } catch (err) {
      lastErr = err; // the port was taken between freePort() and start: try another
    }
  }
  if (lastErr) {
    rmSync(dir, { recursive: true, force: true });
    throw lastErr;
  }
  const host = '127.0.0.1';
  const admin = `postgres://postgres@${host}:${port}/postgres`;
  let stopped = false;
  return {
    host,
    port,
    async createDatabase(name) {
      const db = name ?? `hs_${process.pid}_${++dbSeq}`;
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      try { await c.query(`CREATE DATABASE "${db}"`); } finally { await c.end(); }
      return `postgres://postgres@${host}:${port}/${db}`;
    },
    pause() {
      run(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
    },
    resume() {
      start();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      try { run(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']); } catch { /* already down */ }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
