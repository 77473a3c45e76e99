// Coexistence and calling in real Chromium against the real `serve`: a failed call explained, a
// phone-app echo in the conversation, a chat-history import with its progress. Payloads written for
// this repository: test/fixtures/meta-fields/.
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { describeE2E, useE2E, type E2E } from '../helpers/e2e';

const SECRET = 'e2e-families-secret';
const sign = (body: string) => `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
const fixture = (name: string) => fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'meta-fields', `${name}.json`), 'utf8');

let ui: E2E;

async function postMeta(name: string): Promise<void> {
  const body = fixture(name);
  const res = await fetch(`${ui.receiverUrl}/meta`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(body) }, body });
  await res.arrayBuffer();
  expect(res.status).toBe(200);
}
const tid = (id: string) => ui.page.getByTestId(id);
const rowWith = (text: string) => tid('event-row').filter({ hasText: text }).first();

describeE2E('WhatsApp families in Chromium against serve', () => {
  ui = useE2E({ env: { META_APP_SECRET: SECRET } });

  it('a failed call stands out in the feed and the inspector explains its calling error code', async () => {
    await postMeta('calls-terminate-failed');
    const row = rowWith('Outgoing call to +5511987650007 failed');
    await row.waitFor({ timeout: 10_000 });
    expect(await row.getAttribute('data-severity')).toBe('warning');
    expect(await row.textContent()).toContain('138021');
    await row.click();
    await tid('tab-summary').click();
    await tid('error-box').waitFor();
    const box = (await tid('error-box').textContent())!;
    expect(box).toContain('138021');
    expect(box).toMatch(/A Calling API error: the call could not be made, connected or completed/);
    expect(box).toMatch(/call logs/i);
    expect(await tid('severity-notice').textContent()).toContain('a call failed');
    expect(await tid('summary-call').textContent()).toContain('Outgoing (the business called) · failed');
    // The kind filter reaches calls.
    await ui.page.getByLabel('Kind').selectOption('call');
    await expect.poll(() => tid('event-row').count(), { timeout: 10_000 }).toBe(1);
    await ui.page.getByLabel('Kind').selectOption('');
  });

  it('a message typed in the phone app shows as the business\'s bubble in the conversation', async () => {
    await postMeta('smb_message_echoes');
    const row = rowWith('Your table for 4 is confirmed for 8pm');
    await row.waitFor({ timeout: 10_000 });
    expect(await row.textContent()).toContain('phone app');
    await row.click();
    await tid('tab-conversation').click();
    await tid('conversation').waitFor();
    const out = tid('bubble-out');
    await out.first().waitFor();
    expect(await out.count()).toBe(1);
    expect(await tid('bubble-in').count()).toBe(0);
    expect(await out.first().textContent()).toContain('Your table for 4 is confirmed for 8pm');
    expect(await out.first().getByTestId('bubble-source-phone').textContent()).toBe('sent from the phone app');
    await tid('tab-lifecycle').click();
    await tid('lifecycle').waitFor();
  });

  it('a chat-history import shows its progress, joins the conversation in time order, and is searchable', async () => {
    await postMeta('history');
    const progressRow = rowWith('Importing chat history: 55%');
    await progressRow.waitFor({ timeout: 10_000 });
    await progressRow.click();
    await tid('tab-summary').click();
    await tid('history-progress').waitFor();
    expect(await tid('history-progress').textContent()).toContain('55% · phase 2 of 3 · chunk 3 · 2 messages in this chunk');
    expect(await ui.page.locator('[data-testid="history-progress"] progress').getAttribute('value')).toBe('55');

    // The imported customer message: in the conversation, both sides, oldest first, marked imported.
    const imported = rowWith('Do you deliver to Pinheiros?');
    await imported.click();
    expect(await imported.textContent()).toContain('imported');
    await tid('tab-conversation').click();
    await tid('conversation').waitFor();
    await tid('bubble-in').first().waitFor();
    expect(await tid('bubble-in').first().textContent()).toContain('Do you deliver to Pinheiros?');
    expect(await tid('bubble-out').first().textContent()).toContain('Yes, every day until 10pm');
    expect(await tid('bubble-out').first().getByTestId('bubble-source-history').count()).toBe(1);
    // History is old: it does not open the 24-hour window.
    expect(await tid('service-window').getAttribute('class')).toContain('is-closed');

    // Searchable like any message.
    await ui.page.locator('#hs-search').fill('Pinheiros');
    await expect.poll(() => tid('event-row').count(), { timeout: 10_000 }).toBe(1);
    expect(await tid('event-row').first().textContent()).toContain('Do you deliver to Pinheiros?');
    await ui.page.locator('#hs-search').fill('');

    // Per-message pricing from status webhooks, summed in Stats by category.
    await postMeta('status-pricing-pmp');
    await postMeta('status-pricing-pmp');

    // Stats shows the import progress; no notification, no "incoming" traffic.
    await tid('nav-stats').click();
    await tid('stats-pricing').waitFor({ timeout: 10_000 });
    await expect.poll(() => tid('pricing-billable').textContent(), { timeout: 10_000 }).toBe('1');
    expect(await ui.page.locator('[data-testid="pricing-row"][data-category="marketing"] [data-testid="pricing-row-billable"]').textContent()).toBe('1');
    await tid('stats-history-import').waitFor({ timeout: 10_000 });
    expect(await tid('history-import-progress').textContent()).toBe('55%');
    expect(await tid('stats-history-import').textContent()).toContain('2 past messages imported');
    await expect.poll(() => tid('status-toggle-incoming').textContent(), { timeout: 5000 }).toBe('Incoming0');
    expect(ui.pageErrors).toEqual([]);
  });
});
