// Health checks (docs/api.md "Health checks") through the contract on a real core with a real SQLite file
// and a clock the test moves: silence, failure rate and stuck messages fire once per episode, recover
// once, keep their state across a restart, and do it again; forged webhooks move none of them.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestCore, type TestCore } from '../helpers/core';
import { incomingText, postMeta, signMeta, statusUpdate } from '../helpers/meta-payloads';
import type { HealthCheck } from '../../shared/health';
import type { NotificationRecord } from '../../shared/types';

const SECRET = 'health-test-secret';
const MIN = 60_000;

const dirs: string[] = [];
const open: TestCore[] = [];
afterEach(async () => {
  for (const t of open.splice(0)) await t.close().catch(() => undefined);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A core on `dir` with an app secret and the test's clock; the timer is left to the test (tickRules). */
async function core(clock: { now: number }, dir: string): Promise<TestCore> {
  const t = await startTestCore({ dataDir: dir, env: { metaAppSecrets: [SECRET], acceptUnsigned: [] }, clock: () => clock.now, rulesTickMs: 3_600_000 });
  open.push(t);
  return t;
}
async function restart(t: TestCore, clock: { now: number }): Promise<TestCore> {
  await t.close();
  open.splice(open.indexOf(t), 1);
  return core(clock, t.dataDir);
}
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'hookscope-health-'));
  dirs.push(d);
  return d;
}

async function check(t: TestCore, id: string): Promise<HealthCheck> {
  t.core.tickRules();
  const { checks } = await t.call<{ checks: HealthCheck[] }>('health:list');
  return checks.find((c) => c.id === id)!;
}
async function titles(t: TestCore): Promise<string[]> {
  const { items } = await t.call<{ items: NotificationRecord[] }>('notifications:list');
  return items.map((n) => n.title).reverse();
}
const send = async (t: TestCore, body: string) => expect(await postMeta(t.url, SECRET, body)).toBe(200);

describe('silence', () => {
  it('fires after N minutes without an accepted webhook, once, keeps firing across a restart, recovers on the next webhook — twice', async () => {
    const clock = { now: Date.UTC(2026, 5, 1, 12) };
    let t = await core(clock, tempDir());
    await t.call('health:update', { id: 'silence', enabled: true, params: { minutes: 10 } });
    await send(t, incomingText('wamid.S1', '5511900000001', 'hello'));

    clock.now += 9 * MIN;
    expect((await check(t, 'silence')).state).toBe('ok');
    clock.now += MIN;
    const firing = await check(t, 'silence');
    expect(firing).toMatchObject({ state: 'firing', firingSince: clock.now, value: 10 });
    clock.now += 5 * MIN;
    await check(t, 'silence');
    expect(await titles(t)).toEqual(['No webhooks from any provider for 10 minutes']);

    // Across a restart: still firing since the same moment, and no second notification.
    clock.now += MIN;
    t = await restart(t, clock);
    expect(await check(t, 'silence')).toMatchObject({ state: 'firing', firingSince: firing.firingSince });
    expect(await titles(t)).toHaveLength(1);

    await send(t, incomingText('wamid.S2', '5511900000001', 'back'));
    const ok = await check(t, 'silence');
    expect(ok.state).toBe('ok');
    expect(ok.history).toEqual([expect.objectContaining({ firedAt: firing.firingSince, recoveredAt: clock.now })]);
    expect(await titles(t)).toEqual(['No webhooks from any provider for 10 minutes', 'Webhooks from any provider are arriving again']);

    // The second episode.
    clock.now += 10 * MIN;
    expect((await check(t, 'silence')).state).toBe('firing');
    await send(t, incomingText('wamid.S3', '5511900000001', 'again'));
    const second = await check(t, 'silence');
    expect(second.state).toBe('ok');
    expect(second.history).toHaveLength(2);
    expect(await titles(t)).toHaveLength(4);
  }, 60_000);

  it('never fires outside working hours, and counts from the start of them', async () => {
    // Local time: the working hours are the machine's, as for rules.
    const evening = new Date(2026, 5, 1, 20, 0).getTime();
    const clock = { now: evening };
    const t = await core(clock, tempDir());
    await t.call('health:update', { id: 'silence', enabled: true, params: { minutes: 10, from: '09:00', to: '17:00' } });
    clock.now += 3 * 60 * MIN; // 23:00: three hours of quiet, outside the hours
    expect((await check(t, 'silence')).state).toBe('ok');
    clock.now = new Date(2026, 5, 2, 9, 5).getTime();
    expect((await check(t, 'silence')).state).toBe('ok');
    clock.now = new Date(2026, 5, 2, 9, 10).getTime();
    expect((await check(t, 'silence')).state).toBe('firing');
    expect(await titles(t)).toHaveLength(1);
  }, 60_000);
});

