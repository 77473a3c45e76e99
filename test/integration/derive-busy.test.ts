// The read model write-locked by another connection for longer than the derive worker's busy retries (a
// forget's VACUUM, a long write): the webhooks acknowledged meanwhile stay underived and are derived once
// the file is free — never kept as an 'unknown' event "could not be derived: database is locked", which
// would lose their forwards and rule actions (ingest/deriver.ts isBusy).
import { afterEach, describe, expect, it } from 'vitest';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { EventPage } from '../../shared/types';
import type { Logger } from '../../electron/core/types';
import { startTestCore, type TestCore } from '../helpers/core';
import { built } from '../helpers/build';
import { sentStatusBody, startForwardCounter, type ForwardCounter } from '../helpers/forward-counter';

const SECRET = 'busy-secret';
const WORKER = resolve(__dirname, '../../dist-electron/derive-worker.mjs');

let core: TestCore | null = null;
let handler: ForwardCounter | null = null;
afterEach(async () => {
  await core?.close(); core = null;
  await handler?.close(); handler = null;
});

describe.skipIf(!built('derivation on a worker thread', WORKER))('a read model locked by another connection', () => {
  it('webhooks acknowledged while it is locked are derived and forwarded once it is free, twice over', async () => {
    handler = await startForwardCounter();
    const h = handler;
    const errors: string[] = [];
    const logger: Logger = { debug() {}, info() {}, warn() {}, error: (msg: string) => { errors.push(msg); } };
    core = await startTestCore({ derive: 'worker', deriveWorker: WORKER, logger, env: { metaAppSecrets: [SECRET], forwardTo: [h.url] } });
    expect((await core.postMeta(sentStatusBody('wamid.FREE0'), SECRET)).status).toBe(200);
    // The worker is up and has derived: what follows is its busy path, not its start.
    expect((await core.call<EventPage>('events:list', {})).items.map((e) => e.messageId)).toEqual(['wamid.FREE0']);
    await expect.poll(() => h.got.get('wamid.FREE0'), { timeout: 30_000 }).toBe(1);
    const ids = ['wamid.FREE0'];
    for (const id of ['wamid.LOCKED1', 'wamid.LOCKED2']) {
      const other = new Database(join(core.dataDir, 'hookscope.db'));
      const seen = errors.filter((m) => m.includes('deriv')).length;
      other.prepare('BEGIN IMMEDIATE').run();
      try {
        expect((await core.postMeta(sentStatusBody(id), SECRET)).status).toBe(200);
        // The worker gave up on the lock once: the request is left for later.
        await expect.poll(() => errors.filter((m) => m.includes('deriv')).length, { timeout: 60_000 }).toBeGreaterThan(seen);
      } finally {
        other.prepare('COMMIT').run();
        other.close();
      }
      ids.push(id);
      await expect.poll(async () => (await core!.call<EventPage>('events:list', { limit: 10 })).items
        .map((e) => `${e.messageId} ${e.kind}`).sort(), { timeout: 60_000 }).toEqual(ids.map((i) => `${i} status`).sort());
      await expect.poll(() => ids.map((i) => h.got.get(i) ?? 0), { timeout: 30_000 }).toEqual(ids.map(() => 1));
    }
  }, 180_000);
});
