// Large uploads from a source over its rejected-request limit take turns (electron/core/ingest/upload-turns.ts,
// docs/api.md "Trust boundary"): read one after another, none refused for it, and a stalled one never holds
// the next back. Over real HTTP to the core (port 0, a real SQLite file); every caller here is 127.0.0.1,
// as every caller through the user's own proxy is.
import { afterEach, describe, expect, it } from 'vitest';
import { connect, type Socket } from 'node:net';
import type { EventPage } from '../../shared/types';
import { signMetaBody, startTestCore, type TestCore } from '../helpers/core';

let t: TestCore | null = null;
afterEach(async () => { await t?.close(); t = null; });

const SECRET = 'turns-app-secret';

/** A Meta status webhook padded past a webhook's usual size (64 KiB), with its own message id. */
function largeBody(id: string): Buffer {
  return Buffer.from(JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: 'WABA', changes: [{ field: 'messages', value: {
    messaging_product: 'whatsapp', metadata: { display_phone_number: '15550000000', phone_number_id: '100200300' },
    statuses: [{ id, status: 'sent', timestamp: '1700000000', recipient_id: '5511900001111', pad: 'p'.repeat(150_000) }],
  } }] }] }));
}

/** The order in which raw uploads got their first answer byte. */
let order = 0;

/** A raw upload: its head and the first `first` bytes of `body` sent now; `rest()` sends the others. */
function upload(url: string, body: Buffer, signature: string, first = body.length) {
  const u = new URL(url);
  let answer = '';
  let answeredAt = -1;
  const sock: Socket = connect(Number(u.port), u.hostname);
  const written = new Promise<void>((resolve) => {
    sock.write(`POST /meta HTTP/1.1\r\nHost: ${u.host}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nX-Hub-Signature-256: ${signature}\r\nConnection: close\r\n\r\n`);
    sock.write(body.subarray(0, first), () => resolve());
  });
  sock.on('data', (d) => { if (answeredAt < 0) answeredAt = order++; answer += d; });
  sock.on('error', () => undefined);
  return {
    written,
    rest: () => new Promise<void>((resolve) => sock.write(body.subarray(first), () => resolve())),
    status: () => (answer ? Number(answer.split(' ')[1]) : null),
    answeredAt: () => answeredAt,
    close: () => sock.destroy(),
  };
}
/** Makes 127.0.0.1 a source over its rejected-request limit (1 a minute): one 401 kept, then 429. */
async function overTheLimit(core: TestCore) {
  await core.call('settings:update', { rejectedPerMinute: 1 });
  expect((await core.postMeta('{"n":1}', 'not-the-secret')).status).toBe(401);
  expect((await core.postMeta('{"n":2}', 'not-the-secret')).status).toBe(429);
}

async function stored(core: TestCore, id: string): Promise<number> {
  return (await core.call<EventPage>('events:list', { q: id })).total;
}

describe('large uploads of a source over its limit', () => {
  it('are read in turns: a complete one waits for the one being read, a small webhook does not, and both large ones are answered', async () => {
    t = await startTestCore({ env: { metaAppSecrets: [SECRET] }, uploadTurns: { turnMs: 60_000, maxWaitMs: 60_000 } });
    await overTheLimit(t);
    for (const round of [1, 2]) {
      // A forgery half sent holds the turn (a minute here).
      const forged = largeBody(`wamid.F${round}`);
      const holder = upload(t.url, forged, signMetaBody(forged, 'not-the-secret'), 100_000);
      await holder.written;
      // A genuine large webhook sent whole meanwhile, and a genuine small one after it.
      const big = largeBody(`wamid.G${round}`);
      const genuine = upload(t.url, big, signMetaBody(big, SECRET));
      await genuine.written;
      const small = JSON.stringify({ object: 'whatsapp_business_account', entry: [] });
      expect((await t.postMeta(small, SECRET)).status).toBe(200);
      expect(genuine.status()).toBeNull();
      // The forgery completes: it is answered (over the limit: 429, not kept), then the genuine one is read.
      await holder.rest();
      await expect.poll(() => genuine.status(), { timeout: 20_000 }).toBe(200);
      expect(holder.status()).toBe(429);
      expect(genuine.answeredAt()).toBeGreaterThan(holder.answeredAt());
      expect(await stored(t, `wamid.G${round}`)).toBe(1);
      holder.close();
      genuine.close();
    }
  });

  it('a stalled one holds its turn only briefly: a genuine large webhook behind it is stored while it still hangs', async () => {
    t = await startTestCore({ env: { metaAppSecrets: [SECRET] } });
    await overTheLimit(t);
    for (const round of [1, 2]) {
      const forged = largeBody(`wamid.S${round}`);
      const stalled = upload(t.url, forged, signMetaBody(forged, 'not-the-secret'), 100_000);
      await stalled.written;
      const big = largeBody(`wamid.B${round}`);
      const genuine = upload(t.url, big, signMetaBody(big, SECRET));
      await expect.poll(() => genuine.status(), { timeout: 20_000 }).toBe(200);
      // Its own deadline (seconds) has not come: the stalled upload is still open and unanswered.
      expect(stalled.status()).toBeNull();
      expect(await stored(t, `wamid.B${round}`)).toBe(1);
      stalled.close();
      genuine.close();
    }
  });

  it('none waits for its turn more than a second: behind one holding the turn for a minute, a genuine large webhook is stored', async () => {
    t = await startTestCore({ env: { metaAppSecrets: [SECRET] }, uploadTurns: { turnMs: 60_000 } });
    await overTheLimit(t);
    for (const round of [1, 2]) {
      const forged = largeBody(`wamid.H${round}`);
      const holder = upload(t.url, forged, signMetaBody(forged, 'not-the-secret'), 100_000);
      await holder.written;
      const big = largeBody(`wamid.W${round}`);
      const genuine = upload(t.url, big, signMetaBody(big, SECRET));
      await expect.poll(() => genuine.status(), { timeout: 20_000 }).toBe(200);
      expect(holder.status()).toBeNull();
      expect(await stored(t, `wamid.W${round}`)).toBe(1);
      holder.close();
      genuine.close();
    }
  });
});
