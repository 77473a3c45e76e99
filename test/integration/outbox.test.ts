// The outbox (docs/architecture.md "The outbox"), against the real `serve` process: what an acknowledged
// webhook sets off — its forward to the handler and its rule's http action — survives kill -9 and SIGTERM
// at any moment, a handler that is down across a Hookscope restart, and (team mode) the death of the
// process that claimed the action. A recorder stands in for the handler and the action's target, and
// counts deliveries by their X-Hookscope-Delivery key: at least once, and each key names one thing.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import type { ForwardTargetSummary } from '../../shared/types';
import { signMetaBody } from '../helpers/core';
import { built } from '../helpers/build';
import { HEADLESS, burstThenKill, startServe, type ServeProcess } from '../helpers/serve';
import { PG_SKIP_LINE, pgAvailable, startPgCluster, type PgCluster } from '../helpers/pg-cluster';

const SECRET = 'outbox-secret';
const sign = (body: string) => signMetaBody(body, SECRET);
const env = { META_APP_SECRET: SECRET, HOOKSCOPE_ACTIONS_PER_MINUTE: '100000' };

interface Delivery { key: string; id: string; status: number }
/** Records what reaches /fwd (forwards: the status id from the Meta body) and /act (actions: `{"id": …}`). */
interface Recorder {
  url: string; port: number;
  forwards: Delivery[]; actions: Delivery[];
  /** Answer with this status (200 by default); `hang` keeps the request open. */
  mode: { status: number; hang: boolean; delayMs: number };
  close(): Promise<void>;
}

async function startRecorder(port = 0): Promise<Recorder> {
  const rec = { forwards: [], actions: [], mode: { status: 200, hang: false, delayMs: 0 } } as unknown as Recorder;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const key = String(req.headers['x-hookscope-delivery'] ?? '');
      if (rec.mode.hang) { rec.actions.push({ key, id: 'HANG', status: 0 }); return; }
      const status = rec.mode.status;
      let id = '?';
      try {
        const j = JSON.parse(body) as { id?: string; entry?: { changes: { value: { statuses: { id: string }[] } }[] }[] };
        id = req.url?.startsWith('/act') ? String(j.id) : j.entry![0].changes[0].value.statuses[0].id;
      } catch { /* recorded as '?' */ }
      (req.url?.startsWith('/act') ? rec.actions : rec.forwards).push({ key, id, status });
      setTimeout(() => { res.writeHead(status); res.end('ok'); }, rec.mode.delayMs);
    });
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  rec.port = (server.address() as AddressInfo).port;
  rec.url = `http://127.0.0.1:${rec.port}`;
  rec.close = () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); });
  return rec;
}

function statusBody(id: string) {
  return JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: 'W', changes: [{ field: 'messages', value: {
    metadata: { phone_number_id: '1' }, statuses: [{ id, status: 'sent', timestamp: '1700000000', recipient_id: '5511900000000' }] } }] }] });
}
const post = (s: ServeProcess, id: string) => { const b = statusBody(id); return fetch(`${s.receiverUrl}/meta`, { method: 'POST', body: b, headers: { 'x-hub-signature-256': sign(b) } }); };

/** A rule whose http action posts the status id to the recorder. */
const actionRule = (rec: Recorder) => ({
  name: 'Every status to the recorder', enabled: true, when: { kind: ['status'] }, throttleSeconds: 0, title: 't', body: 'b',
  actions: [{ type: 'http', url: `${rec.url}/act`, body: '{"id": {messageId|json}}' }],
});

/**
 * What the recorder counts once per key: for each id, how many distinct keys delivered it (2xx). A key
 * reused for another id would be a bug (a receiver would drop a real delivery as a repeat).
 */
