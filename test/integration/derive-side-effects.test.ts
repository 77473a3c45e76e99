// What a request's derivation sets off — forwards to the user's handler and rule notifications — for
// requests acknowledged by one run and derived by a later one (a crash between the 200 and the events).
// An in-process core with derivation held back stands in for the crash: its requests are on disk, and
// nothing downstream has seen them.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EventPage, NotificationRecord } from '../../shared/types';
import { createCore } from '../../electron/core/core';
import { silentLogger } from '../../electron/core/types';
import { offlineConnector, startTestCore, type TestCore } from '../helpers/core';

let t: TestCore | null = null;
let dir: string | null = null;
const servers: Server[] = [];
afterEach(async () => {
  await t?.close(); t = null;
  for (const s of servers.splice(0)) { s.closeAllConnections(); await new Promise((r) => s.close(r)); }
  if (dir) rmSync(dir, { recursive: true, force: true }); dir = null;
});

function message(id: string, text: string) {
  return JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: 'W', changes: [{ field: 'messages', value: {
    messaging_product: 'whatsapp', metadata: { display_phone_number: '1555', phone_number_id: '1' },
    contacts: [{ profile: { name: 'Ana' }, wa_id: '5511955554444' }],
    messages: [{ from: '5511955554444', id, timestamp: '1700000000', type: 'text', text: { body: text } }],
  } }] }] });
}

/** A local handler that records the bodies forwarded to it. */
async function handler(): Promise<{ url: string; seen: string[] }> {
  const seen: string[] = [];
  const s = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => { seen.push(Buffer.concat(chunks).toString('utf8')); res.end('ok'); });
  });
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, seen };
}

/** Acknowledges `bodies` with derivation held back, then stops: the requests are stored, not derived. */
async function acknowledgeOnly(dataDir: string, bodies: string[], clock?: () => number) {
  const held = await startTestCore({ dataDir, derive: 'hold', ...(clock ? { clock } : {}) });
  try {
    for (const b of bodies) expect((await held.post('/meta', b)).status).toBe(200);
  } finally {
    await held.close();
  }
}

const ruleBodies = async (c: TestCore) =>
  (await c.call<{ items: NotificationRecord[] }>('notifications:list', { limit: 1000 })).items.filter((n) => n.ruleId !== 0).map((n) => n.body);

describe('side effects of requests derived by a later run', () => {
  it('are forwarded and reach the rules at the next start; over an hour late they join the history quietly', async () => {
    dir = mkdtempSync(join(tmpdir(), 'hookscope-derive-'));
    let now = Date.UTC(2025, 5, 1, 12);
    const clock = () => now;
    const h = await handler();
    t = await startTestCore({ dataDir: dir, clock });
    await t.call('rules:create', { name: 'Any message', when: { kind: ['message'] }, title: '{contactName}', body: '{text}' });
    await t.close(); t = null;

    await acknowledgeOnly(dir, [message('wamid.SOON', 'derived a minute later')], clock);
    now += 60_000;
    t = await startTestCore({ dataDir: dir, clock, env: { forwardTo: [h.url] } });
    expect((await t.call<EventPage>('events:list', {})).items.map((e) => e.text)).toEqual(['derived a minute later']);
    await t.core.tools!.forwardsIdle();
    expect(h.seen.map((b) => JSON.parse(b).entry[0].changes[0].value.messages[0].id)).toEqual(['wamid.SOON']);
    expect(await ruleBodies(t)).toEqual(['derived a minute later']);
    await t.close(); t = null;

    await acknowledgeOnly(dir, [message('wamid.LATE', 'derived two hours later')], clock);
    now += 2 * 60 * 60_000;
    t = await startTestCore({ dataDir: dir, clock, env: { forwardTo: [h.url] } });
    expect((await t.call<EventPage>('events:list', {})).items.map((e) => e.text)).toEqual(['derived two hours later', 'derived a minute later']);
    await t.core.tools!.forwardsIdle();
    expect(h.seen).toHaveLength(1);
    expect(await ruleBodies(t)).toEqual(['derived a minute later']);
  });

  it('a start that fails (receiver port taken) leaves them to the next start, which forwards them and runs the rules', async () => {
    dir = mkdtempSync(join(tmpdir(), 'hookscope-derive-'));
    const h = await handler();
    t = await startTestCore({ dataDir: dir });
    await t.call('rules:create', { name: 'Any message', when: { kind: ['message'] }, title: '{contactName}', body: '{text}' });
    await t.close(); t = null;
    await acknowledgeOnly(dir, [message('wamid.LEFT', 'left underived by a crash')]);

    // Something else holds the receiver's port: the start fails and the shell stops the core (boot-failure dialog).
    const taken = createServer();
    servers.push(taken);
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const failed = createCore({
      dataDir: dir, receiverPort: (taken.address() as AddressInfo).port, receiverHost: '127.0.0.1', mode: 'serve',
      logger: silentLogger, tunnelConnector: offlineConnector, env: { forwardTo: [h.url] },
    });
    await expect(failed.start()).rejects.toThrow(/in use/);
    await failed.stop();

    // "Try again" on a free port: the webhook reaches the handler and the rules now.
    t = await startTestCore({ dataDir: dir, env: { forwardTo: [h.url] } });
    expect((await t.call<EventPage>('events:list', {})).items.map((e) => e.text)).toEqual(['left underived by a crash']);
    await t.core.tools!.forwardsIdle();
    expect(h.seen).toHaveLength(1);
    expect(await ruleBodies(t)).toEqual(['left underived by a crash']);
  });
});

describe('derivation racing the control API', () => {
  it('a burst answered while reads keep catching up: every event pushed once, every rule fired once', async () => {
    const h = await handler();
    t = await startTestCore({ env: { forwardTo: [h.url] } });
    await t.call('rules:create', { name: 'Any message', when: { kind: ['message'] }, title: '{contactName}', body: '{text}' });
    const pushed: number[] = [];
    t.core.on('events:appended', (evs) => { for (const e of evs) pushed.push(e.id); });
    const n = 300;
    const posts = Array.from({ length: n }, (_, i) => t!.post('/meta', message(`wamid.R${i}`, `burst ${i}`)));
    // Reads in the middle of the burst derive whatever is committed at that moment (catchUp), while the
    // deriver's own timer takes the rest.
    const reads = Array.from({ length: 40 }, async (_, i) => {
      await new Promise((r) => setTimeout(r, i * 3));
      return (await t!.call<EventPage>('events:list', { limit: 1 })).total;
    });
    expect((await Promise.all(posts)).every((r) => r.status === 200)).toBe(true);
    await Promise.all(reads);
    const page = await t.call<EventPage>('events:list', { limit: 1000 });
    expect(page.total).toBe(n);
    await t.core.tools!.forwardsIdle();
    await expect.poll(() => pushed.length).toBeGreaterThanOrEqual(n); // the push batcher's last turn
    expect([...pushed].sort((a, b) => a - b)).toEqual(page.items.map((e) => e.id).sort((a, b) => a - b));
    expect(new Set(h.seen).size).toBe(n);
    expect(h.seen).toHaveLength(n);
    const bodies = await ruleBodies(t);
    expect(bodies).toHaveLength(n);
    expect(new Set(bodies).size).toBe(n);
  }, 120_000); // 300 webhooks through HTTP, derivation, forwards and rules: slow when the machine is loaded
});
