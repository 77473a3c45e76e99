// One request whose events cannot be derived must not hold back the ones after it: it is kept with one
// 'unknown' event saying why, and derivation moves on (electron/core/ingest/deriver.ts).
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type DerivedRequest, type IngestRequest, type Store } from '../../electron/core/store/store';
import { eventDeriver } from '../../electron/core/ingest/derive-events';
import { createDeriver } from '../../electron/core/ingest/deriver';
import { silentLogger } from '../../electron/core/types';

let store: Store | null = null;
let dir: string | null = null;
afterEach(() => { store?.close(); store = null; if (dir) rmSync(dir, { recursive: true, force: true }); dir = null; });

function status(id: string): IngestRequest {
  const body = Buffer.from(JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: 'W', changes: [{ field: 'messages', value: {
    messaging_product: 'whatsapp', metadata: { phone_number_id: '1' }, statuses: [{ id, status: 'sent', timestamp: '1700000000', recipient_id: '5511900000000' }] } }] }] }));
  return { receivedAt: Date.now(), method: 'POST', path: '/meta', query: '', headers: [['content-type', 'application/json']], body, provider: 'meta',
    responseStatus: 200, signature: 'unchecked', signatureDiagnosis: null, error: null, origin: 'network' };
}

describe('a request that cannot be derived', () => {
  it('is kept with an unknown event saying why; the requests after it get their events, in order, each once (run twice)', () => {
    dir = mkdtempSync(join(tmpdir(), 'hookscope-poison-'));
    store = openStore({ dataDir: dir, deriver: eventDeriver });
    for (let round = 0; round < 2; round++) {
      const ids = store.appendRequests(['a', 'b', 'c', 'd'].map((x) => status(`wamid.${round}${x}`)));
      // A damaged row: its headers no longer parse (what a torn or hand-edited file could leave).
      store.db.prepare("UPDATE requests SET headers = '[not json' WHERE id = ?").run(ids[1]);
      const seen: DerivedRequest[] = [];
      const d = createDeriver({ store, logger: silentLogger, onDerived: (items) => seen.push(...items) });
      d.catchUp();
      d.stop();
      expect(seen.map((x) => x.request.id)).toEqual(ids);
      expect(seen.map((x) => x.failed ?? false)).toEqual([false, true, false, false]);
      expect(seen[1].result.events).toHaveLength(1);
      expect(seen[1].result.events[0]).toMatchObject({ kind: 'unknown' });
      expect(seen[1].result.events[0].errorDetail).toMatch(/could not be derived/);
      expect(seen.filter((x) => !x.failed).map((x) => x.result.events[0].messageId)).toEqual(['a', 'c', 'd'].map((x) => `wamid.${round}${x}`));
      expect(store.underived()).toBe(0);
      // Nothing is derived twice.
      expect(store.deriveNext(100)).toEqual([]);
      expect(store.db.prepare('SELECT COUNT(*) FROM events WHERE request_id IN (SELECT value FROM json_each(?))').pluck().get(JSON.stringify(ids))).toBe(4);
    }
  });
});