function countByKey(ds: Delivery[]): Map<string, number> {
  const byKey = new Map<string, string>();
  for (const d of ds) {
    if (d.status < 200 || d.status >= 300) continue;
    const prev = byKey.get(d.key);
    if (prev !== undefined && prev !== d.id) throw new Error(`key ${d.key} used for ${prev} and ${d.id}`);
    byKey.set(d.key, d.id);
  }
  const n = new Map<string, number>();
  for (const id of byKey.values()) n.set(id, (n.get(id) ?? 0) + 1);
  return n;
}
const distinctByKey = (ds: Delivery[]) => new Set(countByKey(ds).keys());
/** Acknowledged webhooks (id → how many times it was acknowledged) not delivered as often, once by key. */
function missing(acked: Map<string, number>, ds: Delivery[]): number {
  const got = countByKey(ds);
  let n = 0;
  for (const [id, times] of acked) n += Math.max(0, times - (got.get(id) ?? 0));
  return n;
}

const procs: ServeProcess[] = [];
const recorders: Recorder[] = [];
afterEach(async () => {
  await Promise.all(procs.splice(0).map((p) => p.stop('SIGKILL')));
  await Promise.all(recorders.splice(0).map((r) => r.close()));
});
async function serve(args: string[], extra: Record<string, string> = {}, dir?: string) {
  const s = await startServe(args, { ...env, ...extra }, dir);
  procs.push(s);
  return s;
}

