// PostgreSQL's schema for the team server (docs/architecture.md "Team mode"): the migrations, append-only,
// and how a process brings a database up to date when it opens it. Table hookscope_schema holds the
// version reached; several processes starting at once take one advisory lock, so one migrates and the
// others wait for it and find nothing to do. A database written by a newer Hookscope is refused untouched.
import type pg from 'pg';
import { HookscopeError } from '../../../shared/errors';
import { isConnectionError, unreachable, type PgConnection } from './pg-connect';
import { LOCK_APPEND, LOCK_MIGRATE, NOTIFY_CHANNEL } from './pg-names';

/** PostgreSQL migrations: append-only; hookscope_schema holds the version reached. */
export const PG_MIGRATIONS: string[] = [
  `
  CREATE TABLE requests (
    id bigserial PRIMARY KEY,
    received_at bigint NOT NULL,
    method text NOT NULL,
    path text NOT NULL,
    query text NOT NULL DEFAULT '',
    headers text NOT NULL,
    body bytea,
    body_size integer NOT NULL DEFAULT 0,
    provider text,
    response_status integer NOT NULL,
    signature text NOT NULL,
    signature_diagnosis text,
    error text,
    origin text NOT NULL DEFAULT 'network'
  );
  CREATE INDEX requests_received ON requests(received_at);
  -- A request whose rules already ran somewhere: the first process to insert its row runs them.
  CREATE TABLE rule_claims (
    request_id bigint PRIMARY KEY,
    claimed_by text NOT NULL,
    claimed_at bigint NOT NULL
  );
  CREATE TABLE kv (key text PRIMARY KEY, value text NOT NULL);
  INSERT INTO kv (key, value) VALUES ('database_id', md5(random()::text || clock_timestamp()::text));
  `,
  // 2: the team's rules, one source of truth for every process (team/rules-sync.ts): the stored spec and
  // the write-only signing secrets of its http actions ([{ actionIndex, url, secret }]).
  `
  CREATE SEQUENCE rule_ids;
  CREATE TABLE rules (
    id bigint PRIMARY KEY,
    spec text NOT NULL,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL,
    secrets text NOT NULL DEFAULT '[]'
  );
  `,
  // 3: contacts forgotten (docs/api.md "Forget a contact"): every process erases them from its read model
  // too. The number is kept here only so that processes can do that; rows go after FORGOTTEN_KEEP_MS.
  `
  CREATE TABLE forgotten (
    seq bigserial PRIMARY KEY,
    contact_id text NOT NULL,
    at bigint NOT NULL
  );
  `,
  // 4: claims are leases (docs/architecture.md "Team mode"): the claimer holds its claim while the rule
  // actions it queued are not done; a claim not done whose lease ran out is taken over by another process,
  // which runs the request's rules again (the actions' delivery keys are the same in every process).
  // Claims from before are done.
  `
  ALTER TABLE rule_claims ADD COLUMN lease_until bigint NOT NULL DEFAULT 0;
  ALTER TABLE rule_claims ADD COLUMN done boolean NOT NULL DEFAULT true;
  CREATE INDEX rule_claims_open ON rule_claims(lease_until) WHERE NOT done;
  `,
  // 5: one round trip per group commit (docs/architecture.md "Team mode"). The append is one function
  // call in an implicit transaction: the order lock, the ids drawn under it, one multi-row INSERT from
  // parallel arrays, the NOTIFY of the range, and the COMMIT, all before the single answer. Before, the
  // same steps were four round trips (BEGIN + lock, ids, INSERT, COMMIT).
  `
  CREATE FUNCTION hookscope_append(received bigint[], methods text[], paths text[], queries text[], headers text[],
      bodies bytea[], providers text[], statuses integer[], signatures text[], diagnoses text[], errors text[], origins text[])
    RETURNS bigint[] LANGUAGE plpgsql AS $fn$
  DECLARE
    ids bigint[];
    n integer := cardinality(received);
  BEGIN
    IF n IS NULL OR n = 0 THEN RETURN '{}'; END IF;
    PERFORM pg_advisory_xact_lock(${LOCK_APPEND});
    ids := ARRAY(SELECT nextval(pg_get_serial_sequence('requests', 'id')) FROM generate_series(1, n) ORDER BY 1);
    INSERT INTO requests (id, received_at, method, path, query, headers, body, body_size, provider, response_status, signature, signature_diagnosis, error, origin)
      SELECT u.id, u.received_at, u.method, u.path, u.query, u.headers, u.body, COALESCE(octet_length(u.body), 0), u.provider, u.status, u.signature, u.diagnosis, u.error, u.origin
      FROM unnest(ids, received, methods, paths, queries, headers, bodies, providers, statuses, signatures, diagnoses, errors, origins)
        AS u(id, received_at, method, path, query, headers, body, provider, status, signature, diagnosis, error, origin);
    -- Delivered at COMMIT only: the first and last id of this append (ids are drawn under the lock).
    PERFORM pg_notify('${NOTIFY_CHANNEL}', ids[1]::text || '-' || ids[n]::text);
    RETURN ids;
  END
  $fn$;
  `,
  // 6: appends commit in parallel (docs/architecture.md "Team mode"). Migration 5's order lock was held
  // through COMMIT, fsync included, so every process's appends went through one commit at a time. Now
  // the lock covers only drawing the transaction id and the row ids — no I/O — and is let go before the
  // INSERT, so PostgreSQL groups the commits of several appends. Ids no longer become visible in id order;
  // readers instead take only rows whose transaction (`xact`, drawn under the lock together with the ids,
  // so xact order is id order) is older than every transaction still running: every id below such a row is
  // committed or never will be (pg-log.ts `page`). Rows from before have xact 0: settled.
  // The lock is a session lock (a transaction lock would last to COMMIT again), so an error between taking
  // and letting it go lets it go before re-raising. hookscope_append (migration 5) now calls the new
  // function: a process of the previous version still appends correctly, but reads by the old rule — every
  // process of a team must run this version (docs/architecture.md "Team mode").
  `
  ALTER TABLE requests ADD COLUMN xact bigint NOT NULL DEFAULT 0;
  CREATE FUNCTION hookscope_append_batch(received bigint[], methods text[], paths text[], queries text[], headers text[],
      bodies bytea[], providers text[], statuses integer[], signatures text[], diagnoses text[], errors text[], origins text[],
      OUT ids bigint[], OUT xact bigint)
    LANGUAGE plpgsql AS $fn$
  DECLARE
    n integer := cardinality(received);
  BEGIN
    ids := '{}';
    xact := 0;
    IF n IS NULL OR n = 0 THEN RETURN; END IF;
    PERFORM pg_advisory_lock(${LOCK_APPEND});
    BEGIN
      -- The transaction id first, then the row ids, both under the lock: xact order is id order.
      xact := pg_current_xact_id()::text::bigint;
      ids := ARRAY(SELECT nextval(pg_get_serial_sequence('requests', 'id')) FROM generate_series(1, n) ORDER BY 1);
    EXCEPTION WHEN OTHERS OR query_canceled THEN
      PERFORM pg_advisory_unlock(${LOCK_APPEND});
      RAISE;
    END;
    PERFORM pg_advisory_unlock(${LOCK_APPEND});
    INSERT INTO requests (id, xact, received_at, method, path, query, headers, body, body_size, provider, response_status, signature, signature_diagnosis, error, origin)
      SELECT u.id, xact, u.received_at, u.method, u.path, u.query, u.headers, u.body, COALESCE(octet_length(u.body), 0), u.provider, u.status, u.signature, u.diagnosis, u.error, u.origin
      FROM unnest(ids, received, methods, paths, queries, headers, bodies, providers, statuses, signatures, diagnoses, errors, origins)
        AS u(id, received_at, method, path, query, headers, body, provider, status, signature, diagnosis, error, origin);
    -- Delivered at COMMIT only: the first and last id of this append.
    PERFORM pg_notify('${NOTIFY_CHANNEL}', ids[1]::text || '-' || ids[n]::text);
  END
  $fn$;
  CREATE OR REPLACE FUNCTION hookscope_append(received bigint[], methods text[], paths text[], queries text[], headers text[],
      bodies bytea[], providers text[], statuses integer[], signatures text[], diagnoses text[], errors text[], origins text[])
    RETURNS bigint[] LANGUAGE sql AS $fn$
    SELECT (hookscope_append_batch(received, methods, paths, queries, headers, bodies, providers, statuses, signatures, diagnoses, errors, origins)).ids
  $fn$;
  `,
];

