// Forgetting a contact, checked the way someone verifying the promise would: a realistic mix for two
// customers goes through the real receiver, one is forgotten through the control API, then every file of
// the data folder (*.db, -wal, -shm) is read as bytes (docs/api.md "Forget a contact").
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EventPage, ForgetResult } from '../../shared/types';
import { createControlServer, type ControlServer } from '../../electron/serve/control-api';
import { silentLogger } from '../../electron/core/types';
import { startTestCore, type TestCore } from '../helpers/core';
import { ANA, BRUNO, realWamid, type Person } from '../helpers/people';
import { openStoreFile } from '../helpers/store-file';

const SECRET = 'forget-secret';
const OLD_SECRET = 'the-secret-before-rotation';
let t: TestCore | null = null;
let control: ControlServer | null = null;
const servers: Server[] = [];
afterEach(async () => {
  await control?.stop();
  control = null;
  await t?.close();
  t = null;
  for (const s of servers.splice(0)) { s.closeAllConnections(); await new Promise((r) => s.close(r)); }
});

/** A local handler that answers with the body it was sent (the forward's reply excerpt quotes it). */
async function echoHandler(): Promise<string> {
  const s = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => { res.writeHead(200, { 'content-type': 'application/json' }); res.end(Buffer.concat(chunks)); });
  });
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

const META_HEAD = { messaging_product: 'whatsapp', metadata: { display_phone_number: '15550783881', phone_number_id: '106540352242922' } };
const wrap = (value: Record<string, unknown>) => JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: '102290129340398', changes: [{ field: 'messages', value: { ...META_HEAD, ...value } }] }] });

/** An inbound text with its own words. */
function inbound(p: Person, id: string, body: string): string {
  return wrap({ contacts: [{ profile: { name: p.name }, wa_id: p.number }], messages: [{ from: p.number, id, timestamp: '1700000000', type: 'text', text: { body } }] });
}

/** `+55 11 98765-0001` for 5511987650001: the number the way people write it. */
const spaced = (n: string) => `+${n.slice(0, 2)} ${n.slice(2, 4)} ${n.slice(4, 9)}-${n.slice(9)}`;

/** Every file of the data folder that SQLite writes. */
function dbFiles(dir: string): { name: string; bytes: Buffer }[] {
  return readdirSync(dir).filter((f) => /\.db(-wal|-shm)?$/.test(f)).map((f) => ({ name: f, bytes: readFileSync(join(dir, f)) }));
}

