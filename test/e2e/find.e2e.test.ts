// Finding a webhook in real Chromium against the real `serve`: search by error code, a field filter typed
// and one made by clicking a payload value, timing columns, a link to one event opened in a new page, a
// saved view kept across a restart and opened by its link, business numbers, and the keyboard path.
import { createHmac } from 'node:crypto';
import { expect, it } from 'vitest';
import { describeE2E, useE2E, type E2E } from '../helpers/e2e';

const SECRET = 'find-e2e-secret';
let ui: E2E;

const wrap = (value: unknown, phoneNumberId = '1234') => JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: 'WABA1', changes: [{ field: 'messages', value: {
  messaging_product: 'whatsapp', metadata: { display_phone_number: '15550001111', phone_number_id: phoneNumberId }, ...(value as object) } }] }] });
const incoming = (id: string, from: string, text: string, extra: object = {}, phone = '1234') => wrap({
  contacts: [{ profile: { name: `C${from.slice(-2)}` }, wa_id: from }],
  messages: [{ from, id, timestamp: '1764400000', type: 'text', text: { body: text }, ...extra }],
}, phone);
const failed = (id: string, to: string, code: number, title: string) => wrap({
  statuses: [{ id, status: 'failed', timestamp: '1764400100', recipient_id: to, errors: [{ code, title }] }],
});

