// Schema migration 10 (store/schema.ts): event_fields rows point at their path through field_paths instead of
// repeating its text. A store written with the previous layout is converted in place when it is opened, and
// finds the same events with the same field filters and searches; webhooks after the conversion are found too.
import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventPage, ListQuery } from '../../shared/types';
import { MIGRATIONS } from '../../electron/core/store/schema';
import { startTestCore, type TestCore } from '../helpers/core';
import { silentLogger } from '../../electron/core/types';
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

const referral = (id: string, from: string, sourceId: string) => envelope({
  contacts: [{ profile: { name: 'Lead' }, wa_id: from }],
  messages: [{ from, id, timestamp: '1700000100', type: 'text', text: { body: 'Hi from the ad' },
    referral: { source_id: sourceId, source_type: 'ad', source_url: 'https://fb.me/x', ctwa_clid: 'clid-1' } }],
});
// Nine errors on one status: its last code sits at a path (errors.8.code) the migration does not write up front.
const manyErrors = (id: string) => envelope({
  statuses: [{ id, status: 'failed', timestamp: '1700000300', recipient_id: '5511900000009',
    errors: Array.from({ length: 9 }, (_, i) => ({ code: i === 8 ? 131049 : 131000 + i, title: `Problem ${i}` })) }],
});

const QUERIES: ListQuery[] = [
  { where: ['raw.errors.0.code=131047'] },
  { where: ['raw.errors.0.code="131047"'], limit: 1 },
  { where: ['raw.errors.0.code>131030'] },
  { where: ['raw.errors.0.code<131030'] },
  { where: ['raw.errors.8.code=131049'] },
  { where: ['raw.referral exists'] },
  { where: ['raw.referral.source_id !exists'], kind: ['message'] },
  { where: ['raw.referral.source_id~0208'] },
  { where: ['raw.referral.source_id~0208', 'raw.from!=5511900000001'] },
  { where: ['raw.status=failed'], status: ['failed'] },
  { where: ['raw.recipient_id=5511900000004'], limit: 1, before: undefined },
  { q: '131047' },
  { q: 'wamid.HBgL' },
  { q: 'hello' },
];

async function answers(core: TestCore): Promise<{ total: number; ids: (string | null)[] }[]> {
  const out = [];
  for (const q of QUERIES) {
    const page = await core.call<EventPage>('events:list', q);
    out.push({ total: page.total, ids: page.items.map((e) => e.messageId) });
  }
  return out;
}

/** Rewrites the converted table back as the previous schema (9) kept it: the path text in every row. */
function toPreviousLayout(dataDir: string): void {
  const db = new Database(join(dataDir, 'hookscope.db'));
  db.transaction(() => {
    db.exec(`
      CREATE TABLE event_fields_text (path TEXT NOT NULL, value NOT NULL, event_id INTEGER NOT NULL, PRIMARY KEY (path, value, event_id)) WITHOUT ROWID;
      INSERT INTO event_fields_text SELECT p.path, f.value, f.event_id FROM event_fields f JOIN field_paths p ON p.id = f.path_id;
      DROP TRIGGER events_find_gone;
      DROP TABLE event_fields;
      DROP TABLE field_paths;
      ALTER TABLE event_fields_text RENAME TO event_fields;
      CREATE INDEX event_fields_event ON event_fields(event_id);
      CREATE TRIGGER events_find_gone AFTER DELETE ON events BEGIN
        DELETE FROM events_keys WHERE rowid = old.id;
        DELETE FROM event_fields WHERE event_id = old.id;
      END;
      DROP TABLE request_acks;
      DROP INDEX requests_handshakes;
      CREATE INDEX requests_path ON requests(path, method, id);
    `);
    db.pragma("user_version = 9");
  })();
  const columns = db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('event_fields');
  db.close();
  expect(columns).toEqual(['path', 'value', 'event_id']);
}

describe('schema migration 10: field paths stored once', () => {
  it('converts a store of the previous layout in place: the same events for the same filters and searches, and new webhooks found after it', async () => {
    dir = mkdtempSync(join(tmpdir(), 'hookscope-field-paths-'));
    // A store of the single-file layout these versions wrote (its request log in hookscope.db).
    singleFileStore(dir);
    t = await startTestCore({ dataDir: dir });
    const bodies = [
      referral('wamid.HBgLAD1', '5511900000001', '120208111'),
      referral('wamid.HBgLAD2', '5511900000002', '120208222'),
      incomingText('wamid.HBgLPLAIN', '5511900000003', 'hello there'),
      statusUpdate('wamid.HBgLF1', 'failed', 1_700_000_010, '5511900000004', { code: 131047, title: 'Re-engagement message' }),
      statusUpdate('wamid.HBgLF2', 'failed', 1_700_000_011, '5511900000004', { code: 131026, title: 'Message undeliverable' }),
      statusUpdate('wamid.HBgLD1', 'delivered', 1_700_000_012, '5511900000005'),
      manyErrors('wamid.HBgLMANY'),
    ];
    for (const b of bodies) expect((await t.postMeta(b)).status).toBe(200);
    await expect.poll(async () => (await t!.call<EventPage>('events:list', {})).total).toBe(bodies.length);
    const before = await answers(t);
    // Every query finds something, so "the same" cannot be two empty lists.
    expect(before.every((a) => a.total > 0)).toBe(true);
    await t.close();
    t = null;

    toPreviousLayout(dir);
    // The one-time upgrade is said before it starts and when it is done (it can take a minute at 1M events).
    const said: string[] = [];
    const logger = { ...silentLogger, info: (msg: string) => { said.push(msg); } };
    t = await startTestCore({ dataDir: dir, logger });
    expect(said.filter((m) => /upgrad/.test(m))).toEqual([
      `upgrading the store from schema 9 to ${MIGRATIONS.length}: a one-time step, it can take a minute on a large store`,
      expect.stringMatching(new RegExp(`^store upgraded to schema ${MIGRATIONS.length} in \\d+\\.\\d s$`)),
    ]);
    expect(await answers(t)).toEqual(before);

    // Written after the conversion, a path seen before it and one it did not write up front (errors.8.code).
    expect((await t.postMeta(statusUpdate('wamid.HBgLF3', 'failed', 1_700_000_013, '5511900000006', { code: 131047, title: 'Re-engagement message' }))).status).toBe(200);
    expect((await t.postMeta(manyErrors('wamid.HBgLMANY2'))).status).toBe(200);
    await expect.poll(async () => (await t!.call<EventPage>('events:list', { where: ['raw.errors.0.code=131047'] })).items.map((e) => e.messageId)).toEqual(['wamid.HBgLF3', 'wamid.HBgLF1']);
    expect((await t.call<EventPage>('events:list', { where: ['raw.errors.8.code=131049'] })).items.map((e) => e.messageId)).toEqual(['wamid.HBgLMANY2', 'wamid.HBgLMANY']);

    // Opened again: nothing converted twice, the same answers.
    const after = await answers(t);
    await t.close();
    said.length = 0;
    t = await startTestCore({ dataDir: dir, logger });
    expect(said.filter((m) => /upgrad/.test(m))).toEqual([]);
    expect(await answers(t)).toEqual(after);
  });
});
