// The setup stepper: seven steps in the order they have to be done, each done / to do / what's wrong,
// with the fix right there (fields, buttons, the values to paste). Used by the Setup panel and by the
// empty feed. The reasoning lives in setup-steps.ts.
import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { SettingsUpdate } from '../../../shared/types';
import { publicUrlProblem } from '../../../shared/public-url';
import { useApp, useAppShallow, useAppStore } from '../../state/hooks';
import { CopyButton } from '../../ui/copy-button';
import { callbackBase } from './callback-url';
import { generateVerifyToken, parseSecretInput, providerCallback, secretStatus, tunnelView } from './setup-helpers';
import { setupSteps, type SetupStep, type StepState } from './setup-steps';

const DOCTOR_REFRESH_MS = 10_000;
const STATE_WORD: Record<StepState, string> = { done: 'done', todo: 'to do', problem: 'what\'s wrong' };

/** Keeps the doctor's findings fresh while mounted (and `enabled`): every 10 s, and shortly after events arrive. */
export function useDoctorRefresh(enabled = true) {
  const store = useAppStore();
  const flushCount = useApp((s) => s.flushCount);
  const settings = useApp((s) => s.settings);
  const tunnelState = useApp((s) => s.tunnel?.state);
  useEffect(() => {
    if (!enabled) return;
    void store.getState().loadDoctor();
    const t = setInterval(() => void store.getState().loadDoctor(), DOCTOR_REFRESH_MS);
    return () => clearInterval(t);
  }, [store, enabled]);
  // After events (one refresh per burst) and after a setting or the tunnel changed: the steps follow.
  const first = useRef(true);
  useEffect(() => {
    if (first.current) { first.current = false; return; }
    if (!enabled) return;
    const t = setTimeout(() => void store.getState().loadDoctor(), 300);
    return () => clearTimeout(t);
  }, [flushCount, settings, tunnelState, store, enabled]);
}

export function useSetupSteps(): SetupStep[] {
  const s = useAppShallow((st) => ({
    settings: st.settings, tunnel: st.tunnel, appInfo: st.appInfo, findings: st.doctor.findings,
    // The core says when the first real webhook arrived (doctor:get): a signed message or status from the
    // network. Meta's handshake, a simulated event or an unsigned POST does not end setup.
    seen: st.doctor.firstRealWebhookAt != null,
  }));
  return setupSteps({ settings: s.settings, tunnel: s.tunnel, appInfo: s.appInfo, findings: s.findings, webhookSeen: s.seen });
}

export function SetupStepper() {
  const steps = useSetupSteps();
  const firstOpen = steps.findIndex((s) => s.state !== 'done');
  return (
    <ol className="stepper" data-testid="setup-stepper" aria-label="Setup steps">
      {steps.map((step, i) => (
        <StepItem key={step.id} step={step} n={i + 1} current={i === firstOpen} />
      ))}
    </ol>
  );
}

function StepItem({ step, n, current }: { step: SetupStep; n: number; current: boolean }) {
  const [open, setOpen] = useState(false);
  const showFix = step.state !== 'done' || open;
  const body = stepBody(step);
  return (
    <li className={`step step-${step.state}${current ? ' step-current' : ''}`} data-testid={`step-${step.id}`} data-state={step.state}
      aria-current={current ? 'step' : undefined}>
      <span className="step-mark" aria-hidden="true">{step.state === 'done' ? '✓' : step.state === 'problem' ? '!' : n}</span>
      <div className="step-main">
        <div className="step-head">
          <span className="step-title">{step.title}</span>
          <span className={`step-state step-state-${step.state}`} data-testid="step-state">{STATE_WORD[step.state]}</span>
          <span className="spacer" />
          {step.state === 'done' && body.editable && (
            <button type="button" className="btn btn-xs btn-ghost" aria-expanded={open} onClick={() => setOpen(!open)}>{open ? 'Close' : 'Change'}</button>
          )}
        </div>
        <div className="step-detail" data-testid="step-detail">{step.detail}</div>
        {step.fix && step.state !== 'done' && <div className="step-fix" data-testid="step-fix">{step.fix}</div>}
        {body.always}
        {showFix && body.fix}
      </div>
    </li>
  );
}

function stepBody(step: SetupStep): { always?: ReactNode; fix?: ReactNode; editable: boolean } {
  switch (step.id) {
    case 'ngrok-token':
      return { fix: <SecretField name="ngrokAuthtoken" label="ngrok authtoken" multi={false} />, editable: true };
    case 'tunnel':
      return { always: <TunnelControls />, editable: false };
    case 'public-url':
      return { always: <CallbackUrls />, fix: <PublicUrlField />, editable: true };
    case 'verify-token':
      return { always: <VerifyToken />, editable: false };
    case 'secret':
      return {
        fix: (
          <>
            <SecretField name="metaAppSecret" label="Meta app secret(s)" multi />
            <SecretField name="twilioAuthToken" label="Twilio auth token(s)" multi />
          </>
        ),
        editable: true,
      };
    case 'subscribe':
      return { editable: false };
    case 'first-webhook':
      return { fix: <SimulateButtons />, editable: false };
  }
}

