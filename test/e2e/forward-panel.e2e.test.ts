// Tools → Forward in real Chromium against the real `serve` (docs/api.md "Forwards"): a handler that is
// down shows its backlog; "Retry now" sends it at once when the handler is back, in order; "Drop" gives up
// what waits, and nothing dropped reaches the handler afterwards. Run twice over (retry, then drop).
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeE2E, useE2E, type E2E } from '../helpers/e2e';
import { SIGNED } from '../helpers/fixtures';

const SECRET = SIGNED.secret;
let ui: E2E;
let handler: Server;
let handlerUrl: string;
let down = true;
const received: string[] = [];

function message(id: string): string {
  return JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: '102290129340398', changes: [{ field: 'messages', value: {
    messaging_product: 'whatsapp', metadata: { display_phone_number: '15550783881', phone_number_id: '106540352242922' },
    contacts: [{ profile: { name: 'Forward Panel' }, wa_id: '5511900000042' }],
    messages: [{ from: '5511900000042', id, timestamp: '1733000000', type: 'text', text: { body: `hello ${id}` } }],
  } }] }] });
}

async function postMeta(id: string): Promise<void> {
  const body = message(id);
  const res = await fetch(`${ui.receiverUrl}/meta`, { method: 'POST', body,
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}` } });
  expect(res.status).toBe(200);
}

const cell = (id: string) => ui.page.getByTestId('forward-target').getByTestId(id);
const count = async (id: string) => Number.parseInt((await cell(id).textContent()) ?? '', 10);
const waiting = async () => (await count('forward-queued')) + (await count('forward-retrying'));
const ids = () => received.map((b) => (JSON.parse(b) as { entry: { changes: { value: { messages: { id: string }[] } }[] }[] }).entry[0].changes[0].value.messages[0].id);

describeE2E('Tools → Forward in Chromium against serve', () => {
  beforeAll(async () => {
    handler = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => { body += c; });
      req.on('end', () => {
        if (down) { res.writeHead(503); res.end('restarting'); return; }
        received.push(body);
        res.end('ok');
      });
    });
    await new Promise<void>((r) => handler.listen(0, '127.0.0.1', r));
    handlerUrl = `http://127.0.0.1:${(handler.address() as AddressInfo).port}/hook`;
  });

  afterAll(async () => {
    handler?.closeAllConnections();
    await new Promise<void>((r) => (handler ? handler.close(() => r()) : r()));
  });

  // Declared after the handler's hooks: serve starts once the handler listens and stops before it closes.
  ui = useE2E(() => ({
    args: ['--forward-to', handlerUrl],
    env: { META_APP_SECRET: SECRET },
    seed: async () => {
      // After the first failed try the next one is a minute away (the longest delay): only "Retry now" can
      // deliver within the test's waits.
      const set = await ui.api('/api/settings', { method: 'PUT', body: JSON.stringify({ forwardRetry: { baseDelayMs: 3_600_000 } }) });
      expect(set.status).toBe(200);
    },
    page: {
      ready: async (page) => {
        await page.getByTestId('nav-tools').click();
        await page.getByTestId('forward-section').waitFor();
      },
    },
  }));

  it('a handler that is down shows its backlog; "Retry now" delivers it in order once the handler is back', { timeout: 120_000 }, async () => {
    for (const id of ['wamid.FWDPANEL1', 'wamid.FWDPANEL2', 'wamid.FWDPANEL3']) await postMeta(id);
    expect(await ui.page.getByTestId('forward-target').locator('code').textContent()).toBe(handlerUrl);
    await expect.poll(waiting, { timeout: 30_000 }).toBe(3);
    await expect.poll(() => ui.page.getByTestId('forward-target').textContent(), { timeout: 30_000 }).toContain('HTTP 503');
    expect(received).toEqual([]);

    down = false;
    await ui.page.getByTestId('forward-retry').click();
    await expect.poll(() => ui.page.getByTestId('forward-result').textContent(), { timeout: 10_000 }).toMatch(/^3 forwards sent again now\.$/);
    await expect.poll(() => count('forward-delivered'), { timeout: 30_000 }).toBe(3);
    expect(await waiting()).toBe(0);
    expect(ids()).toEqual(['wamid.FWDPANEL1', 'wamid.FWDPANEL2', 'wamid.FWDPANEL3']);
  });

  it('"Drop" gives up what waits: the handler, back again, never gets it, and the next webhook goes straight through', { timeout: 120_000 }, async () => {
    down = true;
    for (const id of ['wamid.FWDPANEL4', 'wamid.FWDPANEL5']) await postMeta(id);
    await expect.poll(waiting, { timeout: 30_000 }).toBe(2);

    await ui.page.getByTestId('forward-drop').click();
    await expect.poll(() => ui.page.getByTestId('forward-result').textContent(), { timeout: 10_000 }).toMatch(/^2 forwards dropped\.$/);
    await expect.poll(() => count('forward-given-up'), { timeout: 30_000 }).toBe(2);
    expect(await waiting()).toBe(0);
    await expect.poll(() => ui.page.getByTestId('forward-drop').isDisabled()).toBe(true);

    // In order per handler: had the dropped ones still been waiting, they would arrive before this one.
    down = false;
    await postMeta('wamid.FWDPANEL6');
    await expect.poll(() => count('forward-delivered'), { timeout: 30_000 }).toBe(4);
    expect(ids()).toEqual(['wamid.FWDPANEL1', 'wamid.FWDPANEL2', 'wamid.FWDPANEL3', 'wamid.FWDPANEL6']);
  });

  it('had no page errors', () => {
    expect(ui.pageErrors).toEqual([]);
  });
});
