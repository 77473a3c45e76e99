// Wording and format slips, the theme switch and narrow windows, in real Chromium against `serve`:
// the feed's end says "No older events", sizes keep "KiB" inside upper-case titles, a failure's text is
// not repeated in the Summary, the Signature tab does not send you to itself; System / Light / Dark is
// kept across reloads; at 800 px the top bar folds into a status pill and nothing spills sideways.
import { createHmac } from 'node:crypto';
import { expect, it } from 'vitest';
import { describeE2E, useE2E, type E2E } from '../helpers/e2e';

const SECRET = 'polish-e2e-secret';
let ui: E2E;

const wrap = (value: unknown) => JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: 'WABA1', changes: [{ field: 'messages', value }] }] });
const meta = { display_phone_number: '15550001111', phone_number_id: '1234' };
const long = 'x'.repeat(1200);

async function post(body: string, secret = SECRET) {
  const res = await fetch(`${ui.receiverUrl}/meta`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}` }, body });
  await res.arrayBuffer();
  return res.status;
}

const tid = (id: string) => ui.page.getByTestId(id);
/** Opens the Settings panel (a reload keeps an open panel open: the nav button would close it). */
async function openSettings() {
  if (!(await tid('panel-settings').count())) await tid('nav-settings').click();
  await tid('settings-appearance').waitFor();
}
const bodyBg = () => ui.page.evaluate('getComputedStyle(document.body).backgroundColor') as Promise<string>;
const isDark = async () => {
  const m = /rgba?\((\d+), (\d+), (\d+)/.exec(await bodyBg())!;
  return (Number(m[1]) + Number(m[2]) + Number(m[3])) / 3 < 100;
};

describeE2E('wording, theme and narrow windows', () => {
  ui = useE2E({
    env: { META_APP_SECRET: SECRET },
    seed: async () => {
      expect(await post(wrap({ messaging_product: 'whatsapp', metadata: meta, contacts: [{ profile: { name: 'Ana' }, wa_id: '5511911110000' }],
        messages: [{ from: '5511911110000', id: 'wamid.LONG', timestamp: '1764400000', type: 'text', text: { body: long } }] }))).toBe(200);
      expect(await post(wrap({ messaging_product: 'whatsapp', metadata: meta, statuses: [{ id: 'wamid.F1', status: 'failed', timestamp: '1764400001', recipient_id: '5511911110000',
        errors: [{ code: 131026, title: 'Message undeliverable', message: 'Message undeliverable', error_data: { details: 'Message undeliverable' } }] }] }))).toBe(200);
    },
    page: { viewport: { width: 1300, height: 850 }, colorScheme: 'light' },
  });

  it('the end of a newest-first feed says there is nothing older', async () => {
    await expect.poll(() => tid('event-row').count()).toBe(2);
    expect(await ui.page.locator('.feed-footer').textContent()).toBe('No older events');
    expect(await ui.page.locator('body').textContent()).not.toContain('Beginning of the list');
  });

  it('a size keeps its unit\'s case in an upper-case title', async () => {
    await tid('event-row').filter({ hasText: 'Ana' }).click();
    await tid('tab-raw').click();
    const title = await ui.page.locator('[data-testid="panel-raw"] h3, .tab-body h3').filter({ hasText: /Body/i }).first().innerText();
    expect(title).toMatch(/KiB/);
    expect(title).not.toMatch(/KIB/);
  });

  it('a failure\'s words appear once in the Summary', async () => {
    await tid('event-row').filter({ hasText: /failed/i }).first().click();
    await tid('tab-summary').click();
    const box = (await tid('error-box').textContent())!;
    expect(box.split('Message undeliverable').length - 1).toBe(1);
  });

  it('the Signature tab explains without pointing at itself', async () => {
    const body = wrap({ messaging_product: 'whatsapp', metadata: meta, contacts: [{ profile: { name: 'Bad' }, wa_id: '5511922220000' }],
      messages: [{ from: '5511922220000', id: 'wamid.BAD', timestamp: '1764400002', type: 'text', text: { body: 'forged' } }] });
    expect(await post(body, 'wrong-secret')).toBe(401);
    // A badly signed request is rejected: its signature is explained in the Rejected view, not the feed.
    await tid('nav-rejected').click();
    await tid('rejected-panel').waitFor();
    await tid('rejected-list').locator('li').first().locator('button').click();
    await tid('rejected-detail').waitFor();
    const text = (await tid('rejected-detail').textContent())!;
    expect(text).toMatch(/signature/i);
    expect(text).not.toMatch(/open the signature debugger/i);
    await tid('nav-rejected').click();
  });

  it('theme: Dark and Light override the system, System follows it, and the choice survives a reload', async () => {
    expect(await isDark()).toBe(false);
    await openSettings();
    await tid('theme-dark').click();
    expect(await ui.page.evaluate('document.documentElement.dataset.theme')).toBe('dark');
    expect(await isDark()).toBe(true);
    expect(await tid('theme-dark').getAttribute('aria-checked')).toBe('true');
    await ui.page.reload();
    await tid('top-bar').waitFor();
    expect(await isDark()).toBe(true);
    // Light wins over a dark system.
    await ui.page.emulateMedia({ colorScheme: 'dark' });
    await openSettings();
    await tid('theme-light').click();
    expect(await isDark()).toBe(false);
    // System follows the OS, live.
    await tid('theme-system').click();
    expect(await isDark()).toBe(true);
    await ui.page.emulateMedia({ colorScheme: 'light' });
    await expect.poll(isDark).toBe(false);
    await ui.page.getByRole('button', { name: 'Close panel' }).click();
  });

  it('at 800 px the top bar folds into a status pill, with nothing spilling sideways', async () => {
    await ui.page.setViewportSize({ width: 800, height: 700 });
    await tid('status-pill').waitFor();
    expect(await tid('receiver-url').isVisible()).toBe(false);
    expect(await tid('status-pill').textContent()).toMatch(/Tunnel off · \d+ events/);
    const overflow = await ui.page.evaluate(`(() => {
      const bar = document.querySelector('[data-testid="top-bar"]');
      const off = [...bar.querySelectorAll('button, a, input')].filter((el) => el.offsetParent && el.getBoundingClientRect().right > window.innerWidth + 1).length;
      return { bar: bar.scrollWidth - bar.clientWidth, page: document.documentElement.scrollWidth - window.innerWidth, off };
    })()`) as { bar: number; page: number; off: number };
    expect(overflow).toEqual({ bar: 0, page: 0, off: 0 });
    // Every panel button is there and works; the pill opens Setup.
    await tid('status-pill').click();
    await tid('panel-setup').waitFor();
    await tid('nav-stats').click();
    await tid('panel-stats').waitFor();
    await ui.page.setViewportSize({ width: 1300, height: 850 });
    expect(await tid('status-pill').isVisible()).toBe(false);
    expect(await tid('receiver-url').isVisible()).toBe(true);
  });

  it('had no page errors', () => {
    expect(ui.pageErrors).toEqual([]);
  });
});
