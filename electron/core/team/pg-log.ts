// The team server's shared record on PostgreSQL (docs/architecture.md "Team mode"). Every `serve`
// process started with the same `--database postgres://…` appends the requests it accepts here; every
// process mirrors them, in id order, into its own SQLite read model, where they are derived into events
// exactly as on the desktop. This file is the PostgreSQL side only: connect, migrate, append, read after
// an id, LISTEN/NOTIFY, claims (a rule fires once across processes), leadership (advisory locks), prune.
//
// Decisions:
//  - Ids become visible in id order across processes: each append transaction takes one transaction-level
//    advisory lock before drawing its ids and holds it to COMMIT. So when a reader sees id N, every id
//    below N is already committed or never will be (a rolled-back append leaves a gap, never a late row),
//    and a tailer that remembers "everything up to N" never skips a row.
//  - The URL carries a password: it never appears in a log line, an error or the renderer. Errors name
//    the host, port and database (describeTarget) and anything pg says passes through redact().
//  - node-postgres returns bigint as text: ids and times are read back with Number() (safe up to 2^53).
import pg from 'pg';
import type { IngestRequest } from '../store/store';
import type { Provider, SignatureVerdict, StoredRequest } from '../../../shared/types';
import { HookscopeError } from '../../../shared/errors';
import type { Logger } from '../types';
import { describeTarget, makeRedactor } from './database-url';

export { describeTarget, isPostgresUrl, makeRedactor, redactUrl } from './database-url';

/** A request as the shared record holds it: the same fields as the local store, with its shared id. */
export interface SharedRequest extends IngestRequest { id: number }

/**
 * NOTIFY channel: the payload is the id range the append committed, `first-last` (a single id, the
 * highest, from appends of earlier versions). A listener fetches only the ranges that are not its own.
 */
export const NOTIFY_CHANNEL = 'hookscope_requests';
/** Advisory lock keys (one namespace for Hookscope; the numbers are arbitrary but fixed forever). */
export const LOCK_APPEND = 0x484b5301;
export const LOCK_RETENTION = 0x484b5302;
export const LOCK_TIMERS = 0x484b5303;
export const LOCK_MIGRATE = 0x484b5304;

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
];

/** NOTIFY channel for forgotten contacts. */
export const FORGET_CHANNEL = 'hookscope_forget';
/** How long a forgotten contact's number stays in the shared table (a process away longer than this
 *  should start from an empty data dir). */
export const FORGOTTEN_KEEP_MS = 30 * 86_400_000;

/** NOTIFY channel for rule changes (no payload: every process re-reads the few rules). */
export const RULES_CHANNEL = 'hookscope_rules';

/** A rule as the shared table holds it. */
export interface SharedRule {
  id: number; spec: string; createdAt: number; updatedAt: number;
  secrets: { actionIndex: number; url: string; secret: string }[];
}

/** pg error codes and socket errors that mean "the database is not there right now". */
export function isConnectionError(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | null;
  if (!e) return false;
  if (e.code && /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|57P01|57P02|57P03|08\d\d\d)$/.test(e.code)) return true;
  return /Connection terminated|connection timeout|Client has encountered a connection error|not queryable|timeout exceeded when trying to connect/i.test(e.message ?? '');
}

export interface Leadership {
  /** True while this process holds the lock (checked again every few seconds). */
  isLeader(): boolean;
  stop(): Promise<void>;
}

