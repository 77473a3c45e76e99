// The trust boundary through the real `serve` process (docs/api.md "Trust boundary"): each attack a
// stranger who knows the public URL can try, with an app secret configured. None of them may reach the
// user's feed, lifecycles, duplicates, stats, rules, notifications or local handler.
import { afterEach, describe, expect, it } from 'vitest';
import { createHmac } from 'node:crypto';
import { createServer, request, type Server } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { EventDetail, EventPage, MessageLifecycle, NotificationRecord, RejectedPage, ReverifyResult, Stats } from '../../shared/types';
import { MIGRATIONS } from '../../electron/core/store/schema';
import { startServe, type ServeProcess } from '../helpers/serve';

const SECRET = 'the-app-secret';
let s: ServeProcess | null = null;
const servers: Server[] = [];
afterEach(async () => {
  await s?.stop();
  s = null;
  for (const x of servers.splice(0)) { x.closeAllConnections(); await new Promise((r) => x.close(r)); }
});

const sign = (body: string | Buffer, secret = SECRET) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

function incoming(ids: string[], from = '5511988887777', text = 'Attacker: click http://evil.example') {
  return JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: 'WABA', changes: [{ field: 'messages', value: {
    messaging_product: 'whatsapp', metadata: { display_phone_number: '15550000000', phone_number_id: '100200300' },
    contacts: [{ profile: { name: 'Someone' }, wa_id: from }],
    messages: ids.map((id) => ({ from, id, timestamp: '1700000000', type: 'text', text: { body: text } })),
  } }] }] });
}

function statusBody(id: string, status: string, ts: number) {
  return JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: 'WABA', changes: [{ field: 'messages', value: {
    messaging_product: 'whatsapp', metadata: { display_phone_number: '15550000000', phone_number_id: '100200300' },
    statuses: [{ id, status, timestamp: String(ts), recipient_id: '5511900001111' }],
  } }] }] });
}

async function postMeta(body: string | Buffer, signature: string | null, extra: Record<string, string> = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...extra };
  if (signature) headers['x-hub-signature-256'] = signature;
  return fetch(`${s!.receiverUrl}/meta`, { method: 'POST', body, headers });
}

/**
 * A POST on a connection of its own. After a flood through fetch's pool, a pooled keep-alive socket may be
 * one the receiver is closing at that moment (its idle timeout): a real provider retries such a failure,
 * and this test is about the answer the receiver gives, not about that race.
 */
function postFresh(body: string, signature: string): Promise<number> {
  const u = new URL(`${s!.receiverUrl}/meta`);
  return new Promise((resolve, reject) => {
    const r = request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', agent: false,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-hub-signature-256': signature } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    r.on('error', reject);
    r.end(body);
  });
}

async function notifyAll() {
  const r = await s!.api('/api/rules', { method: 'POST', body: JSON.stringify({ name: 'Every message', when: { kind: ['message'] }, title: '{contactName}', body: '{text}' }) });
  expect(r.status).toBe(201);
}

/** Notifications fired by rules (Hookscope's own notices, ruleId 0, are checked apart). */
async function notifications() {
  return (await notices(true));
}
async function notices(fromRules = false) {
  const items = (await s!.api<{ items: NotificationRecord[] }>('/api/notifications')).body.items;
  return items.filter((n) => (n.ruleId !== 0) === fromRules);
}

async function until<T>(f: () => Promise<T>, ok: (v: T) => boolean, tries = 300): Promise<T> {
  let v = await f();
  for (let i = 0; i < tries && !ok(v); i++) { await new Promise((r) => setTimeout(r, 50)); v = await f(); }
  return v;
}

