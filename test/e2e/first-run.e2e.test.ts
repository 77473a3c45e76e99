// First run to first webhook, and text that cannot fool or freeze the screen, in real Chromium against
// the real `serve`: the first screen (no filter bar, simulate up front, skip link to setup, axe at 1440
// and 800 px); setup stays through Meta's handshake and simulated events and ends with a signed webhook;
// a right-to-left override and zero-width characters shown as markers in the feed, the Messages view,
// the inspector and the conversation (escapes in the raw view); the Messages view's chips count
// messages; a 1 MB body whose text is one token opens while the page keeps answering; the status pill
// fits at 800 px.
import { AxeBuilder } from '@axe-core/playwright';
import { expect, it } from 'vitest';
import { describeE2E, useE2E, type E2E } from '../helpers/e2e';
import { incomingText, postMeta, statusUpdate } from '../helpers/meta-payloads';

const SECRET = 'e2e-first-run-secret';
const VERIFY = 'e2e-first-run-verify';
const SLOW = 240_000;
const now = Math.floor(Date.now() / 1000);
const SPOOF_NAME = '\u202Egnp.exe\u202C Bob';
const SPOOF_TEXT = 'see \u202Efdp.exe\u202C from pay\u200Bpal';

let ui: E2E;

const tid = (id: string) => ui.page.getByTestId(id);
const post = async (body: string) => expect(await postMeta(ui.receiverUrl, SECRET, body)).toBe(200);
const api = async <T>(path: string, init?: RequestInit): Promise<T> => {
  const r = await fetch(new URL(path, ui.url), { ...init, headers: { authorization: `Bearer ${ui.token}`, 'content-type': 'application/json' } });
  expect(r.status).toBe(200);
  return (await r.json()) as T;
};
const firstRealWebhookAt = async () => (await api<{ firstRealWebhookAt: number | null }>('/api/doctor')).firstRealWebhookAt;

/** Serious and critical axe findings on the page as it is now. */
async function axe(where: string): Promise<string[]> {
  const result = await new AxeBuilder({ page: ui.page }).options({ resultTypes: ['violations'] }).analyze();
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${where}: ${v.id} (${v.impact}) — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}

