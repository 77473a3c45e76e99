// Rules that act, against the real core (receiver on port 0, SQLite in a temp dir) and a local HTTP
// target on port 0: filled templates with verifiable signatures, retries that survive a restart,
// forged webhooks that trigger nothing, loops refused, caps, timer rules run twice with an injected clock.
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DeliveryRecord, NotificationRecord, Rule, RuleInput } from '../../shared/types';
import type { RuleTestResult } from '../../shared/ipc';
import { ACTION_PRESETS } from '../../shared/actions';
import { startTestCore, type TestCore } from '../helpers/core';

const SECRET = 'app-secret-for-actions';
const HOOK_SECRET = 'crm-shared-secret';
const MIN = 60_000;

interface Seen { method: string; url: string; headers: IncomingMessage['headers']; body: string }
interface Target { url: string; seen: Seen[]; answers: number[]; hang: boolean; close(): Promise<void> }

/** A local HTTP target that records what arrives and answers from a script (200 once it runs out). */
async function startTarget(answers: number[] = []): Promise<Target> {
  const t = { seen: [] as Seen[], answers: [...answers], hang: false } as Target;
  const open = new Set<ServerResponse>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      t.seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      if (t.hang) { open.add(res); return; }
      const status = t.answers.shift() ?? 200;
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(status < 300 ? 'ok' : 'boom');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  t.close = () => new Promise<void>((r) => { for (const res of open) res.destroy(); server.closeAllConnections(); server.close(() => r()); });
  return t;
}

let seq = 0;
const meta = (value: Record<string, unknown>) => JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: 'W', changes: [{ field: 'messages', value: {
  messaging_product: 'whatsapp', metadata: { display_phone_number: '15550001111', phone_number_id: '111' }, ...value } }] }] });
const incoming = (from: string, text: string, name = 'Maria') => meta({
  contacts: [{ profile: { name }, wa_id: from }],
  messages: [{ from, id: `wamid.act${++seq}`, timestamp: '1700000000', type: 'text', text: { body: text } }],
});
const sent = (to: string) => meta({ statuses: [{ id: `wamid.out${++seq}`, status: 'sent', timestamp: '1700000000', recipient_id: to }] });

async function until<T>(fn: () => T | Promise<T>, ok: (v: T) => boolean, what: string, timeoutMs = 8000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 15));
  }
}

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => { while (cleanup.length) await cleanup.pop()!(); });

/** A core with an app secret, a clock the test moves, and timer checks every 20 ms. */
async function core(clock: { now: number }, dataDir?: string, extra: Record<string, unknown> = {}): Promise<TestCore> {
  const t = await startTestCore({ env: { metaAppSecrets: [SECRET] }, clock: () => clock.now, rulesTickMs: 20, dataDir, ...extra });
  let closed = false;
  const close = t.close.bind(t);
  t.close = async () => { if (!closed) { closed = true; await close(); } };
  cleanup.push(() => t.close());
  return t;
}
async function target(answers: number[] = []) {
  const t = await startTarget(answers);
  cleanup.push(() => t.close());
  return t;
}
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'hookscope-actions-'));
  cleanup.push(async () => rmSync(d, { recursive: true, force: true }));
  return d;
};
const deliveries = (t: TestCore, q: Record<string, number> = {}) => t.call<{ items: DeliveryRecord[] }>('deliveries:list', q).then((r) => r.items);
const leadRule = (url: string, over: Partial<RuleInput> = {}): RuleInput => ({
  name: 'Lead to CRM', enabled: true, when: { kind: ['message'], leadReply: true }, title: '{contactName} replied', body: '{text}',
  actions: [{ type: 'http', url: `${url}/hooks/lead`, method: 'POST', headers: { 'X-Team': 'sales' },
    body: '{"phone": {contactId|json}, "text": {text|json}, "name": {contactName|json}}', secret: HOOK_SECRET }],
  ...over,
});