describe('forget a contact, byte for byte', () => {
  it('leaves no byte of the number, name, texts or ids in the database, its WAL or shm; the other contact is untouched', async () => {
    const echo = await echoHandler();
    t = await startTestCore({ env: { metaAppSecrets: [SECRET], forwardTo: [echo] } });
    control = createControlServer({ core: t.core, dispatch: t.dispatch, port: 0, token: 'tok', staticDir: '/nonexistent', logger: silentLogger });
    const base = `http://127.0.0.1:${await control.start()}`;
    await t.call('rules:create', { name: 'Any message', when: { kind: ['message'] }, title: '{contactName} wrote', body: '{text}' });

    const ana = { in1: realWamid(ANA.number, 1), in2: realWamid(ANA.number, 2), out: realWamid(ANA.number, 3), batch: realWamid(ANA.number, 4), rejected: realWamid(ANA.number, 5) };
    const bruno = { in1: realWamid(BRUNO.number, 6), batch: realWamid(BRUNO.number, 7) };
    const anaTexts = ['zebrafruit marmalade', 'periwinkle oboe'];
    const send = async (body: string, secret = SECRET) => (await t!.postMeta(body, secret)).status;

    expect(await send(inbound(ANA, ana.in1, `${anaTexts[0]} from ${ANA.name}`))).toBe(200);
    expect(await send(inbound(ANA, ana.in2, anaTexts[1]))).toBe(200);
    // A failed status for a message sent to her, whose error text quotes her number as people write it.
    expect(await send(wrap({ statuses: [{ id: ana.out, status: 'failed', timestamp: '1700000100', recipient_id: ANA.number,
      errors: [{ code: 131026, title: 'Message undeliverable', error_data: { details: `Recipient ${spaced(ANA.number)} is not a WhatsApp user` } }] }] }))).toBe(200);
    // Bruno's own message, quoting her number (masked there, Bruno's words kept).
    expect(await send(inbound(BRUNO, bruno.in1, `${BRUNO.words}, ask ${spaced(ANA.number)}`))).toBe(200);
    // One webhook, both customers (Meta batches): kept for Bruno, edited.
    expect(await send(wrap({
      contacts: [{ profile: { name: ANA.name }, wa_id: ANA.number }, { profile: { name: BRUNO.name }, wa_id: BRUNO.number }],
      messages: [{ from: ANA.number, id: ana.batch, timestamp: '1700000200', type: 'text', text: { body: 'quinoa trombone' } },
        { from: BRUNO.number, id: bruno.batch, timestamp: '1700000201', type: 'text', text: { body: 'bruno keeps lemonade' } }],
    }))).toBe(200);
    // Bruno writing digits that only share her number's last four: not a mention, left alone.
    expect(await send(inbound(BRUNO, realWamid(BRUNO.number, 8), `ticket ${ANA.number.slice(-4)} and order 7${ANA.number.slice(-6)}`))).toBe(200);
    // Signed with the secret before a rotation: refused, kept in the rejected log.
    expect(await send(inbound(ANA, ana.rejected, 'obsidian lantern'), OLD_SECRET)).toBe(401);
    anaTexts.push('quinoa trombone', 'obsidian lantern');

    // The forward target echoed every body: its replies quote them. Derived requests get packed (one
    // deflate stream): the erase has to work on those too. (A read-only look at the file, closed before the forget.)
    const peek = openStoreFile(t.dataDir, { readonly: true });
    try {
      const n = (sql: string) => () => peek.prepare(sql).pluck().get();
      await expect.poll(n('SELECT COUNT(*) FROM forwards WHERE status = 200'), { timeout: 20_000 }).toBe(6);
      expect(n(`SELECT COUNT(*) FROM forwards WHERE response_excerpt LIKE '%${ANA.number}%'`)()).toBe(4);
      await expect.poll(n('SELECT COUNT(*) FROM rejected'), { timeout: 20_000 }).toBe(1);
      await expect.poll(n('SELECT COUNT(*) FROM notifications WHERE rule_id <> 0'), { timeout: 20_000 }).toBe(6);
      await expect.poll(n('SELECT COUNT(*) FROM requests WHERE packed = 0'), { timeout: 20_000 }).toBe(0);
    } finally { peek.close(); }

    const secrets = [ANA.number, spaced(ANA.number), ANA.name, ...ANA.name.split(' '), ...anaTexts.flatMap((x) => x.split(' ')), ...Object.values(ana),
      ...Object.values(ana).map((id) => id.slice(6, 30))];
    // The test can fail: before the forget, the files hold her.
    const before = dbFiles(t.dataDir);
    expect(secrets.filter((s) => before.some((f) => f.bytes.includes(Buffer.from(s))))).toContain(ANA.number);

    const r = await fetch(`${base}/api/contacts/${ANA.number}`, { method: 'DELETE', headers: { authorization: 'Bearer tok' } });
    expect(r.status).toBe(200);
    const result = await r.json() as ForgetResult;
    expect(result).toMatchObject({ contactId: ANA.number, events: 4, requests: 3, requestsEdited: 2, dryRun: false, compacted: true, walEmptied: true });
    const where = Object.fromEntries(result.erased.map((x) => [x.table, x]));
    expect(where.rejected.erased).toBe(1);
    expect(where.forwards.erased + where.forwards.edited).toBeGreaterThanOrEqual(4);
    expect(where.events.edited).toBe(1);
    expect(where.notifications.erased).toBe(3);

    // Bruno, untouched: his three events, his words searchable, his batch message still there.
    const left = await t.call<EventPage>('events:list', { limit: 100 });
    expect(left.items.map((e) => e.contactId)).toEqual([BRUNO.number, BRUNO.number, BRUNO.number]);
    const ticket = left.items.find((e) => e.text?.startsWith('ticket'))!;
    expect(ticket.text).toBe(`ticket ${ANA.number.slice(-4)} and order 7${ANA.number.slice(-6)}`);
    expect((await t.call<{ request: { error: string | null } }>('events:get', { id: ticket.id })).request.error).toBeNull();
    expect((await t.call<EventPage>('events:list', { q: 'lemonade' })).total).toBe(1);
    expect((await t.call<EventPage>('events:list', { q: BRUNO.words.split(' ')[0] })).total).toBe(1);
    const quoting = left.items.find((e) => e.messageId === bruno.in1)!;
    expect(quoting.text).toBe(`${BRUNO.words}, ask [erased]`);

    // Run twice: a second forget finds nothing and erases nothing of Bruno.
    const again = await (await fetch(`${base}/api/contacts/${ANA.number}`, { method: 'DELETE', headers: { authorization: 'Bearer tok' } })).json() as ForgetResult;
    expect(again).toMatchObject({ events: 0, requests: 0, requestsEdited: 0, notifications: 0 });
    expect(again.erased.every((x) => x.erased === 0 && x.edited === 0)).toBe(true);
    expect((await t.call<EventPage>('events:list', { limit: 100 })).total).toBe(3);

    await t.core.stop();
    const after = dbFiles(t.dataDir);
    expect(after.map((f) => f.name)).toContain('hookscope.db');
    for (const f of after) {
      for (const s of secrets) expect(f.bytes.includes(Buffer.from(s)), `"${s}" in ${f.name}`).toBe(false);
      // The number in the other spellings it travels in (UTF-16 is not used; a form escape is).
      expect(f.bytes.includes(Buffer.from(`%2B${ANA.number}`)), f.name).toBe(false);
    }
    // The other contact: still in the file.
    const db = after.find((f) => f.name === 'hookscope.db')!.bytes;
    for (const s of [BRUNO.number, 'lemonade', bruno.in1]) expect(db.includes(Buffer.from(s)) || after.some((f) => f.bytes.includes(Buffer.from(s))), s).toBe(true);
  });
});
