// The Setup panel: the doctor's verdict on top, the seven-step stepper (each step with its fix), the
// doctor's findings grouped by cause (with what was fixed), the reserved ngrok domain and the provider
// consoles' instructions.
import { useState } from 'react';
import type { SettingsUpdate } from '../../../shared/types';
import { useApp, useAppShallow, useAppStore } from '../../state/hooks';
import { formatDateTime } from '../../ui/format';
import { SecretStorageNotice } from '../settings/secret-storage-notice';
import { callbackBase } from './callback-url';
import { levelIcon, providerCallback } from './setup-helpers';
import { SetupStepper, useDoctorRefresh, useSetupSteps } from './setup-stepper';
import { groupFindings, verdict } from './setup-steps';
import { RetentionNote } from './setup-guide';
import { usePanel } from '../../state/panel-state';

export function SetupPanel() {
  useDoctorRefresh();
  return (
    <div className="setup-panel" data-testid="setup-panel">
      <DoctorVerdict />
      <SecretStorageNotice />
      <SetupStepper />
      <DoctorSection />
      <AddressSection />
      <InstructionsSection />
      <RetentionSection />
    </div>
  );
}

/** How long data is kept, visible where setup is checked; changed in Settings. */
function RetentionSection() {
  const days = useApp((s) => s.settings?.retention.days);
  if (days === undefined) return null;
  return (
    <section className="panel-section" data-testid="setup-retention">
      <h3 className="section-title">Retention</h3>
      <RetentionNote days={days} />
      <button type="button" className="btn btn-xs" onClick={() => usePanel.getState().open('settings')}>Change in Settings</button>
    </section>
  );
}

function DoctorVerdict() {
  const store = useAppStore();
  const doctor = useApp((s) => s.doctor);
  const steps = useSetupSteps();
  const [selfChecking, setSelfChecking] = useState(false);
  const v = verdict(doctor.findings, steps);
  return (
    <section className={`verdict level-${v.level}`} data-testid="doctor-verdict" data-level={v.level} aria-live="polite">
      <div className="panel-row">
        <span className={`level-pill level-${v.level}`} aria-hidden="true">{levelIcon(v.level)}</span>
        <strong data-testid="verdict-title">{doctor.at == null ? 'Checking your setup…' : v.title}</strong>
        <span className="spacer" />
        <button type="button" className="btn btn-xs" data-testid="doctor-self-check" disabled={selfChecking}
          title="Calls GET /meta through the public URL, as Meta would" onClick={async () => {
            setSelfChecking(true);
            await store.getState().loadDoctor(true);
            setSelfChecking(false);
          }}>{selfChecking ? 'Running…' : 'Run self-check'}</button>
      </div>
      {doctor.at != null && <p className="verdict-detail small" data-testid="verdict-detail">{v.detail}</p>}
      {doctor.error && <div className="notice notice-error">Could not run the doctor: {doctor.error}</div>}
    </section>
  );
}

function DoctorSection() {
  const doctor = useApp((s) => s.doctor);
  const groups = groupFindings(doctor.findings, doctor.fixed);
  return (
    <section className="panel-section" data-testid="setup-doctor">
      <div className="panel-row">
        <h3 className="section-title">Setup doctor</h3>
        <span className="spacer" />
        {doctor.loading && <span className="muted small">checking…</span>}
      </div>
      <ul className="findings" data-testid="doctor-findings">
        {groups.map((g) => (
          <li key={g.cause} className={`finding cause level-${g.level}`} data-testid="doctor-cause" data-cause={g.cause} data-level={g.level}>
            <span className={`level-pill level-${g.level}`} aria-label={g.level}>{levelIcon(g.level)}</span>
            <div className="finding-body">
              <div className="finding-title">{g.title}</div>
              <ul className="cause-findings">
                {g.findings.map((f) => (
                  <li key={f.id} className={`cause-finding level-${f.level}`} data-testid="doctor-finding" data-finding-id={f.id} data-level={f.level}>
                    <div className="finding-subtitle"><span className="sr-only">{f.level}: </span>{f.title}</div>
                    <div className="finding-detail pre-wrap">{f.detail}</div>
                  </li>
                ))}
                {g.fixed.map((f) => (
                  <li key={`fixed-${f.id}`} className="cause-finding is-fixed" data-testid="doctor-fixed" data-finding-id={f.id}>
                    <span className="fixed-mark">✓ fixed</span> <s>{f.title}</s>
                  </li>
                ))}
              </ul>
            </div>
          </li>
        ))}
      </ul>
      {doctor.at != null && <p className="muted small">Checked {formatDateTime(doctor.at)}.</p>}
    </section>
  );
}

