// Privacy through the control API: redacted exports (redact=1) and forgetting a contact
// (GET /api/contacts/:id/footprint, DELETE /api/contacts/:id), plus the lock-screen notifier.
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { EventPage, ForgetResult, NotificationRecord } from '../../shared/types';
import { createControlServer, type ControlServer } from '../../electron/serve/control-api';
import { silentLogger } from '../../electron/core/types';
import { startTestCore, type TestCore } from '../helpers/core';
import { ANA, BRUNO, CARLA, decodedTokens, metaFailed, metaMessage, realWamid, traces, twilioMessage, type Person } from '../helpers/people';

const SECRET = 'privacy-secret';
const cores: TestCore[] = [];
let control: ControlServer | null = null;
afterEach(async () => {
  await control?.stop();
  control = null;
  for (const c of cores.splice(0)) await c.close();
});

async function setup(opts: Parameters<typeof startTestCore>[0] = {}) {
  const t = await startTestCore({ env: { metaAppSecrets: [SECRET] }, ...opts });
  cores.push(t);
  control = createControlServer({ core: t.core, dispatch: t.dispatch, port: 0, token: 'tok', staticDir: '/nonexistent', logger: silentLogger });
  const base = `http://127.0.0.1:${await control.start()}`;
  const api = async <T>(path: string, init: RequestInit = {}) => {
    const r = await fetch(base + path, { ...init, headers: { authorization: 'Bearer tok', ...(init.headers ?? {}) } });
    const text = await r.text();
    let body: unknown = text;
    try { body = JSON.parse(text); } catch { /* a CSV or NDJSON export */ }
    return { status: r.status, body: body as T, text };
  };
  return { t, api };
}

const found = (text: string, people: Person[]) => people.flatMap(traces).filter((s) => text.toLowerCase().includes(s.toLowerCase()));

async function seed(t: TestCore) {
  expect((await t.postMeta(metaMessage(ANA, 'wamid.ANA1'), SECRET)).status).toBe(200);
  expect((await t.postMeta(metaMessage(BRUNO, 'wamid.BRU1'), SECRET)).status).toBe(200);
  // One webhook, two customers (Meta batches).
  expect((await t.postMeta(metaMessage(CARLA, 'wamid.CAR1', { p: ANA, id: 'wamid.ANA2' }), SECRET)).status).toBe(200);
  expect((await t.postMeta(metaFailed(ANA, 'wamid.OUT1'), SECRET)).status).toBe(200);
  expect((await t.post('/twilio', twilioMessage(ANA, 'SMana1'), { 'content-type': 'application/x-www-form-urlencoded' })).status).toBe(200);
  expect((await t.post('/twilio', twilioMessage(BRUNO, 'SMbru1'), { 'content-type': 'application/x-www-form-urlencoded' })).status).toBe(200);
}

describe('redacted export', () => {
  it('NDJSON, CSV, HAR and request lines hold no name, number or message text; pseudonyms are stable; signatures gone', async () => {
    const { t, api } = await setup();
    await seed(t);
    for (const format of ['ndjson', 'csv', 'har', 'ndjson-requests']) {
      const plain = await api(`/api/export?format=${format}`);
      expect(plain.status).toBe(200);
      // The test can fail: the same export unredacted holds them all.
      expect(found(plain.text, [ANA, BRUNO, CARLA]).length).toBeGreaterThan(0);
      const red = await api(`/api/export?format=${format}&redact=1`);
      expect(red.status).toBe(200);
      expect(found(red.text, [ANA, BRUNO, CARLA]), format).toEqual([]);
      // Message ids are pseudonyms too.
      expect(red.text, format).not.toContain('wamid.ANA1');
      expect(red.text.toLowerCase()).not.toContain('x-hub-signature');
    }
    // Stable: Ana's three Meta events and her Twilio message carry one pseudonym; Bruno another.
    const lines = (await api('/api/export?format=ndjson&redact=1')).text.trim().split('\n').map((l) => JSON.parse(l));
    const plainIds = new Map((await api('/api/export?format=ndjson')).text.trim().split('\n').map((l) => JSON.parse(l)).map((e) => [e.id, e.messageId]));
    const byMessage = Object.fromEntries(lines.map((e) => [plainIds.get(e.id), e]));
    const ana = byMessage['wamid.ANA1'].contactId;
    expect(ana).toMatch(/^\d+$/);
    expect([byMessage['wamid.ANA2'].contactId, byMessage['wamid.OUT1'].contactId, byMessage.SMana1.contactId]).toEqual([ana, ana, ana]);
    expect(byMessage['wamid.BRU1'].contactId).not.toBe(ana);
    expect(byMessage['wamid.OUT1'].errorCode).toBe('131026');
    expect(byMessage['wamid.OUT1'].status).toBe('failed');
    // Inside the raw payload too, with the same pseudonym.
    expect(byMessage['wamid.ANA1'].raw.from).toBe(ana);
    const har = (await api<{ log: { entries: { request: { headers: { name: string }[]; postData?: { text: string } } }[] } }>('/api/export?format=har&redact=1')).body;
    const twilio = har.log.entries.map((e) => e.request.postData?.text ?? '').find((b) => b.includes('SmsStatus') && new URLSearchParams(b).get('WaId') === ana)!;
    expect(new URLSearchParams(twilio).get('WaId')).toBe(ana);
  });
});

