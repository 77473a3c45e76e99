// Privacy in real Chromium against the real `serve`: with privacy mode on, the page holds none of the
// posted names, numbers or message texts (feed, inspector tabs, conversation); the redacted export
// offered by the Tools panel holds none either; forgetting a contact from the inspector erases it
// (searches by number, name or words find nothing) and leaves the others alone.
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import type { EventPage } from '../../shared/types';
import { describeE2E, useE2E, type E2E } from '../helpers/e2e';
import { ANA, BRUNO, CARLA, metaFailed, metaMessage, traces, twilioMessage, type Person } from '../helpers/people';

const SECRET = 'privacy-e2e-secret';
const sign = (body: string) => `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;

let ui: E2E;

async function postMeta(body: string) {
  const r = await fetch(`${ui.receiverUrl}/meta`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(body) }, body });
  expect(r.status).toBe(200);
}
async function postTwilio(body: string) {
  const r = await fetch(`${ui.receiverUrl}/twilio`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
  expect(r.status).toBe(200);
}
const rows = () => ui.page.getByTestId('event-row');
async function eventsOf(p: Person) {
  return (await ui.api<EventPage>(`/api/events?contact=${p.number}`)).body.items;
}
/** The page's whole text and markup (titles and other attributes included). */
async function pageText(): Promise<string> {
  return ui.page.evaluate<string>('document.body.innerText + "\\n" + document.documentElement.outerHTML');
}
function leaks(text: string, people: Person[] = [ANA, BRUNO, CARLA]): string[] {
  const t = text.toLowerCase();
  return people.flatMap(traces).filter((s) => t.includes(s.toLowerCase()));
}

describeE2E('privacy in Chromium against serve', () => {
  ui = useE2E({ env: { META_APP_SECRET: SECRET } });

  it('the first-run guide says how long webhooks are kept (30 days by default)', async () => {
    await expect.poll(() => ui.page.getByTestId('retention-note').textContent()).toContain('kept for 30 days');
  });

  it('privacy mode (Shift+P): feed, toasts, notifications, inspector tabs and conversation hold no name, number or text', async () => {
    expect((await ui.api('/api/rules', { method: 'POST', body: JSON.stringify({ name: 'Any message', when: { kind: ['message'] }, title: '{contactName} wrote', body: '{text}' }) })).status).toBe(201);
    await postMeta(metaMessage(ANA, 'wamid.ANA1'));
    await postMeta(metaMessage(BRUNO, 'wamid.BRU1'));
    await postMeta(metaMessage(CARLA, 'wamid.CAR1', { p: ANA, id: 'wamid.ANA2' }));
    await postMeta(metaFailed(ANA, 'wamid.OUT1'));
    await postTwilio(twilioMessage(ANA, 'SMana1'));
    await expect.poll(() => rows().count(), { timeout: 10_000 }).toBe(6);
    // Off: everything is shown (so the checks below can fail).
    expect(leaks(await pageText()).length).toBeGreaterThan(0);

    await ui.page.locator('body').press('Shift+P');
    await expect.poll(() => ui.page.getByTestId('privacy-toggle').getAttribute('aria-pressed')).toBe('true');
    expect(await ui.page.getByTestId('privacy-toggle').textContent()).toContain('Privacy on');
    await expect.poll(async () => leaks(await pageText())).toEqual([]);
    // The rule's toasts and the notification history are masked too.
    expect(await ui.page.getByTestId('notification').count()).toBeGreaterThan(0);
    await ui.page.getByTestId('nav-notifications').click();
    await expect.poll(() => ui.page.getByTestId('notification-item').count()).toBe(5);
    expect(leaks(await pageText())).toEqual([]);
    await ui.page.getByTestId('nav-notifications').click();
    // Statuses and error codes stay readable.
    const feed = await ui.page.getByTestId('feed').textContent().catch(() => null) ?? await ui.page.locator('body').innerText();
    expect(feed).toContain('131026');

    const ana = await eventsOf(ANA);
    for (const messageId of ['wamid.ANA1', 'wamid.OUT1', 'SMana1', 'wamid.ANA2']) {
      const ev = ana.find((e) => e.messageId === messageId)!;
      await ui.page.locator(`[data-testid="event-row"][data-event-id="${ev.id}"]`).click();
      await ui.page.getByTestId('tab-summary').waitFor();
      for (const tab of ['summary', 'payload', 'raw', 'lifecycle', 'conversation']) {
        await ui.page.getByTestId(`tab-${tab}`).click();
        await ui.page.getByTestId(`panel-${tab}`).waitFor();
        if (tab === 'conversation') await ui.page.getByTestId('conversation').waitFor();
        if (tab === 'payload') await ui.page.getByTestId('json-tree').first().waitFor();
        expect(leaks(await pageText()), `${messageId} ${tab}`).toEqual([]);
      }
      // Message ids are pseudonyms too (a Meta id encodes the customer's number).
      await ui.page.getByTestId('tab-summary').click();
      expect(await ui.page.getByTestId('panel-summary').textContent()).not.toContain(messageId);
      expect(await ui.page.getByTestId('summary-message-id').textContent()).toBeTruthy();
    }

    // The Filter button puts the real number in the contact filter: it is dotted out on screen.
    await ui.page.getByTestId('panel-summary').getByRole('button', { name: 'Filter' }).click();
    await expect.poll(() => new URL(ui.page.url()).searchParams.get('contact')).toBe(ANA.number);
    expect(await ui.page.getByLabel('Contact number').getAttribute('type')).toBe('password');
    expect(leaks(await ui.page.evaluate<string>('document.body.innerText'))).toEqual([]);
    await ui.page.getByLabel('Contact number').fill('');
    await expect.poll(() => new URL(ui.page.url()).searchParams.get('contact')).toBe(null);

    // Persisted: still on after a reload.
    await ui.page.reload();
    await expect.poll(() => rows().count(), { timeout: 10_000 }).toBe(6);
    expect(await ui.page.getByTestId('privacy-toggle').getAttribute('aria-pressed')).toBe('true');
    expect(leaks(await pageText())).toEqual([]);
    // Not while typing in a text field: Shift+P there is just a capital P.
    await ui.page.getByTestId('search').focus();
    await ui.page.keyboard.press('Shift+P');
    expect(await ui.page.getByTestId('privacy-toggle').getAttribute('aria-pressed')).toBe('true');
    await ui.page.getByTestId('search').fill('');
    expect(ui.pageErrors).toEqual([]);
  });

  it('the Tools panel exports redacted (the default while privacy mode is on)', async () => {
    await ui.page.getByTestId('nav-tools').click();
    await ui.page.getByTestId('tools-panel').waitFor();
    expect(await ui.page.getByTestId('export-redact').isChecked()).toBe(true);
    for (const format of ['ndjson', 'csv', 'har']) {
      const [download] = await Promise.all([ui.page.waitForEvent('download'), ui.page.getByTestId(`export-${format}`).click()]);
      expect(download.suggestedFilename()).toContain('-redacted');
      const text = readFileSync((await download.path())!, 'utf8');
      expect(text).not.toContain('wamid.ANA1');
      expect(leaks(text), format).toEqual([]);
    }
    // Unticked: the full export (the user's choice), which does hold them.
    await ui.page.getByTestId('export-redact').uncheck();
    const [full] = await Promise.all([ui.page.waitForEvent('download'), ui.page.getByTestId('export-ndjson').click()]);
    expect(leaks(readFileSync((await full.path())!, 'utf8')).length).toBeGreaterThan(0);
    await ui.page.keyboard.press('Escape');
  });

  it('forgets a contact from the inspector after showing the counts; searches find nothing of them, others stay', async () => {
    await ui.page.locator('body').press('Shift+P'); // privacy off
    await expect.poll(() => ui.page.getByTestId('privacy-toggle').getAttribute('aria-pressed')).toBe('false');
    const ev = (await eventsOf(ANA)).find((e) => e.messageId === 'wamid.ANA1')!;
    await ui.page.locator(`[data-testid="event-row"][data-event-id="${ev.id}"]`).click();
    await ui.page.getByTestId('tab-summary').click();
    await ui.page.getByTestId('forget-contact-start').first().click();
    await ui.page.getByTestId('forget-contact-confirm').waitFor();
    expect(await ui.page.getByTestId('forget-contact-counts').textContent()).toContain('4 events, 3 requests, 1 shared request edited');
    // The confirmation says what the rewrite after the erase costs (new webhooks wait meanwhile).
    expect(await ui.page.getByTestId('forget-contact-cost').textContent()).toMatch(/\(\d+ MB\) is rewritten .*(under a second|about \d+ (seconds|minutes))/);
    await ui.page.getByTestId('forget-contact-confirm-button').click();
    await expect.poll(() => rows().count(), { timeout: 10_000 }).toBe(2);
    expect(leaks(await pageText(), [ANA])).toEqual([]);

    for (const q of [ANA.number, ANA.name.split(' ')[1], ANA.words.split(' ')[0]]) {
      await ui.page.getByTestId('search').fill(q);
      await expect.poll(() => new URL(ui.page.url()).searchParams.get('q')).toBe(q);
      await expect.poll(() => ui.page.getByTestId('counts').textContent(), { timeout: 5000 }).toMatch(/^0\s*events/);
      expect((await ui.api<EventPage>(`/api/events?q=${encodeURIComponent(q)}`)).body.total, q).toBe(0);
    }
    for (const p of [BRUNO, CARLA]) {
      await ui.page.getByTestId('search').fill(p.words.split(' ')[0]);
      await expect.poll(() => rows().first().textContent(), { timeout: 5000 }).toContain(p.name);
      expect(await rows().count()).toBe(1);
    }
    await ui.page.getByTestId('search').fill('');
    expect(ui.pageErrors).toEqual([]);
  });
});
