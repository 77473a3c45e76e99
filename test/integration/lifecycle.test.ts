// A message's lifecycle through the real receiver and store: the current state is the furthest one
// reached (read beats delivered beats sent), never simply the last to arrive or the latest timestamp.
// Meta does not guarantee order and often stamps delivered and read with the same second.
import { afterEach, describe, expect, it } from 'vitest';
import type { MessageLifecycle } from '../../shared/types';
import { fixture } from '../helpers/fixtures';
import { startTestCore, type TestCore } from '../helpers/core';

let t: TestCore | null = null;
afterEach(async () => { await t?.close(); t = null; });

const OUT = 'wamid.HBgNNTUxMTk4NzY1MDAwMRUCABEYEjQ2QUQ5RjM2RUFC/Dg2M0Q1NwA=';

/** One Meta status webhook built on the corpus' status-read.json, with this id, word and time. */
function status(id: string, word: string, ts: number): string {
  const p = JSON.parse(fixture('meta/status-read.json').toString('utf8')) as { entry: { changes: { value: { statuses: Record<string, unknown>[] } }[] }[] };
  Object.assign(p.entry[0].changes[0].value.statuses[0], { id, status: word, timestamp: String(ts) });
  return JSON.stringify(p);
}

async function life(id: string, sends: [string, number][]): Promise<MessageLifecycle> {
  for (const [word, ts] of sends) expect((await t!.post('/meta', status(id, word, ts))).status).toBe(200);
  return t!.call<MessageLifecycle>('messages:get', { messageId: id });
}

describe('message lifecycle: the furthest state wins', () => {
  it('delivered and read stamped with the same second, read arriving first → read', async () => {
    t = await startTestCore();
    const lc = await life('wamid.SAME', [['sent', 1767225700], ['read', 1767225760], ['delivered', 1767225760]]);
    expect(lc.current).toBe('read');
    expect(lc.events.map((e) => e.status).sort()).toEqual(['delivered', 'read', 'sent']);
  });

  it('every status with one timestamp, in reverse order → read', async () => {
    t = await startTestCore();
    const lc = await life('wamid.ALLSAME', [['read', 1767225800], ['delivered', 1767225800], ['sent', 1767225800]]);
    expect(lc.current).toBe('read');
  });

  it('a lesser status with a later timestamp (another device) does not win → read', async () => {
    t = await startTestCore();
    const lc = await life('wamid.LATER', [['sent', 1767225700], ['read', 1767225750], ['delivered', 1767225790]]);
    expect(lc.current).toBe('read');
    // Events are listed in provider-time order whatever the arrival order.
    expect(lc.events.map((e) => e.timestamp)).toEqual([1767225700000, 1767225750000, 1767225790000]);
  });

  it('played beats read; sent then failed is failed; delivered on another device after failed is delivered', async () => {
    t = await startTestCore();
    expect((await life('wamid.PLAY', [['played', 1767225700], ['read', 1767225800]])).current).toBe('played');
    expect((await life('wamid.FAIL', [['failed', 1767225790], ['sent', 1767225700]])).current).toBe('failed');
    expect((await life('wamid.MULTI', [['sent', 1767225700], ['failed', 1767225800], ['delivered', 1767225700]])).current).toBe('delivered');
  });

  it('one webhook carrying read, sent and delivered out of order (the corpus batch) → read', async () => {
    t = await startTestCore();
    expect((await t.post('/meta', fixture('meta/batch-statuses-out-of-order.json'))).status).toBe(200);
    const lc = await t.call<MessageLifecycle>('messages:get', { messageId: OUT });
    expect(lc.current).toBe('read');
    expect(lc.events.map((e) => e.status)).toEqual(['sent', 'delivered', 'read']);
  });
});
