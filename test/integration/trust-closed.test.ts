// The trust boundary in the configurations people run, through the real `serve` process (docs/api.md
// "Trust boundary"): a provider without its secret is closed unless "accept unsigned webhooks" is on for
// it, identities never cross providers, and stalled uploads, hostile contact patterns and credentialed
// rule actions cost a stranger nothing they could use.
import { afterEach, describe, expect, it } from 'vitest';
import { createHmac } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DoctorFinding, EventPage, MessageLifecycle, RejectedDetail, RejectedPage, Rule, SettingsView } from '../../shared/types';
import { startServe, type ServeProcess } from '../helpers/serve';
import { startTestCore, type TestCore } from '../helpers/core';
import type { TunnelConnector } from '../../electron/core/types';
import { openStoreFile } from '../helpers/store-file';

const SECRET = 'the-app-secret';
/** The real default: no accept-unsigned for this run (the helper turns it on for tests that do not care). */
const CLOSED = { HOOKSCOPE_ACCEPT_UNSIGNED: '' };
let s: ServeProcess | null = null;
let t: TestCore | null = null;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const x of sockets.splice(0)) x.destroy();
  await s?.stop();
  s = null;
  await t?.close();
  t = null;
});

const sign = (body: string | Buffer, secret = SECRET) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

function metaMessage(id: string, from = '5511988887777', text = 'hello') {
  return JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: 'WABA', changes: [{ field: 'messages', value: {
    messaging_product: 'whatsapp', metadata: { display_phone_number: '15550000000', phone_number_id: '100200300' },
    contacts: [{ profile: { name: 'Ana' }, wa_id: from }],
    messages: [{ from, id, timestamp: '1700000000', type: 'text', text: { body: text } }],
  } }] }] });
}

function metaStatus(id: string, status: string, ts: number) {
  return JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: 'WABA', changes: [{ field: 'messages', value: {
    messaging_product: 'whatsapp', metadata: { display_phone_number: '15550000000', phone_number_id: '100200300' },
    statuses: [{ id, status, timestamp: String(ts), recipient_id: '5511900001111' }],
  } }] }] });
}

const form = (p: Record<string, string>) => new URLSearchParams(p).toString();