describe('http actions', () => {
  it('a genuine lead message arrives as the filled template with a verifiable signature; the secret is write-only', async () => {
    const clock = { now: Date.now() };
    const t = await core(clock);
    const crm = await target();
    const rule = await t.call<Rule>('rules:create', leadRule(crm.url));
    expect(rule.actions?.[0]).toMatchObject({ type: 'http', secretSet: true });
    expect(JSON.stringify(rule)).not.toContain(HOOK_SECRET);
    expect(JSON.stringify(await t.call('rules:list'))).not.toContain(HOOK_SECRET);

    expect((await t.postMeta(sent('5511911110001'), SECRET)).status).toBe(200);
    expect((await t.postMeta(incoming('5511911110001', 'Quero "agendar"\nàs 10h'), SECRET)).status).toBe(200);
    await until(() => crm.seen.length, (n) => n === 1, 'the CRM call');
    const got = crm.seen[0];
    expect(got.method).toBe('POST');
    expect(got.url).toBe('/hooks/lead');
    expect(got.headers['x-team']).toBe('sales');
    expect(JSON.parse(got.body)).toEqual({ phone: '5511911110001', text: 'Quero "agendar"\nàs 10h', name: 'Maria' });
    const expected = `sha256=${createHmac('sha256', HOOK_SECRET).update(got.body).digest('hex')}`;
    expect(got.headers['x-hookscope-signature']).toBe(expected);

    const items = await until(() => deliveries(t, { ruleId: rule.id }), (d) => d.length === 1, 'the recorded delivery');
    expect(items[0]).toMatchObject({ ruleId: rule.id, attempt: 1, status: 200, error: null, nextAttemptAt: null });
    expect(items[0].eventId).toBeGreaterThan(0);
    expect(await deliveries(t, { eventId: items[0].eventId! })).toHaveLength(1);
    // A rule whose only action is http fires no desktop notification.
    expect((await t.call<{ items: NotificationRecord[] }>('notifications:list')).items.filter((n) => n.ruleId === rule.id)).toEqual([]);

    // Editing the rule without re-typing the secret keeps it; null clears it.
    const { id: _id, ...input } = rule;
    await t.call('rules:update', { id: rule.id, rule: input });
    await t.postMeta(incoming('5511911110001', 'again'), SECRET);
    await until(() => crm.seen.length, (n) => n === 2, 'the second call');
    expect(crm.seen[1].headers['x-hookscope-signature']).toBe(`sha256=${createHmac('sha256', HOOK_SECRET).update(crm.seen[1].body).digest('hex')}`);
    const cleared = await t.call<Rule>('rules:update', { id: rule.id, rule: { ...input, throttleSeconds: 0, actions: [{ ...input.actions![0], secret: null }] } });
    expect(cleared.actions?.[0]).toMatchObject({ secretSet: false });
    await t.postMeta(incoming('5511911110001', 'third'), SECRET);
    await until(() => crm.seen.length, (n) => n === 3, 'the third call');
    expect(crm.seen[2].headers['x-hookscope-signature']).toBeUndefined();
  });

  it('a forged message triggers nothing; the genuine one after it does', async () => {
    const clock = { now: Date.now() };
    const t = await core(clock);
    const crm = await target();
    await t.call<Rule>('rules:create', leadRule(crm.url, { when: { kind: ['message'] } }));
    const forged = incoming('5511900000666', 'Attacker: click http://evil.example', 'Attacker');
    expect((await t.postMeta(forged, 'not-the-secret')).status).toBe(401);
    expect((await t.post('/meta', forged)).status).toBe(401); // unsigned
    expect((await t.postMeta(incoming('5511911110002', 'genuine'), SECRET)).status).toBe(200);
    await until(() => crm.seen.length, (n) => n >= 1, 'the genuine call');
    // Actions are queued in arrival order: had the forged ones fired, they would have arrived first.
    expect(crm.seen.map((s) => JSON.parse(s.body).text)).toEqual(['genuine']);
  });

  it('a 500 then a 200 is retried after the back-off and both attempts are recorded', async () => {
    const clock = { now: Date.now() };
    const t = await core(clock);
    const crm = await target([500]);
    const rule = await t.call<Rule>('rules:create', leadRule(crm.url, { when: { kind: ['message'] } }));
    await t.postMeta(incoming('5511911110003', 'retry me'), SECRET);
    const first = await until(() => deliveries(t, { ruleId: rule.id }), (d) => d.length === 1, 'the first attempt');
    expect(first[0]).toMatchObject({ attempt: 1, status: 500, error: 'HTTP 500' });
    expect(first[0].nextAttemptAt).toBe(first[0].at + 30_000);
    expect(first[0].excerpt).toBe('boom');
    expect(crm.seen).toHaveLength(1);
    clock.now += 30_000;
    const both = await until(() => deliveries(t, { ruleId: rule.id }), (d) => d.length === 2, 'the retry');
    expect(both[0]).toMatchObject({ attempt: 2, status: 200, error: null, nextAttemptAt: null });
    expect(crm.seen).toHaveLength(2);
    expect(crm.seen[1].body).toBe(crm.seen[0].body); // the exact same bytes, so the same signature
    expect(crm.seen[1].headers['x-hookscope-signature']).toBe(crm.seen[0].headers['x-hookscope-signature']);
  });

  it('gives up after six tries with doubling delays (~15 minutes), saying so', async () => {
    const clock = { now: Date.now() };
    const t = await core(clock);
    const crm = await target([500, 500, 500, 500, 500, 500, 500]);
    const rule = await t.call<Rule>('rules:create', leadRule(crm.url, { when: { kind: ['message'] } }));
    const start = clock.now;
    await t.postMeta(incoming('5511911110004', 'never'), SECRET);
    for (let n = 1; n <= 6; n++) {
      const d = await until(() => deliveries(t, { ruleId: rule.id }), (x) => x.length === n, `attempt ${n}`);
      if (n < 6) { expect(d[0].nextAttemptAt! - d[0].at).toBe(30_000 * 2 ** (n - 1)); clock.now = d[0].nextAttemptAt!; }
      else { expect(d[0].nextAttemptAt).toBeNull(); expect(d[0].error).toMatch(/gave up after 6 tries/); }
    }
    expect(clock.now - start).toBe(15 * MIN + 30_000 - 0); // 30 s + 1 + 2 + 4 + 8 min
  });

  it('a restart mid-retry resumes: the queued attempt is sent by the next run', async () => {
    const dir = tempDir();
    const clock = { now: Date.now() };
    const crm = await target([503]);
    const t1 = await core(clock, dir);
    const rule = await t1.call<Rule>('rules:create', leadRule(crm.url, { when: { kind: ['message'] } }));
    await t1.postMeta(incoming('5511911110005', 'survive a restart'), SECRET);
    await until(() => deliveries(t1, { ruleId: rule.id }), (d) => d.length === 1 && d[0].status === 503, 'the failed first attempt');
    await t1.close();

    clock.now += 31_000;
    const t2 = await core(clock, dir);
    const d = await until(() => deliveries(t2, { ruleId: rule.id }), (x) => x.length === 2, 'the resumed attempt');
    expect(d.map((x) => [x.attempt, x.status])).toEqual([[2, 200], [1, 503]]);
    expect(crm.seen).toHaveLength(2);
    expect(JSON.parse(crm.seen[1].body).text).toBe('survive a restart');
  });

  it('one dead target never delays another; a target that loops back to the receiver is refused', async () => {
    const clock = { now: Date.now() };
    const t = await core(clock);
    const dead = await target();
    dead.hang = true;
    const chat = await target();
    const rule = await t.call<Rule>('rules:create', {
      name: 'Fan out', when: { kind: ['message'] }, throttleSeconds: 0,
      actions: [
        { type: 'http', url: `${dead.url}/x`, timeoutMs: 60_000, body: '{"n": 1}' },
        { type: 'http', url: `${chat.url}/y`, body: '{"text": {text|json}}' },
        { type: 'http', url: `${t.url}/meta`, body: '{"loop": true}' },
      ],
    });
    for (let i = 0; i < 4; i++) await t.postMeta(incoming('5511911110006', `m${i}`), SECRET);
    await until(() => chat.seen.length, (n) => n === 4, 'all four chat posts while the dead target hangs');
    expect(dead.seen.length).toBeLessThanOrEqual(2); // at most two at once per target
    const items = await until(() => deliveries(t, { ruleId: rule.id }), (d) => d.filter((x) => /refused/.test(x.error ?? '')).length === 4, 'refusals');
    expect(items.find((x) => /refused/.test(x.error ?? ''))!.error).toMatch(/own receiver/);
    // Nothing came back in: only the four webhooks posted here are stored.
    expect((await t.call<{ total: number }>('events:list', {})).total).toBe(4);
  });

  it('a dead target with a long backlog does not starve another target queued behind it', async () => {
    const clock = { now: Date.now() };
    const t = await core(clock, undefined, { actionsPerMinute: 1000 });
    const dead = await target();
    dead.hang = true;
    const chat = await target();
    await t.call('rules:create', { name: 'To the dead one', when: { text: 'dead' }, throttleSeconds: 0,
      actions: [{ type: 'http', url: `${dead.url}/x`, timeoutMs: 60_000, body: '{"t": {text|json}}' }] });
    await t.call('rules:create', { name: 'To chat', when: { text: 'chat' }, throttleSeconds: 0,
      actions: [{ type: 'http', url: `${chat.url}/y`, body: '{"t": {text|json}}' }] });
    const backlog = meta({ contacts: [{ profile: { name: 'X' }, wa_id: '5511911110010' }], messages: Array.from({ length: 100 }, (_, i) => (
      { from: '5511911110010', id: `wamid.dead${i}`, timestamp: '1700000000', type: 'text', text: { body: `dead ${i}` } })) });
    await t.postMeta(backlog, SECRET);
    await until(() => dead.seen.length, (n) => n === 2, 'the dead target holding its two slots');
    await t.postMeta(incoming('5511911110011', 'chat please'), SECRET);
    await until(() => chat.seen.length, (n) => n === 1, 'the chat post behind 98 queued dead ones');
    expect(dead.seen).toHaveLength(2);
  });

  it('over the per-minute cap nothing is skipped: the overflow goes out as one digest when the minute ends', async () => {
    const clock = { now: Date.now() };
    const t = await core(clock, undefined, { actionsPerMinute: 3 });
    const crm = await target();
    const rule = await t.call<Rule>('rules:create', leadRule(crm.url, { when: { kind: ['message'] }, throttleSeconds: 0,
      actions: [{ type: 'http', url: `${crm.url}/hooks/lead`, body: '{"title": {title|json}, "body": {body|json}}' }] }));
    const many = meta({ contacts: [{ profile: { name: 'X' }, wa_id: '5511911110007' }], messages: Array.from({ length: 8 }, (_, i) => (
      { from: '5511911110007', id: `wamid.cap${i}`, timestamp: '1700000000', type: 'text', text: { body: `n${i}` } })) });
    await t.postMeta(many, SECRET);
    const d = await until(() => deliveries(t, { ruleId: rule.id }), (x) => x.filter((y) => y.status === 200).length === 3
      && x.some((y) => y.attempt === 0 && /^5 actions/.test(y.error ?? '')), 'three sent, five held');
    const overflow = d.filter((x) => x.attempt === 0);
    expect(overflow).toHaveLength(1);
    expect(overflow[0].error).toMatch(/5 actions over the cap of 3 a minute for this rule: held, sent as one digest when the minute ends/);
    expect(crm.seen.map((s) => JSON.parse(s.body).body)).toEqual(['n0', 'n1', 'n2']);
    clock.now += MIN;
    await until(() => crm.seen.length, (n) => n === 4, 'one digest for the five held');
    const digest = JSON.parse(crm.seen[3].body) as { title: string; body: string };
    expect(digest.title).toMatch(/^5 more matches of “Lead to CRM”/);
    expect(digest.body.split('\n')).toEqual(['X: n3', 'X: n4', 'X: n5', 'X: n6', 'X: n7']);
    // Every delivery has its own key, sent both ways.
    const keys = crm.seen.map((s) => s.headers['idempotency-key']);
    expect(new Set(keys).size).toBe(4);
    expect(crm.seen.map((s) => s.headers['x-hookscope-delivery'])).toEqual(keys);
    await t.postMeta(incoming('5511911110007', 'next minute'), SECRET);
    await until(() => crm.seen.length, (n) => n === 5, 'a new minute, a new budget');
  });

  it('over the cap with "queue": each held action goes out on its own once the minute has room', async () => {
    const clock = { now: Date.now() };
    const t = await core(clock, undefined, { actionsPerMinute: 3 });
    const crm = await target();
    const rule = await t.call<Rule>('rules:create', leadRule(crm.url, { when: { kind: ['message'] }, throttleSeconds: 0, actionOverflow: 'queue',
      actions: [{ type: 'http', url: `${crm.url}/hooks/lead`, body: '{"text": {text|json}}' }] }));
    const many = meta({ contacts: [{ profile: { name: 'X' }, wa_id: '5511911110008' }], messages: Array.from({ length: 5 }, (_, i) => (
      { from: '5511911110008', id: `wamid.q${i}`, timestamp: '1700000000', type: 'text', text: { body: `q${i}` } })) });
    await t.postMeta(many, SECRET);
    const d = await until(() => deliveries(t, { ruleId: rule.id }), (x) => x.filter((y) => y.status === 200).length === 3
      && x.some((y) => y.attempt === 0 && /^2 actions/.test(y.error ?? '')), 'three sent, two queued');
    expect(d.find((x) => x.attempt === 0)!.error).toMatch(/queued until the next minute has room/);
    clock.now += MIN;
    await until(() => crm.seen.length, (n) => n === 5, 'the two queued ones');
    expect(crm.seen.map((s) => JSON.parse(s.body).text).sort()).toEqual(['q0', 'q1', 'q2', 'q3', 'q4']);
  });

  it('an evil regex on a 300-character message stalls nothing: the next genuine webhook is answered', { timeout: 15_000 }, async () => {
    const clock = { now: Date.now() };
    const t = await core(clock);
    await t.call('rules:create', { name: 'Evil', when: { textRegex: 'a*a*a*a*b' }, title: 'x', body: 'y' });
    await t.call('rules:create', { name: 'Evil 2', when: { textRegex: '(a+)+$' }, title: 'x', body: 'y' });
    expect((await t.postMeta(incoming('5511911110008', 'a'.repeat(300)), SECRET)).status).toBe(200);
    expect((await t.post('/meta', incoming('5511911110008', `${'a'.repeat(300)}!`))).status).toBe(401);
    const next = await t.postMeta(sent('5511911110008'), SECRET);
    expect(next.status).toBe(200);
  });

  it('the Test button sends the sample event through each preset and records it', async () => {
    const clock = { now: Date.now() };
    const t = await core(clock);
    const chat = await target([200, 200, 200, 404]);
    const actions = ACTION_PRESETS.map((p, i) => ({ ...p.action, url: `${chat.url}/${p.id}`, ...(i === 0 ? { secret: 's3' } : {}) }));
    const rule = await t.call<Rule>('rules:create', { name: 'Team chats', when: { kind: ['message'] }, title: '{contactName} wrote', body: '{text}', actions });
    const r = await t.call<RuleTestResult>('rules:test', { id: rule.id });
    expect(r.results.map((x) => x.status)).toEqual([200, 200, 200, 404]);
    expect(r.results[3].error).toBe('HTTP 404');
    const byPath = Object.fromEntries(chat.seen.map((s) => [s.url, JSON.parse(s.body)]));
    expect(byPath['/slack']).toEqual({ text: 'Test Lead (Hookscope) wrote\nThis is a test message sent by Hookscope’s Test button.' });
    expect(byPath['/discord']).toMatchObject({ content: expect.stringContaining('Test Lead'), allowed_mentions: { parse: [] } });
    expect(byPath['/teams'].attachments[0].content.body[0]).toMatchObject({ type: 'TextBlock', text: 'Test Lead (Hookscope) wrote' });
    expect(byPath['/json']).toMatchObject({ rule: 'Team chats', event: { contactId: '15550001234', kind: 'message' } });
    const slackReq = chat.seen.find((s) => s.url === '/slack')!;
    expect(slackReq.headers['x-hookscope-signature']).toBe(`sha256=${createHmac('sha256', 's3').update(slackReq.body).digest('hex')}`);
    const d = await deliveries(t, { ruleId: rule.id });
    expect(d).toHaveLength(4);
    expect(d.every((x) => x.test && x.eventId === null)).toBe(true);
  });

  it('Slack text is escaped so a customer cannot inject links or mentions', async () => {
    const clock = { now: Date.now() };
    const t = await core(clock);
    const chat = await target();
    await t.call('rules:create', { name: 'Slack', when: { kind: ['message'] }, title: '{contactName}', body: '{text}', throttleSeconds: 0,
      actions: [{ ...ACTION_PRESETS[0].action, url: `${chat.url}/s` }] });
    await t.postMeta(incoming('5511911110009', '<!channel> <http://evil.example|click> & more', 'Eve'), SECRET);
    await until(() => chat.seen.length, (n) => n === 1, 'the Slack post');
    expect(JSON.parse(chat.seen[0].body).text).toBe('Eve\n&lt;!channel&gt; &lt;http://evil.example|click&gt; &amp; more');
  });
});

