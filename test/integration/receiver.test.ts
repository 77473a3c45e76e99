// The receiver over real HTTP (port 0) with a real SQLite file in a temp dir, fixtures byte for byte.
import { afterEach, describe, expect, it } from 'vitest';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { createHash, createHmac } from 'node:crypto';
import type { EventDetail, EventPage, MessageLifecycle, RejectedDetail, RejectedPage } from '../../shared/types';
import { fixture, SIGNED, VECTORS } from '../helpers/fixtures';
import { signMetaBody, startTestCore, type TestCore } from '../helpers/core';

let t: TestCore | null = null;
afterEach(async () => { await t?.close(); t = null; });

const SECRET = 'test-app-secret';

function statusPayload(id: string, status: string, ts: number, recipient = '5511999990000') {
  return JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [{ id: 'WABA1', changes: [{ field: 'messages', value: {
      messaging_product: 'whatsapp', metadata: { display_phone_number: '15550001111', phone_number_id: '111222333' },
      statuses: [{ id, status, timestamp: String(ts), recipient_id: recipient }],
    } }] }],
  });
}

describe('Meta handshake', () => {
  it('echoes hub.challenge as text/plain when the verify token matches, and logs it', async () => {
    t = await startTestCore({ env: { metaVerifyToken: 'my-verify' } });
    const r = await fetch(`${t.url}/meta?hub.mode=subscribe&hub.verify_token=my-verify&hub.challenge=1158201444`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await r.text()).toBe('1158201444');
    const page = await t.call<EventPage>('events:list', { kind: 'verification' });
    expect(page.total).toBe(1);
    expect(page.items[0].providerStatus).toBe('accepted');
  });

  it('accepts the PHP-style hub_mode spelling', async () => {
    t = await startTestCore({ env: { metaVerifyToken: 'tok' } });
    const r = await fetch(`${t.url}/meta?hub_mode=subscribe&hub_verify_token=tok&hub_challenge=42`);
    expect(r.status).toBe(200);
    expect(await r.text()).toBe('42');
  });

  it('answers 403 for a wrong token and keeps why in the rejected log, with the token redacted', async () => {
    t = await startTestCore({ env: { metaVerifyToken: 'right' } });
    const r = await fetch(`${t.url}/meta?hub.mode=subscribe&hub.verify_token=wrong-but-close&hub.challenge=42`);
    expect(r.status).toBe(403);
    expect(await r.text()).not.toContain('42');
    expect((await t.call<EventPage>('events:list', {})).total).toBe(0);
    const rej = await t.call<RejectedPage>('rejected:list', {});
    expect(rej.items[0]).toMatchObject({ httpStatus: 403, path: '/meta', method: 'GET' });
    expect(rej.items[0].diagnosis).toMatch(/does not match/);
    const d = await t.call<RejectedDetail>('rejected:get', { id: rej.items[0].id });
    expect(d.query).not.toContain('wrong-but-close');
    expect(d.query).toContain('redacted');
  });

  it('never keeps the right verify token in clear either', async () => {
    t = await startTestCore({ env: { metaVerifyToken: 'sekret-token' } });
    await fetch(`${t.url}/meta?hub.mode=subscribe&hub.verify_token=sekret-token&hub.challenge=7`);
    const page = await t.call<EventPage>('events:list', { kind: 'verification' });
    const d = await t.call<EventDetail>('events:get', { id: page.items[0].id });
    expect(d.request.query).not.toContain('sekret-token');
    const { curl } = await t.call<{ curl: string }>('requests:curl', { requestId: d.request.id });
    expect(curl).not.toContain('sekret-token');
  });
});

