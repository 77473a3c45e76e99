// Derived requests are packed (electron/core/store/pack.ts): headers and body in one deflate stream. Whatever
// reads a request afterwards — the inspector, export, replay, forget — must get the very bytes received.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, PACK_SCAN_KEY, type IngestRequest, type Store } from '../../electron/core/store/store';
import { PACK_MIN_BYTES, PACKED, PACKED_V1, pack, requestBytes, unpack } from '../../electron/core/store/pack';
import { forgetContact } from '../../electron/core/store/forget';
import { eventDeriver, eventsOf } from '../../electron/core/ingest/derive-events';
import { fixture, fixtureNames } from '../helpers/fixtures';
import { startTestCore, type TestCore } from '../helpers/core';
import type { EventDetail, EventPage } from '../../shared/types';
import { openStoreFile } from '../helpers/store-file';

let store: Store | null = null;
let dir: string | null = null;
let t: TestCore | null = null;
afterEach(async () => {
  store?.close(); store = null;
  if (dir) rmSync(dir, { recursive: true, force: true }); dir = null;
  await t?.close(); t = null;
});

function request(path: string, body: Buffer, contentType: string): IngestRequest {
  return {
    receivedAt: 1_700_000_000_000, method: 'POST', path, query: '', provider: path === '/meta' ? 'meta' : 'twilio',
    headers: [['host', 'hooks.example.test'], ['content-type', contentType], ['content-length', String(body.length)], ['x-hub-signature-256', 'sha256=00']],
    body, responseStatus: 200, signature: 'unchecked', signatureDiagnosis: null, error: null, origin: 'network',
  };
}

