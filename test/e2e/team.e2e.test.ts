// A team server in real Chromium: two `serve` processes on one throwaway PostgreSQL database; a browser
// open on B shows, live and without a reload, a webhook received by A. And when the database goes away,
// B's UI says so, and clears the banner when it is back. A transaction left open on the PostgreSQL server
// holds the live copy back: B's UI names it, and shows the webhook once it commits.
import { createHmac } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeE2E, useE2E } from '../helpers/e2e';
import { startServe, type ServeProcess } from '../helpers/serve';
import { PG_SKIP_LINE, pgAvailable, startPgCluster, type PgCluster } from '../helpers/pg-cluster';

const hasPg = pgAvailable() != null;
if (!hasPg) console.log(PG_SKIP_LINE);

const SECRET = 'team-e2e-secret';
const sign = (body: string) => `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;

function messageBody(id: string, text: string) {
  return JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: 'W', changes: [{ field: 'messages', value: {
    messaging_product: 'whatsapp', metadata: { display_phone_number: '1555', phone_number_id: '1' },
    contacts: [{ profile: { name: 'Beatriz' }, wa_id: '5511977776666' }],
    messages: [{ from: '5511977776666', id, timestamp: '1700000000', type: 'text', text: { body: text } }],
  } }] }] });
}

describeE2E('team server in Chromium', { skip: !hasPg }, () => {
  let cluster: PgCluster;
  let url: string;
  let a: ServeProcess;

  beforeAll(async () => {
    cluster = await startPgCluster();
    url = await cluster.createDatabase();
  });

  afterAll(async () => {
    await a?.stop();
    await cluster?.stop();
  });

  // B, with the browser on it; declared after the cluster's hooks: it starts on the database and stops before it goes.
  const b = useE2E(() => ({
    args: ['--database', url],
    env: { META_APP_SECRET: SECRET, HOOKSCOPE_TEAM_HELD_BACK_MS: '1000' },
    // A, the other server on the same database, before the page opens.
    seed: async () => { a = await startServe(['--database', url], { META_APP_SECRET: SECRET }); },
    page: { ready: 'feed' },
  }));

  it('a browser on B shows, live, a webhook received by A', async () => {
    const body = messageBody('wamid.E2E_TEAM_1', 'Chegou pelo servidor A');
    const r = await fetch(`${a.receiverUrl}/meta`, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(body) } });
    expect(r.status).toBe(200);
    const row = b.page.getByTestId('event-row').filter({ hasText: 'Chegou pelo servidor A' });
    await row.waitFor({ timeout: 15_000 });
    expect(await row.textContent()).toContain('Beatriz');
    // A second one, to be sure it is the live stream and not a first load.
    const body2 = messageBody('wamid.E2E_TEAM_2', 'E mais uma');
    await fetch(`${a.receiverUrl}/meta`, { method: 'POST', body: body2, headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(body2) } });
    await b.page.getByTestId('event-row').filter({ hasText: 'E mais uma' }).waitFor({ timeout: 15_000 });
    await expect.poll(() => b.page.getByTestId('event-row').count()).toBe(2);
  });

  it('a transaction left open on the PostgreSQL server: B says which one holds its copy back, then shows the webhook once it commits', async () => {
    const holder = new pg.Client({ connectionString: url, application_name: 'psql' });
    await holder.connect();
    try {
      const pid = (await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
      await holder.query('BEGIN');
      await holder.query('SELECT pg_current_xact_id()');
      const body = messageBody('wamid.E2E_TEAM_HELD', 'Esperando o commit');
      const r = await fetch(`${a.receiverUrl}/meta`, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(body) } });
      expect(r.status).toBe(200);
      const banner = b.page.getByTestId('held-back-banner');
      await banner.waitFor({ timeout: 20_000 });
      const text = await banner.textContent();
      expect(text).toContain(`pid ${pid}`);
      expect(text).toContain('psql');
      expect(text).toMatch(/still accepted and stored/);
      expect(await b.page.getByTestId('event-row').filter({ hasText: 'Esperando o commit' }).count()).toBe(0);
      await holder.query('COMMIT');
      await b.page.getByTestId('event-row').filter({ hasText: 'Esperando o commit' }).waitFor({ timeout: 15_000 });
      await banner.waitFor({ state: 'detached', timeout: 15_000 });
      expect(b.pageErrors).toEqual([]);
    } finally {
      await holder.end().catch(() => undefined);
    }
  });

  it('says "database unreachable" while the shared database is away, and clears it when it is back', async () => {
    cluster.pause();
    const banner = b.page.getByTestId('database-banner');
    await banner.waitFor({ timeout: 15_000 });
    expect(await banner.textContent()).toMatch(/Database unreachable \(127\.0\.0\.1:\d+\/\S+\)/);
    expect(await banner.textContent()).not.toContain('postgres@');
    cluster.resume();
    await banner.waitFor({ state: 'detached', timeout: 20_000 });
    expect(b.pageErrors).toEqual([]);
  });
});