describe('failure rate', () => {
  it('a spike fires once with the number and error codes, survives a restart, recovers once — and again', async () => {
    const clock = { now: Date.UTC(2026, 5, 1, 12) };
    let t = await core(clock, tempDir());
    const c0 = await t.call<HealthCheck>('health:update', { id: 'failure-rate', enabled: true, params: { percent: 50, windowMinutes: 15, minSent: 2 } });
    expect(c0.state).toBe('ok');
    const ts = 1_780_000_000;
    const spike = async (tag: string) => {
      for (const i of [1, 2, 3, 4]) await send(t, statusUpdate(`wamid.${tag}${i}`, 'sent', ts));
      for (const i of [1, 2, 3]) await send(t, statusUpdate(`wamid.${tag}${i}`, 'failed', ts + 1, undefined, { code: 131047, title: 'Re-engagement message' }));
    };
    await spike('F');
    const firing = await check(t, 'failure-rate');
    expect(firing).toMatchObject({ state: 'firing', value: 75, filter: { status: ['failed'], businessId: '1' } });
    expect(firing.summary).toMatch(/3 of 4 messages failed on number 1 .*131047 ×3/);
    expect(firing.series.at(-1)!.value).toBe(75);
    clock.now += MIN;
    await send(t, statusUpdate('wamid.F4', 'delivered', ts + 2));
    expect((await check(t, 'failure-rate')).state).toBe('firing'); // 3 of 4 still failed
    t = await restart(t, clock);
    expect((await check(t, 'failure-rate')).firingSince).toBe(firing.firingSince);
    expect(await titles(t)).toEqual(['Failure rate 75 % on number 1 over the last 15 minutes']);

    // The window slides past the spike; new messages are delivered.
    clock.now += 15 * MIN;
    for (const i of [1, 2, 3]) await send(t, statusUpdate(`wamid.G${i}`, 'delivered', ts + 100));
    const ok = await check(t, 'failure-rate');
    expect(ok).toMatchObject({ state: 'ok', value: 0 });
    await check(t, 'failure-rate');
    expect(await titles(t)).toEqual(['Failure rate 75 % on number 1 over the last 15 minutes', 'Deliveries back to normal']);

    clock.now += 16 * MIN;
    await spike('H');
    expect((await check(t, 'failure-rate')).state).toBe('firing');
    expect((await check(t, 'failure-rate')).history).toHaveLength(2);
    expect(await titles(t)).toHaveLength(3);
  }, 60_000);
});