describe('packed requests', () => {
  it('pack → unpack gives back every byte, including a missing body and non-UTF-8 bytes', () => {
    for (const body of [null, Buffer.alloc(0), Buffer.from([0xff, 0xfe, 0x00, 0x80]), fixture('meta/batch-mixed.json')]) {
      const headers = JSON.stringify([['content-type', 'application/json'], ['x', 'é']]);
      const back = unpack(pack(headers, body));
      expect(back.headers).toBe(headers);
      expect(back.body === null ? null : Buffer.compare(back.body, body!)).toBe(body === null ? null : 0);
    }
  });

  it('rows packed with the first dictionary read back byte for byte; the newer one packs Meta statuses smaller', () => {
    const headers = JSON.stringify([['content-type', 'application/json'], ['user-agent', 'facebookexternalua'], ['x-hub-signature-256', `sha256=${'ab'.repeat(32)}`]]);
    let v1 = 0;
    let now = 0;
    for (const name of [...fixtureNames('meta'), ...fixtureNames('twilio')]) {
      const body = fixture(name);
      const old = pack(headers, body, PACKED_V1);
      const back = requestBytes({ headers: '', body: old, packed: PACKED_V1 });
      expect(back.headers).toBe(headers);
      expect(Buffer.compare(back.body!, body)).toBe(0);
      if (name.startsWith('meta/status-')) { v1 += old.length; now += pack(headers, body).length; }
    }
    expect(now).toBeGreaterThan(0);
    expect(now).toBeLessThan(v1);
  });

  it('every stored fixture reads back byte for byte once packed, with the same events and raw JSON, in far fewer bytes', () => {
    dir = mkdtempSync(join(tmpdir(), 'hookscope-pack-'));
    store = openStore({ dataDir: dir, deriver: eventDeriver });
    const names = [...fixtureNames('meta'), ...fixtureNames('twilio')];
    const reqs = names.map((n) => n.startsWith('meta/') ? request('/meta', fixture(n), 'application/json') : request('/twilio', fixture(n), n.endsWith('.json') ? 'application/json' : 'application/x-www-form-urlencoded'));
    const ids = store.appendRequests(reqs);
    while (store.deriveNext(1000).length > 0) { /* all */ }
    const rawBefore = ids.map((id) => store!.db.prepare('SELECT id FROM events WHERE request_id = ? ORDER BY id').pluck().all(id).map((e) => store!.getEvent(e as number)!.raw));
    const plainBytes = store.db.prepare('SELECT SUM(LENGTH(headers) + LENGTH(body)) FROM requests').pluck().get() as number;
    while (store.packNext(50) > 0) { /* all */ }
    expect(store.db.prepare('SELECT COUNT(*) FROM requests WHERE packed = 0').pluck().get()).toBe(0);
    const packedBytes = store.db.prepare('SELECT SUM(LENGTH(headers) + LENGTH(body)) FROM requests').pluck().get() as number;
    expect(packedBytes).toBeLessThan(plainBytes * 0.6);
    ids.forEach((id, i) => {
      const r = store!.getRequest(id)!;
      expect(Buffer.compare(r.bodyBytes, reqs[i].body!)).toBe(0);
      expect(r.headers).toEqual(reqs[i].headers);
      expect(r.bodySize).toBe(reqs[i].body!.length);
      const evIds = store!.db.prepare('SELECT id FROM events WHERE request_id = ? ORDER BY id').pluck().all(id) as number[];
      expect(evIds.length).toBe(eventsOf(reqs[i]).length);
      expect(evIds.map((e) => store!.getEvent(e)!.raw)).toEqual(rawBefore[i]);
    });
    // Packing again finds nothing; a second pass over the same rows changes nothing.
    expect(store.packNext(50)).toBe(0);
  });

  it('on a split store the scan mark is committed only after the packed rows: a crash between the two files never leaves it ahead of unpacked rows — twice', () => {
    dir = mkdtempSync(join(tmpdir(), 'hookscope-pack-'));
    store = openStore({ dataDir: dir, deriver: eventDeriver });
    expect(store.split).toBe(true);
    // Each time the mark is written, a second connection reads what the log file has committed then: a
    // kill -9 at that moment leaves exactly that on disk.
    const reader = openStoreFile(dir, { readonly: true });
    const ahead: number[] = [];
    store.db.function('mark_written', (through: unknown) => {
      ahead.push(reader.prepare(`SELECT COUNT(*) FROM requests WHERE packed = 0 AND id <= ? AND LENGTH(headers) + LENGTH(body) >= ${PACK_MIN_BYTES}`).pluck().get(Number(through)) as number);
      return null;
    });
    store.db.exec(`CREATE TEMP TRIGGER mark_ins AFTER INSERT ON main.kv WHEN new.key = '${PACK_SCAN_KEY}' BEGIN SELECT mark_written(new.value); END;
      CREATE TEMP TRIGGER mark_upd AFTER UPDATE ON main.kv WHEN new.key = '${PACK_SCAN_KEY}' BEGIN SELECT mark_written(new.value); END;`);
    try {
      for (let round = 0; round < 2; round++) {
        store.appendRequests(fixtureNames('meta').slice(0, 6).map((n) => request('/meta', fixture(n), 'application/json')));
        while (store.deriveNext(1000).length > 0) { /* all */ }
        while (store.packNext(4) > 0) { /* all */ }
      }
      expect(ahead.length).toBeGreaterThanOrEqual(4);
      expect(ahead.every((n) => n === 0)).toBe(true);
      expect(store.db.prepare('SELECT COUNT(*) FROM requests WHERE packed = 0').pluck().get()).toBe(0);
    } finally {
      reader.close();
    }
  });

  it('forget finds the number in packed contact-less bodies, and edits packed batches back to plain', () => {
    dir = mkdtempSync(join(tmpdir(), 'hookscope-pack-'));
    store = openStore({ dataDir: dir, deriver: eventDeriver });
    const who = '5511987650001';
    const other = '5511987650002';
    const batch = JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: 'W', changes: [{ field: 'messages', value: {
      messaging_product: 'whatsapp', metadata: { display_phone_number: '1555', phone_number_id: '1' },
      contacts: [{ profile: { name: 'Ana' }, wa_id: who }, { profile: { name: 'Bia' }, wa_id: other }],
      messages: [
        { from: who, id: 'wamid.A1', timestamp: '1700000000', type: 'text', text: { body: 'hello from Ana' } },
        { from: other, id: 'wamid.B1', timestamp: '1700000001', type: 'text', text: { body: 'hello from Bia' } },
      ] } }] }] });
    const junk = `{"note": "call me on ${who} please", "padding": "${'x'.repeat(300)}"}`;
    const [batchId, junkId] = store.appendRequests([request('/meta', Buffer.from(batch), 'application/json'), request('/meta', Buffer.from(junk), 'application/json')]);
    while (store.deriveNext(100).length > 0) { /* all */ }
    while (store.packNext(50) > 0) { /* all */ }
    expect(store.db.prepare('SELECT packed FROM requests ORDER BY id').pluck().all()).toEqual([PACKED, PACKED]);
    const r = forgetContact(store.db, who);
    expect(r).toMatchObject({ requests: 1, requestsEdited: 1 });
    expect(store.getRequest(junkId)).toBeNull();
    const edited = store.getRequest(batchId)!;
    expect(edited.body).not.toContain(who);
    expect(edited.body).toContain('hello from Bia');
    expect(edited.headers).toEqual(request('/meta', Buffer.from(batch), 'application/json').headers);
    expect(store.db.prepare('SELECT packed FROM requests WHERE id = ?').pluck().get(batchId)).toBe(0);
    const left = store.db.prepare('SELECT id FROM events WHERE request_id = ?').pluck().all(batchId) as number[];
    expect(left.map((id) => (store!.getEvent(id)!.raw as { text?: { body?: string } })?.text?.body)).toEqual(['hello from Bia']);
  });

  it('a running core packs derived requests once the receiver is idle; the inspector still shows the exact body', async () => {
    t = await startTestCore();
    const body = fixture('meta/batch-mixed.json');
    expect((await t.post('/meta', body)).status).toBe(200);
    const page = await t.call<EventPage>('events:list', { limit: 10 });
    const id = page.items[0].requestId;
    const packed = () => {
      const db = openStoreFile(t!.dataDir, { readonly: true });
      try { return db.prepare('SELECT packed FROM requests WHERE id = ?').pluck().get(id) as number; } finally { db.close(); }
    };
    // Bounded by the test's timeout: packing starts after half a second of quiet.
    while (packed() !== PACKED) await new Promise((r) => setTimeout(r, 100));
    const ev = await t.call<EventDetail>('events:get', { id: page.items[0].id });
    expect(ev.request.body).toBe(body.toString('utf8'));
  });
});
