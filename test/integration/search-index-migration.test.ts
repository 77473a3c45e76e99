// Schema migration 11 (store/schema.ts): one full-text index. A store written with the two indexes of schema
// 10 (events_fts over text, contact and message id; events_keys over codes, titles, business numbers and
// detail values) is converted in place when it is opened, and finds what they found, in the same order and
// pages, with the same totals, for the same searches alone and with filters; webhooks after it are found too.
// One difference, by design (docs/api.md "Search"): words split between the two — a word of the text with
// the event's error code — now find the event, which neither index alone could.
import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventPage, ListQuery } from '../../shared/types';
import { textMatches } from '../../renderer/state/filter-match';
import { startTestCore, type TestCore } from '../helpers/core';
import { envelope, incomingText, statusUpdate } from '../helpers/meta-payloads';
import { toSchema10 } from '../helpers/old-schema';

let t: TestCore | null = null;
let dir: string | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = null;
});

const templateStatus = (name: string, category: string) => envelope({}).replace('"field":"messages"', '"field":"message_template_status_update"')
  .replace(/"value":\{[^]*\}\}\]\}\]\}$/, `"value":{"event":"APPROVED","message_template_id":7001,"message_template_name":"${name}","message_template_language":"en_US","message_template_category":"${category}","reason":"NONE"}}]}]}`);

const BODIES = [
  incomingText('wamid.HBgLIN1', '5511900000001', 'refund tomorrow please', 'Giulia Rossi'),
  statusUpdate('wamid.HBgLF1', 'failed', 1_700_000_010, '5511900000001', { code: 131047, title: 'Re-engagement message' }),
  incomingText('wamid.HBgLIN2', '5511900000002', 'my order arrived', 'Hiro Tanaka'),
  templateStatus('order_update_v2', 'UTILITY'),
  statusUpdate('wamid.HBgLD1', 'delivered', 1_700_000_012, '5511900000002'),
  incomingText('wamid.HBgLIN3', '5511900000003', 'is 131047 about the refund?', 'Farah'),
  statusUpdate('wamid.HBgLF2', 'failed', 1_700_000_013, '5511900000003', { code: 131026, title: 'Message undeliverable' }),
  incomingText('wamid.HBgLIN4', '5511900000001', 'another refund, and the order', 'Giulia Rossi'),
  statusUpdate('wamid.HBgLR1', 'read', 1_700_000_014, '5511900000001'),
  // Its text on one side, its business number on the other.
  incomingText('wamid.HBgLIN6', '5511900000006', 'refund for the second line', 'Omar').replace('"phone_number_id":"1"', '"phone_number_id":"106540352242922"'),
];

// Searches of every shape: one word in the text, a contact or a key, a message id prefix (a phrase), two
// words in one index, two words no event has together, a search with filters.
const QUERIES: ListQuery[] = [
  { q: 'refund' }, { q: 'refund', limit: 2 }, { q: 'refund tomorrow' }, { q: 'giulia' }, { q: 'giulia refund' },
  { q: 'ros' }, { q: '131047' }, { q: '131047 re-engagement' }, { q: 'undeliverable' }, { q: 'wamid.HBgLIN' },
  { q: 'wamid.HBgLF', limit: 1 }, { q: 'order' }, { q: 'order_update_v2' }, { q: 'utility' }, { q: '5511900000003' },
  { q: 'refund re-engagement' }, { q: 'farah undeliverable' }, { q: '1065403' }, { q: 'refund', status: ['incoming'] }, { q: '131047', status: ['failed'] },
  { q: 'giulia', kind: ['message'], limit: 1 }, { q: 'nothing-like-this' },
  // The raw leaf an event's own column holds (its message id), by every operator, alone and with a search
  // or another filter: the same answers as from event_fields rows (and the time, which keeps its rows).
  { where: ['raw.id=wamid.HBgLF1'] }, { where: ['raw.id!=wamid.HBgLF1'] }, { where: ['raw.id~hbglin'] }, { where: ['raw.id~HBgLIN'], limit: 2 },
  { where: ['raw.id exists'] }, { where: ['raw.id !exists'] }, { where: ['raw.id>5'] }, { where: ['raw.id<5'] },
  { where: ['raw.timestamp=1700000010'] }, { where: ['raw.timestamp="1700000010"'] }, { where: ['raw.timestamp!=1700000010'] },
  { where: ['raw.timestamp>1700000011'] }, { where: ['raw.timestamp<1700000012'] }, { where: ['raw.timestamp~00001'] },
  { where: ['raw.timestamp exists'] }, { where: ['raw.timestamp !exists'] }, { where: ['raw.timestamp=abc'] },
  { where: ['raw.id~wamid', 'raw.timestamp>1700000011'], status: ['failed'] }, { q: 'refund', where: ['raw.id!=wamid.HBgLIN1'] },
];

