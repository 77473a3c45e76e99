// Derivation on a worker thread (HOOKSCOPE_DERIVE=worker; electron/core/ingest/worker-deriver.ts): a read
// right after a 200 still sees the webhook's events (the reader waits for the worker), and what a derived
// request sets off (its forward) happens exactly once even when a crash fell between the worker's derive
// transaction and the effects transaction of the receiver's thread — whichever mode the next start uses.
import { afterEach, describe, expect, it } from 'vitest';
import { join, resolve } from 'node:path';
import type { EventPage } from '../../shared/types';
import { signMetaBody, startTestCore, type TestCore } from '../helpers/core';
import { HEADLESS, postSignedMeta, startServe, type ServeProcess } from '../helpers/serve';
import { built } from '../helpers/build';
import { sentStatusBody, startForwardCounter, type ForwardCounter } from '../helpers/forward-counter';
import { openStoreFile, singleFileStore } from '../helpers/store-file';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { EFFECTS_KEY } from '../../electron/core/ingest/worker-deriver';

const SECRET = 'worker-secret';
const WORKER = resolve(__dirname, '../../dist-electron/derive-worker.mjs');
const env = { META_APP_SECRET: SECRET, HOOKSCOPE_DERIVE: 'worker' };

const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);

let core: TestCore | null = null;
let s: ServeProcess | null = null;
let handler: ForwardCounter | null = null;
afterEach(async () => {
  await core?.close(); core = null;
  await s?.stop('SIGKILL'); s = null;
  await handler?.close(); handler = null;
});