export interface PgLog {
  /** host:port/database, for messages. */
  readonly target: string;
  /** A random id made when the database was first migrated: tells one team database from another. */
  readonly databaseId: string;
  /** Appends accepted requests in one transaction; resolves with their ids (ascending, in order) after COMMIT. */
  append(rows: IngestRequest[]): Promise<number[]>;
  /** Up to `limit` requests with id > `afterId`, in id order, leaving out the ids in `skip` (rows the caller has). */
  after(afterId: number, limit: number, skip?: number[]): Promise<SharedRequest[]>;
  maxId(): Promise<number>;
  /**
   * LISTEN on a connection of its own, reconnecting with back-off; `onNotify` gets the committed id range
   * (`first` = `last` when an older appender only said its highest id),
   * `onState` says when the connection is lost and back (a reconnect is when to catch up).
   */
  /** `onChannel` hears the rules and forget channels (RULES_CHANNEL, FORGET_CHANNEL). */
  listen(onNotify: (last: number, first: number) => void, onState: (up: boolean) => void, onChannel?: (channel: string) => void): () => Promise<void>;
  /**
   * Erases a contact from the shared record, in one transaction: requests erased whole, edited bodies
   * (with `note` appended to their error), and a `forgotten` row every process acts on (NOTIFY).
   */
  forget(p: { contactId: string; whole: number[]; edited: { id: number; body: Buffer }[]; note: string }): Promise<void>;
  /** Forgotten contacts after `seq`, oldest first. */
  forgottenAfter(seq: number): Promise<{ seq: number; contactId: string }[]>;
  /** A new rule id from the shared sequence (ids never collide across processes). */
  nextRuleId(): Promise<number>;
  rules(): Promise<SharedRule[]>;
  /** Inserts or replaces a rule, and tells every process (NOTIFY). */
  putRule(rule: SharedRule): Promise<void>;
  /** Deletes a rule, and tells every process; false when it was not there. */
  deleteRule(id: number): Promise<boolean>;
  /** True for the one process that claims this request first (across every process on the database). */
  claim(requestId: number, by: string): Promise<boolean>;
  /** The ids among `requestIds` this process claimed first (one round trip for a derived batch). */
  claimMany(requestIds: number[], by: string, leaseMs?: number): Promise<Set<number>>;
  /** Extends this process's open claims on these requests by `leaseMs`. */
  renewClaims(requestIds: number[], by: string, leaseMs: number): Promise<void>;
  /** This process's claims on these requests are done: their actions were delivered or given up. */
  finishClaims(requestIds: number[], by: string): Promise<void>;
  /** Takes over open claims whose lease ran out (at most `limit`, up to request `throughId`); their ids. */
  takeExpiredClaims(by: string, leaseMs: number, throughId: number, limit?: number): Promise<number[]>;
  /** Holds `key` (pg_try_advisory_lock) on a connection of its own while it can; re-tries every `everyMs`. */
  leadership(key: number, opts?: { everyMs?: number; onChange?: (leader: boolean) => void }): Leadership;
  /** Deletes requests received before `olderThan` or with id < `beforeId`, `batch` at most; returns how many. */
  prune(opts: { olderThan?: number; beforeId?: number; batch?: number }): Promise<number>;
  counts(): Promise<{ requests: number; bytes: number }>;
  /** Whether the last query reached the database. */
  healthy(): boolean;
  redact(text: string): string;
  close(): Promise<void>;
}

interface Row {
  id: string; received_at: string; method: string; path: string; query: string; headers: string; body: Buffer | null;
  body_size: number; provider: string | null; response_status: number; signature: string; signature_diagnosis: string | null;
  error: string | null; origin: string;
}

function toShared(r: Row): SharedRequest {
  return {
    id: Number(r.id), receivedAt: Number(r.received_at), method: r.method, path: r.path, query: r.query,
    headers: JSON.parse(r.headers) as [string, string][], body: r.body, provider: r.provider as Provider | null,
    responseStatus: r.response_status, signature: r.signature as SignatureVerdict, signatureDiagnosis: r.signature_diagnosis,
    error: r.error, origin: r.origin as StoredRequest['origin'],
  };
}

const COLS = 'id, received_at, method, path, query, headers, body, body_size, provider, response_status, signature, signature_diagnosis, error, origin';

/** A clear, password-free error for a database that cannot be reached or used. */
function unreachable(target: string, err: unknown, redact: (s: string) => string): HookscopeError {
  const e = err as { code?: string; message?: string };
  const why = redact(e?.code && !/^\d/.test(e.code) ? `${e.code}${e.message ? `: ${e.message}` : ''}` : e?.message ?? String(err));
  return new HookscopeError('DB_UNREACHABLE', `Cannot reach the PostgreSQL database at ${target} (${why}).`);
}