async function post(path: string, body: string | Buffer, headers: Record<string, string> = {}) {
  return fetch(`${s!.receiverUrl}${path}`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
}

async function until<T>(f: () => Promise<T>, ok: (v: T) => boolean, tries = 300): Promise<T> {
  let v = await f();
  for (let i = 0; i < tries && !ok(v); i++) { await new Promise((r) => setTimeout(r, 50)); v = await f(); }
  return v;
}

describe('a provider is closed until it is set up', () => {
  it('Meta only: a forged /twilio is refused and kept with a diagnosis; a genuine Meta message with the same id is no duplicate', async () => {
    s = await startServe([], { ...CLOSED, META_APP_SECRET: SECRET });
    // The stranger names a genuine Meta message id, and another message's id with a "read".
    const forged = await post('/twilio', form({ MessageSid: 'wamid.GENUINE1', SmsStatus: 'received', From: 'whatsapp:+5511988887777', To: 'whatsapp:+15550000000', Body: 'forged' }),
      { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Bearer x' });
    expect(forged.status).toBe(403);
    expect(await forged.text()).toBe('Forbidden\n');
    const forgedStatus = await post('/twilio', form({ MessageSid: 'wamid.SENT1', MessageStatus: 'read', To: 'whatsapp:+5511900001111', From: 'whatsapp:+15550000000' }),
      { 'content-type': 'application/x-www-form-urlencoded' });
    expect(forgedStatus.status).toBe(403);

    const sent = metaStatus('wamid.SENT1', 'sent', 1700000000);
    expect((await post('/meta', sent, { 'x-hub-signature-256': sign(sent) })).status).toBe(200);
    const genuine = metaMessage('wamid.GENUINE1');
    expect((await post('/meta', genuine, { 'x-hub-signature-256': sign(genuine) })).status).toBe(200);

    const events = (await s.api<EventPage>('/api/events')).body.items;
    expect(events.map((e) => e.provider)).toEqual(['meta', 'meta']);
    expect(events.find((e) => e.messageId === 'wamid.GENUINE1')!.duplicate).toBe(false);
    expect((await s.api<MessageLifecycle>('/api/messages/wamid.SENT1')).body.current).toBe('sent');

    const rejected = (await until(() => s!.api<RejectedPage>('/api/rejected'), (r) => r.body.total === 2)).body;
    expect(rejected.items.every((i) => i.path === '/twilio' && i.httpStatus === 403)).toBe(true);
    const detail = (await s.api<RejectedDetail>(`/api/rejected/${rejected.items[0].id}`)).body;
    expect(detail.diagnosis).toMatch(/Twilio is not set up.*auth token.*Accept unsigned webhooks/s);
    // Users who only use Meta never see a Twilio warning, and nothing says the receiver is open.
    const findings = (await s.api<DoctorFinding[] | { findings: DoctorFinding[] }>('/api/doctor')).body;
    const list = Array.isArray(findings) ? findings : findings.findings;
    expect(list.filter((f) => /twilio/i.test(f.title) && (f.level === "warn" || f.level === "error")).map((f) => f.title + f.detail)).toEqual([]);
    expect(list.map((f) => f.id)).not.toContain('trust-no-secret');
  });

  it('no secret at all: /meta is refused, the handshake still works, and the switch (API, then flag) opens it as unchecked', async () => {
    s = await startServe([], { ...CLOSED, META_VERIFY_TOKEN: 'vt' });
    const body = metaMessage('wamid.U1');
    expect((await post('/meta', body)).status).toBe(403);
    // Meta's "Verify and save" works before the app secret is pasted.
    const hs = await fetch(`${s.receiverUrl}/meta?hub.mode=subscribe&hub.verify_token=vt&hub.challenge=42`);
    expect(hs.status).toBe(200);
    expect(await hs.text()).toBe('42');

    const view = (await s.api<SettingsView>('/api/settings', { method: 'PUT', body: JSON.stringify({ acceptUnsigned: { meta: true } }) })).body;
    expect(view.acceptUnsigned).toMatchObject({ meta: true, twilio: false });
    expect((await post('/meta', body)).status).toBe(200);
    expect((await post('/twilio', form({ MessageSid: 'SM1', Body: 'x' }), { 'content-type': 'application/x-www-form-urlencoded' })).status).toBe(403);
    const events = (await s.api<EventPage>('/api/events')).body.items;
    expect(events.filter((e) => e.kind === 'message').map((e) => e.signature)).toEqual(['unchecked']);
    // Said loudly while on: the doctor names it.
    const doctor = (await s.api<DoctorFinding[] | { findings: DoctorFinding[] }>('/api/doctor')).body;
    expect((Array.isArray(doctor) ? doctor : doctor.findings).map((f) => f.id)).toContain('trust-no-secret');

    await s.api('/api/settings', { method: 'PUT', body: JSON.stringify({ acceptUnsigned: { meta: false } }) });
    expect((await post('/meta', metaMessage('wamid.U2'))).status).toBe(403);
    const dir = s.dataDir;
    await s.stop();
    // The flag accepts for that run only, and a typo is refused rather than silently closed (or open).
    s = await startServe(['--accept-unsigned', 'twilio'], CLOSED, dir);
    expect((await post('/twilio', form({ MessageSid: 'SM2', Body: 'x' }), { 'content-type': 'application/x-www-form-urlencoded' })).status).toBe(200);
    expect((await post('/meta', metaMessage('wamid.U3'))).status).toBe(403);
    expect((await s.api<SettingsView>('/api/settings')).body.acceptUnsigned).toMatchObject({ meta: false, twilio: false, fromEnv: ['twilio'] });
    await s.stop();
    await expect(startServe(['--accept-unsigned', 'meta,twillio'], CLOSED, dir)).rejects.toThrow(/accept-unsigned/);
    s = null;
  });

  it('simulated webhooks work on a fresh install; a stranger cannot pass for the simulator', async () => {
    s = await startServe([], CLOSED);
    const sim = await s.api<{ sent: number; statuses: number[] }>('/api/simulate', { method: 'POST', body: JSON.stringify({ kind: 'message', provider: 'meta' }) });
    expect(sim.status).toBe(200);
    expect(sim.body.statuses.every((x) => x === 200)).toBe(true);
    const sim2 = await s.api<{ statuses: number[] }>('/api/simulate', { method: 'POST', body: JSON.stringify({ kind: 'message', provider: 'twilio' }) });
    expect(sim2.body.statuses.every((x) => x === 200)).toBe(true);
    const before = (await s.api<EventPage>('/api/events')).body.items.length;
    expect(before).toBeGreaterThan(0);
    // Whatever a caller writes, a network request is never "simulated".
    for (const extra of <Record<string, string>[]>[{ 'x-hookscope-origin': 'simulate' }, { 'user-agent': 'Hookscope-simulator' }, { 'x-forwarded-for': '127.0.0.1' }]) {
      expect((await post('/meta?origin=simulate', metaMessage('wamid.FAKE'), extra)).status).toBe(403);
    }
    expect((await s.api<EventPage>('/api/events')).body.items.length).toBe(before);
  });

  it('an install that accepted unsigned webhooks before keeps accepting them, and says so once', async () => {
    // A data dir from before closed providers: unsigned Meta webhooks stored, settings.json without the switch.
    s = await startServe([], { HOOKSCOPE_ACCEPT_UNSIGNED: 'meta' });
    expect((await post('/meta', metaMessage('wamid.OLD1'))).status).toBe(200);
    const dir = s.dataDir;
    await s.stop();
    const file = join(dir, 'settings.json');
    const old = JSON.parse(readFileSync(file, 'utf8'));
    delete old.acceptUnsigned;
    delete old.acceptUnsignedMigrated;
    writeFileSync(file, JSON.stringify(old));

    s = await startServe([], CLOSED, dir);
    expect((await post('/meta', metaMessage('wamid.NEW1'))).status).toBe(200);
    expect((await post('/twilio', form({ MessageSid: 'SM9', Body: 'x' }), { 'content-type': 'application/x-www-form-urlencoded' })).status).toBe(403);
    const view = (await s.api<SettingsView>('/api/settings')).body;
    expect(view.acceptUnsigned).toMatchObject({ meta: true, twilio: false, migrated: ['meta'] });
    const ids = async () => { const d = (await s!.api<DoctorFinding[] | { findings: DoctorFinding[] }>('/api/doctor')).body; return (Array.isArray(d) ? d : d.findings).map((f) => f.id); };
    expect(await ids()).toContain('accept-unsigned-migrated');
    // Once: the user's own choice ends the notice, and a restart does not migrate again.
    await s.api('/api/settings', { method: 'PUT', body: JSON.stringify({ acceptUnsigned: { meta: false } }) });
    expect(await ids()).not.toContain('accept-unsigned-migrated');
    await s.stop();
    s = await startServe([], CLOSED, dir);
    expect((await s.api<SettingsView>('/api/settings')).body.acceptUnsigned).toMatchObject({ meta: false, migrated: [] });
    expect((await post('/meta', metaMessage('wamid.NEW2'))).status).toBe(403);
  });
});

describe('identities never cross providers', () => {
  it('with unsigned Twilio accepted, a Twilio callback naming a Meta id is neither a duplicate of it nor a step of its life', async () => {
    s = await startServe([], { HOOKSCOPE_ACCEPT_UNSIGNED: 'twilio', META_APP_SECRET: SECRET });
    const sent = metaStatus('wamid.SENT2', 'sent', 1700000000);
    expect((await post('/meta', sent, { 'x-hub-signature-256': sign(sent) })).status).toBe(200);
    const urlenc = { 'content-type': 'application/x-www-form-urlencoded' };
    expect((await post('/twilio', form({ MessageSid: 'wamid.GENUINE2', SmsStatus: 'received', From: 'whatsapp:+5511988887777', To: 'whatsapp:+15550000000', Body: 'first' }), urlenc)).status).toBe(200);
    expect((await post('/twilio', form({ MessageSid: 'wamid.SENT2', MessageStatus: 'read', To: 'whatsapp:+5511900001111', From: 'whatsapp:+15550000000' }), urlenc)).status).toBe(200);
    const genuine = metaMessage('wamid.GENUINE2');
    expect((await post('/meta', genuine, { 'x-hub-signature-256': sign(genuine) })).status).toBe(200);

    const events = (await s.api<EventPage>('/api/events')).body.items;
    const meta = events.find((e) => e.provider === 'meta' && e.messageId === 'wamid.GENUINE2')!;
    expect(meta.duplicate).toBe(false);
    const life = (await s.api<MessageLifecycle>('/api/messages/wamid.SENT2')).body;
    expect(life.current).toBe('sent');
    expect(life.events.every((e) => e.provider === 'meta')).toBe(true);
    // Each provider's own history of an id stays reachable by naming it.
    expect((await s.api<MessageLifecycle>('/api/messages/wamid.SENT2?provider=twilio')).body.events.every((e) => e.provider === 'twilio')).toBe(true);
  });

  it('a Twilio "sent" to a customer\'s number does not answer their Meta lead; the business\'s Meta reply does', async () => {
    s = await startServe([], { HOOKSCOPE_ACCEPT_UNSIGNED: 'twilio', META_APP_SECRET: SECRET });
    const made = await s.api('/api/rules', { method: 'POST', body: JSON.stringify({ name: 'Unanswered lead', enabled: true,
      when: { kind: ['message'], leadReply: true }, title: 'unanswered {contactId}', body: '{text}', unanswered: { minutes: 15, from: '00:00', to: '23:59' } }) });
    expect(made.status).toBe(201);
    const peek = openStoreFile(s.dataDir, { readonly: true });
    try {
      const waiting = () => peek.prepare('SELECT contact_id FROM lead_waits').pluck().all() as string[];
      const signed = async (body: string) => expect((await post('/meta', body, { 'x-hub-signature-256': sign(body) })).status).toBe(200);
      // The business wrote to 5511900001111 on Meta; they reply: a lead waiting for an answer.
      await signed(metaStatus('wamid.OUT1', 'sent', 1700000000));
      await signed(metaMessage('wamid.LEADIN1', '5511900001111', 'is it still available?'));
      await until(async () => waiting(), (v) => v.length === 1);
      expect(waiting()).toEqual(['5511900001111']);
      // Through the door unsigned Twilio leaves open: an outgoing status to that number, as if answered.
      const urlenc = { 'content-type': 'application/x-www-form-urlencoded' };
      expect((await post('/twilio', form({ MessageSid: 'SMFAKEANSWER', MessageStatus: 'sent', To: 'whatsapp:+5511900001111', From: 'whatsapp:+15550000000' }), urlenc)).status).toBe(200);
      await until(async () => (await s!.api<EventPage>('/api/events?provider=twilio')).body.total, (n) => n === 1);
      // A later Meta event is derived after it: once it is stored, the Twilio one has been through the rules.
      await signed(metaStatus('wamid.OUT1', 'delivered', 1700000300));
      await until(async () => (await s!.api<EventPage>('/api/events?status=delivered')).body.total, (n) => n === 1);
      expect(waiting()).toEqual(['5511900001111']);
      // The business's own answer on Meta ends the wait.
      await signed(metaStatus('wamid.OUT2', 'sent', 1700000400));
      await until(async () => waiting(), (v) => v.length === 0);
      expect(waiting()).toEqual([]);
    } finally { peek.close(); }
  });

  it('a Twilio callback about a customer\'s number does not use up the throttle of a rule for their Meta messages', async () => {
    s = await startServe([], { HOOKSCOPE_ACCEPT_UNSIGNED: 'twilio', META_APP_SECRET: SECRET });
    const made = await s.api('/api/rules', { method: 'POST', body: JSON.stringify({ name: 'Failures', when: { status: ['failed'] }, title: 'failed {contactId}', body: '{provider}', throttleSeconds: 3600 }) });
    expect(made.status).toBe(201);
    const fired = async () => (await s!.api<{ items: { body: string }[] }>('/api/notifications')).body.items.map((n) => n.body).sort();
    // The stranger's door first: an unsigned Twilio failure for the number fires (Twilio is accepted unsigned)…
    const urlenc = { 'content-type': 'application/x-www-form-urlencoded' };
    expect((await post('/twilio', form({ MessageSid: 'SMFORGED1', MessageStatus: 'failed', ErrorCode: '63016', To: 'whatsapp:+5511900001111', From: 'whatsapp:+15550000000' }), urlenc)).status).toBe(200);
    await until(fired, (v) => v.length === 1);
    expect(await fired()).toEqual(['Twilio']);
    // …and the genuine Meta failure for the same number still notifies: throttles are per provider.
    const failed = metaStatus('wamid.FAILED1', 'failed', 1700000100);
    expect((await post('/meta', failed, { 'x-hub-signature-256': sign(failed) })).status).toBe(200);
    expect(await until(fired, (v) => v.length === 2)).toEqual(['Meta', 'Twilio']);
    // Within one provider the throttle holds: a second Meta failure for that number inside the hour is quiet.
    const again = metaStatus('wamid.FAILED2', 'failed', 1700000200);
    expect((await post('/meta', again, { 'x-hub-signature-256': sign(again) })).status).toBe(200);
    // Rules run in arrival order: once a later failure for another number has notified, that one was decided.
    expect((await post('/twilio', form({ MessageSid: 'SMOTHER1', MessageStatus: 'failed', ErrorCode: '63016', To: 'whatsapp:+5511900002222', From: 'whatsapp:+15550000000' }), urlenc)).status).toBe(200);
    expect(await until(fired, (v) => v.length === 3)).toEqual(['Meta', 'Twilio', 'Twilio']);
    expect((await s.api<EventPage>('/api/events?status=failed')).body.total).toBe(4);
  });
});

describe('a contact pattern', () => {
  it('"*1*1*1*2" against a 3,000-digit sender leaves the control API answering', { timeout: 60_000 }, async () => {
    s = await startServe([]);
    const r = await s.api('/api/rules', { method: 'POST', body: JSON.stringify({ name: 'Glob', when: { contact: '*1*1*1*2' }, title: 't', body: 'b' }) });
    expect(r.status).toBe(201);
    for (const n of [300, 3000]) {
      expect((await post('/meta', metaMessage(`wamid.LONG${n}`, '1'.repeat(n)))).status).toBe(200);
      const page = await until(() => s!.api<EventPage>('/api/events'), (p) => p.body.items.some((e) => e.messageId === `wamid.LONG${n}`));
      expect(page.status).toBe(200);
    }
    expect((await s.api('/api/settings')).status).toBe(200);
    // A real number still matches.
    expect((await post('/meta', metaMessage('wamid.REAL', '5511001002'))).status).toBe(200);
    const fired = await until(() => s!.api<{ items: { ruleId: number }[] }>('/api/notifications'), (x) => x.body.items.some((n) => n.ruleId !== 0));
    expect(fired.body.items.filter((n) => n.ruleId !== 0)).toHaveLength(1);
  });
});

describe('credentials are write-only', () => {
  it('admin and viewer reads of a rule with a credentialed action carry no secret; saving it back keeps the stored ones', async () => {
    s = await startServe([]);
    const slack = 'https://hooks.slack.com/services/T000/B000/XXXXSECRETXXXX';
    const created = await s.api<Rule>('/api/rules', { method: 'POST', body: JSON.stringify({
      name: 'Chat', when: { kind: ['status'] }, title: 't', body: 'b',
      actions: [{ type: 'http', url: slack, headers: { Authorization: 'Bearer sk-live-123', 'content-type': 'application/json' }, body: '{}' },
        { type: 'http', url: 'https://crm.example/api?token=qs-secret-9', body: '{}' }],
    }) });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const made = await fetch(`${s.uiBase}/api/tokens`, { method: 'POST', headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'v', role: 'viewer' }) });
    const viewer = ((await made.json()) as { token: string }).token;
    const adminText = await (await fetch(`${s.uiBase}/api/rules`, { headers: { authorization: `Bearer ${s.token}` } })).text();
    const viewerText = await (await fetch(`${s.uiBase}/api/rules`, { headers: { authorization: `Bearer ${viewer}` } })).text();
    const rpcText = await (await fetch(`${s.uiBase}/api/rpc/rules:list`, { method: 'POST', headers: { authorization: `Bearer ${viewer}` } })).text();
    for (const text of [JSON.stringify(created.body), adminText, viewerText, rpcText]) {
      for (const secret of ['sk-live-123', 'XXXXSECRETXXXX', 'T000/B000', 'qs-secret-9']) expect(text).not.toContain(secret);
    }
    const asAdmin = (JSON.parse(adminText) as Rule[])[0];
    const asViewer = (JSON.parse(viewerText) as Rule[])[0];
    expect(asAdmin.actions![0]).toMatchObject({ url: 'https://hooks.slack.com/services/…', headers: { Authorization: '********', 'content-type': 'application/json' } });
    expect(asViewer.actions!.map((a) => (a.type === 'http' ? a.url : null))).toEqual(['https://hooks.slack.com/…', 'https://crm.example/…']);

    // Saved back as read (a rename): the action still goes to the stored URL with the stored header.
    const seen: { url: string; auth: string | undefined }[] = [];
    const { createServer } = await import('node:http');
    const sink = createServer((req, res) => { seen.push({ url: req.url!, auth: req.headers.authorization }); res.end('ok'); });
    await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
    const port = (sink.address() as { port: number }).port;
    try {
      const local = await s.api<Rule>('/api/rules', { method: 'POST', body: JSON.stringify({
        name: 'Local', when: { kind: ['message'] }, title: 't', body: 'b',
        actions: [{ type: 'http', url: `http://127.0.0.1:${port}/hook/abcdefghijklmnopqrstuvwxyz0123456789`, headers: { Authorization: 'Bearer kept' }, body: '{}' }],
      }) });
      const read = (await s.api<Rule[]>('/api/rules')).body.find((x) => x.id === local.body.id)!;
      expect(JSON.stringify(read)).not.toContain('Bearer kept');
      const upd = await s.api<Rule>(`/api/rules/${read.id}`, { method: 'PUT', body: JSON.stringify({ ...read, name: 'Local renamed' }) });
      expect(upd.status).toBe(200);
      // A masked value cannot follow the action to another address.
      const moved = await s.api(`/api/rules/${read.id}`, { method: 'PUT', body: JSON.stringify({ ...read, actions: [{ ...read.actions![0], url: 'https://elsewhere.example/x' }] }) });
      expect(moved.status).toBe(400);
      expect((await post('/meta', metaMessage('wamid.ACT1'))).status).toBe(200);
      await until(async () => seen.length, (n) => n > 0);
      expect(seen[0]).toEqual({ url: '/hook/abcdefghijklmnopqrstuvwxyz0123456789', auth: 'Bearer kept' });
    } finally {
      sink.closeAllConnections();
      await new Promise((r) => sink.close(r));
    }
  });
});

/** Opens a raw upload that sends its headers and part of its body, then stalls. */
function stall(url: string, opts: { declared: number; send: number; xff?: string; signed?: boolean }): Promise<Socket> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const sock = connect(Number(u.port), u.hostname, () => {
      const head = [`POST /meta HTTP/1.1`, `Host: ${u.host}`, 'Content-Type: application/json', `Content-Length: ${opts.declared}`,
        ...(opts.xff ? [`X-Forwarded-For: ${opts.xff}`] : []), ...(opts.signed ? ['X-Hub-Signature-256: sha256=' + '0'.repeat(64)] : []), '', ''].join('\r\n');
      sock.write(head);
      sock.write(Buffer.alloc(opts.send, 0x61), () => resolve(sock));
    });
    sock.on('error', () => undefined);
    sock.once('error', reject);
    sockets.push(sock);
  });
}