describe.skipIf(!built('derivation on a worker thread', WORKER) || !built('derivation on a worker thread', HEADLESS))('derivation on a worker thread', () => {
  it('\'auto\' derives on the worker for a new store (its request log in a file of its own), a single-file store in the receiver\'s thread', async () => {
    // 'default': a new store with no choice made derives in the receiver's thread (the worker stays opt-in).
    for (const layout of ['split', 'single', 'default', 'split', 'single', 'default'] as const) {
      const dir = mkdtempSync(join(tmpdir(), 'hookscope-derive-auto-'));
      try {
        if (layout === 'single') singleFileStore(dir);
        core = await startTestCore({ dataDir: dir, derive: layout === 'default' ? undefined : 'auto', deriveWorker: WORKER, env: { metaAppSecrets: [SECRET] } });
        expect((await core.postMeta(sentStatusBody('wamid.AUTO1'), SECRET)).status).toBe(200);
        expect((await core.call<EventPage>('events:list', {})).items.map((e) => e.messageId)).toEqual(['wamid.AUTO1']);
        await core.close(); core = null;
        // The worker's effects watermark: written only where derivation ran on the worker.
        const db = openStoreFile(dir, { readonly: true });
        try {
          const effects = db.prepare('SELECT value FROM kv WHERE key = ?').pluck().get(EFFECTS_KEY);
          if (layout === 'split') expect(effects).toBeDefined();
          else expect(effects).toBeUndefined();
        } finally { db.close(); }
      } finally { rmSync(dir, { recursive: true, force: true }); }
    }
  }, 120_000);

  it('a read right after each 200 sees that webhook\'s event (the reader waits for the worker)', async () => {
    core = await startTestCore({ derive: 'worker', deriveWorker: WORKER, env: { metaAppSecrets: [SECRET] } });
    for (let i = 1; i <= 40; i++) {
      const body = sentStatusBody(`wamid.R${i}`);
      expect((await core.postMeta(body, SECRET)).status).toBe(200);
      const page = await core.call<EventPage>('events:list', { limit: 1 });
      expect(page.total).toBe(i);
      expect(page.items[0].messageId).toBe(`wamid.R${i}`);
    }
  }, 120_000);

  it('a burst forwarded while the receiver\'s thread records deliveries: every request derived and forwarded once, none kept as unknown', async () => {
    handler = await startForwardCounter();
    const h = handler;
    core = await startTestCore({ derive: 'worker', deriveWorker: WORKER, env: { metaAppSecrets: [SECRET], forwardTo: [h.url] } });
    const t = core;
    const n = 200;
    const posts = Array.from({ length: n }, (_, i) => t.postMeta(sentStatusBody(`wamid.B${i}`), SECRET));
    expect((await Promise.all(posts)).every((r) => r.status === 200)).toBe(true);
    await expect.poll(() => total(h.got), { timeout: 60_000 }).toBe(n);
    const page = await t.call<EventPage>('events:list', { limit: 1000 });
    expect(page.total).toBe(n);
    expect(page.items.filter((e) => e.kind !== 'status')).toEqual([]);
    expect([...h.got.values()].every((k) => k === 1)).toBe(true);
  }, 120_000);

  it('effects a crash left between the derive and the effects transactions run once at the next start (worker, then in-thread)', async () => {
    handler = await startForwardCounter();
    const h = handler;
    const args = ['--forward-to', h.url];
    s = await startServe(args, env);
    const dir = s.dataDir;
    const ids = Array.from({ length: 30 }, (_, i) => `wamid.E${i}`);
    for (const id of ids) {
      const body = sentStatusBody(id);
      expect((await fetch(`${s.receiverUrl}/meta`, { method: 'POST', body, headers: { 'x-hub-signature-256': signMetaBody(body, SECRET) } })).status).toBe(200);
    }
    await expect.poll(() => total(h.got), { timeout: 60_000 }).toBe(30);
    expect(await s.stop('SIGTERM')).toBe(0);
    s = null;

    // Twice: each round puts the database as a kill -9 leaves it when the worker's derive transaction had
    // committed the last 10 requests and the receiver's effects transaction for them had not: their events
    // and watermark on disk, their outbox rows and the effects watermark not.
    for (const [round, mode] of [[1, 'worker'], [2, 'on']] as const) {
      const pending = ids.slice(-10);
      const db = openStoreFile(dir);
      const firstPending = db.prepare('SELECT request_id FROM events WHERE message_id = ?').pluck().get(pending[0]) as number;
      db.prepare('DELETE FROM outbox WHERE request_id >= ?').run(firstPending);
      db.prepare("INSERT INTO kv (key, value) VALUES ('derive_effects_through', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").run(String(firstPending - 1));
      db.close();

      s = await startServe(args, { ...env, HOOKSCOPE_DERIVE: mode }, dir);
      // The pending ten are forwarded once more each (new outbox rows), the twenty before them not again.
      await expect.poll(() => total(h.got), { timeout: 60_000 }).toBe(30 + 10 * round);
      expect((await s.api<EventPage>('/api/events?limit=1')).body.total).toBe(30);
      expect(await s.stop('SIGTERM')).toBe(0);
      s = null;
      for (const id of ids) expect(h.got.get(id), id).toBe(pending.includes(id) ? 1 + round : 1);
      const after = openStoreFile(dir, { readonly: true });
      const perRequest = after.prepare('SELECT request_id, COUNT(*) AS n FROM outbox GROUP BY request_id HAVING n <> 1').all();
      const effects = after.prepare("SELECT value FROM kv WHERE key = 'derive_effects_through'").pluck().get();
      after.close();
      expect(perRequest).toEqual([]);
      // Worker mode keeps the effects watermark with the events; in-thread has none (its effects are in-transaction).
      expect(effects).toBe(mode === 'worker' ? '30' : undefined);
    }
  }, 240_000);

  it('serve with an unknown HOOKSCOPE_DERIVE value says so, naming the accepted values, and derives with the default', async () => {
    for (const value of ['off', 'worker']) {
      s = await startServe([], { META_APP_SECRET: SECRET, HOOKSCOPE_DERIVE: value });
      await postSignedMeta(s, sentStatusBody(`wamid.ENV-${value}`), SECRET);
      const events = await s.api<EventPage>('/api/events');
      expect(events.body.items.map((e) => e.messageId)).toEqual([`wamid.ENV-${value}`]);
      if (value === 'off') expect(s.stderr()).toMatch(/HOOKSCOPE_DERIVE.*on, worker, auto, hold/);
      else expect(s.stderr()).not.toContain('HOOKSCOPE_DERIVE');
      await s.stop(); s = null;
    }
  }, 120_000);
});
