// The team server's shared record on PostgreSQL (docs/architecture.md "Team mode"). Every `serve`
// process started with the same `--database postgres://…` appends the requests it accepts here; every
// process mirrors them, in id order, into its own SQLite read model, where they are derived into events
// exactly as on the desktop. This file is the PostgreSQL side's one face: it opens the pool
// (pg-connect.ts), migrates (pg-migrations.ts), and puts together append, read after an id, the rules and
// forgotten tables and prune (here), LISTEN/NOTIFY (pg-listen.ts), claims (pg-claims.ts) and leadership
// (pg-leadership.ts).
//
// Decisions:
//  - Appends commit in parallel (PostgreSQL groups their fsyncs), so ids may become visible out of id
//    order. A reader never skips one all the same: each append draws its transaction id and its row ids
//    together under a short lock (migration 6), so transaction order is id order, and readers take only
//    rows whose transaction is older than every transaction still running (`page`, the horizon). Every id
//    below such a row is committed or never will be (a rolled-back append leaves a gap, never a late
//    row), and a tailer that remembers "everything up to N" never skips a row.
//  - The URL carries a password: it never appears in a log line, an error or the renderer (pg-connect.ts).
//  - node-postgres returns bigint as text: ids and times are read back with Number() (safe up to 2^53).
import type { IngestRequest } from '../store/store';
import type { Provider, SignatureVerdict, StoredRequest } from '../../../shared/types';
import type { TeamHorizonHolder } from '../../../shared/ipc';
import type { Logger } from '../types';
import { claimQueries, type ClaimQueries } from './pg-claims';
import { createPgConnection, type Query } from './pg-connect';
import { holdLeadership, type Leadership, type LeadershipOptions } from './pg-leadership';
import { startListener } from './pg-listen';
import { prepareDatabase } from './pg-migrations';
import { FORGET_CHANNEL, RULES_CHANNEL } from './pg-names';

export { describeTarget, isPostgresUrl, makeRedactor, redactUrl } from './database-url';

/** A request as the shared record holds it: the same fields as the local store, with its shared id. */
export interface SharedRequest extends IngestRequest { id: number }

/** One committed append: its ids (ascending) and its transaction (pg-log.ts: xact order is id order). */
export interface AppendedBatch { ids: number[]; xact: number }

/**
 * Settled rows after an id. `horizon` is the oldest transaction still running when they were read: a row
 * whose append's `xact` is below it is settled — every id below it is committed or never will be.
 */
export interface SharedPage { rows: SharedRequest[]; horizon: number }

/** How long a forgotten contact's number stays in the shared table (a process away longer than this
 *  should start from an empty data dir). */
export const FORGOTTEN_KEEP_MS = 30 * 86_400_000;

/** A rule as the shared table holds it. */
export interface SharedRule {
  id: number; spec: string; createdAt: number; updatedAt: number;
  secrets: { actionIndex: number; url: string; secret: string }[];
}