describe('timer rules (injected clock; each runs twice)', () => {
  const at = (h: number, m = 0) => new Date(2026, 5, 10, h, m).getTime(); // a Wednesday, local time
  // No periodic tick: the test runs the timers itself, so "nothing fired" is a fact, not a wait.
  const timerCore = (clock: { now: number }, dir: string) => core(clock, dir, { rulesTickMs: 1e9 });

  it('unanswered lead: fires once after N working minutes, not for a lead who got an answer; a restart keeps the timer', async () => {
    const dir = tempDir();
    const clock = { now: at(17, 50) };
    const crm = await target();
    let t = await timerCore(clock, dir);
    const rule = await t.call<Rule>('rules:create', {
      name: 'Unanswered', when: { kind: ['message'] }, unanswered: { minutes: 15, from: '09:00', to: '18:00' },
      title: '{contactName} waits', body: 'for {minutes} min: {text}',
      actions: [{ type: 'notify' }, { type: 'http', url: `${crm.url}/u`, body: '{"who": {contactId|json}, "minutes": {minutes|json}}' }],
    });
    const mine = async () => (await t.call<{ items: NotificationRecord[] }>('notifications:list')).items.filter((n) => n.ruleId === rule.id);
    await t.postMeta(incoming('5511922220001', 'anyone there?', 'Ana'), SECRET);
    await t.postMeta(incoming('5511922220002', 'hello?', 'Bia'), SECRET);
    clock.now = at(17, 52);
    await t.postMeta(sent('5511922220002'), SECRET); // Bia got an answer
    // 10 working minutes pass by 18:00; the rest of the evening and night are outside working hours.
    clock.now = at(18, 10);
    t.core.tickRules();
    clock.now = at(23, 0);
    t.core.tickRules();
    expect(await mine()).toEqual([]);
    await t.close();

    // Next morning, after a restart: 09:04 is 14 working minutes, 09:05 is 15.
    clock.now = at(9, 4) + 86_400_000;
    t = await timerCore(clock, dir);
    t.core.tickRules();
    expect(await mine()).toEqual([]);
    clock.now = at(9, 5) + 86_400_000;
    t.core.tickRules();
    const fired = await mine();
    expect(fired).toHaveLength(1);
    expect(fired[0]).toMatchObject({ title: 'Ana waits', body: 'for 15 min: anyone there?' });
    await until(() => crm.seen.length, (n) => n === 1, 'the http action');
    expect(JSON.parse(crm.seen[0].body)).toEqual({ who: '5511922220001', minutes: 15 });
    // Once per wait: later ticks do not fire again.
    clock.now = at(10, 0) + 86_400_000;
    t.core.tickRules();
    t.core.tickRules();
    expect(await mine()).toHaveLength(1);
  });

  it('digest: armed when made, once per hour with the figures, one catch-up digest after a restart', async () => {
    const dir = tempDir();
    const clock = { now: at(10, 30) };
    const chat = await target();
    let t = await timerCore(clock, dir);
    const rule = await t.call<Rule>('rules:create', {
      name: 'Hourly', when: {}, digest: { every: 'hour' }, title: 'Digest {period}', body: '{summary}',
      actions: [{ type: 'notify' }, { type: 'http', url: `${chat.url}/d`, body: '{"failed": {failedByCode|json}, "summary": {summary|json}}' }],
    });
    const mine = async () => (await t.call<{ items: NotificationRecord[] }>('notifications:list')).items.filter((n) => n.ruleId === rule.id);
    t.core.tickRules(); // arms at 10:30
    t.core.tickRules();
    const failed = meta({ statuses: [{ id: 'wamid.f1', status: 'failed', timestamp: '1700000000', recipient_id: '5511933330001', errors: [{ code: 131047, title: 'Re-engagement message' }] }] });
    clock.now = at(10, 40);
    await t.postMeta(failed, SECRET);
    await t.postMeta(sent('5511933330002'), SECRET);
    clock.now = at(10, 45);
    await t.postMeta(incoming('5511933330002', 'yes please', 'Caio'), SECRET); // a lead reply, unanswered
    t.core.tickRules();
    expect(await mine()).toEqual([]);
    clock.now = at(11, 0);
    t.core.tickRules();
    t.core.tickRules();
    const one = await mine();
    expect(one).toHaveLength(1);
    expect(one[0].body).toBe('1 failed (131047 ×1) · 1 lead replied: Caio · 1 unanswered: Caio');
    expect(one[0].title).toMatch(/10:30 – .*11:00$/);
    await until(() => chat.seen.length, (n) => n === 1, 'the digest post');
    expect(JSON.parse(chat.seen[0].body).failed).toEqual({ 131047: 1 });
    clock.now = at(11, 30);
    t.core.tickRules();
    expect(await mine()).toHaveLength(1);
    await t.close();

    // Closed over 12:00 and 13:00: one digest for the whole stretch on the next start.
    clock.now = at(13, 20);
    t = await timerCore(clock, dir);
    t.core.tickRules();
    t.core.tickRules();
    const two = await mine();
    expect(two).toHaveLength(2);
    expect(two[0].title).toMatch(/11:00 – .*13:00$/);
    expect(two[0].body).toBe('0 failed · 0 leads replied · 0 unanswered');
    expect(await mine()).toHaveLength(2);
  });
});

