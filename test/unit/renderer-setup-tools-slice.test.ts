// The tools slice through the fake bridge: doctor loading, settings updates (the core's error kept as
// text with its code), the current filter sent with bulk replay and desktop export, desktop detection.
import { describe, expect, it } from 'vitest';
import type { SettingsView } from '../../shared/types';
import { BridgeError, type AppBridge } from '../../renderer/state/bridge';
import { fakeBridge, type FakeHandlers } from '../helpers/fake-bridge';
import { createAppStore } from '../../renderer/state/store';

const view: SettingsView = {
  secrets: { metaAppSecret: { set: false, count: 0 }, metaVerifyToken: { set: true }, twilioAuthToken: { set: false, count: 0 }, ngrokAuthtoken: { set: false } },
  forwardTargets: [], forwardTimeoutMs: 5000, publicUrl: null, ngrokDomain: null, retention: { days: null, maxEvents: null }, bodyLimitBytes: 1 << 20,
};

/** The shared fake bridge on a transport, with these channels' answers. */
const fake = (transport: AppBridge['transport'], handlers: FakeHandlers) => fakeBridge({ transport, handlers });

describe('tools slice', () => {
  it('loads the doctor, with and without the self-check', async () => {
    const f = fake('http', { 'doctor:get': (a) => ({ findings: [{ id: a && a.selfCheck ? 'self-check-ok' : 'no-webhooks', level: 'info', title: 't', detail: 'd' }], firstRealWebhookAt: a && a.selfCheck ? 1_700_000_000_000 : null }) });
    const store = createAppStore(f.bridge, { now: () => 42 });
    expect(store.getState().isDesktop).toBe(false);
    await store.getState().loadDoctor();
    expect(store.getState().doctor).toEqual({ findings: [{ id: 'no-webhooks', level: 'info', title: 't', detail: 'd' }], loading: false, error: null, at: 42, fixed: [], firstRealWebhookAt: null });
    await store.getState().loadDoctor(true);
    expect(store.getState().doctor.findings[0].id).toBe('self-check-ok');
    // When the first real webhook arrived comes with the findings: the setup stepper ends with it.
    expect(store.getState().doctor.firstRealWebhookAt).toBe(1_700_000_000_000);
    expect(f.calls.map((c) => c.args)).toEqual([{}, { selfCheck: true }]);
  });

  it('keeps the doctor\'s error as text', async () => {
    const store = createAppStore(fake('http', {}).bridge);
    await store.getState().loadDoctor();
    expect(store.getState().doctor.error).toContain('no fake for doctor:get');
  });

  it('updates settings in the store, or answers the core\'s message and code', async () => {
    let fail = false;
    const f = fake('http', {
      'settings:update': (u) => {
        if (fail) throw new BridgeError('VALIDATION', 'forwardTimeoutMs: too small');
        return { ...view, forwardTimeoutMs: u.forwardTimeoutMs ?? view.forwardTimeoutMs };
      },
    });
    const store = createAppStore(f.bridge);
    expect(await store.getState().updateSettings({ forwardTimeoutMs: 900 })).toEqual({ ok: true, value: null });
    expect(store.getState().settings?.forwardTimeoutMs).toBe(900);
    fail = true;
    expect(await store.getState().updateSettings({ forwardTimeoutMs: 1 })).toEqual({ ok: false, error: 'forwardTimeoutMs: too small', code: 'VALIDATION' });
    expect(store.getState().settings?.forwardTimeoutMs).toBe(900);
  });

  it('sends the current filter with bulk replay and the desktop export; knows it is desktop over IPC', async () => {
    const f = fake('ipc', {
      'replay:filtered': () => ({ replayed: 2, failed: 0, results: [] }),
      'export:save': () => ({ saved: true, path: '/tmp/x.csv' }),
      'requests:curl': ({ requestId }) => ({ curl: `curl #${requestId}` }),
    });
    const store = createAppStore(f.bridge, { initialFilter: { status: ['failed'] } });
    expect(store.getState().isDesktop).toBe(true);
    expect(await store.getState().replayFiltered()).toMatchObject({ ok: true, value: { replayed: 2 } });
    expect(await store.getState().replayFiltered('http://localhost:1/h')).toMatchObject({ ok: true });
    expect(await store.getState().exportSave('csv')).toEqual({ ok: true, value: { saved: true, path: '/tmp/x.csv' } });
    expect(await store.getState().requestCurl(7)).toEqual({ ok: true, value: 'curl #7' });
    expect(f.calls.map((c) => c.args)).toEqual([
      { filter: { status: ['failed'] } },
      { filter: { status: ['failed'] }, target: 'http://localhost:1/h' },
      { format: 'csv', filter: { status: ['failed'] } },
      { requestId: 7 },
    ]);
  });
});
