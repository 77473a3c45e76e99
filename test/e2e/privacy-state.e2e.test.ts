// Privacy mode as one state the whole page follows at once, in real Chromium against the real `serve`:
// switched on while the Tools panel is open, the export's Redact box follows (and the download is
// redacted); "Copy as cURL" and the inspector's ids follow; the Privacy button keeps 4.5:1 contrast in
// both themes, off and on, hovered and focused (axe-core).
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { describeE2E, useE2E, type E2E } from '../helpers/e2e';
import { ANA, decodedTokens, metaMessage, realWamid, traces } from '../helpers/people';

const SECRET = 'privacy-state-e2e-secret';
const sign = (body: string) => `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
const SLOW = 120_000;
const WAMID = realWamid(ANA.number, 1);

let ui: E2E;

function leaks(text: string): string[] {
  const t = text.toLowerCase();
  const found = traces(ANA).filter((s) => t.includes(s.toLowerCase()));
  if (text.includes(WAMID.slice(6, 30))) found.push('the message id');
  if (decodedTokens(text).some((d) => d.includes(ANA.number))) found.push('a token that decodes to the number');
  return found;
}

async function open(scheme: 'light' | 'dark'): Promise<Page> {
  // Privacy mode is remembered per browser profile: each page, in a context of its own, starts with it off.
  return ui.openPage({ colorScheme: scheme, permissions: ['clipboard-read', 'clipboard-write'], timeout: 15_000, ready: 'event-row' });
}

const toggle = (page: Page) => page.getByTestId('privacy-toggle');
async function setPrivacy(page: Page, on: boolean) {
  if ((await toggle(page).getAttribute('aria-pressed')) !== String(on)) await toggle(page).click();
  await expect.poll(() => toggle(page).getAttribute('aria-pressed')).toBe(String(on));
}

describeE2E('privacy mode as app state, in Chromium against serve', () => {
  ui = useE2E({
    env: { META_APP_SECRET: SECRET },
    page: false,
    seed: async () => {
      const body = metaMessage(ANA, WAMID);
      const r = await fetch(`${ui.receiverUrl}/meta`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(body) }, body });
      expect(r.status).toBe(200);
    },
  }, SLOW);

  it('privacy switched on while the export panel is open: the Redact box follows and the download is redacted', async () => {
    const page = await open('light');
    try {
      await page.getByTestId('nav-tools').click();
      await page.getByTestId('tools-panel').waitFor();
      expect(await page.getByTestId('export-redact').isChecked()).toBe(false);
      await setPrivacy(page, true);
      await expect.poll(() => page.getByTestId('export-redact').isChecked()).toBe(true);
      for (const format of ['ndjson', 'csv', 'har', 'ndjson-requests']) {
        const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId(`export-${format}`).click()]);
        expect(download.suggestedFilename(), format).toContain('-redacted');
        expect(leaks(readFileSync((await download.path())!, 'utf8')), format).toEqual([]);
      }
      // And back: off again, the default is the full export.
      await setPrivacy(page, false);
      await expect.poll(() => page.getByTestId('export-redact').isChecked()).toBe(false);
      const [full] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-ndjson').click()]);
      expect(leaks(readFileSync((await full.path())!, 'utf8')).length).toBeGreaterThan(0);
    } finally {
      await page.close();
    }
  }, SLOW);

  it('an open inspector and "Copy as cURL" follow the switch: the id and the copied command hold nothing of the customer', async () => {
    const page = await open('light');
    try {
      await page.getByTestId('event-row').first().click();
      await page.getByTestId('tab-summary').click();
      await expect.poll(() => page.getByTestId('summary-message-id').textContent()).toBe(WAMID);
      const copied = async () => {
        await page.evaluate('navigator.clipboard.writeText("")');
        await page.getByTestId('copy-curl').click();
        await expect.poll(() => page.evaluate<string>('navigator.clipboard.readText()')).toMatch(/^curl|^printf/);
        return page.evaluate<string>('navigator.clipboard.readText()');
      };
      // Off: the real command (so the check below can fail).
      expect(leaks(await copied()).length).toBeGreaterThan(0);
      await setPrivacy(page, true);
      await expect.poll(() => page.getByTestId('summary-message-id').textContent()).not.toBe(WAMID);
      expect(leaks(await page.evaluate<string>('document.body.innerText + document.documentElement.outerHTML'))).toEqual([]);
      const curl = await copied();
      expect(leaks(curl)).toEqual([]);
      expect(curl.toLowerCase()).not.toContain('x-hub-signature');
    } finally {
      await page.close();
    }
  }, SLOW);

  for (const scheme of ['light', 'dark'] as const) {
    it(`the Privacy button meets contrast in the ${scheme} theme: off and on, hovered and focused`, async () => {
      const page = await open(scheme);
      try {
        const audit = async (state: string) => {
          const r = await new AxeBuilder({ page }).include('[data-testid="privacy-toggle"]').withRules(['color-contrast']).analyze();
          return r.violations.map((v) => `${scheme} ${state}: ${v.id} ${v.nodes.map((n) => n.failureSummary?.replace(/\s+/g, ' ')).join(' | ')}`);
        };
        const problems: string[] = [];
        for (const on of [false, true]) {
          await setPrivacy(page, on);
          const state = on ? 'on' : 'off';
          await page.mouse.move(0, 800);
          await page.locator('body').click({ position: { x: 5, y: 890 } }).catch(() => undefined);
          problems.push(...await audit(state));
          await toggle(page).hover();
          problems.push(...await audit(`${state}, hovered`));
          await page.mouse.move(0, 800);
          // Focus by keyboard (what :focus-visible shows): Shift+Tab back from the next control.
          await toggle(page).focus();
          await page.keyboard.press('Tab');
          await page.keyboard.press('Shift+Tab');
          await expect.poll(() => page.evaluate<string | null>('document.activeElement?.getAttribute("data-testid") ?? null')).toBe('privacy-toggle');
          problems.push(...await audit(`${state}, focused`));
        }
        expect(problems).toEqual([]);
      } finally {
        await page.close();
      }
    }, SLOW);
  }
});