async function post(body: string) {
  const res = await fetch(`${ui.receiverUrl}/meta`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}` }, body });
  await res.arrayBuffer();
  expect(res.status).toBe(200);
}

const tid = (id: string) => ui.page.getByTestId(id);
const rows = () => ui.page.getByTestId('event-row');
const focused = () => ui.page.evaluate('document.activeElement?.getAttribute("data-testid") ?? null');

async function open(url: string) {
  await ui.page.goto(url);
  await tid('top-bar').waitFor();
}

describeE2E('find any webhook', () => {
  ui = useE2E({
    env: { META_APP_SECRET: SECRET },
    seed: async () => {
      await post(incoming('wamid.LEAD1', '5511900000001', 'hi from the ad', { referral: { source_id: '120208111', source_type: 'ad', source_url: 'https://fb.me/a' } }));
      await post(incoming('wamid.LEAD2', '5511900000002', 'another ad', { referral: { source_id: '120208222', source_type: 'ad', source_url: 'https://fb.me/b' } }, '5678'));
      await post(incoming('wamid.PLAIN', '5511900000003', 'plain hello'));
      await post(failed('wamid.FAIL1', '5511900000004', 131047, 'Re-engagement message'));
      await post(failed('wamid.FAIL2', '5511900000005', 131026, 'Message undeliverable'));
    },
    page: {
      viewport: { width: 1500, height: 900 },
      // The fifth row appears (a locator wait, not page.waitForFunction: its in-page polling evaluates a
      // string, which the UI's CSP — no 'unsafe-eval' — refuses whenever the first check is false).
      ready: (page) => page.locator('[data-testid="event-row"]').nth(4).waitFor({ timeout: 30_000 }),
    },
  });

  it('searches by error code, and the keyboard goes from the search into the results and back without the mouse', async () => {
    await ui.page.keyboard.press('/');
    await expect.poll(() => focused()).toBe('search');
    await ui.page.keyboard.type('131047');
    await expect.poll(() => rows().count()).toBe(1);
    await expect.poll(() => rows().first().textContent()).toContain('Re-engagement');
    // Enter moves into the results: a row has focus, not the page body.
    await ui.page.keyboard.press('Enter');
    await expect.poll(() => focused()).toBe('event-row');
    // Back to the search, Esc clears it (focus stays), a second Esc returns to the grid.
    await ui.page.keyboard.press('/');
    await ui.page.keyboard.press('Escape');
    await expect.poll(() => tid('search').inputValue()).toBe('');
    await expect.poll(() => rows().count()).toBe(5);
    await expect.poll(() => focused()).toBe('search');
    await ui.page.keyboard.press('Escape');
    await expect.poll(() => focused()).toBe('event-row');
    // ? lists every shortcut.
    await ui.page.keyboard.press('?');
    await expect.poll(() => tid('shortcuts').textContent()).toContain('Focus the search');
    await ui.page.keyboard.press('Escape');
    await expect.poll(() => tid('shortcuts').count()).toBe(0);
  });

  it('filters on a typed field, says what is wrong with a bad one, and keeps it in the URL', async () => {
    const input = tid('field-filter-input');
    await input.fill('raw.referral.source_id>abc');
    await input.press('Enter');
    await expect.poll(() => tid('field-filter-error').textContent()).toContain('is not a number');
    await input.fill('raw.referral.source_id=120208111');
    await input.press('Enter');
    await expect.poll(() => rows().count()).toBe(1);
    await expect.poll(() => rows().first().textContent()).toContain('hi from the ad');
    expect(decodeURIComponent(ui.page.url())).toContain('where=raw.referral.source_id=120208111');
    await ui.page.getByRole('button', { name: 'Remove field filter raw.referral.source_id=120208111' }).click();
    await expect.poll(() => rows().count()).toBe(5);
  });

  it('makes a field filter by clicking a value in the inspector tree, and excludes one', async () => {
    await rows().filter({ hasText: 'Re-engagement' }).click();
    await tid('tab-payload').click();
    await ui.page.locator('summary', { hasText: 'The provider object this event came from' }).click();
    const line = tid('raw-json-tree').locator('.json-line', { hasText: '131047' });
    await line.hover();
    await line.getByTestId('tree-filter').click();
    await expect.poll(() => tid('field-filter-chip').textContent()).toBe('raw.errors.0.code=131047×');
    await expect.poll(() => rows().count()).toBe(1);
    // Exclude instead: every event but that one.
    await ui.page.getByRole('button', { name: 'Remove field filter raw.errors.0.code=131047' }).click();
    await expect.poll(() => rows().count()).toBe(5);
    await line.hover();
    await line.getByTestId('tree-exclude').click();
    await expect.poll(() => rows().count()).toBe(4);
    await ui.page.getByRole('button', { name: 'Remove field filter raw.errors.0.code!=131047' }).click();
    await expect.poll(() => rows().count()).toBe(5);
    await ui.page.keyboard.press('Escape');
  });

  it('a field filter holding a right-to-left override shows it as a marker, never acting on the chip', async () => {
    await tid('field-filter-input').fill('raw.document.filename=\u202Egnp.exe\u202C');
    await tid('field-filter-input').press('Enter');
    await expect.poll(() => tid('field-filter-chip').textContent()).toBe('raw.document.filename=⟨RLO⟩gnp.exe⟨PDF⟩×');
    expect(await tid('field-filter-chip').textContent()).not.toMatch(/[\u202A-\u202E]/);
    await expect.poll(() => rows().count()).toBe(0);
    await ui.page.getByRole('button', { name: 'Remove field filter raw.document.filename=⟨RLO⟩gnp.exe⟨PDF⟩' }).click();
    await expect.poll(() => rows().count()).toBe(5);
  });

  it('in privacy mode a filter made by clicking a customer\'s number shows no number, and still filters on it', async () => {
    await rows().filter({ hasText: 'plain hello' }).click();
    await tid('tab-payload').click();
    await ui.page.locator('summary', { hasText: 'The provider object this event came from' }).click();
    const line = tid('raw-json-tree').locator('.json-line', { hasText: '5511900000003' });
    await line.hover();
    await line.getByTestId('tree-filter').click();
    await expect.poll(() => tid('field-filter-chip').textContent()).toBe('raw.from=5511900000003×');
    await expect.poll(() => rows().count()).toBe(1);
    await ui.page.keyboard.press('Escape');
    await ui.page.locator('body').click({ position: { x: 5, y: 5 } });
    await ui.page.keyboard.press('Shift+P');
    await expect.poll(() => ui.page.evaluate('document.documentElement.dataset.privacy')).toBe('on');
    // The chip shows the pseudonym the payload tree shows for that number; the feed keeps the one row.
    await expect.poll(() => tid('field-filter-chip').textContent()).not.toContain('900000003');
    expect(await tid('field-filter-chip').textContent()).toMatch(/^raw\.from=\S+×$/);
    expect(await tid('filter-bar').textContent().catch(() => '')).not.toContain('5511900000003');
    expect(await rows().count()).toBe(1);
    await ui.page.keyboard.press('Shift+P');
    await expect.poll(() => tid('field-filter-chip').textContent()).toBe('raw.from=5511900000003×');
    await ui.page.getByRole('button', { name: 'Remove field filter raw.from=5511900000003' }).click();
    await expect.poll(() => rows().count()).toBe(5);
  });

  it('shows the answer time and the HTTP status in optional columns', async () => {
    await tid('column-http').check();
    await tid('column-timing').check();
    await expect.poll(() => tid('cell-http').first().textContent()).toBe('200');
    await expect.poll(() => tid('cell-timing').first().textContent()).toMatch(/^\d+ ms$/);
    await tid('column-timing').uncheck();
    await tid('column-http').uncheck();
  });

  it('opens a link to one event on its tab in a new page', async () => {
    await rows().filter({ hasText: 'plain hello' }).click();
    await tid('tab-raw').click();
    await expect.poll(() => ui.page.url()).toMatch(/[?&]event=\d+&tab=raw/);
    await tid('event-link').click();
    const link = await tid('event-link-url').textContent();
    expect(link).toMatch(/[?&]event=\d+&tab=raw/);
    expect(link).not.toContain('token=');
    // A teammate has their own token; the link carries none.
    const other = await ui.openPage({ url: `${link}&token=${ui.token}`, ready: 'inspector' });
    try {
      await expect.poll(() => other.getByTestId('tab-raw').getAttribute('aria-selected')).toBe('true');
      await expect.poll(() => other.getByTestId('inspector').textContent()).toContain('plain hello');
    } finally { await other.close(); }
    await ui.page.keyboard.press('Escape');
  });

  it('saves a view, keeps it across a restart, opens it by its link, and filters by business number', async () => {
    await tid('search').fill('ad');
    await expect.poll(() => rows().count()).toBe(2);
    await tid('view-save').click();
    await tid('view-name').fill('Ad leads');
    await tid('view-save-confirm').click();
    await expect.poll(() => tid('saved-view-open').textContent()).toContain('Ad leads');
    // Restart serve on the same data dir.
    await ui.restart();
    const views = await ui.api<{ id: number; name: string }[]>('/api/views');
    expect(views.body.map((v) => v.name)).toEqual(['Ad leads']);
    await open(`${ui.uiBase}/?savedView=${views.body[0].id}&token=${ui.token}`);
    await expect.poll(() => tid('search').inputValue()).toBe('ad');
    await expect.poll(() => rows().count()).toBe(2);
    // Business numbers: two receiving numbers, one named, chosen in the filter bar.
    await ui.api('/api/businesses/5678', { method: 'PUT', body: JSON.stringify({ name: 'Support line' }) });
    await open(`${ui.uiBase}/?token=${ui.token}`);
    await tid('business-filter').selectOption({ label: 'Support line (5678)' });
    await expect.poll(() => rows().count()).toBe(1);
    await tid('column-business').check();
    await expect.poll(() => tid('cell-business').first().textContent()).toBe('Support line');
    expect(ui.pageErrors).toEqual([]);
  }, 120_000);

  it('a view\'s menu copies its link, which opens the view, and makes a rule that notifies of its new rows only', async () => {
    await open(`${ui.uiBase}/?token=${ui.token}`);
    const menu = ui.page.getByLabel('More for view Ad leads');
    await menu.click();
    await tid('saved-view-link').click();
    await expect.poll(() => tid('views-note').textContent()).toMatch(/^Link: http:\/\/127\.0\.0\.1:\d+\/\?savedView=\d+$/);
    const link = ((await tid('views-note').textContent()) ?? '').replace(/^Link: /, '');
    // The link carries no token: whoever opens it brings their own.
    expect(link).not.toContain('token');
    await open(`${link}&token=${ui.token}`);
    await expect.poll(() => tid('search').inputValue()).toBe('ad');

    await ui.page.getByLabel('More for view Ad leads').click();
    await tid('saved-view-notify').click();
    await expect.poll(() => tid('views-note').textContent()).toBe('A rule now notifies you of new rows in “Ad leads”.');
    const rules = (await ui.api<{ name: string; when: { text?: string } }[] | { items: { name: string; when: { text?: string } }[] }>('/api/rules')).body;
    const list = Array.isArray(rules) ? rules : rules.items;
    expect(list.filter((r) => r.name === 'New in view “Ad leads”').map((r) => r.when)).toEqual([{ text: 'ad' }]);
    // A new row of the view notifies; a message outside it does not.
    await post(incoming('wamid.LEAD3', '5511900000009', 'one more ad reply'));
    await post(incoming('wamid.PLAIN2', '5511900000008', 'plain goodbye'));
    const fired = async () => (await ui.api<{ items: { title: string }[] }>('/api/notifications')).body.items.map((n) => n.title);
    await expect.poll(fired, { timeout: 20_000 }).toContain('Ad leads: C09');
    await expect.poll(() => rows().count(), { timeout: 20_000 }).toBe(3);
    expect((await fired()).filter((t) => t.startsWith('Ad leads:'))).toEqual(['Ad leads: C09']);
    expect(ui.pageErrors).toEqual([]);
  }, 120_000);
});