function AddressSection() {
  const store = useAppStore();
  const current = useApp((s) => s.settings?.ngrokDomain ?? null);
  const [value, setValue] = useState<string>(current ?? '');
  const [msg, setMsg] = useState<{ error: boolean; text: string } | null>(null);
  const save = async () => {
    const v = value.trim();
    const r = await store.getState().updateSettings({ ngrokDomain: v ? v : null } as SettingsUpdate);
    setMsg(r.ok ? { error: false, text: 'Saved.' } : { error: true, text: r.error });
  };
  return (
    <section className="panel-section" data-testid="setup-addresses">
      <h3 className="section-title">Reserved ngrok domain</h3>
      <form className="secret-field" data-admin-only data-testid="setting-ngrokDomain" onSubmit={(ev) => { ev.preventDefault(); void save(); }}>
        <div className="panel-row">
          <label className="sr-only" htmlFor="setting-input-ngrokDomain">Reserved ngrok domain</label>
          <input id="setting-input-ngrokDomain" className="input grow" value={value} placeholder="my-team.ngrok.app" onChange={(ev) => setValue(ev.target.value)} data-testid="setting-input-ngrokDomain" />
          <button type="submit" className="btn btn-xs" disabled={(value.trim() || null) === current}>Save</button>
        </div>
        <div className="muted small">Keeps the same address across restarts (reserve it in the ngrok dashboard first), so Meta's callback URL never needs updating.</div>
        {msg && <div className={msg.error ? 'field-error' : 'muted small'} role={msg.error ? 'alert' : undefined}>{msg.text}</div>}
      </form>
    </section>
  );
}

function InstructionsSection() {
  const { tunnel, settings, appInfo } = useAppShallow((s) => ({ tunnel: s.tunnel, settings: s.settings, appInfo: s.appInfo }));
  const base = callbackBase(tunnel, settings, appInfo);
  const pub = base.source === 'tunnel' || base.source === 'public';
  const meta = pub ? providerCallback(base.url, 'meta')! : '<public URL>/meta';
  const twilio = pub ? providerCallback(base.url, 'twilio')! : '<public URL>/twilio';
  return (
    <section className="panel-section" data-testid="setup-instructions">
      <h3 className="section-title">Meta App Dashboard</h3>
      <ol className="steps">
        <li>developers.facebook.com → My Apps → your app → <strong>WhatsApp → Configuration</strong>.</li>
        <li>Under <strong>Webhook</strong>, click Edit. <strong>Callback URL</strong>: <code>{meta}</code>.</li>
        <li><strong>Verify token</strong>: the one in step 4 above (Reveal, then Copy).</li>
        <li>Click <strong>Verify and save</strong>. Meta calls GET /meta once; Hookscope answers with the challenge.</li>
        <li>In <strong>Webhook fields</strong>, click Manage and <strong>subscribe</strong> to <code>messages</code>.</li>
        <li><strong>App settings → Basic → App secret</strong> (Show): paste it in step 5 so signatures are checked.</li>
      </ol>
      <h3 className="section-title">Twilio console</h3>
      <ol className="steps">
        <li>console.twilio.com → <strong>Messaging → Senders → WhatsApp senders</strong> (or Try it out → the WhatsApp Sandbox settings).</li>
        <li>Pick the sender; <strong>Webhook URL for incoming messages</strong>: <code>{twilio}</code> (HTTP POST).</li>
        <li><strong>Status callback URL</strong>: the same <code>{twilio}</code>.</li>
        <li>Console home → <strong>Account Info → Auth Token</strong>: paste it in step 5. Twilio signs the exact public URL, so keep the tunnel or public URL set.</li>
      </ol>
    </section>
  );
}
