// The trust boundary in real Chromium against the real `serve`: forged requests show up as a count on
// the Rejected badge and in the rejected view (marked untrusted, with the signature debugger), never in
// the feed; after the secret is fixed, Re-verify moves the genuine ones into the feed.
import { createHmac } from 'node:crypto';
import { expect, it } from 'vitest';
import { describeE2E, useE2E, type E2E } from '../helpers/e2e';

let ui: E2E;

const sign = (body: string, secret: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

function message(id: string, text: string) {
  return JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: 'WABA', changes: [{ field: 'messages', value: {
    messaging_product: 'whatsapp', metadata: { display_phone_number: '15550000000', phone_number_id: '100200300' },
    contacts: [{ profile: { name: 'Ana' }, wa_id: '5511977776666' }],
    messages: [{ from: '5511977776666', id, timestamp: '1700000000', type: 'text', text: { body: text } }],
  } }] }] });
}

const post = (body: string, signature: string) =>
  fetch(`${ui.receiverUrl}/meta`, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature } });

describeE2E('rejected view in Chromium against serve', () => {
  ui = useE2E({ env: { META_APP_SECRET: 'stale-secret' } });

  it('counts forged requests on the badge and lists them, untrusted, never in the feed', async () => {
    // A stranger's forgery, and a genuine webhook signed with a secret Hookscope does not know yet.
    expect((await post(message('wamid.FORGED', '<img src=x onerror=alert(1)>'), sign('x', 'attacker'))).status).toBe(401);
    expect((await post(message('wamid.REAL', 'genuine but early'), sign(message('wamid.REAL', 'genuine but early'), 'new-secret'))).status).toBe(401);
    await expect.poll(() => ui.page.getByTestId('rejected-count').textContent(), { timeout: 10_000 }).toBe('2');
    expect(await ui.page.getByTestId('counts').textContent()).toContain('0');
    // Twilio has no token here: every screen says so.
    expect(await ui.page.getByTestId('trust-banner').textContent()).toMatch(/anyone who knows the tunnel URL can add events/);

    await ui.page.getByTestId('nav-rejected').click();
    await ui.page.getByTestId('rejected-panel').waitFor();
    await expect.poll(() => ui.page.getByTestId('rejected-list').locator('li').count()).toBe(2);
    await ui.page.getByTestId('rejected-list').locator('li').last().locator('button').click();
    await ui.page.getByTestId('rejected-detail').waitFor();
    expect(await ui.page.getByTestId('untrusted').textContent()).toBe('Untrusted');
    expect(await ui.page.getByTestId('rejected-signature-cause').textContent()).toBeTruthy();
    // The stranger's markup is text, not HTML.
    expect(await ui.page.getByTestId('rejected-preview').textContent()).toContain('<img src=x onerror=alert(1)>');
    expect(await ui.page.locator('img[src="x"]').count()).toBe(0);
  });

  it('re-verify from the UI moves the request that verifies with the fixed secret into the feed', async () => {
    await ui.api('/api/settings', { method: 'PUT', body: JSON.stringify({ metaAppSecret: 'new-secret' }) });
    await ui.page.getByTestId('rejected-reverify').click();
    await expect.poll(() => ui.page.getByTestId('reverify-result').textContent()).toMatch(/1 of 2 now verify/);
    await expect.poll(() => ui.page.getByTestId('rejected-count').textContent()).toBe('1');
    await ui.page.getByTestId('nav-rejected').click(); // close the panel
    await expect.poll(() => ui.page.locator('[data-testid="feed"]').textContent(), { timeout: 10_000 }).toContain('genuine but early');
    expect(await ui.page.locator('[data-testid="feed"]').textContent()).not.toContain('onerror');
    expect(ui.pageErrors).toEqual([]);
  });
});
