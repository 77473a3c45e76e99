// Schema migrations, applied in order on open. PRAGMA user_version holds the version reached;
// a database from a newer Hookscope (user_version > MIGRATIONS.length) is refused, never touched.
//
// Tables:
//   requests       every request that reached the receiver: exact body bytes and headers
//   events         normalised events (SPEC §3), many per request
//   events_fts     FTS5 over text, contact name and number, message id (external content = events)
//   forwards       one row per delivery of a request to a local handler
//   rules          notification rules (JSON of RuleInput in `spec`)
//   notifications  every notification a rule fired
//   kv             small settings and state
export const MIGRATIONS: string[] = [
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
];