describe('a stranger posting to the public URL', () => {
  it('a forged message carrying 200 messages fires no rule, adds no event, and is kept in the rejected log', async () => {
    s = await startServe([], { META_APP_SECRET: SECRET });
    await notifyAll();
    const forged = incoming(Array.from({ length: 200 }, (_, i) => `wamid.FORGED${i}`));
    expect((await postMeta(forged, sign(forged, 'guessed'))).status).toBe(401);
    expect((await postMeta(forged, null)).status).toBe(401);
    // A genuine one afterwards notifies: the rule works, it just never saw the forged ones.
    const genuine = incoming(['wamid.GENUINE'], '5511911112222', 'hello');
    expect((await postMeta(genuine, sign(genuine))).status).toBe(200);
    const fired = await until(notifications, (n) => n.length > 0);
    expect(fired).toHaveLength(1);
    expect(fired[0].body).toBe('hello');
    expect(JSON.stringify(fired)).not.toContain('evil');
    // The badly signed one (a rotated secret looks like that) is said once, in Hookscope's words only.
    const said = await notices();
    expect(said).toHaveLength(1);
    expect(said[0].title).toMatch(/failing their signature check/);
    expect(JSON.stringify(said)).not.toMatch(/FORGED|evil/);
    const events = (await s.api<EventPage>('/api/events')).body;
    expect(events.total).toBe(1);
    const rejected = (await s.api<RejectedPage>('/api/rejected')).body;
    expect(rejected.total).toBe(2);
    expect(rejected.items.map((i) => i.signature).sort()).toEqual(['invalid', 'missing']);
  });

  it('a forged `read` sent before the genuine `sent` leaves the lifecycle at `sent`', async () => {
    s = await startServe([], { META_APP_SECRET: SECRET });
    const forged = statusBody('wamid.OUT1', 'read', 1_700_000_100);
    expect((await postMeta(forged, sign(forged, 'nope'))).status).toBe(401);
    const genuine = statusBody('wamid.OUT1', 'sent', 1_700_000_000);
    expect((await postMeta(genuine, sign(genuine))).status).toBe(200);
    const life = await s.api<MessageLifecycle>('/api/messages/wamid.OUT1');
    expect(life.body.current).toBe('sent');
    expect(life.body.events).toHaveLength(1);
  });

  it('a forged copy of a message id sent first does not make the genuine one a duplicate, and it notifies', async () => {
    s = await startServe([], { META_APP_SECRET: SECRET });
    await notifyAll();
    const copy = incoming(['wamid.SAME'], '5511933334444', 'forged copy');
    expect((await postMeta(copy, sign(copy, 'bad'))).status).toBe(401);
    const genuine = incoming(['wamid.SAME'], '5511933334444', 'the real one');
    expect((await postMeta(genuine, sign(genuine))).status).toBe(200);
    const page = (await s.api<EventPage>('/api/events')).body;
    expect(page.items).toHaveLength(1);
    expect(page.items[0].duplicate).toBe(false);
    const fired = await until(notifications, (n) => n.length > 0);
    expect(fired.map((n) => n.body)).toEqual(['the real one']);
  });

  it('forged events count nowhere: stats, totals and the status filter only see accepted ones', async () => {
    s = await startServe([], { META_APP_SECRET: SECRET });
    for (let i = 0; i < 5; i++) {
      const f = statusBody(`wamid.F${i}`, 'failed', 1_700_000_000 + i);
      expect((await postMeta(f, sign(f, 'x'))).status).toBe(401);
    }
    const g = statusBody('wamid.G', 'delivered', 1_700_000_000);
    expect((await postMeta(g, sign(g))).status).toBe(200);
    const stats = (await s.api<Stats>('/api/stats')).body;
    expect(stats.byStatus).toEqual({ delivered: 1 });
    expect((await s.api<EventPage>('/api/events?status=failed')).body.total).toBe(0);
  });

  it('refuses with bare reason phrases that do not name the app', async () => {
    s = await startServe([], { META_APP_SECRET: SECRET, META_VERIFY_TOKEN: 'tok' });
    const answers = await Promise.all([
      fetch(`${s.receiverUrl}/admin`).then(async (r) => [r.status, await r.text()]),
      postMeta('{}', null).then(async (r) => [r.status, await r.text()]),
      fetch(`${s.receiverUrl}/meta?hub.mode=subscribe&hub.verify_token=no&hub.challenge=1`).then(async (r) => [r.status, await r.text()]),
    ]);
    expect(answers).toEqual([[404, 'Not Found\n'], [401, 'Unauthorized\n'], [403, 'Forbidden\n']]);
  });
});

