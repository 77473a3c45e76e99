// Schema migrations, applied in order on open. PRAGMA user_version holds the version reached;
// a database from a newer Hookscope (user_version > MIGRATIONS.length) is refused, never touched.
//
// Tables:
//   requests       every request that reached the receiver: exact body bytes and headers
//   events         normalised events (docs/api.md), many per request
//   events_fts     FTS5 over text, contact name and number, message id (external content = events; no column
//                  sizes since migration 11)
//   forwards       one row per delivery of a request to a local handler
//   rules          notification rules (JSON of RuleInput in `spec`)
//   notifications  every notification a rule fired
//   kv             small settings and state
//   action_jobs    http actions waiting for their next attempt (a restart resumes them)
//   deliveries     every attempt of an http action
//   outbox         every forward a derived request sets off, written in its derive transaction, until done
//   action_secrets write-only signing secrets of http actions, apart from the rule spec
//   lead_waits     unanswered-lead timers: a lead wrote, no outgoing message yet
//   rule_state     small per-rule timer state (a digest's last period)
//                  (packed = 1 or 2: headers and body in one deflate stream, store/pack.ts)
//   (kv derived_through: requests up to this id have their events; the ones after are derived next)
//   events_keys    FTS5 over error codes and titles, business numbers, message ids, detail values (contentless)
//   event_fields   scalar leaves of the indexed raw paths (shared/where.ts), for field filters: (path_id, value, event_id);
//                  not the leaves the event row holds itself (events.raw_cols, store/field-columns.ts)
//   field_paths    the paths event_fields rows point at, each stored once (id, path)
//   views          saved views: a name, a filter, a search and columns (views.ts)
//   business_names the user's names for receiving business numbers
//   health_checks  health checks turned on, their parameters and state (electron/core/health/)
//   health_history each health check's episodes: fired at, recovered at, value
//   rejected       requests refused at the trust boundary (docs/api.md "Trust boundary"): headers, a capped
//                  body prefix, hash, size, source and diagnosis — never normalised into events
//   request_acks   how long the receiver took to answer each request (migration 12)
// In a store created since migration 12, requests and rejected live in requests.db (log-file.ts).
//
import { createHash } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { redactVerifyToken } from '../../../shared/redact';
import { INDEXED_RAW_PATHS } from '../../../shared/where';
import { moveLogTables } from './log-file';

// A migration is SQL, or SQL plus a step in JavaScript (hashing, redaction) run in the same transaction.
export type Migration = string | { sql: string; run(db: Database): void };

