// A status's pricing is stored once (event-columns.ts storedDetails): Meta's `pricing` object stays in the
// stored details, the four keys the normaliser flattens from it (billable, pricingCategory, pricingType,
// pricingModel) are left out and put back when read. What a user sees must not move: the details the API
// gives, every details filter on those keys, the weekly pricing counts — the same as from rows that keep
// the four keys written out (as rows written before this, and pricing SQL cannot read the same, are kept).
import { afterEach, describe, expect, it } from 'vitest';
import type { EventDetail, EventPage, HookEvent, StatsExtra } from '../../shared/types';
import { normaliseMeta } from '../../shared/normalise';
import { startTestCore, type TestCore } from '../helpers/core';
import { envelope, incomingText } from '../helpers/meta-payloads';
import { openStoreFile } from '../helpers/store-file';

let t: TestCore | null = null;
afterEach(async () => { await t?.close(); t = null; });

const priced = (id: string, pricing: unknown, ts: number) => envelope({
  statuses: [{ id, status: 'delivered', timestamp: String(ts), recipient_id: '5511900000001', conversation: { id: 'c1', origin: { type: 'service' } }, pricing }],
});
const BODIES = [
  priced('wamid.A', { billable: true, pricing_model: 'CBP', category: 'service' }, 1_700_000_001),
  priced('wamid.B', { billable: false, pricing_model: 'PMP', category: 'MARKETING', type: 'regular' }, 1_700_000_002),
  priced('wamid.C', { billable: true, pricing_model: 'PMP', category: 'Autenticação' }, 1_700_000_003), // not ASCII: stored as is
  priced('wamid.D', { category: 'utility' }, 1_700_000_004),
  priced('wamid.E', { billable: 'yes', category: 'x'.repeat(50) }, 1_700_000_005), // cut at 40: stored as is
  priced('wamid.F', 'free', 1_700_000_006),
  incomingText('wamid.G', '5511900000001', 'hello'),
];
const FILTERS = [
  'details.pricingCategory=service', 'details.pricingCategory=marketing', 'details.pricingCategory=autenticação', 'details.pricingCategory~ing',
  'details.pricingCategory!=service', 'details.billable=1', 'details.billable=0', 'details.billable exists', 'details.billable !exists',
  'details.pricingType=regular', 'details.pricingType exists', 'details.pricingModel=PMP', 'details.pricingModel!=PMP', 'details.pricingModel~cb',
  'details.pricingModel<5', 'details.pricing.category=MARKETING',
];

const UNTIL = Date.now() + 3_600_000; // one window for both readings

async function answers(tc: TestCore) {
  const ids = async (where: string) => (await tc.call<EventPage>('events:list', { where: [where], limit: 100 })).items.map((e) => e.messageId).sort();
  const filters = Object.fromEntries(await Promise.all(FILTERS.map(async (f) => [f, await ids(f)] as const)));
  const items = (await tc.call<EventPage>('events:list', { limit: 100 })).items;
  const details = Object.fromEntries(await Promise.all(items.map(async (e: HookEvent) => [e.messageId, (await tc.call<EventDetail>('events:get', { id: e.id })).details ?? null] as const)));
  const pricing = (await tc.call<StatsExtra>('stats:extra', { until: UNTIL })).pricing;
  return { filters, details, pricing };
}

function storedDetails(dataDir: string): Record<string, string> {
  const db = openStoreFile(dataDir, { readonly: true });
  try { return Object.fromEntries(db.prepare('SELECT message_id, details FROM events').raw().all() as [string, string][]); } finally { db.close(); }
}

describe('details: a status pricing stored once', () => {
  it('gives the same details, filters and pricing counts as rows with the flattened keys written out', { timeout: 60_000 }, async () => {
    t = await startTestCore();
    for (const b of BODIES) expect((await t.post('/meta', b)).status).toBe(200);
    await expect.poll(async () => (await t!.call<EventPage>('events:list', {})).total).toBe(BODIES.length);

    const slim = await answers(t);
    // The details are the normaliser's, key for key and in order.
    for (const b of BODIES) {
      const [e] = normaliseMeta(JSON.parse(b));
      expect(JSON.stringify(slim.details[e.messageId!])).toBe(JSON.stringify(e.details));
    }
    // Stored once where SQL reads the same values from the object; as is where it could not.
    const stored = storedDetails(t.dataDir);
    expect(Object.entries(stored).filter(([, d]) => !d.includes('pricingCategory') && d.includes('"pricing"')).map(([id]) => id).sort())
      .toEqual(['wamid.A', 'wamid.B', 'wamid.D', 'wamid.F']);
    expect(slim.filters).toEqual({
      'details.pricingCategory=service': ['wamid.A'],
      'details.pricingCategory=marketing': ['wamid.B'],
      'details.pricingCategory=autenticação': ['wamid.C'],
      'details.pricingCategory~ing': ['wamid.B'],
      'details.pricingCategory!=service': ['wamid.B', 'wamid.C', 'wamid.D', 'wamid.E', 'wamid.F', 'wamid.G'],
      'details.billable=1': ['wamid.A', 'wamid.C'],
      'details.billable=0': ['wamid.B'],
      'details.billable exists': ['wamid.A', 'wamid.B', 'wamid.C'],
      'details.billable !exists': ['wamid.D', 'wamid.E', 'wamid.F', 'wamid.G'],
      'details.pricingType=regular': ['wamid.B'],
      'details.pricingType exists': ['wamid.B'],
      'details.pricingModel=PMP': ['wamid.B', 'wamid.C'],
      'details.pricingModel!=PMP': ['wamid.A', 'wamid.D', 'wamid.E', 'wamid.F', 'wamid.G'],
      'details.pricingModel~cb': ['wamid.A'],
      'details.pricingModel<5': [],
      'details.pricing.category=MARKETING': ['wamid.B'],
    });
    expect(slim.pricing?.billable).toBe(2);
    expect(slim.pricing?.free).toBe(1);

    // The same store with every row's details written out in full (as the API gives them): the same answers.
    const db = openStoreFile(t.dataDir);
    const put = db.prepare('UPDATE events SET details = ? WHERE message_id = ?');
    for (const [id, d] of Object.entries(slim.details)) if (d) put.run(JSON.stringify(d), id);
    db.close();
    expect(Object.values(storedDetails(t.dataDir)).filter((d) => d?.includes('"pricing"') && !d.includes('~p')).length).toBe(6);
    expect(await answers(t)).toEqual(slim);
  });
});
