// Retention: pruning by age and by count in small batches while webhooks keep arriving.
import { afterEach, describe, expect, it } from 'vitest';
import type { EventPage, SettingsView } from '../../shared/types';
import { startTestCore, type TestCore } from '../helpers/core';
import { envelope, statusUpdate } from '../helpers/meta-payloads';
import { openStoreFile } from '../helpers/store-file';

let t: TestCore | null = null;
afterEach(async () => { await t?.close(); t = null; });

const DAY = 86_400_000;

function status(id: string, n: number) {
  return JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: 'W', changes: [{ field: 'messages', value: {
    messaging_product: 'whatsapp', metadata: { display_phone_number: '1555', phone_number_id: '1' },
    statuses: [{ id, status: 'sent', timestamp: String(1_700_000_000 + n), recipient_id: '5511999990000' }],
  } }] }] });
}

async function postMany(tc: TestCore, prefix: string, n: number) {
  const rs = await Promise.all(Array.from({ length: n }, (_, i) => tc.post('/meta', status(`${prefix}${i}`, i))));
  return rs.map((r) => r.status);
}

describe('retention', { timeout: 120_000 }, () => { // 1,000 webhooks through HTTP per test: slow under load
  it('prunes by age in batches while webhooks keep arriving; every webhook still gets its 200', async () => {
    let now = Date.UTC(2025, 0, 10);
    t = await startTestCore({ clock: () => now });
    expect(new Set(await postMany(t, 'old', 700))).toEqual(new Set([200]));
    now += 3 * DAY;
    await t.call('settings:update', { retention: { days: 1 } });

    const [pruned, statuses] = await Promise.all([t.core.tools!.retention.drain(), postMany(t, 'new', 300)]);
    expect(new Set(statuses)).toEqual(new Set([200]));
    expect(pruned).toBe(700);
    const page = await t.call<EventPage>('events:list', { limit: 1000 });
    expect(page.total).toBe(300);
    expect(page.items.every((e) => e.messageId!.startsWith('new'))).toBe(true);
    expect(t.core.tools!.retention.runOnce()).toBe(0);
  });

  it('takes the field-filter rows of what it prunes with it: filters and their totals count only what is kept (two passes, then an emptied store)', async () => {
    let now = Date.UTC(2025, 0, 10);
    t = await startTestCore({ clock: () => now });
    const tc = t;
    // One request with two events (their rows pair by order), a failed status with its error leaves, a
    // message with a referral: the leaves derivation wrote for each come out again by key.
    const two = (p: string) => envelope({ statuses: [
      { id: `${p}-s1`, status: 'sent', timestamp: '1700000001', recipient_id: '5511900000001', conversation: { id: `conv-${p}`, origin: { type: 'service' } } },
      { id: `${p}-s2`, status: 'delivered', timestamp: '1700000002', recipient_id: '5511900000001', conversation: { id: `conv-${p}`, origin: { type: 'service' } } },
    ] });
    const referral = (p: string) => envelope({ contacts: [{ profile: { name: 'Lead' }, wa_id: '5511900000002' }],
      messages: [{ from: '5511900000002', id: `${p}-m`, timestamp: '1700000003', type: 'text', text: { body: 'hi' }, referral: { source_id: 'ad-7', source_type: 'ad' } }] });
    const wave = async (p: string) => {
      for (const b of [two(p), statusUpdate(`${p}-f`, 'failed', 1_700_000_004, '5511900000001', { code: 131047, title: 'Re-engagement message' }), referral(p)]) {
        expect((await tc.post('/meta', b)).status).toBe(200);
      }
    };
    const total = async (where: string) => (await tc.call<EventPage>('events:list', { where: [where] })).total;
    const fieldRows = (sql: string) => {
      const db = openStoreFile(tc.dataDir, { readonly: true });
      try { return db.prepare(sql).pluck().get(); } finally { db.close(); }
    };
    const left = () => fieldRows('SELECT COUNT(*) FROM event_fields WHERE event_id NOT IN (SELECT id FROM events)');
    const filters = ['raw.recipient_id=5511900000001', 'raw.conversation.origin.type=service', 'raw.errors.0.code=131047', 'raw.referral.source_id=ad-7', 'raw.status exists'];

    await wave('old1');
    now += 3 * DAY;
    await wave('new1');
    await expect.poll(async () => (await tc.call<EventPage>('events:list', {})).total).toBe(8);
    expect(await Promise.all(filters.map(total))).toEqual([6, 4, 2, 2, 6]);
    for (let pass = 2; pass <= 3; pass++) {
      await tc.call('settings:update', { retention: { days: 1 } });
      await tc.core.tools!.retention.drain();
      expect((await tc.call<EventPage>('events:list', {})).total).toBe(4);
      expect(await Promise.all(filters.map(total))).toEqual([3, 2, 1, 1, 3]);
      expect(left()).toBe(0);
      // The next pass: what was new is old now.
      now += 3 * DAY;
      await wave(`new${pass}`);
      await expect.poll(async () => (await tc.call<EventPage>('events:list', {})).total).toBe(8);
    }
    // Everything pruned: no field row outlives the events (event ids start again at 1 after this).
    now += 3 * DAY;
    await tc.core.tools!.retention.drain();
    expect((await tc.call<EventPage>('events:list', {})).total).toBe(0);
    expect(fieldRows('SELECT COUNT(*) FROM event_fields')).toBe(0);
  });

  it('prunes by count, keeping the newest maxEvents', async () => {
    t = await startTestCore();
    await postMany(t, 'a', 150);
    await postMany(t, 'b', 120);
    // The setting is enforced as it changes, not at the next timer tick: a drain right after finds nothing left.
    await t.call('settings:update', { retention: { maxEvents: 100 } });
    expect(await t.core.tools!.retention.drain()).toBe(0);
    const page = await t.call<EventPage>('events:list', { limit: 1000 });
    expect(page.total).toBe(100);
    expect(page.items.every((e) => e.messageId!.startsWith('b'))).toBe(true);
  });

  it('keeps enforcing after a pass that found nothing to prune (two drains)', async () => {
    t = await startTestCore();
    await t.call('settings:update', { retention: { maxEvents: 100 } });
    // A first pass with nothing to prune: it used to leave its settled promise as "running" for good,
    // so every later pass returned it and pruned nothing.
    expect(await t.core.tools!.retention.drain()).toBe(0);
    await postMany(t, 'a', 150);
    await t.core.tools!.retention.drain();
    expect((await t.call<EventPage>('events:list', { limit: 1 })).total).toBe(100);
    await postMany(t, 'b', 30);
    await t.core.tools!.retention.drain();
    const page = await t.call<EventPage>('events:list', { limit: 1000 });
    expect(page.total).toBe(100);
    expect(page.items.filter((e) => e.messageId!.startsWith('b'))).toHaveLength(30);
    // And compact no longer says a prune is running forever.
    expect(t.core.tools!.retention.compact().reason).not.toMatch(/prune is running/);
  });

  it('keeps 30 days by default, and everything once retention is switched off', async () => {
    let now = Date.UTC(2025, 0, 1);
    t = await startTestCore({ clock: () => now });
    expect((await t.call<SettingsView>('settings:get')).retention).toEqual({ days: 30, maxEvents: null });
    await postMany(t, 'old', 20);
    now += 29 * DAY;
    await postMany(t, 'new', 10);
    expect(await t.core.tools!.retention.drain()).toBe(0);
    now += 2 * DAY; // the first 20 are now 31 days old
    expect(await t.core.tools!.retention.drain()).toBe(20);
    await t.call('settings:update', { retention: { days: null } });
    now += 400 * DAY;
    expect(await t.core.tools!.retention.drain()).toBe(0);
    expect((await t.call<EventPage>('events:list', {})).total).toBe(10);
  });

  it('compact is guarded: skipped when little is free, runs when forced or worth it', async () => {
    t = await startTestCore();
    await postMany(t, 'c', 400);
    const skip = t.core.tools!.retention.compact();
    expect(skip.ran).toBe(false);
    await t.call('settings:update', { retention: { maxEvents: 100 } });
    await t.core.tools!.retention.drain();
    const r = t.core.tools!.retention.compact({ force: true });
    expect(r.ran).toBe(true);
    expect(r.afterBytes).toBeLessThanOrEqual(r.beforeBytes);
    // Still healthy after VACUUM.
    expect((await t.post('/meta', status('after', 1))).status).toBe(200);
    expect((await t.call<EventPage>('events:list', {})).total).toBe(101);
  });
});