export interface PgLog extends ClaimQueries {
  /** host:port/database, for messages. */
  readonly target: string;
  /** A random id made when the database was first migrated: tells one team database from another. */
  readonly databaseId: string;
  /** Appends accepted requests in one transaction; resolves with their ids (ascending, in order) after COMMIT. */
  append(rows: IngestRequest[]): Promise<number[]>;
  /** The same, with the append's transaction (the mirror settles its own rows with it). */
  appendBatch(rows: IngestRequest[]): Promise<AppendedBatch>;
  /**
   * Up to `limit` settled requests with id > `afterId`, in id order, leaving out the ids in `skip` (rows
   * the caller has), and the horizon that settled them. The rows are a prefix, in id order, of every row
   * after `afterId` that will ever commit (minus `skip`): none below them can still appear.
   */
  page(afterId: number, limit: number, skip?: number[]): Promise<SharedPage>;
  /**
   * What holds the horizon back, for the mirror's held-back watch (held-back.ts): how many requests after
   * `afterId` wait for it (counted up to 10 000) and the oldest transaction holding a transaction id in the
   * whole cluster — a session or a prepared transaction. Never its query text (it can hold customer data).
   */
  horizonHolder(afterId: number): Promise<{ horizon: number; waiting: number; holder: TeamHorizonHolder | null }>;
  /** page(…).rows. */
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
  /** Holds `key` (pg_try_advisory_lock) on a connection of its own while it can; re-tries every `everyMs`. */
  leadership(key: number, opts?: LeadershipOptions): Leadership;
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

/** PgLog.horizonHolder: how many requests after `afterId` wait behind the horizon, and who holds it. */
async function horizonHolder(q: Query, afterId: number): Promise<{ horizon: number; waiting: number; holder: TeamHorizonHolder | null }> {
  // pg_stat_activity shows every role's pid, role, application and backend_xid, but a session of another
  // role has its state, xact_start and client address hidden unless Hookscope's role has
  // pg_read_all_stats (or is a superuser): then `hidden`. The oldest transaction id still running is
  // the horizon (the snapshot's xmin), so the holder is the one with the oldest backend_xid. Its query
  // text is only compared with PostgreSQL's "hidden" marker, never read out. A background process
  // (autovacuum…) has no application_name: its backend_type stands in.
  const r = await q<{ horizon: string; waiting: string; pid: number | null; usr: string | null; app: string | null; db: string | null;
    client: string | null; state: string | null; xact_start: string | null; hidden: boolean | null; prepared: string | null }>(
    `WITH h AS MATERIALIZED (SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS x),
      w AS (SELECT count(*) AS n FROM (SELECT 1 FROM requests, h WHERE id > $1 AND xact >= h.x LIMIT 10000) s),
      a AS (SELECT pid, usename::text AS usr,
              left(COALESCE(NULLIF(application_name, ''), NULLIF(backend_type, 'client backend')), 64) AS app,
              datname::text AS db, host(client_addr) AS client, state, (extract(epoch FROM xact_start) * 1000)::bigint AS xact_start,
              (query IS NOT DISTINCT FROM '<insufficient privilege>') AS hidden, NULL::text AS prepared,
              age(backend_xid) AS age
            FROM pg_stat_activity WHERE backend_xid IS NOT NULL AND pid <> pg_backend_pid()
          UNION ALL
          SELECT NULL, owner::text, NULL, database::text, NULL, NULL, (extract(epoch FROM prepared) * 1000)::bigint, false, left(gid, 64),
              age(transaction)
            FROM pg_prepared_xacts
          ORDER BY age DESC LIMIT 1)
    SELECT h.x AS horizon, w.n AS waiting, a.pid, a.usr, a.app, a.db, a.client, a.state, a.xact_start, a.hidden, a.prepared
      FROM h CROSS JOIN w LEFT JOIN a ON true`, [afterId]);
  const x = r.rows[0];
  const holder: TeamHorizonHolder | null = x.hidden == null ? null : {
    pid: x.pid, user: x.usr, application: x.app || null, database: x.db, client: x.client, state: x.state,
    xactStart: x.xact_start == null ? null : Number(x.xact_start), hidden: x.hidden, prepared: x.prepared,
  };
  return { horizon: Number(x.horizon), waiting: Number(x.waiting), holder };
}

export async function openPgLog(opts: { url: string; logger: Logger; appName?: string; poolSize?: number; connectTimeoutMs?: number }): Promise<PgLog> {
  const conn = createPgConnection(opts);
  const { pool, config, target, redact } = conn;
  const q = conn.query;
  const databaseId = await prepareDatabase(conn);

  // The listener and the leadership connections are the log's own: close() ends whichever still run.
  const closers = new Set<() => Promise<void>>();
  function closedWithLog(stop: () => Promise<void>): () => Promise<void> {
    const tracked = async () => { await stop(); closers.delete(tracked); };
    closers.add(tracked);
    return tracked;
  }

  const log: PgLog = {
    target,
    databaseId,
    redact,
    healthy: conn.healthy,

    async append(rows) {
      return (await log.appendBatch(rows)).ids;
    },

    async appendBatch(rows) {
      if (rows.length === 0) return { ids: [], xact: 0 };
      // One statement, one round trip (migrations 5 and 6): the ids, the rows and the NOTIFY commit together
      // in its implicit transaction, and the answer comes after COMMIT. It must stay a transaction of its
      // own: a transaction id drawn before the function's lock would break "xact order is id order".
      const col = <T>(f: (r: IngestRequest) => T) => rows.map(f);
      const r = await q<{ ids: string[]; xact: string }>('SELECT ids, xact FROM hookscope_append_batch($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)', [
        col((x) => x.receivedAt), col((x) => x.method), col((x) => x.path), col((x) => x.query), col((x) => JSON.stringify(x.headers)),
        col((x) => x.body), col((x) => x.provider), col((x) => x.responseStatus), col((x) => x.signature), col((x) => x.signatureDiagnosis),
        col((x) => x.error), col((x) => x.origin),
      ]);
      return { ids: r.rows[0].ids.map(Number), xact: Number(r.rows[0].xact) };
    },

    async page(afterId, limit, skip) {
      // The horizon comes from this statement's own snapshot, so every row older than it that ever commits
      // is in it. One row with NULL columns when nothing is settled: the horizon still comes back.
      const r = await q<Row & { horizon: string }>(`WITH h AS MATERIALIZED (SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS horizon)
        SELECT h.horizon, r.* FROM h LEFT JOIN LATERAL (SELECT ${COLS} FROM requests
          WHERE id > $1 AND xact < h.horizon AND id <> ALL($3::bigint[]) ORDER BY id LIMIT $2) r ON true`, [afterId, limit, skip ?? []]);
      return { rows: r.rows.filter((x) => x.id != null).map(toShared), horizon: Number(r.rows[0].horizon) };
    },

    horizonHolder: (afterId) => horizonHolder(q, afterId),

    async after(afterId, limit, skip) {
      return (await log.page(afterId, limit, skip)).rows;
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
      await conn.transaction(async (c) => {
        if (p.whole.length) await c.query('DELETE FROM requests WHERE id = ANY($1::bigint[])', [p.whole]);
        for (const e of p.edited) {
          await c.query(`UPDATE requests SET body = $2, body_size = $3, error = COALESCE(error || ' ', '') || $4 WHERE id = $1`, [e.id, e.body, e.body.length, p.note]);
        }
        await c.query('INSERT INTO forgotten (contact_id, at) VALUES ($1, $2)', [p.contactId, Date.now()]);
        await c.query(`SELECT pg_notify('${FORGET_CHANNEL}', '')`);
      });
    },

    async forgottenAfter(seq) {
      const r = await q<{ seq: string; contact_id: string }>('SELECT seq, contact_id FROM forgotten WHERE seq > $1 ORDER BY seq', [seq]);
      return r.rows.map((x) => ({ seq: Number(x.seq), contactId: x.contact_id }));
    },

    listen(onNotify, onState, onChannel) {
      return closedWithLog(startListener({ config, logger: opts.logger, target, redact }, { onNotify, onState, onChannel }));
    },

    ...claimQueries(q),

    leadership(key, lopts) {
      const held = holdLeadership(config, key, lopts);
      return { isLeader: held.isLeader, stop: closedWithLog(held.stop) };
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