describe('forwarding only what is accepted', () => {
  it('a stranger\'s DELETE, unsigned POST or wrong-token handshake never reaches the handler; genuine ones do, even during a junk flood', async () => {
    const seen: { method: string; url: string }[] = [];
    const h = createServer((req, res) => { seen.push({ method: req.method!, url: req.url! }); req.resume(); req.on('end', () => res.end('ok')); });
    servers.push(h);
    await new Promise<void>((r) => h.listen(0, '127.0.0.1', r));
    const target = `http://127.0.0.1:${(h.address() as AddressInfo).port}/hook`;
    s = await startServe(['--forward-to', target], { META_APP_SECRET: SECRET, META_VERIFY_TOKEN: 'tok' });

    expect((await fetch(`${s.receiverUrl}/admin/users/1?confirm=yes`, { method: 'DELETE' })).status).toBe(404);
    expect((await fetch(`${s.receiverUrl}/meta?confirm=yes`, { method: 'DELETE' })).status).toBe(405);
    expect((await postMeta(incoming(['wamid.U']), null)).status).toBe(401);
    expect((await fetch(`${s.receiverUrl}/meta?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1`)).status).toBe(403);
    // A flood of tiny junk: more than the forward queue holds.
    const junk = await Promise.all(Array.from({ length: 700 }, (_, i) => postMeta(`{"j":${i}}`, 'sha256=00').then((r) => r.status, () => 0)));
    expect(new Set(junk).has(200)).toBe(false);
    const genuine = incoming(['wamid.OK1'], '5511900000001', 'genuine');
    expect(await postFresh(genuine, sign(genuine))).toBe(200);
    expect((await fetch(`${s.receiverUrl}/meta?hub.mode=subscribe&hub.verify_token=tok&hub.challenge=9`)).status).toBe(200);

    const ev = await until(() => s!.api<EventPage>('/api/events?kind=message'), (r) => r.body.total === 1);
    const detail = await until(() => s!.api<EventDetail>(`/api/events/${ev.body.items[0].id}`), (r) => (r.body.request.forwards ?? []).length > 0);
    expect(detail.body.request.forwards[0]).toMatchObject({ status: 200, error: null });
    await until(async () => seen.length, (n) => n >= 2);
    expect(seen.map((x) => x.method).sort()).toEqual(['GET', 'POST']);
    expect(seen.some((x) => x.url.includes('confirm'))).toBe(false);
  }, 60_000);
});

