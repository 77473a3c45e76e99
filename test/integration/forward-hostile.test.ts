// Forwarding and replay with headers a handler request cannot carry (edited in the replay dialog, or
// imported from a HAR): recorded as a failed delivery, never an unhandled rejection.
import { afterEach, describe, expect, it } from 'vitest';
import { sendRaw } from '../../electron/core/tools/send-raw';
import type { EventDetail, EventPage } from '../../shared/types';
import type { ReplayResult } from '../../shared/ipc';
import { startTestCore, type TestCore } from '../helpers/core';

let t: TestCore | null = null;
afterEach(async () => { await t?.close(); t = null; });

const BODY = JSON.stringify({ object: 'whatsapp_business_account', entry: [] });

describe('headers Node refuses to send', () => {
  it('sendRaw resolves with an error instead of throwing', async () => {
    const out = await sendRaw({ url: 'http://127.0.0.1:9/x', method: 'POST', headers: [['x-bad', 'a\r\nb']], body: Buffer.from('x'), timeoutMs: 1000 });
    expect(out.status).toBeNull();
    expect(out.error).toMatch(/header/i);
    const out2 = await sendRaw({ url: 'http://127.0.0.1:9/x', method: 'POST', headers: [['bad name', 'v']], body: Buffer.from('x'), timeoutMs: 1000 });
    expect(out2.error).toMatch(/header/i);
  });

  it('a replay to a handler URL with such a header answers with the error', async () => {
    t = await startTestCore();
    await t.postMeta(BODY);
    const page = await t.call<EventPage>('events:list', {});
    const r = await t.call<ReplayResult>('replay:send', { requestId: page.items[0].requestId, target: 'http://127.0.0.1:9', headers: { 'x-bad': 'a\nb' } });
    expect(r.status).toBeNull();
    expect(r.error).toMatch(/header/i);
  });

  it('a replayed request with such a header is stored and its forward recorded as failed', async () => {
    // The handler is set after the first webhook: forwards go in order per handler, and the original's
    // failed forward would hold the replay's behind its retry.
    t = await startTestCore();
    await t.postMeta(BODY);
    await t.call('settings:update', { forwardTargets: ['http://127.0.0.1:9'] });
    const page = await t.call<EventPage>('events:list', {});
    // A header a forward carries (the provider's user agent): a caller's own headers are not forwarded at all.
    const r = await t.call<ReplayResult>('replay:send', { requestId: page.items[0].requestId, headers: { 'user-agent': 'a\nb' } });
    expect(r.status).toBe(200);
    await t.core.tools!.forwardsIdle();
    const after = await t.call<EventPage>('events:list', {});
    const detail = await t.call<EventDetail>('events:get', { id: after.items[0].id });
    expect(detail.request.forwards?.[0]?.error).toMatch(/header/i);
  });
});