interface Answer { q: ListQuery; totals: number[]; ids: number[]; stats: number }

/** Every page of every query (limit per query, walked with `before`), ids in order, each page's total, the stats total. */
async function answers(core: TestCore): Promise<Answer[]> {
  const out: Answer[] = [];
  for (const q of QUERIES) {
    const totals: number[] = [];
    const ids: number[] = [];
    let before: number | undefined;
    for (let round = 0; round < 20; round++) {
      const page = await core.call<EventPage>('events:list', { ...q, before });
      totals.push(page.total);
      ids.push(...page.items.map((e) => e.id));
      if (page.items.length < (q.limit ?? 100)) break;
      before = page.items.at(-1)!.id;
    }
    // The stats count the search and field filters alone (they break them down by status and kind themselves).
    const stats = (await core.call<{ total: number }>('stats:get', { q: q.q, where: q.where })).total;
    out.push({ q, totals, ids, stats });
  }
  return out;
}

/**
 * What schema 10's two indexes find for a query, asked of them directly: every word (as a prefix phrase)
 * in events_fts, or every word in events_keys; then the other filters; newest first.
 */
function twoIndexes(db: Database.Database, q: ListQuery): number[] {
  const match = q.q!.split(/\s+/).filter(Boolean).map((w) => `"${w.replace(/"/g, '')}"*`).join(' ');
  const filters = [...(q.status ? [`status IN (${q.status.map((s) => `'${s}'`).join(',')})`] : []), ...(q.kind ? [`kind IN (${q.kind.map((k) => `'${k}'`).join(',')})`] : [])];
  return db.prepare(`SELECT id FROM events WHERE id IN (SELECT rowid FROM events_fts WHERE events_fts MATCH ? UNION SELECT rowid FROM events_keys WHERE events_keys MATCH ?)
    ${filters.map((f) => `AND ${f}`).join(' ')} ORDER BY id DESC`).pluck().all(match, match) as number[];
}

