// The setup stepper's reasoning, pure: from the settings, the tunnel, the receiver and the doctor's
// findings to seven steps in the order a newcomer has to do them, each done / to do / wrong (with the
// fix); the doctor's verdict in one line; findings grouped by their cause; and which problems were
// fixed since they were last seen. No DOM, no store: unit-tested alone.
import type { AppInfo } from '../../../shared/ipc';
import type { DoctorFinding, DoctorLevel, SettingsView, TunnelState } from '../../../shared/types';
import { publicUrlProblem } from '../../../shared/public-url';
import { callbackBase } from './callback-url';

export type StepId = 'ngrok-token' | 'tunnel' | 'public-url' | 'verify-token' | 'secret' | 'subscribe' | 'first-webhook';
export type StepState = 'done' | 'todo' | 'problem';

export interface SetupStep {
  id: StepId;
  title: string;
  state: StepState;
  /** What is true now, in one sentence. */
  detail: string;
  /** What to do (for `todo` and `problem`). */
  fix: string | null;
}

export interface StepInputs {
  settings: SettingsView | null;
  tunnel: TunnelState | null;
  appInfo: AppInfo | null;
  findings: readonly DoctorFinding[];
  /** Any webhook stored (the doctor's "webhooks-received", or events in the feed). */
  webhookSeen: boolean;
}

const has = (findings: readonly DoctorFinding[], id: string) => findings.find((f) => f.id === id) ?? null;

