// The setup doctor: a pure function over facts the caller gathers (tunnel state, secrets set, last
// handshake, POST counts and verdicts, unrouted paths…) that says what is right and what to do about
// what is not. Plus selfCheckHandshake(), which calls our own GET /meta through the public URL.
import { randomInt } from 'node:crypto';
import type { DoctorFinding, SignatureVerdict, TunnelState } from '../../../shared/types';
import type { TeamHeldBack } from '../../../shared/ipc';
import { describeHeldBack } from '../../../shared/team-held-back';

export type { DoctorFinding } from '../../../shared/types';

export interface ProviderPostFacts {
  /** POSTs received on this provider's route. */
  count: number;
  lastAt: number | null;
  verdicts: Partial<Record<SignatureVerdict, number>>;
}

export interface DoctorFacts {
  now: number;
  tunnel: TunnelState;
  secrets: {
    metaAppSecret: boolean;
    metaVerifyToken: boolean;
    twilioAuthToken: boolean;
    /** Whether an ngrok authtoken is stored or given through NGROK_AUTHTOKEN. */
    ngrokAuthtoken?: boolean;
  };
  /** The public URL Hookscope knows (setting, --public-url, or the tunnel's), or null. */
  publicUrl: string | null;
  /** The reserved ngrok domain set in Setup, if any. */
  ngrokDomain?: string | null;
  /** The last GET /meta handshake the receiver answered. */
  lastHandshake: {
    at: number;
    /** 200 (token matched, challenge echoed) or 403. */
    status: number;
    /** True when the request was Hookscope's own self-check rather than Meta. */
    selfCheck?: boolean;
  } | null;
  /** Result of the last selfCheckHandshake() through the public URL, if one ran. */
  selfCheck?: { at: number; ok: boolean; status: number | null; error: string | null } | null;
  posts: { meta: ProviderPostFacts; twilio: ProviderPostFacts };
  /**
   * The "accept unsigned webhooks" switch per provider (settings or the run's flag), and the providers
   * whose switch the update left on. Absent: both off (a provider without a secret is closed).
   */
  acceptUnsigned?: { meta: boolean; twilio: boolean; migrated: Array<'meta' | 'twilio'> };
  /** The data folder's disk is full: webhooks are answered 503 until space returns. */
  diskFull?: boolean;
  /** A team server's live copy held back by a transaction open on its PostgreSQL server. */
  teamHeldBack?: TeamHeldBack | null;
  /** Any webhook stored, whatever the provider. */
  lastWebhookAt: number | null;
  /** Recent requests the receiver answered 404 to, grouped by path. */
  unrouted: { path: string; count: number; lastAt?: number | null }[];
  /** The caller recomputed an invalid Meta signature with the verify token as the key, and it matched. */
  metaInvalidSignedWithVerifyToken: boolean;
  /** Rejected requests that verify with the secrets configured now: the user fixed a secret, re-verify. */
  rejectedWouldVerify?: number;
  /** Minutes after a successful Meta handshake without any POST before the doctor points at subscriptions. Default 10. */
  noPostAfterHandshakeMinutes?: number;
}

const META_WEBHOOK_STEPS =
  'In the Meta App Dashboard open WhatsApp → Configuration → Webhook, set the Callback URL to';

function ago(now: number, t: number): string {
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 60) return s <= 1 ? 'just now' : `${s} s ago`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.round(m / 60);
  if (h < 48) return `${h} h ago`;
  return `${Math.round(h / 24)} days ago`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function base(publicUrl: string | null): string {
  return publicUrl ? publicUrl.replace(/\/+$/, '') : '<your public URL>';
}

const NGROK_FREE_HOST = /(^|\.)ngrok-free\.(app|dev)$|(^|\.)ngrok\.(io|app|dev)$/i;

function hostOf(url: string | null | undefined): string | null {
  if (!url) return null;
  try { return new URL(url).hostname; } catch { return null; }
}