describe('Meta POST signatures', () => {
  it('accepts a Meta-signed body with its secret (one of several) and normalises it', async () => {
    t = await startTestCore({ env: { metaAppSecrets: ['another-app', SIGNED.secret] } });
    const body = fixture(SIGNED.file);
    const r = await t.post('/meta', body, { 'x-hub-signature-256': SIGNED.signature });
    expect(r.status).toBe(200);
    const page = await t.call<EventPage>('events:list', {});
    expect(page.total).toBe(1);
    const ev = page.items[0];
    expect(ev).toMatchObject({ kind: 'message', status: 'incoming', signature: 'valid', contactId: '5511987650001',
      contactName: 'Ana Souza', text: 'Hi, is the clinic open on Saturday?', businessId: '106540352242922' });
    const detail = await t.call<EventDetail>('events:get', { id: ev.id });
    // The exact bytes are kept: the stored body equals the file.
    expect(Buffer.from(detail.request.body, 'utf8').equals(body)).toBe(true);
    expect(detail.request.headers.find(([k]) => k === 'x-hub-signature-256')?.[1]).toBe(SIGNED.signature);
  });

  it('answers 401 to an invalid signature, keeps it in the rejected log with a diagnosis, and adds no event', async () => {
    t = await startTestCore({ env: { metaAppSecrets: [SECRET] } });
    const body = fixture('meta/message-text-reply.json');
    const r = await t.post('/meta', body, { 'x-hub-signature-256': signMetaBody(body, 'wrong-secret') });
    expect(r.status).toBe(401);
    // The answer names nothing: no app name, no diagnosis for a stranger.
    expect(await r.text()).toBe('Unauthorized\n');
    expect((await t.call<EventPage>('events:list', {})).total).toBe(0);
    const rej = await t.call<RejectedPage>('rejected:list', {});
    expect(rej.total).toBe(1);
    expect(rej.items[0]).toMatchObject({ httpStatus: 401, signature: 'invalid', provider: 'meta', bytes: body.length, source: '127.0.0.1' });
    const d = await t.call<RejectedDetail>('rejected:get', { id: rej.items[0].id });
    expect(d.diagnosis).toBeTruthy();
    expect(d.bodyComplete).toBe(true);
    expect(d.signatureDebug).toBeTruthy();
    // The parsed preview is there, for the rejected view to show marked untrusted.
    expect(d.preview?.[0]).toMatchObject({ kind: 'message' });
  });

  // A body of several reads is HMACed as it arrives and, when forged, never joined (request-path.ts): what
  // the provider and the Rejected view see must be what a body read whole gets.
  const large = (tag: string) => JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: 'WABA1', changes: [{ field: 'messages', value: {
    messaging_product: 'whatsapp', metadata: { display_phone_number: '15550001111', phone_number_id: '111222333' },
    contacts: [{ profile: { name: 'Large' }, wa_id: '5511900002222' }],
    messages: [{ from: '5511900002222', id: `wamid.${tag}`, timestamp: '1700000000', type: 'text', text: { body: `${tag} ${'x'.repeat(300_000)}` } }],
  } }] }] });

  it('a 300 KB body signed with the second of two secrets is accepted byte for byte; forged, it is refused and logged whole-size', async () => {
    t = await startTestCore({ env: { metaAppSecrets: ['another-app', SECRET] } });
    for (const round of [1, 2]) {
      const body = Buffer.from(large(`BIG${round}`));
      const r = await t.post('/meta', body, { 'x-hub-signature-256': signMetaBody(body, SECRET) });
      expect(r.status).toBe(200);
      const page = await t.call<EventPage>('events:list', { q: `wamid.BIG${round}` });
      expect(page.items.map((e) => e.signature)).toEqual(['valid']);
      const detail = await t.call<EventDetail>('events:get', { id: page.items[0].id });
      expect(Buffer.from(detail.request.body, 'utf8').equals(body)).toBe(true);

      const forged = Buffer.from(large(`FORGED${round}`));
      const f = await t.post('/meta', forged, { 'x-hub-signature-256': signMetaBody(forged, 'wrong-secret') });
      expect(f.status).toBe(401);
      expect(await f.text()).toBe('Unauthorized\n');
      const rej = await t.call<RejectedPage>('rejected:list', {});
      expect(rej.items[0]).toMatchObject({ httpStatus: 401, signature: 'invalid', provider: 'meta', bytes: forged.length });
      const d = await t.call<RejectedDetail>('rejected:get', { id: rej.items[0].id });
      expect(d.diagnosis).toBe('X-Hub-Signature-256 does not match the raw body with any of the 2 configured app secrets.');
      expect(d.bodyComplete).toBe(false);
      expect(d.body).toBe(forged.subarray(0, 64 * 1024).toString('utf8'));
      expect(d.bodySha256).toBe(createHash('sha256').update(forged).digest('hex'));
    }
    expect((await t.call<EventPage>('events:list', {})).total).toBe(2);
  });

  it('answers 401 to a missing signature when a secret is configured', async () => {
    t = await startTestCore({ env: { metaAppSecrets: [SECRET] } });
    const r = await t.post('/meta', fixture('meta/message-text-reply.json'));
    expect(r.status).toBe(401);
    expect((await t.call<EventPage>('events:list', {})).total).toBe(0);
    expect((await t.call<RejectedPage>('rejected:list', {})).items[0].signature).toBe('missing');
  });

  it('marks requests unchecked when no secret is configured', async () => {
    t = await startTestCore();
    const r = await t.post('/meta', fixture('meta/message-text-reply.json'));
    expect(r.status).toBe(200);
    expect((await t.call<EventPage>('events:list', {})).items[0].signature).toBe('unchecked');
  });
});