export const MIGRATIONS: Migration[] = [
  `
  CREATE TABLE requests (
    id INTEGER PRIMARY KEY,
    received_at INTEGER NOT NULL,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    query TEXT NOT NULL DEFAULT '',
    headers TEXT NOT NULL,
    body BLOB,
    body_size INTEGER NOT NULL DEFAULT 0,
    provider TEXT,
    response_status INTEGER NOT NULL,
    signature TEXT NOT NULL,
    signature_diagnosis TEXT,
    error TEXT,
    origin TEXT NOT NULL DEFAULT 'network'
  );
  CREATE INDEX requests_received ON requests(received_at);

  CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    request_id INTEGER NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
    received_at INTEGER NOT NULL,
    provider TEXT,
    kind TEXT NOT NULL,
    status TEXT,
    provider_status TEXT,
    message_id TEXT,
    contact_id TEXT,
    contact_name TEXT,
    business_id TEXT,
    message_type TEXT,
    text TEXT,
    reply_to TEXT,
    error_code TEXT,
    error_title TEXT,
    error_detail TEXT,
    ts INTEGER,
    signature TEXT NOT NULL,
    duplicate INTEGER NOT NULL DEFAULT 0,
    raw TEXT,
    details TEXT
  );
  CREATE INDEX events_request ON events(request_id);
  CREATE INDEX events_status ON events(status, id);
  CREATE INDEX events_kind ON events(kind, id);
  CREATE INDEX events_provider ON events(provider, id);
  CREATE INDEX events_contact ON events(contact_id, id);
  CREATE INDEX events_message ON events(message_id, status);
  CREATE INDEX events_received ON events(received_at);
  CREATE INDEX events_error ON events(error_code) WHERE error_code IS NOT NULL;
  CREATE INDEX events_signature ON events(signature, id) WHERE signature <> 'valid';

  CREATE VIRTUAL TABLE events_fts USING fts5(
    text, contact_name, contact_id, message_id,
    content='events', content_rowid='id',
    tokenize = 'unicode61 remove_diacritics 2'
  );

  CREATE TABLE forwards (
    id INTEGER PRIMARY KEY,
    request_id INTEGER NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
    target TEXT NOT NULL,
    status INTEGER,
    duration_ms REAL,
    error TEXT,
    response_excerpt TEXT,
    at INTEGER NOT NULL
  );
  CREATE INDEX forwards_request ON forwards(request_id);

  CREATE TABLE rules (
    id INTEGER PRIMARY KEY,
    spec TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );

  CREATE TABLE notifications (
    id INTEGER PRIMARY KEY,
    rule_id INTEGER NOT NULL,
    event_id INTEGER,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    fired_at INTEGER NOT NULL,
    contact_id TEXT
  );
  CREATE INDEX notifications_fired ON notifications(fired_at);
  CREATE INDEX notifications_rule_contact ON notifications(rule_id, contact_id, fired_at);

  CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  `,
  // 2: the setup doctor looks up the latest handshake and POSTs per route without scanning.
  `
  CREATE INDEX requests_path ON requests(path, method, id);
  `,
  // 3: the trust boundary. Requests that were refused (bad or missing signature while a secret was set,
  // wrong verify token, unrouted, malformed, too large, wrong method) leave requests/events for the
  // rejected log; stored verify tokens are redacted (rejected-log.ts migrateRejected does the moving).
  {
    sql: `
  CREATE TABLE rejected (
    id INTEGER PRIMARY KEY,
    received_at INTEGER NOT NULL,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    query TEXT NOT NULL DEFAULT '',
    headers TEXT NOT NULL,
    body BLOB,
    body_size INTEGER NOT NULL DEFAULT 0,
    body_sha256 TEXT,
    provider TEXT,
    http_status INTEGER NOT NULL,
    signature TEXT NOT NULL,
    diagnosis TEXT,
    source TEXT,
    origin TEXT NOT NULL DEFAULT 'network',
    bytes INTEGER NOT NULL
  );
  CREATE INDEX rejected_received ON rejected(received_at);
  `,
    run: moveRefusedToRejected,
  },
  // 4: rules that act — http actions with persisted retries, their attempts, unanswered-lead timers, digests.
  `
  CREATE TABLE action_jobs (
    id INTEGER PRIMARY KEY,
    rule_id INTEGER,
    event_id INTEGER,
    action_index INTEGER NOT NULL,
    contact_id TEXT,
    method TEXT NOT NULL,
    url TEXT NOT NULL,
    origin TEXT NOT NULL,
    headers TEXT NOT NULL,
    body BLOB NOT NULL,
    timeout_ms INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX action_jobs_next ON action_jobs(next_at);

  CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY,
    rule_id INTEGER,
    event_id INTEGER,
    contact_id TEXT,
    url TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    status INTEGER,
    error TEXT,
    duration_ms REAL,
    response_excerpt TEXT,
    at INTEGER NOT NULL,
    test INTEGER NOT NULL DEFAULT 0,
    next_at INTEGER
  );
  CREATE INDEX deliveries_rule ON deliveries(rule_id, id);
  CREATE INDEX deliveries_event ON deliveries(event_id) WHERE event_id IS NOT NULL;
  CREATE INDEX deliveries_rule_contact ON deliveries(rule_id, contact_id, at) WHERE attempt = 1;

  CREATE TABLE action_secrets (
    rule_id INTEGER NOT NULL,
    action_index INTEGER NOT NULL,
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    PRIMARY KEY (rule_id, action_index)
  );

  CREATE TABLE lead_waits (
    rule_id INTEGER NOT NULL,
    contact_id TEXT NOT NULL,
    event_id INTEGER NOT NULL,
    wrote_at INTEGER NOT NULL,
    PRIMARY KEY (rule_id, contact_id)
  );

  CREATE TABLE rule_state (
    rule_id INTEGER NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (rule_id, key)
  );
  `,
  // 5: the request row is the durable record and events are derived from it after the answer
  // (ingest/deriver.ts). Every request of an older database already has its events.
  `
  INSERT INTO kv (key, value) SELECT 'derived_through', CAST(COALESCE(MAX(id), 0) AS TEXT) FROM requests
    WHERE true ON CONFLICT(key) DO UPDATE SET value = excluded.value;
  `,
  // 6: derived requests are kept packed (store/pack.ts): headers and body in one deflate stream.
  `
  ALTER TABLE requests ADD COLUMN packed INTEGER NOT NULL DEFAULT 0;
  `,
  // 7: the outbox (docs/architecture.md "The outbox"): every forward a derived request sets off is a row
  // written in the derive transaction, delivered in order per target and marked done; http actions keep
  // their queue (action_jobs) and gain the request they came from (team leases), a stable idempotency key
  // and the rule's overflow choice (a digest of what went over the per-minute cap, or held until the next
  // minute).
  `
  CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    request_id INTEGER NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
    target TEXT NOT NULL,
    delivery_key TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'queued',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    done_at INTEGER,
    last_status INTEGER,
    last_error TEXT
  );
  CREATE INDEX outbox_pending ON outbox(target, id) WHERE state IN ('queued', 'retrying');
  CREATE INDEX outbox_request ON outbox(request_id);
  CREATE INDEX outbox_done ON outbox(done_at) WHERE done_at IS NOT NULL;
  ALTER TABLE action_jobs ADD COLUMN request_id INTEGER;
  ALTER TABLE action_jobs ADD COLUMN delivery_key TEXT;
  ALTER TABLE action_jobs ADD COLUMN overflow TEXT NOT NULL DEFAULT 'digest';
  ALTER TABLE action_jobs ADD COLUMN held INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE action_jobs ADD COLUMN digest_of INTEGER NOT NULL DEFAULT 0;
  CREATE INDEX deliveries_rule_first ON deliveries(rule_id, at) WHERE attempt = 1 AND test = 0;
  `,
  // 8: finding things (docs/api.md "Search" and "Field filters"). events_keys: a second full-text index over
  // what the search knows beyond text and contact — error codes and titles, business numbers, message ids,
  // detail values (template names and categories, flow tokens…); contentless, so it costs the index only;
  // secure-delete so a forgotten contact's words leave its pages. event_fields: the scalar leaves of the
  // indexed raw paths (shared/where.ts INDEXED_RAW_PATHS), written at derive time for events from now on.
  // Both follow the events they describe out of the database by trigger (retention, forget, moves).
  // requests.ack_ms: how long the receiver took to answer (set by the deriver from what the receiver measured).
  `
  CREATE VIRTUAL TABLE events_keys USING fts5(keys, content='', contentless_delete=1, tokenize = 'unicode61 remove_diacritics 2');
  INSERT INTO events_keys (events_keys, rank) VALUES ('secure-delete', 1);
  INSERT INTO events_keys (rowid, keys)
    SELECT id, concat_ws(' ', error_code, error_title, business_id, message_id, details) FROM events
    WHERE error_code IS NOT NULL OR business_id IS NOT NULL OR message_id IS NOT NULL OR details IS NOT NULL;
  CREATE TABLE event_fields (
    path TEXT NOT NULL,
    value NOT NULL,
    event_id INTEGER NOT NULL,
    PRIMARY KEY (path, value, event_id)
  ) WITHOUT ROWID;
  CREATE INDEX event_fields_event ON event_fields(event_id);
  CREATE TRIGGER events_find_gone AFTER DELETE ON events BEGIN
    DELETE FROM events_keys WHERE rowid = old.id;
    DELETE FROM event_fields WHERE event_id = old.id;
  END;
  ALTER TABLE requests ADD COLUMN ack_ms REAL;
  CREATE INDEX events_business ON events(business_id, id) WHERE business_id IS NOT NULL;
  CREATE TABLE views (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    spec TEXT NOT NULL,
    is_default INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE TABLE business_names (business_id TEXT PRIMARY KEY, name TEXT NOT NULL);
  `,
  // 9: health checks (electron/core/health/, docs/api.md "Health checks"). One row per preset the user has
  // touched: on or off, its parameters, since when it fires, what this process last notified (firing or
  // recovered); one history row per episode (fired, recovered).
  `
  CREATE TABLE health_checks (
    id TEXT PRIMARY KEY,
    enabled INTEGER NOT NULL DEFAULT 0,
    params TEXT NOT NULL DEFAULT '{}',
    enabled_at INTEGER,
    firing_since INTEGER,
    value REAL,
    summary TEXT,
    checked_at INTEGER,
    notified TEXT
  );
  CREATE TABLE health_history (
    id INTEGER PRIMARY KEY,
    check_id TEXT NOT NULL,
    fired_at INTEGER NOT NULL,
    recovered_at INTEGER,
    value REAL NOT NULL,
    summary TEXT NOT NULL
  );
  CREATE INDEX health_history_check ON health_history(check_id, id);
  `,
  // 10: bytes per event (docs/benchmarks.md "Bytes per event"). event_fields repeated each leaf's path text in
  // every row and again in its event_id index (a third of the file at a million events); a path is now
  // stored once in field_paths and rows carry its id. Every indexed path is written up front (array indexes
  // 0-7), so the deriver's writes find them; a path seen later gets its id when first written (where-sql.ts).
  // events_received also holds what the counts of a time range group by (kind, status, error code), so the
  // 24-hour stats read the index alone instead of every event row in the range (store/counts.ts).
  {
    sql: `
  CREATE TABLE field_paths (id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE);
  DROP INDEX events_received;
  CREATE INDEX events_received ON events(received_at, kind, status, error_code);
  `,
    run: fieldPathIds,
  },
  // 11: bytes and writes per event (docs/benchmarks.md "Bytes per event, round 4"). events_fts without its
  // per-row column sizes (columnsize=0): they only serve ranking (bm25), which no search uses (results are
  // newest first); one row fewer written per event. Rebuilt from events.
  // requests_path (path, method, id) held every request for the setup doctor (setup/doctor-facts.ts): its
  // last handshake now reads a partial index of the GETs alone, ordered by time, and its POST counts of the
  // last window read requests_received (they walked every POST ever received through requests_path).
  `
  DROP TABLE events_fts;
  CREATE VIRTUAL TABLE events_fts USING fts5(
    text, contact_name, contact_id, message_id,
    content='events', content_rowid='id', columnsize=0,
    tokenize = 'unicode61 remove_diacritics 2'
  );
  INSERT INTO events_fts (events_fts) VALUES ('rebuild');
  DROP INDEX IF EXISTS requests_path;
  CREATE INDEX requests_handshakes ON requests(path, received_at) WHERE method = 'GET';
  `,
  // 12: the request log in a file of its own (log-file.ts, docs/architecture.md "Two files: the request log
  // and the read model"). A new store moves its (empty) requests and rejected tables into requests.db; an
  // older one keeps its single file. request_acks: how long the receiver took to answer each request
  // (requests.ack_ms before), written by the deriver into the read model, so its transaction writes
  // nothing in the log. Rows of older stores keep their requests.ack_ms (readers take either).
  // Later migrations that add an index to requests or rejected name the index with its file's schema
  // when the store is split (`CREATE INDEX log.x ON requests(...)`, see hasLog in log-file.ts).
  {
    sql: `
  CREATE TABLE request_acks (request_id INTEGER PRIMARY KEY, ack_ms REAL NOT NULL);
  `,
    run: moveLogTables,
  },
  // 13: bytes per event (docs/benchmarks.md "Bytes per event, round 5"). A raw leaf the event row holds in a
  // column (a Meta message's or status's id, timestamp, recipient or sender: store/field-columns.ts) is no
  // longer a field row: events.raw_cols marks which. Existing rows are converted in place: each leaf
  // that equals what its column gives back (the same test the deriver makes) leaves event_fields.
  {
    sql: '',
    run: fieldsIntoColumns,
  },
];

