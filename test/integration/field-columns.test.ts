// Raw leaves the event row holds (store/field-columns.ts, schema migration 12): a message's or status's id,
// timestamp, recipient and sender are answered from the row's columns instead of field rows. Every field
// filter on those paths must find exactly what it found when every leaf was a field row — the reference
// here is the same store with each event's leaves written again from its raw JSON as the deriver used to
// (every leaf a row, no bit) — and a store written before the change is converted when opened.
import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventDetail, EventPage, ListQuery } from '../../shared/types';
import { indexedRawLeaves } from '../../shared/where';
import { fieldValue, whereSql } from '../../electron/core/store/where-sql';
import { MIGRATIONS, fieldsIntoColumns } from '../../electron/core/store/schema';
import { startTestCore, type TestCore } from '../helpers/core';
import { envelope, incomingText, statusUpdate } from '../helpers/meta-payloads';

let t: TestCore | null = null;
const dirs: string[] = [];
afterEach(async () => {
  await t?.close();
  t = null;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tmp = () => { const d = mkdtempSync(join(tmpdir(), 'hookscope-field-columns-')); dirs.push(d); return d; };

const status = (s: Record<string, unknown>) => envelope({ statuses: [s] });
const message = (m: Record<string, unknown>) => envelope({ contacts: [{ profile: { name: 'Lead' }, wa_id: String(m.from ?? '5511900000009') }], messages: [m] });

// Leaves a column holds, and the shapes that must keep their field row: a numeric message id, a recipient
// written with a + or a leading zero, a timestamp sent as a JSON number, in milliseconds, or garbage.
const BODIES = [
  incomingText('wamid.A1', '5511900000001', 'hello', 'Ana', 1_700_000_100),
  statusUpdate('wamid.A1', 'delivered', 1_700_000_200, '5511900000004'),
  status({ id: '12345', status: 'sent', timestamp: '1700000300', recipient_id: '5511900000004' }),
  // Text that SQLite would read as a number next to a text column: held, and never equal to the number 777.
  status({ id: '777.0', status: 'sent', timestamp: '1700000301', recipient_id: '5511900000004' }),
  status({ id: 'wamid.B2', status: 'read', timestamp: '1700000310', recipient_id: '+5511900000005' }),
  status({ id: 'wamid.B3', status: 'read', timestamp: '1700000320', recipient_id: '05511900000006' }),
  message({ from: '5511900000001', id: 'wamid.C1', timestamp: 1_700_000_400, type: 'text', text: { body: 'number time' } }),
  message({ from: '5511900000002', id: 'wamid.C2', timestamp: '1700000500000', type: 'text', text: { body: 'ms time' } }),
  message({ from: '5511900000003', id: 'wamid.C3', timestamp: 'garbage', type: 'text', text: { body: 'no time' } }),
  message({ from: '+44 7700 900123', id: 'wamid.C4', timestamp: '1700000600', type: 'text', text: { body: 'formatted sender' } }),
];

const EXTRA = [
  statusUpdate('wamid.A1', 'read', 1_700_000_700, '5511900000004'),
  message({ from: '5511900000001', id: 'wamid.C5', timestamp: '1700000800', type: 'text', text: { body: 'later' } }),
];

const WHERE: string[][] = [
  ['raw.id=wamid.A1'], ['raw.id=12345'], ['raw.id=12345.0'], ['raw.id=777'], ['raw.id=777.0'], ['raw.id!=wamid.A1'], ['raw.id~A1'], ['raw.id~2345'], ['raw.id~.0'],
  ['raw.id<20000'], ['raw.id>100'], ['raw.id exists'], ['raw.id !exists'],
  ['raw.timestamp=1700000200'], ['raw.timestamp=1700000200.0'], ['raw.timestamp=" 1700000400"'], ['raw.timestamp=garbage'],
  ['raw.timestamp!=1700000200'], ['raw.timestamp~.0'], ['raw.timestamp~0003'], ['raw.timestamp<1700000350'],
  ['raw.timestamp>1700000350'], ['raw.timestamp>1700000500000'], ['raw.timestamp exists'], ['raw.timestamp !exists'],
  ['raw.recipient_id=5511900000004'], ['raw.recipient_id=+5511900000005'], ['raw.recipient_id=05511900000006'],
  ['raw.recipient_id=5511900000006'], ['raw.recipient_id~0004'], ['raw.recipient_id~.0'], ['raw.recipient_id~+55'],
  ['raw.recipient_id>5511900000004'], ['raw.recipient_id<5511900000005'], ['raw.recipient_id!=5511900000004'],
  ['raw.recipient_id exists'], ['raw.recipient_id !exists'],
  ['raw.from=5511900000001'], ['raw.from=447700900123'], ['raw.from=+44 7700 900123'], ['raw.from~00001'], ['raw.from<5511900000002'],
  ['raw.from exists'], ['raw.from !exists'],
  ['raw.id~wamid', 'raw.timestamp>1700000150'], ['raw.from exists', 'raw.id!=wamid.C1'], ['raw.recipient_id exists', 'raw.status=read'],
];
const QUERIES: ListQuery[] = [
  ...WHERE.map((where) => ({ where, limit: 100 })),
  // Pages after a cursor (ids bound inside each field subquery) and with another filter.
  ...WHERE.map((where) => ({ where, limit: 2, before: 5 })),
  // One event a page: the page never holds every match, so the total is counted apart from it.
  ...WHERE.map((where) => ({ where, limit: 1 })),
  { where: ['raw.id~wamid'], kind: ['status'], limit: 100 },
];

async function answers(core: TestCore): Promise<{ total: number; ids: number[] }[]> {
  const out = [];
  for (const q of QUERIES) {
    const page = await core.call<EventPage>('events:list', q);
    out.push({ total: page.total, ids: page.items.map((e) => e.id) });
  }
  return out;
}

function sql<T>(dataDir: string, fn: (db: Database.Database) => T): T {
  const db = new Database(join(dataDir, 'hookscope.db'));
  try { return fn(db); } finally { db.close(); }
}

/** Every leaf of every event a field row again, as the deriver wrote them before raw_cols (its raw JSON read anew). */
function everyLeafARow(dataDir: string, raws: Map<number, unknown>): void {
  sql(dataDir, (db) => db.transaction(() => {
    const pathId = db.prepare('SELECT id FROM field_paths WHERE path = ?').pluck();
    const put = db.prepare('INSERT OR IGNORE INTO event_fields (path_id, value, event_id) VALUES (?, ?, ?)');
    for (const [id, raw] of raws) {
      for (const [path, value] of indexedRawLeaves(raw)) put.run(pathId.get(path), fieldValue(value), id);
    }
    db.exec('UPDATE events SET raw_cols = 0');
  })());
}

const fieldRows = (dataDir: string) => sql(dataDir, (db) => db.prepare('SELECT COUNT(*) FROM event_fields').pluck().get() as number);
const rawCols = (dataDir: string) => sql(dataDir, (db) => db.prepare('SELECT id, raw_cols FROM events ORDER BY id').raw().all() as [number, number][]);

describe('raw leaves held by the event row', () => {
  it('finds the same events for every operator as field rows did, and converts a schema-11 store in place', { timeout: 180_000 }, async () => {
    const dir = tmp();
    t = await startTestCore({ dataDir: dir });
    for (const b of BODIES) expect((await t.postMeta(b)).status).toBe(200);
    await expect.poll(async () => (await t!.call<EventPage>('events:list', {})).total).toBe(BODIES.length);
    // Asked once, then again after more arrive (totals a reader may remember between the two, store/totals.ts).
    await answers(t);
    for (const b of EXTRA) expect((await t.postMeta(b)).status).toBe(200);
    await expect.poll(async () => (await t!.call<EventPage>('events:list', {})).total).toBe(BODIES.length + EXTRA.length);
    const now = await answers(t);
    const raws = new Map<number, unknown>();
    for (const e of (await t.call<EventPage>('events:list', { limit: 100 })).items) raws.set(e.id, (await t.call<EventDetail>('events:get', { id: e.id })).raw);
    await t.close();
    t = null;
    // The columns answer most leaves: fewer field rows than leaves, and the bits say which.
    const leaves = [...raws.values()].reduce<number>((n, raw) => n + indexedRawLeaves(raw).length, 0);
    const held = fieldRows(dir);
    expect(held).toBeLessThan(leaves - 20);
    expect(rawCols(dir).filter(([, c]) => c !== 0).length).toBeGreaterThan(6);

    // The reference: the same store with every leaf a field row and no bit.
    const ref = tmp();
    cpSync(dir, ref, { recursive: true });
    everyLeafARow(ref, raws);
    expect(fieldRows(ref)).toBe(leaves);
    t = await startTestCore({ dataDir: ref });
    const before = await answers(t);
    await t.close();
    t = null;
    // Not a comparison of empty lists: most conditions find something, and not everything.
    expect(before.filter((a) => a.total > 0 && a.total < BODIES.length + EXTRA.length).length).toBeGreaterThan(QUERIES.length / 2);
    expect(now).toEqual(before);

    // With the id range the remembered totals push inside each field subquery (store/totals.ts): the same counts.
    const ranged = (dataDir: string) => sql(dataDir, (db) => WHERE.flatMap((where) => [[0, 4], [3, 8], [6, 100]].map(([lo, hi]) => {
      const w = whereSql(where, '', { sql: ' AND event_id > ? AND event_id <= ?', params: [lo, hi] });
      return db.prepare(`SELECT COUNT(*) FROM events WHERE id > ? AND id <= ? AND ${w.parts.join(' AND ')}`).pluck().get(lo, hi, ...w.params);
    })));
    expect(ranged(dir)).toEqual(ranged(ref));
    expect(ranged(ref).filter((n) => n !== 0).length).toBeGreaterThan(WHERE.length);

    // The store as schema 11 left it (no raw_cols, every leaf a row) converted when opened: the same
    // rows and bits as the deriver writes now, the same answers.
    const old = tmp();
    cpSync(ref, old, { recursive: true });
    const held12 = MIGRATIONS.findIndex((m) => typeof m !== 'string' && m.run === fieldsIntoColumns);
    expect(held12).toBeGreaterThan(10);
    sql(old, (db) => { db.exec('ALTER TABLE events DROP COLUMN raw_cols'); db.pragma(`user_version = ${held12}`); });
    t = await startTestCore({ dataDir: old });
    expect(sql(old, (db) => db.pragma('user_version', { simple: true }))).toBe(MIGRATIONS.length);
    expect(fieldRows(old)).toBe(held);
    expect(rawCols(old)).toEqual(rawCols(dir));
    expect(await answers(t)).toEqual(before);
  });

  it('forgetting a number: a held leaf of someone else\'s event that quotes it stops matching, as its field row left', { timeout: 60_000 }, async () => {
    t = await startTestCore({ dataDir: tmp() });
    const quoting = incomingText('wamid.5511900000001', '5511900000002', 'call 5511900000001 back', 'Bea', 1_700_000_100);
    for (const b of [incomingText('wamid.A', '5511900000001', 'hi', 'Ana', 1_700_000_000), quoting]) expect((await t.postMeta(b)).status).toBe(200);
    await expect.poll(async () => (await t!.call<EventPage>('events:list', {})).total).toBe(2);
    const count = async (where: string) => (await t!.call<EventPage>('events:list', { where: [where] })).total;
    expect(await count('raw.id=wamid.5511900000001')).toBe(1);
    await t.call('contacts:forget', { contactId: '5511900000001' });
    // Her own event is gone; Bea's stays, masked, and its id (which quotes the number) is no longer a leaf.
    expect((await t.call<EventPage>('events:list', {})).items.map((e) => e.contactId)).toEqual(['5511900000002']);
    expect(await count('raw.id=wamid.5511900000001')).toBe(0);
    expect(await count('raw.id exists')).toBe(0);
    expect(await count('raw.from=5511900000002')).toBe(1);
  });
});
