// The Tools panel and the inspector's request tools in real Chromium against the real `serve`, which
// forwards to a handler run by this test: the forward result in the inspector, export downloads for
// the current filter, import, the simulator, Replay / Edit & replay / Copy as cURL, bulk replay.
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeE2E, useE2E, type E2E } from '../helpers/e2e';
import { fixture, SIGNED } from '../helpers/fixtures';

const SECRET = SIGNED.secret;
const sign = (body: Buffer | string) => `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;

let ui: E2E;
let handler: Server;
let handlerUrl: string;
const handled: string[] = [];

async function postMeta(body: Buffer | string): Promise<number> {
  const res = await fetch(`${ui.receiverUrl}/meta`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(body) }, body });
  await res.arrayBuffer();
  return res.status;
}

async function requestCount(): Promise<number> {
  const { body } = await ui.api<{ value: { total: number } }>('/api/rpc/events:list', { method: 'POST', body: JSON.stringify({ limit: 1 }) });
  return body.value.total;
}

const rows = () => ui.page.getByTestId('event-row');

describeE2E('tools in Chromium against serve with --forward-to', () => {
  beforeAll(async () => {
    handler = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => { body += c; });
      req.on('end', () => {
        handled.push(body);
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('handled ok by the test handler');
      });
    });
    await new Promise<void>((r) => handler.listen(0, '127.0.0.1', r));
    handlerUrl = `http://127.0.0.1:${(handler.address() as AddressInfo).port}/hook`;
  });

  afterAll(async () => {
    await new Promise<void>((r) => (handler ? handler.close(() => r()) : r()));
  });

  // Declared after the handler's hooks: serve starts once the handler listens and stops before it closes.
  ui = useE2E(() => ({
    args: ['--forward-to', handlerUrl],
    env: { META_APP_SECRET: SECRET, META_VERIFY_TOKEN: 'tools-e2e' },
    page: { permissions: ['clipboard-read', 'clipboard-write'] },
  }));

  it('shows the forward result in the inspector: target, HTTP 200 from the handler, latency, response', async () => {
    expect(await postMeta(fixture('meta/message-text-reply.json'))).toBe(200);
    await expect.poll(() => rows().count(), { timeout: 10_000 }).toBe(1);
    await expect.poll(() => handled.length, { timeout: 10_000 }).toBe(1);
    await rows().first().click();
    await ui.page.getByTestId('tab-forwards').click();
    const item = ui.page.getByTestId('forward-item');
    await expect.poll(() => item.count(), { timeout: 10_000 }).toBe(1);
    expect(await item.getByTestId('forward-target').textContent()).toBe(handlerUrl);
    expect(await item.getByTestId('forward-status').textContent()).toBe('HTTP 200');
    expect(await item.getByTestId('forward-latency').textContent()).not.toBe('—');
    expect(await item.getByTestId('forward-response').textContent()).toContain('handled ok by the test handler');
  });

  it('Replay creates a new stored request; Edit & replay re-signs an edited body', async () => {
    const before = await requestCount();
    await ui.page.getByTestId('replay').click();
    await ui.page.getByTestId('replay-status').waitFor();
    expect(await ui.page.getByTestId('replay-status').textContent()).toBe('HTTP 200');
    expect(await ui.page.getByTestId('replay-resigned').textContent()).toContain('original signature kept');
    expect(await ui.page.getByTestId('replay-result').textContent()).toMatch(/stored as request #\d+/);
    await expect.poll(() => requestCount(), { timeout: 10_000 }).toBe(before + 1);
    await expect.poll(() => rows().count(), { timeout: 10_000 }).toBe(before + 1);

    await ui.page.getByTestId('edit-replay').click();
    const body = ui.page.getByTestId('replay-body');
    const original = await body.inputValue();
    expect(original).toContain('Yes, 10am works');
    await body.fill(original.replace('Yes, 10am works', 'Edited in the replay editor'));
    await ui.page.getByTestId('replay-send').click();
    await expect.poll(() => ui.page.getByTestId('replay-resigned').textContent(), { timeout: 10_000 }).toContain('re-signed');
    expect(await ui.page.getByTestId('replay-status').textContent()).toBe('HTTP 200');
    await expect.poll(() => rows().filter({ hasText: 'Edited in the replay editor' }).count(), { timeout: 10_000 }).toBe(1);
    // The re-signed request passed the signature check.
    expect(await rows().filter({ hasText: 'Edited in the replay editor' }).getByTestId('signature-warning').count()).toBe(0);
  });

  it('Copy as cURL puts a runnable command on the clipboard', async () => {
    await ui.page.getByTestId('copy-curl').click();
    await expect.poll(() => ui.page.getByTestId('copy-curl').textContent()).toBe('Copied');
    const clip = await ui.page.evaluate<string>('navigator.clipboard.readText()');
    expect(clip).toMatch(/^curl /);
    expect(clip).toContain('/meta');
  });

  it('the simulator creates events that appear in the feed', async () => {
    await ui.page.keyboard.press('Escape');
    await ui.page.getByTestId('nav-tools').click();
    await ui.page.getByTestId('tools-panel').waitFor();
    await ui.page.getByTestId('sim-text').fill('Hello from the tools e2e');
    await ui.page.getByTestId('sim-send').click();
    await ui.page.getByTestId('sim-result').waitFor();
    expect(await ui.page.getByTestId('sim-result').textContent()).toContain('Sent 1 webhook');
    await expect.poll(() => rows().filter({ hasText: 'Hello from the tools e2e' }).count(), { timeout: 10_000 }).toBe(1);

    // A status sequence that fails with a chosen error code.
    await ui.page.getByTestId('sim-kind').selectOption('status');
    await ui.page.getByTestId('sim-sequence').selectOption('failed');
    await ui.page.getByTestId('sim-error-code').selectOption('131047');
    await ui.page.getByTestId('sim-send').click();
    await expect.poll(() => ui.page.getByTestId('sim-result').textContent(), { timeout: 10_000 }).toContain('Sent 2 webhooks');
    await expect.poll(() => ui.page.getByTestId('row-status').allTextContents(), { timeout: 10_000 }).toContain('failed');

    // Twilio cannot batch: the form says so before sending.
    await ui.page.getByTestId('sim-provider').selectOption('twilio');
    expect(await ui.page.getByTestId('sim-batch').isDisabled()).toBe(true);
  });

  it('exports the current filter as a download that contains the posted event', async () => {
    const href = await ui.page.getByTestId('export-ndjson').getAttribute('href');
    expect(href).toContain('/api/export?format=ndjson');
    expect(href).toContain(`token=${ui.token}`);
    const [download] = await Promise.all([ui.page.waitForEvent('download'), ui.page.getByTestId('export-ndjson').click()]);
    const text = readFileSync((await download.path())!, 'utf8');
    expect(text).toContain('Yes, 10am works');
    expect(text).toContain('Hello from the tools e2e');

    // With a filter: only what matches (search is kept in the URL and the link follows it).
    await ui.page.getByTestId('search').fill('tools e2e');
    await expect.poll(() => ui.page.getByTestId('export-ndjson').getAttribute('href'), { timeout: 5000 }).toContain('q=tools%20e2e');
    const [csv] = await Promise.all([ui.page.waitForEvent('download'), ui.page.getByTestId('export-csv').click()]);
    expect(csv.suggestedFilename()).toMatch(/\.csv$/);
    const csvText = readFileSync((await csv.path())!, 'utf8');
    expect(csvText).toContain('Hello from the tools e2e');
    expect(csvText).not.toContain('Edited in the replay editor');
  });

  it('replays all matching the filter after a confirmation', async () => {
    const before = await requestCount();
    await ui.page.getByTestId('replay-filtered').click();
    await ui.page.getByTestId('replay-filtered-confirm').waitFor();
    await ui.page.getByTestId('replay-filtered-yes').click();
    await expect.poll(() => ui.page.getByTestId('replay-filtered-result').textContent(), { timeout: 10_000 }).toContain('Replayed 1');
    await expect.poll(() => requestCount(), { timeout: 10_000 }).toBe(before + 1);
    await ui.page.getByTestId('search').fill('');
  });

  it('imports an NDJSON export back as new requests', async () => {
    const [download] = await Promise.all([ui.page.waitForEvent('download'), ui.page.getByTestId('export-ndjson-requests').click()]);
    const text = readFileSync((await download.path())!, 'utf8');
    const before = await requestCount();
    await ui.page.getByTestId('import-file').setInputFiles({ name: 'hookscope.ndjson', mimeType: 'application/x-ndjson', buffer: Buffer.from(text) });
    await ui.page.getByTestId('import-result').waitFor({ timeout: 10_000 });
    expect(await ui.page.getByTestId('import-result').textContent()).toMatch(/Imported [1-9]\d* request/);
    await expect.poll(() => requestCount(), { timeout: 10_000 }).toBeGreaterThan(before);
  });

  it('had no page errors', () => {
    expect(ui.pageErrors).toEqual([]);
  });
});