describe('redacted export: ids and numbers inside texts', () => {
  it('every format: no token, base64-decoded, holds a number; no digits of a number written in a text; one message keeps one pseudonym', async () => {
    const { t, api } = await setup();
    const ids = { ana: realWamid(ANA.number, 1), bruno: realWamid(BRUNO.number, 2), carla: realWamid(CARLA.number, 3), out: realWamid(ANA.number, 4) };
    for (const [p, id] of [[ANA, ids.ana], [BRUNO, ids.bruno], [CARLA, ids.carla]] as const) {
      expect((await t.postMeta(metaMessage(p, id), SECRET)).status).toBe(200);
    }
    // A failed status whose error text quotes a number the way people write it.
    const failed = JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: '102290129340398', changes: [{ field: 'messages', value: {
      messaging_product: 'whatsapp', metadata: { display_phone_number: '15550783881', phone_number_id: '106540352242922' },
      statuses: [{ id: ids.out, status: 'failed', timestamp: '1700000100', recipient_id: ANA.number,
        errors: [{ code: 131026, title: 'Message undeliverable', error_data: { details: 'Recipient +55 11 95555-4444 is not a WhatsApp user' } }] }],
    } }] }] });
    expect((await t.postMeta(failed, SECRET)).status).toBe(200);
    const numbers = [ANA.number, BRUNO.number, CARLA.number];
    for (const format of ['ndjson', 'csv', 'har', 'ndjson-requests']) {
      const plain = (await api(`/api/export?format=${format}`)).text;
      // The test can fail: unredacted, the ids decode to the numbers and the error text keeps its digits.
      expect(decodedTokens(plain).some((d) => numbers.some((n) => d.includes(n))), format).toBe(true);
      expect(plain, format).toContain('95555-4444');
      const red = (await api(`/api/export?format=${format}&redact=1`)).text;
      for (const d of decodedTokens(red)) for (const n of numbers) expect(d.includes(n), `${format}: a token decodes to ${n}`).toBe(false);
      for (const n of numbers) expect(red, format).not.toContain(n);
      for (const digits of ['95555', '4444']) expect(red, format).not.toContain(digits);
      expect(red, format).toContain('131026');
    }
    // The failed status and its message line up on one pseudonym; two exports use two spaces.
    const lines = (await api('/api/export?format=ndjson&redact=1')).text.trim().split('\n').map((l) => JSON.parse(l));
    const status = lines.find((e) => e.status === 'failed');
    expect(status.raw.id).toBe(status.messageId);
    const again = (await api('/api/export?format=ndjson&redact=1')).text.trim().split('\n').map((l) => JSON.parse(l));
    expect(again.find((e) => e.status === 'failed').messageId).not.toBe(status.messageId);
  });
});

