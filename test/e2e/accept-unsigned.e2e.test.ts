// The "accept unsigned webhooks" switch in real Chromium against the real `serve`, started with its real
// default (no secret, nothing accepted; docs/api.md "A provider is closed until it is set up"): a fresh
// install refuses unsigned Meta webhooks; the switch in Settings opens Meta alone, and while it is on every
// screen says so — without a word about Twilio; off again, the door is shut. Twice over.
import { expect, it } from 'vitest';
import { describeE2E, useE2E, type E2E } from '../helpers/e2e';

let ui: E2E;

function message(id: string): string {
  return JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: '102290129340398', changes: [{ field: 'messages', value: {
    messaging_product: 'whatsapp', metadata: { display_phone_number: '15550783881', phone_number_id: '106540352242922' },
    contacts: [{ profile: { name: 'Unsigned Trial' }, wa_id: '5511900000077' }],
    messages: [{ from: '5511900000077', id, timestamp: '1733000000', type: 'text', text: { body: `trial ${id}` } }],
  } }] }] });
}

/** What a stranger (or a quick trial) sends: no signature header at all. */
async function postUnsigned(id: string): Promise<number> {
  const res = await fetch(`${ui.receiverUrl}/meta`, { method: 'POST', body: message(id), headers: { 'content-type': 'application/json' } });
  await res.arrayBuffer();
  return res.status;
}

async function stored(): Promise<string[]> {
  const { body } = await ui.api<{ items: { messageId: string | null; kind: string }[] }>('/api/events?kind=message');
  return body.items.map((e) => e.messageId!).reverse();
}

describeE2E('accepting unsigned webhooks, from the UI', () => {
  ui = useE2E({ env: { HOOKSCOPE_ACCEPT_UNSIGNED: '' }, page: { ready: 'nav-settings' } });

  it('a fresh install refuses unsigned Meta webhooks and shows no warning', { timeout: 60_000 }, async () => {
    expect(await postUnsigned('wamid.TRIAL0')).toBe(403);
    expect(await stored()).toEqual([]);
    expect(await ui.page.getByTestId('trust-banner').count()).toBe(0);
  });

  for (const round of [1, 2]) {
    it(`round ${round}: the Settings switch opens Meta alone and says so on every screen; off again, refused`, { timeout: 90_000 }, async () => {
      await ui.page.getByTestId('nav-settings').click();
      const box = ui.page.getByTestId('accept-unsigned-meta');
      await box.waitFor();
      expect(await box.isChecked()).toBe(false);
      // Applied at once (not with the form); the box follows the saved setting.
      await box.click();
      await expect.poll(() => box.isChecked(), { timeout: 10_000 }).toBe(true);
      await expect.poll(() => ui.page.getByTestId('accept-unsigned-on').count(), { timeout: 10_000 }).toBe(1);
      expect(await ui.page.getByTestId('accept-unsigned-on').textContent()).toMatch(/Accepting unsigned Meta webhooks:.*anyone who knows the URL/);
      // The banner stays with the panel closed: it is on every screen while the door is open.
      await ui.page.keyboard.press('Escape');
      await expect.poll(() => ui.page.getByTestId('trust-banner').count(), { timeout: 10_000 }).toBe(1);
      const banner = (await ui.page.getByTestId('trust-banner').textContent()) ?? '';
      expect(banner).toContain('Unsigned Meta webhooks accepted');
      expect(banner).not.toContain('Twilio');

      expect(await postUnsigned(`wamid.TRIAL${round}`)).toBe(200);
      await expect.poll(() => ui.page.getByTestId('event-row').filter({ hasText: `trial wamid.TRIAL${round}` }).count(), { timeout: 20_000 }).toBe(1);
      // Twilio stays closed: Meta's switch opens Meta only.
      const tw = await fetch(`${ui.receiverUrl}/twilio`, { method: 'POST', body: 'MessageSid=SM1&Body=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      expect(tw.status).toBe(403);

      await ui.page.getByTestId('nav-settings').click();
      await ui.page.getByTestId('accept-unsigned-meta').click();
      await expect.poll(() => ui.page.getByTestId('accept-unsigned-meta').isChecked(), { timeout: 10_000 }).toBe(false);
      await expect.poll(() => ui.page.getByTestId('accept-unsigned-on').count(), { timeout: 10_000 }).toBe(0);
      await ui.page.keyboard.press('Escape');
      await expect.poll(() => ui.page.getByTestId('trust-banner').count(), { timeout: 10_000 }).toBe(0);
      expect(await postUnsigned(`wamid.TRIAL${round}X`)).toBe(403);
      expect(await stored()).toEqual(round === 1 ? ['wamid.TRIAL1'] : ['wamid.TRIAL1', 'wamid.TRIAL2']);
    });
  }

  it('had no page errors', () => {
    expect(ui.pageErrors).toEqual([]);
  });
});
