// A team server whose live copy is held back: a session elsewhere on the same PostgreSQL server opens a
// transaction, takes a transaction id and keeps it open (a psql session left open after a write). What the
// team notices: webhooks posted to either process are still answered 200 but another process's copy does not
// show them; within the threshold the team status, the doctor and one log line say which transaction holds
// it (pid, application, address, how long — never the database password); once it commits the rows appear
// and the finding clears. Run twice. Real PostgreSQL (test/helpers/pg-cluster.ts), real HTTP, real SQLite.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import type { AppInfo, TeamStatus } from '../../shared/ipc';
import type { DoctorFinding, EventPage } from '../../shared/types';
import type { Logger } from '../../electron/core/types';
import { openPgLog } from '../../electron/core/team/pg-log';
import { describeHeldBack } from '../../shared/team-held-back';
import { silentLogger } from '../../electron/core/types';
import { startTestCore, type TestCore } from '../helpers/core';
import { PG_SKIP_LINE, pgAvailable, startPgCluster, type PgCluster } from '../helpers/pg-cluster';

const hasPg = pgAvailable() != null;
if (!hasPg) console.log(PG_SKIP_LINE);

const SECRET = 'held-back-app-secret';
const PASSWORD = 'Sekr3t-never-shown';

function messageBody(id: string, text: string) {
  return JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: 'W', changes: [{ field: 'messages', value: {
    messaging_product: 'whatsapp', metadata: { display_phone_number: '1555', phone_number_id: '1' },
    contacts: [{ profile: { name: 'Ana' }, wa_id: '5511988887777' }],
    messages: [{ from: '5511988887777', id, timestamp: '1700000000', type: 'text', text: { body: text } }],
  } }] }] });
}

function capture(): { logger: Logger; lines: { level: string; msg: string; ctx: string }[] } {
  const lines: { level: string; msg: string; ctx: string }[] = [];
  const at = (level: string) => (msg: string, ctx?: Record<string, unknown>) => { lines.push({ level, msg, ctx: JSON.stringify(ctx ?? {}) }); };
  return { lines, logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } };
}

