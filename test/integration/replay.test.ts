// Replay: unedited → byte-identical; edited → re-signed with the configured secret; to a handler URL.
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ReplayResult } from '../../shared/ipc';
import type { EventDetail, EventPage } from '../../shared/types';
import { fixture, REAL_CAPTURE } from '../helpers/fixtures';
import { signMetaBody, startTestCore, type TestCore } from '../helpers/core';
import { signTwilio } from '../../electron/core/ingest/signature';
import { parseForm } from '../../shared/form';

let t: TestCore | null = null;
const servers: Server[] = [];
afterEach(async () => {
  await t?.close();
  t = null;
  for (const s of servers.splice(0)) { s.closeAllConnections(); await new Promise((r) => s.close(r)); }
});

async function requestOfLatest(tc: TestCore) {
  const page = await tc.call<EventPage>('events:list', { limit: 1 });
  return (await tc.call<EventDetail>('events:get', { id: page.items[0].id })).request;
}

describe('replay', () => {
  it('replays a request unedited: byte-identical body and headers, signature still valid, origin replay', async () => {
    t = await startTestCore({ env: { metaAppSecrets: [REAL_CAPTURE.secret] } });
    const body = fixture(REAL_CAPTURE.file);
    await t.post('/meta', body, { 'x-hub-signature-256': REAL_CAPTURE.signature });
    const orig = await requestOfLatest(t);

    const r = await t.call<ReplayResult>('replay:send', { requestId: orig.id });
    expect(r).toMatchObject({ target: 'receiver', status: 200, error: null, resigned: false });
    expect(r.requestId).toBeGreaterThan(orig.id);
    const again = (await t.call<EventDetail>('events:get', { id: (await t.call<EventPage>('events:list', { limit: 1 })).items[0].id })).request;
    expect(again.id).toBe(r.requestId);
    expect(again.origin).toBe('replay');
    expect(again.body).toBe(orig.body);
    expect(again.headers).toEqual(orig.headers);
    expect(again.signature).toBe('valid');
  });

  it('re-signs an edited Meta body with the configured secret', async () => {
    t = await startTestCore({ env: { metaAppSecrets: ['s3cret', 'old-secret'] } });
    const body = fixture('meta-cloud__message-text__pywa-text.json');
    await t.postMeta(body, 's3cret');
    const orig = await requestOfLatest(t);
    const edited = orig.body.replace('Body Text', 'Edited text, with ünïcode');
    const r = await t.call<ReplayResult>('replay:send', { requestId: orig.id, body: edited });
    expect(r).toMatchObject({ status: 200, resigned: true, error: null });
    const page = await t.call<EventPage>('events:list', { limit: 1 });
    expect(page.items[0].text).toBe('Edited text, with ünïcode');
    const req = (await t.call<EventDetail>('events:get', { id: page.items[0].id })).request;
    expect(req.signature).toBe('valid');
    expect(req.headers.find(([k]) => k === 'x-hub-signature-256')?.[1]).toBe(signMetaBody(Buffer.from(edited, 'utf8'), 's3cret'));
    expect(req.headers.find(([k]) => k === 'content-length')?.[1]).toBe(String(Buffer.byteLength(edited)));
  });

  it('keeps a signature the caller set explicitly (testing a bad one)', async () => {
    t = await startTestCore({ env: { metaAppSecrets: ['s3cret'] } });
    await t.postMeta(fixture('meta-cloud__message-text__pywa-text.json'), 's3cret');
    const orig = await requestOfLatest(t);
    const r = await t.call<ReplayResult>('replay:send', { requestId: orig.id, headers: { 'X-Hub-Signature-256': 'sha256=00' } });
    expect(r.resigned).toBe(false);
    expect(r.status).toBe(401);
    expect(r.error).toMatch(/Signature/);
  });

  it('re-signs an edited Twilio form over the public URL and its params', async () => {
    t = await startTestCore({ env: { twilioAuthTokens: ['tw-token'], publicUrl: 'https://abc.ngrok-free.app' } });
    const body = fixture('twilio__inbound-text__botbuilder-text.txt');
    const url = 'https://abc.ngrok-free.app/twilio';
    const sig = signTwilio(url, parseForm(body.toString('utf8')), 'tw-token');
    const first = await t.post('/twilio', body, { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': sig });
    expect(first.status).toBe(200);
    const orig = await requestOfLatest(t);
    expect(orig.signature).toBe('valid');
    const edited = orig.body.replace('Body=test', 'Body=Ol%C3%A1+mundo');
    const r = await t.call<ReplayResult>('replay:send', { requestId: orig.id, body: edited });
    expect(r).toMatchObject({ status: 200, resigned: true });
    const page = await t.call<EventPage>('events:list', { limit: 1 });
    expect(page.items[0].text).toBe('Olá mundo');
    expect(page.items[0].signature).toBe('valid');
  });

  it('replays to a handler URL with the exact bytes and records it as a forward of the original', async () => {
    const seen: { url: string; body: Buffer; sig?: string }[] = [];
    const s = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => { seen.push({ url: req.url!, body: Buffer.concat(chunks), sig: req.headers['x-hub-signature-256'] as string }); res.writeHead(201); res.end('created'); });
    });
    servers.push(s);
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const handlerUrl = `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
    t = await startTestCore({ env: { metaAppSecrets: [REAL_CAPTURE.secret] } });
    const body = fixture(REAL_CAPTURE.file);
    await t.post('/meta', body, { 'x-hub-signature-256': REAL_CAPTURE.signature });
    const orig = await requestOfLatest(t);
    const r = await t.call<ReplayResult>('replay:send', { requestId: orig.id, target: handlerUrl });
    expect(r).toMatchObject({ requestId: null, target: handlerUrl, status: 201, error: null, resigned: false });
    expect(seen).toHaveLength(1);
    expect(seen[0].url).toBe('/meta');
    expect(seen[0].body.equals(body)).toBe(true);
    expect(seen[0].sig).toBe(REAL_CAPTURE.signature);
    const after = await t.call<EventDetail>('events:get', { id: (await t.call<EventPage>('events:list', { limit: 1 })).items[0].id });
    expect(after.request.forwards).toEqual([expect.objectContaining({ target: handlerUrl, status: 201, responseExcerpt: 'created' })]);
  });

  it('refuses an unknown request and a non-http target', async () => {
    t = await startTestCore();
    await expect(t.call('replay:send', { requestId: 999 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await t.post('/meta', fixture('meta-cloud__status-sent__pywa-sent.json'));
    const orig = await requestOfLatest(t);
    await expect(t.call('replay:send', { requestId: orig.id, target: 'file:///etc/passwd' })).rejects.toMatchObject({ code: 'VALIDATION' });
  });

  it('replays a filtered set once per request, oldest first', async () => {
    t = await startTestCore();
    await t.post('/meta', fixture('meta-cloud__status-sent__pywa-sent.json'));
    await t.post('/meta', fixture('meta-cloud__message-text__pywa-text.json'));
    await t.post('/meta', fixture('meta-cloud__status-read__pywa-read.json'));
    const res = await t.core.tools!.replayFiltered({ kind: ['status'] });
    expect(res.replayed).toBe(2);
    expect(res.failed).toBe(0);
    const ids = res.results.map((r) => r.requestId!);
    expect(ids[0]).toBeLessThan(ids[1]);
    const statuses = (await t.call<EventPage>('events:list', { kind: ['status'], limit: 2 })).items.map((e) => e.status);
    expect(statuses).toEqual(['read', 'sent']);
  });
});
