// Accessibility audit with axe-core in real Chromium against the real `serve`: the feed (Events and
// Messages views), every inspector tab and every side panel, in the light and the dark theme — zero
// violations, whatever their impact. A failure lists each rule with the first offending nodes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { describeE2E, useE2E, type E2E } from '../helpers/e2e';
import { incomingText, postMeta, signMeta, statusUpdate } from '../helpers/meta-payloads';

const SECRET = 'e2e-a11y-secret';
let ui: E2E;
const now = Math.floor(Date.now() / 1000);

const INSPECTOR_TABS = ['summary', 'payload', 'raw', 'signature', 'forwards', 'lifecycle', 'conversation'];
const PANELS = ['rules', 'notifications', 'stats', 'health', 'setup', 'tools', 'settings'];

/** Until nothing says it is loading (the live stream keeps the network busy: no `networkidle`). */
async function settle(page: Page) {
  await expect.poll(() => page.evaluate<boolean>('/Loading…/.test(document.body.innerText)'), { timeout: 15_000 }).toBe(false);
}

/** The whole page, or only `within` (a CSS selector) once the rest of the page has had its own run. */
async function audit(page: Page, where: string, within?: string): Promise<string[]> {
  await settle(page);
  const builder = new AxeBuilder({ page }).options({ resultTypes: ['violations'] });
  if (within) builder.include(within);
  const result = await builder.analyze();
  return result.violations.map((v) => `${where}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')}${n.failureSummary ? ` [${n.failureSummary.replace(/\s+/g, ' ').slice(0, 160)}]` : ''}`).join(' | ')}`);
}

describeE2E('accessibility (axe-core) in Chromium against serve', () => {
  ui = useE2E({
    env: { META_APP_SECRET: SECRET, META_VERIFY_TOKEN: 'e2e-verify' },
    page: false,
    seed: async () => {
      const post = async (body: string, sig?: string) => expect(await postMeta(ui.receiverUrl, SECRET, body, sig)).toBeLessThan(500);
      // Every status colour and shape the feed can show: incoming, sent, delivered, read, failed, a bad signature, a duplicate.
      await post(incomingText('wamid.A1', '447900000001', 'Hello, is the shop open?', 'Ana Souza', now - 60));
      await post(statusUpdate('wamid.B1', 'sent', now - 50));
      await post(statusUpdate('wamid.B1', 'delivered', now - 49));
      await post(statusUpdate('wamid.B1', 'read', now - 48));
      await post(statusUpdate('wamid.B1', 'read', now - 48));
      await post(statusUpdate('wamid.C1', 'sent', now - 40, '447900000001'));
      await post(statusUpdate('wamid.C1', 'failed', now - 39, '447900000001', { code: 131047, title: 'Re-engagement message' }));
      await post(incomingText('wamid.D1', '447900000002', 'forged', 'Mallory', now - 30), signMeta('wrong-secret', 'x'));
      await post(JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: 'W', changes: [{ field: 'account_update', value: { event: 'VERIFIED_ACCOUNT' } }] }] }));
    },
  });

  for (const scheme of ['light', 'dark'] as const) {
    describe(`${scheme} theme`, () => {
      let page: Page;
      const errors: string[] = [];
      const SLOW = 240_000; // axe walks every node; these machines are shared and busy

      beforeAll(async () => {
        page = await ui.openPage({ colorScheme: scheme, timeout: 15_000, errors, ready: 'event-row' });
        expect(await page.evaluate('matchMedia("(prefers-color-scheme: dark)").matches')).toBe(scheme === 'dark');
      });

      afterAll(async () => {
        await page?.close();
      });

      it('the Events feed', async () => {
        expect(await audit(page, 'events feed')).toEqual([]);
      }, SLOW);

      it('every inspector tab, and the signature debugger', async () => {
        const found: string[] = [];
        // The failed status has a message id and a contact: every tab is open to it.
        await page.locator('[data-testid="event-row"]', { hasText: 'Re-engagement message' }).click();
        for (const tab of INSPECTOR_TABS) {
          await page.getByTestId(`tab-${tab}`).click();
          await page.getByTestId(`tab-${tab}`).and(page.locator('[aria-selected="true"]')).waitFor();
          // The first tab with the whole page around it; the others only where they differ.
          found.push(...await audit(page, `inspector ${tab}`, tab === INSPECTOR_TABS[0] ? undefined : '[data-testid="inspector"]'));
        }
        await page.getByTestId('inspector').getByRole('button', { name: 'Close inspector' }).click();
        // A forged request is rejected: the signature debugger lives in the Rejected view's detail.
        await page.getByTestId('nav-rejected').click();
        await page.getByTestId('rejected-list').locator('li').first().locator('button').click();
        await page.getByTestId('rejected-detail').waitFor();
        found.push(...await audit(page, 'rejected request and its signature debugger', '[data-testid="rejected-panel"]'));
        await page.getByTestId('nav-rejected').click();
        expect(found).toEqual([]);
      }, SLOW);

      it('the Messages feed with its optional columns, and with an event open', async () => {
        const found: string[] = [];
        await page.getByTestId('view-messages').click();
        await page.getByTestId('message-row').first().waitFor();
        await page.getByTestId('column-http').check();
        await page.getByTestId('column-signature').check();
        found.push(...await audit(page, 'messages feed'));
        await page.getByTestId('message-row').first().click();
        await page.getByTestId('inspector').waitFor();
        found.push(...await audit(page, 'messages feed with an event open'));
        expect(found).toEqual([]);
      }, SLOW);

      it('every side panel', async () => {
        const found: string[] = [];
        for (const panel of PANELS) {
          await page.getByTestId(`nav-${panel}`).click();
          await page.getByTestId(`panel-${panel}`).waitFor();
          found.push(...await audit(page, `${panel} panel`, panel === PANELS[0] ? undefined : `[data-testid="panel-${panel}"]`));
        }
        expect(found).toEqual([]);
      }, SLOW);

      it('had no page errors', () => {
        expect(errors).toEqual([]);
      });
    });
  }
});
