// Hostile webhook bodies from the internet: whatever they are, the receiver stores them, answers fast,
// and never takes other (genuine) webhooks down with them.
import { afterEach, describe, expect, it } from 'vitest';
import type { EventPage } from '../../shared/types';
import { startTestCore, type TestCore } from '../helpers/core';

let t: TestCore | null = null;
afterEach(async () => { await t?.close(); t = null; });

const GOOD = JSON.stringify({
  object: 'whatsapp_business_account',
  entry: [{ id: 'WABA1', changes: [{ field: 'messages', value: {
    metadata: { phone_number_id: '111' },
    statuses: [{ id: 'wamid.OK', status: 'sent', timestamp: '1700000000', recipient_id: '5511999990000' }],
  } }] }],
});

describe('hostile bodies on /meta', () => {
  it('a deeply nested JSON body is stored and does not fail a genuine webhook committed with it', async () => {
    t = await startTestCore();
    const depth = 200_000;
    const deep = `${'['.repeat(depth)}${']'.repeat(depth)}`;
    const deepObj = `{"object":"whatsapp_business_account","entry":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    const [a, b, c] = await Promise.all([t.postMeta(deep), t.postMeta(GOOD), t.postMeta(deepObj)]);
    expect(b.status).toBe(200);
    expect(a.status).toBe(200);
    expect(c.status).toBe(200);
    const page = await t.call<EventPage>('events:list', {});
    expect(page.total).toBe(3);
    expect(page.items.some((e) => e.messageId === 'wamid.OK')).toBe(true);
  });

  it('a deeply nested flow response_json does not break storage', async () => {
    t = await startTestCore();
    const depth = 100_000;
    const rj = `${'['.repeat(depth)}${']'.repeat(depth)}`;
    const body = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [{ id: 'W', changes: [{ field: 'messages', value: { messages: [{
        id: 'wamid.F', from: '5511', type: 'interactive', interactive: { type: 'nfm_reply', nfm_reply: { name: 'flow', response_json: rj } },
      }] } }] }],
    });
    const r = await t.postMeta(body);
    expect(r.status).toBe(200);
    const page = await t.call<EventPage>('events:list', {});
    expect(page.items[0].messageId).toBe('wamid.F');
  });

  it('many messages against many contacts is linear, not quadratic', async () => {
    t = await startTestCore();
    const n = 40_000;
    const body = `{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"contacts":[${Array(n).fill('{}').join(',')}],"messages":[${Array(n).fill('{}').join(',')}]}}]}]}`;
    const r = await t.postMeta(body);
    expect(r.status).toBe(200);
  }, 60_000);
});

describe('hostile bodies on /twilio', () => {
  it('a parameter repeated many times is linear, not quadratic', async () => {
    t = await startTestCore();
    const body = Array(150_000).fill('a=').join('&');
    const r = await t.post('/twilio', body, { 'content-type': 'application/x-www-form-urlencoded' });
    expect(r.status).toBe(200);
  }, 60_000);
});

describe('fan-out', () => {
  it('a body with hundreds of thousands of statuses is stored without that many events', async () => {
    t = await startTestCore();
    const n = 300_000;
    const body = `{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"statuses":[${Array(n).fill('{}').join(',')}]}}]}]}`;
    const r = await t.postMeta(body);
    expect(r.status).toBe(200);
    const page = await t.call<EventPage>('events:list', { limit: 1 });
    expect(page.total).toBeLessThanOrEqual(5001);
    expect(page.items[0].text).toMatch(/300000 items/);
  }, 60_000);
});
