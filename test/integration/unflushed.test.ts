// A request is committed before its flush (store/wal-sync.ts) and answered after it. Between the two it is
// in the table but not answered: a reader catching up (the control API, a rules tick) must not derive it
// then — it would be derived without its acknowledgement time, and its forwards and rules would start
// before it is on disk. Over a real SQLite file, with the flush held by the test.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type IngestRecord, type IngestRequest, type Store } from '../../electron/core/store/store';
import { eventDeriver } from '../../electron/core/ingest/derive-events';
import { createDeriver } from '../../electron/core/ingest/deriver';
import { createWriter } from '../../electron/core/ingest/writer';

let store: Store | null = null;
let dir: string | null = null;
afterEach(() => { store?.close(); store = null; if (dir) rmSync(dir, { recursive: true, force: true }); dir = null; });

function record(id: string): IngestRecord {
  const body = JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: 'W', changes: [{ field: 'messages', value: {
    messaging_product: 'whatsapp', metadata: { display_phone_number: '15550001111', phone_number_id: '1' },
    statuses: [{ id, status: 'delivered', timestamp: '1700000000', recipient_id: '5511999990000' }] } }] }] });
  const request: IngestRequest = { receivedAt: Date.now(), method: 'POST', path: '/meta', query: '', headers: [['content-type', 'application/json']],
    body: Buffer.from(body), provider: 'meta', responseStatus: 200, signature: 'valid', signatureDiagnosis: null, error: null, origin: 'network' };
  return { request, events: eventDeriver.eventsOfStored(request) };
}

describe('requests committed and not yet flushed', () => {
  it('are left underived by a reader catching up, and derived with their acknowledgement time once answered (twice)', async () => {
    dir = mkdtempSync(join(tmpdir(), 'hookscope-unflushed-'));
    store = openStore({ dataDir: dir, deriver: eventDeriver });
    const s = store;
    const held: (() => void)[] = [];
    const sync = { barrier: () => new Promise<void>((r) => held.push(r)), now: () => {} };
    const deriver = createDeriver({ store: s, logger: { debug() {}, info() {}, warn() {}, error() {} }, onDerived: () => {} });
    const writer = createWriter(s, {
      sync,
      onCommitted: (c) => { for (const x of c) deriver.known(x.requestId, x.record); deriver.kick(); },
      onUnflushed: (id) => deriver.unflushedFrom(id),
    });
    for (const round of [1, 2]) {
      const r = record(`wamid.UNFLUSHED${round}`);
      const answered = writer.submit(r).then((a) => { r.request.ackMs = 1.5 * round; return a; });
      await expect.poll(() => held.length).toBe(round);
      // Committed, its flush on its way: in the table, not answered, and a reader catching up leaves it.
      expect(s.underived()).toBe(1);
      deriver.catchUp();
      expect(s.underived()).toBe(1);
      expect(s.listEvents({ q: `UNFLUSHED${round}` }).items).toHaveLength(0);
      held[round - 1]();
      const { requestId } = await answered;
      deriver.catchUp();
      expect(s.underived()).toBe(0);
      const [e] = s.listEvents({ q: `UNFLUSHED${round}` }).items;
      expect(e.requestId).toBe(requestId);
      expect(e.ackMs).toBe(1.5 * round);
    }
    deriver.stop();
    await writer.close();
  });
});
