// The team database's connection pool and how its failures read (docs/architecture.md "Team mode"). The
// URL carries a password: it never appears in a log line, an error or the renderer. Errors name the host,
// port and database (describeTarget) and anything pg says passes through redact(). Every query of the
// shared record (pg-log.ts, pg-claims.ts) goes through query() here, which also tells whether the last one
// reached the database — the connection status the UI shows (team.ts).
import pg from 'pg';
import { HookscopeError } from '../../../shared/errors';
import type { Logger } from '../types';
import { describeTarget, makeRedactor } from './database-url';

/** pg error codes and socket errors that mean "the database is not there right now". */
export function isConnectionError(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | null;
  if (!e) return false;
  if (e.code && /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|57P01|57P02|57P03|08\d\d\d)$/.test(e.code)) return true;
  return /Connection terminated|connection timeout|Client has encountered a connection error|not queryable|timeout exceeded when trying to connect/i.test(e.message ?? '');
}

/** A clear, password-free error for a database that cannot be reached or used. */
export function unreachable(target: string, err: unknown, redact: (s: string) => string): HookscopeError {
  const e = err as { code?: string; message?: string };
  const why = redact(e?.code && !/^\d/.test(e.code) ? `${e.code}${e.message ? `: ${e.message}` : ''}` : e?.message ?? String(err));
  return new HookscopeError('DB_UNREACHABLE', `Cannot reach the PostgreSQL database at ${target} (${why}).`);
}

/** One statement on the pool: a lost connection becomes DB_UNREACHABLE, any other error is redacted. */
export type Query = <R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]) => Promise<pg.QueryResult<R>>;

export interface PgConnection {
  readonly pool: pg.Pool;
  /** The pool's settings: the listener and the leadership open connections of their own with them. */
  readonly config: pg.PoolConfig;
  /** host:port/database, for messages. */
  readonly target: string;
  redact(text: string): string;
  query: Query;
  /** Runs `body` between BEGIN and COMMIT on one connection of the pool (ROLLBACK when it throws). */
  transaction(body: (c: pg.PoolClient) => Promise<void>): Promise<void>;
  /** Whether the last query reached the database. */
  healthy(): boolean;
}

export function createPgConnection(opts: { url: string; logger: Logger; appName?: string; poolSize?: number; connectTimeoutMs?: number }): PgConnection {
  const { url, logger } = opts;
  const target = describeTarget(url);
  const redact = makeRedactor(url);
  const config: pg.PoolConfig = {
    connectionString: url,
    application_name: opts.appName ?? 'hookscope',
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 5000,
    max: opts.poolSize ?? 6,
    idleTimeoutMillis: 30_000,
    // A half-open connection (a cable pulled, a failover) is noticed instead of waiting forever.
    keepAlive: true,
  };
  const pool = new pg.Pool(config);
  let healthy = true;
  // An idle client losing its connection emits here; without a handler it would crash the process.
  pool.on('error', (err) => { healthy = false; logger.warn('database connection lost', { database: target, err: redact(String(err)) }); });

  async function query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
    try {
      const r = await pool.query<R>(text, values);
      healthy = true;
      return r;
    } catch (err) {
      if (isConnectionError(err)) { healthy = false; throw unreachable(target, err, redact); }
      throw new Error(redact((err as Error).message), { cause: err });
    }
  }

  async function transaction(body: (c: pg.PoolClient) => Promise<void>): Promise<void> {
    let c: pg.PoolClient;
    try { c = await pool.connect(); } catch (err) { healthy = false; throw unreachable(target, err, redact); }
    let broken = false;
    const onError = () => { broken = true; };
    c.on('error', onError);
    try {
      await c.query('BEGIN');
      await body(c);
      await c.query('COMMIT');
    } catch (err) {
      broken = broken || isConnectionError(err);
      if (!broken) await c.query('ROLLBACK').catch(() => { broken = true; });
      if (broken) { healthy = false; throw unreachable(target, err, redact); }
      throw new Error(redact((err as Error).message), { cause: err });
    } finally {
      c.removeListener('error', onError);
      // A broken connection is destroyed, never handed to the next query.
      c.release(broken ? true : undefined);
    }
  }

  return { pool, config, target, redact, query, transaction, healthy: () => healthy };
}