export async function openPgLog(opts: { url: string; logger: Logger; appName?: string; poolSize?: number; connectTimeoutMs?: number }): Promise<PgLog> {
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

  async function q<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
    try {
      const r = await pool.query<R>(text, values);
      healthy = true;
      return r;
    } catch (err) {
      if (isConnectionError(err)) { healthy = false; throw unreachable(target, err, redact); }
      throw new Error(redact((err as Error).message), { cause: err });
    }
  }

  // Reach it now: a wrong URL is a one-line error at start, naming where, never the password.
  let databaseId: string;
  try {
    const c = await pool.connect();
    const onError = () => undefined; // the failing query says it
    c.on('error', onError);
    try {
      await migrate(c);
      databaseId = (await c.query<{ value: string }>(`SELECT value FROM kv WHERE key = 'database_id'`)).rows[0].value;
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

  async function migrate(c: pg.PoolClient) {
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

  const closers = new Set<() => Promise<void>>();

  const log: PgLog = {
    target,
    databaseId,
    redact,
    healthy: () => healthy,

    async append(rows) {
      if (rows.length === 0) return [];
      // One statement, one round trip (migration 5): the lock, the ids, the rows and the NOTIFY commit
      // together in its implicit transaction, and the answer comes after COMMIT.
      const col = <T>(f: (r: IngestRequest) => T) => rows.map(f);
      const r = await q<{ ids: string[] }>('SELECT hookscope_append($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) AS ids', [
        col((x) => x.receivedAt), col((x) => x.method), col((x) => x.path), col((x) => x.query), col((x) => JSON.stringify(x.headers)),
        col((x) => x.body), col((x) => x.provider), col((x) => x.responseStatus), col((x) => x.signature), col((x) => x.signatureDiagnosis),
        col((x) => x.error), col((x) => x.origin),
      ]);
      return r.rows[0].ids.map(Number);
    },

    async after(afterId, limit, skip) {
      const r = skip && skip.length
        ? await q<Row>(`SELECT ${COLS} FROM requests WHERE id > $1 AND id <> ALL($3::bigint[]) ORDER BY id LIMIT $2`, [afterId, limit, skip])
        : await q<Row>(`SELECT ${COLS} FROM requests WHERE id > $1 ORDER BY id LIMIT $2`, [afterId, limit]);
      return r.rows.map(toShared);
    },

    async maxId() {
      const r = await q<{ m: string | null }>('SELECT max(id) AS m FROM requests');
      return Number(r.rows[0].m ?? 0);
    },

    async nextRuleId() {
      return Number((await q<{ id: string }>(`SELECT nextval('rule_ids') AS id`)).rows[0].id);
    },

    async rules() {
      const r = await q<{ id: string; spec: string; created_at: string; updated_at: string; secrets: string }>('SELECT id, spec, created_at, updated_at, secrets FROM rules ORDER BY id');
      return r.rows.map((x) => ({ id: Number(x.id), spec: x.spec, createdAt: Number(x.created_at), updatedAt: Number(x.updated_at), secrets: JSON.parse(x.secrets) as SharedRule['secrets'] }));
    },

    async putRule(rule) {
      await q(`WITH up AS (INSERT INTO rules (id, spec, created_at, updated_at, secrets) VALUES ($1, $2, $3, $4, $5)
          ON CONFLICT (id) DO UPDATE SET spec = excluded.spec, updated_at = excluded.updated_at, secrets = excluded.secrets RETURNING 1)
        SELECT pg_notify('${RULES_CHANNEL}', '') FROM (SELECT count(*) FROM up) n`, [rule.id, rule.spec, rule.createdAt, rule.updatedAt, JSON.stringify(rule.secrets)]);
    },

    async deleteRule(id) {
      const r = await q<{ n: string }>(`WITH gone AS (DELETE FROM rules WHERE id = $1 RETURNING 1)
        SELECT count(*) AS n, pg_notify('${RULES_CHANNEL}', '') FROM gone`, [id]);
      return Number(r.rows[0].n) > 0;
    },

    async forget(p) {
      let c: pg.PoolClient;
      try { c = await pool.connect(); } catch (err) { healthy = false; throw unreachable(target, err, redact); }
      let broken = false;
      const onError = () => { broken = true; };
      c.on('error', onError);
      try {
        await c.query('BEGIN');
        if (p.whole.length) await c.query('DELETE FROM requests WHERE id = ANY($1::bigint[])', [p.whole]);
        for (const e of p.edited) {
          await c.query(`UPDATE requests SET body = $2, body_size = $3, error = COALESCE(error || ' ', '') || $4 WHERE id = $1`, [e.id, e.body, e.body.length, p.note]);
        }
        await c.query('INSERT INTO forgotten (contact_id, at) VALUES ($1, $2)', [p.contactId, Date.now()]);
        await c.query(`SELECT pg_notify('${FORGET_CHANNEL}', '')`);
        await c.query('COMMIT');
      } catch (err) {
        broken = broken || isConnectionError(err);
        if (!broken) await c.query('ROLLBACK').catch(() => { broken = true; });
        if (broken) { healthy = false; throw unreachable(target, err, redact); }
        throw new Error(redact((err as Error).message), { cause: err });
      } finally {
        c.removeListener('error', onError);
        c.release(broken ? true : undefined);
      }
    },

    async forgottenAfter(seq) {
      const r = await q<{ seq: string; contact_id: string }>('SELECT seq, contact_id FROM forgotten WHERE seq > $1 ORDER BY seq', [seq]);
      return r.rows.map((x) => ({ seq: Number(x.seq), contactId: x.contact_id }));
    },

    listen(onNotify, onState, onChannel) {
      let client: pg.Client | null = null;
      let stopped = false;
      let up = false;
      let delay = 250;
      let timer: ReturnType<typeof setTimeout> | null = null;
      const setUp = (v: boolean) => { if (v !== up) { up = v; onState(v); } };
      const connect = async () => {
        timer = null;
        if (stopped) return;
        const c = new pg.Client({ ...config, application_name: `${config.application_name}-listen` });
        client = c;
        c.on('error', (err) => {
          logger.warn('database listener lost its connection; reconnecting', { database: target, err: redact(String(err)) });
          drop(c);
        });
        c.on('end', () => drop(c));
        c.on('notification', (n) => {
          if (n.channel === RULES_CHANNEL || n.channel === FORGET_CHANNEL) { onChannel?.(n.channel); return; }
          if (n.channel !== NOTIFY_CHANNEL) return;
          const m = /^(\d+)(?:-(\d+))?$/.exec(n.payload ?? '');
          if (!m) return;
          const first = Number(m[1]);
          const last = m[2] != null ? Number(m[2]) : first;
          if (last >= first) onNotify(last, first);
        });
        try {
          await c.connect();
          await c.query(`LISTEN ${NOTIFY_CHANNEL}; LISTEN ${RULES_CHANNEL}; LISTEN ${FORGET_CHANNEL}`);
          if (stopped) { await c.end().catch(() => undefined); return; }
          delay = 250;
          setUp(true);
        } catch (err) {
          logger.debug('database listener could not connect', { database: target, err: redact(String(err)) });
          drop(c);
        }
      };
      const drop = (c: pg.Client) => {
        if (client !== c) return;
        client = null;
        c.removeAllListeners('notification');
        c.end().catch(() => undefined);
        setUp(false);
        if (!stopped && !timer) {
          timer = setTimeout(() => void connect(), delay);
          timer.unref?.();
          delay = Math.min(delay * 2, 5000);
        }
      };
      void connect();
      const stop = async () => {
        stopped = true;
        if (timer) clearTimeout(timer);
        const c = client;
        client = null;
        if (c) await c.end().catch(() => undefined);
        closers.delete(stop);
      };
      closers.add(stop);
      return stop;
    },

    async claim(requestId, by) {
      const r = await q(`INSERT INTO rule_claims (request_id, claimed_by, claimed_at) VALUES ($1, $2, $3)
        ON CONFLICT (request_id) DO NOTHING RETURNING request_id`, [requestId, by, Date.now()]);
      return (r.rowCount ?? 0) > 0;
    },

    async claimMany(requestIds, by, leaseMs) {
      if (requestIds.length === 0) return new Set();
      const now = Date.now();
      const r = await q<{ request_id: string }>(`INSERT INTO rule_claims (request_id, claimed_by, claimed_at, lease_until, done)
        SELECT unnest($1::bigint[]), $2, $3, $4, $5 ON CONFLICT (request_id) DO NOTHING RETURNING request_id`,
      [requestIds, by, now, now + (leaseMs ?? 0), leaseMs == null]);
      return new Set(r.rows.map((x) => Number(x.request_id)));
    },
    async renewClaims(requestIds, by, leaseMs) {
      if (requestIds.length === 0) return;
      await q('UPDATE rule_claims SET lease_until = $3 WHERE request_id = ANY($1::bigint[]) AND claimed_by = $2 AND NOT done',
        [requestIds, by, Date.now() + leaseMs]);
    },
    async finishClaims(requestIds, by) {
      if (requestIds.length === 0) return;
      await q('UPDATE rule_claims SET done = true WHERE request_id = ANY($1::bigint[]) AND claimed_by = $2', [requestIds, by]);
    },
    async takeExpiredClaims(by, leaseMs, throughId, limit = 500) {
      const now = Date.now();
      const r = await q<{ request_id: string }>(`UPDATE rule_claims SET claimed_by = $1, claimed_at = $2, lease_until = $3
        WHERE request_id IN (SELECT request_id FROM rule_claims WHERE NOT done AND lease_until < $2 AND request_id <= $4
          ORDER BY request_id LIMIT $5 FOR UPDATE SKIP LOCKED)
        RETURNING request_id`, [by, now, now + leaseMs, throughId, limit]);
      return r.rows.map((x) => Number(x.request_id)).sort((a, b) => a - b);
    },

    leadership(key, lopts = {}) {
      const everyMs = lopts.everyMs ?? 5000;
      let client: pg.Client | null = null;
      let leader = false;
      let stopped = false;
      let busy = false;
      const set = (v: boolean) => { if (v !== leader) { leader = v; lopts.onChange?.(v); } };
      const lose = (c: pg.Client) => {
        if (client !== c) return;
        client = null;
        set(false);
        c.end().catch(() => undefined);
      };
      const attempt = async () => {
        if (stopped || busy) return;
        busy = true;
        try {
          if (!client) {
            const c = new pg.Client({ ...config, application_name: `${config.application_name}-lead` });
            c.on('error', () => lose(c));
            c.on('end', () => lose(c));
            await c.connect();
            if (stopped) { await c.end(); return; }
            client = c;
          }
          if (leader) {
            // Still holding the session lock as long as the connection is alive: a cheap ping proves it.
            await client.query('SELECT 1');
          } else {
            const r = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [key]);
            set(r.rows[0].ok === true);
          }
        } catch {
          if (client) lose(client);
        } finally {
          busy = false;
        }
      };
      void attempt();
      const timer = setInterval(() => void attempt(), everyMs);
      timer.unref?.();
      const stop = async () => {
        stopped = true;
        clearInterval(timer);
        const c = client;
        client = null;
        set(false);
        // Ending the session releases the lock: another process takes over at its next attempt.
        if (c) await c.end().catch(() => undefined);
        closers.delete(stop);
      };
      closers.add(stop);
      return { isLeader: () => leader, stop };
    },

    async prune({ olderThan, beforeId, batch = 2000 }) {
      const conds: string[] = [];
      const params: unknown[] = [];
      if (olderThan != null) { params.push(olderThan); conds.push(`received_at < $${params.length}`); }
      if (beforeId != null) { params.push(beforeId); conds.push(`id < $${params.length}`); }
      if (conds.length === 0) return 0;
      params.push(batch);
      const r = await q<{ id: string }>(`WITH gone AS (DELETE FROM requests WHERE id IN (
          SELECT id FROM requests WHERE ${conds.join(' OR ')} ORDER BY id LIMIT $${params.length}) RETURNING id),
        claims AS (DELETE FROM rule_claims WHERE request_id IN (SELECT id FROM gone)),
        old AS (DELETE FROM forgotten WHERE at < ${Date.now() - FORGOTTEN_KEEP_MS})
        SELECT id FROM gone`, params);
      return r.rowCount ?? 0;
    },

    async counts() {
      const r = await q<{ n: string; bytes: string }>(`SELECT count(*) AS n, pg_total_relation_size('requests') AS bytes FROM requests`);
      return { requests: Number(r.rows[0].n), bytes: Number(r.rows[0].bytes) };
    },

    async close() {
      for (const c of [...closers]) await c();
      await pool.end().catch(() => undefined);
    },
  };
  return log;
}
