// The pure parts behind the guided setup and the counts: the stepper's steps and the doctor's verdict,
// causes and "fixed" list; which public URLs Meta can call; the UI token kept in the data dir; the
// token page's paste; "N events of M"; the chart's buckets; dates with their year; and the store's live
// counts on top of a snapshot (never counted twice, never missed).
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DoctorFinding, HookEvent, SettingsView, TunnelState } from '../../shared/types';
import { isLocalHost, publicUrlProblem } from '../../shared/public-url';
import { causeOf, groupFindings, nextFixed, setupSteps, verdict, type StepInputs } from '../../renderer/features/setup/setup-steps';
import { countsText } from '../../renderer/features/topbar/counts';
import { tokenFromPaste } from '../../renderer/features/token/token-paste';
import { chartBuckets, niceCeil } from '../../renderer/features/stats/stats-helpers';
import { formatRowTime } from '../../renderer/ui/format';
import { loadOrCreateUiToken, rotateUiToken } from '../../electron/serve/ui-token';
import { createAppStore } from '../../renderer/state/store';
import { fakeBridge } from '../helpers/fake-bridge';

const settings = (over: Partial<SettingsView> = {}, secrets: Partial<SettingsView['secrets']> = {}): SettingsView => ({
  secrets: {
    metaAppSecret: { set: false, count: 0 }, metaVerifyToken: { set: true, generated: true }, twilioAuthToken: { set: false, count: 0 }, ngrokAuthtoken: { set: false },
    ...secrets,
  },
  forwardTargets: [], forwardTimeoutMs: 5000, publicUrl: null, ngrokDomain: null, retention: { days: null, maxEvents: null }, bodyLimitBytes: 1 << 20,
  ...over,
});
const info = { version: '0', mode: 'serve' as const, receiver: { url: 'http://127.0.0.1:4750', host: '127.0.0.1', port: 4750 } };
const f = (id: string, level: DoctorFinding['level'] = 'warn'): DoctorFinding => ({ id, level, title: `T ${id}`, detail: `D ${id}` });
const inputs = (over: Partial<StepInputs> = {}): StepInputs => ({ settings: settings(), tunnel: { state: 'off', since: 0 }, appInfo: info, findings: [], webhookSeen: false, ...over });
const states = (i: StepInputs) => Object.fromEntries(setupSteps(i).map((s) => [s.id, s.state]));

describe('setup steps', () => {
  it('a first run: authtoken to do first, verify token ready, nothing else done', () => {
    expect(states(inputs())).toEqual({
      'ngrok-token': 'todo', tunnel: 'todo', 'public-url': 'todo', 'verify-token': 'todo', secret: 'todo', subscribe: 'todo', 'first-webhook': 'todo',
    });
    expect(setupSteps(inputs())[1].fix).toMatch(/authtoken first/);
  });

  it('a refused authtoken marks both the token and the tunnel as wrong, with the fix', () => {
    const tunnel: TunnelState = { state: 'error', code: 'TUNNEL_INVALID_TOKEN', message: 'ngrok refused the authtoken.', since: 0 };
    const s = setupSteps(inputs({ settings: settings({}, { ngrokAuthtoken: { set: true } }), tunnel }));
    expect(s[0].state).toBe('problem');
    expect(s[1].state).toBe('problem');
    expect(s[1].fix).toMatch(/authtoken/);
  });

  it('online tunnel: the public URL is done; a loopback public URL of your own is wrong', () => {
    const online: TunnelState = { state: 'online', url: 'https://abc.ngrok-free.app', since: 0 };
    expect(states(inputs({ settings: settings({}, { ngrokAuthtoken: { set: true } }), tunnel: online }))['public-url']).toBe('done');
    const own = setupSteps(inputs({ settings: settings({ publicUrl: 'http://127.0.0.1:4750' }) }));
    expect(own[2].state).toBe('problem');
    expect(own[2].detail).toMatch(/https/);
    // Your own https tunnel: no authtoken or ngrok tunnel needed.
    const mine = states(inputs({ settings: settings({ publicUrl: 'https://hooks.example.com' }) }));
    expect([mine['ngrok-token'], mine.tunnel, mine['public-url']]).toEqual(['done', 'done', 'done']);
  });

  it('verify token: 403 is what is wrong, Meta\'s 200 is done; signatures failing make the secret step wrong', () => {
    expect(states(inputs({ findings: [f('handshake-403', 'error')] }))['verify-token']).toBe('problem');
    expect(states(inputs({ findings: [f('handshake-ok', 'ok')] }))['verify-token']).toBe('done');
    expect(states(inputs({ settings: settings({}, { metaVerifyToken: { set: false } }) }))['verify-token']).toBe('todo');
    const withSecret = settings({}, { metaAppSecret: { set: true, count: 1 } });
    expect(states(inputs({ settings: withSecret }))['secret']).toBe('done');
    expect(states(inputs({ settings: withSecret, findings: [f('meta-signature-invalid', 'error')] }))['secret']).toBe('problem');
  });

  it('subscription: wrong after a verified handshake with no POST; done with the first webhook', () => {
    expect(states(inputs({ findings: [f('no-post-after-handshake')] })).subscribe).toBe('problem');
    const done = states(inputs({ webhookSeen: true }));
    expect([done.subscribe, done['first-webhook']]).toEqual(['done', 'done']);
  });
});

