// The UI in real Chromium against the real `serve`: signed webhooks posted with fetch show up in the
// feed without a reload; status filters and search (kept in the URL); inspector tabs; a hostile
// payload stays text; no page errors.
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { fixture, REAL_CAPTURE } from '../helpers/fixtures';
import { startServe, type ServeProcess } from '../helpers/serve';
import { launchChromium } from '../helpers/browser';

const SECRET = REAL_CAPTURE.secret;
const sign = (body: Buffer | string) => `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;

let serve: ServeProcess;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

async function postMeta(body: Buffer | string, signature: string | null = sign(body)): Promise<number> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (signature) headers['x-hub-signature-256'] = signature;
  const res = await fetch(`${serve.receiverUrl}/meta`, { method: 'POST', headers, body });
  await res.arrayBuffer();
  return res.status;
}

const rows = () => page.getByTestId('event-row');
const rowStatuses = () => page.getByTestId('row-status').allTextContents();
async function rowCount(n: number) {
  await expect.poll(() => rows().count(), { timeout: 10_000 }).toBe(n);
}

describe('feed in Chromium against serve', () => {
  beforeAll(async () => {
    serve = await startServe([], { META_APP_SECRET: SECRET, META_VERIFY_TOKEN: 'e2e-verify' });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await page.goto(serve.uiUrl);
  });

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
  });

  it('teaches setup while empty: callback URL for the local receiver, verify token set', async () => {
    await page.getByTestId('setup-guide').waitFor();
    await expect.poll(() => page.getByTestId('meta-callback-url').textContent()).toBe(`${serve.receiverUrl}/meta`);
    expect(await page.getByTestId('twilio-callback-url').textContent()).toBe(`${serve.receiverUrl}/twilio`);
    expect(await page.getByTestId('setup-meta').textContent()).toContain('Verify token: the one you configured');
    expect(await page.getByTestId('receiver-url').textContent()).toBe(serve.receiverUrl);
  });

  it('shows signed webhooks live, newest first, without a reload', async () => {
    const marker = await page.evaluate<number>('window.__marker = Math.random()');
    expect(await postMeta(fixture(REAL_CAPTURE.file), REAL_CAPTURE.signature)).toBe(200);
    await rowCount(1);
    expect(await rows().first().textContent()).toContain('Hey there! I am using PyWa.');
    expect(await rows().first().textContent()).toContain('PyWa Tests');

    expect(await postMeta(fixture('meta-cloud__message-text__pywa-text.json'))).toBe(200);
    expect(await postMeta(fixture('meta-cloud__status-delivered__pywa-delivered.json'))).toBe(200);
    expect(await postMeta(fixture('meta-cloud__status-failed__pywa-130472.json'))).toBe(200);
    await rowCount(4);
    expect(await rowStatuses()).toEqual(['failed', 'delivered', 'incoming', 'incoming']);
    const ids = (await rows().evaluateAll((els) => els.map((e) => (e as unknown as { dataset: { eventId: string } }).dataset.eventId))).map(Number);
    expect([...ids].sort((a, b) => b - a)).toEqual(ids);
    // Same document: no navigation happened.
    expect(await page.evaluate<number>('window.__marker')).toBe(marker);
    // Live counts on the status buttons.
    await expect.poll(() => page.getByTestId('status-toggle-failed').textContent(), { timeout: 5000 }).toBe('Failed1');
    await expect.poll(() => page.getByTestId('status-toggle-incoming').textContent(), { timeout: 5000 }).toBe('Incoming2');
  });

  it('flags an invalid signature in the row and explains it in the Signature tab', async () => {
    const body = fixture('meta-cloud__message-text__pywa-text.json');
    expect(await postMeta(body, `sha256=${'0'.repeat(64)}`)).toBe(401);
    await rowCount(5);
    const row = rows().first();
    await row.getByTestId('signature-warning').waitFor();
    await row.click();
    await page.getByTestId('tab-signature').click();
    expect(await page.getByTestId('tab-signature').getAttribute('aria-selected')).toBe('true');
    const panel = page.getByTestId('panel-signature');
    await expect.poll(() => panel.textContent()).toContain('signature invalid');
    await page.getByTestId('signature-diagnosis').waitFor();
    expect((await page.getByTestId('signature-diagnosis').textContent())!.length).toBeGreaterThan(10);
  });

  it('status filters refetch, keep the token in the URL, survive a reload, and apply to live pushes', async () => {
    await page.keyboard.press('Escape');
    await page.getByTestId('status-toggle-failed').click();
    await rowCount(1);
    expect(await rowStatuses()).toEqual(['failed']);
    const url = new URL(page.url());
    expect(url.searchParams.get('status')).toBe('failed');
    expect(url.searchParams.get('token')).toBe(serve.token);

    // A live push that does not match stays out; one that matches comes in.
    expect(await postMeta(fixture('meta-cloud__status-delivered__pywa-delivered.json'))).toBe(200);
    expect(await postMeta(fixture('meta-cloud__status-failed__pywa-130472.json'))).toBe(200);
    await rowCount(2);
    expect(await rowStatuses()).toEqual(['failed', 'failed']);

    await page.reload();
    await rowCount(2);
    expect(await page.getByTestId('status-toggle-failed').getAttribute('aria-pressed')).toBe('true');

    // Statuses add up: Read and Failed shows either.
    await page.getByTestId('status-toggle-read').click();
    await expect.poll(() => new URL(page.url()).searchParams.get('status')).toBe('read,failed'); // canonical order
    await rowCount(2);
    await page.getByTestId('status-toggle-failed').click();
    await page.getByTestId('empty-filtered').waitFor();
    await page.getByTestId('status-toggle-read').click();
    await rowCount(7);
    expect(new URL(page.url()).searchParams.has('status')).toBe(false);
  });

  it('search box: `/` focuses it, typing filters (debounced), Esc clears', async () => {
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('/');
    expect(await page.evaluate<string | null>("document.activeElement && document.activeElement.getAttribute('data-testid')")).toBe('search');
    await page.keyboard.type('PyWa');
    await rowCount(1);
    expect(new URL(page.url()).searchParams.get('q')).toBe('PyWa');
    await page.keyboard.press('Escape');
    await rowCount(7);
    expect(new URL(page.url()).searchParams.has('q')).toBe(false);
  });

  it('renders a hostile payload as text, in the feed and in every tab', async () => {
    const hostile = '<img src=x onerror=window.__xss=1><script>window.__xss=2</script><b>bold</b>';
    const body = fixture('meta-cloud__message-text__pywa-text.json').toString('utf8').replace('Body Text', hostile);
    expect(await postMeta(body)).toBe(200);
    await rowCount(8);
    const row = rows().first();
    expect(await row.textContent()).toContain(hostile);
    await row.click();
    await page.getByTestId('tab-summary').click();
    await expect.poll(() => page.locator('.inspector-body').textContent()).toContain(hostile);
    await page.getByTestId('tab-payload').click();
    await page.getByTestId('json-tree').waitFor();
    expect(await page.getByTestId('json-tree').textContent()).toContain(JSON.stringify(hostile));
    await page.getByTestId('tab-raw').click();
    expect(await page.getByTestId('raw-body').textContent()).toBe(body);
    await page.getByTestId('tab-conversation').click();
    await page.getByTestId('conversation').waitFor();
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('.inspector b, .feed b').count()).toBe(0);
    expect(await page.evaluate<unknown>('window.__xss')).toBeUndefined();
  });

  it('inspector: error explained, lifecycle timeline, conversation with the 24-hour window, keyboard', async () => {
    await page.getByTestId('status-toggle-failed').click();
    await rowCount(2);
    await page.keyboard.press('Escape');
    await page.keyboard.press('j');
    await page.getByTestId('tab-summary').click();
    await page.getByTestId('error-box').waitFor();
    const box = await page.getByTestId('error-box').textContent();
    expect(box).toContain('130472');
    expect(box).toContain('What to do');

    await page.getByTestId('tab-lifecycle').click();
    await page.getByTestId('lifecycle').waitFor();
    expect(await page.getByTestId('lifecycle-step').count()).toBeGreaterThan(1);

    await page.getByTestId('tab-conversation').click();
    await page.getByTestId('service-window').waitFor();
    expect(await page.getByTestId('service-window').textContent()).toMatch(/Customer-service window (open|closed)/);

    // j moves down, k back up.
    const first = await rows().nth(0).getAttribute('data-event-id');
    const second = await rows().nth(1).getAttribute('data-event-id');
    expect(await page.locator('[data-testid="event-row"][aria-selected="true"]').getAttribute('data-event-id')).toBe(first);
    await page.keyboard.press('j');
    expect(await page.locator('[data-testid="event-row"][aria-selected="true"]').getAttribute('data-event-id')).toBe(second);
    await page.keyboard.press('k');
    expect(await page.locator('[data-testid="event-row"][aria-selected="true"]').getAttribute('data-event-id')).toBe(first);
    // Focus is in the inspector (its tab): the first Esc brings it back to the row, the second closes the event.
    await page.keyboard.press('Escape');
    expect(await page.evaluate<string | null>("document.activeElement && document.activeElement.getAttribute('data-event-id')")).toBe(first);
    await page.keyboard.press('Escape');
    expect(await page.locator('[data-testid="event-row"][aria-selected="true"]').count()).toBe(0);
    await page.getByTestId('status-toggle-failed').click();
    await rowCount(8);
  });

  it('had no page errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