/**
 * Migration 13's moving part, per held path: mark the events whose field row equals its column (text as
 * it is, numbers as the plain integers the deriver checks: field-columns.ts `holds`), then drop those rows.
 */
export function fieldsIntoColumns(db: Database): void {
  // Added unless present: a store put back to an older version by hand (the older migrations' tests do) has it.
  const has = db.prepare("SELECT 1 FROM pragma_table_info('events') WHERE name = 'raw_cols'").get() !== undefined;
  if (!has) db.exec('ALTER TABLE events ADD COLUMN raw_cols INTEGER NOT NULL DEFAULT 0');
  const int = (v: string) => `typeof(${v}) IN ('integer', 'real') AND ${v} = CAST(${v} AS INTEGER) AND ${v} >= 0 AND ${v} <= 9007199254740991`;
  const held: [string, number, string][] = [
    ['id', 1, "typeof(f.value) = 'text' AND f.value = e.message_id"],
    ['recipient_id', 2, `${int('f.value')} AND e.contact_id = CAST(CAST(f.value AS INTEGER) AS TEXT)`],
    ['from', 4, `${int('f.value')} AND e.contact_id = CAST(CAST(f.value AS INTEGER) AS TEXT)`],
    ['timestamp', 8, `${int('f.value')} AND typeof(e.ts) = 'integer' AND e.ts = CAST(f.value AS INTEGER) * 1000 AND e.ts <= 9007199254740991`],
  ];
  for (const [path, bit, same] of held) {
    const pathId = db.prepare('SELECT id FROM field_paths WHERE path = ?').pluck().get(path) as number | undefined;
    if (pathId === undefined) continue;
    db.prepare(`UPDATE events SET raw_cols = raw_cols | ${bit} WHERE id IN (
      SELECT f.event_id FROM event_fields f JOIN events e ON e.id = f.event_id WHERE f.path_id = ? AND ${same})`).run(pathId);
    db.prepare(`DELETE FROM event_fields WHERE path_id = ? AND event_id IN (SELECT id FROM events WHERE (raw_cols & ${bit}) <> 0)`).run(pathId);
  }
}