describe('doctor: causes, verdict, fixed', () => {
  it('one root cause is one card, however many findings it has', () => {
    const findings = [f('tunnel-off'), f('public-url-unknown'), f('self-check-failed', 'error'), f('unrouted:/webhook'), f('no-webhooks', 'info')];
    const groups = groupFindings(findings);
    expect(groups.map((g) => g.cause)).toEqual(['reach', 'path', 'traffic']);
    expect(groups[0].findings.map((x) => x.id)).toEqual(['self-check-failed', 'tunnel-off', 'public-url-unknown']);
    expect(groups[0].level).toBe('error');
    expect(causeOf('handshake-403')).toBe('verify');
    expect(causeOf('meta-secret-swapped')).toBe('signatures');
  });

  it('the verdict names the count of causes and the worst one; all clear is "All set"', () => {
    const steps = setupSteps(inputs());
    const v = verdict([f('tunnel-off'), f('public-url-unknown'), f('handshake-403', 'error')], steps);
    expect(v.level).toBe('error');
    expect(v.title).toBe('2 problems to fix');
    expect(v.detail).toContain('T handshake-403');
    const allDone = setupSteps(inputs({ settings: settings({ publicUrl: 'https://h.example' }, { metaAppSecret: { set: true, count: 1 } }), findings: [f('handshake-ok', 'ok')], webhookSeen: true }));
    expect(verdict([f('webhooks-received', 'ok')], allDone)).toMatchObject({ level: 'ok', title: 'All set' });
    expect(verdict([], steps).title).toBe('Next: ngrok authtoken');
  });

  it('a problem that goes away is "fixed"; one that comes back is not', () => {
    const before = [f('tunnel-off'), f('public-url-unknown'), f('no-webhooks', 'info')];
    const after = [f('tunnel-online', 'ok'), f('no-webhooks', 'info')];
    const fixed = nextFixed(before, [], after);
    expect(fixed.map((x) => x.id).sort()).toEqual(['public-url-unknown', 'tunnel-off']);
    expect(nextFixed(after, fixed, [f('tunnel-off')]).map((x) => x.id)).toEqual(['public-url-unknown']);
    // Info findings are not problems: their going away is not a fix.
    expect(nextFixed([f('no-webhooks', 'info')], [], [])).toEqual([]);
  });
});

describe('public URL', () => {
  it('accepts public https, refuses http, loopback, private and link-local, with the reason', () => {
    expect(publicUrlProblem('https://abc.ngrok-free.app')).toBeNull();
    expect(publicUrlProblem('https://hooks.example.com/base')).toBeNull();
    expect(publicUrlProblem('http://hooks.example.com')).toMatch(/https/);
    for (const h of ['127.0.0.1', '127.8.9.1', 'localhost', 'app.localhost', '10.0.0.1', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.1.1', '[::1]', '[fd00::1]', '[fe80::1]', '0.0.0.0', '[::ffff:127.0.0.1]']) {
      expect(publicUrlProblem(`https://${h}/x`), h).toMatch(/cannot reach/);
    }
    expect(isLocalHost('172.32.0.1')).toBe(false);
    expect(isLocalHost('8.8.8.8')).toBe(false);
    expect(publicUrlProblem('not a url')).toMatch(/not a URL/);
    expect(publicUrlProblem('https://user:pw@hooks.example.com')).toMatch(/password/);
  });
});

describe('UI token in the data dir', () => {
  it('is made once (0600), read back on the next start, replaced when rotated or unusable', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hs-uitoken-'));
    const t = loadOrCreateUiToken(dir);
    expect(t).toMatch(/^[A-Za-z0-9_-]{32}$/);
    if (process.platform !== 'win32') expect(statSync(join(dir, 'ui-token')).mode & 0o777).toBe(0o600);
    expect(loadOrCreateUiToken(dir)).toBe(t);
    const r = rotateUiToken(dir);
    expect(r).not.toBe(t);
    expect(loadOrCreateUiToken(dir)).toBe(r);
    writeFileSync(join(dir, 'ui-token'), ' \n');
    const again = loadOrCreateUiToken(dir);
    expect(again).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(readFileSync(join(dir, 'ui-token'), 'utf8').trim()).toBe(again);
  });

  it('the token page takes a token or the whole printed address', () => {
    expect(tokenFromPaste('http://127.0.0.1:4751/?token=abcDEF123_-x')).toBe('abcDEF123_-x');
    expect(tokenFromPaste('ui: http://127.0.0.1:4751/?token=abcDEF123')).toBe('abcDEF123');
    expect(tokenFromPaste('  abcDEF123456  ')).toBe('abcDEF123456');
    expect(tokenFromPaste('http://127.0.0.1:4751/')).toBeNull();
    expect(tokenFromPaste('<script>')).toBeNull();
  });
});

