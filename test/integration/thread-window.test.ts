// A conversation (`contacts:thread`, GET /api/contacts/:id/thread) and the 24-hour window it shows: the last
// incoming message's time, whether or not it is among the rows the limit keeps.
import { afterEach, describe, expect, it } from 'vitest';
import type { EventDetail, EventPage, HookEvent } from '../../shared/types';
import { startTestCore, type TestCore } from '../helpers/core';
import { envelope, incomingText, statusUpdate } from '../helpers/meta-payloads';

let t: TestCore | null = null;
afterEach(async () => { await t?.close(); t = null; });

type Thread = { contactId: string; items: HookEvent[]; lastIncomingAt: number | null };

describe('a contact thread', () => {
  it('says when the number last wrote, from the rows it shows or past its limit, per provider', async () => {
    t = await startTestCore();
    const number = '5511900000077';
    // She writes twice, then three replies to her go out and are delivered; someone else writes later.
    await t.postMeta(incomingText('wamid.IN1', number, 'first', 'Ana', 1_700_000_000));
    await t.postMeta(incomingText('wamid.IN2', number, 'second', 'Ana', 1_700_000_060));
    for (let i = 0; i < 3; i++) await t.postMeta(statusUpdate(`wamid.OUT${i}`, 'delivered', 1_700_000_100 + i, number));
    await t.postMeta(incomingText('wamid.OTHER', '5511900000088', 'not her', 'Bo', 1_700_000_500));
    await expect.poll(async () => (await t!.call<{ total: number }>('events:list', {})).total).toBe(6);

    const all = await t.call<Thread>('contacts:thread', { contactId: number, limit: 200 });
    expect(all.items.map((e) => e.messageId)).toEqual(['wamid.IN1', 'wamid.IN2', 'wamid.OUT0', 'wamid.OUT1', 'wamid.OUT2']);
    expect(all.lastIncomingAt).toBe(1_700_000_060_000);
    // Each row is the event as the feed and the inspector give it, field for field (read as arrays: event-columns.ts).
    const feed = await t.call<EventPage>('events:list', { contact: number, limit: 50 });
    for (const e of all.items) {
      const { httpStatus: _s, ackMs: _a, forward: _f, ...inFeed } = feed.items.find((x) => x.id === e.id)!;
      const { details, ...rest } = e;
      expect(rest).toEqual(inFeed);
      expect(details).toEqual((await t.call<EventDetail>('events:get', { id: e.id })).details);
    }
    // As many rows as the limit, all of them replies: her last message lies past them.
    const cut = await t.call<Thread>('contacts:thread', { contactId: number, limit: 3 });
    expect(cut.items.map((e) => e.messageId)).toEqual(['wamid.OUT0', 'wamid.OUT1', 'wamid.OUT2']);
    expect(cut.lastIncomingAt).toBe(1_700_000_060_000);
    // One row short of everything, her last message among them.
    expect((await t.call<Thread>('contacts:thread', { contactId: number, limit: 4 })).lastIncomingAt).toBe(1_700_000_060_000);
    // Another provider's conversation with the number is empty, with no window.
    expect(await t.call<Thread>('contacts:thread', { contactId: number, limit: 200, provider: 'twilio' })).toMatchObject({ items: [], lastIncomingAt: null });

    // She writes again after the replies: the window moves, with or without a limit that cuts.
    await t.postMeta(incomingText('wamid.IN3', number, 'third', 'Ana', 1_700_000_200));
    await expect.poll(async () => (await t!.call<Thread>('contacts:thread', { contactId: number, limit: 200 })).lastIncomingAt).toBe(1_700_000_200_000);
    expect((await t.call<Thread>('contacts:thread', { contactId: number, limit: 2 })).items.map((e) => e.messageId)).toEqual(['wamid.OUT2', 'wamid.IN3']);
    expect((await t.call<Thread>('contacts:thread', { contactId: number, limit: 2 })).lastIncomingAt).toBe(1_700_000_200_000);
    // A message written before the replies arrives last: a cut thread holding it and the later one still
    // says the later, twice (the second time with one more reply on top).
    await t.postMeta(incomingText('wamid.LATE', number, 'late', 'Ana', 1_700_000_070));
    for (let round = 0; round < 2; round++) {
      if (round === 1) await t.postMeta(statusUpdate('wamid.OUT3', 'delivered', 1_700_000_300, number));
      await expect.poll(async () => (await t!.call<{ total: number }>('events:list', { contact: number })).total).toBe(7 + round);
      const late = await t.call<Thread>('contacts:thread', { contactId: number, limit: 5 + round });
      expect(late.items.map((e) => e.messageId).slice(0, 2)).toEqual(['wamid.LATE', 'wamid.OUT0']);
      expect(late.lastIncomingAt).toBe(1_700_000_200_000);
    }
  });

  it('shows a priced status with the details the inspector shows (the pricing keys put back as read)', async () => {
    t = await startTestCore();
    const number = '5511900000066';
    for (const [id, category] of [['wamid.P1', 'service'], ['wamid.P2', 'marketing']]) {
      await t.postMeta(envelope({ statuses: [{ id, status: 'delivered', timestamp: '1700000001', recipient_id: number,
        conversation: { id: `c-${id}`, origin: { type: category } }, pricing: { billable: true, pricing_model: 'CBP', category } }] }));
    }
    await expect.poll(async () => (await t!.call<Thread>('contacts:thread', { contactId: number, limit: 200 })).items.length).toBe(2);
    const thread = await t.call<Thread>('contacts:thread', { contactId: number, limit: 200 });
    for (const e of thread.items) {
      const inspected = (await t.call<EventDetail>('events:get', { id: e.id })).details;
      expect(inspected).toMatchObject({ billable: true, pricingModel: 'CBP' });
      expect(e.details).toEqual(inspected);
    }
  });
});