describe('uploads cannot starve genuine webhooks', () => {
  it('1,200 stalled uploads (150 MiB in flight): every genuine signed webhook is answered 200', { timeout: 180_000 }, async () => {
    s = await startServe([], { ...CLOSED, META_APP_SECRET: SECRET });
    // Each carries a made-up signature header, as a stranger copying a provider would (without one, a
    // request to a provider with a secret is refused by its headers and its body never held).
    for (let i = 0; i < 1200; i += 50) {
      await Promise.all(Array.from({ length: 50 }, () => stall(s!.receiverUrl, { declared: 256 * 1024, send: 128 * 1024, signed: true })));
    }
    for (let i = 0; i < 10; i++) {
      const body = metaMessage(`wamid.UNDER${i}`);
      expect((await post('/meta', body, { 'x-hub-signature-256': sign(body) })).status).toBe(200);
    }
    expect((await s.api<EventPage>('/api/events')).body.items.filter((e) => e.messageId?.startsWith('wamid.UNDER'))).toHaveLength(10);
  });

  it('one source through the tunnel stalling 64 MiB and sending junk: genuine webhooks from that same address get 200', { timeout: 120_000 }, async () => {
    // The tunnel online: the source is the last X-Forwarded-For entry the agent appends (gate.ts).
    const online: TunnelConnector = { connect: async () => ({ url: () => 'https://hooks.example.ngrok.app', close: async () => undefined }) };
    t = await startTestCore({ tunnelConnector: online, env: { metaAppSecrets: [SECRET], ngrokAuthtoken: 'x', acceptUnsigned: [] } });
    await t.call('tunnel:start');
    await t.call('settings:update', { rejectedPerMinute: 5 });
    const src = '198.51.100.7';
    const junk = () => fetch(`${t!.url}/wp-login.php`, { method: 'POST', body: 'x', headers: { 'x-forwarded-for': src } });
    for (let i = 0; i < 10; i++) await junk();
    expect((await junk()).status).toBe(429);
    // With a made-up signature header: without one a request is refused by its headers (429 here), body unread.
    for (let i = 0; i < 260; i++) await stall(t.url, { declared: 512 * 1024, send: 256 * 1024, xff: src, signed: true });
    for (let i = 0; i < 10; i++) {
      const body = metaMessage(`wamid.SRC${i}`);
      await junk();
      const r = await fetch(`${t.url}/meta`, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(body), 'x-forwarded-for': src } });
      expect(r.status).toBe(200);
    }
  });

  it('while the bodies in flight fill the budget, an upload announcing more than 64 KiB gets 503 before its body is read; a small webhook still gets in', { timeout: 60_000 }, async () => {
    t = await startTestCore({ bodyBudgets: { inFlight: 512 * 1024, perSource: 4 * 1024 * 1024 }, env: { metaAppSecrets: [SECRET], acceptUnsigned: [] } });
    for (let round = 0; round < 2; round++) {
      // Two stalled uploads (a made-up signature header each) hold exactly the 512 KiB budget: full, none cut yet.
      const stalled = [await stall(t.url, { declared: 400 * 1024, send: 256 * 1024, signed: true }), await stall(t.url, { declared: 400 * 1024, send: 256 * 1024, signed: true })];
      await expect.poll(async () => {
        // Headers only: the answer comes without a byte of the announced 100 KiB body.
        const big = await stall(t!.url, { declared: 100 * 1024, send: 0, signed: true });
        let answer = '';
        big.on('data', (d) => { answer += d; });
        await new Promise<void>((r) => big.on('close', () => r()));
        return answer;
      }, { timeout: 20_000 }).toMatch(/^HTTP\/1\.1 503 [\s\S]*retry-after: \d+/i);
      // A genuine webhook is small: it is read, makes room by cutting the oldest stalled upload, and is stored.
      const body = metaMessage(`wamid.BUDGET${round}`);
      const r = await fetch(`${t.url}/meta`, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(body) } });
      expect(r.status).toBe(200);
      for (const x of stalled) x.destroy();
      // With the stalled uploads gone, the same large announcement is read again (and refused for its made-up signature).
      await expect.poll(async () => (await fetch(`${t!.url}/meta`, { method: 'POST', body: 'x'.repeat(100 * 1024), headers: { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` } })).status, { timeout: 20_000 }).toBe(401);
    }
    const page = await t.call<EventPage>('events:list', { q: 'BUDGET' });
    expect(page.items.map((e) => e.messageId).sort()).toEqual(['wamid.BUDGET0', 'wamid.BUDGET1']);
  });

  // A genuine webhook over 64 KiB: a text message with a long body, signed.
  const bigGenuine = (id: string) => metaMessage(id, '5511988887777', 'y'.repeat(80 * 1024));
  const postSigned = (body: string, xff?: string, secret = SECRET) => fetch(`${t!.url}/meta`, { method: 'POST', body,
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(body, secret), ...(xff ? { 'x-forwarded-for': xff } : {}) } });

  it('through the tunnel, a source over its rejected-request limit has its uploads over 64 KiB answered 503 unread; its small webhooks and other sources\' large ones still 200 (twice)', { timeout: 60_000 }, async () => {
    const online: TunnelConnector = { connect: async () => ({ url: () => 'https://hooks.example.ngrok.app', close: async () => undefined }) };
    t = await startTestCore({ tunnelConnector: online, env: { metaAppSecrets: [SECRET], ngrokAuthtoken: 'x', acceptUnsigned: [] } });
    await t.call('tunnel:start');
    await t.call('settings:update', { rejectedPerMinute: 5 });
    const src = '198.51.100.9';
    const junk = () => fetch(`${t!.url}/wp-login.php`, { method: 'POST', body: 'x', headers: { 'x-forwarded-for': src } });
    for (let i = 0; i < 10; i++) await junk();
    expect((await junk()).status).toBe(429);
    for (let round = 0; round < 2; round++) {
      // Headers only, with a made-up signature: only its body could disprove it, and it is answered without it.
      const big = await stall(t.url, { declared: 100 * 1024, send: 0, signed: true, xff: src });
      let answer = '';
      big.on('data', (d) => { answer += d; });
      await new Promise<void>((r) => big.on('close', () => r()));
      expect(answer).toMatch(/^HTTP\/1\.1 503 [\s\S]*retry-after: \d+/i);
      // The same address, a small genuine webhook: read, verified, stored.
      expect((await postSigned(metaMessage(`wamid.OVER${round}`), src)).status).toBe(200);
      // Another address (the provider's own): its large webhook is read as ever.
      expect((await postSigned(bigGenuine(`wamid.BIG${round}`), '203.0.113.20')).status).toBe(200);
      // A small forgery from the limited address is still read and checked: 429 over the limit, never stored.
      expect((await postSigned(metaMessage('wamid.FORGED'), src, 'not-it')).status).toBe(429);
    }
    const page = await t.call<EventPage>('events:list', { q: 'wamid' });
    expect(page.items.map((e) => e.messageId).sort()).toEqual(['wamid.BIG0', 'wamid.BIG1', 'wamid.OVER0', 'wamid.OVER1']);
  });

  it('without our tunnel every caller is one loopback source: over the limit, large genuine webhooks and the handshake still get 200 (twice)', { timeout: 60_000 }, async () => {
    t = await startTestCore({ env: { metaAppSecrets: [SECRET], metaVerifyToken: 'vt', acceptUnsigned: [] } });
    await t.call('settings:update', { rejectedPerMinute: 5 });
    const junk = () => fetch(`${t!.url}/wp-login.php`, { method: 'POST', body: 'x' });
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 10; i++) await junk();
      expect((await junk()).status).toBe(429);
      // A stranger's junk through the user's own proxy shares loopback with the provider: it must not hold
      // the provider's large webhook (over 64 KiB, announced with its length) or the verification out.
      expect((await postSigned(bigGenuine(`wamid.LOOP${round}`))).status).toBe(200);
      expect((await fetch(`${t.url}/meta?hub.mode=subscribe&hub.verify_token=vt&hub.challenge=7${round}`)).status).toBe(200);
    }
    const page = await t.call<EventPage>('events:list', { q: 'wamid' });
    expect(page.items.map((e) => e.messageId).sort()).toEqual(['wamid.LOOP0', 'wamid.LOOP1']);
  });

  it('a stalled upload is cut off once its body is overdue, and a second one the same way', { timeout: 60_000 }, async () => {
    t = await startTestCore({ env: { metaAppSecrets: [SECRET], acceptUnsigned: [] } });
    for (let round = 0; round < 2; round++) {
      const sock = await stall(t.url, { declared: 1024, send: 10, signed: true });
      let answer = '';
      sock.on('data', (d) => { answer += d; });
      await new Promise<void>((r) => sock.on('close', () => r()));
      expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    }
  });
});

describe('the rejected log', () => {
  it('keeps to its cap in bytes when headers are full of 0xFF bytes (two characters each as stored)', { timeout: 120_000 }, async () => {
    t = await startTestCore({ env: { acceptUnsigned: [] } });
    const cap = 64 * 1024;
    await t.call('settings:update', { rejectedLogBytes: cap, rejectedPerMinute: 100_000, diskFloorBytes: 0 });
    const u = new URL(t.url);
    const heavy = Buffer.alloc(4000, 0xff);
    for (let i = 0; i < 60; i++) {
      // Raw bytes on the wire: Node reads each 0xFF as "ÿ", kept as two bytes of UTF-8 in SQLite.
      await new Promise<void>((resolve) => {
        const sock = connect(Number(u.port), u.hostname, () => {
          sock.write(Buffer.concat([Buffer.from(`POST /nope HTTP/1.1\r\nHost: ${u.host}\r\nContent-Length: 0\r\nX-Junk: `), heavy, Buffer.from('\r\nConnection: close\r\n\r\n')]));
        });
        sock.on('data', () => undefined);
        sock.on('close', () => resolve());
        sock.on('error', () => resolve());
      });
    }
    await until(async () => (await t!.call<RejectedPage>('rejected:list', {})).total, (n) => n > 0);
    const db = openStoreFile(t.dataDir, { readonly: true });
    try {
      const stored = await until(async () => db.prepare(`SELECT COUNT(*) AS n, COALESCE(SUM(length(CAST(headers AS BLOB)) + COALESCE(length(body), 0) + length(CAST(path AS BLOB))
        + length(CAST(query AS BLOB)) + COALESCE(length(CAST(diagnosis AS BLOB)), 0)), 0) AS bytes FROM rejected`).get() as { n: number; bytes: number },
      (r) => r.n > 0);
      expect(stored.n).toBeGreaterThan(1);
      expect(stored.bytes).toBeLessThanOrEqual(cap);
    } finally {
      db.close();
    }
  });
});
