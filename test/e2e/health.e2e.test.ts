// The Health panel in real Chromium against the real `serve`: a check turned on and given its threshold
// from the panel, a failure spike from signed status webhooks makes it fire, the panel shows it firing
// with its chart against the threshold and its history, and "Show the events" filters the feed to them.
import { expect, it } from 'vitest';
import { AxeBuilder } from '@axe-core/playwright';
import { describeE2E, useE2E, type E2E } from '../helpers/e2e';
import { SIGNED, statusBody } from '../helpers/fixtures';
import { postSignedMeta } from '../helpers/serve';

const SECRET = SIGNED.secret;

let ui: E2E;

const post = (body: string) => postSignedMeta(ui, body);

const tid = (id: string) => ui.page.getByTestId(id);

describeE2E('Health panel in Chromium against serve', () => {
  ui = useE2E({ env: { META_APP_SECRET: SECRET, META_VERIFY_TOKEN: 'e2e-verify' }, page: { timeout: 15_000 } });

  it('turns a check on with its threshold, shows it firing with its chart and history, and its events one click away', async () => {
    await tid('nav-health').click();
    const check = tid('health-failure-rate');
    await check.waitFor();
    expect(await check.getAttribute('data-state')).toBe('off');

    await check.getByTestId('health-toggle').click();
    await expect.poll(() => check.getAttribute('data-state'), { timeout: 15_000 }).toBe('ok');
    await check.getByTestId('health-edit').click();
    await check.getByTestId('health-param-percent').fill('50');
    await check.getByTestId('health-param-minSent').fill('2');
    await check.getByTestId('health-save').click();
    await expect.poll(() => check.getByTestId('health-params').textContent(), { timeout: 15_000 }).toMatch(/fire at \(per cent\) 50 .*at least \(messages\) 2/);

    // Two messages sent, both failed, one delivered elsewhere: 2 of 3 failed.
    await post(statusBody('meta/status-read.json', 'wamid.HEALTH1', 'sent'));
    await post(statusBody('meta/status-read.json', 'wamid.HEALTH2', 'sent'));
    await post(statusBody('meta/status-read.json', 'wamid.HEALTH3', 'delivered'));
    await post(statusBody('meta/status-failed.json', 'wamid.HEALTH1'));
    await post(statusBody('meta/status-failed.json', 'wamid.HEALTH2'));

    // The panel reads the checks again as the events arrive.
    await expect.poll(() => check.getAttribute('data-state'), { timeout: 30_000 }).toBe('firing');
    expect(await check.getByTestId('health-state').textContent()).toMatch(/^firing since /);
    expect(await check.getByTestId('health-summary').textContent()).toMatch(/^2 of 3 messages failed on number 106540352242922 in the last 15 min \(66\.7 %\): \d+ ×2$/);

    // The chart: the watched rate's line, ending at the current value, and the threshold's line.
    const chart = check.getByTestId('health-chart');
    const points = (await chart.locator('polyline').getAttribute('points'))!.split(' ');
    expect(points).toHaveLength(24);
    const y = (p: string) => Number(p.split(',')[1]);
    expect(y(points[23])).toBeLessThan(y(points[0])); // higher on screen now than at the start
    expect(await chart.getByTestId('health-threshold').count()).toBe(1);
    expect(await chart.locator('svg').getAttribute('aria-label')).toMatch(/now 66\.7 %, fires at 50 %/);
    expect(await check.getByTestId('health-history').locator('summary').textContent()).toBe('Fired once');

    // No axe-core violation in either theme, with a firing check, its chart and its thresholds open.
    await check.getByTestId('health-edit').click();
    for (const colorScheme of ['light', 'dark'] as const) {
      await ui.page.emulateMedia({ colorScheme });
      const axe = await new AxeBuilder({ page: ui.page }).include('[data-testid="panel-health"]').options({ resultTypes: ['violations'] }).analyze();
      expect(axe.violations.map((v) => `${colorScheme}: ${v.id} ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`)).toEqual([]);
    }

    // The events behind it: the feed shows the failed statuses only.
    await check.getByTestId('health-events').click();
    await expect.poll(() => tid('panel-health').count()).toBe(0);
    await expect.poll(() => ui.page.getByTestId('event-row').count(), { timeout: 15_000 }).toBe(2);
    const rows = await ui.page.getByTestId('event-row').allTextContents();
    expect(rows.every((r) => /failed/i.test(r))).toBe(true);
    expect(new URL(ui.page.url()).searchParams.get('status')).toBe('failed');

    // Firing was notified as Hookscope's own notification.
    const { body } = await ui.api<{ items: { title: string; ruleId: number }[] }>('/api/notifications');
    expect(body.items.filter((n) => n.ruleId === 0).map((n) => n.title)).toEqual(['Failure rate 66.7 % on number 106540352242922 over the last 15 minutes']);
    expect(ui.pageErrors).toEqual([]);
  }, 180_000);
});
