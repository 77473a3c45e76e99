// Schema migration 11 (store/schema.ts): events_fts keeps no column sizes; requests_path gives way to a
// partial index of handshakes. A store written by schema 10 is converted when opened, finds the same events
// with the same filters, and its field rows leave with their events when retention prunes them.
import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventPage, ListQuery } from '../../shared/types';
import { MIGRATIONS } from '../../electron/core/store/schema';
import { startTestCore, type TestCore } from '../helpers/core';
import { envelope, incomingText, statusUpdate } from '../helpers/meta-payloads';
import { singleFileStore } from '../helpers/store-file';

let t: TestCore | null = null;
let dir: string | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = null;
});

const DAY = 86_400_000;
const QUERIES: ListQuery[] = [
  { where: ['raw.errors.0.code=131047'] },
  { where: ['raw.recipient_id=5511900000004'] },
  { where: ['raw.conversation.id=conv-1'] },
  { where: ['raw.referral exists'] },
  { where: ['raw.from!=5511900000001'], kind: ['message'] },
  { where: ['raw.status=failed'], status: ['failed'] },
  { q: '131047' },
  { q: 'hello' },
  { q: 'lead' },
  { q: 'wamid.OLD' },
  { q: '5511900000004' },
];
const referral = (id: string, from: string) => envelope({
  contacts: [{ profile: { name: 'Lead' }, wa_id: from }],
  messages: [{ from, id, timestamp: '1700000100', type: 'text', text: { body: 'Hi from the ad' }, referral: { source_id: '120208', source_type: 'ad' } }],
});
const inConversation = (id: string) => envelope({
  statuses: [{ id, status: 'delivered', timestamp: '1700000200', recipient_id: '5511900000004', conversation: { id: 'conv-1', origin: { type: 'service' } } }],
});

async function answers(core: TestCore): Promise<{ total: number; ids: (string | null)[] }[]> {
  const out = [];
  for (const q of QUERIES) {
    const page = await core.call<EventPage>('events:list', q);
    out.push({ total: page.total, ids: page.items.map((e) => e.messageId) });
  }
  return out;
}

function sql(dataDir: string, fn: (db: Database.Database) => unknown): unknown {
  const db = new Database(join(dataDir, 'hookscope.db'));
  try { return fn(db); } finally { db.close(); }
}

/** Puts back what schema 10 had: the text index with column sizes, requests_path. */
function toSchema10(dataDir: string): void {
  sql(dataDir, (db) => db.transaction(() => {
    db.exec(`
      DROP TABLE events_fts;
      CREATE VIRTUAL TABLE events_fts USING fts5(text, contact_name, contact_id, message_id, content='events', content_rowid='id', tokenize = 'unicode61 remove_diacritics 2');
      INSERT INTO events_fts (events_fts) VALUES ('rebuild');
      DROP TABLE request_acks;
      DROP INDEX requests_handshakes;
      CREATE INDEX requests_path ON requests(path, method, id);
    `);
    db.pragma('user_version = 10');
  })());
}

const indexes = (dataDir: string) => sql(dataDir, (db) => db.prepare("SELECT name FROM sqlite_master WHERE (type = 'index' AND tbl_name = 'event_fields' AND sql IS NOT NULL) OR name IN ('events_fts_docsize', 'requests_path', 'requests_handshakes') ORDER BY name").pluck().all());

describe('schema migration 11: the text index without column sizes, handshakes by their own index', () => {
  it('converts a schema-10 store in place: the same events for the same filters, and the rows written before it leave with their events', { timeout: 120_000 }, async () => {
    let now = Date.UTC(2025, 0, 10);
    dir = mkdtempSync(join(tmpdir(), 'hookscope-field-rows-'));
    // A store of the single-file layout these versions wrote (its request log in hookscope.db).
    singleFileStore(dir);
    t = await startTestCore({ dataDir: dir, clock: () => now });
    const bodies = [
      referral('wamid.OLD-REF', '5511900000001'),
      incomingText('wamid.OLD-TEXT', '5511900000002', 'hello there'),
      statusUpdate('wamid.OLD-F1', 'failed', 1_700_000_010, '5511900000004', { code: 131047, title: 'Re-engagement message' }),
      inConversation('wamid.OLD-C1'),
    ];
    for (const b of bodies) expect((await t.postMeta(b)).status).toBe(200);
    await expect.poll(async () => (await t!.call<EventPage>('events:list', {})).total).toBe(bodies.length);
    const before = await answers(t);
    // Every query finds something, so "the same" cannot be two empty lists.
    expect(before.every((a) => a.total > 0)).toBe(true);
    await t.close();
    t = null;
    toSchema10(dir);
    expect(indexes(dir)).toEqual(['event_fields_event', 'events_fts_docsize', 'requests_path']);

    t = await startTestCore({ dataDir: dir, clock: () => now });
    expect(indexes(dir)).toEqual(['event_fields_event', 'requests_handshakes']);
    expect(sql(dir, (db) => db.pragma('user_version', { simple: true }))).toBe(MIGRATIONS.length);
    expect(await answers(t)).toEqual(before);

    // Newer webhooks a day later, the same shapes: each filter finds one more.
    now += 3 * DAY;
    const newer = [referral('wamid.NEW-REF', '5511900000001'), statusUpdate('wamid.NEW-F1', 'failed', 1_700_000_011, '5511900000004', { code: 131047, title: 'Re-engagement message' }), inConversation('wamid.NEW-C1')];
    for (const b of newer) expect((await t.postMeta(b)).status).toBe(200);
    await expect.poll(async () => (await t!.call<EventPage>('events:list', {})).total).toBe(bodies.length + newer.length);

    // Retention takes the rows written under schema 10 by their key: the filters count the newer events alone.
    await t.call('settings:update', { retention: { days: 1 } });
    await t.core.tools!.retention.drain(); // the setting's change has started one already: this waits for it
    expect((await t.call<EventPage>('events:list', {})).total).toBe(newer.length);
    const after = await answers(t);
    expect(after.map((a) => a.ids.every((id) => id?.startsWith('wamid.NEW')))).toEqual(QUERIES.map(() => true));
    expect(after.map((a) => a.total)).toEqual([1, 2, 1, 1, 0, 1, 1, 0, 1, 0, 2]);
    expect(sql(dir, (db) => db.prepare('SELECT COUNT(*) FROM event_fields WHERE event_id NOT IN (SELECT id FROM events)').pluck().get())).toBe(0);
  });
});