function TunnelControls() {
  const store = useAppStore();
  const { tunnel, busy, error, tokenSet } = useAppShallow((s) => ({ tunnel: s.tunnel, busy: s.tunnelBusy, error: s.tunnelError, tokenSet: s.settings?.secrets.ngrokAuthtoken.set ?? false }));
  const view = tunnelView(tunnel);
  return (
    <div className="step-controls" data-testid="setup-tunnel">
      <span className={`level-pill level-${view.tone}`} data-testid="tunnel-state">{view.label}</span>
      <button type="button" className="btn btn-xs" data-admin-only data-testid="tunnel-start" disabled={busy || !view.canStart || !tokenSet}
        title={tokenSet ? undefined : 'Save the ngrok authtoken first'} onClick={() => void store.getState().startTunnel()}>Start tunnel</button>
      <button type="button" className="btn btn-xs" data-admin-only data-testid="tunnel-stop" disabled={busy || !view.canStop} onClick={() => void store.getState().stopTunnel()}>Stop</button>
      {error && <div className="field-error" role="alert" data-testid="tunnel-error">{error}</div>}
    </div>
  );
}

function CallbackUrls() {
  const { tunnel, settings, appInfo } = useAppShallow((s) => ({ tunnel: s.tunnel, settings: s.settings, appInfo: s.appInfo }));
  const base = callbackBase(tunnel, settings, appInfo);
  const isPublic = (base.source === 'tunnel' || base.source === 'public') && !!base.url && publicUrlProblem(base.url) === null;
  return (
    <div className="step-controls step-urls" data-testid="setup-callbacks">
      {(['meta', 'twilio'] as const).map((p) => {
        const url = providerCallback(base.url, p);
        return (
          <div className="panel-row" key={p}>
            <span className="panel-label">{p === 'meta' ? 'Meta callback' : 'Twilio webhook'}</span>
            {url ? <code className="wrap" data-testid={`setup-${p}-callback`}>{url}</code> : <span className="muted">…</span>}
            {/* Copy only what a provider can call: a local address pasted into Meta fails much later. */}
            {url && isPublic && <CopyButton text={url} label={`Copy ${p === 'meta' ? 'Meta' : 'Twilio'} URL`} />}
          </div>
        );
      })}
      {!isPublic && (
        <p className="muted small" data-testid="callback-local-note">
          Local address: it only works from this computer, so there is nothing to copy yet. Start the tunnel (or set your own public https URL) to get the address for Meta and Twilio.
        </p>
      )}
    </div>
  );
}

function PublicUrlField() {
  const store = useAppStore();
  const current = useApp((s) => s.settings?.publicUrl ?? null);
  const [value, setValue] = useState<string>(current ?? '');
  const [msg, setMsg] = useState<{ error: boolean; text: string } | null>(null);
  const last = useRef(current);
  useEffect(() => {
    if (last.current !== current) { last.current = current; setValue(current ?? ''); }
  }, [current]);
  const save = async () => {
    const v = value.trim();
    const problem = v ? publicUrlProblem(v) : null;
    if (problem) { setMsg({ error: true, text: problem }); return; }
    const r = await store.getState().updateSettings({ publicUrl: v || null });
    setMsg(r.ok ? { error: false, text: 'Saved.' } : { error: true, text: r.error });
  };
  return (
    <form className="secret-field" data-admin-only data-testid="setting-publicUrl" onSubmit={(ev) => { ev.preventDefault(); void save(); }}>
      <label className="muted small" htmlFor="setting-input-publicUrl">Or your own tunnel's public https URL (the ngrok tunnel wins while online)</label>
      <div className="panel-row">
        <input id="setting-input-publicUrl" className="input grow" value={value} placeholder="https://hooks.example.com"
          onChange={(ev) => { setValue(ev.target.value); setMsg(null); }} data-testid="setting-input-publicUrl" />
        <button type="submit" className="btn btn-xs" disabled={(value.trim() || null) === current} data-testid="setting-save-publicUrl">Save</button>
      </div>
      {msg && <div className={msg.error ? 'field-error' : 'muted small'} role={msg.error ? 'alert' : undefined} data-testid="public-url-message">{msg.text}</div>}
    </form>
  );
}

