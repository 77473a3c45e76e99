// The control API's history reads answered as JSON bytes the read worker serialised itself
// (electron/core/store/reads.ts RawJson, dispatch.ts RawHandlers): every answer must be byte for byte what
// the object path gives — a second control API on the same core whose dispatcher has no raw table (as
// before, and as IPC) — status, headers and body, on the REST routes and POST /api/rpc/…, with text
// beyond ASCII; errors keep their status and body.
import { afterEach, describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { startTestCore, type TestCore } from '../helpers/core';
import { built } from '../helpers/build';
import { createDispatcher } from '../../electron/core/dispatch';
import { createControlServer, type ControlServer } from '../../electron/serve/control-api';
import { silentLogger } from '../../electron/core/types';
import { RawJson } from '../../electron/core/store/reads';

const WORKER = resolve(__dirname, '../../dist-electron/read-worker.mjs');
const TOKEN = 'raw-json-test-token-0123456789';

let t: TestCore | null = null;
let controls: ControlServer[] = [];
afterEach(async () => {
  for (const c of controls) await c.stop();
  controls = [];
  await t?.close(); t = null;
});

function text(id: string, from: string, body: string, name: string) {
  return JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: 'W', changes: [{ field: 'messages', value: {
    messaging_product: 'whatsapp', metadata: { display_phone_number: '1555', phone_number_id: '1' },
    contacts: [{ profile: { name }, wa_id: from }],
    messages: [{ from, id, timestamp: '1700000000', type: 'text', text: { body } }],
  } }] }] });
}

function status(id: string, st: string, to: string, code?: number) {
  return JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: 'W', changes: [{ field: 'messages', value: {
    messaging_product: 'whatsapp', metadata: { display_phone_number: '1555', phone_number_id: '1' },
    statuses: [{ id, status: st, timestamp: '1700000001', recipient_id: to, ...(code ? { errors: [{ code, title: 'Re-engagement message' }] } : {}) }],
  } }] }] });
}

/**
 * A core reading through the bundled worker, a control API on it with the raw table (as `serve` builds
 * it) and one without (the object path).
 */
async function boot(): Promise<{ raw: string; objects: string }> {
  t = await startTestCore({ readWorker: WORKER });
  expect(t.core.rawHandlers).toBeDefined();
  const start = async (dispatch: ReturnType<typeof createDispatcher>) => {
    const c = createControlServer({ core: t!.core, dispatch, port: 0, token: TOKEN, staticDir: null, logger: silentLogger });
    controls.push(c);
    return `http://127.0.0.1:${await c.start()}`;
  };
  return {
    raw: await start(createDispatcher(t.core.handlers, silentLogger, t.core.rawHandlers)),
    objects: await start(createDispatcher(t.core.handlers, silentLogger)),
  };
}

/** Status, headers but the date, and the body's bytes: what a client of the API could tell apart. */
async function answer(res: Response) {
  const headers = [...res.headers].filter(([k]) => k !== 'date' && k !== 'keep-alive');
  return { status: res.status, headers, body: Buffer.from(await res.arrayBuffer()).toString('hex') };
}
const get = (base: string, path: string) => fetch(base + path, { headers: { authorization: `Bearer ${TOKEN}` } }).then(answer);
const rpc = (base: string, channel: string, args: unknown) => fetch(`${base}/api/rpc/${channel}`, {
  method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(args),
}).then(answer);
const utf8 = (hex: string) => Buffer.from(hex, 'hex').toString('utf8');

