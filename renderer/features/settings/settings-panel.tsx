// The Settings panel: forward targets, forward timeout, retention, body limit, the rejected log's limits.
// Errors — ours before sending, the core's after — appear next to the field they concern.
import { useEffect, useState } from 'react';
import { useApp, useAppStore } from '../../state/hooks';
import { SecretStorageNotice } from './secret-storage-notice';
import { buildSettingsUpdate, formFromSettings, parseValidationMessage, type SettingsForm } from './settings-form';
import { AppearanceSection, UiTokenSection } from './appearance-token';
import { TeamServerSection } from './team-server';
import { AcceptUnsignedSwitch } from './accept-unsigned';
import { BusinessNamesSection } from './business-names';

export function SettingsPanel() {
  return (
    <>
      <AppearanceSection />
      <AcceptUnsignedSwitch />
      <StoredSettings />
      <UiTokenSection />
      <TeamServerSection />
      <BusinessNamesSection />
    </>
  );
}

function StoredSettings() {
  const store = useAppStore();
  const settings = useApp((s) => s.settings);
  const canAdmin = useApp((s) => s.identity?.role !== 'viewer');
  const [form, setForm] = useState<SettingsForm | null>(() => (settings ? formFromSettings(settings) : null));
  const [dirty, setDirty] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string[]>([]);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);

  // Follow the stored settings until the user starts editing.
  useEffect(() => {
    if (settings && !dirty) setForm(formFromSettings(settings));
  }, [settings, dirty]);

  if (!form) return <p className="muted">Loading settings…</p>;

  const change = (patch: Partial<SettingsForm>) => {
    setForm({ ...form, ...patch });
    setDirty(true);
    setSaved(false);
  };
  const setTarget = (i: number, v: string) => change({ forwardTargets: form.forwardTargets.map((t, j) => (j === i ? v : t)) });

  const save = async () => {
    const { update, errors: local } = buildSettingsUpdate(form);
    if (Object.keys(local).length) {
      setErrors(local as Record<string, string>);
      setGeneral([]);
      return;
    }
    setBusy(true);
    const r = await store.getState().updateSettings(update);
    setBusy(false);
    if (r.ok) {
      setErrors({});
      setGeneral([]);
      setDirty(false);
      setSaved(true);
    } else {
      const parsed = parseValidationMessage(r.error);
      setErrors(parsed.fields);
      setGeneral(parsed.general.length || Object.keys(parsed.fields).length ? parsed.general : [r.error]);
    }
  };
  const err = (key: string) => (errors[key] ? <div className="field-error" role="alert" data-testid={`error-${key}`}>{errors[key]}</div> : null);

  return (
    <form className="settings-panel" data-testid="settings-panel" onSubmit={(ev) => { ev.preventDefault(); void save(); }}>
      {!canAdmin && <p className="notice" data-testid="settings-view-only">View only: an admin of this team server changes these.</p>}
      {/* A viewer sees the settings but cannot change them (the server refuses it too). */}
      <fieldset className="bare-fieldset" disabled={!canAdmin}>
      <SecretStorageNotice />
      <section className="panel-section">
        <h3 className="section-title">Forward targets</h3>
        <p className="muted small">Every webhook is also sent, as received, to these handlers (your app on localhost, say). The provider still gets Hookscope's answer.</p>
        {form.forwardTargets.length === 0 && <p className="muted small" data-testid="no-forward-targets">No targets: webhooks are only stored.</p>}
        {form.forwardTargets.map((t, i) => (
          <div key={i}>
            <div className="panel-row">
              <input className="input grow" value={t} placeholder="http://localhost:3000/webhook" aria-label={`Forward target ${i + 1}`}
                onChange={(ev) => setTarget(i, ev.target.value)} data-testid="forward-target-input" />
              <button type="button" className="btn btn-xs btn-ghost" aria-label={`Remove target ${i + 1}`}
                onClick={() => change({ forwardTargets: form.forwardTargets.filter((_, j) => j !== i) })} data-testid="forward-target-remove">Remove</button>
            </div>
            {err(`forwardTargets.${i}`)}
          </div>
        ))}
        {err('forwardTargets')}
        <button type="button" className="btn btn-xs" disabled={form.forwardTargets.length >= 10}
          onClick={() => change({ forwardTargets: [...form.forwardTargets, ''] })} data-testid="forward-target-add">Add target</button>
        <NumberField label="Forward timeout (ms)" value={form.forwardTimeoutMs} onChange={(v) => change({ forwardTimeoutMs: v })} testId="forward-timeout" hint="100 to 120000." />
        {err('forwardTimeoutMs')}
      </section>

      <section className="panel-section">
        <h3 className="section-title">Retention</h3>
        <NumberField label="Keep for (days)" value={form.retentionDays} onChange={(v) => change({ retentionDays: v })} testId="retention-days" hint="Empty: keep forever. New installs keep 30 days: messages are customers' personal data." />
        {err('retention.days')}
        <NumberField label="Keep at most (events)" value={form.retentionMaxEvents} onChange={(v) => change({ retentionMaxEvents: v })} testId="retention-max" hint="Empty: no limit. At least 100." />
        {err('retention.maxEvents')}
      </section>

      <section className="panel-section">
        <h3 className="section-title">Privacy</h3>
        <label className="panel-row form-row">
          <input type="checkbox" checked={form.hideNotificationText === true} onChange={(ev) => change({ hideNotificationText: ev.target.checked })} data-testid="hide-notification-text" />
          <span>Hide message text in desktop notifications (they can show on a locked screen)</span>
        </label>
        <p className="muted small">Privacy mode (top bar, Shift+P) masks names, numbers and message text on screen.</p>
      </section>

      <section className="panel-section">
        <h3 className="section-title">Receiver</h3>
        <NumberField label="Body limit (KiB)" value={form.bodyLimitKiB} onChange={(v) => change({ bodyLimitKiB: v })} testId="body-limit" hint="Larger bodies are answered 413. 1 KiB to 64 MiB." />
        {err('bodyLimitBytes')}
      </section>

      {(form.rejectedLogMiB !== undefined || form.rejectedPerMinute !== undefined || form.diskFloorMiB !== undefined) && (
        <section className="panel-section" data-testid="settings-rejected">
          <h3 className="section-title">Rejected requests</h3>
          <p className="muted small">What strangers may cost: requests the receiver refuses (bad signature, wrong path…) are kept for diagnosis in the Rejected view, within these limits. Accepted webhooks are never limited.</p>
          {form.rejectedLogMiB !== undefined && (
            <>
              <NumberField label="Rejected log size (MiB)" value={form.rejectedLogMiB} onChange={(v) => change({ rejectedLogMiB: v })} testId="rejected-log-mib" inputMode="decimal"
                hint="Past it, the oldest rejected requests go first. 0.0625 (64 KiB) to 16384. Default 64." />
              {err('rejectedLogBytes')}
            </>
          )}
          {form.rejectedPerMinute !== undefined && (
            <>
              <NumberField label="Rejected requests kept per source (per minute)" value={form.rejectedPerMinute} onChange={(v) => change({ rejectedPerMinute: v })} testId="rejected-per-minute"
                hint="Beyond it, that address's refused requests are answered 429 and not stored. 1 to 100,000. Default 60." />
              {err('rejectedPerMinute')}
            </>
          )}
          {form.diskFloorMiB !== undefined && (
            <>
              <NumberField label="Keep free on disk (MiB)" value={form.diskFloorMiB} onChange={(v) => change({ diskFloorMiB: v })} testId="disk-floor-mib" inputMode="decimal"
                hint="With less free space, rejected requests are answered but not stored. 0 turns this off. Default 256." />
              {err('diskFloorBytes')}
            </>
          )}
        </section>
      )}

      {general.map((g, i) => <div key={i} className="notice notice-error" role="alert" data-testid="settings-error">{g}</div>)}
      <div className="panel-row">
        <button type="submit" className="btn" disabled={busy || !dirty} data-testid="settings-save">{busy ? 'Saving…' : 'Save'}</button>
        {dirty && settings && (
          <button type="button" className="btn btn-ghost" onClick={() => { setForm(formFromSettings(settings)); setDirty(false); setErrors({}); setGeneral([]); }}>Discard changes</button>
        )}
        {saved && <span className="muted small" data-testid="settings-saved">Saved.</span>}
      </div>
      </fieldset>
    </form>
  );
}

function NumberField({ label, value, onChange, testId, hint, inputMode = 'numeric' }: { label: string; value: string; onChange(v: string): void; testId: string; hint?: string; inputMode?: 'numeric' | 'decimal' }) {
  return (
    <label className="panel-row form-row">
      <span className="panel-label">{label}</span>
      <input className="input num-input" inputMode={inputMode} value={value} onChange={(ev) => onChange(ev.target.value)} data-testid={testId} />
      {hint && <span className="muted small">{hint}</span>}
    </label>
  );
}
