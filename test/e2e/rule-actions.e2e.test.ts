// Rules that act, in real Chromium against the real `serve`: a rule made in the editor from the Lead
// replied preset with a Slack action pointed at a local target (port 0); Test sends the sample event
// and shows the target's answer; the delivery history lists it; a genuine lead reply then arrives at
// the target in Slack's message format and joins the history.
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeE2E, useE2E, type E2E } from '../helpers/e2e';

const SECRET = 'e2e-actions-app-secret';
const sign = (body: string) => `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;

let ui: E2E;
let slack: Server;
let slackUrl = '';
const received: { path: string; body: string }[] = [];

const meta = (value: Record<string, unknown>) => JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: 'W', changes: [{ field: 'messages', value: {
  messaging_product: 'whatsapp', metadata: { display_phone_number: '15550001111', phone_number_id: '111' }, ...value } }] }] });
async function post(body: string) {
  const r = await fetch(`${ui.receiverUrl}/meta`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(body) }, body });
  await r.arrayBuffer();
  expect(r.status).toBe(200);
}
const tid = (id: string) => ui.page.getByTestId(id);

describeE2E('rule actions in Chromium against serve', () => {
  beforeAll(async () => {
    slack = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => { received.push({ path: req.url ?? '', body: Buffer.concat(chunks).toString('utf8') }); res.writeHead(200); res.end('ok'); });
    });
    await new Promise<void>((r) => slack.listen(0, '127.0.0.1', r));
    slackUrl = `http://127.0.0.1:${(slack.address() as AddressInfo).port}/services/T000/B000/XXXX`;
  });

  afterAll(async () => {
    await new Promise<void>((r) => (slack ? slack.close(() => r()) : r()));
  });

  // Declared after the Slack target's hooks: serve starts once the target listens and stops before it closes.
  ui = useE2E({ env: { META_APP_SECRET: SECRET }, page: { viewport: { width: 1400, height: 1000 }, timeout: 8000 } });

  it('makes a Slack-preset rule, tests it, and shows the delivery history', async () => {
    await tid('nav-rules').click();
    await tid('rule-preset').selectOption('lead-replied');
    await tid('rule-new-preset').click();
    await tid('rule-editor').waitFor();
    await tid('rule-http-preset').selectOption('slack');
    await tid('rule-http-add').click();
    expect(await tid('rule-http-body').inputValue()).toBe('{"text": {message|slack|json}}');
    await tid('rule-http-url').fill(slackUrl);
    await tid('rule-notify').uncheck();
    await tid('rule-throttle').fill('0');
    await tid('rule-save').click();
    await tid('rule-item').waitFor();
    expect(await tid('rule-item').textContent()).toContain('slack');

    await tid('rule-test').click();
    await expect.poll(() => tid('rule-test-status').textContent()).toBe('200 OK');
    // What Slack would have received: its incoming-webhook message format.
    expect(received).toHaveLength(1);
    expect(received[0].path).toBe('/services/T000/B000/XXXX');
    expect(JSON.parse(received[0].body)).toEqual({ text: 'Test Lead (Hookscope) replied\nThis is a test message sent by Hookscope’s Test button.' });

    await tid('rule-history-toggle').click();
    await tid('rule-history').waitFor();
    expect(await tid('delivery-row').count()).toBe(1);
    const row = await tid('delivery-row').first().textContent();
    expect(row).toContain('(test)');
    expect(row).toContain('200 OK');
    // The webhook URL's token is not shown back.
    expect(row).toContain('/services/…');
    expect(row).not.toContain('XXXX');

    // A genuine lead reply now goes to Slack as well, and joins the history.
    await post(meta({ statuses: [{ id: 'wamid.e2e-out', status: 'sent', timestamp: '1700000000', recipient_id: '5511977770001' }] }));
    await post(meta({ contacts: [{ profile: { name: 'Lia' }, wa_id: '5511977770001' }],
      messages: [{ from: '5511977770001', id: 'wamid.e2e-in', timestamp: '1700000000', type: 'text', text: { body: 'Sim <b>quero</b>' } }] }));
    await expect.poll(() => received.length).toBe(2);
    expect(JSON.parse(received[1].body)).toEqual({ text: 'Lia replied\nSim &lt;b&gt;quero&lt;/b&gt;' });
    await tid('rule-history-toggle').click();
    await tid('rule-history-toggle').click();
    await expect.poll(() => tid('delivery-row').count()).toBe(2);
    expect(await tid('delivery-row').first().textContent()).not.toContain('(test)');
    // The history says whose event fired it, and opens that event.
    const fired = tid('delivery-row').first().getByTestId('delivery-source');
    expect(await fired.getByTestId('delivery-contact').textContent()).toBe('+5511977770001');
    await fired.getByTestId('delivery-event').click();
    await expect.poll(() => tid('inspector').locator('.inspector-title').textContent()).toContain('Lia');
    expect(await tid('delivery-row').last().getByTestId('delivery-source').textContent()).toBe('sample event');
    expect(ui.pageErrors).toEqual([]);
  });
});
