// The team server's shared record on a real, throwaway PostgreSQL cluster (test/helpers/pg-cluster.ts):
// appends from several connections commit in parallel yet a tailer takes them in id order, never skipping an id, a claim is
// won once, one leader at a time (also when the leader's connection is cut), migrations run once and a
// newer schema is refused untouched, and an unreachable database is a clear error without its password.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPgLog, type PgLog, type SharedRequest } from '../../electron/core/team/pg-log';
import { PG_MIGRATIONS } from '../../electron/core/team/pg-migrations';
import pg from 'pg';
import { createPgAppender } from '../../electron/core/team/pg-writer';
import { createMirror } from '../../electron/core/team/mirror';
import type { IngestRequest } from '../../electron/core/store/store';
import { silentLogger } from '../../electron/core/types';
import { PG_SKIP_LINE, pgAvailable, startPgCluster, type PgCluster } from '../helpers/pg-cluster';

const hasPg = pgAvailable() != null;
if (!hasPg) console.log(PG_SKIP_LINE);

function req(n: number, body = `{"n":${n}}`): IngestRequest {
  return {
    receivedAt: 1_700_000_000_000 + n, method: 'POST', path: '/meta', query: '', headers: [['content-type', 'application/json'], ['x-n', String(n)]],
    body: Buffer.from(body), provider: 'meta', responseStatus: 200, signature: 'unchecked', signatureDiagnosis: null, error: null, origin: 'network',
  };
}