describeE2E('first run to first webhook, and hostile text, in Chromium against serve', () => {
  ui = useE2E({
    env: { META_APP_SECRET: SECRET, META_VERIFY_TOKEN: VERIFY },
    page: { viewport: { width: 1440, height: 900 }, timeout: 15_000, ready: (page) => page.getByTestId('setup-guide').getByTestId('setup-stepper').waitFor() },
  });

  it('the first screen: simulate up front, no filter bar, the skip link lands on setup; axe at 1440 and 800 px', async () => {
    expect(await tid('filter-bar').count()).toBe(0);
    expect(await tid('feed-toolbar').count()).toBe(0);
    const tryBox = tid('setup-try');
    expect(await tryBox.textContent()).toMatch(/No account yet\? See what it looks like/);
    expect(await tryBox.getByRole('button', { name: 'Simulate a Meta message' }).count()).toBe(1);
    // The stepper uses the width: its steps sit side by side at 1440 px.
    const [a, b] = await Promise.all([tid('step-ngrok-token').boundingBox(), tid('step-tunnel').boundingBox()]);
    expect(b!.y).toBe(a!.y);
    expect(b!.x).toBeGreaterThan(a!.x + a!.width - 1);

    await ui.page.keyboard.press('Tab');
    expect(await ui.page.evaluate('document.activeElement.dataset.testid')).toBe('skip-link');
    expect(await tid('skip-link').textContent()).toBe('Skip to setup');
    await ui.page.keyboard.press('Enter');
    expect(await ui.page.evaluate('document.activeElement.id')).toBe('setup-guide');

    const found = await axe('first screen at 1440 px');
    await ui.page.setViewportSize({ width: 800, height: 900 });
    await tid('status-pill').waitFor();
    found.push(...await axe('first screen at 800 px'));
    await ui.page.setViewportSize({ width: 1440, height: 900 });
    expect(found).toEqual([]);
  }, SLOW);

  it('Meta\'s handshake alone does not end setup: the feed shows with the setup strip above it', async () => {
    const r = await fetch(`${ui.receiverUrl}/meta?hub.mode=subscribe&hub.verify_token=${VERIFY}&hub.challenge=4242`);
    expect(await r.text()).toBe('4242');
    await tid('event-row').first().waitFor();
    await tid('setup-strip').waitFor();
    expect(await tid('setup-guide').count()).toBe(0);
    await tid('filter-bar').waitFor();
    expect(await firstRealWebhookAt()).toBeNull();
  });

  it('a simulated message does not end setup either; Continue setup opens the stepper', async () => {
    await tid('continue-setup').click();
    const panel = tid('panel-setup');
    await panel.getByTestId('step-first-webhook').getByRole('button', { name: 'Simulate a Meta message' }).click();
    await expect.poll(() => tid('event-row').count()).toBe(2);
    // Signed with the configured secret and stored like a real one, but it came from the simulator.
    expect((await api<{ items: { signature: string }[] }>('/api/events')).items.map((e) => e.signature)).toContain('valid');
    expect(await firstRealWebhookAt()).toBeNull();
    await expect.poll(() => panel.getByTestId('step-first-webhook').getAttribute('data-state')).toBe('todo');
    expect(await tid('setup-strip').count()).toBe(1);
    await tid('nav-setup').click();
    await expect.poll(() => tid('panel-setup').count()).toBe(0);
  });

  it('a signed webhook through the receiver ends setup; Setup stays reachable from the top bar', async () => {
    await post(incomingText('wamid.SPOOF', '447900000009', SPOOF_TEXT, SPOOF_NAME, now - 100));
    await expect.poll(() => tid('setup-strip').count(), { timeout: 30_000 }).toBe(0);
    expect(await firstRealWebhookAt()).toEqual(expect.any(Number));
    await tid('nav-setup').click();
    await expect.poll(() => tid('panel-setup').getByTestId('step-first-webhook').getAttribute('data-state')).toBe('done');
    await tid('nav-setup').click();
  }, 60_000);

  it('a right-to-left override and zero-width characters are markers in the feed, the Messages view, the inspector and the conversation', async () => {
    const row = ui.page.locator('[data-testid="event-row"]', { hasText: 'gnp.exe' });
    const rowText = (await row.textContent())!;
    expect(rowText).toContain('⟨RLO⟩gnp.exe⟨PDF⟩ Bob');
    expect(rowText).toContain('see ⟨RLO⟩fdp.exe⟨PDF⟩ from pay⟨ZWSP⟩pal');
    expect(rowText).not.toMatch(/[\u202A-\u202E\u200B]/);

    await row.click();
    const summary = tid('panel-summary');
    expect(await summary.getByTestId('summary-contact-name').textContent()).toBe('⟨RLO⟩gnp.exe⟨PDF⟩ Bob');
    expect(await summary.getByTestId('summary-text').textContent()).toBe('see ⟨RLO⟩fdp.exe⟨PDF⟩ from pay⟨ZWSP⟩pal');
    expect(await tid('inspector').locator('.inspector-title').textContent()).toContain('⟨RLO⟩gnp.exe⟨PDF⟩ Bob');

    await tid('tab-conversation').click();
    const bubble = tid('bubble-in').first();
    await bubble.waitFor();
    expect(await bubble.textContent()).toContain('see ⟨RLO⟩fdp.exe⟨PDF⟩ from pay⟨ZWSP⟩pal');

    // The raw view shows what came in, with the invisible characters as escapes.
    await tid('tab-raw').click();
    const raw = (await tid('raw-body').textContent())!;
    expect(raw).toContain('\\u202Egnp.exe\\u202C Bob');
    expect(raw).not.toMatch(/[\u202A-\u202E\u200B]/);

    await tid('view-messages').click();
    const mrow = ui.page.locator('[data-testid="message-row"][data-message-key="wamid.SPOOF"]');
    const mtext = (await mrow.textContent())!;
    expect(mtext).toContain('⟨RLO⟩gnp.exe⟨PDF⟩ Bob');
    expect(mtext).toContain('from pay⟨ZWSP⟩pal');
    expect(mtext).not.toMatch(/[\u202A-\u202E\u200B]/);
    await ui.page.keyboard.press('Escape');
  }, 60_000);

  it('the Messages view counts messages: with Failed on, the chip, the top bar and the rows agree', async () => {
    await post(statusUpdate('wamid.F1', 'sent', now - 90));
    const failed = statusUpdate('wamid.F1', 'failed', now - 89, '5511999990000', { code: 131047, title: 'Re-engagement message' });
    await post(failed);
    await post(failed); // the provider's retry: a duplicate event of the same message
    await post(statusUpdate('wamid.F2', 'failed', now - 80, '5511999990000', { code: 131026, title: 'Message undeliverable' }));
    await expect.poll(() => ui.page.locator('[data-testid="message-row"][data-current="failed"]').count()).toBe(2);
    await tid('status-toggle-failed').click();
    await expect.poll(() => tid('message-row').count()).toBe(2);
    await expect.poll(() => tid('status-toggle-failed').getByTestId('status-count').textContent()).toBe('2');
    await expect.poll(() => tid('counts').textContent()).toMatch(/^2 messages of \d+$/);
    // The whole chain is the cell's tooltip and what a screen reader hears.
    const life = ui.page.locator('[data-message-key="wamid.F1"]').getByTestId('message-lifecycle');
    expect(await life.getAttribute('title')).toBe('sent → failed 131047');
    expect(await life.getAttribute('aria-label')).toBe('sent → failed 131047');
    expect(await tid('messages-grid').getAttribute('aria-rowcount')).toBe('3');
    await tid('status-toggle-failed').click();
    await tid('view-events').click();
  }, 60_000);

  it('a 1 MB body whose text is one token: the row holds an excerpt once, the inspector opens, the page keeps answering', async () => {
    const token = 'A'.repeat(1_040_000);
    const body = incomingText('wamid.BIG', '447900000010', token, 'Big Token', now - 10);
    expect(Buffer.byteLength(body)).toBeLessThan(1024 * 1024);
    await post(body);
    const row = ui.page.locator('[data-testid="event-row"]', { hasText: 'Big Token' });
    await row.waitFor();
    // The row's whole DOM (its text once, cut): not the megabyte, not twice.
    expect(await ui.page.evaluate(`[...document.querySelectorAll('[data-testid="event-row"]')].find((r) => r.textContent.includes('Big Token')).outerHTML.length`)).toBeLessThan(4000);

    const started = Date.now();
    await row.click();
    // The inspector keeps the tab last used (an earlier test left it on Raw): the summary first.
    await tid('tab-summary').click();
    // While it opens, the page answers: typing in the search box lands.
    await tid('search').fill('still answering');
    await tid('panel-summary').getByTestId('summary-text').getByTestId('show-all').waitFor({ timeout: 60_000 });
    console.log(`1 MB single-token event: summary shown ${Date.now() - started} ms after the click`);
    expect(await tid('search').inputValue()).toBe('still answering');
    await tid('search').fill('');
    expect((await tid('panel-summary').getByTestId('summary-text').textContent())!.length).toBeLessThan(5000);

    await tid('tab-payload').click();
    await tid('json-tree').getByRole('button', { name: /Show all 1,040,000 characters/ }).waitFor({ timeout: 60_000 });
    await tid('tab-raw').click();
    await tid('raw-show-all').waitFor({ timeout: 60_000 });
    // Still answering after each view rendered.
    await tid('search').fill('x');
    expect(await tid('search').inputValue()).toBe('x');
    await tid('search').fill('');
    await ui.page.keyboard.press('Escape');
  }, 180_000);

  it('the status pill fits at 800 px: the tunnel state is never cut', async () => {
    await ui.page.setViewportSize({ width: 800, height: 900 });
    const pill = tid('status-pill');
    await pill.waitFor();
    const fit = await ui.page.evaluate(`(() => {
      const el = document.querySelector('[data-testid="status-pill-tunnel"]');
      return { scroll: el.scrollWidth, client: el.clientWidth };
    })()`) as { scroll: number; client: number };
    expect(fit.scroll).toBeLessThanOrEqual(fit.client);
    expect((await tid('status-pill-tunnel').textContent())).toBe('Tunnel off');
    const box = await pill.boundingBox();
    const tunnelBox = await tid('status-pill-tunnel').boundingBox();
    expect(tunnelBox!.x + tunnelBox!.width).toBeLessThanOrEqual(box!.x + box!.width);
    expect(box!.x + box!.width).toBeLessThanOrEqual(800);
    await ui.page.setViewportSize({ width: 1440, height: 900 });
  });

  it('had no page errors', () => {
    expect(ui.pageErrors).toEqual([]);
  });
});