export function setupSteps(i: StepInputs): SetupStep[] {
  const { settings, tunnel, findings } = i;
  const secrets = settings?.secrets;
  const ownUrl = settings?.publicUrl ?? null;
  const ownUrlOk = !!ownUrl && publicUrlProblem(ownUrl) === null;
  const tunnelOn = tunnel?.state === 'online';
  const base = callbackBase(tunnel, settings, i.appInfo);
  const steps: SetupStep[] = [];

  // 1. ngrok authtoken: the tunnel cannot start without it (unless the user runs their own tunnel).
  const badToken = tunnel?.state === 'error' && (tunnel.code === 'TUNNEL_INVALID_TOKEN' || tunnel.code === 'TUNNEL_NO_TOKEN');
  if (badToken && tunnel?.code === 'TUNNEL_INVALID_TOKEN') {
    steps.push({ id: 'ngrok-token', title: 'ngrok authtoken', state: 'problem', detail: tunnel.message ?? 'ngrok refused the authtoken.', fix: 'Copy the authtoken again from dashboard.ngrok.com → Your Authtoken and save it here.' });
  } else if (secrets?.ngrokAuthtoken.set) {
    steps.push({ id: 'ngrok-token', title: 'ngrok authtoken', state: 'done', detail: 'Saved.', fix: null });
  } else if (ownUrlOk && !tunnelOn) {
    steps.push({ id: 'ngrok-token', title: 'ngrok authtoken', state: 'done', detail: 'Not needed: you use your own public URL.', fix: null });
  } else {
    steps.push({ id: 'ngrok-token', title: 'ngrok authtoken', state: 'todo', detail: 'The built-in tunnel needs your (free) ngrok account.', fix: 'Sign in at dashboard.ngrok.com → Your Authtoken, copy it and save it here.' });
  }

  // 2. Tunnel.
  if (tunnelOn) {
    steps.push({ id: 'tunnel', title: 'Tunnel', state: 'done', detail: 'Online.', fix: null });
  } else if (tunnel?.state === 'error') {
    steps.push({ id: 'tunnel', title: 'Tunnel', state: 'problem', detail: tunnel.message ?? 'The tunnel could not be opened.', fix: badToken ? 'Fix the authtoken above, then start the tunnel again.' : 'Check this computer\'s internet connection, then start the tunnel again.' });
  } else if (tunnel?.state === 'connecting') {
    steps.push({ id: 'tunnel', title: 'Tunnel', state: 'todo', detail: tunnel.message ?? 'Connecting…', fix: null });
  } else if (ownUrlOk) {
    steps.push({ id: 'tunnel', title: 'Tunnel', state: 'done', detail: 'Off: your own tunnel or proxy serves the public URL.', fix: null });
  } else {
    steps.push({ id: 'tunnel', title: 'Tunnel', state: 'todo', detail: 'Off: Meta and Twilio cannot reach this computer yet.', fix: secrets?.ngrokAuthtoken.set ? 'Start the tunnel.' : 'Save the ngrok authtoken first, then start the tunnel.' });
  }

  // 3. Public https URL: the address to paste into the providers.
  const selfFail = has(findings, 'self-check-failed');
  if ((base.source === 'tunnel' || base.source === 'public') && base.url && publicUrlProblem(base.url) === null) {
    steps.push(selfFail
      ? { id: 'public-url', title: 'Public https URL', state: 'problem', detail: selfFail.detail, fix: 'Start the tunnel again, or correct your public URL.' }
      : { id: 'public-url', title: 'Public https URL', state: 'done', detail: base.url, fix: null });
  } else if (ownUrl && !ownUrlOk) {
    steps.push({ id: 'public-url', title: 'Public https URL', state: 'problem', detail: publicUrlProblem(ownUrl)!, fix: 'Start the tunnel, or enter your own tunnel\'s https address.' });
  } else {
    steps.push({ id: 'public-url', title: 'Public https URL', state: 'todo', detail: 'Appears when the tunnel is online. The local receiver address only works from this computer.', fix: 'Start the tunnel (or enter your own tunnel\'s https address).' });
  }

  // 4. Verify token: Meta's "Verify and save" asks for it every time.
  const hs403 = has(findings, 'handshake-403');
  const hsOk = has(findings, 'handshake-ok');
  if (!secrets?.metaVerifyToken.set) {
    steps.push({ id: 'verify-token', title: 'Verify token', state: 'todo', detail: 'None set: Meta\'s verification handshake is answered 403.', fix: 'Make one here, then type the same value into Meta\'s “Verify token”.' });
  } else if (hs403) {
    steps.push({ id: 'verify-token', title: 'Verify token', state: 'problem', detail: hs403.title, fix: 'Reveal the token, copy it into Meta (WhatsApp → Configuration → Verify token) and click “Verify and save” again.' });
  } else if (hsOk) {
    steps.push({ id: 'verify-token', title: 'Verify token', state: 'done', detail: 'Meta verified the callback URL with it.', fix: null });
  } else {
    steps.push({ id: 'verify-token', title: 'Verify token', state: 'todo', detail: 'Ready. Meta has not verified the callback yet.', fix: 'In Meta → WhatsApp → Configuration → Webhook: paste the callback URL and this token, then click “Verify and save”.' });
  }

  // 5. App secret / auth token: signatures checked.
  const sigProblem = has(findings, 'meta-secret-swapped') ?? has(findings, 'meta-signature-invalid') ?? has(findings, 'twilio-signature-invalid') ?? has(findings, 'twilio-signature-no-public-url');
  const anySecret = !!secrets && (secrets.metaAppSecret.set || secrets.twilioAuthToken.set);
  if (sigProblem) {
    steps.push({ id: 'secret', title: 'App secret / auth token', state: 'problem', detail: sigProblem.title, fix: sigProblem.detail });
  } else if (anySecret) {
    const which = [secrets!.metaAppSecret.set ? 'Meta app secret' : null, secrets!.twilioAuthToken.set ? 'Twilio auth token' : null].filter(Boolean).join(' and ');
    steps.push({ id: 'secret', title: 'App secret / auth token', state: 'done', detail: `${which} saved: signatures are checked.`, fix: null });
  } else {
    steps.push({ id: 'secret', title: 'App secret / auth token', state: 'todo', detail: 'Signatures are not checked (shown as “unchecked”).', fix: 'Meta: App settings → Basic → App secret. Twilio: console home → Auth Token. Save it here.' });
  }

  // 6. Subscribed field: only real traffic proves it.
  const noPost = has(findings, 'no-post-after-handshake');
  if (i.webhookSeen) {
    steps.push({ id: 'subscribe', title: 'Subscribed to “messages”', state: 'done', detail: 'Webhooks arrive.', fix: null });
  } else if (noPost) {
    steps.push({ id: 'subscribe', title: 'Subscribed to “messages”', state: 'problem', detail: noPost.title, fix: 'Meta → WhatsApp → Configuration → Webhook fields → Manage → subscribe to “messages”.' });
  } else {
    steps.push({ id: 'subscribe', title: 'Subscribed to “messages”', state: 'todo', detail: 'Real messages only arrive once the app is subscribed.', fix: 'Meta → WhatsApp → Configuration → Webhook fields → Manage → subscribe to “messages”. Twilio needs no subscription.' });
  }

  // 7. First webhook.
  steps.push(i.webhookSeen
    ? { id: 'first-webhook', title: 'First webhook seen', state: 'done', detail: 'Hookscope has received webhooks: you are set up.', fix: null }
    : { id: 'first-webhook', title: 'First webhook seen', state: 'todo', detail: 'Waiting for the first webhook.', fix: 'Send a WhatsApp message to your business number (or use the simulator to see how events look).' });
  return steps;
}

