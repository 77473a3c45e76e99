// The acknowledgement waits for the request row only; events are derived from it right after. These tests
// kill the real serve process with SIGKILL and check, after a restart, that every acknowledged webhook has
// its events — exactly once — however far derivation had got.
import { afterEach, describe, expect, it } from 'vitest';
import type { EventPage } from '../../shared/types';
import { signMetaBody } from '../helpers/core';
import { HEADLESS, burstThenKill, startServe, type ServeProcess } from '../helpers/serve';
import { built } from '../helpers/build';
import { openStoreFile } from '../helpers/store-file';

const SECRET = 'derive-secret';
let s: ServeProcess | null = null;
afterEach(async () => { await s?.stop('SIGKILL'); s = null; });

function status(id: string, st: string) {
  return JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: 'W', changes: [{ field: 'messages', value: {
    messaging_product: 'whatsapp', metadata: { display_phone_number: '1555', phone_number_id: '1' },
    statuses: [{ id, status: st, timestamp: '1700000001', recipient_id: '5511999990000' }],
  } }] }] });
}

/** What is on disk, read beside (not through) Hookscope. */
function onDisk(dataDir: string) {
  const db = openStoreFile(dataDir, { readonly: true });
  try {
    return {
      requests: db.prepare('SELECT COUNT(*) FROM requests').pluck().get() as number,
      events: db.prepare('SELECT COUNT(*) FROM events').pluck().get() as number,
      derivedThrough: Number(db.prepare("SELECT value FROM kv WHERE key = 'derived_through'").pluck().get() ?? 0),
      maxRequest: (db.prepare('SELECT MAX(id) FROM requests').pluck().get() as number | null) ?? 0,
      // Requests with no events, or with more than their one status event: both would be a derivation bug.
      perRequest: db.prepare('SELECT r.id, COUNT(e.id) AS n FROM requests r LEFT JOIN events e ON e.request_id = r.id GROUP BY r.id HAVING n <> 1').all() as { id: number; n: number }[],
      messageIds: db.prepare('SELECT message_id FROM events').pluck().all() as string[],
    };
  } finally {
    db.close();
  }
}

const env = { META_APP_SECRET: SECRET };
const post = (url: string, body: string) => fetch(`${url}/meta`, { method: 'POST', body, headers: { 'x-hub-signature-256': signMetaBody(body, SECRET) } });

describe.skipIf(!built('derivation after a crash', HEADLESS))('derivation after a crash', () => {
  it('acknowledged but underived webhooks get their events at the next start, exactly once (twice over)', async () => {
    // Derivation held back: the 200s come from the request rows alone.
    s = await startServe([], { ...env, HOOKSCOPE_DERIVE: 'hold' });
    const dir = s.dataDir;
    const ids = Array.from({ length: 120 }, (_, i) => `wamid.H${i}`);
    const answers = await Promise.all(ids.map((id) => post(s!.receiverUrl, status(id, 'delivered'))));
    expect(answers.map((r) => r.status)).toEqual(ids.map(() => 200));
    // A retry of the first one, acknowledged too: it must come out as a duplicate, not vanish.
    expect((await post(s.receiverUrl, status(ids[0], 'delivered'))).status).toBe(200);
    await s.stop('SIGKILL');
    s = null;
    const killed = onDisk(dir);
    expect(killed.requests).toBe(121);
    expect(killed.events).toBe(0);

    for (let round = 0; round < 2; round++) {
      s = await startServe([], env, dir);
      const page = (await s.api<EventPage>('/api/events?limit=1000')).body;
      expect(page.total).toBe(121);
      expect(new Set(page.items.map((e) => e.messageId))).toEqual(new Set(ids));
      expect(page.items.filter((e) => e.duplicate).map((e) => e.messageId)).toEqual([ids[0]]);
      expect(await s.stop('SIGKILL')).not.toBe(0);
      s = null;
      const after = onDisk(dir);
      expect(after.perRequest).toEqual([]);
      expect(after.events).toBe(121);
      expect(after.derivedThrough).toBe(after.maxRequest);
    }
  });

  it('SIGKILL in the middle of a burst: after a restart every acknowledged webhook has its events, none twice', async () => {
    s = await startServe([], env);
    const dir = s.dataDir;
    const acked = await burstThenKill(s, (body) => signMetaBody(body, SECRET), 400);
    s = null;
    const killed = onDisk(dir);
    // Every 200 had its request row on disk, derived or not.
    expect(killed.requests).toBeGreaterThanOrEqual(acked.size);

    s = await startServe([], env, dir);
    const total = (await s.api<EventPage>('/api/events?limit=1')).body.total;
    // SIGTERM: finishes what was accepted, closes the database, exits 0.
    expect(await s.stop('SIGTERM')).toBe(0);
    s = null;
    const after = onDisk(dir);
    expect(after.perRequest).toEqual([]);
    expect(total).toBe(after.requests);
    const stored = new Set(after.messageIds);
    expect([...acked].filter((id) => !stored.has(id))).toEqual([]);
    expect(after.messageIds.length).toBe(stored.size);
  });
});