describe.skipIf(!hasPg)('team server: a live copy held back by a transaction open on the PostgreSQL server', () => {
  let cluster: PgCluster;
  const open: TestCore[] = [];
  const clients: pg.Client[] = [];
  beforeAll(async () => { cluster = await startPgCluster(); });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.end().catch(() => undefined)));
    await Promise.all(open.splice(0).map((t) => t.close().catch(() => undefined)));
  });
  afterAll(async () => { await cluster?.stop(); });

  it('webhooks are answered 200 but wait; status, doctor and one warning name the holder; its COMMIT lets them through and clears it (twice)', async () => {
    const url = await cluster.createDatabase();
    // Trust authentication ignores the password: it is there to be looked for where it must never be.
    const withPassword = url.replace('postgres@', `postgres:${PASSWORD}@`);
    const logs = [capture(), capture()];
    const cores: TestCore[] = [];
    for (const l of logs) {
      const t = await startTestCore({ databaseUrl: withPassword, teamPollMs: 100, teamLeaderEveryMs: 200, teamHeldBackMs: 800, logger: l.logger, env: { metaAppSecrets: [SECRET] } });
      open.push(t);
      cores.push(t);
    }
    const [procA, procB] = cores;
    const pushed: TeamStatus[] = [];
    procB.core.on('team:changed', (s) => pushed.push(s));

    const holder = new pg.Client({ connectionString: url, application_name: 'psql-left-open' });
    await holder.connect();
    clients.push(holder);
    const holderPid = (await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;

    const list = (t: TestCore) => t.call<EventPage>('events:list', { limit: 1000 });
    const team = async (t: TestCore) => (await t.call<AppInfo>('app:info')).team;
    const finding = async (t: TestCore) => (await t.call<{ findings: DoctorFinding[] }>('doctor:get')).findings.find((f) => f.id === 'team-held-back');
    const warnings = (i: number) => logs[i].lines.filter((l) => l.level === 'warn' && l.msg.includes('held back'));
    const cleared = (i: number) => logs[i].lines.filter((l) => l.level === 'info' && l.msg.includes('moves again'));

    for (let round = 1; round <= 2; round++) {
      const before = (await list(procB)).total;
      await holder.query('BEGIN');
      await holder.query('SELECT pg_current_xact_id()');

      // Posted to A, then to B: both answered 200 (the receivers never wait for the horizon).
      expect((await procA.postMeta(messageBody(`wamid.HA${round}`, `from A ${round}`), SECRET)).status).toBe(200);
      expect((await procB.postMeta(messageBody(`wamid.HB${round}`, `from B ${round}`), SECRET)).status).toBe(200);

      // B's copy says why it is held back, naming the open transaction.
      await expect.poll(() => team(procB), { timeout: 30_000, interval: 50 })
        .toMatchObject({ connected: true, heldBack: { waiting: 2, holder: { pid: holderPid, application: 'psql-left-open', client: '127.0.0.1', state: 'idle in transaction', hidden: false } } });
      expect((await team(procB))?.heldBack?.holder?.xactStart).toEqual(expect.any(Number));
      // … and meanwhile A's webhook is not in B's copy (B's own one waits behind it, in id order).
      expect((await list(procB)).total).toBe(before);
      const f = await finding(procB);
      expect(f).toMatchObject({ level: 'warn' });
      expect(f?.detail).toContain(`pid ${holderPid}`);
      expect(f?.detail).toContain('psql-left-open');
      expect(f?.detail).toContain('127.0.0.1');
      expect(f?.detail).toMatch(/still accepted and stored/);
      // A's copy is held back too: B's webhook came after A's own.
      await expect.poll(async () => (await team(procA))?.heldBack?.holder?.pid, { timeout: 30_000, interval: 50 }).toBe(holderPid);
      expect(pushed.at(-1)?.heldBack?.holder?.pid).toBe(holderPid);

      // One more webhook waits: the status follows it, and the warning is still said once.
      expect((await procA.postMeta(messageBody(`wamid.HC${round}`, `again from A ${round}`), SECRET)).status).toBe(200);
      await expect.poll(async () => (await team(procB))?.heldBack?.waiting, { timeout: 30_000, interval: 50 }).toBe(3);
      expect(warnings(1)).toHaveLength(round);
      expect(warnings(1).at(-1)?.msg).toContain(`pid ${holderPid}`);

      await holder.query('COMMIT');

      // The rows appear, in order, and everything clears.
      await expect.poll(async () => (await list(procB)).total, { timeout: 30_000, interval: 50 }).toBe(before + 3);
      const after = await list(procB);
      expect(after.items.map((e) => e.messageId).slice(0, 3).sort()).toEqual([`wamid.HA${round}`, `wamid.HB${round}`, `wamid.HC${round}`]);
      await expect.poll(async () => (await team(procB))?.heldBack ?? null, { timeout: 30_000, interval: 50 }).toBeNull();
      await expect.poll(async () => (await team(procA))?.heldBack ?? null, { timeout: 30_000, interval: 50 }).toBeNull();
      expect(await finding(procB)).toBeUndefined();
      expect(pushed.at(-1)?.heldBack).toBeUndefined();
      expect(cleared(1)).toHaveLength(round);
      expect(warnings(1)).toHaveLength(round);
    }

    // The database password is nowhere: not in the statuses, the doctor or any log line.
    const everything = JSON.stringify([pushed, await team(procA), await team(procB), logs.map((l) => l.lines)]);
    expect(everything).not.toContain(PASSWORD);
  }, 180_000);

  it('a session of another role: its pid, role and application are named, its start and address are hidden, and the doctor says how to see them', async () => {
    const url = await cluster.createDatabase();
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    clients.push(admin);
    const db = new URL(url).pathname.slice(1);
    // Hookscope's role owns its database but has no pg_read_all_stats; the holder is another role.
    await admin.query(`DROP ROLE IF EXISTS hs_app; CREATE ROLE hs_app LOGIN; ALTER DATABASE "${db}" OWNER TO hs_app`);
    await admin.query(`DROP ROLE IF EXISTS hs_other; CREATE ROLE hs_other LOGIN`);
    const appUrl = url.replace('postgres@', 'hs_app@');
    const log = await openPgLog({ url: appUrl, logger: silentLogger });
    try {
      const other = new pg.Client({ connectionString: url.replace('postgres@', 'hs_other@'), application_name: 'batch-job' });
      await other.connect();
      clients.push(other);
      const otherPid = (await other.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;

      // Nothing open: nothing holds anything.
      expect((await log.horizonHolder(await log.maxId())).holder).toBeNull();

      await other.query('BEGIN');
      await other.query('SELECT pg_current_xact_id()');
      // Nothing appended after it: it holds the horizon but no row waits.
      const idle = await log.horizonHolder(await log.maxId());
      expect(idle.waiting).toBe(0);
      expect(idle.holder).toMatchObject({ pid: otherPid, user: 'hs_other', application: 'batch-job', hidden: true, xactStart: null, client: null, state: null });

      const from = await log.maxId();
      await log.append([{ receivedAt: Date.now(), method: 'POST', path: '/meta', query: '', headers: [], body: Buffer.from('{}'), provider: 'meta', responseStatus: 200, signature: 'valid', signatureDiagnosis: null, error: null, origin: 'network' }]);
      const r = await log.horizonHolder(from);
      expect(r.waiting).toBe(1);
      expect(r.holder?.pid).toBe(otherPid);
      const words = describeHeldBack({ since: Date.now() - 12_000, waiting: r.waiting, holder: r.holder }, Date.now());
      expect(words.detail).toContain(`pid ${otherPid}`);
      expect(words.detail).toContain('pg_read_all_stats');
      await other.query('COMMIT');
      expect((await log.horizonHolder(from)).waiting).toBe(0);
    } finally {
      await log.close();
    }
  }, 120_000);
});