describe.skipIf(!built('the outbox', HEADLESS))('the outbox: side effects as durable as the webhooks', () => {
  it('SIGKILL at several moments of a burst, then a restart: every acknowledged webhook forwarded and its action delivered, once by key', async () => {
    const rec = await startRecorder();
    recorders.push(rec);
    let s = await serve(['--forward-to', `${rec.url}/fwd`]);
    const dir = s.dataDir;
    expect((await s.api('/api/rules', { method: 'POST', body: JSON.stringify(actionRule(rec)) })).status).toBe(201);
    // The burst sends the same ids each round: a webhook acknowledged in two rounds is two webhooks.
    const acked = new Map<string, number>();
    // 1: killed mid-burst with a handler keeping up; 2: with a slow handler, so a backlog is on disk when
    // it dies; 3: killed again right after its restart, while it resumes that backlog.
    for (const [round, delayMs] of [[1, 0], [2, 15], [3, 15]] as const) {
      rec.mode.delayMs = delayMs;
      if (round > 1) s = await serve(['--forward-to', `${rec.url}/fwd`], {}, dir);
      for (const id of await burstThenKill(s, sign, 120)) acked.set(id, (acked.get(id) ?? 0) + 1);
      procs.splice(procs.indexOf(s), 1);
    }
    rec.mode.delayMs = 0;
    s = await serve(['--forward-to', `${rec.url}/fwd`], {}, dir);
    await expect.poll(() => missing(acked, rec.forwards), { timeout: 90_000, interval: 200 }).toBe(0);
    // Rules skip a repeated status (the same fact again, a duplicate): one action per id.
    const once = new Map([...acked.keys()].map((id) => [id, 1]));
    await expect.poll(() => missing(once, rec.actions), { timeout: 90_000, interval: 200 }).toBe(0);
    // Nothing waits any more, and nothing was given up.
    await expect.poll(async () => (await s.api<{ targets: ForwardTargetSummary[] }>('/api/forwards')).body,
      { timeout: 30_000 }).toMatchObject({ targets: [{ queued: 0, retrying: 0, givenUp: 0 }] });
  }, 240_000);

  it('SIGTERM in the middle of a burst, then a restart: the same, nothing left behind', async () => {
    const rec = await startRecorder();
    recorders.push(rec);
    rec.mode.delayMs = 15; // a backlog exists when the stop comes
    let s = await serve(['--forward-to', `${rec.url}/fwd`]);
    const dir = s.dataDir;
    await s.api('/api/rules', { method: 'POST', body: JSON.stringify(actionRule(rec)) });
    const acked = new Set<string>();
    let stop = false;
    const sender = async (w: number) => {
      for (let i = 0; !stop; i++) {
        const id = `wamid.T${w}_${i}`;
        try { if ((await post(s, id)).status === 200) acked.add(id); } catch { return; }
      }
    };
    const workers = Array.from({ length: 6 }, (_, w) => sender(w));
    await expect.poll(() => acked.size, { timeout: 60_000 }).toBeGreaterThanOrEqual(200);
    expect(await s.stop('SIGTERM')).toBe(0);
    stop = true;
    await Promise.all(workers);
    procs.splice(procs.indexOf(s), 1);
    rec.mode.delayMs = 0;
    s = await serve(['--forward-to', `${rec.url}/fwd`], {}, dir);
    await expect.poll(() => [...acked].filter((id) => !distinctByKey(rec.forwards).has(id)).length, { timeout: 90_000, interval: 200 }).toBe(0);
    await expect.poll(() => [...acked].filter((id) => !distinctByKey(rec.actions).has(id)).length, { timeout: 90_000, interval: 200 }).toBe(0);
  }, 240_000);

  it('a handler down across a Hookscope restart gets everything once it is back, in order (twice over)', async () => {
    // A port to come back on: taken, then freed.
    const probe = await startRecorder();
    const port = probe.port;
    await probe.close();
    const url = `http://127.0.0.1:${port}/fwd`;
    let s = await serve(['--forward-to', url]);
    const dir = s.dataDir;
    // Short back-off so the test does not wait a minute; kept in settings.json across the restart.
    await s.api('/api/settings', { method: 'PUT', body: JSON.stringify({ forwardRetry: { baseDelayMs: 50, maxTries: 10_000 } }) });
    const sent: string[] = [];
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 30; i++) {
        const id = `wamid.D${round}_${i}`;
        expect((await post(s, id)).status).toBe(200);
        sent.push(id);
      }
      // The head is retrying, the rest wait behind it, on disk.
      await expect.poll(async () => (await s.api<{ targets: ForwardTargetSummary[] }>('/api/forwards')).body.targets[0],
        { timeout: 30_000 }).toMatchObject({ retrying: 1, queued: round === 0 ? 29 : 59 });
      expect(await s.stop('SIGTERM')).toBe(0);
      procs.splice(procs.indexOf(s), 1);
      s = await serve(['--forward-to', url], {}, dir);
    }
    const rec = await startRecorder(port);
    recorders.push(rec);
    await expect.poll(() => distinctByKey(rec.forwards).size, { timeout: 60_000, interval: 100 }).toBe(sent.length);
    // In order per handler: the first arrival of each forward follows the order they were received in.
    const firsts: string[] = [];
    for (const d of rec.forwards) if (!firsts.includes(d.id)) firsts.push(d.id);
    expect(firsts).toEqual(sent);
    const summary = (await s.api<{ targets: ForwardTargetSummary[] }>('/api/forwards')).body.targets[0];
    expect(summary).toMatchObject({ queued: 0, retrying: 0, delivered: 60, givenUp: 0 });
  }, 180_000);

  it('"retry now" and "drop" through the control API: a waiting backlog is sent at once, or given up and listed', async () => {
    const probe = await startRecorder();
    const port = probe.port;
    await probe.close();
    const url = `http://127.0.0.1:${port}/fwd`;
    const s = await serve(['--forward-to', url]);
    // A long back-off: without "retry now" nothing would be sent again during the test.
    await s.api('/api/settings', { method: 'PUT', body: JSON.stringify({ forwardRetry: { baseDelayMs: 3_600_000 } }) });
    for (let i = 0; i < 5; i++) expect((await post(s, `wamid.R${i}`)).status).toBe(200);
    await expect.poll(async () => (await s.api<{ targets: ForwardTargetSummary[] }>('/api/forwards')).body.targets[0],
      { timeout: 30_000 }).toMatchObject({ retrying: 1, queued: 4 });
    const rec = await startRecorder(port);
    recorders.push(rec);
    expect((await s.api<{ requeued: number }>('/api/forwards/retry', { method: 'POST', body: JSON.stringify({ target: url }) })).body.requeued).toBe(5);
    await expect.poll(() => distinctByKey(rec.forwards).size, { timeout: 30_000 }).toBe(5);
    // Drop: the handler goes away again, what waits is given up on request and listed as dropped.
    await rec.close();
    recorders.splice(recorders.indexOf(rec), 1);
    for (let i = 5; i < 8; i++) expect((await post(s, `wamid.R${i}`)).status).toBe(200);
    await expect.poll(async () => (await s.api<{ targets: ForwardTargetSummary[] }>('/api/forwards')).body.targets[0],
      { timeout: 30_000 }).toMatchObject({ retrying: 1, queued: 2 });
    expect((await s.api<{ dropped: number }>('/api/forwards/drop', { method: 'POST', body: '{}' })).body.dropped).toBe(3);
    const list = (await s.api<{ items: { kind: string; state: string; key: string }[] }>('/api/deliveries?kind=forward')).body.items;
    expect(list.map((d) => d.state)).toEqual(['dropped', 'dropped', 'dropped', 'delivered', 'delivered', 'delivered', 'delivered', 'delivered']);
    expect(list.every((d) => d.kind === 'forward' && /^hs[0-9a-f]+-f\d+-[0-9a-f]+$/.test(d.key))).toBe(true);
  }, 120_000);
});

