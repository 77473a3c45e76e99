// The Setup panel: tunnel, the exact callback URLs per provider, the verify token, write-only secrets,
// public URL / ngrok domain, step-by-step provider instructions, and the setup doctor.
import { useEffect, useRef, useState } from 'react';
import type { SettingsUpdate } from '../../../shared/types';
import { useApp, useAppShallow, useAppStore } from '../../state/hooks';
import { CopyButton } from '../../ui/copy-button';
import { formatDateTime } from '../../ui/format';
import { SecretStorageNotice } from '../settings/secret-storage-notice';
import { callbackBase } from './callback-url';
import { generateVerifyToken, levelIcon, parseSecretInput, providerCallback, secretStatus, sortFindings, tunnelView } from './setup-helpers';

const DOCTOR_REFRESH_MS = 10_000;

export function SetupPanel() {
  return (
    <div className="setup-panel" data-testid="setup-panel">
      <TunnelSection />
      <CallbackSection />
      <SecretsSection />
      <AddressSection />
      <InstructionsSection />
      <DoctorSection />
    </div>
  );
}

function TunnelSection() {
  const store = useAppStore();
  const { tunnel, busy, error } = useAppShallow((s) => ({ tunnel: s.tunnel, busy: s.tunnelBusy, error: s.tunnelError }));
  const view = tunnelView(tunnel);
  const problem = error ?? (tunnel?.state === 'error' ? tunnel.message ?? 'The tunnel failed.' : null);
  return (
    <section className="panel-section" data-testid="setup-tunnel">
      <h3 className="section-title">Tunnel (ngrok)</h3>
      <div className="panel-row">
        <span className={`level-pill level-${view.tone}`} data-testid="tunnel-state">{view.label}</span>
        {tunnel?.state === 'online' && tunnel.url && <code className="wrap" data-testid="tunnel-url">{tunnel.url}</code>}
        <span className="spacer" />
        <button type="button" className="btn btn-xs" data-testid="tunnel-start" disabled={busy || !view.canStart} onClick={() => void store.getState().startTunnel()}>Start</button>
        <button type="button" className="btn btn-xs" data-testid="tunnel-stop" disabled={busy || !view.canStop} onClick={() => void store.getState().stopTunnel()}>Stop</button>
      </div>
      {view.downSince != null && (
        <p className="muted small" data-testid="tunnel-down-since">Down since {formatDateTime(view.downSince)} — retrying; the local receiver keeps working.</p>
      )}
      {tunnel?.state === 'connecting' && view.downSince == null && tunnel.message && <p className="muted small">{tunnel.message}</p>}
      {problem && (
        <div className="notice notice-error" data-testid="tunnel-error">
          {problem}{tunnel?.code ? <span className="muted"> ({tunnel.code})</span> : null}
        </div>
      )}
    </section>
  );
}

function CallbackSection() {
  const { tunnel, settings, appInfo } = useAppShallow((s) => ({ tunnel: s.tunnel, settings: s.settings, appInfo: s.appInfo }));
  const base = callbackBase(tunnel, settings, appInfo);
  return (
    <section className="panel-section" data-testid="setup-callbacks">
      <h3 className="section-title">Callback URLs</h3>
      {(['meta', 'twilio'] as const).map((p) => {
        const url = providerCallback(base.url, p);
        return (
          <div className="panel-row" key={p}>
            <span className="panel-label">{p === 'meta' ? 'Meta' : 'Twilio'}</span>
            {url ? <><code className="wrap" data-testid={`setup-${p}-callback`}>{url}</code> <CopyButton text={url} /></> : <span className="muted">…</span>}
          </div>
        );
      })}
      {base.source === 'local' && (
        <p className="muted small" data-testid="callback-local-note">
          This is the local receiver: it only works from this computer. Start the tunnel or set a public URL to give Meta and Twilio an address they can reach.
        </p>
      )}
      {base.source === 'public' && <p className="muted small">Using the public URL you configured.</p>}
    </section>
  );
}

function VerifyToken() {
  const store = useAppStore();
  const set = useApp((s) => s.settings?.secrets.metaVerifyToken.set ?? false);
  const [token, setToken] = useState<string | null>(null);
  const [state, setState] = useState<{ busy: boolean; error: string | null }>({ busy: false, error: null });
  const generate = async () => {
    const t = generateVerifyToken(24);
    setState({ busy: true, error: null });
    const r = await store.getState().updateSettings({ metaVerifyToken: t });
    if (r.ok) {
      setToken(t);
      setState({ busy: false, error: null });
    } else {
      setState({ busy: false, error: r.error });
    }
  };
  return (
    <div className="secret-field" data-testid="secret-metaVerifyToken">
      <div className="panel-row">
        <span className="panel-label">Meta verify token</span>
        <span className="muted small" data-testid="secret-status">{set ? 'set' : 'not set'}</span>
        <span className="spacer" />
        <button type="button" className="btn btn-xs" data-testid="generate-verify-token" disabled={state.busy} onClick={() => void generate()}>
          Generate verify token
        </button>
        {set && (
          <button type="button" className="btn btn-xs btn-ghost" onClick={async () => {
            const r = await store.getState().updateSettings({ metaVerifyToken: null });
            setToken(null);
            setState({ busy: false, error: r.ok ? null : r.error });
          }}>Clear</button>
        )}
      </div>
      {token && (
        <div className="notice" data-testid="verify-token-once">
          <div className="panel-row">
            <code className="wrap" data-testid="verify-token-value">{token}</code> <CopyButton text={token} />
          </div>
          <div className="notice-detail">Saved. Paste it into Meta's “Verify token” now — it is shown only this once.</div>
        </div>
      )}
      {state.error && <div className="field-error" role="alert">{state.error}</div>}
    </div>
  );
}

