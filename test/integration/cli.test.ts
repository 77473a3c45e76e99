// The `hookscope` command, the real binary (bin/hookscope.mjs → dist-electron/cli.mjs, built by `npm test`)
// against a real `serve`: found through the data dir, tail, trigger, wait, and its one-line errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { HookEvent } from '../../shared/types';
import { startServe, type ServeProcess } from '../helpers/serve';

const BIN = resolve(__dirname, '../../bin/hookscope.mjs');

interface Run { child: ChildProcess; out(): string; err(): string; exit: Promise<number | null> }

function hookscope(args: string[], env: Record<string, string> = {}): Run {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => { out += d; });
  child.stderr!.on('data', (d) => { err += d; });
  const exit = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  return { child, out: () => out, err: () => err, exit };
}

let s: ServeProcess;
/** The command finds serve's address and token in its data dir, as on a user's machine. */
let env: Record<string, string>;

beforeAll(async () => {
  s = await startServe([], { META_APP_SECRET: 'cli-test-secret' });
  env = { HOOKSCOPE_DATA_DIR: s.dataDir };
}, 60_000);
afterAll(async () => { await s?.stop(); });

async function simulate(body: Record<string, unknown>) {
  const r = await s.api('/api/simulate', { method: 'POST', body: JSON.stringify(body) });
  expect(r.status).toBe(200);
}

describe('hookscope tail', () => {
  it('--json prints the events sent, in order, one JSON object a line, and ends cleanly on SIGINT', async () => {
    const all = hookscope(['tail', '--json'], env);
    const failed = hookscope(['tail', '--json', '--status', 'failed'], env);
    await expect.poll(() => all.err() + failed.err(), { timeout: 30_000 }).toMatch(/following[\s\S]*following/);
    const texts = ['first words', 'second words', 'third words'];
    for (const text of texts) await simulate({ kind: 'message', text });
    await simulate({ kind: 'status', statuses: ['sent', 'failed'], errorCode: 131047, messageId: 'wamid.TAILFAIL' });

    await expect.poll(() => all.out().trim().split('\n').length, { timeout: 30_000 }).toBe(5);
    const lines = all.out().trim().split('\n').map((l) => JSON.parse(l) as HookEvent);
    expect(lines.slice(0, 3).map((e) => e.text)).toEqual(texts);
    expect(lines.map((e) => e.id)).toEqual([...lines.map((e) => e.id)].sort((a, b) => a - b));
    expect(lines.slice(3).map((e) => e.status)).toEqual(['sent', 'failed']);

    // The same filters as the feed: only the failed status.
    await expect.poll(() => failed.out().trim().split('\n').filter(Boolean).length, { timeout: 30_000 }).toBe(1);
    expect(JSON.parse(failed.out())).toMatchObject({ status: 'failed', messageId: 'wamid.TAILFAIL', errorCode: '131047' });

    all.child.kill('SIGINT');
    failed.child.kill('SIGINT');
    expect(await all.exit).toBe(0);
    expect(await failed.exit).toBe(0);
    expect(all.err().trim().split('\n')).toHaveLength(1); // the "following" line, nothing else
  }, 90_000);

  it('--since starts with history, oldest first, then follows; terminal escapes in payloads never reach the terminal', async () => {
    await simulate({ kind: 'message', text: 'history \u001b]0;owned\u0007\u001b[2J \u202eevil' });
    const t = hookscope(['tail', '--since', '1h', '--contact', '5511*'], env);
    await expect.poll(() => t.out(), { timeout: 30_000 }).toContain('history');
    await expect.poll(() => t.err(), { timeout: 30_000 }).toContain('following');
    await simulate({ kind: 'message', text: 'after history' });
    await expect.poll(() => t.out(), { timeout: 30_000 }).toContain('after history');
    t.child.kill('SIGINT');
    expect(await t.exit).toBe(0);
    const out = t.out();
    expect(out.indexOf('first words')).toBeLessThan(out.indexOf('after history'));
    expect(out).toMatch(/incoming/);
    // eslint-disable-next-line no-control-regex -- looking for the very characters that must not be printed
    expect(out).not.toMatch(/[\u001b\u0007\u202e]/);
  }, 90_000);
});