describe('what strangers cost', () => {
  it('over the per-source limit rejected requests get 429 and are not stored; accepted ones are never limited', async () => {
    s = await startServe([], { META_APP_SECRET: SECRET });
    expect((await s.api('/api/settings', { method: 'PUT', body: JSON.stringify({ rejectedPerMinute: 5 }) })).status).toBe(200);
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await postMeta(`{"n":${i}}`, 'sha256=00')).status);
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5).every((x) => x === 429)).toBe(true);
    // Unrouted scans from the same source are limited too, without reading their bodies.
    expect((await fetch(`${s.receiverUrl}/wp-login.php`, { method: 'POST', body: 'x'.repeat(1000) })).status).toBe(429);
    for (let i = 0; i < 10; i++) {
      const g = statusBody(`wamid.L${i}`, 'sent', 1_700_000_000 + i);
      expect((await postMeta(g, sign(g))).status).toBe(200);
    }
    const rej = (await s.api<RejectedPage>('/api/rejected')).body;
    expect(rej.total).toBe(5);
    expect(rej.notStored).toBeGreaterThanOrEqual(8);
  });

  it('a flood of forged 1 MiB bodies grows the data dir by less than the log cap; a genuine webhook still gets its 200', async () => {
    s = await startServe([], { META_APP_SECRET: SECRET });
    // A high per-source limit so the byte cap is what bounds the log here.
    await s.api('/api/settings', { method: 'PUT', body: JSON.stringify({ rejectedPerMinute: 100_000, rejectedLogBytes: 2 * 1024 * 1024 }) });
    const size = () => readdirSync(s!.dataDir).reduce((n, f) => n + statSync(join(s!.dataDir, f)).size, 0);
    const before = size();
    const mib = Buffer.alloc(1024 * 1024 - 100, 'a');
    let refused = 0;
    const senders = Array.from({ length: 4 }, async () => {
      for (let i = 0; i < 40; i++) if ((await postMeta(mib, 'sha256=00')).status === 401) refused++;
    });
    const g = statusBody('wamid.DURING', 'sent', 1_700_000_000);
    const [genuine] = await Promise.all([
      new Promise((r) => setTimeout(r, 200)).then(() => postMeta(g, sign(g))),
      ...senders,
    ]);
    expect(genuine.status).toBe(200);
    expect(refused).toBe(160);
    const rej = (await s.api<RejectedPage>('/api/rejected')).body;
    expect(rej.dropped).toBeGreaterThan(0);
    // 160 MiB were sent; what stayed is a few prefixes under the 2 MiB cap (plus SQLite's own pages).
    expect(size() - before).toBeLessThan(12 * 1024 * 1024);
  }, 120_000);

  it('under the free-disk floor rejected requests are answered but not stored, and the API says the disk is nearly full', async () => {
    s = await startServe([], { META_APP_SECRET: SECRET });
    await s.api('/api/settings', { method: 'PUT', body: JSON.stringify({ diskFloorBytes: 2 ** 52 }) });
    await new Promise((r) => setTimeout(r, 2100)); // the free-space check is cached for 2 s
    expect((await postMeta('{}', 'sha256=00')).status).toBe(401);
    const rej = (await s.api<RejectedPage>('/api/rejected')).body;
    expect(rej).toMatchObject({ total: 0, diskLow: true });
    expect(rej.notStored).toBeGreaterThan(0);
    const g = statusBody('wamid.DISK', 'sent', 1_700_000_000);
    expect((await postMeta(g, sign(g))).status).toBe(200);
  });
});

describe('streams', () => {
  it('drops a live-stream client that stops reading, and keeps serving the others', async () => {
    s = await startServe([], { HOOKSCOPE_SSE_BUFFER_BYTES: String(256 * 1024) });
    const port = Number(new URL(s.uiBase).port);
    const sock = connect(port, '127.0.0.1');
    await new Promise((r) => sock.once('connect', r));
    let closed = false;
    sock.on('close', () => { closed = true; });
    sock.on('error', () => {});
    sock.write(`GET /api/live HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${s.token}\r\n\r\n`);
    await new Promise((r) => setTimeout(r, 200));
    sock.pause(); // and never reads again
    const text = 'x'.repeat(60_000);
    for (let round = 0; round < 40 && !closed; round++) {
      await Promise.all(Array.from({ length: 10 }, (_, i) => postMeta(incoming([`wamid.S${round}_${i}`], '5511900000002', text), null)));
      // Reading now would show the server's FIN only if it dropped us: peek without consuming the backlog.
      if (round % 5 === 4) { sock.resume(); await new Promise((r) => setTimeout(r, 100)); sock.pause(); }
    }
    sock.resume();
    await until(async () => closed, (c) => c, 100);
    expect(closed).toBe(true);
    expect(s.stderr()).toMatch(/dropped a live stream/);
    // The server is fine: the API still answers.
    expect((await s.api<EventPage>('/api/events?limit=1')).status).toBe(200);
  }, 120_000);
});

