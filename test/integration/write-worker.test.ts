// The ingest transaction in a worker thread (electron/core/ingest/writer.ts, createWorkerWriter): the bundled
// worker (dist-electron/, built before vitest by `npm test`) over a write connection of its own, in-process
// and through `serve`. The writer's contract must hold as inline: a 200 only after the commit holding it,
// duplicates detected within and across batches, a poisoned record isolated, results back for pushes.
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { EventPage, HookEvent } from '../../shared/types';
import { startTestCore, signMetaBody, type TestCore } from '../helpers/core';
import { burstThenKill, startServe, type ServeProcess } from '../helpers/serve';
import { openStore, type IngestRecord, type Store } from '../../electron/core/store/store';
import { createWorkerWriter } from '../../electron/core/ingest/writer';
import { blankEvent } from '../../electron/core/ingest/receiver';
import { silentLogger } from '../../electron/core/types';

const WORKER = resolve(__dirname, '../../dist-electron/write-worker.mjs');

let t: TestCore | null = null;
let s: ServeProcess | null = null;
let store: Store | null = null;
afterEach(async () => {
  await t?.close(); t = null;
  await s?.stop('SIGKILL'); s = null;
  store?.close(); store = null;
});

function status(id: string, st: string) {
  return JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: 'W', changes: [{ field: 'messages', value: {
    messaging_product: 'whatsapp', metadata: { display_phone_number: '1555', phone_number_id: '1' },
    statuses: [{ id, status: st, timestamp: '1700000001', recipient_id: '5511999990000' }],
  } }] }] });
}

function record(path: string, over: Partial<IngestRecord['request']> = {}, raw: unknown = { ok: true }): IngestRecord {
  return {
    request: { receivedAt: Date.now(), method: 'POST', path, query: '', headers: [['content-type', 'application/json']], body: Buffer.from(`{"p":"${path}"}`),
      provider: 'meta', responseStatus: 200, signature: 'unchecked', signatureDiagnosis: null, error: null, origin: 'network', ...over },
    events: [blankEvent({ provider: 'meta', kind: 'status', status: 'sent', messageId: `wamid.${path}`, raw })],
  };
}