describe('hookscope trigger and wait', () => {
  // Twice: a CI script runs this pair for every test of its bot.
  it.each(['wamid.CLIWAIT1', 'wamid.CLIWAIT2'])('trigger status then wait --for status=read messageId=%s: exit 0 with the event', async (id) => {
    const trig = hookscope(['trigger', 'status', '--message-id', id], env);
    expect(await trig.exit).toBe(0);
    expect(trig.out()).toMatch(/^sent 3 webhooks: receiver answered 200, 200, 200/);
    const w = hookscope(['wait', '--for', `status=read messageId=${id}`, '--timeout', '30s', '--json'], env);
    expect(await w.exit).toBe(0);
    expect(JSON.parse(w.out())).toMatchObject({ status: 'read', messageId: id });
  }, 90_000);

  it('wait started first, the event sent while it waits: exit 0', async () => {
    const w = hookscope(['wait', '--for', 'status=failed messageId=wamid.CLILATER', '--timeout', '60s', '--json'], env);
    await simulate({ kind: 'status', statuses: ['sent', 'failed'], messageId: 'wamid.CLILATER' });
    expect(await w.exit).toBe(0);
    expect(JSON.parse(w.out())).toMatchObject({ status: 'failed', messageId: 'wamid.CLILATER' });
  }, 90_000);

  it('wait times out with exit 1 and one line when nothing matches', async () => {
    const w = hookscope(['wait', '--for', 'status=read messageId=wamid.NEVER', '--timeout', '1s'], env);
    expect(await w.exit).toBe(1);
    expect(w.out()).toBe('');
    expect(w.err()).toMatch(/^hookscope: no event matching "status=read messageId=wamid\.NEVER" within 1s\n$/);
  }, 60_000);
});

describe('hookscope errors: one line, an exit code that says which', () => {
  it('a wrong token: exit 2', async () => {
    const r = hookscope(['tail', '--token', 'not-the-token'], env);
    expect(await r.exit).toBe(2);
    expect(r.err()).toMatch(/^hookscope: the token was refused by http:\/\/127\.0\.0\.1:\d+ [^\n]*\n$/);
    expect(r.err()).not.toContain(s.token);
  }, 60_000);

  it('no running instance: exit 3', async () => {
    const r = hookscope(['doctor', '--url', 'http://127.0.0.1:9', '--token', 'x']);
    expect(await r.exit).toBe(3);
    expect(r.err()).toMatch(/^hookscope: no running Hookscope at http:\/\/127\.0\.0\.1:9 [^\n]*\n$/);
  }, 60_000);

  it('an unknown filter: exit 64, in tail and in wait --for', async () => {
    const a = hookscope(['tail', '--colour', 'red'], env);
    expect(await a.exit).toBe(64);
    expect(a.err()).toBe('hookscope: unknown filter --colour for tail (hookscope help lists them)\n');
    const b = hookscope(['wait', '--for', 'mood=happy'], env);
    expect(await b.exit).toBe(64);
    expect(b.err()).toMatch(/^hookscope: unknown filter "mood" in --for [^\n]*\n$/);
  }, 60_000);
});

