// Makes the README's screenshots (light and dark) from a real run: serve, signed fixtures, Chromium.
// It asserts what the pictures must show, so a broken UI fails here rather than in the README.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, it } from 'vitest';
import { describeE2E, startE2E, useE2E, type E2E } from '../helpers/e2e';
import { fixture, SIGNED } from '../helpers/fixtures';
import { signMetaBody } from '../helpers/core';
import { fakeNgrok } from '../helpers/ui-core';

// `UPDATE_SCREENSHOTS=1 npm test` refreshes the README's pictures; other runs write to test-results/.
const OUT = resolve(__dirname, process.env.UPDATE_SCREENSHOTS ? '../../docs' : '../../test-results');
let ui: E2E;

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

describeE2E('README screenshots', () => {
  ui = useE2E({
    env: { META_APP_SECRET: SIGNED.secret },
    page: false,
    seed: async () => {
      for (const f of FIXTURES) {
        const body = fixture(f);
        await fetch(`${ui.receiverUrl}/meta`, { method: 'POST', body, headers: { 'x-hub-signature-256': signMetaBody(body, SIGNED.secret) } });
      }
      await fetch(`${ui.receiverUrl}/meta`, { method: 'POST', body: fixture(SIGNED.file), headers: { 'x-hub-signature-256': SIGNED.signature } });
      await fetch(`${ui.receiverUrl}/meta`, { method: 'POST', body: fixture('meta/message-text-reply.json'), headers: { 'x-hub-signature-256': 'sha256=00' } });
      mkdirSync(OUT, { recursive: true });
    },
  });

  for (const scheme of ['light', 'dark'] as const) {
    it(`renders the feed and inspector in ${scheme} mode`, async () => {
      const errors: string[] = [];
      const page = await ui.openPage({ viewport: { width: 1400, height: 800 }, colorScheme: scheme, errors });
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
    const errors: string[] = [];
    const page = await ui.openPage({ viewport: { width: 1400, height: 800 }, colorScheme: 'light', errors, query: { view: 'messages' }, ready: 'message-row' });
    // An outgoing message shows its steps inline, the failed one with its error code.
    await expect.poll(() => page.getByTestId('message-row').filter({ hasText: '131047' }).count()).toBeGreaterThan(0);
    expect(await page.getByTestId('view-messages').getAttribute('aria-pressed')).toBe('true');
    await page.screenshot({ path: resolve(OUT, 'screenshot-messages.png') });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('renders the first screen: simulate up front, the stepper across the window, no filter bar', async () => {
    // In process, with a fake ngrok, in this suite's browser.
    const first = await startE2E({
      core: { tunnelConnector: fakeNgrok('ngrok-demo-token', 'https://your-team.ngrok-free.app') }, browser: ui.browser,
      page: { viewport: { width: 1440, height: 900 }, colorScheme: 'light', ready: false },
    });
    const { page } = first;
    try {
      const guide = page.getByTestId('setup-guide');
      await guide.getByTestId('setup-stepper').waitFor();
      await guide.getByTestId('setup-try').waitFor();
      expect(await page.getByTestId('filter-bar').count()).toBe(0);
      await expect.poll(() => guide.getByTestId('step-verify-token').getAttribute('data-state')).toBe('todo');
      await page.screenshot({ path: resolve(OUT, 'screenshot-first-run.png') });
      expect(first.pageErrors).toEqual([]);
    } finally {
      await first.close();
    }
  });

  it('renders the setup stepper half-way through a first run', async () => {
    // In process, with a fake ngrok: the tunnel goes online without the network.
    const setup = await startE2E({
      core: { tunnelConnector: fakeNgrok('ngrok-demo-token', 'https://your-team.ngrok-free.app') }, browser: ui.browser,
      seed: async (e) => {
        const rpc = (channel: string, body?: unknown) => e.api(`/api/rpc/${channel}`, { method: 'POST', body: body === undefined ? '' : JSON.stringify(body) });
        await rpc('settings:update', { ngrokAuthtoken: 'ngrok-demo-token' });
        await rpc('tunnel:start');
      },
      page: { viewport: { width: 1400, height: 1000 }, colorScheme: 'light', query: { panel: 'setup' }, ready: false },
    });
    const { page } = setup;
    try {
      const panel = page.getByTestId('panel-setup');
      await expect.poll(() => panel.getByTestId('step-public-url').getAttribute('data-state')).toBe('done');
      await panel.getByTestId('reveal-verify-token').click();
      await panel.getByTestId('verify-token-value').waitFor();
      await expect.poll(() => panel.getByTestId('step-verify-token').getAttribute('aria-current')).toBe('step');
      await panel.getByTestId('doctor-verdict').getByTestId('verdict-detail').waitFor();
      await page.screenshot({ path: resolve(OUT, 'screenshot-setup.png') });
      expect(setup.pageErrors).toEqual([]);
    } finally {
      await setup.close();
    }
  });
});
