// Store at scale: generate N events quickly (direct SQL into the store's own schema, FTS rebuilt in
// one pass), then time the UI's queries through the Store API (listEvents with its total, thread, stats).
import Database from 'better-sqlite3';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { contactOf, loadCore, metaPayload, rng, sign, summarise, tmp } from './lib.mjs';

const HEADERS = (body) => JSON.stringify([
  ['host', 'hooks.example.ngrok.app'], ['user-agent', 'facebookexternalua'], ['content-length', String(Buffer.byteLength(body))],
  ['accept', '*/*'], ['content-type', 'application/json'], ['x-forwarded-for', '173.252.95.19'], ['x-forwarded-proto', 'https'],
  ['x-hub-signature', 'sha1=0000000000000000000000000000000000000000'], ['x-hub-signature-256', sign(body)],
]);

export async function generateStore({ events, log, spanMs = 30 * 86_400_000 }) {
  const t0 = performance.now();
  const core = await loadCore();
  const dataDir = tmp('store');
  core.openStore({ dataDir, deriver: core.eventDeriver }).close(); // creates the file with the current schema (migrations)
  // The generated span ends now and starts at the default retention's edge: keep every row while measured.
  writeFileSync(join(dataDir, 'settings.json'), JSON.stringify({ retention: { days: null, maxEvents: null } }), { mode: 0o600 });
  const file = join(dataDir, 'hookscope.db');
  const db = new Database(file);
  // The request log's own file (electron/core/store/log-file.ts), attached as the app attaches it.
  const logFile = join(dataDir, 'requests.db');
  if (existsSync(logFile)) db.prepare('ATTACH DATABASE ? AS log').run(logFile);
  const split = existsSync(logFile);
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  if (split) { db.pragma('log.journal_mode = OFF'); db.pragma('log.synchronous = OFF'); }
  db.pragma('cache_size = -1000000');
  // Indexes are rebuilt after the load (a sort is far quicker than a million B-tree inserts).
  const indexes = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ('events', 'requests', 'event_fields')").all();
  // The log's indexes (requests) are named in its schema when dropped and built again.
  if (split) for (const ix of db.prepare("SELECT name, sql FROM log.sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name = 'requests'").all()) {
    indexes.push({ name: `log.${ix.name}`, sql: ix.sql.replace(/^CREATE (UNIQUE )?INDEX\s+/i, (m) => `${m}log.`) });
  }
  for (const ix of indexes) db.exec(`DROP INDEX ${ix.name}`);

  // As the app keeps them once derived: headers and body packed (store/pack.ts), no raw JSON per event.
  const insReq = db.prepare(`INSERT INTO requests (id, received_at, method, path, query, headers, body, body_size, provider, response_status, signature, signature_diagnosis, error, origin, packed)
    VALUES (?, ?, 'POST', '/meta', '', '', ?, ?, 'meta', 200, 'valid', NULL, NULL, 'network', ${core.PACKED})`);
  const insEv = db.prepare(`INSERT INTO events (id, request_id, received_at, provider, kind, status, provider_status, message_id, contact_id, contact_name, business_id,
    message_type, text, reply_to, error_code, error_title, error_detail, ts, signature, duplicate, raw, details, raw_cols) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`);
  // The finding indexes the deriver writes for every event (store.ts, where-sql.ts): search keys (error
  // codes, message ids, detail values) and the indexed raw fields — without them the field-filter and
  // code-search rows below would time an empty index.
  const fields = core.fieldWriters(db);
  const r = rng(1234);
  const now = Date.now();
  const step = spanMs / events;
  const chunk = 50_000;
  let id = 0;
  for (let start = 0; start < events; start += chunk) {
    db.transaction(() => {
      for (let i = start; i < Math.min(events, start + chunk); i++) {
        const payload = metaPayload(i, r);
        const body = JSON.stringify(payload);
        const receivedAt = Math.round(now - spanMs + i * step);
        id++;
        const buf = Buffer.from(body);
        insReq.run(id, receivedAt, core.pack(HEADERS(body), buf), buf.length);
        for (const e of core.normaliseMeta(payload)) {
          const leaves = core.fieldRowsOf(e);
          insEv.run(id, id, receivedAt, e.provider, e.kind, e.status, e.providerStatus, e.messageId, e.contactId, e.contactName, e.businessId,
            e.messageType, e.text, e.replyTo, e.errorCode, e.errorTitle, e.errorDetail, e.timestamp, 'valid', 0,
            null, core.storedDetails(e.kind, e.details), leaves.cols);
          fields.add(id, leaves.rows, core.searchKeys(e));
        }
      }
    })();
  }
  log(`store: ${events} events inserted in ${((performance.now() - t0) / 1000).toFixed(1)} s; building indexes and FTS`);
  for (const ix of indexes) db.exec(ix.sql);
  db.exec("INSERT INTO events_fts(events_fts) VALUES ('rebuild')");
  db.prepare("INSERT INTO kv (key, value) VALUES ('derived_through', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").run(String(id));
  db.pragma('journal_mode = WAL');
  db.close();
  const seconds = (performance.now() - t0) / 1000;
  // Both files of a split store (the request log holds the packed bodies).
  const bytes = statSync(file).size + (split ? statSync(logFile).size : 0);
  log(`store: ${events} events ready in ${seconds.toFixed(1)} s (${(bytes / 2 ** 20).toFixed(0)} MiB)`);
  return { dataDir, file, events, bytes, seconds, core };
}

