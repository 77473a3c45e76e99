// The UI in real Chromium against the real `serve`: signed webhooks posted with fetch show up in the
// feed without a reload; status filters and search (kept in the URL); inspector tabs; a hostile
// payload stays text; no page errors.
import { createHmac } from 'node:crypto';
import { expect, it } from 'vitest';
import { describeE2E, useE2E, type E2E } from '../helpers/e2e';
import { fixture, SIGNED } from '../helpers/fixtures';

const SECRET = SIGNED.secret;
const sign = (body: Buffer | string) => `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;

let ui: E2E;

async function postMeta(body: Buffer | string, signature: string | null = sign(body)): Promise<number> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (signature) headers['x-hub-signature-256'] = signature;
  const res = await fetch(`${ui.receiverUrl}/meta`, { method: 'POST', headers, body });
  await res.arrayBuffer();
  return res.status;
}

const rows = () => ui.page.getByTestId('event-row');
const rowStatuses = () => ui.page.getByTestId('row-status').allTextContents();
async function rowCount(n: number) {
  await expect.poll(() => rows().count(), { timeout: 10_000 }).toBe(n);
}

describeE2E('feed in Chromium against serve', () => {
  ui = useE2E({ env: { META_APP_SECRET: SECRET, META_VERIFY_TOKEN: 'e2e-verify' } });

  it('teaches setup while empty: the stepper, the local receiver (not offered for copying), verify token set', async () => {
    const guide = ui.page.getByTestId('setup-guide');
    await guide.getByTestId('setup-stepper').waitFor();
    await expect.poll(() => guide.getByTestId('setup-meta-callback').textContent()).toBe(`${ui.receiverUrl}/meta`);
    expect(await guide.getByTestId('setup-twilio-callback').textContent()).toBe(`${ui.receiverUrl}/twilio`);
    expect(await guide.getByTestId('callback-local-note').count()).toBe(1);
    expect(await guide.getByRole('button', { name: /^Copy/ }).count()).toBe(0);
    // META_VERIFY_TOKEN is set: the step is ready, waiting for Meta's handshake.
    expect(await guide.getByTestId('step-verify-token').getByTestId('secret-status').textContent()).toBe('set');
    expect(await ui.page.getByTestId('receiver-url').textContent()).toBe(ui.receiverUrl);
  });

  it('shows signed webhooks live, newest first, without a reload', async () => {
    const marker = await ui.page.evaluate<number>('window.__marker = Math.random()');
    expect(await postMeta(fixture(SIGNED.file), SIGNED.signature)).toBe(200);
    await rowCount(1);
    expect(await rows().first().textContent()).toContain('Hi, is the clinic open on Saturday?');
    expect(await rows().first().textContent()).toContain('Ana Souza');

    expect(await postMeta(fixture('meta/message-bsuid-sender.json'))).toBe(200);
    expect(await postMeta(fixture('meta/status-delivered.json'))).toBe(200);
    expect(await postMeta(fixture('meta/status-failed.json'))).toBe(200);
    await rowCount(4);
    expect(await rowStatuses()).toEqual(['failed', 'delivered', 'incoming', 'incoming']);
    const ids = (await rows().evaluateAll((els) => els.map((e) => (e as unknown as { dataset: { eventId: string } }).dataset.eventId))).map(Number);
    expect([...ids].sort((a, b) => b - a)).toEqual(ids);
    // Same document: no navigation happened.
    expect(await ui.page.evaluate<number>('window.__marker')).toBe(marker);
    // Live counts on the status buttons.
    await expect.poll(() => ui.page.getByTestId('status-toggle-failed').textContent(), { timeout: 5000 }).toBe('Failed1');
    await expect.poll(() => ui.page.getByTestId('status-toggle-incoming').textContent(), { timeout: 5000 }).toBe('Incoming2');
  });

  it('keeps a badly signed webhook out of the feed: it is counted on the Rejected badge instead', async () => {
    const body = fixture('meta/message-text-reply.json');
    expect(await postMeta(body, `sha256=${'0'.repeat(64)}`)).toBe(401);
    await expect.poll(() => ui.page.getByTestId('rejected-count').textContent(), { timeout: 10_000 }).toBe('1');
    await rowCount(4);
  });

  it('status filters refetch, keep the token in the URL, survive a reload, and apply to live pushes', async () => {
    await ui.page.keyboard.press('Escape');
    await ui.page.getByTestId('status-toggle-failed').click();
    await rowCount(1);
    expect(await rowStatuses()).toEqual(['failed']);
    const url = new URL(ui.page.url());
    expect(url.searchParams.get('status')).toBe('failed');
    expect(url.searchParams.get('token')).toBe(ui.token);

    // A live push that does not match stays out; one that matches comes in.
    expect(await postMeta(fixture('meta/status-delivered.json'))).toBe(200);
    expect(await postMeta(fixture('meta/status-failed.json'))).toBe(200);
    await rowCount(2);
    expect(await rowStatuses()).toEqual(['failed', 'failed']);

    await ui.page.reload();
    await rowCount(2);
    expect(await ui.page.getByTestId('status-toggle-failed').getAttribute('aria-pressed')).toBe('true');

    // Delivered alone shows exactly the delivered updates (and not read or failed ones).
    await ui.page.getByTestId('status-toggle-failed').click();
    await ui.page.getByTestId('status-toggle-delivered').click();
    await expect.poll(() => new URL(ui.page.url()).searchParams.get('status')).toBe('delivered');
    await rowCount(2);
    expect(await rowStatuses()).toEqual(['delivered', 'delivered']);
    expect(await ui.page.getByTestId('status-toggle-delivered').getAttribute('aria-pressed')).toBe('true');
    await ui.page.getByTestId('status-toggle-delivered').click();
    await ui.page.getByTestId('status-toggle-failed').click();
    await rowCount(2);

    // Statuses add up: Read and Failed shows either.
    await ui.page.getByTestId('status-toggle-read').click();
    await expect.poll(() => new URL(ui.page.url()).searchParams.get('status')).toBe('read,failed'); // canonical order
    await rowCount(2);
    await ui.page.getByTestId('status-toggle-failed').click();
    await ui.page.getByTestId('empty-filtered').waitFor();
    await ui.page.getByTestId('status-toggle-read').click();
    await rowCount(6);
    expect(new URL(ui.page.url()).searchParams.has('status')).toBe(false);
  });

  it('search box: `/` focuses it, typing filters (debounced), Esc clears', async () => {
    await ui.page.locator('body').click({ position: { x: 5, y: 5 } });
    await ui.page.keyboard.press('/');
    expect(await ui.page.evaluate<string | null>("document.activeElement && document.activeElement.getAttribute('data-testid')")).toBe('search');
    await ui.page.keyboard.type('Saturday');
    await rowCount(1);
    expect(new URL(ui.page.url()).searchParams.get('q')).toBe('Saturday');
    await ui.page.keyboard.press('Escape');
    await rowCount(6);
    expect(new URL(ui.page.url()).searchParams.has('q')).toBe(false);
  });

  it('renders a hostile payload as text, in the feed and in every tab', async () => {
    const hostile = '<img src=x onerror=window.__xss=1><script>window.__xss=2</script><b>bold</b>';
    const body = fixture('meta/message-text-reply.json').toString('utf8').replace('Yes, 10am works', hostile);
    expect(await postMeta(body)).toBe(200);
    await rowCount(7);
    const row = rows().first();
    expect(await row.textContent()).toContain(hostile);
    await row.click();
    await ui.page.getByTestId('tab-summary').click();
    await expect.poll(() => ui.page.locator('.inspector-body').textContent()).toContain(hostile);
    await ui.page.getByTestId('tab-payload').click();
    await ui.page.getByTestId('json-tree').waitFor();
    expect(await ui.page.getByTestId('json-tree').textContent()).toContain(JSON.stringify(hostile));
    await ui.page.getByTestId('tab-raw').click();
    expect(await ui.page.getByTestId('raw-body').textContent()).toBe(body);
    await ui.page.getByTestId('tab-conversation').click();
    await ui.page.getByTestId('conversation').waitFor();
    expect(await ui.page.locator('img').count()).toBe(0);
    expect(await ui.page.locator('.inspector b, .feed b').count()).toBe(0);
    expect(await ui.page.evaluate<unknown>('window.__xss')).toBeUndefined();
  });

  it('inspector: error explained, lifecycle timeline, conversation with the 24-hour window, keyboard', async () => {
    await ui.page.getByTestId('status-toggle-failed').click();
    await rowCount(2);
    await ui.page.keyboard.press('Escape');
    await ui.page.keyboard.press('j');
    await ui.page.getByTestId('tab-summary').click();
    await ui.page.getByTestId('error-box').waitFor();
    const box = await ui.page.getByTestId('error-box').textContent();
    expect(box).toContain('131047');
    expect(box).toContain('What to do');

    await ui.page.getByTestId('tab-lifecycle').click();
    await ui.page.getByTestId('lifecycle').waitFor();
    expect(await ui.page.getByTestId('lifecycle-step').count()).toBeGreaterThan(1);

    await ui.page.getByTestId('tab-conversation').click();
    await ui.page.getByTestId('service-window').waitFor();
    expect(await ui.page.getByTestId('service-window').textContent()).toMatch(/Customer-service window (open|closed)/);

    // j moves down, k back up.
    const first = await rows().nth(0).getAttribute('data-event-id');
    const second = await rows().nth(1).getAttribute('data-event-id');
    expect(await ui.page.locator('[data-testid="event-row"][aria-selected="true"]').getAttribute('data-event-id')).toBe(first);
    await ui.page.keyboard.press('j');
    expect(await ui.page.locator('[data-testid="event-row"][aria-selected="true"]').getAttribute('data-event-id')).toBe(second);
    await ui.page.keyboard.press('k');
    expect(await ui.page.locator('[data-testid="event-row"][aria-selected="true"]').getAttribute('data-event-id')).toBe(first);
    // Focus is in the inspector (its tab): the first Esc brings it back to the row, the second closes the event.
    await ui.page.keyboard.press('Escape');
    expect(await ui.page.evaluate<string | null>("document.activeElement && document.activeElement.getAttribute('data-event-id')")).toBe(first);
    await ui.page.keyboard.press('Escape');
    expect(await ui.page.locator('[data-testid="event-row"][aria-selected="true"]').count()).toBe(0);
    await ui.page.getByTestId('status-toggle-failed').click();
    await rowCount(7);
  });

  it('had no page errors', () => {
    expect(ui.pageErrors).toEqual([]);
  });
});
