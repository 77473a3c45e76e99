// Forgetting a contact reaches every open window, in real Chromium against the real `serve`: one page
// forgets a contact from its inspector; a second page — one showing the Events feed with that contact's
// conversation open, another showing the Messages view — drops the contact's rows and conversation
// without a page reload (`contacts:forgotten`, docs/api.md "Forget a contact"), and other contacts stay.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startServe, type ServeProcess } from '../helpers/serve';
import { launchChromium } from '../helpers/browser';
import { incomingText, postMeta, statusUpdate } from '../helpers/meta-payloads';

const SECRET = 'e2e-forget-push-secret';
const FORGET = '5511911112222';
const KEEP = '447900000099';
let serve: ServeProcess;
let browser: Browser;
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];
const now = Math.floor(Date.now() / 1000);

const post = async (body: string) => expect(await postMeta(serve.receiverUrl, SECRET, body)).toBe(200);

async function openPage(view: 'events' | 'messages'): Promise<Page> {
  // Separate contexts: separate tabs with their own storage and their own live stream.
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(8000);
  page.on('pageerror', (err) => pageErrors.push(err.message));
  await page.goto(`${serve.uiUrl}${view === 'messages' ? '&view=messages' : ''}`);
  await page.getByTestId(view === 'messages' ? 'message-row' : 'event-row').first().waitFor();
  // Marks this document: still there afterwards means no reload happened.
  await page.evaluate('window.__notReloaded = true');
  return page;
}

const textOf = (page: Page) => page.locator('body').innerText();
const notReloaded = (page: Page) => page.evaluate<boolean>('window.__notReloaded === true');

describe('forgetting a contact is pushed to every open window', () => {
  beforeAll(async () => {
    serve = await startServe([], { META_APP_SECRET: SECRET });
    browser = await launchChromium();
    await post(incomingText('wamid.F1', FORGET, 'Please call me about the flat', 'Fernanda Quist', now - 50));
    await post(incomingText('wamid.F2', FORGET, 'Any news on the flat?', 'Fernanda Quist', now - 40));
    await post(statusUpdate('wamid.FOUT', 'delivered', now - 35, FORGET));
    await post(incomingText('wamid.K1', KEEP, 'Keep me in the list', 'Kai Olsen', now - 30));
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await serve?.stop();
  });

  it('the other windows drop the contact\'s rows and open conversation without a reload', async () => {
    const actor = await openPage('events');
    const watcher = await openPage('events');
    const messages = await openPage('messages');
    await expect.poll(() => watcher.getByTestId('event-row').count()).toBe(4);
    await expect.poll(() => messages.getByTestId('message-row').count()).toBe(4);

    // The watcher has the contact's conversation open.
    await watcher.locator('[data-testid="event-row"]', { hasText: 'Any news on the flat?' }).click();
    await watcher.getByTestId('tab-conversation').click();
    await watcher.getByTestId('conversation').waitFor();
    expect(await watcher.getByTestId('conversation').innerText()).toContain('Please call me about the flat');

    // The actor forgets the contact from its own inspector.
    await actor.locator('[data-testid="event-row"]', { hasText: 'Please call me about the flat' }).click();
    await actor.getByTestId('tab-summary').click();
    await actor.getByTestId('forget-contact-start').first().click();
    await actor.getByTestId('forget-contact-confirm-button').click();
    await expect.poll(() => actor.getByTestId('event-row').count()).toBe(1);

    // The others follow, without a reload: only the kept contact is left; the conversation closed.
    await expect.poll(() => watcher.getByTestId('event-row').count()).toBe(1);
    await expect.poll(() => watcher.getByTestId('conversation').count()).toBe(0);
    expect(await watcher.getByTestId('inspector').count()).toBe(0);
    await expect.poll(() => messages.getByTestId('message-row').count()).toBe(1);
    expect(await messages.getByTestId('message-row').first().getAttribute('data-message-key')).toBe('wamid.K1');
    for (const page of [watcher, messages]) {
      const text = await textOf(page);
      for (const leak of ['Fernanda', 'flat', FORGET]) expect(text, leak).not.toContain(leak);
      expect(text).toContain('Kai Olsen');
      expect(await notReloaded(page)).toBe(true);
    }
    // The counts moved too: the Incoming chip counts the one message left.
    await expect.poll(() => watcher.getByTestId('status-toggle-incoming').getByTestId('status-count').textContent()).toBe('1');
  });

  it('had no page errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
