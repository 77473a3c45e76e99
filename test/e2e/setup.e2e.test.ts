// The Setup and Settings panels in real Chromium against the real `serve`: callback URLs, a generated
// verify token that Meta's handshake then accepts, write-only secrets, the setup doctor's findings,
// the signature debugger's cause, and the core's validation errors shown next to their field.
import { createHmac } from 'node:crypto';
import { expect, it } from 'vitest';
import { describeE2E, useE2E, type E2E } from '../helpers/e2e';
import { fixture, SIGNED } from '../helpers/fixtures';

const SECRET = SIGNED.secret;

let ui: E2E;

const panel = () => ui.page.getByTestId('panel-setup');

describeE2E('setup panel in Chromium against serve', () => {
  // An app secret but no verify token: the panel generates one.
  ui = useE2E({ env: { META_APP_SECRET: SECRET }, page: { query: { panel: 'setup' } } });

  it('shows the exact callback URLs, with a note while they are only local', async () => {
    await panel().waitFor();
    await expect.poll(() => panel().getByTestId('setup-meta-callback').textContent()).toBe(`${ui.receiverUrl}/meta`);
    expect(await panel().getByTestId('setup-twilio-callback').textContent()).toBe(`${ui.receiverUrl}/twilio`);
    await panel().getByTestId('callback-local-note').waitFor();
    // The tunnel's state arrives on its own (`unknown` until the first tunnel:get answers): wait for it.
    await expect.poll(() => panel().getByTestId('tunnel-state').textContent()).toBe('off');
    // Secrets only say whether they are set (the app secret's field is behind "Change": the step is done).
    await panel().getByTestId('step-secret').getByRole('button', { name: 'Change' }).click();
    expect(await panel().getByTestId('secret-metaAppSecret').getByTestId('secret-status').textContent()).toBe('set (1)');
    // A verify token exists from the first start: Hookscope made one.
    expect(await panel().getByTestId('secret-metaVerifyToken').getByTestId('secret-status').textContent()).toBe('set (made by Hookscope)');
    expect(await panel().textContent()).not.toContain(SECRET);
  });

  it('makes a new verify token, shows it, and Meta\'s handshake then answers the challenge', async () => {
    await panel().getByTestId('generate-verify-token').click();
    await panel().getByTestId('verify-token-value').waitFor();
    const token = (await panel().getByTestId('verify-token-value').textContent())!;
    expect(token).toMatch(/^[A-Za-z0-9]{24}$/);
    await expect.poll(() => panel().getByTestId('secret-metaVerifyToken').getByTestId('secret-status').textContent()).toBe('set');

    const challenge = '1158201444';
    const ok = await fetch(`${ui.receiverUrl}/meta?hub.mode=subscribe&hub.verify_token=${token}&hub.challenge=${challenge}`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe(challenge);
    const bad = await fetch(`${ui.receiverUrl}/meta?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=${challenge}`);
    await bad.arrayBuffer();
    expect(bad.status).toBe(403);

    // Hidden after a reload, and revealed again on demand (Meta asks for it on every "Verify and save").
    await ui.page.reload();
    await panel().waitFor();
    await expect.poll(() => panel().getByTestId('secret-metaVerifyToken').getByTestId('secret-status').textContent()).toBe('set');
    expect(await panel().getByTestId('verify-token-value').count()).toBe(0);
    expect(await ui.page.locator('body').textContent()).not.toContain(token);
    await panel().getByTestId('reveal-verify-token').click();
    expect(await panel().getByTestId('verify-token-value').textContent()).toBe(token);
  });

  it('saves and clears a write-only secret without ever showing it', async () => {
    if (!(await panel().getByTestId('secret-twilioAuthToken').count())) await panel().getByTestId('step-secret').getByRole('button', { name: 'Change' }).click();
    const field = panel().getByTestId('secret-twilioAuthToken');
    expect(await field.getByTestId('secret-status').textContent()).toBe('not set');
    await panel().getByTestId('secret-input-twilioAuthToken').fill('tok-one, tok-two');
    expect(await panel().getByTestId('secret-input-twilioAuthToken').getAttribute('type')).toBe('password');
    await panel().getByTestId('secret-save-twilioAuthToken').click();
    await expect.poll(() => field.getByTestId('secret-status').textContent()).toBe('set (2)');
    // The status can follow the settings push before the save's own answer empties the field: wait for both.
    await expect.poll(() => panel().getByTestId('secret-input-twilioAuthToken').inputValue()).toBe('');
    expect(await ui.page.locator('body').textContent()).not.toContain('tok-one');
    await panel().getByTestId('secret-clear-twilioAuthToken').click();
    await expect.poll(() => field.getByTestId('secret-status').textContent()).toBe('not set');
  });

  it('renders the doctor\'s findings: a POST to /webhook becomes an "unrouted" finding naming /meta', async () => {
    await ui.page.getByTestId('doctor-finding').first().waitFor();
    const res = await fetch(`${ui.receiverUrl}/webhook`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"object":"whatsapp_business_account","entry":[]}' });
    await res.arrayBuffer();
    const finding = ui.page.locator('[data-testid="doctor-finding"][data-finding-id="unrouted:/webhook"]');
    await finding.waitFor({ timeout: 15_000 });
    expect(await finding.getAttribute('data-level')).toBe('warn');
    expect(await finding.textContent()).toContain('/meta');
    expect(await finding.evaluate('(el) => getComputedStyle(el).borderLeftColor')).not.toBe('rgb(0, 0, 0)');
    // Self-check runs and the list is still rendered (no public URL here: the doctor says so).
    await ui.page.getByTestId('doctor-self-check').click();
    await expect.poll(() => ui.page.getByTestId('doctor-self-check').textContent()).toBe('Run self-check');
    expect(await ui.page.getByTestId('doctor-finding').count()).toBeGreaterThan(1);
    expect(await ui.page.getByTestId('doctor-findings').textContent()).toMatch(/Public URL unknown|Tunnel is off/);
  });

  it('a request signed with a wrong secret shows the debugger\'s cause and candidates in the Rejected view', async () => {
    await ui.page.getByRole('button', { name: 'Close panel' }).click();
    const body = fixture('meta/message-text-reply.json');
    const sig = `sha256=${createHmac('sha256', 'not-the-app-secret').update(body).digest('hex')}`;
    // Earlier tests left refused requests of their own (the self-check's): the list must show this one first.
    const before = (await ui.api<{ total: number }>('/api/rejected?limit=1')).body.total;
    const res = await fetch(`${ui.receiverUrl}/meta`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': sig }, body });
    await res.arrayBuffer();
    expect(res.status).toBe(401);
    // Refused requests are not events: the debugger is in the Rejected view.
    await ui.page.getByTestId('nav-rejected').click();
    // Its row arrives by push, possibly after the panel opened on the older ones.
    await expect.poll(() => ui.page.getByTestId('rejected-list').locator('li').count(), { timeout: 20_000 }).toBe(before + 1);
    await ui.page.getByTestId('rejected-list').locator('li button').first().click();
    await ui.page.getByTestId('rejected-signature-cause').waitFor();
    expect((await ui.page.getByTestId('rejected-signature-cause').textContent())!.length).toBeGreaterThan(10);
    const table = ui.page.getByTestId('rejected-detail').locator('table');
    expect(await table.locator('tbody tr').count()).toBeGreaterThan(0);
    expect(await ui.page.getByTestId('rejected-detail').textContent()).toContain(sig.slice(0, 7));
    expect(await ui.page.locator('body').textContent()).not.toContain(SECRET);
    // Room for a loaded machine: it once ran past 30 s in a full suite on 2 busy cores, never alone.
  }, 60_000);

  it('settings: the core\'s validation error shows next to its field; a valid save sticks', async () => {
    await ui.page.getByTestId('nav-settings').click();
    await ui.page.getByTestId('settings-panel').waitFor();
    await ui.page.getByTestId('forward-timeout').fill('50');
    await ui.page.getByTestId('settings-save').click();
    await ui.page.getByTestId('error-forwardTimeoutMs').waitFor();
    expect(await ui.page.getByTestId('error-forwardTimeoutMs').textContent()).toMatch(/100/);
    // A target that is not a URL is caught before sending.
    await ui.page.getByTestId('forward-timeout').fill('5000');
    await ui.page.getByTestId('forward-target-add').click();
    await ui.page.getByTestId('forward-target-input').fill('not a url');
    await ui.page.getByTestId('settings-save').click();
    await ui.page.getByTestId('error-forwardTargets.0').waitFor();
    await ui.page.getByTestId('forward-target-remove').click();
    await ui.page.getByTestId('retention-days').fill('7');
    await ui.page.getByTestId('settings-save').click();
    await ui.page.getByTestId('settings-saved').waitFor();
    const { body } = await ui.api<{ ok: boolean; value: { forwardTimeoutMs: number; retention: { days: number } } }>('/api/rpc/settings:get', { method: 'POST', body: '' });
    expect(body.value.forwardTimeoutMs).toBe(5000);
    expect(body.value.retention.days).toBe(7);
  });

  it('had no page errors', () => {
    expect(ui.pageErrors).toEqual([]);
  });
});
