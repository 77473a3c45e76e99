// Retention: pruning by age and by count in small batches while webhooks keep arriving.
import { afterEach, describe, expect, it } from 'vitest';
import type { EventPage, SettingsView } from '../../shared/types';
import { startTestCore, type TestCore } from '../helpers/core';

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