describe('stuck messages', () => {
  it('lists messages sent with no delivered/read/failed after N minutes, keeps them across a restart, and a late status clears them', async () => {
    const clock = { now: Date.UTC(2026, 5, 1, 12) };
    let t = await core(clock, tempDir());
    await t.call('health:update', { id: 'stuck', enabled: true, params: { minutes: 30 } });
    const ts = 1_780_000_000;
    await send(t, statusUpdate('wamid.STUCKA', 'sent', ts));
    await send(t, statusUpdate('wamid.FINEB', 'sent', ts));
    await send(t, statusUpdate('wamid.FINEB', 'delivered', ts + 1));
    clock.now += 29 * MIN;
    expect((await check(t, 'stuck')).state).toBe('ok');
    clock.now += 2 * MIN;
    const firing = await check(t, 'stuck');
    expect(firing).toMatchObject({ state: 'firing', value: 1, messageIds: ['wamid.STUCKA'], filter: { messageId: 'wamid.STUCKA' } });
    // The chart: stuck from the moment it was 30 minutes at sent, not before.
    expect(firing.series.at(-1)!.value).toBe(1);
    expect(firing.series.filter((p) => p.at < clock.now - MIN).every((p) => p.value === 0)).toBe(true);

    t = await restart(t, clock);
    expect(await check(t, 'stuck')).toMatchObject({ state: 'firing', messageIds: ['wamid.STUCKA'], firingSince: firing.firingSince });
    expect(await titles(t)).toEqual(['1 message stuck at sent for over 30 minutes']);

    clock.now += 10 * MIN;
    await send(t, statusUpdate('wamid.STUCKA', 'read', ts + 5000));
    const cleared = await check(t, 'stuck');
    expect(cleared).toMatchObject({ state: 'ok', value: 0, messageIds: [] });
    expect(cleared.series.at(-1)!.value).toBe(0);
    expect(cleared.series.some((p) => p.value === 1)).toBe(true);
    expect(await titles(t)).toEqual(['1 message stuck at sent for over 30 minutes', 'No more stuck messages']);

    // Again: another message stays at sent.
    await send(t, statusUpdate('wamid.STUCKC', 'sent', ts + 6000));
    clock.now += 31 * MIN;
    expect(await check(t, 'stuck')).toMatchObject({ state: 'firing', messageIds: ['wamid.STUCKC'] });
    expect(await titles(t)).toHaveLength(3);
  }, 60_000);
});

describe('a stranger with the tunnel URL', () => {
  it('cannot end a silence or fake a failure spike with forged webhooks: only the signature check counts them', async () => {
    const clock = { now: Date.UTC(2026, 5, 1, 12) };
    const t = await core(clock, tempDir());
    await t.call('health:update', { id: 'silence', enabled: true, params: { minutes: 10 } });
    await t.call('health:update', { id: 'failure-rate', enabled: true, params: { percent: 10, minSent: 1 } });
    await t.call('health:update', { id: 'signatures', enabled: true, params: { count: 3 } });
    clock.now += 10 * MIN;
    expect((await check(t, 'silence')).state).toBe('firing');

    const forged = [
      statusUpdate('wamid.X1', 'sent', 1_780_000_000),
      statusUpdate('wamid.X1', 'failed', 1_780_000_001, undefined, { code: 131026, title: 'Undeliverable' }),
      incomingText('wamid.X2', '5511900000009', 'not from Meta'),
    ];
    for (const body of forged) expect(await postMeta(t.url, SECRET, body, signMeta('wrong-secret', body))).toBe(401);
    for (const body of forged) expect(await postMeta(t.url, SECRET, body, null)).toBe(401);

    expect((await check(t, 'silence')).state).toBe('firing');
    expect(await check(t, 'failure-rate')).toMatchObject({ state: 'ok', value: 0 });
    // Wrong signatures (a rotated secret looks the same) are what the signature check watches.
    await expect.poll(async () => (await check(t, 'signatures')).value).toBe(3);
    expect((await check(t, 'signatures')).state).toBe('firing');
  }, 60_000);
});

