// Forwarding to local handlers (docs/api.md, --forward-to): exact bytes and headers, recorded per target,
// never delaying the receiver's answer.
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EventDetail, EventPage } from '../../shared/types';
import { fixture, SIGNED, VECTORS } from '../helpers/fixtures';
import { signMetaBody, startTestCore, type TestCore } from '../helpers/core';

let t: TestCore | null = null;
const servers: Server[] = [];
afterEach(async () => {
  await t?.close();
  t = null;
  for (const s of servers.splice(0)) { s.closeAllConnections(); await new Promise((r) => s.close(r)); }
});

interface Seen { method: string; url: string; headers: [string, string][]; body: Buffer }

async function handler(answer: (req: IncomingMessage) => Promise<{ status: number; body: string }> | { status: number; body: string }) {
  const seen: Seen[] = [];
  const s = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const headers: [string, string][] = [];
      for (let i = 0; i < req.rawHeaders.length; i += 2) headers.push([req.rawHeaders[i].toLowerCase(), req.rawHeaders[i + 1]]);
      seen.push({ method: req.method!, url: req.url!, headers, body: Buffer.concat(chunks) });
      const a = await answer(req);
      if (!res.destroyed) { res.writeHead(a.status, { 'content-type': 'text/plain' }); res.end(a.body); }
    });
  });
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, seen };
}

async function closedPort(): Promise<string> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return `http://127.0.0.1:${port}`;
}

