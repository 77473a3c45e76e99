// The store computes a stored request's events with the deriver it is handed (store/event-deriver.ts),
// never with one of its own: what it derives, what a failed derivation is kept as, and the raw JSON the
// inspector and the export show all come from it. The composition roots hand it ingest's; here a stand-in
// that reads every body as one event of its own, over a real SQLite file.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type IngestRequest, type Store } from '../../electron/core/store/store';
import { eventDeriver } from '../../electron/core/ingest/derive-events';
import type { EventDeriver } from '../../electron/core/store/event-deriver';

let store: Store | null = null;
let dir: string | null = null;
afterEach(() => { store?.close(); store = null; if (dir) rmSync(dir, { recursive: true, force: true }); dir = null; });

/** Reads any body as one 'message' whose text is the body, and marks its blank events as its own. */
const standIn: EventDeriver = {
  eventsOfStored: (r) => [eventDeriver.blankEvent({ provider: r.provider, kind: 'message', text: `stand-in: ${r.body?.toString('utf8') ?? ''}`, raw: { seen: r.body?.toString('utf8') ?? null } })],
  blankEvent: (over) => eventDeriver.blankEvent({ ...over, errorTitle: 'stand-in blank' }),
};

function request(body: string): IngestRequest {
  return { receivedAt: Date.now(), method: 'POST', path: '/meta', query: '', headers: [['content-type', 'text/plain']], body: Buffer.from(body), provider: 'meta',
    responseStatus: 200, signature: 'unchecked', signatureDiagnosis: null, error: null, origin: 'network' };
}

describe('the store derives with the deriver it is handed', () => {
  it('events, failures and raw JSON come from it, for every request after the watermark (run twice)', () => {
    dir = mkdtempSync(join(tmpdir(), 'hookscope-store-deriver-'));
    store = openStore({ dataDir: dir, deriver: standIn });
    for (let round = 0; round < 2; round++) {
      // Not Meta JSON: ingest's deriver would read these as one 'unknown' event each.
      const [a, b] = store.appendRequests([request(`hello ${round}`), request(`bye ${round}`)]);
      const derived = store.deriveNext(1);
      expect(derived.map((d) => d.result.events.map((e) => [e.kind, e.text]))).toEqual([[['message', `stand-in: hello ${round}`]]]);
      // The next one fails: kept with the deriver's blank event.
      const failed = store.deriveFailed('broken on purpose');
      expect(failed?.request.id).toBe(b);
      expect(failed?.result.events).toEqual([expect.objectContaining({ kind: 'unknown', errorDetail: 'broken on purpose', errorTitle: 'stand-in blank' })]);
      expect(store.underived()).toBe(0);

      // The inspector's raw JSON is derived again from the stored bytes, by the same deriver.
      const page = store.listEvents({ limit: 10 });
      const first = page.items.find((e) => e.requestId === a)!;
      expect(store.getEvent(first.id)?.raw).toEqual({ seen: `hello ${round}` });
      const exported = [...store.iterateEvents({}, { withRaw: true })].find((e) => e.requestId === a);
      expect(exported?.raw).toEqual({ seen: `hello ${round}` });
    }
  });
});