const hasPg = pgAvailable() != null;
if (!hasPg) console.log(PG_SKIP_LINE);

describe.skipIf(!hasPg || !built('the outbox in team mode', HEADLESS))('the outbox in team mode', () => {
  let cluster: PgCluster;
  beforeAll(async () => { cluster = await startPgCluster(); });
  afterAll(async () => { await cluster?.stop(); });

  it('kill -9 of the process that claimed an action: another delivers it after the lease, with the same key', async () => {
    const url = await cluster.createDatabase();
    const rec = await startRecorder();
    recorders.push(rec);
    rec.mode.hang = true; // the claimer's attempt never finishes: its action is still queued when it dies
    const lease = { HOOKSCOPE_TEAM_LEASE_MS: '1500' };
    const a = await serve(['--database', url], lease);
    const b = await serve(['--database', url], lease);
    expect((await a.api('/api/rules', { method: 'POST', body: JSON.stringify(actionRule(rec)) })).status).toBe(201);
    // Both processes have the rule before the webhook comes.
    await expect.poll(async () => (await b.api<unknown[]>('/api/rules')).body.length, { timeout: 20_000 }).toBe(1);
    expect((await post(a, 'wamid.TEAM1')).status).toBe(200);
    await expect.poll(() => rec.actions.length, { timeout: 20_000 }).toBe(1);
    const firstKey = rec.actions[0].key;
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    try {
      const claim = (await db.query<{ claimed_by: string; done: boolean }>('SELECT claimed_by, done FROM rule_claims')).rows;
      expect(claim).toHaveLength(1);
      expect(claim[0].done).toBe(false);
      const claimer = [a, b].find((p) => claim[0].claimed_by.endsWith(`:${p.child.pid}`))!;
      const other = claimer === a ? b : a;
      await claimer.stop('SIGKILL');
      rec.mode.hang = false;
      await expect.poll(() => rec.actions.filter((d) => d.status === 200).map((d) => [d.key, d.id]), { timeout: 30_000, interval: 100 })
        .toEqual([[firstKey, 'wamid.TEAM1']]);
      await expect.poll(async () => (await db.query<{ claimed_by: string; done: boolean }>('SELECT claimed_by, done FROM rule_claims')).rows[0],
        { timeout: 20_000 }).toMatchObject({ claimed_by: expect.stringMatching(new RegExp(`:${other.child.pid}$`)), done: true });
    } finally {
      await db.end();
    }
  }, 120_000);
});