async function waitFor<T>(fn: () => Promise<T | null | undefined | false> | T | null | undefined | false, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const header = (h: [string, string][], n: string) => h.find(([k]) => k === n)?.[1];

describe('forwarding', () => {
  it('forwards indented, raw UTF-8 and \\u-escaped bodies byte for byte, never re-serialised', async () => {
    const h = await handler(() => ({ status: 200, body: 'ok' }));
    const files = ['meta/message-text-raw-utf8.json', 'meta/message-text-unicode-escaped.json'];
    const vectors = files.map((f) => VECTORS.meta.find((v) => v.file === f)!);
    t = await startTestCore({ env: { metaAppSecrets: [vectors[0].secret], forwardTo: [h.url] } });
    for (const v of vectors) {
      const body = fixture(v.file!);
      // These bytes are not what JSON.stringify would write: a forwarder that re-serialises fails here.
      expect(Buffer.from(JSON.stringify(JSON.parse(body.toString('utf8')))).equals(body)).toBe(false);
      expect((await t.post('/meta', body, { 'x-hub-signature-256': v.header })).status).toBe(200);
    }
    const form = fixture('twilio/inbound-text.txt');
    expect((await t.post('/twilio', form, { 'content-type': 'application/x-www-form-urlencoded' })).status).toBe(200);
    await waitFor(() => h.seen.length === 3);
    for (const [i, v] of vectors.entries()) {
      const got = h.seen.find((s) => s.body.equals(fixture(v.file!)));
      expect(got, v.file).toBeDefined();
      // The handler can check Meta's signature over what it received.
      expect(signMetaBody(got!.body, v.secret), v.file).toBe(header(got!.headers, 'x-hub-signature-256'));
      expect(header(got!.headers, 'x-hub-signature-256'), v.file).toBe(vectors[i].header);
    }
    expect(h.seen.some((s) => s.url === '/twilio' && s.body.equals(form))).toBe(true);
  });

  it('delivers identical bytes and headers; the original signature validates at the handler; the answer is recorded', async () => {
    const h = await handler(() => ({ status: 202, body: 'handled, thanks' }));
    t = await startTestCore({ env: { metaAppSecrets: [SIGNED.secret], forwardTo: [h.url] } });
    const body = fixture(SIGNED.file);
    const r = await t.post('/meta?src=test', body, {
      'x-hub-signature-256': SIGNED.signature, 'user-agent': 'facebookexternalua', 'x-custom': 'caller-added',
      authorization: 'Bearer stranger', cookie: 'session=stranger',
    });
    expect(r.status).toBe(200);
    await waitFor(() => h.seen.length === 1);
    const got = h.seen[0];
    expect(got.method).toBe('POST');
    // The route, not the caller's query; the provider's headers, not the caller's additions.
    expect(got.url).toBe('/meta');
    expect(got.body.equals(body)).toBe(true);
    expect(header(got.headers, 'x-hub-signature-256')).toBe(SIGNED.signature);
    expect(signMetaBody(got.body, SIGNED.secret)).toBe(header(got.headers, 'x-hub-signature-256'));
    expect(header(got.headers, 'user-agent')).toBe('facebookexternalua');
    expect(header(got.headers, 'x-custom')).toBeUndefined();
    expect(header(got.headers, 'authorization')).toBeUndefined();
    expect(header(got.headers, 'cookie')).toBeUndefined();
    expect(header(got.headers, 'content-type')).toBe('application/json');
    expect(header(got.headers, 'content-length')).toBe(String(body.length));

    await t.core.tools!.forwardsIdle();
    const page = await t.call<EventPage>('events:list', {});
    const ev = await t.call<EventDetail>('events:get', { id: page.items[0].id });
    expect(ev.request.forwards).toHaveLength(1);
    const f = ev.request.forwards[0];
    expect(f.target).toBe(h.url);
    expect(f.status).toBe(202);
    expect(f.error).toBeNull();
    expect(f.durationMs).toBeGreaterThanOrEqual(0);
    expect(f.responseExcerpt).toBe('handled, thanks');
  });

  it('uses a target with its own path and query as they are, never the caller\'s query', async () => {
    const h = await handler(() => ({ status: 200, body: 'ok' }));
    t = await startTestCore({ env: { forwardTo: [`${h.url}/webhook`, `${h.url}/hook?k=mine`] } });
    await t.post('/twilio?a=1', 'Body=hi&From=whatsapp%3A%2B15551234567&MessageSid=SM1', { 'content-type': 'application/x-www-form-urlencoded' });
    await waitFor(() => h.seen.length === 2);
    expect(h.seen.map((s) => s.url).sort()).toEqual(['/hook?k=mine', '/webhook']);
  });

  it('a dead target and a slow one do not delay the 200, each other, or a healthy one; failures are recorded', async () => {
    const fast = await handler(() => ({ status: 200, body: 'fast' }));
    const slow = await handler(() => new Promise((r) => setTimeout(() => r({ status: 200, body: 'too late' }), 3_000)));
    const dead = await closedPort();
    t = await startTestCore({ env: { forwardTo: [dead, slow.url, fast.url] } });
    await t.call('settings:update', { forwardTimeoutMs: 400 });
    const body = fixture('meta/message-text-reply.json');

    const r = await t.post('/meta', body);
    expect(r.status).toBe(200);

    await waitFor(() => fast.seen.length === 1);
    await t.core.tools!.forwardsIdle();
    const page = await t.call<EventPage>('events:list', {});
    const ev = await t.call<EventDetail>('events:get', { id: page.items[0].id });
    const byTarget = Object.fromEntries(ev.request.forwards.map((f) => [f.target, f]));
    expect(byTarget[fast.url].status).toBe(200);
    expect(byTarget[dead].status).toBeNull();
    expect(byTarget[dead].error).toMatch(/refused/i);
    expect(byTarget[slow.url].status).toBeNull();
    expect(byTarget[slow.url].error).toMatch(/timed out/);
    expect(byTarget[slow.url].durationMs!).toBeGreaterThanOrEqual(390);
  });

  it('keeps answering while a handler is stuck, under a burst', async () => {
    // The handler holds every request until released, and the forward timeout is longer than the test's:
    // had the 200 waited for the forward, no answer would come back at all.
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const stuck = await handler(() => gate.then(() => ({ status: 200, body: '' })));
    t = await startTestCore({ env: { forwardTo: [stuck.url] } });
    await t.call('settings:update', { forwardTimeoutMs: 120_000 });
    const body = fixture('meta/status-read.json');
    const rs = await Promise.all(Array.from({ length: 40 }, () => t!.post('/meta', body)));
    expect(rs.every((r) => r.status === 200)).toBe(true);
    await waitFor(() => stuck.seen.length >= 1);
    release();
    await t.core.tools!.forwardsIdle();
  });

  it('does not forward imported requests', async () => {
    const h = await handler(() => ({ status: 200, body: 'ok' }));
    t = await startTestCore({ env: { forwardTo: [h.url] } });
    const har = { log: { version: '1.2', creator: { name: 't', version: '1' }, entries: [{ request: {
      method: 'POST', url: 'http://x/meta', headers: [{ name: 'content-type', value: 'application/json' }],
      postData: { mimeType: 'application/json', text: fixture('meta/message-text-reply.json').toString('utf8') },
    } }] } };
    const res = await t.core.tools!.importFile(JSON.stringify(har), 'har');
    expect(res.imported).toBe(1);
    await t.post('/meta', fixture('meta/status-sent.json'));
    await waitFor(() => h.seen.length >= 1);
    await t.core.tools!.forwardsIdle();
    expect(h.seen).toHaveLength(1);
  });

  it('handler latency stats: percentiles and Meta guidance over recorded forwards', async () => {
    const h = await handler(() => ({ status: 200, body: 'ok' }));
    const dead = await closedPort();
    t = await startTestCore({ env: { forwardTo: [h.url, dead] } });
    const body = fixture('meta/status-delivered.json');
    for (let i = 0; i < 10; i++) await t.post('/meta', body);
    await waitFor(() => h.seen.length === 10);
    await t.core.tools!.forwardsIdle();
    const lat = t.core.tools!.statsExtra(0).handlerLatency;
    expect(lat.count).toBe(10);
    // Forwards go in order per handler: the dead one's first forward waits for its retry, the rest behind it.
    expect(lat.errors).toBe(1);
    expect(lat.p50!).toBeLessThanOrEqual(lat.p95!);
    expect(lat.p95!).toBeLessThanOrEqual(lat.p99!);
    expect(lat.guidance.medianOk).toBe(true);
    expect(lat.byTarget[h.url].count).toBe(10);
    expect(lat.byTarget[dead]).toMatchObject({ count: 0, errors: 1, p50: null });
  });

  it('refuses a target that is the receiver itself (it would loop)', async () => {
    t = await startTestCore();
    const self = t.url.replace('127.0.0.1', 'localhost');
    await t.call('settings:update', { forwardTargets: [self] });
    await t.post('/meta', fixture('meta/status-sent.json'));
    await t.core.tools!.forwardsIdle();
    const page = await t.call<EventPage>('events:list', {});
    expect(page.total).toBe(1);
    const ev = await t.call<EventDetail>('events:get', { id: page.items[0].id });
    expect(ev.request.forwards).toEqual([expect.objectContaining({ target: self, status: null, error: expect.stringMatching(/loop/) })]);
  });
});
