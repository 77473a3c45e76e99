// A first run, as a newcomer does it, through the setup stepper in real Chromium against the real core
// and UI (in this process, so the ngrok connector can be a fake that checks the authtoken): authtoken →
// tunnel → public https URL → verify token (revealed, then Meta's handshake) → app secret → the first
// webhook seen. Each step says done / to do / what's wrong; the doctor's verdict and its "fixed" list
// follow along; local-only URLs are never offered for copying; a bad public URL is refused in words.
import { createHmac } from 'node:crypto';
import { expect, it } from 'vitest';
import { describeE2E, useE2E, type E2E } from '../helpers/e2e';
import { fakeNgrok } from '../helpers/ui-core';

const NGROK_TOKEN = 'ngrok-e2e-authtoken';
const TUNNEL_URL = 'https://hookscope-e2e.ngrok-free.app';
const APP_SECRET = 'e2e-app-secret';

let ui: E2E;
const connector = fakeNgrok(NGROK_TOKEN, TUNNEL_URL);

const panel = () => ui.page.getByTestId('panel-setup');
const step = (id: string) => panel().getByTestId(`step-${id}`);
const stateOf = (id: string) => step(id).getAttribute('data-state');

describeE2E('first run through the setup stepper (fake tunnel)', () => {
  ui = useE2E({
    core: { tunnelConnector: connector },
    page: { viewport: { width: 1400, height: 1000 }, query: { panel: 'setup' }, ready: (page) => page.getByTestId('panel-setup').getByTestId('setup-stepper').waitFor() },
  });

  it('starts with the authtoken to do, the tunnel waiting for it, and the verify token already made', async () => {
    await expect.poll(() => stateOf('ngrok-token')).toBe('todo');
    expect(await step('ngrok-token').getAttribute('aria-current')).toBe('step');
    expect(await stateOf('tunnel')).toBe('todo');
    // Start sits below the authtoken and waits for it: the first click cannot fail.
    expect(await step('tunnel').getByTestId('tunnel-start').isDisabled()).toBe(true);
    // The local receiver is shown for what it is: no Copy button on it.
    expect(await stateOf('public-url')).toBe('todo');
    expect(await step('public-url').getByTestId('setup-meta-callback').textContent()).toBe(`${ui.receiverUrl}/meta`);
    await step('public-url').getByTestId('callback-local-note').waitFor();
    expect(await step('public-url').getByRole('button', { name: /^Copy/ }).count()).toBe(0);
    // A verify token exists from the first start, and Meta's handshake works with it out of the box.
    expect(await step('verify-token').getByTestId('secret-status').textContent()).toBe('set (made by Hookscope)');
    expect(await stateOf('first-webhook')).toBe('todo');
    await expect.poll(() => panel().getByTestId('verdict-title').textContent()).toMatch(/to check|to fix|Next/);
  });

  it('a wrong authtoken makes the tunnel step say what is wrong; the right one brings it online', async () => {
    await step('ngrok-token').getByTestId('secret-input-ngrokAuthtoken').fill('not-my-token');
    await step('ngrok-token').getByTestId('secret-save-ngrokAuthtoken').click();
    await expect.poll(() => stateOf('ngrok-token')).toBe('done');
    await step('tunnel').getByTestId('tunnel-start').click();
    await expect.poll(() => stateOf('tunnel')).toBe('problem');
    expect(await step('tunnel').getByTestId('step-fix').textContent()).toMatch(/authtoken/i);
    expect(await stateOf('ngrok-token')).toBe('problem');

    await step('ngrok-token').getByTestId('secret-input-ngrokAuthtoken').fill(NGROK_TOKEN);
    await step('ngrok-token').getByTestId('secret-save-ngrokAuthtoken').click();
    await step('tunnel').getByTestId('tunnel-start').click();
    await expect.poll(() => stateOf('tunnel')).toBe('done');
    expect(await stateOf('ngrok-token')).toBe('done');
  });

  it('the public https URL is offered with Copy once the tunnel is online', async () => {
    await expect.poll(() => stateOf('public-url')).toBe('done');
    expect(await step('public-url').getByTestId('setup-meta-callback').textContent()).toBe(`${TUNNEL_URL}/meta`);
    expect(await step('public-url').getByTestId('setup-twilio-callback').textContent()).toBe(`${TUNNEL_URL}/twilio`);
    expect(await step('public-url').getByRole('button', { name: 'Copy Meta URL' }).count()).toBe(1);
    expect(await step('public-url').getByTestId('callback-local-note').count()).toBe(0);
    // The doctor's "Tunnel is off" problem is now listed as fixed, under its cause.
    await expect.poll(() => panel().locator('[data-testid="doctor-fixed"][data-finding-id="tunnel-off"]').count(), { timeout: 15_000 }).toBe(1);
  });

  it('refuses a public URL that Meta cannot call, with the reason next to the field', async () => {
    await step('public-url').getByRole('button', { name: 'Change' }).click();
    await step('public-url').getByTestId('setting-input-publicUrl').fill('http://127.0.0.1:4750');
    await step('public-url').getByTestId('setting-save-publicUrl').click();
    expect(await step('public-url').getByTestId('public-url-message').textContent()).toMatch(/https/);
    // The core refuses it too (the UI check aside): same rule, clear words.
    const r = await fetch(new URL('/api/settings', ui.url), {
      method: 'PUT', headers: { authorization: `Bearer ${ui.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ publicUrl: 'https://192.168.1.20/hooks' }),
    });
    expect(r.status).toBe(400);
    expect(((await r.json()) as { error: { message: string } }).error.message).toMatch(/private network/);
  });

  it('the verify token can be revealed again, and Meta\'s handshake with it turns the step done', async () => {
    await step('verify-token').getByTestId('reveal-verify-token').click();
    const token = (await step('verify-token').getByTestId('verify-token-value').textContent())!;
    expect(token).toMatch(/^[A-Za-z0-9]{24}$/);
    expect(await stateOf('verify-token')).toBe('todo');
    const ok = await fetch(`${ui.receiverUrl}/meta?hub.mode=subscribe&hub.verify_token=${token}&hub.challenge=777`);
    expect(await ok.text()).toBe('777');
    // The doctor sees Meta's handshake (refreshed on its own every few seconds).
    await expect.poll(() => stateOf('verify-token'), { timeout: 15_000 }).toBe('done');
    // Hidden again, revealed again: the same value.
    await step('verify-token').getByTestId('hide-verify-token').click();
    await step('verify-token').getByTestId('reveal-verify-token').click();
    expect(await step('verify-token').getByTestId('verify-token-value').textContent()).toBe(token);
  });

  it('the app secret step, then the first signed webhook completes the last two steps and the verdict', async () => {
    expect(await stateOf('secret')).toBe('todo');
    await step('secret').getByTestId('secret-input-metaAppSecret').fill(APP_SECRET);
    await step('secret').getByTestId('secret-save-metaAppSecret').click();
    await expect.poll(() => stateOf('secret')).toBe('done');
    expect(await stateOf('subscribe')).toBe('todo');
    expect(await stateOf('first-webhook')).toBe('todo');

    const body = JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: 'WABA', changes: [{ field: 'messages', value: {
      messaging_product: 'whatsapp', metadata: { display_phone_number: '15550001111', phone_number_id: '1234' },
      contacts: [{ profile: { name: 'Ana' }, wa_id: '5511999990000' }],
      messages: [{ from: '5511999990000', id: 'wamid.FIRST', timestamp: '1764400000', type: 'text', text: { body: 'hello' } }] } }] }] });
    const res = await fetch(`${ui.receiverUrl}/meta`, {
      method: 'POST', body, headers: { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${createHmac('sha256', APP_SECRET).update(body).digest('hex')}` },
    });
    expect(res.status).toBe(200);
    await expect.poll(() => stateOf('first-webhook'), { timeout: 15_000 }).toBe('done');
    expect(await stateOf('subscribe')).toBe('done');
    const ids = ['ngrok-token', 'tunnel', 'public-url', 'verify-token', 'secret', 'subscribe', 'first-webhook'];
    expect(await Promise.all(ids.map(stateOf))).toEqual(ids.map(() => 'done'));
    // Unsigned webhooks are accepted for this run (the test helper's flag): with the tunnel online, /twilio
    // takes anyone's requests, so not "All set" until Twilio has its token too.
    await expect.poll(() => panel().getByTestId('verdict-title').textContent(), { timeout: 15_000 }).toBe('1 problem to fix');
    expect(await panel().textContent()).toMatch(/Unsigned webhooks accepted: anyone who knows the URL can add events/);
    const put = await fetch(new URL('/api/settings', ui.url), {
      method: 'PUT', headers: { authorization: `Bearer ${ui.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ twilioAuthToken: 'twilio-token-for-the-test' }),
    });
    expect(put.status).toBe(200);
    // The doctor looks again on its own within ~10 s (no self-check: the fake tunnel's URL does not resolve).
    await expect.poll(() => panel().getByTestId('verdict-title').textContent(), { timeout: 25_000 }).toBe('All set');
    expect(await panel().getByTestId('doctor-verdict').getAttribute('data-level')).toBe('ok');
  }, 60_000);

  it('never shows the secrets it was given, and had no page errors', async () => {
    const text = await ui.page.locator('body').textContent();
    expect(text).not.toContain(APP_SECRET);
    expect(text).not.toContain(NGROK_TOKEN);
    expect(ui.pageErrors).toEqual([]);
  });
});
