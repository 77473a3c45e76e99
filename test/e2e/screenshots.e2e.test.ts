// Makes the README's screenshots (light and dark) from a real run: serve, signed fixtures, Chromium.
// It asserts what the pictures must show, so a broken UI fails here rather than in the README.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { fixture, SIGNED } from '../helpers/fixtures';
import { signMetaBody } from '../helpers/core';
import { startServe, type ServeProcess } from '../helpers/serve';
import { launchChromium } from '../helpers/browser';
import { fakeNgrok, startUiCore } from '../helpers/ui-core';

// `UPDATE_SCREENSHOTS=1 npm test` refreshes the README's pictures; other runs write to test-results/.
const OUT = resolve(__dirname, process.env.UPDATE_SCREENSHOTS ? '../../docs' : '../../test-results');
let serve: ServeProcess;
let browser: Browser;

const FIXTURES = [
  'meta/status-sent.json',
  'meta/status-delivered.json',
  'meta/status-read.json',
  'meta/status-failed.json',
  'meta/message-image.json',
  'meta/message-interactive-button-reply.json',
  'meta/message-reaction.json',
  'meta/message-text-unicode-escaped.json',
];

describe('README screenshots', () => {
  beforeAll(async () => {
    serve = await startServe([], { META_APP_SECRET: SIGNED.secret });
    for (const f of FIXTURES) {
      const body = fixture(f);
      await fetch(`${serve.receiverUrl}/meta`, { method: 'POST', body, headers: { 'x-hub-signature-256': signMetaBody(body, SIGNED.secret) } });
    }
    await fetch(`${serve.receiverUrl}/meta`, { method: 'POST', body: fixture(SIGNED.file), headers: { 'x-hub-signature-256': SIGNED.signature } });
    await fetch(`${serve.receiverUrl}/meta`, { method: 'POST', body: fixture('meta/message-text-reply.json'), headers: { 'x-hub-signature-256': 'sha256=00' } });
    browser = await launchChromium();
    mkdirSync(OUT, { recursive: true });
  });
  afterAll(async () => { await browser?.close(); await serve?.stop(); });

  for (const scheme of ['light', 'dark'] as const) {
    it(`renders the feed and inspector in ${scheme} mode`, async () => {
      const page = await browser.newPage({ viewport: { width: 1400, height: 800 }, colorScheme: scheme });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(serve.uiUrl);
      await expect.poll(() => page.getByTestId('event-row').count(), { timeout: 10_000 }).toBe(9); // the badly signed one is in the Rejected view, not the feed
      await page.getByTestId('event-row').filter({ hasText: '131047' }).first().click();
      await page.getByText('Re-engagement message').first().waitFor();
      const bg = await page.evaluate<string>('getComputedStyle(document.body).backgroundColor');
      // Dark mode follows the system: the page background is dark there and light otherwise.
      const [r, g, b] = bg.match(/\d+/g)!.map(Number);
      const luminance = (r + g + b) / 3;
      if (scheme === 'dark') expect(luminance).toBeLessThan(80);
      else expect(luminance).toBeGreaterThan(200);
      await page.screenshot({ path: resolve(OUT, `screenshot-${scheme}.png`) });
      expect(errors).toEqual([]);
      await page.close();
    });
  }

  it('renders the Messages view: one row per message with its life inline', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 800 }, colorScheme: 'light' });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${serve.uiUrl}&view=messages`);
    await page.getByTestId('message-row').first().waitFor({ timeout: 10_000 });
    // An outgoing message shows its steps inline, the failed one with its error code.
    await expect.poll(() => page.getByTestId('message-row').filter({ hasText: '131047' }).count()).toBeGreaterThan(0);
    expect(await page.getByTestId('view-messages').getAttribute('aria-pressed')).toBe('true');
    await page.screenshot({ path: resolve(OUT, 'screenshot-messages.png') });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('renders the first screen: simulate up front, the stepper across the window, no filter bar', async () => {
    const ui = await startUiCore({ tunnelConnector: fakeNgrok('ngrok-demo-token', 'https://your-team.ngrok-free.app') });
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, colorScheme: 'light' });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      await page.goto(ui.uiUrl);
      const guide = page.getByTestId('setup-guide');
      await guide.getByTestId('setup-stepper').waitFor();
      await guide.getByTestId('setup-try').waitFor();
      expect(await page.getByTestId('filter-bar').count()).toBe(0);
      await expect.poll(() => guide.getByTestId('step-verify-token').getAttribute('data-state')).toBe('todo');
      await page.screenshot({ path: resolve(OUT, 'screenshot-first-run.png') });
      expect(errors).toEqual([]);
    } finally {
      await page.close();
      await ui.stop();
    }
  });

  it('renders the setup stepper half-way through a first run', async () => {
    // In process, with a fake ngrok: the tunnel goes online without the network.
    const ui = await startUiCore({ tunnelConnector: fakeNgrok('ngrok-demo-token', 'https://your-team.ngrok-free.app') });
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, colorScheme: 'light' });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      const rpc = (channel: string, body?: unknown) => fetch(new URL(`/api/rpc/${channel}`, ui.uiUrl), {
        method: 'POST', headers: { authorization: `Bearer ${ui.token}`, 'content-type': 'application/json' }, body: body === undefined ? '' : JSON.stringify(body),
      }).then((r) => r.json());
      await rpc('settings:update', { ngrokAuthtoken: 'ngrok-demo-token' });
      await rpc('tunnel:start');
      const u = new URL(ui.uiUrl);
      u.searchParams.set('panel', 'setup');
      await page.goto(u.toString());
      const panel = page.getByTestId('panel-setup');
      await expect.poll(() => panel.getByTestId('step-public-url').getAttribute('data-state')).toBe('done');
      await panel.getByTestId('reveal-verify-token').click();
      await panel.getByTestId('verify-token-value').waitFor();
      await expect.poll(() => panel.getByTestId('step-verify-token').getAttribute('aria-current')).toBe('step');
      await panel.getByTestId('doctor-verdict').getByTestId('verdict-detail').waitFor();
      await page.screenshot({ path: resolve(OUT, 'screenshot-setup.png') });
      expect(errors).toEqual([]);
    } finally {
      await page.close();
      await ui.stop();
    }
  });
});
