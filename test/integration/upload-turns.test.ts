// Large uploads take turns (electron/core/ingest/upload-turns.ts, docs/api.md "Trust boundary"): read one
// after another, none refused for it, small webhooks never waiting, and a stalled one, a long wait or a full
// line never holding a genuine webhook back. Over real HTTP to the core (port 0, a real SQLite file).
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
async function stored(core: TestCore, id: string): Promise<number> {
  return (await core.call<EventPage>('events:list', { q: id })).total;
}

describe('large uploads', () => {
  it('are read in turns: a complete one waits for the one being read, a small webhook does not, and both large ones are answered', async () => {
    t = await startTestCore({ env: { metaAppSecrets: [SECRET] }, uploadTurns: { turnMs: 60_000, maxWaitMs: 60_000 } });
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
      // The forgery completes: it is answered (401, kept in the rejected log), then the genuine one is read.
      await holder.rest();
      await expect.poll(() => genuine.status(), { timeout: 20_000 }).toBe(200);
      expect(holder.status()).toBe(401);
      expect(genuine.answeredAt()).toBeGreaterThan(holder.answeredAt());
      expect(await stored(t, `wamid.G${round}`)).toBe(1);
      holder.close();
      genuine.close();
    }
  });

  it('a stalled one holds its turn only briefly: a genuine large webhook behind it is stored while it still hangs', async () => {
    t = await startTestCore({ env: { metaAppSecrets: [SECRET] }, uploadTurns: { maxWaitMs: 60_000 } });
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

  it('past the most that may wait, the next one is read at once: a genuine large webhook is stored while the others still wait', async () => {
    for (const round of [1, 2]) {
      // A core of its own each round: the last round's uploads, closing, must not be the ones in the line.
      await t?.close();
      t = await startTestCore({ env: { metaAppSecrets: [SECRET] }, uploadTurns: { turnMs: 60_000, maxWaitMs: 60_000, maxWaiting: 1 } });
      const forged = largeBody(`wamid.M${round}`);
      const holder = upload(t.url, forged, signMetaBody(forged, 'not-the-secret'), 100_000);
      await holder.written;
      const queued = upload(t.url, forged, signMetaBody(forged, 'not-the-secret'));
      await queued.written;
      // A small webhook answered after it: the waiting one's head was read by then (it never waits itself).
      expect((await t.postMeta(JSON.stringify({ object: 'whatsapp_business_account', entry: [] }), SECRET)).status).toBe(200);
      const big = largeBody(`wamid.N${round}`);
      const genuine = upload(t.url, big, signMetaBody(big, SECRET));
      await expect.poll(() => genuine.status(), { timeout: 20_000 }).toBe(200);
      expect(holder.status()).toBeNull();
      expect(queued.status()).toBeNull();
      expect(await stored(t, `wamid.N${round}`)).toBe(1);
      for (const u of [holder, queued, genuine]) u.close();
    }
  });

  it('none waits for its turn more than a second: behind one holding the turn for a minute, a genuine large webhook is stored', async () => {
    t = await startTestCore({ env: { metaAppSecrets: [SECRET] }, uploadTurns: { turnMs: 60_000 } });
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