describe('schema migration 11: one full-text index', () => {
  it('converts a store of the two indexes in place: what they found, in the same order, pages and totals, and new webhooks found after it', async () => {
    dir = mkdtempSync(join(tmpdir(), 'hookscope-search-index-'));
    t = await startTestCore({ dataDir: dir });
    for (const b of BODIES) expect((await t.postMeta(b)).status).toBe(200);
    await expect.poll(async () => (await t!.call<EventPage>('events:list', {})).total).toBe(BODIES.length);
    const found = await answers(t);
    const split: Record<string, (string | null)[]> = {};
    for (const q of ['refund 1065403', 'wamid.HBgLF1 131047']) split[q] = (await t.call<EventPage>('events:list', { q })).items.map((e) => e.messageId);
    await t.close();
    t = null;

    // Written by this version: the message id of every message and status is in its column only.
    const fresh = new Database(join(dir, 'hookscope.db'), { readonly: true });
    expect(fresh.prepare(`SELECT COUNT(*) FROM event_fields f JOIN field_paths p ON p.id = f.path_id WHERE p.path = 'id'`).pluck().get()).toBe(0);
    expect(fresh.prepare('SELECT COUNT(*) FROM events WHERE raw_in_row = 1').pluck().get()).toBe(BODIES.length - 1);
    fresh.close();
    toSchema10(dir);
    // The two indexes found the same events: the same ids, newest first, as many as the totals and the stats say.
    const old = new Database(join(dir, 'hookscope.db'), { readonly: true });
    for (const a of found) {
      if (!a.q.q || a.q.where) continue;
      const expected = twoIndexes(old, a.q);
      expect({ q: a.q, ids: a.ids }).toEqual({ q: a.q, ids: expected });
      expect({ q: a.q, totals: a.totals }).toEqual({ q: a.q, totals: a.totals.map(() => expected.length) });
      expect({ q: a.q, stats: a.stats }).toEqual({ q: a.q, stats: twoIndexes(old, { q: a.q.q }).length });
    }
    // Each shape finds something somewhere, and the split two-word searches find nothing (neither index has both words).
    expect(found.filter((a) => a.ids.length === 0).map((a) => a.q.q ?? a.q.where!.join(' & '))).toEqual(['refund re-engagement', 'farah undeliverable', 'nothing-like-this', 'raw.id>5', 'raw.id<5', 'raw.timestamp=abc']);
    // Words split between the two indexes: found by neither before, by the one index now.
    for (const [q, ids] of [['refund 1065403', ['wamid.HBgLIN6']], ['wamid.HBgLF1 131047', ['wamid.HBgLF1']]] as const) {
      expect(twoIndexes(old, { q })).toEqual([]);
      expect(split[q]).toEqual(ids);
    }
    old.close();

    t = await startTestCore({ dataDir: dir });
    expect(await answers(t)).toEqual(found);

    // Written after the conversion: found by its text, its contact, its code, and with the older ones in order.
    expect((await t.postMeta(statusUpdate('wamid.HBgLF3', 'failed', 1_700_000_020, '5511900000004', { code: 131047, title: 'Re-engagement message' }))).status).toBe(200);
    expect((await t.postMeta(incomingText('wamid.HBgLIN5', '5511900000004', 'refund now', 'Giulia Bianchi'))).status).toBe(200);
    await expect.poll(async () => (await t!.call<EventPage>('events:list', { q: '131047' })).items.map((e) => e.messageId))
      .toEqual(['wamid.HBgLF3', 'wamid.HBgLIN3', 'wamid.HBgLF1']);
    expect((await t.call<EventPage>('events:list', { q: 'giulia refund' })).items.map((e) => e.messageId)).toEqual(['wamid.HBgLIN5', 'wamid.HBgLIN4', 'wamid.HBgLIN1']);
    expect((await t.call<EventPage>('events:list', { q: 'refund' })).total).toBe(found.find((a) => a.q.q === 'refund' && !a.q.limit)!.ids.length + 1);

    // Opened again: nothing converted twice, the same answers.
    const after = await answers(t);
    await t.close();
    t = await startTestCore({ dataDir: dir });
    expect(await answers(t)).toEqual(after);
  });

  it('finds an event by words of its text, contact, message id and keys together, as the feed\'s own matcher does', async () => {
    dir = mkdtempSync(join(tmpdir(), 'hookscope-search-index-'));
    t = await startTestCore({ dataDir: dir });
    for (const b of BODIES) expect((await t.postMeta(b)).status).toBe(200);
    await expect.poll(async () => (await t!.call<EventPage>('events:list', {})).total).toBe(BODIES.length);
    for (const [q, id] of [['wamid.HBgLF1 131047', 'wamid.HBgLF1'], ['refund 1065403', 'wamid.HBgLIN6'], ['giulia 1065403', null], ['omar second 106540', 'wamid.HBgLIN6']] as const) {
      const page = await t.call<EventPage>('events:list', { q });
      expect({ q, found: page.items.map((e) => e.messageId), total: page.total }).toEqual({ q, found: id ? [id] : [], total: id ? 1 : 0 });
      const all = await t.call<EventPage>('events:list', {});
      // The live stream's matcher (renderer) agrees on every stored event.
      expect({ q, found: all.items.filter((e) => textMatches(e, q)).map((e) => e.messageId) }).toEqual({ q, found: id ? [id] : [] });
    }
    // Every word must be found: the text's "refund" and a title no refund event carries find nothing.
    expect((await t.call<EventPage>('events:list', { q: 'refund re-engagement' })).total).toBe(0);
  });
});
