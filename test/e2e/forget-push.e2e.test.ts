// Forgetting a contact reaches every open window, in real Chromium against the real `serve`: one page
// forgets a contact from its inspector; a second page — one showing the Events feed with that contact's
// conversation open, another showing the Messages view — drops the contact's rows and conversation
// without a page reload (`contacts:forgotten`, docs/api.md "Forget a contact"), and other contacts stay.
import { expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { describeE2E, useE2E, type E2E } from '../helpers/e2e';
import { incomingText, postMeta, statusUpdate } from '../helpers/meta-payloads';

const SECRET = 'e2e-forget-push-secret';
const FORGET = '5511911112222';
const KEEP = '447900000099';
let ui: E2E;
const now = Math.floor(Date.now() / 1000);

const post = async (body: string) => expect(await postMeta(ui.receiverUrl, SECRET, body)).toBe(200);

async function openPage(view: 'events' | 'messages'): Promise<Page> {
  // Each in a context of its own: separate tabs with their own storage and their own live stream.
  const page = await ui.openPage({ query: view === 'messages' ? { view } : {}, timeout: 8000, ready: view === 'messages' ? 'message-row' : 'event-row' });
  // Marks this document: still there afterwards means no reload happened.
  await page.evaluate('window.__notReloaded = true');
  return page;
}

const textOf = (page: Page) => page.locator('body').innerText();
const notReloaded = (page: Page) => page.evaluate<boolean>('window.__notReloaded === true');

describeE2E('forgetting a contact is pushed to every open window', () => {
  ui = useE2E({
    env: { META_APP_SECRET: SECRET },
    page: false,
    seed: async () => {
      await post(incomingText('wamid.F1', FORGET, 'Please call me about the flat', 'Fernanda Quist', now - 50));
      await post(incomingText('wamid.F2', FORGET, 'Any news on the flat?', 'Fernanda Quist', now - 40));
      await post(statusUpdate('wamid.FOUT', 'delivered', now - 35, FORGET));
      await post(incomingText('wamid.K1', KEEP, 'Keep me in the list', 'Kai Olsen', now - 30));
    },
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
    expect(ui.pageErrors).toEqual([]);
  });
});