describe('words and numbers', () => {
  it('"1 event", "N events of M", never "of" a smaller whole', () => {
    expect(countsText(1, 1)).toBe('1 event');
    expect(countsText(1, 51)).toBe('1 event of 51');
    expect(countsText(57, 56)).toBe('57 events');
    expect(countsText(1200, 3400)).toBe('1,200 events of 3,400');
    expect(countsText(0, null)).toBe('0 events');
  });

  it('row dates carry the year when it is not this year', () => {
    const now = new Date(2026, 10, 30, 12).getTime();
    expect(formatRowTime(new Date(2026, 10, 30, 9, 5, 7).getTime(), now)).toBe('09:05:07');
    expect(formatRowTime(new Date(2026, 2, 3, 14, 2).getTime(), now)).toBe('3 Mar 14:02');
    expect(formatRowTime(new Date(2025, 10, 3, 14, 2).getTime(), now)).toBe('3 Nov 2025 14:02');
  });

  it('chart buckets are aligned to the clock, cover the window, and sum the minutes', () => {
    const hour = 3_600_000;
    const since = new Date(2026, 10, 30, 10, 17).getTime();
    const until = since + 24 * hour;
    const minute = (t: number, total: number) => ({ t, total, messages: total, statuses: 0, failed: 0, invalidSignatures: 0 });
    const b = chartBuckets([minute(since, 2), minute(since + 20 * 60_000, 3), minute(until - 60_000, 4)], since, until, hour);
    expect(b).toHaveLength(25);
    expect(new Date(b[0].t).getMinutes()).toBe(0);
    // 10:17 and 10:37 share the 10:00 bar.
    expect(b[0].total).toBe(5);
    expect(b[1].total).toBe(0);
    expect(b.at(-1)!.total).toBe(4);
    expect(b.reduce((a, x) => a + x.total, 0)).toBe(9);
    expect([niceCeil(0), niceCeil(7), niceCeil(10), niceCeil(13), niceCeil(480)]).toEqual([1, 10, 10, 20, 500]);
  });
});

describe('live counts on top of a snapshot', () => {
  const ev = (id: number, over: Partial<HookEvent> = {}): HookEvent => ({
    id, requestId: id, receivedAt: 1_000 + id, signature: 'valid', duplicate: false, provider: 'meta', kind: 'message', status: 'incoming',
    providerStatus: null, messageId: `wamid.${id}`, contactId: '5511000000001', contactName: null, businessId: '1', messageType: 'text',
    text: 'x', replyTo: null, errorCode: null, errorTitle: null, errorDetail: null, timestamp: 1_000 + id, ...over,
  });

  it('pushes move the chips at once; a later snapshot does not count them twice; the chips follow the filter', async () => {
    const db = [ev(1), ev(2, { kind: 'status', status: 'failed' }), ev(3, { kind: 'template', status: null })];
    const f = fakeBridge({ db });
    const statsCalls = () => f.callsTo('stats:get');
    const frames: (() => void)[] = [];
    const store = createAppStore(f.bridge, { schedule: (cb) => { frames.push(cb); }, statsThrottleMs: 60_000 });
    store.getState().stop();
    await Promise.all([store.getState().refreshStats(), store.getState().reload()]);
    expect(store.getState().statusCounts).toEqual({ incoming: 1, failed: 1 });
    expect(store.getState().noStatusCount).toBe(1);
    expect(store.getState().allTotal).toBe(3);

    // Wire pushes by hand (start() would load everything): events 4 and 5 arrive.
    const s0 = store.getState();
    f.append(ev(4), ev(5, { contactId: '5511000000002' }));
    s0.receiveEvents([db[3], db[4]]);
    frames.splice(0).forEach((cb) => cb());
    expect(store.getState().statusCounts).toEqual({ incoming: 3, failed: 1 });
    expect(store.getState().allTotal).toBe(5);
    expect(store.getState().total).toBe(5);

    // A snapshot that already holds 4 and 5: the same numbers, not 5 incoming.
    await store.getState().refreshStats();
    expect(store.getState().statusCounts).toEqual({ incoming: 3, failed: 1 });
    expect(store.getState().allTotal).toBe(5);

    // A contact filter: the chips count within it (status aside), the list total agrees.
    store.getState().setFilter({ contact: '5511000000002' });
    await expect.poll(() => store.getState().statusCounts).toEqual({ incoming: 1 });
    expect(statsCalls().at(-1)).toEqual({ contact: '5511000000002' });
    await expect.poll(() => store.getState().total).toBe(1);
    expect(store.getState().allTotal).toBe(5);
    // A status chip does not refetch the counts (they ignore status), and they stay put.
    const n = statsCalls().length;
    store.getState().setFilter({ status: ['failed'] });
    expect(statsCalls().length).toBe(n);
    expect(store.getState().statusCounts).toEqual({ incoming: 1 });
  });
});