describe('hookscope export, replay, doctor', () => {
  it('export writes the stored events; replay sends one again (exit 0) or says it is missing (exit 1); doctor lists findings', async () => {
    await simulate({ kind: 'message', text: 'to export' });
    const page = (await s.api<{ items: HookEvent[]; total: number }>('/api/events?limit=1000')).body;
    const ex = hookscope(['export', '--format', 'ndjson'], env);
    expect(await ex.exit).toBe(0);
    expect(ex.out().trim().split('\n')).toHaveLength(page.total);
    expect(ex.out()).toContain('to export');

    const requestId = page.items[0].requestId;
    const again = hookscope(['replay', String(requestId)], env);
    expect(await again.exit).toBe(0);
    expect(again.out()).toMatch(new RegExp(`^replayed request ${requestId} to receiver: 200 `));
    const missing = hookscope(['replay', '999999'], env);
    expect(await missing.exit).toBe(1);
    expect(missing.err().split('\n').filter(Boolean)).toHaveLength(1);

    // --redact: what the export panel's Redact box gives (docs/api.md "Redacted export"), into a private file.
    await simulate({ kind: 'message', text: 'zeppelin marmalade', contactId: '5511977770042', contactName: 'Quintana Redactable' });
    await expect.poll(async () => (await s.api<{ total: number }>('/api/events?q=zeppelin')).body.total).toBe(1);
    const file = join(mkdtempSync(join(tmpdir(), 'hookscope-cli-')), 'redacted.csv');
    const red = hookscope(['export', '--format', 'csv', '--redact', '-o', file], env);
    expect(await red.exit).toBe(0);
    const csv = readFileSync(file, 'utf8');
    expect(csv.split('\n').length).toBeGreaterThan(2);
    for (const secret of ['zeppelin', 'marmalade', '5511977770042', '977770042', 'Quintana', 'Redactable']) expect(csv, secret).not.toContain(secret);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // Without --redact the same export names her (the check above can fail).
    const plain = hookscope(['export', '--format', 'csv', '--q', 'zeppelin'], env);
    expect(await plain.exit).toBe(0);
    expect(plain.out()).toContain('5511977770042');

    const doc = hookscope(['doctor', '--json'], env);
    expect(await doc.exit).toBe(0);
    const findings = JSON.parse(doc.out()) as { level: string }[];
    expect(findings.length).toBeGreaterThan(0);
    expect(findings.some((f) => f.level === 'error')).toBe(false);
  }, 90_000);
});

describe('hookscope health', () => {
  it('prints the checks that are on and exits 1 while one fires, 0 once it is ok', async () => {
    // One business number of its own, so the other tests' traffic does not move this rate.
    const business = '447700900123';
    const phoneNumberId = (business + '106540352242922').slice(0, 15);
    const put = await s.api('/api/health/failure-rate', { method: 'PUT', body: JSON.stringify({ enabled: true, params: { percent: 50, minSent: 1, businessId: phoneNumberId } }) });
    expect(put.status).toBe(200);

    const ok = hookscope(['health'], env);
    expect(await ok.exit).toBe(0);
    expect(ok.out()).toMatch(/^ok\s+Failure rate 0 %/m);
    expect(ok.out()).not.toMatch(/Silence/);

    await simulate({ kind: 'status', statuses: ['sent', 'failed'], errorCode: 131026, businessNumber: business, messageId: 'wamid.HEALTHCLI' });
    const firing = hookscope(['health'], env);
    expect(await firing.exit).toBe(1);
    expect(firing.out()).toMatch(/^firing since \d{4}-\d\d-\d\d \d\d:\d\d\s+Failure rate 100 % — 1 of 1 message failed on number \d+ .*131026 ×1/m);

    const all = hookscope(['health', '--all', '--json'], env);
    expect(await all.exit).toBe(1);
    const checks = JSON.parse(all.out()) as { id: string; state: string }[];
    expect(checks.map((c) => [c.id, c.state])).toEqual([['silence', 'off'], ['failure-rate', 'firing'], ['stuck', 'off'], ['signatures', 'off'], ['quality', 'off']]);

    // Turned off, nothing fires: exit 0 again.
    await s.api('/api/health/failure-rate', { method: 'PUT', body: JSON.stringify({ enabled: false }) });
    const off = hookscope(['health'], env);
    expect(await off.exit).toBe(0);
    expect(off.out()).toMatch(/no health check is on/);
  }, 90_000);
});
