// A team server: two Hookscope cores (as two `serve` processes would be) on one real PostgreSQL database
// started by the test (test/helpers/pg-cluster.ts), each with its own data dir and receiver over real HTTP.
// What a team notices: a webhook received by A is listed by B; the provider's retry landing on B is a
// duplicate on both; a rule fires once across both (and nothing is claimed for it while no rule can act), and so does a health check; the store's checks hold on PostgreSQL as on SQLite;
// the database going away answers 503 and comes back on its own; unreachable at start is a clear error.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppInfo, TeamStatus } from '../../shared/ipc';
import type { EventPage, NotificationRecord, Rule } from '../../shared/types';
import type { HealthCheck } from '../../shared/health';
import { signMetaBody, startTestCore, type TestCore } from '../helpers/core';
import { PG_SKIP_LINE, pgAvailable, startPgCluster, type PgCluster } from '../helpers/pg-cluster';

const hasPg = pgAvailable() != null;
if (!hasPg) console.log(PG_SKIP_LINE);

const SECRET = 'team-app-secret';

function statusBody(id: string, status: string, n = 0) {
  return JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: 'W', changes: [{ field: 'messages', value: {
    messaging_product: 'whatsapp', metadata: { display_phone_number: '1555', phone_number_id: '1' },
    statuses: [{ id, status, timestamp: String(1_700_000_000 + n), recipient_id: '5511999990000' }],
  } }] }] });
}

function messageBody(id: string, text: string, from = '5511988887777', name = 'Ana') {
  return JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: 'W', changes: [{ field: 'messages', value: {
    messaging_product: 'whatsapp', metadata: { display_phone_number: '1555', phone_number_id: '1' },
    contacts: [{ profile: { name }, wa_id: from }],
    messages: [{ from, id, timestamp: '1700000000', type: 'text', text: { body: text } }],
  } }] }] });
}

