// The trust boundary's limits, set from the Settings panel in real Chromium against the real `serve`:
// labelled fields in MiB and per minute, a refused value explained next to its field (and not saved), a
// saved value read back through the control API and enforced by the receiver.
import { expect, it } from 'vitest';
import { describeE2E, useE2E, type E2E } from '../helpers/e2e';

let ui: E2E;
const tid = (id: string) => ui.page.getByTestId(id);
const settings = async () => (await ui.api<{ rejectedLogBytes: number; rejectedPerMinute: number; diskFloorBytes: number }>('/api/settings')).body;

describeE2E('Settings: rejected-request limits', () => {
  ui = useE2E({ env: { META_APP_SECRET: 'limits-e2e-secret' }, page: { timeout: 8000 } });

  it('shows the limits in MiB and per minute, under their labels', async () => {
    await tid('nav-settings').click();
    await tid('settings-rejected').waitFor();
    expect(await ui.page.getByLabel('Rejected log size (MiB)').inputValue()).toBe('64');
    expect(await ui.page.getByLabel('Rejected requests kept per source (per minute)').inputValue()).toBe('60');
    expect(await ui.page.getByLabel('Keep free on disk (MiB)').inputValue()).toBe('256');
  });

  it('refuses an out-of-range value next to its field, and saves nothing', async () => {
    await tid('rejected-per-minute').fill('0');
    await tid('settings-save').click();
    await tid('error-rejectedPerMinute').waitFor();
    expect(await tid('error-rejectedPerMinute').textContent()).toMatch(/per minute, 1 to 100,000/);
    expect((await settings()).rejectedPerMinute).toBe(60);
  });

  it('a saved limit is what the API reads and what the receiver enforces', async () => {
    // Before: one source may have many requests refused and stored.
    for (let i = 0; i < 3; i++) {
      const r = await fetch(`${ui.receiverUrl}/before-${i}`, { method: 'POST', body: 'x' });
      await r.arrayBuffer();
      expect(r.status).toBe(404);
    }
    await tid('rejected-per-minute').fill('2');
    await tid('rejected-log-mib').fill('1.5');
    await tid('settings-save').click();
    await tid('settings-saved').waitFor();
    expect(await tid('error-rejectedPerMinute').count()).toBe(0);
    const s = await settings();
    expect(s.rejectedPerMinute).toBe(2);
    expect(s.rejectedLogBytes).toBe(1.5 * 1024 * 1024);
    expect(s.diskFloorBytes).toBe(256 * 1024 * 1024);
    // The bucket now holds 2: the third refused request from this address in the same minute is 429.
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await fetch(`${ui.receiverUrl}/after-${i}`, { method: 'POST', body: 'x' });
      await r.arrayBuffer();
      statuses.push(r.status);
    }
    expect(statuses.slice(-1)).toEqual([429]);
    // A reload shows what is stored.
    await ui.page.reload();
    await tid('top-bar').waitFor();
    // The open panel may survive the reload; open it only when it did not.
    if (!(await tid('panel-settings').count())) await tid('nav-settings').click();
    await tid('settings-rejected').waitFor();
    expect(await tid('rejected-per-minute').inputValue()).toBe('2');
    expect(await tid('rejected-log-mib').inputValue()).toBe('1.5');
  });

  it('had no page errors', () => {
    expect(ui.pageErrors).toEqual([]);
  });
});
