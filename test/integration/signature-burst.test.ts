// Rejected requests never reach rules, but a provider's signed webhooks failing their signature check is
// news the user needs (a rotated app secret looks exactly like that): one notification per burst.
import { afterEach, describe, expect, it } from 'vitest';
import type { NotificationRecord } from '../../shared/types';
import { startTestCore, type TestCore } from '../helpers/core';

const SECRET = 'the-secret-hookscope-knows';
const ROTATED = 'the-secret-meta-signs-with-now';
let t: TestCore | null = null;
afterEach(async () => { await t?.close(); t = null; });

function message(id: string): string {
  return JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: 'WABA', changes: [{ field: 'messages', value: {
    messaging_product: 'whatsapp', metadata: { display_phone_number: '15550001111', phone_number_id: '1234' },
    contacts: [{ profile: { name: 'Ana' }, wa_id: '5511999990000' }],
    messages: [{ from: '5511999990000', id, timestamp: '1764400000', type: 'text', text: { body: 'hello' } }] } }] }] });
}

async function notifications(t: TestCore): Promise<NotificationRecord[]> {
  return (await t.call<{ items: NotificationRecord[] }>('notifications:list', {})).items;
}

async function until<T>(f: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = await f();
    if (ok(v)) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('condition not met');
}

describe('signed webhooks failing their signature check', () => {
  it('notify once per burst (desktop too), a new burst after a quiet spell notifies again; twice', async () => {
    let now = Date.UTC(2026, 0, 5, 10);
    const shown: { title: string; body: string }[] = [];
    t = await startTestCore({ clock: () => now, env: { metaAppSecrets: [SECRET] }, notifier: { show: (n) => shown.push(n) } });
    for (let i = 0; i < 5; i++) {
      expect((await t.postMeta(message(`wamid.R${i}`), ROTATED)).status).toBe(401);
      now += 60_000;
    }
    let list = await until(() => notifications(t!), (l) => l.length >= 1);
    expect(list).toHaveLength(1);
    expect(list[0].title).toBe('Meta webhooks are failing their signature check');
    expect(list[0].body).toMatch(/app secret/);
    expect(list[0].body).not.toContain(SECRET);
    expect(shown).toHaveLength(1);
    // Nothing of the rejected request became an event.
    expect((await t.call<{ total: number }>('events:list', {})).total).toBe(0);

    now += 16 * 60_000; // quiet for longer than a burst's gap
    for (let i = 0; i < 3; i++) expect((await t.postMeta(message(`wamid.S${i}`), ROTATED)).status).toBe(401);
    list = await until(() => notifications(t!), (l) => l.length >= 2);
    expect(list).toHaveLength(2);
    expect(shown).toHaveLength(2);
  });

  it('unsigned junk, unrouted paths and genuine webhooks raise no such notification', async () => {
    t = await startTestCore({ env: { metaAppSecrets: [SECRET] } });
    expect((await t.postMeta(message('wamid.U1'))).status).toBe(401); // no signature at all: a stranger
    expect((await t.post('/admin', 'x')).status).toBe(404);
    expect((await t.postMeta(message('wamid.G1'), SECRET)).status).toBe(200);
    await until(() => t!.call<{ total: number }>('events:list', {}), (p) => p.total === 1);
    expect(await notifications(t)).toEqual([]);
  });
});