describe('forgetting a contact', () => {
  it('erases their deliveries and the retries still waiting, and leaves other contacts alone', async () => {
    const clock = { now: Date.now() };
    const t = await core(clock);
    const crm = await target([500, 500]);
    await t.call<Rule>('rules:create', leadRule(crm.url));
    for (const who of ['5511911110001', '5511922220002']) {
      expect((await t.postMeta(sent(who), SECRET)).status).toBe(200);
      expect((await t.postMeta(incoming(who, `hello from ${who}`), SECRET)).status).toBe(200);
    }
    await until(() => deliveries(t), (d) => d.length === 2, 'two first attempts, both answered 500');
    const f = await t.call<{ deliveries: number }>('contacts:forget', { contactId: '5511911110001', dryRun: false });
    expect(f.deliveries).toBe(1);
    const left = await deliveries(t);
    expect(left).toHaveLength(1);
    expect(JSON.stringify(left)).not.toContain('5511911110001');
    // The forgotten contact's retry is gone with them; the other contact's retry still goes out.
    clock.now += 10 * 60_000;
    await until(() => crm.seen.length, (n) => n === 3, 'the other contact\'s retry');
    const phones = crm.seen.map((r) => JSON.parse(r.body).phone);
    expect(phones.filter((p) => p === '5511911110001')).toHaveLength(1); // only the attempt made before the forget
    expect(phones[2]).toBe('5511922220002');
  });
});
