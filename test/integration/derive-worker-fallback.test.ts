// The derive worker is the default on a split store (core.ts openDeriver 'auto'): when it fails to load
// or dies later, derivation must go on in the receiver's thread (ingest/worker-deriver.ts) — events
// listed, forwards sent once, an error logged — never stop silently while webhooks are still answered.
import { afterEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { EventPage } from '../../shared/types';
import type { Logger } from '../../electron/core/types';
import { startTestCore, type TestCore } from '../helpers/core';
import { built } from '../helpers/build';
import { sentStatusBody, startForwardCounter, type ForwardCounter } from '../helpers/forward-counter';

const SECRET = 'fallback-secret';
const WORKER = resolve(__dirname, '../../dist-electron/derive-worker.mjs');
const BROKEN = resolve(__dirname, '../helpers/derive-worker-broken.mjs');
const DIES = resolve(__dirname, '../helpers/derive-worker-dies.mjs');

function recordingLogger(): Logger & { errors: string[] } {
  const errors: string[] = [];
  return { errors, debug() {}, info() {}, warn() {}, error: (msg: string) => { errors.push(msg); } };
}

let core: TestCore | null = null;
let handler: ForwardCounter | null = null;
afterEach(async () => {
  await core?.close(); core = null;
  await handler?.close(); handler = null;
});

describe.skipIf(!built('derive worker fallback', WORKER))('a derive worker that fails', () => {
  /** Posts `ids` one by one; each is listed as a status event and forwarded exactly once. */
  async function derivedAndForwardedOnce(t: TestCore, got: Map<string, number>, ids: string[], before: string[]) {
    for (const id of ids) expect((await t.postMeta(sentStatusBody(id), SECRET)).status).toBe(200);
    const all = [...before, ...ids];
    const page = await t.call<EventPage>('events:list', { limit: 100 });
    expect(page.items.map((e) => e.messageId).sort()).toEqual([...all].sort());
    expect(page.items.filter((e) => e.kind !== 'status')).toEqual([]);
    await expect.poll(() => all.map((id) => got.get(id) ?? 0), { timeout: 30_000 }).toEqual(all.map(() => 1));
  }

  it('fails at load: the next webhooks are derived in the receiver\'s thread, forwarded once, and an error is logged', async () => {
    handler = await startForwardCounter();
    const logger = recordingLogger();
    core = await startTestCore({ derive: 'auto', deriveWorker: BROKEN, logger, env: { metaAppSecrets: [SECRET], forwardTo: [handler.url] } });
    await expect.poll(() => logger.errors.length, { timeout: 30_000 }).toBeGreaterThan(0);
    await derivedAndForwardedOnce(core, handler.got, ['wamid.L1', 'wamid.L2'], []);
    await derivedAndForwardedOnce(core, handler.got, ['wamid.L3'], ['wamid.L1', 'wamid.L2']);
  }, 120_000);

  it('dies later holding the lock words: the next webhooks are answered, derived in the receiver\'s thread and forwarded once', async () => {
    handler = await startForwardCounter();
    const logger = recordingLogger();
    core = await startTestCore({ derive: 'auto', deriveWorker: DIES, logger, env: { metaAppSecrets: [SECRET], forwardTo: [handler.url] } });
    await derivedAndForwardedOnce(core, handler.got, ['wamid.D1', 'wamid.D2'], []);
    expect(logger.errors).toEqual([]);
    writeFileSync(join(core.dataDir, 'die-now'), '');
    await derivedAndForwardedOnce(core, handler.got, ['wamid.D3'], ['wamid.D1', 'wamid.D2']);
    expect(logger.errors.some((m) => m.includes('derive worker stopped'))).toBe(true);
    await derivedAndForwardedOnce(core, handler.got, ['wamid.D4', 'wamid.D5'], ['wamid.D1', 'wamid.D2', 'wamid.D3']);
  }, 120_000);
});