describe('forget a contact', () => {
  it('counts first, then erases only that number: searches find nothing, the others are untouched, the bytes are gone', async () => {
    const { t, api } = await setup();
    await t.call('rules:create', { name: 'Any message', when: { kind: ['message'] }, title: '{contactName} wrote', body: '{text}' });
    await seed(t);
    const before = await t.call<EventPage>('events:list', { limit: 100 });
    expect(before.total).toBe(7);
    const notes = await t.call<{ items: NotificationRecord[] }>('notifications:list', {});
    expect(notes.items.length).toBe(6);

    const dry = await api<ForgetResult>(`/api/contacts/${ANA.number}/footprint`);
    expect(dry.status).toBe(200);
    // Ana: 2 Meta messages (one in Carla's batch), 1 failed status, 1 Twilio message; 3 requests are hers
    // alone, the batch is kept for Carla; 3 notifications about her messages.
    expect(dry.body).toMatchObject({ contactId: ANA.number, events: 4, requests: 3, requestsEdited: 1, notifications: 3, dryRun: true });
    expect((await t.call<EventPage>('events:list', {})).total).toBe(7); // a dry run erases nothing

    const del = await api<ForgetResult>(`/api/contacts/${ANA.number}`, { method: 'DELETE' });
    expect(del.status).toBe(200);
    expect(del.body).toMatchObject({ events: 4, requests: 3, requestsEdited: 1, notifications: 3, dryRun: false, compacted: true });

    for (const q of [ANA.number, ANA.name, ...ANA.name.split(' '), ...ANA.words.split(' ')]) {
      expect((await t.call<EventPage>('events:list', { q })).total, q).toBe(0);
    }
    expect((await t.call<EventPage>('events:list', { contact: ANA.number })).total).toBe(0);
    // The others: still there, still searchable, Carla's batch still holds her message.
    for (const p of [BRUNO, CARLA]) {
      expect((await t.call<EventPage>('events:list', { q: p.words.split(' ')[0] })).total, p.name).toBeGreaterThan(0);
      expect((await t.call<EventPage>('events:list', { q: p.name.split(' ')[1] })).total, p.name).toBeGreaterThan(0);
    }
    expect((await t.call<EventPage>('events:list', {})).total).toBe(3);
    const carla = (await t.call<EventPage>('events:list', { contact: CARLA.number })).items[0];
    const detail = await t.call<{ request: { body: string; error: string | null } }>('events:get', { id: carla.id });
    expect(detail.request.body).toContain(CARLA.words);
    expect(found(detail.request.body, [ANA])).toEqual([]);
    expect(detail.request.error).toMatch(/erased/);
    const left = await t.call<{ items: NotificationRecord[] }>('notifications:list', {});
    expect(left.items.length).toBe(3);
    expect(found(JSON.stringify(left.items), [ANA])).toEqual([]);

    // Nothing of hers is left in the database file or its WAL, not even in free pages.
    await t.core.stop();
    for (const f of ['hookscope.db', 'hookscope.db-wal']) {
      const file = join(t.dataDir, f);
      if (!existsSync(file)) continue;
      const bytes = readFileSync(file);
      for (const s of [ANA.number, ...ANA.words.split(' '), 'Quixotica']) {
        expect(bytes.includes(Buffer.from(s)), `${s} in ${f}`).toBe(false);
      }
    }
    cores.splice(0);
    rmSync(t.dataDir, { recursive: true, force: true });
  });

  it('answers 400 for something that is not a number, and 0s for an unknown one', async () => {
    const { api } = await setup();
    expect((await api('/api/contacts/not-a-number', { method: 'DELETE' })).status).toBe(400);
    const r = await api<ForgetResult>('/api/contacts/5599000000000', { method: 'DELETE' });
    expect(r.body).toMatchObject({ requests: 0, events: 0, notifications: 0 });
  });
});

describe('lock-screen notifications', () => {
  it('hides the message text from the desktop notifier when asked, keeping it in the in-app list', async () => {
    const shown: { title: string; body: string }[] = [];
    const { t } = await setup({ notifier: { show: (n) => shown.push({ title: n.title, body: n.body }) } });
    await t.call('rules:create', { name: 'Any', when: { kind: ['message'] }, title: '{contactName}: {text}', body: '{text}' });
    await t.postMeta(metaMessage(BRUNO, 'wamid.N1'), SECRET);
    await expect.poll(() => shown.length).toBe(1);
    expect(shown[0].body).toContain(BRUNO.words);
    await t.call('settings:update', { hideNotificationText: true });
    await t.postMeta(metaMessage(BRUNO, 'wamid.N2'), SECRET);
    await expect.poll(() => shown.length).toBe(2);
    expect(shown[1].title).toBe(`${BRUNO.name}: (message hidden)`);
    expect(shown[1].body).toBe('(message hidden)');
    const list = await t.call<{ items: NotificationRecord[] }>('notifications:list', {});
    expect(list.items[0].body).toContain(BRUNO.words);
  });
});