/** Brings the database up to PG_MIGRATIONS.length in one transaction, under the migration lock. */
export async function migrate(c: pg.PoolClient, target: string): Promise<void> {
  // Several processes may start at once: one migrates, the others wait for its lock and find nothing to do.
  await c.query('BEGIN');
  try {
    await c.query(`SELECT pg_advisory_xact_lock(${LOCK_MIGRATE})`);
    await c.query('CREATE TABLE IF NOT EXISTS hookscope_schema (version integer NOT NULL)');
    const row = (await c.query<{ version: number }>('SELECT version FROM hookscope_schema')).rows[0];
    const version = row?.version ?? 0;
    if (version > PG_MIGRATIONS.length) {
      throw new HookscopeError('DB_TOO_NEW', `The PostgreSQL database at ${target} was written by a newer Hookscope (schema ${version}, this one knows ${PG_MIGRATIONS.length}). Update Hookscope.`);
    }
    for (let v = version; v < PG_MIGRATIONS.length; v++) await c.query(PG_MIGRATIONS[v]);
    if (!row) await c.query('INSERT INTO hookscope_schema (version) VALUES ($1)', [PG_MIGRATIONS.length]);
    else if (version < PG_MIGRATIONS.length) await c.query('UPDATE hookscope_schema SET version = $1', [PG_MIGRATIONS.length]);
    await c.query('COMMIT');
  } catch (err) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/**
 * Reaches the database now, migrates it and reads its id: a wrong URL is a one-line error at start,
 * naming where, never the password. On any failure the pool is ended before the error is thrown.
 */
export async function prepareDatabase(conn: PgConnection): Promise<string> {
  const { pool, target, redact } = conn;
  try {
    const c = await pool.connect();
    const onError = () => undefined; // the failing query says it
    c.on('error', onError);
    try {
      await migrate(c, target);
      return (await c.query<{ value: string }>(`SELECT value FROM kv WHERE key = 'database_id'`)).rows[0].value;
    } finally {
      c.removeListener('error', onError);
      c.release();
    }
  } catch (err) {
    await pool.end().catch(() => undefined);
    if (err instanceof HookscopeError) throw err;
    const e = err as { code?: string; message?: string };
    if (isConnectionError(err) || e.code === '28P01' || e.code === '3D000' || e.code === '28000') throw unreachable(target, err, redact);
    throw new HookscopeError('DB_UNREACHABLE', `The PostgreSQL database at ${target} could not be prepared: ${redact(e.message ?? String(err))}`);
  }
}