describe('re-verify', () => {
  it('after the secret is fixed, rejected requests that now verify join the feed in order, as accepted', async () => {
    s = await startServe([], { META_APP_SECRET: 'old-wrong-secret' });
    const bodies = [statusBody('wamid.R1', 'sent', 1_700_000_000), statusBody('wamid.R1', 'delivered', 1_700_000_010), incoming(['wamid.R2'], '5511900000003', 'late hello')];
    for (const b of bodies) expect((await postMeta(b, sign(b, 'the-right-one'))).status).toBe(401);
    expect((await postMeta('{"junk":1}', sign('{"junk":1}', 'someone-else'))).status).toBe(401);
    expect((await s.api<EventPage>('/api/events')).body.total).toBe(0);

    await s.api('/api/settings', { method: 'PUT', body: JSON.stringify({ metaAppSecret: 'the-right-one' }) });
    const doctor = (await s.api<{ findings: { id: string }[] }>('/api/doctor')).body.findings;
    expect(doctor.map((f) => f.id)).toContain('rejected-would-verify');
    const r = await s.api<ReverifyResult>('/api/rejected/reverify', { method: 'POST' });
    expect(r.body).toEqual({ checked: 4, accepted: 3 });
    const page = (await s.api<EventPage>('/api/events')).body;
    expect(page.items.map((e) => [e.messageId, e.status, e.signature]).reverse()).toEqual([
      ['wamid.R1', 'sent', 'valid'], ['wamid.R1', 'delivered', 'valid'], ['wamid.R2', 'incoming', 'valid'],
    ]);
    expect((await s.api<MessageLifecycle>('/api/messages/wamid.R1')).body.current).toBe('delivered');
    expect((await s.api<RejectedPage>('/api/rejected')).body.total).toBe(1);
  });
});

describe('databases of earlier versions', () => {
  it('move refused requests to the rejected log: their events leave the feed, stats and lifecycles', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookscope-old-'));
    const db = new Database(join(dir, 'hookscope.db'));
    db.exec(MIGRATIONS[0] as string);
    db.exec(MIGRATIONS[1] as string);
    db.pragma('user_version = 2');
    const req = db.prepare(`INSERT INTO requests (received_at, method, path, query, headers, body, body_size, provider, response_status, signature)
      VALUES (?, ?, ?, ?, '[]', ?, ?, 'meta', ?, ?)`);
    const ev = db.prepare(`INSERT INTO events (request_id, received_at, provider, kind, status, message_id, signature, duplicate, text)
      VALUES (?, ?, 'meta', ?, ?, ?, ?, ?, ?)`);
    const fts = db.prepare('INSERT INTO events_fts (rowid, text, contact_name, contact_id, message_id) VALUES (?, ?, NULL, NULL, ?)');
    const add = (status: number, sig: string, kind: string, st: string | null, mid: string | null, dup: number, text: string, path = '/meta', query = '') => {
      const r = Number(req.run(1_700_000_000_000, path === '/meta' && query ? 'GET' : 'POST', path, query, Buffer.from('{}'), 2, status, sig).lastInsertRowid);
      const e = Number(ev.run(r, 1_700_000_000_000, kind, st, mid, sig, dup, text).lastInsertRowid);
      fts.run(e, text, mid);
    };
    add(401, 'invalid', 'status', 'read', 'wamid.M', 0, 'forged read');
    add(200, 'valid', 'status', 'read', 'wamid.M', 1, 'genuine read'); // flagged duplicate because of the forged one
    add(200, 'valid', 'status', 'sent', 'wamid.M', 0, 'genuine sent');
    add(404, 'unchecked', 'unrouted', null, null, 0, 'POST /wp-login.php', '/wp-login.php');
    add(200, 'unchecked', 'verification', null, null, 0, 'handshake', '/meta', 'hub.mode=subscribe&hub.verify_token=old-secret-token&hub.challenge=1');
    db.close();

    s = await startServe([], {}, dir);
    const page = (await s.api<EventPage>('/api/events')).body;
    expect(page.total).toBe(3);
    expect(page.items.every((e) => e.signature !== 'invalid' && e.kind !== 'unrouted')).toBe(true);
    expect(page.items.find((e) => e.text === 'genuine read')!.duplicate).toBe(false);
    expect((await s.api<EventPage>('/api/events?q=forged')).body.total).toBe(0);
    expect((await s.api<Stats>('/api/stats')).body.byStatus).toEqual({ read: 1, sent: 1 });
    expect((await s.api<MessageLifecycle>('/api/messages/wamid.M')).body.events).toHaveLength(2);
    const rej = (await s.api<RejectedPage>('/api/rejected')).body;
    expect(rej.items.map((i) => i.httpStatus).sort()).toEqual([401, 404]);
    const hs = page.items.find((e) => e.kind === 'verification')!;
    const d = (await s.api<EventDetail>(`/api/events/${hs.id}`)).body;
    expect(d.request.query).not.toContain('old-secret-token');
  });
});