function time(fn) {
  const c = process.cpuUsage();
  const t = performance.now();
  const v = fn();
  const ms = performance.now() - t;
  const cpu = process.cpuUsage(c);
  return { ms, cpu: (cpu.user + cpu.system) / 1000, v };
}

export async function benchStore({ quick, log, store }) {
  const s = store.core.openStore({ dataDir: store.dataDir, deriver: store.core.eventDeriver });
  const reps = quick ? 20 : 40;
  const r = rng(99);
  const contacts = Array.from({ length: reps }, () => contactOf(Math.floor(r() * 5000)));
  const words = ['refund', 'order', 'tomorrow', 'invoice', 'delivery', 'coupon', 'urgent'];
  const names = ['Giulia', 'Hiro Tanaka', 'Farah'];
  // Between two runs a few webhooks arrive, as they do while someone uses the UI: totals must follow.
  let seq = store.events;
  const arrive = (n) => {
    const records = [];
    for (let k = 0; k < n; k++) {
      const payload = metaPayload(seq++, r);
      const body = Buffer.from(JSON.stringify(payload));
      records.push({
        request: { receivedAt: Date.now(), method: 'POST', path: '/meta', query: '', headers: [], body, provider: 'meta', responseStatus: 200,
          signature: 'valid', signatureDiagnosis: null, error: null, origin: 'network' },
        events: store.core.normaliseMeta(payload),
      });
    }
    // As the receiver and the deriver do it: the request rows, then their events.
    const ids = s.appendRequests(records.map((x) => x.request));
    s.deriveNext(records.length, new Map(ids.map((id, i) => [id, records[i]])));
  };
  const measure = (label, fn) => {
    const first = time(() => fn(0)); // the first time this filter is asked: nothing remembered yet
    const samples = [];
    let extra = null;
    // The slowest sample's CPU time beside its wall time: on a loaded machine a p99 far above the CPU it
    // took is the process waiting for a core, not the query (docs/benchmarks.md "Store reads at a million
    // events, round 5").
    let slowest = { ms: -1, cpu: 0 };
    for (let i = 0; i < reps; i++) {
      arrive(5);
      const t = time(() => fn(i));
      samples.push(t.ms);
      if (t.ms > slowest.ms) slowest = t;
      extra ??= t.v;
    }
    return { label, ...summarise(samples), extra, first: first.ms, slowestCpu: slowest.cpu };
  };
  const results = [];
  log(`store: timing queries over ${store.events} events (${reps} runs each)`);
  results.push(measure('newest page (100, with total)', () => s.listEvents({ limit: 100 }).total));
  const top = s.listEvents({ limit: 100 });
  const deep = top.items[top.items.length - 1].id - Math.floor(store.events / 2);
  results.push(measure('older page (cursor mid-store)', () => s.listEvents({ limit: 100, before: deep }).total));
  for (const st of [['incoming'], ['sent'], ['delivered'], ['read'], ['failed'], ['queued', 'played', 'deleted', 'other']]) {
    results.push(measure(`status=${st.join(',')} page`, () => s.listEvents({ status: st, limit: 100 }).total));
  }
  results.push(measure('contact filter page', (i) => s.listEvents({ contact: contacts[i % reps].waId, limit: 100 }).total));
  results.push(measure('contact thread (200)', (i) => s.thread(contacts[i % reps].waId, 200).items.length));
  results.push(measure('search one word', (i) => s.listEvents({ q: words[i % words.length], limit: 100 }).total));
  results.push(measure('search two words', (i) => s.listEvents({ q: `${words[i % words.length]} ${words[(i + 3) % words.length]}`, limit: 100 }).total));
  results.push(measure('search contact name', (i) => s.listEvents({ q: names[i % names.length], limit: 100 }).total));
  results.push(measure('search + status=failed', (i) => s.listEvents({ q: words[i % words.length], status: ['failed'], limit: 100 }).total));
  results.push(measure('search name + status=read', (i) => s.listEvents({ q: names[i % names.length], status: ['read'], limit: 100 }).total));
  // Finding (docs/api.md "Search" and "Field filters"): an error code searched as a word, and field
  // filters on indexed raw paths — a rare value (one failure code), a mid-sized one (one conversation)
  // and one most events carry (the pricing category), the last being the worst case for `id IN (…)`.
  results.push(measure('search an error code (q=131047)', () => s.listEvents({ q: '131047', limit: 100 }).total));
  results.push(measure('search a message id prefix', (i) => s.listEvents({ q: `wamid.HBgM${(i * 7919 % (store.events / 3)).toString(36).padStart(10, '0').slice(0, 8)}`, limit: 100 }).total));
  const fieldRows = [];
  fieldRows.push(measure('field filter raw.errors.0.code=131047', () => s.listEvents({ where: ['raw.errors.0.code=131047'], limit: 100 }).total));
  fieldRows.push(measure('field filter raw.conversation.id (one conversation)', (i) => s.listEvents({ where: [`raw.conversation.id=conv${(i * 31 % 997).toString(16)}`], limit: 100 }).total));
  fieldRows.push(measure('field filter raw.pricing.category=service (most events)', () => s.listEvents({ where: ['raw.pricing.category=service'], limit: 100 }).total));
  fieldRows.push(measure('field filter + status=failed', () => s.listEvents({ where: ['raw.errors.0.code=131047'], status: ['failed'], limit: 100 }).total));
  const stats = measure('24-hour stats', () => s.stats({ since: Date.now() - 86_400_000 }).total);
  // Forgetting one contact (store/forget.ts), then the rewrite that leaves no byte of them in free
  // pages or the WAL (eraseTraces: VACUUM + checkpoint). Run once: it rewrites the whole file. The
  // confirmation in the UI quotes the rewrite's cost per GiB from this row (docs/api.md "Forget a contact").
  const forgotten = contacts[0].waId;
  const fileBytes = s.counts().bytes;
  const forget = time(() => store.core.forgetContact(s.db, forgotten));
  const t0 = performance.now();
  const traces = await store.core.eraseTraces(s.db);
  const rewriteMs = performance.now() - t0;
  s.close();

  const rows = results.map((q) => ({
    name: q.label, value: `p50 ${q.p50.toFixed(2)} ms`, target: 'p50 ≤ 5 ms, p99 ≤ 20 ms',
    ratio: `p99 ${q.p99.toFixed(2)} ms (slowest: ${q.slowestCpu.toFixed(1)} ms CPU); first ${q.first.toFixed(1)} ms; total ${q.extra}`, pass: q.p50 <= 5 && q.p99 <= 20,
  }));
  // The target the finding work set itself: a field filter's first page at a million events, p50 ≤ 50 ms.
  for (const q of fieldRows) {
    rows.push({ name: q.label, value: `p50 ${q.p50.toFixed(2)} ms`, target: 'p50 ≤ 50 ms', ratio: `p99 ${q.p99.toFixed(2)} ms; first ${q.first.toFixed(1)} ms; total ${q.extra}`, pass: q.p50 <= 50 });
  }
  rows.push({ name: '24-hour stats', value: `p50 ${stats.p50.toFixed(2)} ms`, target: '≤ 50 ms', ratio: `p99 ${stats.p99.toFixed(2)} ms (${stats.extra} events)`, pass: stats.p99 <= 50 });
  rows.push({ name: `forget one contact (${forget.v.events} events, ${forget.v.requests} requests)`, value: `${forget.ms.toFixed(0)} ms`, target: '—',
    ratio: forget.v.erased.filter((x) => x.erased || x.edited).map((x) => `${x.table} ${x.erased}/${x.edited}`).join(', '), pass: null });
  rows.push({ name: 'rewrite after forget (VACUUM + WAL truncate)', value: `${(rewriteMs / 1000).toFixed(1)} s`, target: '—',
    ratio: `${(fileBytes / 2 ** 20).toFixed(0)} MiB → ${((rewriteMs / 1000) / (fileBytes / 2 ** 30)).toFixed(1)} s per GiB; WAL emptied: ${traces.walEmptied}`, pass: null });
  rows.unshift({ name: `generated ${store.events.toLocaleString('en')} events`, value: `${store.seconds.toFixed(1)} s`, target: '—', ratio: `${(store.bytes / 2 ** 20).toFixed(0)} MiB`, pass: null });
  return rows;
}
