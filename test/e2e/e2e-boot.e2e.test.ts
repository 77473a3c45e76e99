// The e2e boot itself (test/helpers/e2e.ts), against the real `serve`: every suite's "had no page
// errors" rests on it hearing a page's errors, and the restart tests on it coming back on the same data.
import { expect, it } from 'vitest';
import type { EventPage } from '../../shared/types';
import { describeE2E, startE2E } from '../helpers/e2e';
import { incomingText, postMeta } from '../helpers/meta-payloads';

const SECRET = 'e2e-boot-secret';

describeE2E('the e2e boot', () => {
  it('opens a ready page with the token, hears its errors, restarts on the same data and closes everything', async () => {
    const ui = await startE2E({
      env: { META_APP_SECRET: SECRET },
      seed: async (e) => expect(await postMeta(e.receiverUrl, SECRET, incomingText('wamid.BOOT1', '447900000001', 'booted', 'Ana Souza', 1764400000))).toBe(200),
      page: { query: { view: 'messages' }, ready: 'message-row' },
    });
    try {
      const url = new URL(ui.page.url());
      expect(url.searchParams.get('token')).toBe(ui.token);
      expect(url.searchParams.get('view')).toBe('messages');
      expect(await ui.page.getByTestId('message-row').first().textContent()).toContain('booted');

      // An error thrown in the page lands in pageErrors; a page given its own list keeps its errors there.
      await ui.page.evaluate('setTimeout(() => { throw new Error("thrown in the first page") })');
      await expect.poll(() => ui.pageErrors).toEqual(['thrown in the first page']);
      const own: string[] = [];
      const other = await ui.openPage({ errors: own });
      await other.evaluate('setTimeout(() => { throw new Error("thrown in the other page") })');
      await expect.poll(() => own).toEqual(['thrown in the other page']);
      expect(ui.pageErrors).toEqual(['thrown in the first page']);

      // Back on the same data dir, with the webhook stored before the restart.
      const { dataDir } = ui;
      expect(await ui.restart()).toBe(0);
      expect(ui.dataDir).toBe(dataDir);
      expect((await ui.api<EventPage>('/api/events')).body.items.map((e) => e.messageId)).toEqual(['wamid.BOOT1']);
    } finally {
      await ui.close();
    }
    expect(ui.serve.child.exitCode).toBe(0);
    expect(ui.browser.isConnected()).toBe(false);
  }, 120_000);
});