/** Migration 10's moving part: every indexed path gets its id, and event_fields' rows are rewritten with it. */
function fieldPathIds(db: Database): void {
  const addPath = db.prepare('INSERT OR IGNORE INTO field_paths (path) VALUES (?)');
  for (const p of INDEXED_RAW_PATHS) {
    if (!p.includes('*')) addPath.run(p);
    else for (let i = 0; i < 8; i++) addPath.run(p.replace('*', String(i)));
  }
  db.exec(`
  INSERT OR IGNORE INTO field_paths (path) SELECT DISTINCT path FROM event_fields;
  CREATE TABLE event_fields_by_id (
    path_id INTEGER NOT NULL,
    value NOT NULL,
    event_id INTEGER NOT NULL,
    PRIMARY KEY (path_id, value, event_id)
  ) WITHOUT ROWID;
  INSERT INTO event_fields_by_id (path_id, value, event_id)
    SELECT p.id, f.value, f.event_id FROM event_fields f JOIN field_paths p ON p.path = f.path ORDER BY 1, 2, 3;
  DROP TRIGGER events_find_gone;
  DROP TABLE event_fields;
  ALTER TABLE event_fields_by_id RENAME TO event_fields;
  CREATE INDEX event_fields_event ON event_fields(event_id);
  CREATE TRIGGER events_find_gone AFTER DELETE ON events BEGIN
    DELETE FROM events_keys WHERE rowid = old.id;
    DELETE FROM event_fields WHERE event_id = old.id;
  END;
  `);
}

