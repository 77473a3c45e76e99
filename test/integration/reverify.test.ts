// Re-verification in the core with a controlled clock: requests refused for a secret that was fixed
// afterwards join the feed; those under an hour old go through the rules, older ones join quietly.
import { afterEach, describe, expect, it } from 'vitest';
import type { EventPage, NotificationRecord, RejectedPage, ReverifyResult } from '../../shared/types';
import { startTestCore, type TestCore } from '../helpers/core';

let t: TestCore | null = null;
afterEach(async () => { await t?.close(); t = null; });

function message(id: string, text: string) {
  return JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: 'W', changes: [{ field: 'messages', value: {
    messaging_product: 'whatsapp', metadata: { display_phone_number: '1555', phone_number_id: '1' },
    contacts: [{ profile: { name: 'Ana' }, wa_id: '5511955554444' }],
    messages: [{ from: '5511955554444', id, timestamp: '1700000000', type: 'text', text: { body: text } }],
  } }] }] });
}

describe('re-verify', () => {
  it('notifies for requests under an hour old, and adds older ones to the history without notifying', async () => {
    let now = Date.UTC(2025, 5, 1, 12);
    t = await startTestCore({ clock: () => now, env: { metaAppSecrets: ['stale'] } });
    await t.call('rules:create', { name: 'Any message', when: { kind: ['message'] }, title: '{contactName}', body: '{text}' });
    const old = message('wamid.OLD', 'two hours ago');
    expect((await t.postMeta(old, 'fresh')).status).toBe(401);
    now += 110 * 60_000;
    const recent = message('wamid.NEW', 'ten minutes ago');
    expect((await t.postMeta(recent, 'fresh')).status).toBe(401);
    now += 10 * 60_000;
    expect((await t.call<EventPage>('events:list', {})).total).toBe(0);

    await t.call('settings:update', { metaAppSecret: 'fresh' });
    const r = await t.call<ReverifyResult>('rejected:reverify');
    expect(r).toEqual({ checked: 2, accepted: 2 });
    const page = await t.call<EventPage>('events:list', {});
    expect(page.items.map((e) => e.text)).toEqual(['ten minutes ago', 'two hours ago']);
    // Original arrival times are kept.
    expect(page.items[1].receivedAt).toBe(Date.UTC(2025, 5, 1, 12));
    // Rule-fired only: the notices that the signatures were failing (ruleId 0) came at arrival.
    const fired = (await t.call<{ items: NotificationRecord[] }>('notifications:list', {})).items.filter((n) => n.ruleId !== 0);
    expect(fired.map((n) => n.body)).toEqual(['ten minutes ago']);
    expect((await t.call<RejectedPage>('rejected:list', {})).total).toBe(0);
    // A second re-verify finds nothing left to move.
    expect(await t.call<ReverifyResult>('rejected:reverify')).toEqual({ checked: 0, accepted: 0 });
  });
});
