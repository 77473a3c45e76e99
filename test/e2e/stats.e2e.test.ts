// The Stats panel in real Chromium against the real `serve`: funnel counts and rates, failures by
// error code (explained) and the per-minute chart from signed status webhooks posted with fetch,
// refreshed live while the panel is open; the window selector; no page errors.
import { expect, it } from 'vitest';
import { describeE2E, useE2E, type E2E } from '../helpers/e2e';
import { SIGNED, statusBody } from '../helpers/fixtures';
import { postSignedMeta } from '../helpers/serve';

const SECRET = SIGNED.secret;

let ui: E2E;

const post = (body: string) => postSignedMeta(ui, body);

const status = (id: string, s: 'sent' | 'delivered' | 'read') => post(statusBody('meta/status-read.json', id, s));
const failed = (id: string) => post(statusBody('meta/status-failed.json', id));

const tid = (id: string) => ui.page.getByTestId(id);
const text = (id: string) => tid(id).textContent({ timeout: 5000 });

describeE2E('stats panel in Chromium against serve', () => {
  ui = useE2E({ env: { META_APP_SECRET: SECRET, META_VERIFY_TOKEN: 'e2e-verify' }, page: { timeout: 8000 } });

  it('starts empty', async () => {
    await tid('nav-stats').click();
    await tid('stats-funnel').waitFor();
    expect(await text('funnel-sent-count')).toBe('0');
    expect(await text('funnel-delivered-rate')).toBe('— of sent');
    expect(await tid('stats-failures').textContent()).toContain('No failed messages');
    expect(await tid('chart-bar').count()).toBe(0);
    expect(await tid('latency-empty').count()).toBe(1);
  });

  it('counts the funnel from real posted statuses, live while the panel is open', async () => {
    await status('wamid.A', 'sent');
    await status('wamid.A', 'delivered');
    await status('wamid.A', 'read');
    await status('wamid.B', 'sent');
    await status('wamid.B', 'delivered');
    await status('wamid.C', 'sent');
    await failed('wamid.D');
    await expect.poll(() => text('funnel-sent-count'), { timeout: 10_000 }).toBe('3');
    await expect.poll(() => text('funnel-failed-count'), { timeout: 10_000 }).toBe('1');
    expect(await text('funnel-delivered-count')).toBe('2');
    expect(await text('funnel-read-count')).toBe('1');
    expect(await text('funnel-delivered-rate')).toBe('66.7 % of sent');
    expect(await text('funnel-read-rate')).toBe('50.0 % of delivered');
    expect(await text('funnel-failed-rate')).toBe('25.0 % of all');
    expect(await tid('stats-funnel').textContent()).toContain('4 outgoing messages');
  });

  it('explains failures by error code and charts events per minute', async () => {
    const row = tid('failure-row');
    await row.first().waitFor();
    expect(await row.count()).toBe(1);
    const t = (await row.textContent())!;
    expect(t).toContain('131047');
    expect(t).toMatch(/re-engagement/i);
    // The 7-day window is the slowest read: a loaded machine takes longer than the default wait.
    await expect.poll(() => text('stats-total'), { timeout: 20_000 }).toMatch(/^7 events/);
    expect(await tid('chart-bar').count()).toBeGreaterThanOrEqual(1);
  });

  it('the chart is readable: bars sized to the window, both axes labelled, the value on hover', async () => {
    // 24 h: one bar per hour (24 or 25 columns, by where the hour boundary falls), labelled y axis.
    expect(await text('stats-total')).toContain('one bar per 1 h');
    expect([24, 25]).toContain(await tid('chart-slot').count());
    const yLabels = await tid('chart-y-label').allTextContents();
    expect(yLabels[0]).toBe('0');
    expect((await tid('chart-x-label').allTextContents()).every((l) => /^\d{2}:\d{2}$/.test(l))).toBe(true);
    // The bars carry the seven events between them, and hovering one says its span and count.
    const counts = (await tid('chart-bar').evaluateAll((els) => els.map((e) => Number((e as unknown as { dataset: { count: string } }).dataset.count))));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(7);
    expect(Number(yLabels.at(-1))).toBeGreaterThanOrEqual(Math.max(...counts));
    const bar = tid('chart-bar').last();
    const n = await bar.getAttribute('data-count');
    await bar.hover();
    await expect.poll(() => text('chart-tooltip')).toMatch(new RegExp(`^\\d{2}:\\d{2}–\\d{2}:\\d{2}: ${n} events?`));
    // 1 h: two-minute bars.
    await tid('stats-window-1h').click();
    await expect.poll(() => text('stats-total')).toContain('one bar per 2 min');
    expect([30, 31]).toContain(await tid('chart-slot').count());
    await tid('stats-window-24h').click();
    await expect.poll(() => text('stats-total')).toContain('one bar per 1 h');
  });

  it('switches windows; the same events count in 1 h and 7 d', async () => {
    await tid('stats-window-1h').click();
    expect(await tid('stats-window-1h').getAttribute('aria-pressed')).toBe('true');
    await expect.poll(() => text('funnel-sent-count')).toBe('3');
    await tid('stats-window-7d').click();
    await expect.poll(() => text('funnel-read-count')).toBe('1');
    // The 7-day window is the slowest read: a loaded machine takes longer than the default wait.
    await expect.poll(() => text('stats-total'), { timeout: 20_000 }).toMatch(/^7 events/);
  });

  it('had no page errors', () => {
    expect(ui.pageErrors).toEqual([]);
  });
});