/** Bytes of body a rejected request keeps (the rest is only hashed and counted). */
export const REJECTED_BODY_KEEP = 64 * 1024;

/** What a rejected row costs against the log's byte cap: its kept body, headers and a fixed overhead. */
export function rejectedRowBytes(r: { body: Uint8Array | null; headers: string; path: string; query: string; diagnosis: string | null }): number {
  // Bytes as SQLite stores the text (UTF-8), not characters: a header byte 0xFF arrives as "ÿ", one
  // character but two bytes, so counting characters let a stranger's rows reach twice the cap.
  const utf8 = (s: string) => Buffer.byteLength(s, 'utf8');
  return 128 + (r.body?.length ?? 0) + utf8(r.headers) + utf8(r.path) + utf8(r.query) + (r.diagnosis == null ? 0 : utf8(r.diagnosis));
}

/**
 * Migration 3's moving part: every stored request the receiver had refused (any 4xx answer: bad or missing
 * signature while a secret was set, wrong verify token, unrouted, malformed, too large, wrong method)
 * becomes a rejected row, and its events leave the feed, the search index, stats and lifecycles, with any
 * notification they fired. Duplicate flags are recomputed over what is left (a forged copy sent first had
 * turned the genuine webhook into a "duplicate"). Stored verify tokens are redacted everywhere.
 */
