// A team server in real Chromium: a viewer's page shows everything live but none of the controls that
// change things (the server refuses them anyway), an admin's page keeps them, and an open page says
// "Reconnecting…" while the serve process restarts, then reconnects by itself and shows what arrives next.
import { expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { describeE2E, useE2E, type E2E } from '../helpers/e2e';

let ui: E2E;
let viewerToken: string;

function metaMessage(id: string, text: string): string {
  return JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: '102290129340398', changes: [{ field: 'messages', value: {
    messaging_product: 'whatsapp', metadata: { display_phone_number: '15550001111', phone_number_id: '106540352242922' },
    contacts: [{ profile: { name: 'Bia' }, wa_id: '5511987650002' }],
    messages: [{ from: '5511987650002', id, timestamp: '1733000000', type: 'text', text: { body: text } }],
  } }] }] });
}

async function post(id: string, text: string) {
  const r = await fetch(`${ui.receiverUrl}/meta`, { method: 'POST', body: metaMessage(id, text), headers: { 'content-type': 'application/json' } });
  expect(r.status).toBe(200);
}

function open(token: string): Promise<Page> {
  return ui.openPage({ viewport: { width: 1280, height: 860 }, url: `${ui.uiBase}/?token=${token}` });
}

describeE2E('team server in the browser', { timeout: 120_000 }, () => {
  ui = useE2E({
    page: false,
    seed: async () => {
      const made = await ui.api<{ token: string }>('/api/tokens', { method: 'POST', body: JSON.stringify({ name: 'Vic', role: 'viewer' }) });
      viewerToken = made.body.token;
      expect((await ui.api('/api/rules', { method: 'POST', body: JSON.stringify({ name: 'Lead replied', when: { kind: ['message'] } }) })).status).toBe(201);
      await post('wamid.e2e-team-1', 'hello team');
    },
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
    const page = await open(ui.token);
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
    const uiPort = new URL(ui.uiBase).port;
    const recvPort = new URL(ui.receiverUrl).port;
    // Back on the same ports, so the open page can find it again.
    const exitCode = await ui.restart({
      args: ['--ui-port', uiPort, '--port', recvPort],
      whileDown: () => page.getByTestId('connection').filter({ hasText: 'Reconnecting…' }).waitFor(),
    });
    expect(exitCode).toBe(0);
    await page.getByTestId('connection').waitFor({ state: 'detached', timeout: 60_000 });
    await post('wamid.e2e-team-2', 'after the restart');
    await page.getByTestId('event-row').filter({ hasText: 'after the restart' }).first().waitFor();
    // Still the viewer: the page kept its token across the restart.
    expect(await page.getByTestId('viewer-banner').isVisible()).toBe(true);
    await page.close();
    expect(ui.pageErrors).toEqual([]);
  });
});
