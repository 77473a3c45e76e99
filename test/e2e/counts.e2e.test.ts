// Counts that add up, in real Chromium against the real `serve`: the status chips follow every active
// filter, chips plus "without a status" equal the list's total, the top bar says "1 event" / "N events
// of M" from one bookkeeping while events stream in, and the Stats funnel says why its Failed (messages)
// can differ from the Failed chip (status events).
import { createHmac } from 'node:crypto';
import { expect, it } from 'vitest';
import { describeE2E, useE2E, type E2E } from '../helpers/e2e';

const SECRET = 'counts-e2e-secret';
let ui: E2E;

const wrap = (field: string, value: unknown) => JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: 'WABA1', changes: [{ field, value }] }] });
const meta = { display_phone_number: '15550001111', phone_number_id: '1234' };
let seq = 0;
const incoming = (from: string, text: string) => wrap('messages', {
  messaging_product: 'whatsapp', metadata: meta, contacts: [{ profile: { name: `C${from.slice(-2)}` }, wa_id: from }],
  messages: [{ from, id: `wamid.IN${++seq}`, timestamp: String(1764400000 + seq), type: 'text', text: { body: text } }],
});
const statusOf = (id: string, to: string, status: 'sent' | 'delivered' | 'read' | 'failed') => wrap('messages', {
  messaging_product: 'whatsapp', metadata: meta,
  statuses: [{ id, status, timestamp: String(1764400000 + ++seq), recipient_id: to,
    ...(status === 'failed' ? { errors: [{ code: 131026, title: 'Message undeliverable' }] } : {}) }],
});
const template = () => wrap('message_template_status_update', { event: 'APPROVED', message_template_id: 99 + ++seq, message_template_name: 'welcome', message_template_language: 'en_US' });

async function post(body: string) {
  const res = await fetch(`${ui.receiverUrl}/meta`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}` }, body });
  await res.arrayBuffer();
  expect(res.status).toBe(200);
}

const tid = (id: string) => ui.page.getByTestId(id);
const chip = async (label: string) => Number(await tid(`status-toggle-${label}`).getByTestId('status-count').textContent());
const chipsTotal = async () => {
  let n = 0;
  for (const l of ['incoming', 'sent', 'delivered', 'read', 'failed', 'other']) n += await chip(l);
  const note = tid('no-status-count');
  if (await note.count()) n += Number(/\+(\d+)/.exec((await note.textContent())!)![1]);
  return n;
};
const counts = () => tid('counts').textContent();

describeE2E('counts that add up', () => {
  ui = useE2E({ env: { META_APP_SECRET: SECRET } });

  it('one event is "1 event"; chips and the list agree from the first webhook', async () => {
    await post(incoming('5511900000001', 'hi'));
    await expect.poll(counts).toBe('1 event');
    await expect.poll(() => chip('incoming')).toBe(1);
  });

  it('chips plus events without a status equal the total', async () => {
    await post(incoming('5511900000001', 'order 1'));
    await post(incoming('5511900000002', 'hello'));
    await post(statusOf('wamid.OUT1', '5511900000002', 'sent'));
    await post(statusOf('wamid.OUT1', '5511900000002', 'delivered'));
    await post(statusOf('wamid.OUT2', '5511900000002', 'failed'));
    // The same message failing again (a retry on another device, say): a second failed event.
    await post(statusOf('wamid.OUT2', '5511900000002', 'failed'));
    await post(template());
    await expect.poll(counts, { timeout: 10_000 }).toBe('8 events');
    await expect.poll(chipsTotal, { timeout: 10_000 }).toBe(8);
    expect(await chip('failed')).toBe(2);
    expect(await tid('no-status-count').textContent()).toBe('+1 without a status');
  });

  it('the chips follow the other filters; the top bar says "N of M"', async () => {
    await ui.page.getByLabel('Contact number').fill('5511900000001');
    await expect.poll(counts, { timeout: 10_000 }).toBe('2 events of 8');
    await expect.poll(() => chip('incoming')).toBe(2);
    expect(await chip('failed')).toBe(0);
    expect(await chip('sent')).toBe(0);
    expect(await chipsTotal()).toBe(2);
    // A status chip narrows the list; the chips keep counting within the other filters.
    await ui.page.getByLabel('Contact number').fill('');
    await expect.poll(counts, { timeout: 10_000 }).toBe('8 events');
    await tid('status-toggle-failed').click();
    await expect.poll(counts).toBe('2 events of 8');
    expect(await chip('incoming')).toBe(3);
    await tid('status-toggle-failed').click();
    await expect.poll(counts).toBe('8 events');
  });

  it('while events stream in, the list total never runs ahead of the whole, and everything settles equal', async () => {
    await ui.page.getByLabel('Contact number').fill('5511900000003');
    await expect.poll(counts, { timeout: 10_000 }).toMatch(/^0 events of 8$/);
    const seen: string[] = [];
    const sampler = setInterval(() => { void counts().then((t) => { if (t) seen.push(t); }, () => undefined); }, 20);
    // Half of them match the filter, half do not.
    await Promise.all(Array.from({ length: 40 }, (_, i) => post(incoming(i % 2 ? '5511900000003' : '5511900000004', `burst ${i}`))));
    await expect.poll(counts, { timeout: 15_000 }).toBe('20 events of 48');
    clearInterval(sampler);
    for (const t of seen) {
      const m = /^(\d+) events?(?: of (\d+))?$/.exec(t);
      expect(m, t).not.toBeNull();
      if (m![2]) expect(Number(m![1]), t).toBeLessThanOrEqual(Number(m![2]));
      expect(Number(m![1]), t).toBeLessThanOrEqual(20);
    }
    await expect.poll(() => chip('incoming'), { timeout: 10_000 }).toBe(20);
    await ui.page.getByLabel('Contact number').fill('');
    await expect.poll(counts, { timeout: 10_000 }).toBe('48 events');
    await expect.poll(chipsTotal, { timeout: 10_000 }).toBe(48);
  });

  it('the funnel counts messages and says how that differs from the Failed chip', async () => {
    await tid('nav-stats').click();
    await expect.poll(() => tid('funnel-failed-count').textContent(), { timeout: 10_000 }).toBe('1');
    expect(await chip('failed')).toBe(2);
    expect(await tid('funnel-note').textContent()).toContain('2 failed events');
  });

  it('had no page errors', () => {
    expect(ui.pageErrors).toEqual([]);
  });
});