describe.skipIf(!existsSync(WORKER))('write worker', () => {
  it('answers 200 only for committed records, flags duplicates within and across batches, and pushes the stored events', async () => {
    const log: string[] = [];
    const logger = { ...silentLogger, debug: (m: string) => log.push(m), warn: (m: string) => log.push(m) };
    const dir = mkdtempSync(join(tmpdir(), 'hookscope-ww-'));
    t = await startTestCore({ dataDir: dir, writeWorker: WORKER, readWorker: 'off', logger });
    expect(log).toContain('ingest transactions run in a worker thread');
    const pushed: HookEvent[] = [];
    t.core.on('events:appended', (evs) => pushed.push(...evs));
    // A burst: the same status twice in it (one batch), then again later (another batch).
    const burst = await Promise.all(Array.from({ length: 40 }, (_, i) => t!.post('/meta', status(`wamid.${i % 20}`, 'sent'))));
    expect(burst.map((r) => r.status)).toEqual(Array(40).fill(200));
    expect((await t.post('/meta', status('wamid.3', 'sent'))).status).toBe(200);
    // Read-after-write on the main connection: everything answered 200 is there.
    const page = await t.call<EventPage>('events:list', { limit: 1000 });
    expect(page.total).toBe(41);
    expect(page.items.filter((e) => e.duplicate)).toHaveLength(21);
    expect(page.items.filter((e) => !e.duplicate).map((e) => e.messageId).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `wamid.${i}`).sort());
    // Pushes leave in batches shortly after: wait for them (bounded by the test's timeout), never a fixed sleep.
    while (pushed.length < page.items.length) await new Promise((r) => setTimeout(r, 10));
    expect(pushed.map((e) => e.id).sort((a, b) => a - b)).toEqual(page.items.map((e) => e.id).sort((a, b) => a - b));
    expect(log).not.toContain('write worker stopped; ingest now runs on the main thread');
    await t.close(); t = null;
    store = openStore({ dataDir: dir });
    expect(store.counts().events).toBe(41);
  });

  it('isolates a poisoned record in the worker, writes an uncloneable one inline, and keeps the order of ids', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'hookscope-ww-'));
    store = openStore({ dataDir });
    const w = createWorkerWriter({ workerFile: WORKER, dataDir, fallback: store, logger: silentLogger });
    // method NULL violates NOT NULL inside the worker's transaction: only that record fails.
    const out = await Promise.allSettled([w.submit(record('a')), w.submit(record('bad', { method: null as unknown as string })), w.submit(record('c'))]);
    expect(out.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((out[1] as PromiseRejectedResult).reason.message).toMatch(/NOT NULL/);
    const ok = out.filter((o): o is PromiseFulfilledResult<Awaited<ReturnType<typeof w.submit>>> => o.status === 'fulfilled').map((o) => o.value);
    expect(ok[1].requestId).toBeGreaterThan(ok[0].requestId);
    // A function cannot be cloned to the worker: that batch runs on the main connection instead.
    const fn = await w.submit(record('fn', {}, { f: () => 1 }));
    expect(fn.requestId).toBeGreaterThan(ok[1].requestId);
    const again = await w.submit(record('a'));
    expect(w.where()).toBe('worker');
    await w.close();
    expect(store.counts().requests).toBe(4);
    // The worker commits request rows; their events are derived after (deriver.ts), duplicates flagged there.
    const known = new Map([ok[0].requestId, ok[1].requestId, fn.requestId, again.requestId].map((id, i) => [id, record(['a', 'c', 'fn', 'a'][i])]));
    const derived = store.deriveNext(100, known);
    expect(derived.map((d) => d.result.events[0].messageId)).toEqual(['wamid.a', 'wamid.c', 'wamid.fn', 'wamid.a']);
    expect(derived.map((d) => d.result.events[0].duplicate)).toEqual([false, false, false, true]);
  });

  it('falls back inline, losing nothing, when the worker cannot start', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'hookscope-ww-'));
    store = openStore({ dataDir });
    const warned: string[] = [];
    const w = createWorkerWriter({ workerFile: join(dataDir, 'no-such-worker.mjs'), dataDir, fallback: store, logger: { ...silentLogger, warn: (m) => warned.push(m) } });
    const results = await Promise.all([w.submit(record('x')), w.submit(record('y'))]);
    expect(results.map((r) => r.requestId)).toEqual([1, 2]);
    expect(w.where()).toBe('inline');
    expect(warned).toEqual(['write worker stopped; ingest now runs on the main thread']);
    expect((await w.submit(record('z'))).requestId).toBe(3);
    await w.close();
  });

  it('under serve: SIGTERM commits, closes and exits 0; SIGKILL during a burst loses nothing answered 200', async () => {
    const secret = 'burst-secret';
    const env = { META_APP_SECRET: secret, HOOKSCOPE_WRITE_WORKER: 'on', HOOKSCOPE_DEBUG: '1' };
    s = await startServe([], env);
    expect(s.stderr()).toMatch(/ingest transactions run in a worker thread/);
    const dir = s.dataDir;
    const post = (body: string) => fetch(`${s!.receiverUrl}/meta`, { method: 'POST', body, headers: { 'x-hub-signature-256': signMetaBody(body, secret) } });
    const first = await Promise.all(Array.from({ length: 50 }, (_, i) => post(status(`wamid.T${i}`, 'sent'))));
    expect(first.every((r) => r.status === 200)).toBe(true);
    expect(await s.stop('SIGTERM')).toBe(0);
    expect(s.stderr()).not.toMatch(/write worker stopped/);

    s = await startServe([], env, dir);
    expect((await s.api<EventPage>('/api/events?limit=1')).body.total).toBe(50);
    const acked = await burstThenKill(s, (body) => signMetaBody(body, secret));
    store = openStore({ dataDir: dir });
    // What the next start does first: derive the requests the kill left underived (deriver.ts).
    while (store.deriveNext(5000).length > 0) { /* the whole backlog */ }
    const stored = new Set(store.db.prepare('SELECT message_id FROM events').pluck().all() as string[]);
    expect([...acked].filter((id) => !stored.has(id))).toEqual([]);
    expect(stored.size).toBeGreaterThanOrEqual(350);
  });
});
