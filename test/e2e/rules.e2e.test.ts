// Rules, notifications and the toast in real Chromium against the real `serve`: a rule made in the
// editor (with the core's live preview and its validation message inline) fires on a signed webhook
// posted with fetch; the toast and the history select the event; the unread badge; the browser's
// desktop notifications under serve (Notification stubbed to observe it); no page errors.
import { createHmac } from 'node:crypto';
import { expect, it } from 'vitest';
import { describeE2E, useE2E, type E2E } from '../helpers/e2e';
import { fixture, SIGNED } from '../helpers/fixtures';

const SECRET = SIGNED.secret;
const sign = (body: string) => `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;

let ui: E2E;
let seq = 0;

/** A signed text message from "Ana Souza" with a fresh message id. */
async function postText(text: string): Promise<string> {
  const id = `wamid.e2e-rules-${++seq}-${Date.now()}`;
  const body = fixture('meta/message-text.json').toString('utf8')
    .replace('Hi, is the clinic open on Saturday?', text).replace('wamid.HBgNNTUxMTk4NzY1MDAwMRUCABIYFjNFQjA1AAA==', id);
  const res = await fetch(`${ui.receiverUrl}/meta`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(body) }, body });
  await res.arrayBuffer();
  expect(res.status).toBe(200);
  return id;
}

const tid = (id: string) => ui.page.getByTestId(id);
const selectedRowText = () => ui.page.locator('[data-testid="event-row"][aria-selected="true"]').textContent({ timeout: 5000 });

describeE2E('rules and notifications in Chromium against serve', () => {
  ui = useE2E({
    env: { META_APP_SECRET: SECRET, META_VERIFY_TOKEN: 'e2e-verify' },
    page: {
      timeout: 8000,
      // Stand-in for the browser's Notification API, so the test sees what would reach the OS.
      beforeGoto: (page) => page.addInitScript(`
        window.__shown = [];
        class FakeNotification {
          static permission = 'default';
          static async requestPermission() { FakeNotification.permission = 'granted'; return 'granted'; }
          constructor(title, options) { this.onclick = null; window.__shown.push({ title, body: options && options.body, n: this }); }
          close() {}
        }
        window.Notification = FakeNotification;
      `),
    },
  });

  it('makes a rule from the Keyword preset, with the core’s preview and validation inline', async () => {
    await tid('nav-rules').click();
    await tid('rules-empty').waitFor();
    await tid('rule-preset').selectOption('keyword');
    await tid('rule-new-preset').click();
    await tid('rule-editor').waitFor();
    expect(await tid('rule-name-input').inputValue()).toBe('Keyword: appointment / confirm');
    expect(await tid('rule-any').inputValue()).toContain('appointment*');
    await expect.poll(() => tid('rule-preview-count').textContent(), { timeout: 5000 }).toBe('Would have fired 0 times in the last 24 h');
    expect(await tid('rule-preview-match').textContent()).toContain('Select an event');
    expect(await tid('rule-placeholders').textContent()).toContain('{contactName}');

    await tid('rule-name-input').fill('Appointments');
    await tid('rule-any').fill('');
    await tid('rule-text').fill('appointment*');
    await tid('rule-throttle').fill('0'); // every message from the one test contact notifies

    // An unsafe regex: the core refuses it and the editor says why, in place.
    await tid('rule-regex').fill('(a)\\1');
    await expect.poll(() => tid('rule-preview-error').textContent(), { timeout: 5000 }).toMatch(/textRegex/);
    // Broken JSON in the advanced field is caught before it is sent.
    await tid('rule-regex').fill('');
    await tid('rule-any').fill('[{"text": ');
    await expect.poll(() => tid('rule-preview-error').textContent(), { timeout: 5000 }).toMatch(/^Any of \(advanced\): not valid JSON/);
    await tid('rule-any').fill('');
    await expect.poll(() => tid('rule-preview-count').textContent(), { timeout: 5000 }).toContain('Would have fired 0 times');

    await tid('rule-save').click();
    await tid('rule-item').waitFor();
    expect(await tid('rule-name').allTextContents()).toEqual(['Appointments']);
    expect(await tid('rule-item').textContent()).toContain('text “appointment*”');
    const rules = await ui.api<{ ok: boolean; value: { name: string; when: unknown; enabled: boolean }[] }>('/api/rpc/rules:list', { method: 'POST', body: '' });
    expect(rules.body.value.map((r) => [r.name, r.when, r.enabled])).toEqual([['Appointments', { kind: ['message'], text: 'appointment*' }, true]]);
    await tid('nav-rules').click();
  });

  it('fires on a matching webhook: toast, unread badge; clicking the toast selects the event', async () => {
    await postText('Just saying hello');
    await postText('Can we move my appointment to Friday?');
    const toast = tid('notification');
    await toast.waitFor({ timeout: 10_000 });
    expect(await toast.count()).toBe(1);
    expect(await toast.textContent()).toContain('Ana Souza mentioned an appointment');
    expect(await toast.textContent()).toContain('Can we move my appointment to Friday?');
    await expect.poll(() => tid('notifications-unread').textContent(), { timeout: 5000 }).toBe('1');

    // A panel is open: the click closes it so the inspector shows the event.
    await tid('nav-stats').click();
    await tid('notification-open').click();
    await expect.poll(selectedRowText, { timeout: 5000 }).toContain('Can we move my appointment to Friday?');
    await expect.poll(() => ui.page.locator('.inspector-body').textContent(), { timeout: 5000 }).toContain('Can we move my appointment to Friday?');
    expect(await tid('panel-stats').count()).toBe(0);
    expect(await tid('notification').count()).toBe(0);
  });

  it('previews against the selected event and builds a rule from it', async () => {
    await tid('nav-rules').click();
    await tid('rule-edit').click();
    await expect.poll(() => tid('rule-preview-match').textContent(), { timeout: 5000 }).toBe('Matches the selected event: yes');
    expect(await tid('rule-preview-count').textContent()).toBe('Would have fired 1 time in the last 24 h');
    expect(await tid('rule-sample').textContent()).toContain('Ana Souza mentioned an appointment');
    await tid('rule-text').fill('invoice');
    await expect.poll(() => tid('rule-preview-match').textContent(), { timeout: 5000 }).toBe('Matches the selected event: no');
    await tid('rule-cancel').click();

    await tid('rule-new-event').click();
    expect(await tid('rule-name-input').inputValue()).toBe('Messages from Ana Souza');
    expect(await tid('rule-contact').inputValue()).toBe('5511987650001');
    await expect.poll(() => tid('rule-preview-match').textContent(), { timeout: 5000 }).toBe('Matches the selected event: yes');
    // Two messages from the contact, one notification: the 60 s per-contact throttle.
    expect(await tid('rule-preview-count').textContent()).toBe('Would have fired 1 time in the last 24 h');
    await tid('rule-throttle').fill('0');
    await expect.poll(() => tid('rule-preview-count').textContent(), { timeout: 5000 }).toBe('Would have fired 2 times in the last 24 h');
    await tid('rule-cancel').click();
    expect(await tid('rule-item').count()).toBe(1);
  });

  it('lists the history; opening it clears the badge; clicking one selects its event and closes the panel', async () => {
    await ui.page.keyboard.press('Escape');
    await tid('nav-notifications').click();
    await tid('notification-item').waitFor();
    expect(await tid('notifications-unread').count()).toBe(0);
    const item = tid('notification-item').first();
    expect(await item.textContent()).toContain('Ana Souza mentioned an appointment');
    expect(await item.textContent()).toContain('Appointments');
    expect(await ui.page.locator('[data-testid="event-row"][aria-selected="true"]').count()).toBe(0);
    await item.click();
    await expect.poll(selectedRowText, { timeout: 5000 }).toContain('Can we move my appointment to Friday?');
    expect(await tid('panel-notifications').count()).toBe(0);
  });

  it('shows desktop notifications under serve once allowed; a click selects the event', async () => {
    await ui.page.keyboard.press('Escape');
    await tid('nav-notifications').click();
    await tid('browser-notifications-on').click();
    await tid('browser-notifications-off').waitFor();
    await postText('Confirming the appointment, thanks');
    await expect.poll(() => ui.page.evaluate<number>('window.__shown.length'), { timeout: 10_000 }).toBe(1);
    expect(await ui.page.evaluate<unknown>('window.__shown.map((s) => [s.title, s.body])')).toEqual([['Ana Souza mentioned an appointment', 'Confirming the appointment, thanks']]);
    // The panel is open, so the arrival counts as seen.
    await tid('notification-item').nth(1).waitFor();
    expect(await tid('notifications-unread').count()).toBe(0);
    await ui.page.keyboard.press('Escape');
    await tid('nav-notifications').click();
    await ui.page.evaluate('window.__shown[0].n.onclick()');
    await expect.poll(selectedRowText, { timeout: 5000 }).toContain('Confirming the appointment, thanks');
  });

  it('a disabled rule stays quiet; delete removes it', async () => {
    await tid('nav-rules').click();
    await tid('rule-toggle').uncheck();
    await expect.poll(async () => (await ui.api<{ value: { enabled: boolean }[] }>('/api/rpc/rules:list', { method: 'POST', body: '' })).body.value[0].enabled).toBe(false);
    const before = await ui.page.evaluate<number>('window.__shown.length');
    await postText('Another appointment please');
    await expect.poll(() => ui.page.getByTestId('event-row').first().textContent(), { timeout: 5000 }).toContain('Another appointment please');
    await ui.page.waitForTimeout(500);
    expect(await ui.page.evaluate<number>('window.__shown.length')).toBe(before);
    await tid('rule-delete').click();
    await tid('rule-delete-confirm').click();
    await tid('rules-empty').waitFor();
  });

  it('had no page errors', () => {
    expect(ui.pageErrors).toEqual([]);
  });
});