describe('bad input', () => {
  it('keeps malformed JSON in the rejected log with the parse error and answers 400', async () => {
    t = await startTestCore();
    const r = await t.post('/meta', '{"object": "whatsapp_business_account", "entry": [');
    expect(r.status).toBe(400);
    expect((await t.call<EventPage>('events:list', {})).total).toBe(0);
    const rej = await t.call<RejectedPage>('rejected:list', {});
    const d = await t.call<RejectedDetail>('rejected:get', { id: rej.items[0].id });
    expect(d.diagnosis).toMatch(/Malformed JSON/);
    expect(d.body).toBe('{"object": "whatsapp_business_account", "entry": [');
  });

  it('answers 413 to a body over the limit without reading it all, and logs it', async () => {
    t = await startTestCore();
    await t.call('settings:update', { bodyLimitBytes: 2048 });
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${t!.url}/meta`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(50 * 1024 * 1024) } }, (res) => {
        resolve(res.statusCode!);
        res.resume();
      });
      req.on('error', reject);
      req.write('x'.repeat(1024)); // never sends the promised 50 MiB
    });
    expect(status).toBe(413);
    const rej = await t.call<RejectedPage>('rejected:list', {});
    expect(rej.items[0].diagnosis).toMatch(/over the 2048-byte limit/);
  });

  it('answers 413 to a chunked body that grows over the limit', async () => {
    t = await startTestCore();
    await t.call('settings:update', { bodyLimitBytes: 4096 });
    const r = await fetch(`${t.url}/meta`, { method: 'POST', body: new Blob(['x'.repeat(10_000)]).stream(), duplex: 'half' } as RequestInit);
    expect(r.status).toBe(413);
  });

  it('answers 404 for an unknown path, without naming the app, and logs it as unrouted', async () => {
    t = await startTestCore();
    const r = await t.post('/webhook', '{}');
    expect(r.status).toBe(404);
    expect(await r.text()).toBe('Not Found\n');
    expect((await t.call<EventPage>('events:list', {})).total).toBe(0);
    const rej = await t.call<RejectedPage>('rejected:list', {});
    expect(rej.items[0]).toMatchObject({ httpStatus: 404, method: 'POST', path: '/webhook' });
  });

  it('answers 405 for a wrong method', async () => {
    t = await startTestCore();
    const r = await fetch(`${t.url}/twilio`, { method: 'PUT', body: 'x' });
    expect(r.status).toBe(405);
    expect((await t.call<EventPage>('events:list', {})).total).toBe(0);
    expect((await t.call<RejectedPage>('rejected:list', {})).items[0].httpStatus).toBe(405);
  });

  it('keeps serving while a client stalls mid-request', async () => {
    t = await startTestCore();
    const port = new URL(t.url).port;
    const sock = connect(Number(port), '127.0.0.1');
    sock.on('error', () => {}); // the server may reset it when the test ends
    await new Promise((r) => sock.once('connect', r));
    sock.write('POST /meta HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"a":'); // and then nothing
    const r = await t.post('/meta', fixture('meta/status-sent.json'));
    expect(r.status).toBe(200);
    sock.destroy();
  });
});

describe('hostile bodies', () => {
  it('a Twilio JSON body nested too deep neither fails nor takes a concurrent webhook down with it', async () => {
    t = await startTestCore();
    const deep = '['.repeat(200_000) + ']'.repeat(200_000);
    const [bad, good] = await Promise.all([
      t.post('/twilio', deep, { 'content-type': 'application/json' }),
      t.post('/meta', fixture('meta/status-sent.json')),
    ]);
    expect(good.status).toBe(200);
    expect(bad.status).toBe(200);
    const page = await t.call<EventPage>('events:list', { provider: 'twilio' });
    expect(page.total).toBe(1);
    const d = await t.call<EventDetail>('events:get', { id: page.items[0].id });
    expect(d.request.bodySize).toBe(deep.length);
  });

  it('keeps the data dir and database private to this user', async () => {
    t = await startTestCore();
    const { statSync } = await import('node:fs');
    expect(statSync(`${t.dataDir}/hookscope.db`).mode & 0o077).toBe(0);
  });
});

describe('batches, duplicates, lifecycle, search', () => {
  it('turns a batch of entries/changes/statuses into one event each', async () => {
    t = await startTestCore();
    const body = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [
        { id: 'W1', changes: [{ field: 'messages', value: { metadata: { phone_number_id: '1' }, statuses: [
          { id: 'wamid.A', status: 'sent', timestamp: '1700000000', recipient_id: '5511911112222' },
          { id: 'wamid.B', status: 'sent', timestamp: '1700000001', recipient_id: '5511933334444' },
        ] } }] },
        { id: 'W2', changes: [{ field: 'messages', value: { metadata: { phone_number_id: '2' },
          contacts: [{ profile: { name: 'Ana' }, wa_id: '5511955556666' }],
          messages: [{ from: '5511955556666', id: 'wamid.C', timestamp: '1700000002', type: 'text', text: { body: 'oi' } }] } }] },
      ],
    });
    expect((await t.post('/meta', body)).status).toBe(200);
    const page = await t.call<EventPage>('events:list', {});
    expect(page.total).toBe(3);
    expect(new Set(page.items.map((e) => e.requestId)).size).toBe(1);
    expect(page.items.map((e) => e.messageId).sort()).toEqual(['wamid.A', 'wamid.B', 'wamid.C']);
  });

  it('flags a redelivered status as duplicate and never drops it', async () => {
    t = await startTestCore();
    const body = statusPayload('wamid.DUP', 'delivered', 1700000000);
    await t.post('/meta', body);
    await t.post('/meta', body);
    const page = await t.call<EventPage>('events:list', { messageId: 'wamid.DUP' });
    expect(page.total).toBe(2);
    expect(page.items.map((e) => e.duplicate).sort()).toEqual([false, true]);
  });

  it('keeps the furthest state whatever the arrival order (read before delivered before sent)', async () => {
    t = await startTestCore();
    await t.post('/meta', statusPayload('wamid.OOO', 'read', 1700000300));
    await t.post('/meta', statusPayload('wamid.OOO', 'delivered', 1700000200));
    await t.post('/meta', statusPayload('wamid.OOO', 'sent', 1700000100));
    const lc = await t.call<MessageLifecycle>('messages:get', { messageId: 'wamid.OOO' });
    expect(lc.current).toBe('read');
    expect(lc.events.map((e) => e.status)).toEqual(['sent', 'delivered', 'read']);
    expect(lc.contactId).toBe('5511999990000');
  });

  it('reports delivered skipped: read alone is read', async () => {
    t = await startTestCore();
    await t.post('/meta', statusPayload('wamid.SKIP', 'sent', 1700000100));
    await t.post('/meta', statusPayload('wamid.SKIP', 'read', 1700000300));
    expect((await t.call<MessageLifecycle>('messages:get', { messageId: 'wamid.SKIP' })).current).toBe('read');
  });

  it('filters by status lists and counts the total, not just the page', async () => {
    t = await startTestCore();
    for (let i = 0; i < 5; i++) await t.post('/meta', statusPayload(`wamid.S${i}`, 'sent', 1700000000 + i));
    await t.post('/meta', fixture('meta/status-failed.json'));
    const sent = await t.call<EventPage>('events:list', { status: 'sent', limit: 2 });
    expect(sent.items).toHaveLength(2);
    expect(sent.total).toBe(5);
    const both = await t.call<EventPage>('events:list', { status: 'sent,failed' });
    expect(both.total).toBe(6);
    const failed = await t.call<EventPage>('events:list', { status: ['failed'] });
    expect(failed.items[0].errorCode).toBe('131047');
    // Cursor paging walks the rest without repeats.
    const next = await t.call<EventPage>('events:list', { status: 'sent', limit: 2, before: sent.items[1].id });
    expect(next.items.map((e) => e.id).every((id) => id < sent.items[1].id)).toBe(true);
  });

  it('finds events by words in the text, contact name, number and message id', async () => {
    t = await startTestCore();
    await t.post('/meta', fixture(SIGNED.file));
    await t.post('/meta', fixture('meta/message-bsuid-sender.json'));
    expect((await t.call<EventPage>('events:list', { q: 'saturday' })).total).toBe(1);
    expect((await t.call<EventPage>('events:list', { q: 'Hidden Customer' })).total).toBe(1);
    expect((await t.call<EventPage>('events:list', { q: '5511987' })).total).toBe(1);
    expect((await t.call<EventPage>('events:list', { q: 'wamid.HBgNNTUxMTk4NzY1MDAwMRUCABIYFjNFQjA1AAA==' })).total).toBe(1);
    expect((await t.call<EventPage>('events:list', { q: 'nothing-like-this' })).total).toBe(0);
    expect((await t.call<EventPage>('events:list', { contact: '551198*' })).total).toBe(1);
    expect((await t.call<EventPage>('events:list', { contact: 'BR.1349*' })).total).toBe(1);
  });
});

describe('Twilio', () => {
  it('stores form-encoded status callbacks and inbound messages', async () => {
    t = await startTestCore();
    const r = await t.post('/twilio', fixture('twilio/status-delivered.txt'), { 'content-type': 'application/x-www-form-urlencoded' });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/xml/);
    await t.post('/twilio', fixture('twilio/inbound-text.txt'), { 'content-type': 'application/x-www-form-urlencoded' });
    const page = await t.call<EventPage>('events:list', { provider: 'twilio' });
    expect(page.total).toBe(2);
    const delivered = page.items.find((e) => e.kind === 'status')!;
    expect(delivered).toMatchObject({ status: 'delivered', messageId: 'SMd4e5f60718293a4b5c6d7e8f9a0b1c23', contactId: '5511987650001' });
  });

  it('checks X-Twilio-Signature against the public URL: right → 200, wrong or missing → 401', async () => {
    // The vector was computed outside Hookscope for this URL and token over the corpus file.
    const v = VECTORS.twilio.find((x) => x.file === 'twilio/inbound-text.txt' && x.algorithm === 'HMAC_SHA1')!;
    const publicUrl = new URL(v.url).origin;
    t = await startTestCore({ env: { twilioAuthTokens: [v.token], publicUrl } });
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const body = fixture(v.file);
    expect((await t.post('/twilio', body, { ...form, 'x-twilio-signature': v.header })).status).toBe(200);
    // Signed the same way with another account's token: must not be acknowledged as received.
    const params = [...new URLSearchParams(body.toString('utf8'))].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const forged = createHmac('sha1', 'another-account-token').update(v.url + params.map(([k, val]) => k + val).join('')).digest('base64');
    const wrong = await t.post('/twilio', body, { ...form, 'x-twilio-signature': forged });
    expect(wrong.status).toBe(401);
    // The right signature over a changed body is wrong too.
    const tampered = Buffer.from(body.toString('utf8').replace('Body=Ol', 'Body=Hi'));
    expect((await t.post('/twilio', tampered, { ...form, 'x-twilio-signature': v.header })).status).toBe(401);
    expect((await t.post('/twilio', body, form)).status).toBe(401);
    const page = await t.call<EventPage>('events:list', { provider: 'twilio', signature: 'valid' });
    expect(page.total).toBe(1);
  });
});