function VerifyToken() {
  const store = useAppStore();
  const status = useAppShallow((s) => s.settings?.secrets.metaVerifyToken ?? null);
  const [token, setToken] = useState<string | null>(null);
  const [state, setState] = useState<{ busy: boolean; error: string | null }>({ busy: false, error: null });
  const reveal = async () => {
    setState({ busy: true, error: null });
    const r = await store.getState().revealVerifyToken();
    if ('error' in r) setState({ busy: false, error: r.error });
    else { setToken(r.token); setState({ busy: false, error: null }); }
  };
  const generate = async () => {
    const t = generateVerifyToken(24);
    setState({ busy: true, error: null });
    const r = await store.getState().updateSettings({ metaVerifyToken: t });
    if (r.ok) { setToken(t); setState({ busy: false, error: null }); } else setState({ busy: false, error: r.error });
  };
  return (
    <div className="step-controls secret-field" data-testid="secret-metaVerifyToken">
      <div className="panel-row">
        <span className="panel-label">Meta verify token</span>
        <span className="muted small" data-testid="secret-status">{status?.set ? (status.generated ? 'set (made by Hookscope)' : 'set') : 'not set'}</span>
      </div>
      <div className="panel-row">
        {token ? (
          <>
            <code className="wrap" data-testid="verify-token-value">{token}</code>
            <CopyButton text={token} label="Copy verify token" />
            <button type="button" className="btn btn-xs btn-ghost" onClick={() => setToken(null)} data-testid="hide-verify-token">Hide</button>
          </>
        ) : status?.set ? (
          <>
            <code aria-label="hidden verify token">••••••••••••</code>
            <button type="button" className="btn btn-xs" data-admin-only disabled={state.busy} onClick={() => void reveal()} data-testid="reveal-verify-token">Reveal</button>
          </>
        ) : null}
        <span className="spacer" />
        <button type="button" className="btn btn-xs btn-ghost" data-admin-only data-testid="generate-verify-token" disabled={state.busy} onClick={() => void generate()}>
          {status?.set ? 'Make a new one' : 'Make a verify token'}
        </button>
      </div>
      <div className="muted small">Meta asks for it each time you click “Verify and save”: reveal it here whenever you need it.</div>
      {state.error && <div className="field-error" role="alert">{state.error}</div>}
    </div>
  );
}

type SecretKey = 'metaAppSecret' | 'twilioAuthToken' | 'ngrokAuthtoken';

export function SecretField({ name, label, multi }: { name: SecretKey; label: string; multi: boolean }) {
  const store = useAppStore();
  const status = useAppShallow((s) => s.settings?.secrets[name] ?? null);
  const [value, setValue] = useState('');
  const [msg, setMsg] = useState<{ error: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const save = async (v: string | string[] | null) => {
    setBusy(true);
    const r = await store.getState().updateSettings({ [name]: v } as SettingsUpdate);
    setBusy(false);
    if (r.ok) { setValue(''); setMsg({ error: false, text: v == null ? 'Cleared.' : 'Saved.' }); } else setMsg({ error: true, text: r.error });
  };
  const parsed = parseSecretInput(value, multi);
  return (
    <form className="secret-field" data-admin-only data-testid={`secret-${name}`} onSubmit={(ev) => { ev.preventDefault(); if (parsed != null) void save(parsed); }}>
      <div className="panel-row">
        <label className="panel-label" htmlFor={`secret-input-${name}`}>{label}</label>
        <span className="muted small" data-testid="secret-status">{secretStatus(status)}</span>
      </div>
      <div className="panel-row">
        <input id={`secret-input-${name}`} className="input grow" type="password" autoComplete="off" spellCheck={false}
          value={value} onChange={(ev) => setValue(ev.target.value)}
          placeholder={multi ? 'paste to replace (several: separate with commas)' : 'paste to replace'} data-testid={`secret-input-${name}`} />
        <button type="submit" className="btn btn-xs" disabled={busy || parsed == null} data-testid={`secret-save-${name}`}>Save</button>
        <button type="button" className="btn btn-xs btn-ghost" disabled={busy || !status?.set} onClick={() => void save(null)} data-testid={`secret-clear-${name}`}>Clear</button>
      </div>
      <div className="muted small">Write-only: never shown again after saving.</div>
      {msg && <div className={msg.error ? 'field-error' : 'muted small'} role={msg.error ? 'alert' : undefined}>{msg.text}</div>}
    </form>
  );
}

export function SimulateButtons() {
  const store = useAppStore();
  const [msg, setMsg] = useState<string | null>(null);
  const simulate = async (provider: 'meta' | 'twilio') => {
    setMsg('Sending…');
    const err = await store.getState().simulate('message', provider);
    setMsg(err ? `Could not simulate: ${err}` : 'Sent — it shows up in the feed in a moment.');
  };
  return (
    <div className="step-controls">
      <button type="button" className="btn btn-xs" data-admin-only onClick={() => void simulate('meta')}>Simulate a Meta message</button>
      <button type="button" className="btn btn-xs" data-admin-only onClick={() => void simulate('twilio')}>Simulate a Twilio message</button>
      {msg && <span className="muted small" aria-live="polite">{msg}</span>}
    </div>
  );
}
