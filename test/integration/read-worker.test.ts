// The UI's reads in a worker thread (electron/core/store/reads.ts): the bundled worker (dist-electron/, built
// before vitest by `npm test`) over its own read-only connection, in-process and through `serve`.
// Every 200 must be visible to the next read, totals must follow deletes made on the main connection,
// and the store's read code must give the same answers as on the main connection.
import { afterEach, describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import type { EventDetail, EventPage, MessageLifecycle, Stats, StatsExtra } from '../../shared/types';
import { startTestCore, type TestCore } from '../helpers/core';
import { startServe, type ServeProcess } from '../helpers/serve';
import { built } from '../helpers/build';
import { openStore } from '../../electron/core/store/store';
import { eventDeriver } from '../../electron/core/ingest/derive-events';
import { silentLogger } from '../../electron/core/types';

const WORKER = resolve(__dirname, '../../dist-electron/read-worker.mjs');
const DAY = 86_400_000;

let t: TestCore | null = null;
let s: ServeProcess | null = null;
afterEach(async () => {
  await t?.close(); t = null;
  await s?.stop(); s = null;
});

function text(id: string, from: string, body: string, name = 'Ana Silva') {
  return JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: 'W', changes: [{ field: 'messages', value: {
    messaging_product: 'whatsapp', metadata: { display_phone_number: '1555', phone_number_id: '1' },
    contacts: [{ profile: { name }, wa_id: from }],
    messages: [{ from, id, timestamp: '1700000000', type: 'text', text: { body } }],
  } }] }] });
}

function status(id: string, st: string, to = '5511999990000') {
  return JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: 'W', changes: [{ field: 'messages', value: {
    messaging_product: 'whatsapp', metadata: { display_phone_number: '1555', phone_number_id: '1' },
    statuses: [{ id, status: st, timestamp: '1700000001', recipient_id: to }],
  } }] }] });
}

