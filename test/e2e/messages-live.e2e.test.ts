// The Messages view never misses a status that lands in the window between its page load and the live
// stream, in real Chromium against the real `serve`. Each window is provoked on purpose (no sleeps):
//  - a status posted while the live stream is held back, before it has connected;
//  - a status whose push arrives while the page the Messages view asked for after (re)connecting is
//    still on its way, and that page was read from the store before the status existed;
//  - statuses of one message arriving in any order.
// In each, the message's row updates in place (one row per message, its steps in provider order), and
// the test waits on what the page shows, never on a delay: the receiver's 200 does not promise that the
// event is already listed, only that it will be.
import { expect, it } from 'vitest';
import type { Page, Route } from 'playwright-core';
import { describeE2E, useE2E, type E2E } from '../helpers/e2e';
import { incomingText, postMeta, statusUpdate } from '../helpers/meta-payloads';

const SECRET = 'e2e-messages-live-secret';
let ui: E2E;
const now = Math.floor(Date.now() / 1000);

const post = async (body: string) => expect(await postMeta(ui.receiverUrl, SECRET, body)).toBe(200);
const isLive = (url: URL) => url.pathname === '/api/live';
const isMessagesList = (url: URL) => url.pathname === '/api/rpc/messages:list';

/** Data keys of the Messages rows, top to bottom. */
const rowKeys = (page: Page) => page.evaluate<string[]>("[...document.querySelectorAll('[data-testid=message-row]')].map((e) => e.getAttribute('data-message-key'))");
const steps = (page: Page, key: string) => page.locator(`[data-message-key="${key}"]`).getByTestId('message-step').allTextContents();
/** How many events of a message the core lists: a 200 promises them, shortly after. */
const listed = async (messageId: string) => {
  const r = await ui.api<{ events?: unknown[] }>(`/api/messages/${encodeURIComponent(messageId)}`);
  return r.status === 200 ? r.body.events?.length ?? 0 : 0;
};
/** The Read chip counts every read status the page has heard of (pages and pushes alike). */
const readChip = async (page: Page) => Number(await page.getByTestId('status-toggle-read').getByTestId('status-count').textContent());

describeE2E('Messages view: no status lost between the page load and the live stream', () => {
  ui = useE2E({ env: { META_APP_SECRET: SECRET }, page: false });

  /** The Messages view in a page of its own, opened once `hold` has set the page's routes; its page errors. */
  const openMessages = async (hold: (page: Page) => Promise<unknown>) => {
    const errors: string[] = [];
    const page = await ui.openPage({ query: { view: 'messages' }, timeout: 8000, errors, beforeGoto: hold, ready: false });
    return { page, errors };
  };

  it('a status posted before the live stream connects reaches its row once it does', async () => {
    await post(statusUpdate('wamid.HELD', 'sent', now - 60));
    await post(statusUpdate('wamid.HELD', 'delivered', now - 59));
    await expect.poll(() => listed('wamid.HELD')).toBe(2);
    // Hold the live stream back: the page loads its first Messages page, but hears no pushes yet.
    let streamAsked = false;
    let releaseStream!: () => void;
    const streamGate = new Promise<void>((r) => { releaseStream = r; });
    const { page, errors } = await openMessages((p) => p.route(isLive, async (route: Route) => {
      streamAsked = true;
      await streamGate;
      await route.continue();
    }));
    await expect.poll(() => steps(page, 'wamid.HELD')).toEqual(['sent', 'delivered']);
    expect(await rowKeys(page)).toEqual(['wamid.HELD']);
    await expect.poll(() => streamAsked).toBe(true);

    // In the window: the page is loaded, the stream is not connected.
    await post(statusUpdate('wamid.HELD', 'read', now - 58));
    await post(incomingText('wamid.HELD-IN', '447900000010', 'Is the shop open?', 'Carla Dias', now - 57));
    expect(await steps(page, 'wamid.HELD')).toEqual(['sent', 'delivered']);

    releaseStream();
    await expect.poll(() => steps(page, 'wamid.HELD')).toEqual(['sent', 'delivered', 'read']);
    await expect.poll(() => rowKeys(page)).toEqual(['wamid.HELD-IN', 'wamid.HELD']);
    expect(await page.locator('[data-message-key="wamid.HELD"]').getAttribute('data-current')).toBe('read');

    // Live from now on: the next status is pushed into the same row.
    await post(statusUpdate('wamid.HELD-2', 'sent', now - 56));
    await expect.poll(() => rowKeys(page)).toEqual(['wamid.HELD-2', 'wamid.HELD-IN', 'wamid.HELD']);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a status pushed while the page asked for after connecting is on its way is folded into its row', async () => {
    await post(statusUpdate('wamid.RACE', 'sent', now - 50));
    await post(statusUpdate('wamid.RACE', 'delivered', now - 49));
    await expect.poll(() => listed('wamid.RACE')).toBe(2);
    const before = (await ui.api<{ byStatus: Record<string, number> }>('/api/stats')).body.byStatus.read ?? 0;
    // The Messages page asked for after the stream opens (the resync) is read from the store now,
    // before the read status exists; it is handed to the page only once the status's push has landed.
    let lists = 0;
    let raced = false;
    const { page, errors } = await openMessages((p) => p.route(isMessagesList, async (route: Route) => {
      const args = (route.request().postDataJSON() ?? {}) as { keys?: unknown };
      if (args.keys || ++lists !== 2) return route.continue();
      const res = await route.fetch();
      const stale = await res.json();
      await post(statusUpdate('wamid.RACE', 'read', now - 48));
      // The push has reached the page: its Read chip counts the new status.
      await expect.poll(() => readChip(p)).toBe(before + 1);
      raced = true;
      await route.fulfill({ response: res, json: stale });
    }));
    await expect.poll(() => raced).toBe(true);
    await expect.poll(() => steps(page, 'wamid.RACE')).toEqual(['sent', 'delivered', 'read']);
    // In place: still one row for the message, on top (newest activity).
    const keys = await rowKeys(page);
    expect(keys.filter((k) => k === 'wamid.RACE')).toHaveLength(1);
    expect(keys[0]).toBe('wamid.RACE');
    expect(new Set(keys).size).toBe(keys.length);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a row follows statuses arriving in any order, across the connection window too', async () => {
    let releaseStream!: () => void;
    const streamGate = new Promise<void>((r) => { releaseStream = r; });
    let streamAsked = false;
    const { page, errors } = await openMessages((p) => p.route(isLive, async (route: Route) => {
      streamAsked = true;
      await streamGate;
      await route.continue();
    }));
    await page.getByTestId('message-row').first().waitFor();
    await expect.poll(() => streamAsked).toBe(true);
    // Read first, before the stream connects…
    await post(statusUpdate('wamid.ORDER', 'read', now - 40));
    releaseStream();
    await expect.poll(() => steps(page, 'wamid.ORDER')).toEqual(['read']);
    // …then, live, the earlier states arrive late: the row puts them in provider order and stays read.
    await post(statusUpdate('wamid.ORDER', 'sent', now - 42));
    await post(statusUpdate('wamid.ORDER', 'delivered', now - 41));
    await expect.poll(() => steps(page, 'wamid.ORDER')).toEqual(['sent', 'delivered', 'read']);
    const row = page.locator('[data-message-key="wamid.ORDER"]');
    expect(await row.getAttribute('data-current')).toBe('read');
    const keys = await rowKeys(page);
    expect(keys.filter((k) => k === 'wamid.ORDER')).toHaveLength(1);
    expect(new Set(keys).size).toBe(keys.length);
    expect(errors).toEqual([]);
    await page.close();
  });
});