function editDistance(a: string, b: string): number {
  const dp = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) dp[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      dp[i][j] = Math.min(dp[i - 1][j] + 1, dp[i][j - 1] + 1, dp[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return dp[a.length][b.length];
}

/** Paths browsers and crawlers ask for on their own; not a setup mistake. */
const NOISE_PATH = /^\/(favicon\.ico|robots\.txt|apple-touch-icon.*|\.well-known\/.*)$/i;

/** The route a mistyped callback path most likely meant, or null when there is no good guess. */
export function suggestRoute(path: string): '/meta' | '/twilio' | null {
  const p = (path.split('?')[0] || '/').toLowerCase();
  const trimmed = p.replace(/\/+$/, '') || '/';
  if (trimmed === '/meta' || trimmed.endsWith('/meta')) return '/meta';
  if (trimmed === '/twilio' || trimmed.endsWith('/twilio')) return '/twilio';
  if (/twilio|sms|status-?callback|messaging/.test(trimmed)) return '/twilio';
  if (/meta|facebook|\bfb\b|whats-?app|\bwa\b|waba|webhooks?|hooks?|callback|graph|cloud|^\/$/.test(trimmed)) return '/meta';
  const last = trimmed.split('/').filter(Boolean).pop() ?? '';
  if (editDistance(last, 'meta') <= 2) return '/meta';
  if (editDistance(last, 'twilio') <= 2) return '/twilio';
  return null;
}

/** What the checks read: the facts, with their defaults filled in and the values several checks share. */
interface DoctorContext {
  facts: DoctorFacts;
  now: number;
  tunnel: TunnelState;
  secrets: DoctorFacts['secrets'];
  publicUrl: string | null;
  meta: ProviderPostFacts;
  twilio: ProviderPostFacts;
  accept: NonNullable<DoctorFacts['acceptUnsigned']>;
  /** The Callback URL Meta should call. */
  callback: string;
}

type Add = (f: DoctorFinding) => void;

function verdictCount(p: ProviderPostFacts, k: SignatureVerdict): number {
  return p.verdicts[k] ?? 0;
}

/** An outage first: a full disk refuses webhooks (503, providers retry). */
function diskFull({ facts }: DoctorContext, add: Add): void {
  if (facts.diskFull) {
    add({
      id: 'disk-full', level: 'error', title: 'The disk is full: webhooks are refused',
      detail: 'The disk holding the data folder has no room left, so Hookscope answers webhooks 503 with Retry-After (Meta and Twilio retry) rather than acknowledge what it cannot keep. Free some space: receiving resumes by itself.',
    });
  }
}

/** A team's live copy stopped: webhooks are stored but no UI shows them until the transaction ends. */
function teamHeldBack({ facts, now }: DoctorContext, add: Add): void {
  if (facts.teamHeldBack) add({ id: 'team-held-back', level: 'warn', ...describeHeldBack(facts.teamHeldBack, now) });
}

/** Trust: a provider without a secret is closed unless its unsigned webhooks are accepted. */
function trustNoSecret({ tunnel, secrets, accept }: DoctorContext, add: Add): void {
  const open = [!secrets.metaAppSecret && accept.meta ? 'Meta (/meta)' : null, !secrets.twilioAuthToken && accept.twilio ? 'Twilio (/twilio)' : null].filter(Boolean);
  if (open.length > 0) {
    add({
      id: 'trust-no-secret', level: tunnel.state === 'online' ? 'error' : 'warn',
      title: 'Unsigned webhooks accepted: anyone who knows the URL can add events',
      detail: `"Accept unsigned webhooks" is on for ${open.join(' and ')}, which has no secret: requests there are accepted unchecked, so a stranger who learns the URL can add messages, statuses and notifications. Set the secret in Setup, then turn the switch off in Settings.`,
    });
  }
}

/** The providers an update left open, as long as they still have no secret. */
function acceptUnsignedMigrated({ secrets, accept }: DoctorContext, add: Add): void {
  const migrated = accept.migrated.filter((p) => (p === 'meta' ? !secrets.metaAppSecret : !secrets.twilioAuthToken));
  if (migrated.length > 0) {
    const names = migrated.map((p) => (p === 'meta' ? 'Meta' : 'Twilio')).join(' and ');
    add({
      id: 'accept-unsigned-migrated', level: 'warn', title: `Unsigned ${names} webhooks are still accepted after the update`,
      detail: `Hookscope now refuses webhooks from a provider with no secret. This install had received unsigned ${names} webhooks, so "Accept unsigned webhooks" was left on for ${names} to keep them coming. Set the secret in Setup and turn the switch off in Settings (turning it off or on yourself dismisses this).`,
    });
  }
}

/** Rejected requests that a secret fixed since would let through. */
function rejectedWouldVerify({ facts }: DoctorContext, add: Add): void {
  const wouldVerify = facts.rejectedWouldVerify ?? 0;
  if (wouldVerify > 0) {
    add({
      id: 'rejected-would-verify', level: 'warn', title: `${plural(wouldVerify, 'rejected request')} now verify`,
      detail: 'They failed the signature check when they arrived, but verify with the secret configured now (a secret fixed after the fact). Re-verify them to move them into the feed as accepted: Rejected → Re-verify, or POST /api/rejected/reverify.',
    });
  }
}

/** Tunnel and public URL: what the tunnel is doing. */
function tunnelState({ now, tunnel, secrets, publicUrl }: DoctorContext, add: Add): void {
  switch (tunnel.state) {
    case 'online':
      add({
        id: 'tunnel-online', level: 'ok', title: 'Tunnel is online',
        detail: `Meta and Twilio can reach Hookscope at ${tunnel.url ?? base(publicUrl)} (online since ${ago(now, tunnel.since)}).`,
      });
      break;
    case 'connecting':
      if (tunnel.message && /reconnecting/i.test(tunnel.message)) {
        add({
          id: 'tunnel-reconnecting', level: 'warn', title: 'Tunnel dropped, reconnecting',
          detail: `The tunnel went down ${ago(now, tunnel.since)} and Hookscope keeps retrying. Meta retries webhooks for a while, Twilio does not: check this computer's internet connection. The local receiver keeps working.`,
        });
      } else {
        add({ id: 'tunnel-connecting', level: 'info', title: 'Tunnel is connecting', detail: 'Hookscope is opening the ngrok tunnel; this usually takes a second or two.' });
      }
      break;
    case 'error':
      add({
        id: 'tunnel-error', level: 'error', title: 'The tunnel could not be opened',
        detail: `${tunnel.message ?? 'The tunnel failed.'}${tunnel.code ? ` (${tunnel.code})` : ''}`,
      });
      break;
    case 'off':
    default:
      if (publicUrl) {
        add({
          id: 'tunnel-off', level: 'info', title: 'Tunnel is off; using your own public URL',
          detail: `Hookscope assumes ${base(publicUrl)} reaches this computer's receiver (your own tunnel or proxy). Start the built-in ngrok tunnel from Setup if it does not.`,
        });
      } else {
        add({
          id: 'tunnel-off', level: 'warn', title: 'Tunnel is off',
          detail: secrets.ngrokAuthtoken === false
            ? 'Meta and Twilio cannot reach this computer. Paste an ngrok authtoken (dashboard.ngrok.com → Your Authtoken) into Setup and start the tunnel, or set the public URL of your own tunnel.'
            : 'Meta and Twilio cannot reach this computer. Start the tunnel from Setup (or run serve with --tunnel), or set the public URL of your own tunnel.',
        });
      }
  }
}

function publicUrlUnknown({ publicUrl }: DoctorContext, add: Add): void {
  if (!publicUrl) {
    add({
      id: 'public-url-unknown', level: 'warn', title: 'Public URL unknown',
      detail: 'Hookscope does not know the address Meta and Twilio call. Start the tunnel, or set the public URL (Setup, --public-url or HOOKSCOPE_PUBLIC_URL) when you use your own tunnel. Twilio signatures cannot be checked without it.',
    });
  }
}

function ngrokFreeDomain({ facts, tunnel }: DoctorContext, add: Add): void {
  const tunnelHost = hostOf(tunnel.state === 'online' ? tunnel.url : null);
  if (tunnelHost && NGROK_FREE_HOST.test(tunnelHost) && !facts.ngrokDomain) {
    add({
      id: 'ngrok-free-domain', level: 'info', title: 'The tunnel address changes on every restart',
      detail: 'Without a reserved domain, ngrok gives a new random URL each time the tunnel starts, and the Callback URL in Meta (and the webhook URL in Twilio) must be updated each time. Reserve a static domain in the ngrok dashboard (Domains; free accounts can claim one) and enter it in Setup → ngrok domain. The ngrok browser warning page only appears to browsers: it does not affect Meta\'s or Twilio\'s webhook calls.',
    });
  }
}

/** Secrets. */
function verifyTokenMissing({ secrets }: DoctorContext, add: Add): void {
  if (!secrets.metaVerifyToken) {
    add({
      id: 'verify-token-missing', level: 'warn', title: 'No Meta verify token set',
      detail: 'Hookscope answers Meta\'s verification handshake with 403 until a verify token is set. Choose any string, enter it in Setup (or META_VERIFY_TOKEN), and type the same string in App Dashboard → WhatsApp → Configuration → Verify token.',
    });
  }
}

function metaAppSecretMissing({ secrets, meta, accept }: DoctorContext, add: Add): void {
  if (!secrets.metaAppSecret) {
    const unchecked = verdictCount(meta, 'unchecked');
    add({
      id: 'meta-app-secret-missing', level: unchecked > 0 ? 'warn' : 'info', title: 'No Meta app secret set',
      detail: `${unchecked > 0 ? `${plural(unchecked, 'Meta webhook')} ${accept.meta ? 'arrived with unchecked signatures' : 'arrived without a secret to check them (refused, unless accepted unsigned)'}. ` : ''}${accept.meta ? '' : 'Meta webhooks are refused until it is set (the verification handshake works with the verify token alone). '}Set the app secret (App Dashboard → App settings → Basic → App secret; not the access token or the verify token) in Setup or META_APP_SECRET so X-Hub-Signature-256 is verified.`,
    });
  }
}

function twilioTokenMissing({ secrets, twilio, accept }: DoctorContext, add: Add): void {
  if (!secrets.twilioAuthToken) {
    const unchecked = verdictCount(twilio, 'unchecked');
    add({
      // An unset provider is simply off: someone who only uses Meta is not warned about Twilio (requests on
      // /twilio are refused and listed in Rejected) — unless its unsigned webhooks are being accepted.
      id: 'twilio-token-missing', level: unchecked > 0 && accept.twilio ? 'warn' : 'info', title: 'No Twilio auth token set',
      detail: `${unchecked > 0 ? `${plural(unchecked, 'Twilio webhook')} ${accept.twilio ? 'arrived with unchecked signatures' : 'arrived without a token to check them (refused, unless accepted unsigned)'}. ` : ''}${accept.twilio ? '' : 'Twilio is off: /twilio refuses webhooks until it is set. '}If you use Twilio, set the auth token (Twilio Console → Account info → Auth Token) in Setup or TWILIO_AUTH_TOKEN so X-Twilio-Signature is verified.`,
    });
  }
}

/** The last verification handshake. */
function handshake({ facts, now, secrets, callback }: DoctorContext, add: Add): void {
  const hs = facts.lastHandshake;
  if (!hs) {
    add({
      id: 'handshake-none', level: 'info', title: 'Meta has not verified the callback yet',
      detail: `${META_WEBHOOK_STEPS} ${callback}, type the verify token you set in Hookscope and click "Verify and save".`,
    });
  } else if (hs.status === 403) {
    add({
      id: 'handshake-403', level: 'error', title: 'Verification handshake refused (403)',
      detail: secrets.metaVerifyToken
        ? `The last GET /meta (${ago(now, hs.at)}) carried a verify token that does not match the one set in Hookscope. Type exactly the same string in App Dashboard → WhatsApp → Configuration → Verify token (watch for spaces) and click "Verify and save" again.`
        : `The last GET /meta (${ago(now, hs.at)}) was refused because no verify token is set in Hookscope. Set one in Setup, type the same in App Dashboard → WhatsApp → Configuration → Verify token, and verify again.`,
    });
  } else if (hs.status === 200 && hs.selfCheck) {
    add({
      id: 'handshake-self-only', level: 'info', title: 'Only Hookscope\'s self-check has verified so far',
      detail: `The handshake works through the public URL, but Meta itself has not called it yet. ${META_WEBHOOK_STEPS} ${callback} and click "Verify and save".`,
    });
  } else if (hs.status === 200) {
    add({ id: 'handshake-ok', level: 'ok', title: 'Meta verified the callback', detail: `The last verification handshake was answered 200 ${ago(now, hs.at)}.` });
  }
}

function selfCheck({ facts, now, callback }: DoctorContext, add: Add): void {
  const sc = facts.selfCheck;
  if (sc) {
    if (sc.ok) {
      add({ id: 'self-check-ok', level: 'ok', title: 'The public URL reaches Hookscope', detail: `GET ${callback} through the public URL echoed the challenge (${ago(now, sc.at)}).` });
    } else {
      const why = sc.status === 403
        ? 'it was answered 403: the verify token does not match'
        : sc.error ?? (sc.status !== null ? `it was answered ${sc.status}` : 'no answer');
      add({
        id: 'self-check-failed', level: 'error', title: 'The public URL does not reach Hookscope',
        detail: `GET ${callback} through the public URL failed: ${why}. Check that the tunnel is online and that the public URL points to this computer's receiver.`,
      });
    }
  }
}

function noPostAfterHandshake({ facts, now, meta }: DoctorContext, add: Add): void {
  const hs = facts.lastHandshake;
  const waitMin = facts.noPostAfterHandshakeMinutes ?? 10;
  if (hs && hs.status === 200 && !hs.selfCheck && (meta.lastAt === null || meta.lastAt < hs.at) && now - hs.at >= waitMin * 60_000) {
    add({
      id: 'no-post-after-handshake', level: 'warn', title: 'Verified, but no webhook has arrived',
      detail: `Meta verified the callback ${ago(now, hs.at)} but has sent no POST since. Subscribe the app to the WhatsApp Business Account's events: App Dashboard → WhatsApp → Configuration → Webhook fields → subscribe to "messages". The "Test" button next to a field sends a sample webhook even without a subscription, so a test arriving does not prove the subscription.`,
    });
  }
}

/** Signatures. */
function metaSignatureInvalid({ facts, meta }: DoctorContext, add: Add): void {
  const metaInvalid = verdictCount(meta, 'invalid');
  if (metaInvalid > 0 && facts.metaInvalidSignedWithVerifyToken) {
    add({
      id: 'meta-secret-swapped', level: 'error', title: 'The app secret is in the verify token field',
      detail: 'Meta signed with a key equal to the verify token set in Hookscope: the two fields look swapped. Put the app secret (App Dashboard → App settings → Basic → App secret) in "Meta app secret", choose a different verify token, and update it in App Dashboard → WhatsApp → Configuration.',
    });
  } else if (metaInvalid > 0) {
    add({
      id: 'meta-signature-invalid', level: 'error', title: `${plural(metaInvalid, 'Meta webhook')} failed the signature check`,
      detail: 'X-Hub-Signature-256 does not match any app secret set in Hookscope. Copy the app secret of the app that owns the webhook (App Dashboard → App settings → Basic → App secret); an access token or the verify token will not work. Open one of these events: its Signature tab shows what each secret computes.',
    });
  }
}

function metaSignatureMissing({ meta }: DoctorContext, add: Add): void {
  const metaMissing = verdictCount(meta, 'missing');
  if (metaMissing > 0) {
    add({
      id: 'meta-signature-missing', level: 'warn', title: `${plural(metaMissing, 'Meta webhook')} without a signature`,
      detail: 'Meta always sends X-Hub-Signature-256; requests without it come from something else (a test tool, a BSP that strips headers, a proxy). Check who posts to /meta.',
    });
  }
}

function twilioSignatureInvalid({ publicUrl, twilio }: DoctorContext, add: Add): void {
  const twInvalid = verdictCount(twilio, 'invalid');
  if (twInvalid > 0 && !publicUrl) {
    add({
      id: 'twilio-signature-no-public-url', level: 'error', title: 'Twilio signatures fail: public URL unknown',
      detail: 'Twilio signs the exact public URL it calls, and Hookscope only knows its local URL. Start the tunnel or set the public URL (Setup, --public-url or HOOKSCOPE_PUBLIC_URL).',
    });
  } else if (twInvalid > 0) {
    add({
      id: 'twilio-signature-invalid', level: 'warn', title: `${plural(twInvalid, 'Twilio webhook')} failed the signature check`,
      detail: `Check the auth token (Twilio Console → Account info → Auth Token; after a rotation set both) and that the webhook URL in Twilio is exactly ${base(publicUrl)}/twilio, with the same scheme, host and query. If the tunnel address changed, update it in Twilio.`,
    });
  }
}

/** Requests to paths no provider uses. */
function unrouted({ facts, now, publicUrl }: DoctorContext, add: Add): void {
  for (const u of facts.unrouted) {
    if (u.count <= 0 || NOISE_PATH.test(u.path.split('?')[0])) continue;
    const s = suggestRoute(u.path);
    const when = u.lastAt ? `, last ${ago(now, u.lastAt)}` : '';
    const fix = s === '/twilio'
      ? `Change the webhook URL in Twilio to ${base(publicUrl)}/twilio.`
      : s === '/meta'
        ? `Change the Callback URL to ${base(publicUrl)}/meta (or ${base(publicUrl)}/twilio if this is Twilio).`
        : `Use ${base(publicUrl)}/meta for Meta or ${base(publicUrl)}/twilio for Twilio.`;
    add({
      id: `unrouted:${u.path}`, level: 'warn', title: `Requests to ${u.path} were not routed`,
      detail: `${plural(u.count, 'request')} to ${u.path} got 404${when}. Hookscope receives Meta webhooks on /meta and Twilio webhooks on /twilio. ${fix}`,
    });
  }
}

/** Traffic. */
function traffic({ facts, now, tunnel, publicUrl, meta, twilio, callback }: DoctorContext, add: Add): void {
  if (facts.lastWebhookAt !== null) {
    add({
      id: 'webhooks-received', level: 'ok', title: 'Webhooks are arriving',
      detail: `Last webhook ${ago(now, facts.lastWebhookAt)}; ${plural(meta.count, 'Meta POST')}, ${plural(twilio.count, 'Twilio POST')} so far.`,
    });
  } else if (tunnel.state === 'online' || publicUrl) {
    add({
      id: 'no-webhooks', level: 'info', title: 'No webhook received yet',
      detail: `Point the provider at ${callback} (Meta) or ${base(publicUrl)}/twilio (Twilio), or use the simulator to see how events look.`,
    });
  }
}

/** The checks in the order their findings are listed: an outage first, then trust, reachability, secrets, handshake, signatures, routing, traffic. */
const CHECKS: readonly ((c: DoctorContext, add: Add) => void)[] = [
  diskFull,
  teamHeldBack,
  trustNoSecret,
  acceptUnsignedMigrated,
  rejectedWouldVerify,
  tunnelState,
  publicUrlUnknown,
  ngrokFreeDomain,
  verifyTokenMissing,
  metaAppSecretMissing,
  twilioTokenMissing,
  handshake,
  selfCheck,
  noPostAfterHandshake,
  metaSignatureInvalid,
  metaSignatureMissing,
  twilioSignatureInvalid,
  unrouted,
  traffic,
];

export function runDoctor(facts: DoctorFacts): DoctorFinding[] {
  const out: DoctorFinding[] = [];
  const { now, tunnel, secrets, publicUrl } = facts;
  const c: DoctorContext = {
    facts, now, tunnel, secrets, publicUrl, meta: facts.posts.meta, twilio: facts.posts.twilio,
    accept: facts.acceptUnsigned ?? { meta: false, twilio: false, migrated: [] },
    callback: `${base(publicUrl)}/meta`,
  };
  for (const check of CHECKS) check(c, (f) => out.push(f));
  return out;
}

/**
 * Meta's handshake against ourselves, through the public URL: GET {publicUrl}/meta with a random
 * challenge; ok when the answer is 200 with exactly the challenge as the body.
 */
export async function selfCheckHandshake(
  publicUrl: string,
  verifyToken: string,
  fetchImpl: typeof fetch = fetch,
): Promise<{ ok: boolean; status: number | null; error: string | null }> {
  const challenge = String(randomInt(100_000_000, 2_000_000_000));
  let url: URL;
  try {
    url = new URL(`${publicUrl.replace(/\/+$/, '')}/meta`);
  } catch {
    return { ok: false, status: null, error: 'the public URL is not a valid URL' };
  }
  url.searchParams.set('hub.mode', 'subscribe');
  url.searchParams.set('hub.verify_token', verifyToken);
  url.searchParams.set('hub.challenge', challenge);

  let res: Response;
  try {
    res = await fetchImpl(url, {
      method: 'GET',
      headers: { 'ngrok-skip-browser-warning': '1', 'user-agent': 'Hookscope-self-check' },
      redirect: 'manual',
      signal: AbortSignal.timeout(10_000),
    });
  } catch (err) {
    const name = (err as Error)?.name;
    const code = (err as { cause?: { code?: string } })?.cause?.code;
    const why = name === 'TimeoutError' || name === 'AbortError'
      ? 'no answer within 10 s'
      : code ? `could not connect (${code})` : 'could not connect';
    return { ok: false, status: null, error: why };
  }

  let body = '';
  try { body = await res.text(); } catch { /* an unreadable body is just not the challenge */ }
  if (res.status === 200 && body.trim() === challenge) return { ok: true, status: 200, error: null };
  if (res.status === 403) return { ok: false, status: 403, error: 'answered 403: the verify token does not match' };
  if (/ERR_NGROK_3200/.test(body)) return { ok: false, status: res.status, error: 'the ngrok endpoint is offline (ERR_NGROK_3200): the tunnel is not running' };
  if (/ERR_NGROK_8012/.test(body)) return { ok: false, status: res.status, error: 'ngrok could not reach the local receiver (ERR_NGROK_8012)' };
  if (res.status === 200) return { ok: false, status: 200, error: 'answered 200 without echoing the challenge: the public URL seems to point to another server' };
  return { ok: false, status: res.status, error: `answered ${res.status}` };
}