const until = async (cond: () => boolean | Promise<boolean>, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe.skipIf(!hasPg)('shared record on PostgreSQL', () => {
  let cluster: PgCluster;
  beforeAll(async () => { cluster = await startPgCluster(); });
  afterAll(async () => { await cluster?.stop(); });

  it('keeps the exact bytes and headers of each request, and gives ids in commit order', async () => {
    const url = await cluster.createDatabase();
    const log = await openPgLog({ url, logger: silentLogger });
    try {
      const binary = Buffer.from([0, 1, 2, 0xff, 0xfe, 0x80]);
      const ids = await log.append([req(1), { ...req(2), body: binary }, { ...req(3), body: null }]);
      expect(ids).toHaveLength(3);
      expect(ids[1]).toBeGreaterThan(ids[0]);
      const rows = await log.after(0, 10);
      expect(rows.map((r) => r.id)).toEqual(ids);
      expect(rows[0].body?.toString()).toBe('{"n":1}');
      expect(Buffer.compare(rows[1].body!, binary)).toBe(0);
      expect(rows[2].body).toBeNull();
      expect(rows[0].headers).toEqual([['content-type', 'application/json'], ['x-n', '1']]);
      expect(rows[0].receivedAt).toBe(1_700_000_000_001);
      expect(await log.maxId()).toBe(ids[2]);
    } finally {
      await log.close();
    }
  });

  it('two processes appending at once: a tailer sees every id, in order, none skipped', async () => {
    const url = await cluster.createDatabase();
    const [a, b, tail] = await Promise.all([0, 1, 2].map(() => openPgLog({ url, logger: silentLogger })));
    try {
      const applied: SharedRequest[] = [];
      let through = 0;
      const mirror = createMirror({
        log: tail, logger: silentLogger, pollMs: 50, pageSize: 7,
        sink: { mirrored: () => through, apply(rows, t) { applied.push(...rows); through = t; } },
      });
      mirror.start();
      const wa = createPgAppender({ log: a, maxBatch: 9 });
      const wb = createPgAppender({ log: b, maxBatch: 5 });
      const acked: number[] = [];
      await Promise.all(Array.from({ length: 300 }, (_, i) => (i % 2 ? wa : wb).submit(req(i)).then((id) => acked.push(id))));
      await until(() => applied.length >= 300);
      await mirror.stop();
      const ids = applied.map((r) => r.id);
      // Strictly ascending (no id applied twice, none out of order) and exactly the acknowledged set.
      expect(ids.every((id, i) => i === 0 || id > ids[i - 1])).toBe(true);
      expect(new Set(ids)).toEqual(new Set(acked));
      expect(new Set(applied.map((r) => r.body?.toString())).size).toBe(300);
    } finally {
      await Promise.all([a, b, tail].map((l) => l.close()));
    }
  });

  it('appends commit in parallel, out of id order: a tailer waits for the late id, never skips it, never reads it twice (twice)', async () => {
    const url = await cluster.createDatabase();
    const [b, tail] = await Promise.all([0, 1].map(() => openPgLog({ url, logger: silentLogger })));
    // An append left open: its id is drawn, its COMMIT has not happened (a slow fsync, a stalled process).
    const slow = new pg.Client({ connectionString: url });
    await slow.connect();
    const mirrors: { applied: number[]; pulls: number; mirror: ReturnType<typeof createMirror> }[] = [];
    // Two tailers: one with no rows of its own, and the appender's own (it holds its row until settled).
    for (const log of [tail, b]) {
      const m = { applied: [] as number[], pulls: 0, mirror: null as unknown as ReturnType<typeof createMirror> };
      let through = 0;
      m.mirror = createMirror({
        log: { page: (...args) => { m.pulls++; return log.page(...args); }, listen: (...args) => log.listen(...args) },
        logger: silentLogger, pollMs: 20,
        sink: { mirrored: () => through, apply(rows, t) { m.applied.push(...rows.map((r) => r.id)); through = t; } },
      });
      m.mirror.start();
      mirrors.push(m);
    }
    const writer = createPgAppender({ log: b, onCommitted: (rows, ids, xact) => mirrors[1].mirror.offer(rows, ids, xact) });
    try {
      const expected: number[] = [];
      for (let round = 0; round < 2; round++) {
        await slow.query('BEGIN');
        const r = req(100 + round);
        const early = Number((await slow.query<{ ids: string[] }>('SELECT ids FROM hookscope_append_batch($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)', [
          [r.receivedAt], [r.method], [r.path], [r.query], [JSON.stringify(r.headers)], [r.body], [r.provider], [r.responseStatus], [r.signature], [null], [null], [r.origin],
        ])).rows[0].ids[0]);
        const late = await writer.submit(req(200 + round));
        expect(late).toBeGreaterThan(early);
        // The later id committed first: nobody takes it while the earlier one may still commit.
        const page = await tail.page(expected.at(-1) ?? 0, 10);
        expect(page.rows.map((x) => x.id)).toEqual([]);
        const pulled = mirrors.map((m) => m.pulls);
        await expect.poll(() => mirrors.every((m, i) => m.pulls >= pulled[i] + 3)).toBe(true);
        for (const m of mirrors) expect(m.applied).toEqual(expected);
        await slow.query('COMMIT');
        expected.push(early, late);
        for (const m of mirrors) await expect.poll(() => m.applied).toEqual(expected);
      }
      // Settled now, nothing read twice by later pulls either.
      const pulled = mirrors.map((m) => m.pulls);
      await expect.poll(() => mirrors.every((m, i) => m.pulls >= pulled[i] + 3)).toBe(true);
      for (const m of mirrors) expect(m.applied).toEqual(expected);
      expect((await tail.page(0, 10)).rows.map((x) => x.id)).toEqual(expected);
    } finally {
      for (const m of mirrors) await m.mirror.stop();
      await slow.end();
      await Promise.all([b.close(), tail.close()]);
    }
  });

  it('hears of new requests through LISTEN/NOTIFY well before its poll', async () => {
    const url = await cluster.createDatabase();
    const [a, b] = await Promise.all([0, 1].map(() => openPgLog({ url, logger: silentLogger })));
    try {
      const heard: string[] = [];
      const up = new Promise<void>((resolve) => { b.listen((last, first) => heard.push(`${first}-${last}`), (isUp) => { if (isUp) resolve(); }); });
      await up;
      const [id] = await a.append([req(1)]);
      await until(() => heard.includes(`${id}-${id}`), 5000);
      // The NOTIFY names the whole range one append committed: a listener fetches just that.
      const ids = await a.append([req(2), req(3), req(4)]);
      await until(() => heard.includes(`${ids[0]}-${ids[2]}`), 5000);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('a claim is won by exactly one of the processes racing for it', async () => {
    const url = await cluster.createDatabase();
    const logs = await Promise.all([0, 1, 2].map(() => openPgLog({ url, logger: silentLogger })));
    try {
      const [id] = await logs[0].append([req(1)]);
      const won = await Promise.all(logs.map((l, i) => l.claim(id, `p${i}`)));
      expect(won.filter(Boolean)).toHaveLength(1);
      expect(await logs[1].claim(id, 'again')).toBe(false);
    } finally {
      await Promise.all(logs.map((l) => l.close()));
    }
  });

  it('one leader at a time; another takes over when the leader goes', async () => {
    const url = await cluster.createDatabase();
    const [a, b] = await Promise.all([0, 1].map(() => openPgLog({ url, logger: silentLogger })));
    try {
      const la = a.leadership(4242, { everyMs: 50 });
      await until(() => la.isLeader());
      const lb = b.leadership(4242, { everyMs: 50 });
      await new Promise((r) => setTimeout(r, 300));
      expect(lb.isLeader()).toBe(false);
      await la.stop();
      await until(() => lb.isLeader());
      await lb.stop();
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('prunes old requests and their claims', async () => {
    const url = await cluster.createDatabase();
    const log = await openPgLog({ url, logger: silentLogger });
    try {
      const ids = await log.append([req(1), req(2), req(3), req(4)]);
      await log.claim(ids[0], 'x');
      expect(await log.prune({ olderThan: 1_700_000_000_003 })).toBe(2);
      expect((await log.after(0, 10)).map((r) => r.id)).toEqual(ids.slice(2));
      expect(await log.claim(ids[0], 'y')).toBe(true); // the claim went with its request
      expect(await log.prune({ beforeId: ids[3] })).toBe(1);
      expect((await log.counts()).requests).toBe(1);
    } finally {
      await log.close();
    }
  });

  it('an unreachable database at start: one clear error naming host and port, never the password', async () => {
    // A port nothing listens on: the cluster's port + 1 is not guaranteed free, so bind-and-close one.
    const { createServer } = await import('node:net');
    const port = await new Promise<number>((r) => { const s = createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => r(p)); }); });
    const err = await openPgLog({ url: `postgres://team:hunter2-secret@127.0.0.1:${port}/hookscope`, logger: silentLogger, connectTimeoutMs: 2000 }).then(() => null, (e: Error & { code?: string }) => e);
    expect(err).not.toBeNull();
    expect(err!.code).toBe('DB_UNREACHABLE');
    expect(err!.message).toContain(`127.0.0.1:${port}`);
    expect(err!.message).not.toContain('hunter2-secret');
  });

  it('a wrong password: a clear error without the password', async () => {
    const url = await cluster.createDatabase();
    const u = new URL(url);
    u.pathname = '/no_such_database';
    u.password = 'pa55-word';
    const err = await openPgLog({ url: u.toString(), logger: silentLogger }).then(() => null, (e: Error) => e);
    expect(err?.message).toMatch(/no_such_database/);
    expect(err?.message).not.toContain('pa55-word');
  });

  it('a team database from before one-statement appends keeps its history; new appends continue its ids', async () => {
    const url = await cluster.createDatabase();
    // The database as the previous version left it: schema 4, requests appended by its INSERTs.
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      for (const m of PG_MIGRATIONS.slice(0, 4)) await c.query(m);
      await c.query('CREATE TABLE hookscope_schema (version integer NOT NULL); INSERT INTO hookscope_schema VALUES (4)');
      await c.query(`INSERT INTO requests (received_at, method, path, headers, body, body_size, provider, response_status, signature)
        VALUES (1, 'POST', '/meta', '[]', 'old one', 7, 'meta', 200, 'valid'), (2, 'POST', '/meta', '[]', 'old two', 7, 'meta', 200, 'valid')`);
    } finally {
      await c.end();
    }
    const log = await openPgLog({ url, logger: silentLogger });
    try {
      const ids = await log.append([req(3), req(4)]);
      expect(ids).toEqual([3, 4]);
      const rows = await log.after(0, 10);
      expect(rows.map((r) => [r.id, r.body?.toString()])).toEqual([[1, 'old one'], [2, 'old two'], [3, '{"n":3}'], [4, '{"n":4}']]);
    } finally {
      await log.close();
    }
  });

  it('reopening migrates nothing again; a database from a newer Hookscope is refused and left as it was', async () => {
    const url = await cluster.createDatabase();
    const first = await openPgLog({ url, logger: silentLogger });
    const [id] = await first.append([req(1)]);
    await first.close();
    const again = await openPgLog({ url, logger: silentLogger });
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      expect(again.databaseId).toBe(first.databaseId);
      expect((await again.after(0, 10)).map((r) => r.id)).toEqual([id]);
      await again.close();
      const schema = async () => (await admin.query<{ version: number }>('SELECT version FROM hookscope_schema')).rows.map((r) => r.version);
      expect(await schema()).toEqual([PG_MIGRATIONS.length]);

      await admin.query('UPDATE hookscope_schema SET version = $1', [PG_MIGRATIONS.length + 1]);
      const err = await openPgLog({ url, logger: silentLogger }).then(() => null, (e: Error & { code?: string }) => e);
      expect(err?.code).toBe('DB_TOO_NEW');
      expect(err?.message).toContain(`${cluster.host}:${cluster.port}`);
      expect(await schema()).toEqual([PG_MIGRATIONS.length + 1]);
      expect(Number((await admin.query<{ n: string }>('SELECT count(*) AS n FROM requests')).rows[0].n)).toBe(1);
    } finally {
      await admin.end();
    }
  });

  it('the leader\'s connection cut: it stops leading at once and another takes over; cut again, that one reconnects and leads', async () => {
    const url = await cluster.createDatabase();
    const [a, b] = await Promise.all(['hs-a', 'hs-b'].map((appName) => openPgLog({ url, logger: silentLogger, appName })));
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    // Who holds the lock in PostgreSQL: the backend's pid and the process's leadership connection name.
    const holder = async () => (await admin.query<{ pid: number; app: string }>(`SELECT l.pid, a.application_name AS app FROM pg_locks l
      JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.objid = 4343 AND l.granted`)).rows;
    // Cut a connection as a failover or a network break would: the server ends the session.
    const cut = (pid: number) => admin.query('SELECT pg_terminate_backend($1)', [pid]);
    try {
      // A tries once a minute: once cut, only the lost connection itself can tell it that it no longer leads.
      const la = a.leadership(4343, { everyMs: 60_000 });
      await until(() => la.isLeader());
      const lb = b.leadership(4343, { everyMs: 50 });
      const [first] = await holder();
      expect(first.app).toBe('hs-a-lead');

      await cut(first.pid);
      await until(async () => !la.isLeader() && lb.isLeader() && (await holder())[0]?.app === 'hs-b-lead');

      const [second] = await holder();
      await cut(second.pid);
      await until(async () => { const h = await holder(); return lb.isLeader() && !la.isLeader() && h.length === 1 && h[0].app === 'hs-b-lead' && h[0].pid !== second.pid; });
      await Promise.all([la.stop(), lb.stop()]);
    } finally {
      await admin.end();
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('processes starting at once migrate once', async () => {
    const url = await cluster.createDatabase();
    const logs: PgLog[] = await Promise.all([0, 1, 2, 3].map(() => openPgLog({ url, logger: silentLogger })));
    try {
      expect(new Set(logs.map((l) => l.databaseId)).size).toBe(1);
    } finally {
      await Promise.all(logs.map((l) => l.close()));
    }
  });
});