describe('signature failures', () => {
  it('with the check on, rotated-secret webhooks notify once at its threshold (not once per burst as well), and recover once', async () => {
    const clock = { now: Date.UTC(2026, 5, 1, 12) };
    const t = await core(clock, tempDir());
    await t.call('health:update', { id: 'signatures', enabled: true, params: { count: 3, windowMinutes: 15 } });
    const body = incomingText('wamid.ROT', '5511900000001', 'signed with the new secret');
    expect(await postMeta(t.url, SECRET, body, signMeta('rotated-secret', body))).toBe(401);
    await expect.poll(async () => (await check(t, 'signatures')).value).toBe(1);
    expect(await titles(t)).toEqual([]);
    for (let i = 0; i < 2; i++) expect(await postMeta(t.url, SECRET, body, signMeta('rotated-secret', body))).toBe(401);
    await expect.poll(async () => (await check(t, 'signatures')).state).toBe('firing');
    expect(await titles(t)).toEqual(['3 webhooks failed their signature check in 15 minutes']);
    clock.now += 16 * MIN;
    expect((await check(t, 'signatures')).state).toBe('ok');
    expect(await titles(t)).toEqual(['3 webhooks failed their signature check in 15 minutes', 'Signatures check out again']);
  }, 60_000);
});

describe('posting to a rule\'s http actions', () => {
  it('a firing and its recovery each go out once through the actions\' outbox, with the check\'s words', async () => {
    const seen: string[] = [];
    const server: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => { body += c; });
      req.on('end', () => { seen.push(body); res.writeHead(200); res.end('ok'); });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const target = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    try {
      const clock = { now: Date.UTC(2026, 5, 1, 12) };
      const t = await core(clock, tempDir());
      // A switched-off rule that only holds the target: its conditions never matter here.
      const rule = await t.call<{ id: number }>('rules:create', { name: 'Team chat', enabled: false, when: { status: ['failed'] }, actions: [{ type: 'http', url: target, body: '{title} | {body}' }] });
      const plain = await t.call<{ id: number }>('rules:create', { name: 'Notify only', when: { status: ['failed'] }, actions: [{ type: 'notify' }] });
      await expect(t.call('health:update', { id: 'silence', params: { ruleId: plain.id } })).rejects.toThrow(/has no http action/);
      await t.call('health:update', { id: 'silence', enabled: true, params: { minutes: 10, ruleId: rule.id } });

      clock.now += 10 * MIN;
      expect((await check(t, 'silence')).state).toBe('firing');
      await expect.poll(() => seen.length).toBe(1);
      expect(seen[0]).toBe('No webhooks from any provider for 10 minutes | No accepted webhook from any provider yet');
      clock.now += MIN;
      await check(t, 'silence');
      await send(t, incomingText('wamid.P1', '5511900000001', 'back'));
      expect((await check(t, 'silence')).state).toBe('ok');
      await expect.poll(() => seen.length).toBe(2);
      expect(seen[1]).toMatch(/^Webhooks from any provider are arriving again \| Last accepted webhook/);
      const { items } = await t.call<{ items: { ruleId: number | null; status: number | null }[] }>('deliveries:list', { ruleId: rule.id });
      expect(items.map((d) => d.status)).toEqual([200, 200]);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  }, 60_000);
});

describe('health:update', () => {
  it('refuses parameters the check does not read, and half a working-hours window', async () => {
    const clock = { now: Date.UTC(2026, 5, 1, 12) };
    const t = await core(clock, tempDir());
    await expect(t.call('health:update', { id: 'stuck', params: { percent: 10 } })).rejects.toThrow(/takes minutes, count, ruleId; not percent/);
    await expect(t.call('health:update', { id: 'silence', params: { from: '09:00' } })).rejects.toThrow(/both from and to/);
    await expect(t.call('health:update', { id: 'nope' })).rejects.toMatchObject({ code: 'VALIDATION' });
    const { checks } = await t.call<{ checks: HealthCheck[] }>('health:list');
    expect(checks.map((c) => [c.id, c.state])).toEqual([['silence', 'off'], ['failure-rate', 'off'], ['stuck', 'off'], ['signatures', 'off'], ['quality', 'off']]);
  }, 60_000);
});
