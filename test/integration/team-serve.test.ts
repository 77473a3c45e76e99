// Team server as users run it: real `serve` processes (dist-electron/headless.mjs) sharing one throwaway
// PostgreSQL database. kill -9 of A in the middle of a burst: every webhook A answered 200 is in the
// shared history, listed by B. And a database unreachable at start: exit 1 with one clear line.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EventPage } from '../../shared/types';
import { signMetaBody } from '../helpers/core';
import { burstThenKill, spawnServe, startServe, type ServeProcess } from '../helpers/serve';
import { PG_SKIP_LINE, pgAvailable, startPgCluster, type PgCluster } from '../helpers/pg-cluster';

const hasPg = pgAvailable() != null;
if (!hasPg) console.log(PG_SKIP_LINE);

describe.skipIf(!hasPg)('serve --database postgres://…', () => {
  let cluster: PgCluster;
  const procs: ServeProcess[] = [];
  beforeAll(async () => { cluster = await startPgCluster(); });
  afterEach(async () => { await Promise.all(procs.splice(0).map((p) => p.stop('SIGKILL'))); });
  afterAll(async () => { await cluster?.stop(); });

  async function allMessageIds(s: ServeProcess): Promise<Set<string>> {
    const ids = new Set<string>();
    let before: number | undefined;
    for (;;) {
      const page = await s.api<EventPage>(`/api/events?limit=1000${before ? `&before=${before}` : ''}`);
      for (const e of page.body.items) ids.add(e.messageId!);
      if (page.body.items.length < 1000) break;
      before = page.body.items.at(-1)!.id;
    }
    return ids;
  }

  it('kill -9 of A mid-burst: every webhook A acknowledged is in the shared history, listed by B', async () => {
    const secret = 'team-burst-secret';
    // Trust authentication ignores the password, so the URL can carry one the logs must never show.
    const u = new URL(await cluster.createDatabase());
    u.password = 'burst-pw-1234';
    const url = u.toString();
    const a = await startServe(['--database', url], { META_APP_SECRET: secret });
    const b = await startServe([], { META_APP_SECRET: secret, HOOKSCOPE_DATABASE_URL: url });
    procs.push(a, b);
    expect(a.stdout()).toMatch(/^database: postgres 127\.0\.0\.1:\d+\/\S+ \(team server\)$/m);
    const acked = await burstThenKill(a, (body) => signMetaBody(body, secret), 300);
    expect(acked.size).toBeGreaterThanOrEqual(300);
    // B lists everything A answered 200 for (it mirrors the shared record; A is gone).
    const end = Date.now() + 60_000;
    let lost: string[] = [...acked];
    while (lost.length > 0 && Date.now() < end) {
      const onB = await allMessageIds(b);
      lost = [...acked].filter((id) => !onB.has(id));
      if (lost.length) await new Promise((r) => setTimeout(r, 200));
    }
    expect(lost).toEqual([]);
    // The URL's password never reached a log line.
    expect(a.stdout() + a.stderr() + b.stdout() + b.stderr()).not.toContain('burst-pw-1234');
    const info = await b.api<{ team?: { database: string; connected: boolean } }>('/api/rpc/app:info', { method: 'POST', body: 'null' });
    expect(info.body).toMatchObject({ ok: true, value: { team: { connected: true } } });
    expect(JSON.stringify(info.body)).not.toContain('burst-pw-1234');
  }, 120_000);

  it('a database unreachable at start: exit 1 with one line naming host and port, never the password', async () => {
    const { createServer } = await import('node:net');
    const port = await new Promise<number>((r) => { const s = createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => r(p)); }); });
    const { child, output } = spawnServe(['--database', `postgres://hook:pa55-w0rd@127.0.0.1:${port}/team`]);
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(code).toBe(1);
    const lines = output.err.trim().split('\n').filter(Boolean);
    expect(lines.at(-1)).toMatch(new RegExp(`^hookscope: Cannot reach the PostgreSQL database at 127\\.0\\.0\\.1:${port}/team`));
    expect(output.out + output.err).not.toContain('pa55-w0rd');
    expect(output.out).not.toMatch(/^ui: /m);
  });

  it('a --database that is not a postgres:// URL is refused without echoing it', async () => {
    const { child, output } = spawnServe(['--database', 'mysql://u:hidden-pw@h/db']);
    expect(await new Promise<number | null>((r) => child.on('exit', (c) => r(c)))).toBe(1);
    expect(output.err).toMatch(/--database takes a postgres:\/\//);
    expect(output.err).not.toContain('hidden-pw');
  });
});
