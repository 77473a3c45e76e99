// The Messages view, keyboard-only triage and hostile payloads, in real Chromium against the real `serve`:
// one row per message with its life inline (updated live), the switch kept in the URL, the feed at full
// width until an event is opened, optional columns; a failed message found and explained with the keyboard
// alone; a 12 KB body of 6,000 nested arrays, a huge array and a long string opened without a page error;
// a failing tab shows its own error while the rest of the window works.
import { expect, it } from 'vitest';
import { describeE2E, useE2E, type E2E } from '../helpers/e2e';
import { incomingText, postMeta, statusUpdate } from '../helpers/meta-payloads';

const SECRET = 'e2e-messages-secret';
let ui: E2E;
const now = Math.floor(Date.now() / 1000);

const post = async (body: string) => expect(await postMeta(ui.receiverUrl, SECRET, body)).toBe(200);
const tid = (id: string) => ui.page.getByTestId(id);
const messageRows = () => tid('message-row');
const activeAttr = (name: string) => ui.page.evaluate<string | null>(`document.activeElement && document.activeElement.getAttribute(${JSON.stringify(name)})`);

describeE2E('Messages view and keyboard triage in Chromium against serve', () => {
  ui = useE2E({
    env: { META_APP_SECRET: SECRET, META_VERIFY_TOKEN: 'e2e-verify' },
    seed: async () => {
      await post(incomingText('wamid.IN1', '447900000001', 'Can I move my appointment?', 'Ana Souza', now - 50));
      await post(statusUpdate('wamid.OUT1', 'sent', now - 40));
      await post(statusUpdate('wamid.OUT1', 'delivered', now - 39));
      await post(statusUpdate('wamid.FAIL', 'sent', now - 30, '5511988887777'));
      await post(statusUpdate('wamid.FAIL', 'failed', now - 29, '5511988887777', { code: 131047, title: 'Re-engagement message', details: 'More than 24 hours have passed since the customer last replied.' }));
      await post(statusUpdate('wamid.OUT2', 'sent', now - 20));
    },
    page: { timeout: 8000, ready: 'event-row' },
  });

  it('shows one row per message with its life inline; the switch is kept in the URL', async () => {
    expect(await tid('event-row').count()).toBe(6);
    await tid('view-messages').click();
    await expect.poll(() => messageRows().count()).toBe(4);
    expect(new URL(ui.page.url()).searchParams.get('view')).toBe('messages');
    expect(new URL(ui.page.url()).searchParams.get('token')).toBe(ui.token);
    expect(await ui.page.evaluate<string[]>("[...document.querySelectorAll('[data-testid=message-row]')].map((e) => e.getAttribute('data-message-key'))")).toEqual(['wamid.OUT2', 'wamid.FAIL', 'wamid.OUT1', 'wamid.IN1']);
    const out1 = ui.page.locator('[data-message-key="wamid.OUT1"]');
    expect(await out1.getByTestId('message-step').allTextContents()).toEqual(['sent', 'delivered']);
    const fail = ui.page.locator('[data-message-key="wamid.FAIL"]');
    expect(await fail.getByTestId('message-step').allTextContents()).toEqual(['sent', 'failed 131047']);
    expect(await fail.textContent()).toContain('Re-engagement message');
    expect(await ui.page.locator('[data-message-key="wamid.IN1"]').textContent()).toContain('Can I move my appointment?');

    await ui.page.reload();
    await expect.poll(() => messageRows().count()).toBe(4);
    expect(await tid('view-messages').getAttribute('aria-pressed')).toBe('true');
  });

  it('updates a message in place when its next status arrives (no new row), and adds new messages on top', async () => {
    await post(statusUpdate('wamid.OUT1', 'read', now - 10));
    const out1 = ui.page.locator('[data-message-key="wamid.OUT1"]');
    await expect.poll(() => out1.getByTestId('message-step').allTextContents()).toEqual(['sent', 'delivered', 'read']);
    expect(await messageRows().count()).toBe(4);
    // Newest activity first: the read status moved it to the top.
    expect(await messageRows().first().getAttribute('data-message-key')).toBe('wamid.OUT1');
    await post(incomingText('wamid.IN2', '447900000002', 'Thanks!', 'Bruno Lima', now - 5));
    await expect.poll(() => messageRows().count()).toBe(5);
    expect(await messageRows().first().getAttribute('data-message-key')).toBe('wamid.IN2');
  });

  it('uses the full width until an event is opened; optional HTTP and signature columns', async () => {
    expect(await tid('inspector').count()).toBe(0);
    const feedWidth = (await tid('feed').boundingBox())!.width;
    expect(feedWidth).toBeGreaterThan(1300);
    await messageRows().nth(1).click();
    await tid('inspector').waitFor();
    expect((await tid('feed').boundingBox())!.width).toBeLessThan(feedWidth * 0.75);

    expect(await tid('cell-http').count()).toBe(0);
    await tid('column-http').check();
    await tid('column-signature').check();
    await expect.poll(() => tid('cell-http').first().textContent()).toBe('200');
    expect(await tid('cell-signature').first().textContent()).toBe('valid');
    await tid('view-events').click();
    await expect.poll(() => tid('event-row').first().getByTestId('cell-http').textContent()).toBe('200');
    // The choice of columns survives a reload.
    await ui.page.reload();
    await tid('event-row').first().waitFor();
    expect(await tid('cell-http').count()).toBeGreaterThan(0);
    await tid('column-http').uncheck();
    await tid('column-signature').uncheck();
    expect(await tid('cell-http').count()).toBe(0);
  });

  it('triages a failed message with the keyboard alone: skip link, arrows, Enter into the inspector, Esc back', async () => {
    await ui.page.goto(`${ui.url}&view=messages`);
    await expect.poll(() => messageRows().count()).toBe(5);
    // The skip link is the first tab stop and lands on the grid's one tab stop.
    await ui.page.keyboard.press('Tab');
    expect(await activeAttr('data-testid')).toBe('skip-link');
    await ui.page.keyboard.press('Enter');
    expect(await activeAttr('role')).toBe('row');
    expect(await activeAttr('data-message-key')).toBe('wamid.IN2');
    // Exactly one row is tabbable.
    expect(await ui.page.locator('[role="row"][tabindex="0"]').count()).toBe(1);
    // Down to the failed message: arrows move focus without opening anything.
    for (let i = 0; i < 5 && (await activeAttr('data-message-key')) !== 'wamid.FAIL'; i++) await ui.page.keyboard.press('ArrowDown');
    expect(await activeAttr('data-message-key')).toBe('wamid.FAIL');
    expect(await tid('inspector').count()).toBe(0);
    // Enter opens it and puts focus in the inspector, on its failure.
    await ui.page.keyboard.press('Enter');
    await tid('inspector').waitFor();
    await expect.poll(() => activeAttr('data-testid')).toBe('tab-summary');
    await tid('error-box').waitFor();
    expect(await tid('error-box').textContent()).toContain('131047');
    // Arrow keys walk the tabs; the lifecycle shows both steps.
    for (let i = 0; i < 10 && (await activeAttr('data-testid')) !== 'tab-lifecycle'; i++) await ui.page.keyboard.press('ArrowRight');
    expect(await tid('tab-lifecycle').getAttribute('aria-selected')).toBe('true');
    await tid('lifecycle').waitFor();
    expect(await tid('lifecycle-step').count()).toBe(2);
    // Esc returns to the row; Esc again closes the event.
    await ui.page.keyboard.press('Escape');
    expect(await activeAttr('data-message-key')).toBe('wamid.FAIL');
    await ui.page.keyboard.press('Escape');
    await expect.poll(() => tid('inspector').count()).toBe(0);
    expect(await activeAttr('data-message-key')).toBe('wamid.FAIL');
  });

  it('keeps shortcuts out of text fields; arrows are not taken from the page', async () => {
    await ui.page.keyboard.press('/');
    expect(await activeAttr('data-testid')).toBe('search');
    await ui.page.keyboard.type('jk');
    expect(await tid('search').inputValue()).toBe('jk');
    expect(await tid('inspector').count()).toBe(0);
    await expect.poll(() => new URL(ui.page.url()).searchParams.get('q')).toBe('jk');
    await ui.page.keyboard.press('Escape');
    await expect.poll(() => new URL(ui.page.url()).searchParams.get('q')).toBeNull();
    // ArrowDown with focus on the page body scrolls, it does not open an event.
    await ui.page.locator('body').click({ position: { x: 2, y: 2 } });
    await ui.page.keyboard.press('ArrowDown');
    expect(await tid('inspector').count()).toBe(0);
  });

  it('opens a 12 KB body of 6,000 nested arrays, a huge array and a long string without a page error', async () => {
    const nested = '['.repeat(6000) + ']'.repeat(6000);
    expect(nested.length).toBe(12_000);
    await post(nested);
    await post(JSON.stringify({ object: 'whatsapp_business_account', entry: [], big: Array.from({ length: 120_000 }, (_, i) => i) }));
    await post(JSON.stringify({ object: 'whatsapp_business_account', entry: [], long: 'x'.repeat(400_000) }));
    await tid('view-events').click();
    await expect.poll(() => tid('event-row').count()).toBeGreaterThanOrEqual(10);
    // The three are on screen before a row is opened by its place (pushes reach the feed paced, and
    // not in the frames right after a click: docs/architecture.md, step 7).
    const newest = (await ui.api<{ value: { items: { id: number }[] } }>('/api/rpc/events:list', { method: 'POST', body: JSON.stringify({ limit: 1 }) })).body.value.items[0].id;
    await expect.poll(() => tid('event-row').first().getAttribute('data-event-id')).toBe(String(newest));

    const openPayload = async (index: number) => {
      await tid('event-row').nth(index).click();
      await tid('inspector').waitFor();
      await tid('tab-payload').click();
      await tid('json-tree').first().waitFor();
    };
    // The tree is virtualised: scroll its viewport to the end to see its last lines.
    const scrollTreeToEnd = () => ui.page.evaluate("(() => { const el = document.querySelector('[data-testid=json-tree] .json-viewport'); el.scrollTop = el.scrollHeight; })()");
    // Newest first: the long string, the huge array, then the nested arrays.
    await openPayload(2);
    const tree = tid('json-tree').first();
    await tree.getByRole('button', { name: 'Expand all' }).click();
    // Every level is open: the innermost array, 5,999 levels down, is reachable.
    await expect.poll(async () => { await scrollTreeToEnd(); return tree.locator('.json-depth').allTextContents(); }).toContain('5999›');
    for (const tab of ['summary', 'raw', 'signature', 'forwards', 'payload']) {
      await tid(`tab-${tab}`).click();
      await expect.poll(() => tid('panel-failed').count()).toBe(0);
    }
    await tid('json-tree').first().getByRole('button', { name: 'Copy JSON' }).click();

    await openPayload(1);
    await expect.poll(async () => { await scrollTreeToEnd(); return tid('json-tree').first().textContent(); }).toMatch(/Show 500 more of 119900/);

    await openPayload(0);
    expect(await tid('json-tree').first().textContent()).toContain('Show all 400,000 characters');
    await tid('tab-raw').click();
    await tid('raw-show-all').waitFor();
    expect((await tid('raw-body').textContent())!.length).toBeLessThan(70_000);

    expect(await tid('panel-failed').count()).toBe(0);
    expect(ui.pageErrors).toEqual([]);
  });

  it('a failing tab shows its own error; the feed and the other tabs keep working', async () => {
    // The core answers an event without its request: the Summary tab cannot render it.
    await ui.page.route('**/api/rpc/events:get', async (route) => {
      const res = await route.fetch();
      const env = await res.json() as { ok: boolean; value?: Record<string, unknown> };
      if (env.value) env.value.request = null;
      await route.fulfill({ response: res, json: env });
    });
    await tid('event-row').nth(3).click();
    await tid('tab-summary').click();
    await ui.page.locator('[data-testid="panel-failed"]', { hasText: 'The Summary tab failed to show' }).waitFor();
    // The inspector's head and tabs are still there: only the broken parts say so.
    expect(await tid('tab-lifecycle').count()).toBe(1);
    expect(await tid('top-bar').count()).toBe(1);
    expect(await tid('event-row').count()).toBeGreaterThanOrEqual(10);
    await ui.page.unroute('**/api/rpc/events:get');
    await tid('event-row').nth(4).click();
    await tid('tab-summary').click();
    await expect.poll(() => tid('panel-failed').count()).toBe(0);
  });
});