type SecretKey = 'metaAppSecret' | 'twilioAuthToken' | 'ngrokAuthtoken';

function SecretField({ name, label, multi, hint }: { name: SecretKey; label: string; multi: boolean; hint: string }) {
  const store = useAppStore();
  const status = useAppShallow((s) => s.settings?.secrets[name] ?? null);
  const [value, setValue] = useState('');
  const [msg, setMsg] = useState<{ error: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const save = async (v: string | string[] | null) => {
    setBusy(true);
    const update = { [name]: v } as SettingsUpdate;
    const r = await store.getState().updateSettings(update);
    setBusy(false);
    if (r.ok) {
      setValue('');
      setMsg({ error: false, text: v == null ? 'Cleared.' : 'Saved.' });
    } else {
      setMsg({ error: true, text: r.error });
    }
  };
  const parsed = parseSecretInput(value, multi);
  return (
    <form className="secret-field" data-testid={`secret-${name}`} onSubmit={(ev) => { ev.preventDefault(); if (parsed != null) void save(parsed); }}>
      <div className="panel-row">
        <label className="panel-label" htmlFor={`secret-input-${name}`}>{label}</label>
        <span className="muted small" data-testid="secret-status">{secretStatus(status)}</span>
      </div>
      <div className="panel-row">
        <input
          id={`secret-input-${name}`} className="input grow" type="password" autoComplete="off" spellCheck={false}
          value={value} onChange={(ev) => setValue(ev.target.value)}
          placeholder={multi ? 'paste to replace (several: separate with commas)' : 'paste to replace'}
          data-testid={`secret-input-${name}`}
        />
        <button type="submit" className="btn btn-xs" disabled={busy || parsed == null} data-testid={`secret-save-${name}`}>Save</button>
        <button type="button" className="btn btn-xs btn-ghost" disabled={busy || !status?.set} onClick={() => void save(null)} data-testid={`secret-clear-${name}`}>Clear</button>
      </div>
      <div className="muted small">{hint}</div>
      {msg && <div className={msg.error ? 'field-error' : 'muted small'} role={msg.error ? 'alert' : undefined}>{msg.text}</div>}
    </form>
  );
}

function SecretsSection() {
  return (
    <section className="panel-section" data-testid="setup-secrets">
      <h3 className="section-title">Secrets <span className="muted">(write-only: never shown again after saving)</span></h3>
      <SecretStorageNotice />
      <VerifyToken />
      <SecretField name="metaAppSecret" label="Meta app secret(s)" multi hint="App Dashboard → App settings → Basic → App secret. Several while rotating." />
      <SecretField name="twilioAuthToken" label="Twilio auth token(s)" multi hint="Twilio console home → Account Info → Auth Token. Several while rotating." />
      <SecretField name="ngrokAuthtoken" label="ngrok authtoken" multi={false} hint="dashboard.ngrok.com → Your Authtoken." />
    </section>
  );
}

function TextSetting({ name, label, placeholder, hint }: { name: 'publicUrl' | 'ngrokDomain'; label: string; placeholder: string; hint: string }) {
  const store = useAppStore();
  const current = useApp((s) => s.settings?.[name] ?? null);
  const [value, setValue] = useState<string>(current ?? '');
  const [msg, setMsg] = useState<{ error: boolean; text: string } | null>(null);
  const last = useRef(current);
  useEffect(() => {
    // Follow the stored value when it changes elsewhere (another window, a push), not while typing.
    if (last.current !== current) { last.current = current; setValue(current ?? ''); }
  }, [current]);
  const save = async () => {
    const v = value.trim();
    const r = await store.getState().updateSettings({ [name]: v ? v : null } as SettingsUpdate);
    setMsg(r.ok ? { error: false, text: 'Saved.' } : { error: true, text: r.error });
  };
  return (
    <form className="secret-field" data-testid={`setting-${name}`} onSubmit={(ev) => { ev.preventDefault(); void save(); }}>
      <div className="panel-row">
        <label className="panel-label" htmlFor={`setting-input-${name}`}>{label}</label>
      </div>
      <div className="panel-row">
        <input id={`setting-input-${name}`} className="input grow" value={value} placeholder={placeholder} onChange={(ev) => setValue(ev.target.value)} data-testid={`setting-input-${name}`} />
        <button type="submit" className="btn btn-xs" disabled={(value.trim() || null) === current}>Save</button>
      </div>
      <div className="muted small">{hint}</div>
      {msg && <div className={msg.error ? 'field-error' : 'muted small'} role={msg.error ? 'alert' : undefined}>{msg.text}</div>}
    </form>
  );
}

function AddressSection() {
  return (
    <section className="panel-section" data-testid="setup-addresses">
      <h3 className="section-title">Addresses</h3>
      <TextSetting name="publicUrl" label="Public URL" placeholder="https://hooks.example.com" hint="Only when you run your own tunnel or proxy; the ngrok tunnel's URL wins while it is online." />
      <TextSetting name="ngrokDomain" label="Reserved ngrok domain" placeholder="my-team.ngrok.app" hint="Keeps the same address across restarts (reserve it in the ngrok dashboard first)." />
    </section>
  );
}

function InstructionsSection() {
  const { tunnel, settings, appInfo } = useAppShallow((s) => ({ tunnel: s.tunnel, settings: s.settings, appInfo: s.appInfo }));
  const base = callbackBase(tunnel, settings, appInfo);
  const meta = providerCallback(base.url, 'meta') ?? '…/meta';
  const twilio = providerCallback(base.url, 'twilio') ?? '…/twilio';
  return (
    <section className="panel-section" data-testid="setup-instructions">
      <h3 className="section-title">Meta App Dashboard</h3>
      <ol className="steps">
        <li>developers.facebook.com → My Apps → your app → <strong>WhatsApp → Configuration</strong>.</li>
        <li>Under <strong>Webhook</strong>, click Edit. <strong>Callback URL</strong>: <code>{meta}</code>.</li>
        <li><strong>Verify token</strong>: the token generated above (same value in both places).</li>
        <li>Click <strong>Verify and save</strong>. Meta calls GET /meta once; Hookscope answers with the challenge.</li>
        <li>In <strong>Webhook fields</strong>, click Manage and <strong>subscribe</strong> to <code>messages</code>.</li>
        <li><strong>App settings → Basic → App secret</strong> (Show): paste it above so signatures are checked.</li>
      </ol>
      <h3 className="section-title">Twilio console</h3>
      <ol className="steps">
        <li>console.twilio.com → <strong>Messaging → Senders → WhatsApp senders</strong> (or Try it out → the WhatsApp Sandbox settings).</li>
        <li>Pick the sender; <strong>Webhook URL for incoming messages</strong>: <code>{twilio}</code> (HTTP POST).</li>
        <li><strong>Status callback URL</strong>: the same <code>{twilio}</code>.</li>
        <li>Console home → <strong>Account Info → Auth Token</strong>: paste it above. Twilio signs the exact public URL, so keep the tunnel or public URL set.</li>
      </ol>
    </section>
  );
}

function DoctorSection() {
  const store = useAppStore();
  const doctor = useApp((s) => s.doctor);
  const flushCount = useApp((s) => s.flushCount);
  const [selfChecking, setSelfChecking] = useState(false);

  // Every 10 s while the panel is open…
  useEffect(() => {
    void store.getState().loadDoctor();
    const t = setInterval(() => void store.getState().loadDoctor(), DOCTOR_REFRESH_MS);
    return () => clearInterval(t);
  }, [store]);
  // …and shortly after events arrive (one refresh per burst).
  const first = useRef(true);
  useEffect(() => {
    if (first.current) { first.current = false; return; }
    const t = setTimeout(() => void store.getState().loadDoctor(), 400);
    return () => clearTimeout(t);
  }, [flushCount, store]);

  const findings = sortFindings(doctor.findings);
  return (
    <section className="panel-section" data-testid="setup-doctor">
      <div className="panel-row">
        <h3 className="section-title">Setup doctor</h3>
        <span className="spacer" />
        {doctor.loading && <span className="muted small">checking…</span>}
        <button type="button" className="btn btn-xs" data-testid="doctor-self-check" disabled={selfChecking} onClick={async () => {
          setSelfChecking(true);
          await store.getState().loadDoctor(true);
          setSelfChecking(false);
        }}>{selfChecking ? 'Running…' : 'Run self-check'}</button>
      </div>
      <p className="muted small">The self-check calls GET /meta through the public URL, as Meta would.</p>
      {doctor.error && <div className="notice notice-error">Could not run the doctor: {doctor.error}</div>}
      <ul className="findings" data-testid="doctor-findings">
        {findings.map((f) => (
          <li key={f.id} className={`finding level-${f.level}`} data-testid="doctor-finding" data-finding-id={f.id} data-level={f.level}>
            <span className={`level-pill level-${f.level}`} aria-label={f.level}>{levelIcon(f.level)}</span>
            <div className="finding-body">
              <div className="finding-title">{f.title}</div>
              <div className="finding-detail pre-wrap">{f.detail}</div>
            </div>
          </li>
        ))}
      </ul>
      {doctor.at != null && <p className="muted small">Checked {formatDateTime(doctor.at)}.</p>}
    </section>
  );
}