describe.skipIf(!built('read worker', WORKER))('read worker', () => {
  it('sees every acknowledged webhook on the very next read, for every read channel', async () => {
    const log: string[] = [];
    const logger = { ...silentLogger, debug: (m: string) => log.push(m), warn: (m: string) => log.push(m) };
    t = await startTestCore({ readWorker: WORKER, logger });
    expect(log).toEqual(['UI reads run in a worker thread']);
    for (let i = 0; i < 30; i++) {
      const r = await t.post('/meta', i % 3 === 0 ? text(`wamid.m${i}`, '447900000001', `refund order ${i}`) : status(`wamid.s${i}`, i % 2 ? 'delivered' : 'failed'));
      expect(r.status).toBe(200);
      const page = await t.call<EventPage>('events:list', { limit: 5 });
      expect(page.total).toBe(i + 1);
      const search = await t.call<EventPage>('events:list', { q: 'refund', status: ['incoming'], limit: 200 });
      expect(search.total).toBe(Math.floor(i / 3) + 1);
      expect(search.items.map((e) => e.text)).toEqual(Array.from({ length: Math.floor(i / 3) + 1 }, (_, k) => `refund order ${(Math.floor(i / 3) - k) * 3}`));
    }
    const first = (await t.call<EventPage>('events:list', { limit: 1, q: 'refund' })).items[0];
    const detail = await t.call<EventDetail>('events:get', { id: first.id });
    expect(detail.request.body).toContain('refund order 27');
    // Its raw JSON is derived again in the worker, by the deriver its entry hands the store's reads.
    expect(detail.raw).toMatchObject({ id: 'wamid.m27', type: 'text', text: { body: 'refund order 27' } });
    await expect(t.call('events:get', { id: 99_999 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const life = await t.call<MessageLifecycle>('messages:get', { messageId: 'wamid.s1' });
    expect(life.current).toBe('delivered');
    const thread = await t.call<{ items: unknown[] }>('contacts:thread', { contactId: '447900000001' });
    expect(thread.items).toHaveLength(10);
    const stats = await t.call<Stats>('stats:get', {});
    expect(stats.total).toBe(30);
    expect(stats.byStatus).toEqual({ incoming: 10, delivered: 10, failed: 10 });
    const extra = await t.call<StatsExtra>('stats:extra', { since: 0 });
    expect(extra.funnel.total).toBe(20);
    expect(log).toEqual(['UI reads run in a worker thread']); // never fell back to the main thread
  });

  it('keeps remembered totals right when retention deletes on the main connection', async () => {
    let now = Date.UTC(2025, 0, 10);
    t = await startTestCore({ readWorker: WORKER, clock: () => now });
    for (let i = 0; i < 40; i++) expect((await t.post('/meta', status(`old${i}`, 'sent'))).status).toBe(200);
    const filters = [{}, { status: ['sent'] }, { q: 'old1' }, { q: 'old1', status: ['sent'] }];
    const before = await Promise.all(filters.map((f) => t!.call<EventPage>('events:list', { ...f, limit: 10 })));
    expect(before.map((p) => p.total)).toEqual([40, 40, 11, 11]) // prefix match: old1, old10-old19;
    now += 3 * DAY;
    for (let i = 0; i < 5; i++) expect((await t.post('/meta', status(`new${i}`, 'sent'))).status).toBe(200);
    // The setting change prunes at once (retention.ts): the 40 old requests are gone before it returns.
    await t.call('settings:update', { retention: { days: 1 } });
    expect(await t.core.tools!.retention.drain()).toBe(0);
    const after = await Promise.all(filters.map((f) => t!.call<EventPage>('events:list', { ...f, limit: 10 })));
    expect(after.map((p) => p.total)).toEqual([5, 5, 0, 0]);
    expect(after[0].items.every((e) => e.messageId!.startsWith('new'))).toBe(true);
  });

  it('gives the same pages and totals as the main connection', async () => {
    t = await startTestCore({ readWorker: WORKER });
    const words = ['refund', 'order', 'tomorrow', 'invoice'];
    for (let i = 0; i < 120; i++) {
      const body = i % 2 ? text(`m${i}`, `4479000000${i % 7}`, `${words[i % 4]} ${words[(i * 3) % 4]} ${i}`, i % 5 ? 'Ana Silva' : 'Hiro Tanaka')
        : status(`s${i}`, ['sent', 'delivered', 'read', 'failed'][i % 4], `4479000000${i % 7}`);
      expect((await t.post('/meta', body)).status).toBe(200);
    }
    const queries = [
      { limit: 50 }, { limit: 50, before: 60 }, { status: ['read'] }, { q: 'refund' }, { q: 'refund order' },
      { q: 'Hiro', kind: ['message'] }, { q: 'refund', status: ['incoming'], limit: 7 }, { q: 'refund', status: ['incoming'], limit: 7, before: 80 },
      { q: 'tomorrow', contact: '44790000003' }, { q: 'nothing-matches', status: ['failed'] },
    ];
    // The same queries through the store's reads on a writable connection of its own, as without a worker.
    const store = openStore({ dataDir: t.dataDir, deriver: eventDeriver });
    try {
      for (let round = 0; round < 2; round++) {
        for (const q of queries) {
          const viaWorker = await t.call<EventPage>('events:list', q);
          const viaMain = store.listEvents(q as Parameters<typeof store.listEvents>[0]);
          expect(viaWorker.total, JSON.stringify(q)).toBe(viaMain.total);
          expect(viaWorker.items.map((e) => e.id), JSON.stringify(q)).toEqual(viaMain.items.map((e) => e.id));
        }
        // New arrivals between rounds: remembered totals on both sides must follow.
        for (let i = 0; i < 9; i++) expect((await t.post('/meta', text(`n${i}`, '447900000003', `refund tomorrow ${i}`))).status).toBe(200);
      }
    } finally { store.db.close(); }
  });

  it('runs under serve (the built bundle) and stops cleanly', async () => {
    s = await startServe([], { HOOKSCOPE_DEBUG: '1' });
    expect(s.stderr()).toMatch(/UI reads run in a worker thread/);
    for (let i = 0; i < 20; i++) {
      const r = await fetch(`${s.receiverUrl}/meta`, { method: 'POST', body: text(`w${i}`, '447911111111', `hello ${i}`), headers: { 'content-type': 'application/json' } });
      expect(r.status).toBe(200);
      const list = await s.api<EventPage>('/api/events?q=hello&status=incoming&limit=1');
      expect(list.body.total).toBe(i + 1);
      expect(list.body.items[0].text).toBe(`hello ${i}`);
    }
    const stats = await s.api<Stats>('/api/stats');
    expect(stats.body.total).toBe(20);
    expect(await s.stop('SIGTERM')).toBe(0);
    expect(s.stderr()).not.toMatch(/read worker stopped/);
  });
});