async function until<T>(get: () => Promise<T>, ok: (v: T) => boolean, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await get();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`condition not met in time; last value: ${JSON.stringify(v).slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe.skipIf(!hasPg)('team server on PostgreSQL', () => {
  let cluster: PgCluster;
  const open: TestCore[] = [];
  beforeAll(async () => { cluster = await startPgCluster(); });
  afterEach(async () => { await Promise.all(open.splice(0).map((t) => t.close().catch(() => undefined))); });
  afterAll(async () => { await cluster?.stop(); });

  async function teamOf(url: string, n: number, extra: Parameters<typeof startTestCore>[0] = {}): Promise<TestCore[]> {
    const cores: TestCore[] = [];
    for (let i = 0; i < n; i++) {
      const t = await startTestCore({ databaseUrl: url, teamPollMs: 200, teamLeaderEveryMs: 200, env: { metaAppSecrets: [SECRET] }, ...extra });
      open.push(t);
      cores.push(t);
    }
    return cores;
  }
  const postMeta = (t: TestCore, body: string) => t.postMeta(body, SECRET);
  const list = (t: TestCore, q: Record<string, unknown> = {}) => t.call<EventPage>('events:list', { limit: 1000, ...q });

  it('a webhook received by A is listed by B within seconds, with the same ids and exact bytes', async () => {
    const [a, b] = await teamOf(await cluster.createDatabase(), 2);
    const body = messageBody('wamid.TEAM1', 'Olá, quero marcar uma consulta');
    expect((await postMeta(a, body)).status).toBe(200);
    const onB = await until(() => list(b), (p) => p.total === 1);
    const onA = await list(a);
    expect(onB.items[0]).toMatchObject({ messageId: 'wamid.TEAM1', text: 'Olá, quero marcar uma consulta', contactName: 'Ana', signature: 'valid' });
    expect(onB.items[0].id).toBe(onA.items[0].id);
    expect(onB.items[0].requestId).toBe(onA.items[0].requestId);
    const detail = await b.call<{ request: { body: string; headers: [string, string][] } }>('events:get', { id: onB.items[0].id });
    expect(detail.request.body).toBe(body);
    expect(detail.request.headers.find(([k]) => k === 'x-hub-signature-256')?.[1]).toBe(signMetaBody(body, SECRET));
  });

  it('the provider\'s retry landing on B is flagged duplicate, on both, in the same order', async () => {
    const [a, b] = await teamOf(await cluster.createDatabase(), 2);
    const body = statusBody('wamid.RETRY', 'delivered');
    expect((await postMeta(a, body)).status).toBe(200);
    // B has seen A's copy before the retry reaches it (a provider retries seconds to minutes later).
    await until(() => list(b), (p) => p.total === 1);
    expect((await postMeta(b, body)).status).toBe(200);
    for (const t of [a, b]) {
      const p = await until(() => list(t), (x) => x.total === 2);
      expect(p.items.map((e) => e.duplicate)).toEqual([true, false]); // newest first: the retry is the duplicate
    }
    // Both processes derive the same log: the same event ids carry the same flags.
    const [pa, pb] = [await list(a), await list(b)];
    expect(pa.items.map((e) => [e.id, e.duplicate])).toEqual(pb.items.map((e) => [e.id, e.duplicate]));
  });

  it('duplicates across processes come out the same everywhere, even when both arrive at once', async () => {
    const [a, b] = await teamOf(await cluster.createDatabase(), 2);
    const bodies = Array.from({ length: 20 }, (_, i) => statusBody(`wamid.BOTH${i}`, 'read', i));
    // Each webhook lands on both processes at the same time (a retry racing the original).
    const answers = await Promise.all(bodies.flatMap((body) => [postMeta(a, body), postMeta(b, body)]));
    expect(answers.every((r) => r.status === 200)).toBe(true);
    const pa = await until(() => list(a), (x) => x.total === 40);
    const pb = await until(() => list(b), (x) => x.total === 40);
    expect(pa.items.map((e) => [e.id, e.messageId, e.duplicate])).toEqual(pb.items.map((e) => [e.id, e.messageId, e.duplicate]));
    // Exactly one of each pair is the duplicate: the later one in the shared order.
    for (let i = 0; i < 20; i++) {
      const pair = pa.items.filter((e) => e.messageId === `wamid.BOTH${i}`).sort((x, y) => x.id - y.id);
      expect(pair.map((e) => e.duplicate)).toEqual([false, true]);
    }
  });

  it('a rule fires once across A and B', async () => {
    const url = await cluster.createDatabase();
    const [a, b] = await teamOf(url, 2);
    // Made on A only: the team's rules live in PostgreSQL, so B runs the very same rule.
    await a.call('rules:create', { name: 'Any reply', when: { kind: ['message'] }, title: '{contactName} wrote', body: '{text}' });
    await until(() => b.call<Rule[]>('rules:list'), (r) => r.length === 1);
    const n = 12;
    await Promise.all(Array.from({ length: n }, (_, i) => postMeta(i % 2 ? a : b, messageBody(`wamid.R${i}`, `hello ${i}`))));
    await until(() => list(a), (p) => p.total === n);
    await until(() => list(b), (p) => p.total === n);
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      // Every request claimed in PostgreSQL: both processes have had their say.
      await until(async () => Number((await c.query('SELECT count(*) AS n FROM rule_claims')).rows[0].n), (x) => x === n);
    } finally {
      await c.end();
    }
    const fired = async () => {
      const na = (await a.call<{ items: NotificationRecord[] }>('notifications:list', {})).items;
      const nb = (await b.call<{ items: NotificationRecord[] }>('notifications:list', {})).items;
      return [...na, ...nb];
    };
    const all = await until(fired, (x) => x.length >= n);
    // Give a late second firing every chance to show up before counting.
    await new Promise((r) => setTimeout(r, 500));
    const final = await fired();
    expect(final.length).toBe(n);
    expect(new Set(final.map((x) => x.body))).toEqual(new Set(Array.from({ length: n }, (_, i) => `hello ${i}`)));
    expect(all.length).toBe(n);
  });

  it('without a rule no request is claimed in the shared record; with one, each is claimed and fires once (twice)', async () => {
    const url = await cluster.createDatabase();
    const [a, b] = await teamOf(url, 2);
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    const claimed = async () => (await c.query<{ id: string }>('SELECT request_id AS id FROM rule_claims ORDER BY request_id')).rows.map((r) => Number(r.id));
    const fired = async () => {
      const na = (await a.call<{ items: NotificationRecord[] }>('notifications:list', {})).items;
      const nb = (await b.call<{ items: NotificationRecord[] }>('notifications:list', {})).items;
      return [...na, ...nb].map((x) => x.body).sort();
    };
    try {
      let total = 0;
      const expected: string[] = [];
      for (const round of [1, 2]) {
        // No rule anywhere: both processes derive every request and claim none of them.
        await Promise.all(Array.from({ length: 6 }, (_, i) => postMeta(i % 2 ? a : b, messageBody(`wamid.N${round}-${i}`, `quiet ${round}-${i}`))));
        total += 6;
        for (const t of [a, b]) await until(() => list(t), (p) => p.total === total);
        const rule = await a.call<Rule>('rules:create', { name: 'Any reply', when: { kind: ['message'] }, title: 't', body: '{text}' });
        await until(() => b.call<Rule[]>('rules:list'), (r) => r.length === 1);
        // With the rule, the next request of each process is claimed. Each process claims in derivation
        // order, one batch after another: once these claims are in, the quiet requests' would be too.
        await Promise.all([postMeta(a, messageBody(`wamid.A${round}`, `ruled ${round}-a`)), postMeta(b, messageBody(`wamid.B${round}`, `ruled ${round}-b`))]);
        total += 2;
        expected.push(`ruled ${round}-a`, `ruled ${round}-b`);
        const ruled = (await until(() => list(a, { limit: 2 }), (p) => p.total === total)).items.map((e) => e.requestId);
        const claims = await until(claimed, (x) => x.length === 2 * round);
        expect(claims.slice(-2).sort((x, y) => x - y)).toEqual(ruled.sort((x, y) => x - y));
        expect(await until(fired, (x) => x.length === expected.length)).toEqual([...expected].sort());
        await b.call('rules:delete', { id: rule.id });
        await until(() => a.call<Rule[]>('rules:list'), (r) => r.length === 0);
      }
      expect(await fired()).toEqual([...expected].sort());
    } finally {
      await c.end();
    }
  });

  it('a health check fires once across A and B, told by the process running the timers, and recovers once', async () => {
    const url = await cluster.createDatabase();
    const clock = { now: Date.UTC(2026, 5, 1, 12) };
    const [a, b] = await teamOf(url, 2, { clock: () => clock.now, rulesTickMs: 3_600_000 });
    // Health checks are set per process, like settings.
    for (const t of [a, b]) await t.call('health:update', { id: 'silence', enabled: true, params: { minutes: 10 } });
    clock.now += 10 * 60_000;
    const told = async () => {
      const titles: string[] = [];
      for (const t of [a, b]) {
        t.core.tickRules();
        titles.push(...(await t.call<{ items: NotificationRecord[] }>('notifications:list', {})).items.filter((n) => n.ruleId === 0).map((n) => n.title));
      }
      return titles.sort();
    };
    await until(told, (x) => x.length >= 1);
    for (let i = 0; i < 5; i++) expect(await told()).toEqual(['No webhooks from any provider for 10 minutes']);
    // Both processes show it firing: each keeps the state from its own copy of the history.
    for (const t of [a, b]) expect((await t.call<{ checks: HealthCheck[] }>('health:list')).checks.find((c) => c.id === 'silence')!.state).toBe('firing');

    expect((await postMeta(a, messageBody('wamid.HEALTH', 'back'))).status).toBe(200);
    await until(() => list(b), (p) => p.total === 1);
    const both = ['No webhooks from any provider for 10 minutes', 'Webhooks from any provider are arriving again'];
    await until(told, (x) => x.length >= 2);
    for (let i = 0; i < 3; i++) expect(await told()).toEqual(both);
    for (const t of [a, b]) expect((await t.call<{ checks: HealthCheck[] }>('health:list')).checks.find((c) => c.id === 'silence')!.state).toBe('ok');
  });

  it('rules are the team\'s: made on A they show on B, changed on B they change on A, ids never collide', async () => {
    const [a, b] = await teamOf(await cluster.createDatabase(), 2);
    // Both at once: the shared sequence hands out the ids.
    const [ra, rb] = await Promise.all([
      a.call<Rule>('rules:create', { name: 'From A', when: { kind: ['message'] }, title: 'a', body: '{text}',
        actions: [{ type: 'http', url: 'https://crm.example/hook', method: 'POST', body: '{text|json}', secret: 'sign-with-this' }] }),
      b.call<Rule>('rules:create', { name: 'From B', when: { status: ['failed'] }, title: 'b', body: '{errorTitle}' }),
    ]);
    expect(ra.id).not.toBe(rb.id);
    const names = (r: Rule[]) => r.map((x) => `${x.id}:${x.name}`).sort();
    const onA = await until(() => a.call<Rule[]>('rules:list'), (r) => r.length === 2);
    const onB = await until(() => b.call<Rule[]>('rules:list'), (r) => r.length === 2);
    expect(names(onA)).toEqual(names(onB));
    // The write-only secret travels with the rule (B can sign A's action) and is still never shown.
    const aOnB = onB.find((r) => r.id === ra.id)!;
    expect(aOnB.actions?.[0]).toMatchObject({ type: 'http', secretSet: true });
    expect(JSON.stringify(onB)).not.toContain('sign-with-this');
    await b.call('rules:update', { id: ra.id, rule: { ...aOnB, name: 'Renamed on B', actions: [{ ...aOnB.actions![0], secretSet: undefined }] } });
    await until(() => a.call<Rule[]>('rules:list'), (r) => r.some((x) => x.id === ra.id && x.name === 'Renamed on B'));
    expect((await a.call<Rule[]>('rules:list')).find((x) => x.id === ra.id)?.actions?.[0]).toMatchObject({ secretSet: true });
    await a.call('rules:delete', { id: rb.id });
    await until(() => b.call<Rule[]>('rules:list'), (r) => r.length === 1 && r[0].id === ra.id);
  });

  it('forgetting a contact on A erases it from the shared record and from B too; others are untouched', async () => {
    const url = await cluster.createDatabase();
    const [a, b] = await teamOf(url, 2);
    await postMeta(a, messageBody('wamid.F1', 'my secret appointment', '5511933334444', 'Forget Me'));
    await postMeta(b, messageBody('wamid.F2', 'keep this one', '5511955556666', 'Keep Me'));
    await until(() => list(b), (p) => p.total === 2);
    await until(() => list(a), (p) => p.total === 2);
    const r = await a.call<{ requests: number; events: number }>('contacts:forget', { contactId: '+55 11 93333-4444' });
    expect(r).toMatchObject({ requests: 1, events: 1 });
    // B erases it too, on its own, and keeps the other contact.
    const onB = await until(() => list(b), (p) => p.total === 1);
    expect(onB.items[0].contactName).toBe('Keep Me');
    expect((await b.call<EventPage>('events:list', { q: 'secret' })).total).toBe(0);
    // Byte for byte in every process's own read model too (docs/api.md "Forget a contact"): each rewrites
    // its file after erasing, so neither file, WAL nor shm keeps the number or the words.
    const traces = (t: TestCore) => readdirSync(t.dataDir).filter((f) => /\.db(-wal|-shm)?$/.test(f))
      .filter((f) => { const bytes = readFileSync(join(t.dataDir, f)); return ['5511933334444', 'my secret appointment', 'Forget Me'].some((x) => bytes.includes(Buffer.from(x))); });
    for (const t of [a, b]) {
      await until(async () => traces(t), (left) => left.length === 0, 15_000);
      expect(traces(t), t.dataDir).toEqual([]);
      // The other contact is still there (in the file or its WAL).
      expect(readdirSync(t.dataDir).filter((f) => /\.db(-wal)?$/.test(f)).some((f) => readFileSync(join(t.dataDir, f)).includes(Buffer.from('keep this one')))).toBe(true);
    }
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      const bodies = (await c.query<{ body: Buffer }>('SELECT body FROM requests')).rows.map((x) => x.body.toString());
      expect(bodies).toHaveLength(1);
      expect(bodies.join('')).not.toContain('5511933334444');
      expect(bodies.join('')).not.toContain('my secret appointment');
    } finally {
      await c.end();
    }
    // A process joining later copies only what is left.
    const [late] = await teamOf(url, 1);
    const onLate = await until(() => list(late), (p) => p.total === 1);
    expect(onLate.items[0].contactName).toBe('Keep Me');
  });

  it('the database going away: the receiver answers 503, the UI hears "unreachable", and both come back on their own', async () => {
    // A cluster of its own: this test stops it.
    const own = await startPgCluster();
    try {
      const url = await own.createDatabase();
      const [a] = await teamOf(url, 1);
      const statuses: TeamStatus[] = [];
      a.core.on('team:changed', (s) => statuses.push(s));
      expect((await postMeta(a, statusBody('wamid.UP1', 'sent'))).status).toBe(200);
      own.pause();
      const r = await until(() => postMeta(a, statusBody('wamid.DOWN', 'sent')), (x) => x.status === 503);
      expect(r.headers.get('retry-after')).toBeTruthy();
      await until(async () => (await a.call<AppInfo>('app:info')).team, (t) => t?.connected === false);
      expect(statuses.at(-1)).toMatchObject({ connected: false });
      // The history already copied here stays readable meanwhile.
      expect((await list(a)).total).toBe(1);
      own.resume();
      await until(() => postMeta(a, statusBody('wamid.UP2', 'sent')), (x) => x.status === 200);
      await until(async () => (await a.call<AppInfo>('app:info')).team, (t) => t?.connected === true);
      expect(statuses.at(-1)).toMatchObject({ connected: true });
      const p = await until(() => list(a), (x) => x.total === 2);
      expect(p.items.map((e) => e.messageId).sort()).toEqual(['wamid.UP1', 'wamid.UP2']);
      // Never the password, never the URL's user: only where.
      expect(JSON.stringify(statuses)).not.toContain('postgres@');
    } finally {
      await Promise.all(open.splice(0).map((t) => t.close().catch(() => undefined)));
      await own.stop();
    }
  }, 120_000);

  it('unreachable at start: start() fails with one clear error naming host and port, never the password', async () => {
    const { createServer } = await import('node:net');
    const port = await new Promise<number>((r) => { const s = createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => r(p)); }); });
    const err = await startTestCore({ databaseUrl: `postgres://hook:s3cr3t-pw@127.0.0.1:${port}/team` }).then((t) => { open.push(t); return null; }, (e: Error & { code?: string }) => e);
    expect(err?.code).toBe('DB_UNREACHABLE');
    expect(err?.message).toContain(`127.0.0.1:${port}`);
    expect(err?.message).not.toContain('s3cr3t-pw');
  });

  it('a data dir holding its own history is refused as a team server\'s read model', async () => {
    const solo = await startTestCore({});
    const dir = solo.dataDir;
    await solo.post('/meta', statusBody('wamid.SOLO', 'sent'));
    await solo.core.stop();
    const err = await startTestCore({ dataDir: dir, databaseUrl: await cluster.createDatabase() }).then((t) => { open.push(t); return null; }, (e: Error) => e);
    expect(err?.message).toMatch(/empty --data-dir/);
  });
});

