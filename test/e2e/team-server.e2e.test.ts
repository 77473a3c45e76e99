// A team server in real Chromium: a viewer's page shows everything live but none of the controls that
// change things (the server refuses them anyway), an admin's page keeps them, and an open page says
// "Reconnecting…" while the serve process restarts, then reconnects by itself and shows what arrives next.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startServe, type ServeProcess } from '../helpers/serve';
import { launchChromium } from '../helpers/browser';

let serve: ServeProcess;
let browser: Browser;
let viewerToken: string;
const pageErrors: string[] = [];

function metaMessage(id: string, text: string): string {
  return JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: '102290129340398', changes: [{ field: 'messages', value: {
    messaging_product: 'whatsapp', metadata: { display_phone_number: '15550001111', phone_number_id: '106540352242922' },
    contacts: [{ profile: { name: 'Bia' }, wa_id: '5511987650002' }],
    messages: [{ from: '5511987650002', id, timestamp: '1733000000', type: 'text', text: { body: text } }],
  } }] }] });
}

async function post(id: string, text: string) {
  const r = await fetch(`${serve.receiverUrl}/meta`, { method: 'POST', body: metaMessage(id, text), headers: { 'content-type': 'application/json' } });
  expect(r.status).toBe(200);
}

async function open(token: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  page.on('pageerror', (err) => pageErrors.push(err.message));
  await page.goto(`${serve.uiBase}/?token=${token}`);
  await page.getByTestId('top-bar').waitFor();
  return page;
}

describe('team server in the browser', { timeout: 120_000 }, () => {
  beforeAll(async () => {
    serve = await startServe();
    browser = await launchChromium();
    const made = await serve.api<{ token: string }>('/api/tokens', { method: 'POST', body: JSON.stringify({ name: 'Vic', role: 'viewer' }) });
    viewerToken = made.body.token;
    expect((await serve.api('/api/rules', { method: 'POST', body: JSON.stringify({ name: 'Lead replied', when: { kind: ['message'] } }) })).status).toBe(201);
    await post('wamid.e2e-team-1', 'hello team');
  });
  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
  });

  it('a viewer sees the feed and rules, with no control that changes anything', async () => {
    const page = await open(viewerToken);
    await page.getByTestId('viewer-banner').waitFor();
    expect(await page.getByTestId('viewer-banner').textContent()).toMatch(/View only \(signed in as Vic\)/);
    await page.getByTestId('event-row').filter({ hasText: 'hello team' }).first().click();
    await page.getByTestId('copy-curl').waitFor();
    expect(await page.getByTestId('replay').isVisible()).toBe(false);
    expect(await page.getByTestId('forget-contact').isVisible()).toBe(false);

    await page.getByTestId('nav-rules').click();
    await page.getByTestId('rule-name').filter({ hasText: 'Lead replied' }).waitFor();
    for (const id of ['rule-new-preset', 'rule-edit', 'rule-delete']) expect(await page.getByTestId(id).isVisible(), id).toBe(false);
    expect(await page.getByTestId('rule-toggle').isDisabled()).toBe(true);

    await page.getByTestId('nav-settings').click();
    await page.getByTestId('settings-view-only').waitFor();
    expect(await page.getByTestId('settings-save').isDisabled()).toBe(true);
    expect(await page.getByTestId('rotate-ui-token').isVisible()).toBe(false);
    await page.close();
  });

  it('an admin token keeps every control', async () => {
    const page = await open(serve.token);
    await page.getByTestId('nav-rules').click();
    await page.getByTestId('rule-name').filter({ hasText: 'Lead replied' }).waitFor();
    expect(await page.getByTestId('viewer-banner').count()).toBe(0);
    for (const id of ['rule-new-preset', 'rule-edit', 'rule-delete']) expect(await page.getByTestId(id).isVisible(), id).toBe(true);
    expect(await page.getByTestId('rule-toggle').isDisabled()).toBe(false);
    await page.close();
  });

  it('reconnects by itself after the serve process restarts, saying so meanwhile', async () => {
    const page = await open(viewerToken);
    await page.getByTestId('event-row').filter({ hasText: 'hello team' }).first().waitFor();
    await page.getByTestId('connection').waitFor({ state: 'detached' });
    const uiPort = new URL(serve.uiBase).port;
    const recvPort = new URL(serve.receiverUrl).port;
    expect(await serve.stop()).toBe(0);
    await page.getByTestId('connection').filter({ hasText: 'Reconnecting…' }).waitFor();
    serve = await startServe(['--ui-port', uiPort, '--port', recvPort], {}, serve.dataDir);
    await page.getByTestId('connection').waitFor({ state: 'detached', timeout: 60_000 });
    await post('wamid.e2e-team-2', 'after the restart');
    await page.getByTestId('event-row').filter({ hasText: 'after the restart' }).first().waitFor();
    // Still the viewer: the page kept its token across the restart.
    expect(await page.getByTestId('viewer-banner').isVisible()).toBe(true);
    await page.close();
    expect(pageErrors).toEqual([]);
  });
});
