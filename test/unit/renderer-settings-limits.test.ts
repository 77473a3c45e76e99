// The Settings panel's trust-boundary limits: shown in MiB and per minute, sent as the core's bytes and
// counts, values set through the API round-trip untouched, and out-of-range input is refused per field
// before anything is sent.
import { describe, expect, it } from 'vitest';
import type { SettingsView } from '../../shared/types';
import { settingsUpdateSchema } from '../../shared/ipc';
import { buildSettingsUpdate, formFromSettings, mibText } from '../../renderer/features/settings/settings-form';

const MIB = 1024 * 1024;
const view: SettingsView = {
  secrets: { metaAppSecret: { set: true, count: 1 }, metaVerifyToken: { set: false }, twilioAuthToken: { set: false, count: 0 }, ngrokAuthtoken: { set: false } },
  forwardTargets: [], forwardTimeoutMs: 10_000, publicUrl: null, ngrokDomain: null,
  retention: { days: 30, maxEvents: null }, bodyLimitBytes: MIB,
  rejectedLogBytes: 64 * MIB, rejectedPerMinute: 60, diskFloorBytes: 256 * MIB,
};

describe('settings form: rejected-request limits', () => {
  it('shows the defaults in MiB and per minute, and sends them back as bytes and counts', () => {
    const form = formFromSettings(view);
    expect([form.rejectedLogMiB, form.rejectedPerMinute, form.diskFloorMiB]).toEqual(['64', '60', '256']);
    const { update, errors } = buildSettingsUpdate(form);
    expect(errors).toEqual({});
    expect(update).toMatchObject({ rejectedLogBytes: 64 * MIB, rejectedPerMinute: 60, diskFloorBytes: 256 * MIB });
    expect(settingsUpdateSchema.safeParse(update).success).toBe(true);
  });

  it('takes MiB with decimals; an odd byte count set through the API survives a save unchanged', () => {
    const form = { ...formFromSettings(view), rejectedLogMiB: '0.5', diskFloorMiB: '0' };
    expect(buildSettingsUpdate(form).update).toMatchObject({ rejectedLogBytes: MIB / 2, diskFloorBytes: 0 });
    const odd = formFromSettings({ ...view, rejectedLogBytes: 100_001, diskFloorBytes: 123_456_789 });
    expect(odd.rejectedLogMiB).toBe(mibText(100_001));
    expect(buildSettingsUpdate(odd).update).toMatchObject({ rejectedLogBytes: 100_001, diskFloorBytes: 123_456_789 });
  });

  it('refuses out-of-range or non-numeric limits per field, in the units shown', () => {
    const { errors, update } = buildSettingsUpdate({ ...formFromSettings(view), rejectedLogMiB: '0.01', rejectedPerMinute: '0', diskFloorMiB: '-5' });
    expect(Object.keys(errors).sort()).toEqual(['diskFloorBytes', 'rejectedLogBytes', 'rejectedPerMinute']);
    expect(errors.rejectedLogBytes).toMatch(/MiB/);
    expect(errors.rejectedPerMinute).toMatch(/per minute, 1 to 100,000/);
    expect(update.rejectedLogBytes).toBeUndefined();
    expect(buildSettingsUpdate({ ...formFromSettings(view), rejectedLogMiB: '16385' }).errors.rejectedLogBytes).toBeDefined();
    expect(buildSettingsUpdate({ ...formFromSettings(view), rejectedPerMinute: '2.5' }).errors.rejectedPerMinute).toBeDefined();
    expect(buildSettingsUpdate({ ...formFromSettings(view), rejectedPerMinute: '100001' }).errors.rejectedPerMinute).toBeDefined();
    expect(buildSettingsUpdate({ ...formFromSettings(view), rejectedLogMiB: '16384', rejectedPerMinute: '100000' }).errors).toEqual({});
  });

  it('leaves the limits out when the core did not say them', () => {
    const { rejectedLogBytes: _a, rejectedPerMinute: _b, diskFloorBytes: _c, ...older } = view;
    const { update } = buildSettingsUpdate(formFromSettings(older));
    expect('rejectedLogBytes' in update || 'rejectedPerMinute' in update || 'diskFloorBytes' in update).toBe(false);
  });
});
