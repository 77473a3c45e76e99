// The request log in a file of its own (electron/core/store/log-file.ts, docs/architecture.md "Two files:
// the request log and the read model"): a new data dir keeps what the receiver appends in requests.db, the
// append takes only that file's write lock (a transaction on the read model does not hold it up), a store
// from before stays single-file and keeps working, and retention and forget finish what a crash between the
// two files' commits left.
import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventPage, ForgetResult } from '../../shared/types';
import { openStore, type IngestRequest, type Store } from '../../electron/core/store/store';
import { eventDeriver } from '../../electron/core/ingest/derive-events';
import { MIGRATIONS } from '../../electron/core/store/schema';
import { cutContact, EDITED_NOTE, forgetContact, FORGET_PENDING_KEY, REWRITE_PENDING_KEY } from '../../electron/core/store/forget';
import { startTestCore, type TestCore } from '../helpers/core';
import { envelope, incomingText } from '../helpers/meta-payloads';
import { openStoreFile, singleFileStore } from '../helpers/store-file';

let t: TestCore | null = null;
let store: Store | null = null;
const dirs: string[] = [];
afterEach(async () => {
  await t?.close(); t = null;
  store?.close(); store = null;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tempDir = () => { const d = mkdtempSync(join(tmpdir(), 'hookscope-logfile-')); dirs.push(d); return d; };

const request = (i: number): IngestRequest => ({
  receivedAt: 1_700_000_000_000 + i, method: 'POST', path: '/meta', query: '', headers: [['content-type', 'application/json']],
  body: Buffer.from(incomingText(`wamid.L${i}`, '5511900000001', `hello ${i}`)), provider: 'meta', responseStatus: 200,
  signature: 'unchecked', signatureDiagnosis: null, error: null, origin: 'network',
});

const tablesOf = (db: Database.Database, schema: string) =>
  db.prepare(`SELECT name FROM ${schema}.sqlite_schema WHERE type = 'table' AND name IN ('requests', 'rejected', 'events') ORDER BY name`).pluck().all();

/** Every store file of the dir, with its WAL and shm. */
const fileBytes = (dir: string) => readdirSync(dir).filter((f) => /\.db(-wal|-shm)?$/.test(f)).map((f) => ({ name: f, bytes: readFileSync(join(dir, f)) }));

describe('the request log in its own file', () => {
  it('a new data dir: requests and rejected in requests.db, the events in hookscope.db; the feed reads both, acknowledgement times included', async () => {
    t = await startTestCore({ env: { acceptUnsigned: ['meta'] } });
    for (let i = 1; i <= 3; i++) expect((await t.postMeta(incomingText(`wamid.N${i}`, '5511900000001', `note ${i}`))).status).toBe(200);
    expect((await t.post('/nowhere', '{}')).status).toBe(404);
    const page = await t.call<EventPage>('events:list', {});
    expect(page.items.map((e) => e.text)).toEqual(['note 3', 'note 2', 'note 1']);
    expect(page.items.every((e) => e.httpStatus === 200 && typeof e.ackMs === 'number')).toBe(true);
  });

  it('the layout on disk: the log tables only in requests.db, no foreign key across the files', async () => {
    const dir = tempDir();
    t = await startTestCore({ dataDir: dir, env: { acceptUnsigned: ['meta'] } });
    expect((await t.postMeta(incomingText('wamid.D1', '5511900000001', 'on disk'))).status).toBe(200);
    expect((await t.post('/nowhere', '{}')).status).toBe(404);
    await expect.poll(async () => (await t!.call<EventPage>('events:list', {})).total).toBe(1);
    await t.close(); t = null;
    expect(existsSync(join(dir, 'requests.db'))).toBe(true);
    const main = new Database(join(dir, 'hookscope.db'), { readonly: true });
    try {
      expect(tablesOf(main, 'main')).toEqual(['events']);
      expect(main.prepare(`SELECT COUNT(*) FROM sqlite_schema WHERE sql LIKE '%REFERENCES requests%'`).pluck().get()).toBe(0);
    } finally { main.close(); }
    const log = new Database(join(dir, 'requests.db'), { readonly: true });
    try {
      expect(tablesOf(log, 'main')).toEqual(['rejected', 'requests']);
      expect(log.prepare('SELECT COUNT(*) FROM requests').pluck().get()).toBe(1);
      expect(log.prepare('SELECT COUNT(*) FROM rejected').pluck().get()).toBe(1);
      expect(log.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally { log.close(); }
  });

  it('the append commits while another connection holds the read model\'s write lock (the derive worker mid-transaction); a single-file store could not', () => {
    for (const layout of ['split', 'single'] as const) {
      const dir = tempDir();
      if (layout === 'single') singleFileStore(dir);
      store = openStore({ dataDir: dir, deriver: eventDeriver });
      expect(store.split).toBe(layout === 'split');
      // No waiting in SQLite's busy handler: a lock held by the other connection fails the append at once.
      store.db.pragma('busy_timeout = 0');
      const worker = new Database(join(dir, 'hookscope.db'));
      try {
        worker.exec(`BEGIN IMMEDIATE; INSERT INTO kv (key, value) VALUES ('held', '1')`);
        const append = () => store!.appendRequests([request(1), request(2)]);
        if (layout === 'split') {
          expect(append()).toEqual([1, 2]);
          // The derive transaction goes on and commits after; the appended rows are derived next.
          worker.exec('COMMIT');
          expect(store.deriveNext(10).map((d) => d.request.id)).toEqual([1, 2]);
        } else {
          expect(append).toThrow(/locked|busy/i);
          worker.exec('COMMIT');
        }
      } finally { worker.close(); }
      store.close(); store = null;
    }
  });

  it('a first start cut between the two files\' commits of the move (no requests table in either file) gets the log\'s tables back', () => {
    const dir = tempDir();
    openStore({ dataDir: dir, deriver: eventDeriver }).close();
    // What a kill -9 leaves when hookscope.db committed migration 12 and requests.db did not.
    const db = openStoreFile(dir);
    db.exec('DROP TABLE log.requests; DROP TABLE log.rejected');
    db.close();
    store = openStore({ dataDir: dir, deriver: eventDeriver });
    expect(store.appendRequests([request(1)])).toEqual([1]);
    expect(store.deriveNext(10).map((d) => d.request.id)).toEqual([1]);
    expect(store.db.prepare(`SELECT name FROM log.sqlite_schema WHERE type = 'table' ORDER BY name`).pluck().all()).toEqual(['rejected', 'requests']);
    expect(store.db.prepare(`SELECT name FROM log.sqlite_schema WHERE type = 'index' AND sql IS NOT NULL ORDER BY name`).pluck().all()).toEqual(['rejected_received', 'requests_handshakes', 'requests_received']);
  });

  it('a schema-11 store is upgraded in place, stays one file and keeps its requests, events and search', async () => {
    const dir = tempDir();
    singleFileStore(dir);
    // Its requests written the way the version before wrote them (the store opened at schema 11 would be
    // upgraded; this is what such a store holds): rows in hookscope.db's own requests table.
    const old = new Database(join(dir, 'hookscope.db'));
    old.prepare(`INSERT INTO requests (id, received_at, method, path, query, headers, body, body_size, provider, response_status, signature, origin, ack_ms)
      VALUES (1, 1700000000000, 'POST', '/meta', '', '[]', ?, 10, 'meta', 200, 'unchecked', 'network', 4.5)`).run(Buffer.from(incomingText('wamid.OLD1', '5511900000002', 'from before')));
    old.close();
    t = await startTestCore({ dataDir: dir, env: { acceptUnsigned: ['meta'] } });
    await expect.poll(async () => (await t!.call<EventPage>('events:list', { q: 'before' })).items.map((e) => [e.text, e.ackMs])).toEqual([['from before', 4.5]]);
    expect((await t.postMeta(incomingText('wamid.NEW1', '5511900000002', 'after the upgrade'))).status).toBe(200);
    expect((await t.call<EventPage>('events:list', {})).items.map((e) => e.text)).toEqual(['after the upgrade', 'from before']);
    await t.close(); t = null;
    expect(existsSync(join(dir, 'requests.db'))).toBe(false);
    const db = new Database(join(dir, 'hookscope.db'), { readonly: true });
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
      expect(tablesOf(db, 'main')).toEqual(['events', 'rejected', 'requests']);
    } finally { db.close(); }
  });

  it('retention: requests whose events went in a commit the log never saw (a crash between the two) are pruned by the next run, twice', async () => {
    const dir = tempDir();
    let now = Date.UTC(2025, 0, 10);
    t = await startTestCore({ dataDir: dir, clock: () => now, env: { acceptUnsigned: ['meta'] } });
    for (let i = 1; i <= 4; i++) expect((await t.postMeta(incomingText(`wamid.R${i}`, '5511900000003', `old ${i}`))).status).toBe(200);
    await expect.poll(async () => (await t!.call<EventPage>('events:list', {})).total).toBe(4);
    // The read model's half of a prune of the first two committed, the log's not (as a kill -9 leaves it).
    const side = openStoreFile(dir);
    side.exec('DELETE FROM events WHERE request_id IN (1, 2)');
    side.close();
    now += 10 * 86_400_000;
    for (let i = 5; i <= 6; i++) expect((await t.postMeta(incomingText(`wamid.R${i}`, '5511900000003', `new ${i}`))).status).toBe(200);
    const requests = () => { const db = openStoreFile(dir, { readonly: true }); try { return db.prepare('SELECT id FROM requests ORDER BY id').pluck().all(); } finally { db.close(); } };
    expect(requests()).toEqual([1, 2, 3, 4, 5, 6]);
    await t.call('settings:update', { retention: { days: 5 } });
    await t.core.tools!.retention.drain();
    expect(requests()).toEqual([5, 6]);
    expect((await t.call<EventPage>('events:list', {})).items.map((e) => e.text)).toEqual(['new 6', 'new 5']);
    // Twice: a later run with nothing old left removes nothing.
    expect(t.core.tools!.retention.runOnce()).toBe(0);
    expect(requests()).toEqual([5, 6]);
  });

  for (const committed of ['read model', 'log'] as const) {
    it(`forget: a crash between the two files' commits (the ${committed} committed) is finished at the next start — no byte of the contact left in either file`, async () => {
      const dir = tempDir();
      const ana = { number: '5511987650001', name: 'Quintessa Marbleworth', text: 'xylophone tangerine' };
      t = await startTestCore({ dataDir: dir, env: { acceptUnsigned: ['meta'] } });
      expect((await t.postMeta(incomingText('wamid.ANA1', ana.number, ana.text, ana.name))).status).toBe(200);
      expect((await t.postMeta(incomingText('wamid.BRU1', '5511900000009', 'bruno stays', 'Bruno'))).status).toBe(200);
      // One webhook, both customers: kept for Bruno, edited.
      expect((await t.postMeta(envelope({
        contacts: [{ profile: { name: ana.name }, wa_id: ana.number }, { profile: { name: 'Bruno' }, wa_id: '5511900000009' }],
        messages: [{ from: ana.number, id: 'wamid.ANA2', timestamp: '1700000200', type: 'text', text: { body: 'quokka saxophone' } },
          { from: '5511900000009', id: 'wamid.BRU2', timestamp: '1700000201', type: 'text', text: { body: 'bruno lemonade' } }],
      }))).status).toBe(200);
      await expect.poll(async () => (await t!.call<EventPage>('events:list', {})).total).toBe(4);
      await t.close(); t = null;

      // What a kill -9 leaves between the two commits: the plan marked, and one file's half of the erase.
      const db = openStoreFile(dir);
      const plan = { whole: [] as number[], edited: [] as number[] };
      forgetContact(db, ana.number, { dryRun: true, touched: plan });
      expect(plan).toEqual({ whole: [1], edited: [3] });
      db.prepare(`INSERT INTO kv (key, value) VALUES (?, ?)`).run(FORGET_PENDING_KEY, JSON.stringify({ contactId: ana.number, ...plan }));
      db.pragma('secure_delete = ON');
      if (committed === 'read model') {
        for (const e of db.prepare('SELECT id, text, contact_name, contact_id, message_id FROM events WHERE contact_id = ?').all(ana.number) as { id: number; text: string; contact_name: string; contact_id: string; message_id: string }[]) {
          db.prepare(`INSERT INTO events_fts (events_fts, rowid, text, contact_name, contact_id, message_id) VALUES ('delete', ?, ?, ?, ?, ?)`).run(e.id, e.text, e.contact_name, e.contact_id, e.message_id);
        }
        db.prepare('DELETE FROM events WHERE contact_id = ?').run(ana.number);
      } else {
        db.prepare('DELETE FROM requests WHERE id = 1').run();
        // requests are not packed yet this soon after (pack.ts: when the receiver is idle); read either way.
        const row = db.prepare('SELECT body, packed FROM requests WHERE id = 3').get() as { body: Buffer; packed: number };
        expect(row.packed).toBe(0);
        db.prepare(`UPDATE requests SET body = ?, error = ? WHERE id = 3`).run(Buffer.from(cutContact(row.body.toString('utf8'), ana.number)), EDITED_NOTE);
      }
      db.close();
      // The test can fail: one file still holds her.
      expect(fileBytes(dir).some((f) => f.bytes.includes(Buffer.from(ana.text)))).toBe(true);

      t = await startTestCore({ dataDir: dir, env: { acceptUnsigned: ['meta'] } });
      expect((await t.call<EventPage>('events:list', {})).items.map((e) => e.text)).toEqual(['bruno lemonade', 'bruno stays']);
      await t.close(); t = null;
      const after = openStoreFile(dir, { readonly: true });
      try {
        expect(after.prepare('SELECT id FROM requests').pluck().all()).toEqual([2, 3]);
        // The batch: edited once (its note once), Bruno's message kept.
        const batch = after.prepare('SELECT body, error FROM requests WHERE id = 3').get() as { body: Buffer; error: string };
        expect(batch.error).toBe(EDITED_NOTE);
        expect(batch.body.toString('utf8')).toContain('bruno lemonade');
        expect(after.prepare('SELECT value FROM kv WHERE key = ?').pluck().get(FORGET_PENDING_KEY)).toBeUndefined();
        expect(after.prepare('SELECT value FROM kv WHERE key = ?').pluck().get(REWRITE_PENDING_KEY)).toBeUndefined();
      } finally { after.close(); }
      const left = fileBytes(dir);
      expect(left.map((f) => f.name)).toContain('requests.db');
      for (const secret of [ana.number, ana.name, ana.text, 'wamid.ANA1', 'quokka', 'wamid.ANA2']) {
        expect(left.filter((f) => f.bytes.includes(Buffer.from(secret))).map((f) => f.name), secret).toEqual([]);
      }
    });
  }

  it('forget: a crash after the erase and before the rewrite is rewritten at the next start (both files vacuumed, the mark cleared) — twice', () => {
    const dir = tempDir();
    const who = ['5511987650011', '5511987650022'];
    const padding = 'p'.repeat(3000);
    store = openStore({ dataDir: dir, deriver: eventDeriver });
    store.appendRequests(who.flatMap((n) => Array.from({ length: 30 }, (_, i) => ({ ...request(i), body: Buffer.from(incomingText(`wamid.${n}.${i}`, n, `${padding} ${i}`)) }))));
    while (store.deriveNext(1000).length > 0) { /* all */ }
    store.close(); store = null;
    const free = (db: Database.Database) => [db.pragma('main.freelist_count', { simple: true }), db.pragma('log.freelist_count', { simple: true })];
    for (const n of who) {
      // The erase committed, then a kill -9 before eraseTraces: its pages are free, its rewrite mark set
      // (the plan that names the contact is gone once both files committed).
      const db = openStoreFile(dir);
      forgetContact(db, n);
      expect(db.prepare('SELECT value FROM kv WHERE key = ?').pluck().get(FORGET_PENDING_KEY)).toBeUndefined();
      expect(db.prepare('SELECT value FROM kv WHERE key = ?').pluck().get(REWRITE_PENDING_KEY)).toBe('1');
      expect(free(db).every((f) => (f as number) > 0)).toBe(true);
      db.close();

      store = openStore({ dataDir: dir, deriver: eventDeriver });
      store.close(); store = null;
      const after = openStoreFile(dir, { readonly: true });
      try {
        expect(free(after)).toEqual([0, 0]);
        expect(after.prepare('SELECT value FROM kv WHERE key = ?').pluck().get(REWRITE_PENDING_KEY)).toBeUndefined();
        expect(after.prepare('SELECT COUNT(*) FROM events WHERE contact_id = ?').pluck().get(n)).toBe(0);
      } finally { after.close(); }
    }
  });

  it('forget through the API on a split store: both files lose the contact, the pending mark is cleared, a second forget finds nothing', async () => {
    const dir = tempDir();
    t = await startTestCore({ dataDir: dir, env: { acceptUnsigned: ['meta'] } });
    expect((await t.postMeta(incomingText('wamid.C1', '5511987650002', 'marzipan oboe', 'Ottoline Fennimore'))).status).toBe(200);
    await expect.poll(async () => (await t!.call<EventPage>('events:list', {})).total).toBe(1);
    const r = await t.call<ForgetResult>('contacts:forget', { contactId: '5511987650002' });
    expect(r).toMatchObject({ requests: 1, events: 1 });
    const again = await t.call<ForgetResult>('contacts:forget', { contactId: '5511987650002' });
    expect(again).toMatchObject({ requests: 0, events: 0 });
    await t.close(); t = null;
    const db = openStoreFile(dir, { readonly: true });
    try {
      expect(db.prepare('SELECT value FROM kv WHERE key = ?').pluck().get(FORGET_PENDING_KEY)).toBeUndefined();
      expect(db.prepare('SELECT value FROM kv WHERE key = ?').pluck().get(REWRITE_PENDING_KEY)).toBeUndefined();
    } finally { db.close(); }
    for (const secret of ['Ottoline Fennimore', 'marzipan', '5511987650002']) {
      expect(fileBytes(dir).filter((f) => f.bytes.includes(Buffer.from(secret))).map((f) => f.name), secret).toEqual([]);
    }
  });
});
