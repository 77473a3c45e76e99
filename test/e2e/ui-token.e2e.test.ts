// The UI token under `serve`, in real Chromium: generated once and kept in the data dir (a bookmark
// survives a restart), one full page with the fix for a missing or refused token (never a half-rendered
// app), and rotation from Settings — this tab moves on, another tab with the old address is told.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { describeE2E, useE2E, type E2E } from '../helpers/e2e';
import { startServe } from '../helpers/serve';

let ui: E2E;

/** A page on `url`, waited for by the test itself: a token page is an answer too. */
function open(url: string): Promise<Page> {
  return ui.openPage({ viewport: { width: 1200, height: 800 }, url, ready: false });
}

describeE2E('UI token kept in the data dir', () => {
  ui = useE2E({ page: false });

  it('is written once to the data dir (owner-only) and the same address works after a restart', async () => {
    const file = join(ui.dataDir, 'ui-token');
    expect(readFileSync(file, 'utf8').trim()).toBe(ui.token);
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
    const bookmark = ui.url.replace(/:\d+\//, ':PORT/');
    expect(await ui.restart()).toBe(0);
    expect(ui.token).toBe(readFileSync(file, 'utf8').trim());
    expect(ui.url.replace(/:\d+\//, ':PORT/')).toBe(bookmark);
    const page = await open(ui.url);
    await page.getByTestId('top-bar').waitFor();
    expect(await page.getByTestId('token-page').count()).toBe(0);
    await page.close();
  });

  it('a stale token gets one full page with the fix — no app behind it', async () => {
    const page = await open(`${ui.uiBase}/?token=not-the-token-123456`);
    await page.getByTestId('token-page').waitFor();
    expect(await page.getByTestId('token-page').getAttribute('data-problem')).toBe('stale');
    expect(await page.getByTestId('token-title').textContent()).toMatch(/no longer valid/);
    expect(await page.locator('body').textContent()).toContain('ui-token');
    // None of the half-rendered app: no top bar, no "Live", no empty-feed guide, no red banners.
    for (const id of ['top-bar', 'live-toggle', 'setup-guide', 'startup-error']) expect(await page.getByTestId(id).count(), id).toBe(0);

    // The fix works from the page itself: paste the printed address.
    await page.getByTestId('token-input').fill(ui.url);
    await page.getByTestId('token-open').click();
    await page.getByTestId('top-bar').waitFor();
    expect(new URL(page.url()).searchParams.get('token')).toBe(ui.token);
    await page.close();
  });

  it('no token at all: the same page, saying what is missing', async () => {
    const page = await open(`${ui.uiBase}/`);
    await page.getByTestId('token-page').waitFor();
    expect(await page.getByTestId('token-page').getAttribute('data-problem')).toBe('missing');
    expect(await page.getByTestId('top-bar').count()).toBe(0);
    await page.close();
  });

  it('rotating from Settings moves this tab to the new address; the old token is refused; an old tab is told', async () => {
    const old = ui.token;
    const other = await open(ui.url);
    await other.getByTestId('top-bar').waitFor();
    const page = await open(`${ui.url}&panel=settings`);
    await page.getByTestId('settings-ui-token').waitFor();
    page.on('dialog', (d) => void d.accept());
    await page.getByTestId('rotate-ui-token').click();
    await expect.poll(() => new URL(page.url()).searchParams.get('token')).not.toBe(old);
    const fresh = new URL(page.url()).searchParams.get('token')!;
    await page.getByTestId('top-bar').waitFor();
    expect(readFileSync(join(ui.dataDir, 'ui-token'), 'utf8').trim()).toBe(fresh);

    const refused = await fetch(`${ui.uiBase}/api/events`, { headers: { authorization: `Bearer ${old}` } });
    expect(refused.status).toBe(401);
    const ok = await fetch(`${ui.uiBase}/api/events`, { headers: { authorization: `Bearer ${fresh}` } });
    expect(ok.status).toBe(200);

    // The other tab's live stream was closed with the old token: it shows the token page, not a broken app.
    await other.getByTestId('token-page').waitFor({ timeout: 20_000 });
    expect(await other.getByTestId('token-page').getAttribute('data-problem')).toBe('stale');
    expect(await other.getByTestId('top-bar').count()).toBe(0);
    await page.close();
    await other.close();
    // Two pages and a live-stream reconnect: slow on a loaded machine, whatever the code does.
  }, 60_000);

  it('a token given with --ui-token is used as is, not stored, and not rotatable', async () => {
    const s2 = await startServe(['--ui-token', 'given-by-flag-0123456789']);
    try {
      expect(s2.token).toBe('given-by-flag-0123456789');
      expect(() => readFileSync(join(s2.dataDir, 'ui-token'), 'utf8')).toThrow();
      const r = await fetch(`${s2.uiBase}/api/ui-token/rotate`, { method: 'POST', headers: { authorization: `Bearer ${s2.token}` } });
      expect(r.status).toBe(400);
    } finally {
      await s2.stop();
    }
  });

  it('had no page errors', () => {
    expect(ui.pageErrors).toEqual([]);
  });
});