/** The first step that is not done, or null when everything is. */
export function currentStep(steps: readonly SetupStep[]): SetupStep | null {
  return steps.find((s) => s.state === 'problem') ?? steps.find((s) => s.state === 'todo') ?? null;
}

// ---- the doctor: verdict, causes, fixed ----

export type CauseId = 'reach' | 'verify' | 'signatures' | 'path' | 'traffic';

export const CAUSE_TITLE: Record<CauseId, string> = {
  reach: 'Reaching this computer',
  verify: 'Meta verification',
  signatures: 'Signatures',
  path: 'Callback path',
  traffic: 'Webhooks',
};

/** Which root cause a finding belongs to: one cause, one card, however many symptoms it has. */
export function causeOf(id: string): CauseId {
  if (id.startsWith('unrouted:')) return 'path';
  if (id.startsWith('tunnel-') || id === 'public-url-unknown' || id === 'ngrok-free-domain' || id.startsWith('self-check-') || id === 'twilio-signature-no-public-url') return 'reach';
  if (id === 'verify-token-missing' || id.startsWith('handshake-')) return 'verify';
  if (id === 'meta-app-secret-missing' || id === 'twilio-token-missing' || id === 'meta-secret-swapped' || id.startsWith('meta-signature-') || id.startsWith('twilio-signature-')) return 'signatures';
  return 'traffic';
}

const RANK: Record<DoctorLevel, number> = { error: 0, warn: 1, info: 2, ok: 3 };

export interface CauseGroup {
  cause: CauseId;
  title: string;
  /** The worst level among its current findings ('ok' when only fixed ones remain). */
  level: DoctorLevel;
  findings: DoctorFinding[];
  fixed: DoctorFinding[];
}

/** Findings grouped by cause, worst group first; fixed problems join their cause's group. */
export function groupFindings(findings: readonly DoctorFinding[], fixed: readonly DoctorFinding[] = []): CauseGroup[] {
  const groups = new Map<CauseId, CauseGroup>();
  const group = (c: CauseId) => {
    let g = groups.get(c);
    if (!g) groups.set(c, (g = { cause: c, title: CAUSE_TITLE[c], level: 'ok', findings: [], fixed: [] }));
    return g;
  };
  for (const f of findings) {
    const g = group(causeOf(f.id));
    g.findings.push(f);
    if (RANK[f.level] < RANK[g.level]) g.level = f.level;
  }
  for (const f of fixed) group(causeOf(f.id)).fixed.push(f);
  for (const g of groups.values()) g.findings.sort((a, b) => RANK[a.level] - RANK[b.level]);
  const order: CauseId[] = ['reach', 'verify', 'signatures', 'path', 'traffic'];
  return Array.from(groups.values()).sort((a, b) => RANK[a.level] - RANK[b.level] || order.indexOf(a.cause) - order.indexOf(b.cause));
}

export interface Verdict {
  level: DoctorLevel;
  title: string;
  detail: string;
}

/** The doctor in one line, for the top of the panel. */
export function verdict(findings: readonly DoctorFinding[], steps: readonly SetupStep[]): Verdict {
  const groups = groupFindings(findings);
  const errors = groups.filter((g) => g.level === 'error');
  const warns = groups.filter((g) => g.level === 'warn');
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  if (errors.length > 0) {
    const worst = errors[0].findings[0];
    return { level: 'error', title: `${plural(errors.length + warns.length, 'problem')} to fix`, detail: `${worst.title}. ${worst.detail}` };
  }
  const next = currentStep(steps);
  if (warns.length > 0) {
    const worst = warns[0].findings[0];
    return { level: 'warn', title: `${plural(warns.length, 'thing')} to check`, detail: `${worst.title}. ${worst.detail}` };
  }
  if (next) return { level: 'info', title: `Next: ${next.title}`, detail: next.fix ?? next.detail };
  return { level: 'ok', title: 'All set', detail: 'Webhooks are arriving and every check passes.' };
}

export { nextFixed } from '../../state/doctor-fixed';
