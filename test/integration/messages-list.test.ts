// The Messages view's read (`messages:list`, GET /api/messages): one row per message with its whole
// life inline, newest activity first; filters choose messages; pages never repeat or drop a message;
// events without a message id are rows of their own.
import { afterEach, describe, expect, it } from 'vitest';
import type { MessagePage } from '../../shared/types';
import { startTestCore, type TestCore } from '../helpers/core';

let t: TestCore | null = null;
afterEach(async () => { await t?.close(); t = null; });

const envelope = (value: object) => JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: 'W', changes: [{ field: 'messages', value: {
  messaging_product: 'whatsapp', metadata: { display_phone_number: '1555', phone_number_id: '1' }, ...value } }] }] });

const incoming = (id: string, from: string, body: string) => envelope({
  contacts: [{ profile: { name: 'Ana' }, wa_id: from }],
  messages: [{ from, id, timestamp: '1700000000', type: 'text', text: { body } }],
});

const status = (id: string, st: string, ts: number, error?: { code: number; title: string }) => envelope({
  statuses: [{ id, status: st, timestamp: String(ts), recipient_id: '5511999990000', ...(error ? { errors: [error] } : {}) }],
});

async function post(body: string) {
  const r = await t!.post('/meta', body);
  expect(r.status).toBe(200);
}

describe('messages:list', () => {
  it('groups statuses into one row per message with its lifecycle, whatever the arrival order', async () => {
    t = await startTestCore();
    await post(incoming('wamid.IN1', '447900000001', 'hello there'));
    await post(status('wamid.OUT1', 'read', 1700000300)); // arrives first, happened last
    await post(status('wamid.OUT1', 'sent', 1700000100));
    await post(status('wamid.OUT1', 'delivered', 1700000200));
    await post(status('wamid.OUT2', 'sent', 1700000100));
    await post(status('wamid.OUT2', 'failed', 1700000150, { code: 131047, title: 'Re-engagement message' }));

    const page = await t.call<MessagePage>('messages:list', {});
    expect(page.items.map((m) => m.key)).toEqual(['wamid.OUT2', 'wamid.OUT1', 'wamid.IN1']);
    expect(page.next).toBeNull();
    const [out2, out1, in1] = page.items;
    expect(out1.direction).toBe('outgoing');
    expect(out1.current).toBe('read');
    expect(out1.steps.map((s) => s.status)).toEqual(['sent', 'delivered', 'read']);
    expect(out1.events).toHaveLength(3);
    expect(out1.httpStatus).toBe(200);
    expect(out2.current).toBe('failed');
    expect(out2.errorCode).toBe('131047');
    expect(out2.errorTitle).toBe('Re-engagement message');
    expect(in1.direction).toBe('incoming');
    expect(in1.text).toBe('hello there');
    expect(in1.contactName).toBe('Ana');
  });

  it('filters choose which messages appear; the row still shows the whole life', async () => {
    t = await startTestCore();
    await post(status('wamid.A', 'sent', 1700000100));
    await post(status('wamid.A', 'failed', 1700000200, { code: 131026, title: 'Message undeliverable' }));
    await post(status('wamid.B', 'sent', 1700000100));
    await post(status('wamid.B', 'delivered', 1700000200));
    const failed = await t.call<MessagePage>('messages:list', { status: ['failed'] });
    expect(failed.items.map((m) => m.key)).toEqual(['wamid.A']);
    expect(failed.items[0].steps.map((s) => s.status)).toEqual(['sent', 'failed']);
    const q = await t.call<MessagePage>('messages:list', { q: 'wamid.B' });
    expect(q.items.map((m) => m.key)).toEqual(['wamid.B']);
  });

  it('pages never repeat or lose a message, even when its events are spread across pages', async () => {
    t = await startTestCore();
    const expected: string[] = [];
    for (let i = 0; i < 12; i++) {
      await post(status(`wamid.P${i}`, 'sent', 1700000000 + i));
      // Every third message gets a later status far down the walk: it must stay one row, at its newest.
      if (i % 3 === 0 && i > 0) await post(status(`wamid.P${i - 3}`, 'delivered', 1700000100 + i));
    }
    // Newest activity first.
    const all = await t.call<MessagePage>('messages:list', { limit: 500 });
    expected.push(...all.items.map((m) => m.key));
    expect(new Set(expected).size).toBe(12);
    const seen: string[] = [];
    let before: number | undefined;
    for (let n = 0; n < 20; n++) {
      const page = await t.call<MessagePage>('messages:list', { limit: 5, ...(before != null ? { before } : {}) });
      seen.push(...page.items.map((m) => m.key));
      if (page.next == null) break;
      before = page.next;
    }
    expect(seen).toEqual(expected);
  });

  it('an event without a message id is a row of its own; keys fetch exact rows', async () => {
    t = await startTestCore();
    await post(JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: 'W', changes: [{ field: 'account_update', value: { event: 'VERIFIED_ACCOUNT' } }] }] }));
    await post(status('wamid.K', 'sent', 1700000100));
    const page = await t.call<MessagePage>('messages:list', {});
    expect(page.items).toHaveLength(2);
    const other = page.items.find((m) => m.messageId == null)!;
    expect(other.key).toMatch(/^event:\d+$/);
    expect(other.direction).toBe('other');
    const exact = await t.call<MessagePage>('messages:list', { keys: [other.key, 'wamid.K', 'wamid.nothing'] });
    expect(exact.items.map((m) => m.key).sort()).toEqual([other.key, 'wamid.K'].sort());
  });

  it('rejects a limit out of range', async () => {
    t = await startTestCore();
    await expect(t.call('messages:list', { limit: 100_000 })).rejects.toMatchObject({ code: 'VALIDATION' });
  });
});