describe.skipIf(!built('read worker', WORKER))('history reads as JSON bytes from the read worker', () => {
  it('answers every history read byte for byte as the object path does, REST and RPC', async () => {
    const base = await boot();
    const words = ['refund', 'pedido não chegou', 'obrigado 🙏', 'tomorrow ✓'];
    for (let i = 0; i < 40; i++) {
      const contact = `4479000000${i % 4}`;
      const body = i % 2
        ? text(`wamid.m${i}`, contact, `${words[(i >> 1) % 4]} ${i} "quoted" \\ back`, i % 3 ? 'João Ünal' : 'Hiro 田中')
        : status(`wamid.s${i}`, ['sent', 'delivered', 'read', 'failed'][(i / 2) % 4], contact, i % 8 === 6 ? 131047 : undefined);
      expect((await t!.post('/meta', body)).status).toBe(200);
    }
    // [channel, arguments, REST path or null]
    const reads: [string, Record<string, unknown>, string | null][] = [
      ['events:list', { limit: 200 }, '/api/events?limit=200'],
      ['events:list', { limit: 5, status: ['failed'] }, '/api/events?limit=5&status=failed'],
      ['events:list', { limit: 200, q: 'obrigado' }, '/api/events?limit=200&q=obrigado'],
      ['events:list', { limit: 200, q: 'nothing-matches' }, '/api/events?limit=200&q=nothing-matches'],
      ['events:list', { limit: 10, before: 20, kind: ['message'] }, '/api/events?limit=10&before=20&kind=message'],
      ['messages:list', {}, '/api/messages'],
      ['messages:stats', {}, '/api/message-stats'],
      ['contacts:thread', { contactId: '447900000001' }, '/api/contacts/447900000001/thread'],
      ['stats:get', {}, '/api/stats'],
      ['stats:get', { status: ['failed', 'read'] }, '/api/stats?status=failed,read'],
      ['stats:extra', { since: 0, until: Date.UTC(2100, 0, 1) }, null],
    ];
    const rawDispatch = createDispatcher(t!.core.handlers, silentLogger, t!.core.rawHandlers);
    for (const [channel, args, path] of reads) {
      // Two different paths are compared: this one answers with the worker's bytes.
      expect((await rawDispatch(channel, args) as { value: unknown }).value, channel).toBeInstanceOf(RawJson);
      const value = await t!.call(channel, args);
      const overRpc = await rpc(base.raw, channel, args);
      expect(overRpc.status, channel).toBe(200);
      expect(utf8(overRpc.body), `${channel} ${JSON.stringify(args)}`).toBe(JSON.stringify({ ok: true, value }));
      expect(overRpc, `${channel} ${JSON.stringify(args)}`).toEqual(await rpc(base.objects, channel, args));
      if (!path) continue;
      const overRest = await get(base.raw, path);
      expect(overRest.status, path).toBe(200);
      expect(utf8(overRest.body), path).toBe(JSON.stringify(value));
      expect(overRest, path).toEqual(await get(base.objects, path));
    }
    // The pages carried the non-ASCII text at all (not a page of nothing compared with nothing).
    expect(utf8((await get(base.raw, '/api/events?limit=200&q=obrigado')).body)).toContain('obrigado 🙏');
  });

  it('sees every acknowledged webhook on the very next read through the raw path', async () => {
    const base = await boot();
    for (let i = 0; i < 15; i++) {
      expect((await t!.post('/meta', text(`wamid.n${i}`, '447900000009', `novo ${i}`, 'Ana'))).status).toBe(200);
      const page = JSON.parse(utf8((await get(base.raw, '/api/events?limit=1')).body));
      expect(page.total).toBe(i + 1);
      expect(page.items[0].text).toBe(`novo ${i}`);
      const stats = JSON.parse(utf8((await rpc(base.raw, 'stats:get', {})).body));
      expect(stats.value.total).toBe(i + 1);
    }
  });

  it('keeps the errors: invalid arguments answer as before', async () => {
    const base = await boot();
    for (const [channel, args] of [['events:list', { limit: -1 }], ['stats:get', { status: ['nope'] }], ['events:list', { where: ['nope'] }]] as const) {
      const env = await t!.dispatch(channel, args);
      expect(env.ok, channel).toBe(false);
      const overRpc = await rpc(base.raw, channel, args);
      expect(overRpc.status).toBeGreaterThanOrEqual(400);
      expect(utf8(overRpc.body)).toBe(JSON.stringify(env));
      expect(overRpc).toEqual(await rpc(base.objects, channel, args));
    }
    for (const path of ['/api/events?limit=-1', '/api/events?where=nope', '/api/stats?status=nope', '/api/contacts/12/thread?limit=-5']) {
      const overRest = await get(base.raw, path);
      expect(overRest.status, path).toBeGreaterThanOrEqual(400);
      expect(overRest, path).toEqual(await get(base.objects, path));
    }
  });
});