function moveRefusedToRejected(db: Database): void {
  const refused = db.prepare('SELECT * FROM requests WHERE response_status >= 400 ORDER BY id').all() as Record<string, unknown>[];
  const insert = db.prepare(`INSERT INTO rejected (received_at, method, path, query, headers, body, body_size, body_sha256, provider,
    http_status, signature, diagnosis, source, origin, bytes) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`);
  const evIds = db.prepare('SELECT id, text, contact_name, contact_id, message_id FROM events WHERE request_id = ?');
  const ftsDelete = db.prepare(`INSERT INTO events_fts (events_fts, rowid, text, contact_name, contact_id, message_id) VALUES ('delete', ?, ?, ?, ?, ?)`);
  const delNotifications = db.prepare('DELETE FROM notifications WHERE event_id = ?');
  const delRequest = db.prepare('DELETE FROM requests WHERE id = ?');
  for (const r of refused) {
    const body = (r.body as Buffer | null) ?? null;
    const kept = body ? body.subarray(0, REJECTED_BODY_KEEP) : null;
    const query = redactVerifyToken(r.query as string);
    const headers = r.headers as string;
    const diagnosis = (r.signature_diagnosis as string | null) ?? (r.error as string | null);
    insert.run(r.received_at, r.method, r.path, query, headers, kept, r.body_size, body ? createHash('sha256').update(body).digest('hex') : null,
      r.provider, r.response_status, r.signature, diagnosis, null, r.origin,
      rejectedRowBytes({ body: kept, headers, path: r.path as string, query, diagnosis }));
    for (const e of evIds.all(r.id) as { id: number; text: string | null; contact_name: string | null; contact_id: string | null; message_id: string | null }[]) {
      if (e.text || e.contact_name || e.contact_id || e.message_id) ftsDelete.run(e.id, e.text, e.contact_name, e.contact_id, e.message_id);
      delNotifications.run(e.id);
    }
    delRequest.run(r.id); // events and forwards follow by cascade
  }
  if (refused.length > 0) {
    db.exec(`UPDATE events SET duplicate = 0 WHERE duplicate = 1 AND NOT EXISTS (
      SELECT 1 FROM events e2 WHERE e2.message_id = events.message_id AND e2.kind = events.kind
        AND e2.status IS events.status AND e2.id < events.id)`);
  }
  const withToken = db.prepare(`SELECT id, query FROM requests WHERE query LIKE '%verify_token%'`).all() as { id: number; query: string }[];
  const setQuery = db.prepare('UPDATE requests SET query = ? WHERE id = ?');
  for (const r of withToken) setQuery.run(redactVerifyToken(r.query), r.id);
}