// The store's integration checks, on both back ends: ingest → list / filter / search → retention.
describe.each(hasPg ? ['sqlite', 'postgres'] as const : ['sqlite'] as const)('store checks on %s', (backend) => {
  let cluster: PgCluster | null = null;
  let t: TestCore | null = null;
  beforeAll(async () => { if (backend === 'postgres') cluster = await startPgCluster(); });
  afterEach(async () => { await t?.close(); t = null; });
  afterAll(async () => { await cluster?.stop(); });

  async function start() {
    const url = cluster ? await cluster.createDatabase() : undefined;
    t = await startTestCore({ databaseUrl: url, teamPollMs: 200, teamLeaderEveryMs: 100 });
    return { t, url };
  }

  it('ingests, then lists, filters and searches what it ingested', async () => {
    const { t } = await start();
    const posts = [
      messageBody('wamid.S1', 'quero remarcar a consulta', '5511911110001', 'Bruna'),
      messageBody('wamid.S2', 'obrigado!', '5511911110002', 'Caio'),
      statusBody('wamid.OUT1', 'delivered', 1),
      statusBody('wamid.OUT1', 'read', 2),
      statusBody('wamid.OUT2', 'failed', 3),
    ];
    for (const b of posts) expect((await t.post('/meta', b)).status).toBe(200);
    const all = await t.call<EventPage>('events:list', {});
    expect(all.total).toBe(5);
    expect((await t.call<EventPage>('events:list', { status: ['read', 'failed'] })).items.map((e) => e.messageId).sort()).toEqual(['wamid.OUT1', 'wamid.OUT2']);
    expect((await t.call<EventPage>('events:list', { kind: ['message'], contact: '5511911110002' })).items.map((e) => e.contactName)).toEqual(['Caio']);
    const found = await t.call<EventPage>('events:list', { q: 'remarcar' });
    expect(found.items.map((e) => e.messageId)).toEqual(['wamid.S1']);
    expect((await t.call<EventPage>('events:list', { q: 'Bruna' })).total).toBe(1);
    const life = await t.call<{ current: string }>('messages:get', { messageId: 'wamid.OUT1' });
    expect(life.current).toBe('read');
  });

  it('retention keeps the newest maxEvents, here and (team) in the shared record', async () => {
    const { t, url } = await start();
    for (let i = 0; i < 130; i++) expect((await t.post('/meta', statusBody(`wamid.K${i}`, 'sent', i))).status).toBe(200);
    await t.call('settings:update', { retention: { maxEvents: 100 } });
    await t.core.tools!.retention.drain();
    const page = await t.call<EventPage>('events:list', { limit: 100 });
    expect(page.total).toBe(100);
    expect(page.items.map((e) => e.messageId).sort()).toEqual(Array.from({ length: 100 }, (_, i) => `wamid.K${30 + i}`).sort());
    if (url) {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        await until(async () => {
          // The retention lock is taken within a leadership round; the setting's change prunes, and so does the timer.
          await t.call('settings:update', { retention: { maxEvents: 100 } });
          return Number((await c.query('SELECT count(*) AS n FROM requests')).rows[0].n);
        }, (n) => n === 100);
      } finally {
        await c.end();
      }
    }
  });
});
