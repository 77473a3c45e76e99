// Every reader of a request's bytes on a running core, before and after its row is packed
// (electron/core/store/pack.ts): the NDJSON export's raw JSON, the HAR export's bodies, "Copy as cURL",
// a replay and Forget must give the same answers either way.
import { afterEach, describe, expect, it } from 'vitest';
import type { EventPage, ReplayResult } from '../../shared/types';
import { fixture } from '../helpers/fixtures';
import { startTestCore, type TestCore } from '../helpers/core';
import { BRUNO, CARLA, metaMessage } from '../helpers/people';
import { openStoreFile } from '../helpers/store-file';

let t: TestCore | null = null;
afterEach(async () => { await t?.close(); t = null; });

const collect = (chunks: Iterable<string>) => { let s = ''; for (const c of chunks) s += c; return s; };

function packedCount(dataDir: string): number {
  const db = openStoreFile(dataDir, { readonly: true });
  try { return db.prepare('SELECT COUNT(*) FROM requests WHERE packed <> 0').pluck().get() as number; } finally { db.close(); }
}

describe('readers of packed requests on a running core', () => {
  it('exports, cURL, replay and forget read packed rows exactly as they read plain ones', async () => {
    t = await startTestCore();
    const bodies = [fixture('meta/batch-mixed.json'), Buffer.from(metaMessage(BRUNO, 'wamid.BRU1', { p: CARLA, id: 'wamid.CAR2' }))];
    for (const b of bodies) expect((await t.post('/meta', b)).status).toBe(200);
    const read = () => {
      const tools = t!.core.tools!;
      const ndjson = collect(tools.exportStream('ndjson', {}).chunks).trimEnd().split('\n').map((l) => JSON.parse(l) as { id: number; raw: unknown });
      const har = JSON.parse(collect(tools.exportStream('har', {}).chunks)) as { log: { entries: { request: { postData?: { text: string } } }[] } };
      const ids = [...new Set(ndjson.map((e) => (e as unknown as { requestId: number }).requestId))].sort((a, b) => a - b);
      return { ndjson, har: har.log.entries.map((e) => e.request.postData?.text), curl: ids.map((id) => tools.curl(id)) };
    };
    const plain = read();
    expect(plain.har).toEqual(bodies.map((b) => b.toString('utf8')));
    expect(plain.ndjson.every((e) => e.raw != null)).toBe(true);

    // Bounded by the test's timeout: packing starts after half a second without derivations.
    while (packedCount(t.dataDir) < bodies.length) await new Promise((r) => setTimeout(r, 100));
    expect(read()).toEqual(plain);

    // A replay of a packed request is stored again with the very same bytes.
    const first = (await t.call<EventPage>('events:list', { limit: 100 })).items.at(-1)!;
    const replay = await t.call<ReplayResult>('replay:send', { requestId: first.requestId });
    expect(replay.status).toBe(200);
    const newest = (await t.call<EventPage>('events:list', { limit: 1 })).items[0];
    expect(newest.requestId).toBe(replay.requestId);
    const again = await t.call<{ request: { body: string } }>('events:get', { id: newest.id });
    expect(again.request.body).toBe(bodies[0].toString('utf8'));

    // Forget on the packed batch: Carla is cut out, Bruno's message and its raw JSON stay.
    const r = await t.call<{ requestsEdited: number }>('contacts:forget', { contactId: CARLA.number });
    expect(r.requestsEdited).toBe(1);
    const bruno = (await t.call<EventPage>('events:list', { messageId: 'wamid.BRU1' })).items[0];
    const detail = await t.call<{ raw: { text?: { body?: string } }; request: { body: string } }>('events:get', { id: bruno.id });
    expect(detail.request.body).not.toContain(CARLA.number);
    expect(detail.request.body).not.toContain(CARLA.words);
    expect(detail.raw.text?.body).toBe(`${BRUNO.words} from ${BRUNO.name}, call me on +${BRUNO.number}`);
  });
});
