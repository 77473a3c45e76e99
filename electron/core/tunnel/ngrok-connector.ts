// The real tunnel adapter over @ngrok/ngrok (in-process, no ngrok binary; docs/architecture.md).
//
// - The package is loaded lazily with a dynamic import, so a missing or broken native binary only
//   fails the tunnel (TUNNEL_FAILED), never the core.
// - Failures are mapped to our closed list of codes (shared/errors.ts) by classifyTunnelError().
//   ngrok's own messages can carry the authtoken ("Your authtoken: …") and tunnel URLs: they never
//   leave this module unredacted.
// - Connecting is bounded by a timeout (8 s by default). A session that resolves after we gave up is
//   closed as soon as it appears, and once a session drops, ngrok's own reconnect loop is cancelled
//   (the disconnection handler answers false) and the session closed: the tunnel state machine in
//   tunnel.ts decides about reconnecting, with its own back-off.
import { ERROR_MESSAGES, HookscopeError, type ErrorCode } from '../../../shared/errors';
import type { TunnelConnector, TunnelSession } from '../types';

type NgrokModule = typeof import('@ngrok/ngrok');
type NgrokSession = import('@ngrok/ngrok').Session;
type NgrokListener = import('@ngrok/ngrok').Listener;

export interface NgrokConnectorOptions {
  /** Upper bound for establishing the session and binding the endpoint. Default 8000 ms. */
  connectTimeoutMs?: number;
  /** Reported to ngrok as the client version. */
  clientVersion?: string;
  /** Test seam: how to load the module. Defaults to `import('@ngrok/ngrok')`. */
  load?: () => Promise<NgrokModule>;
}

/** An error the connector throws: one of our codes, our wording, and a redacted detail for debug logs. */
export class TunnelConnectError extends HookscopeError {
  constructor(code: ErrorCode, readonly detail: string | null, readonly ngrokCode: string | null) {
    super(code, ERROR_MESSAGES[code]);
    this.name = 'TunnelConnectError';
  }
}

// ---- classification ----

const INVALID_TOKEN_CODES = new Set([
  105, // does not look like a proper authtoken
  106, // ngrok v1 authtoken
  107, // properly formed but invalid (reset, removed from team, revoked)
  300, // credential revoked
  4018, // usage requires a verified account and authtoken
]);
const SESSION_LIMIT_CODES = new Set([
  108, // limited to N simultaneous agent sessions
  348, // limited to N sessions
]);
const DOMAIN_CODES = new Set([
  313, 314, // custom subdomains / hostnames need a paid plan
  316, // credential ACL does not permit binding this name
  317, 322, // domain is reserved in another region
  318, 319, // must reserve the (wildcard) domain before binding
  320, // domain reserved for another account
  321, // wildcard must be reserved exactly
  326, 327, 328, 329, 330, 331, 347, 355, // malformed domain
  354, // nested subdomain of an ngrok base domain must be reserved first
  7117, 7118, // the domain is not reserved (by your account)
]);

const NETWORK_NODE_CODES = new Set([
  'ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH',
  'ENETDOWN', 'EPIPE', 'ECONNABORTED', 'UND_ERR_CONNECT_TIMEOUT',
]);

const NETWORK_TEXT = /failed to establish tcp connection|tls handshake|failed to connect through proxy|connect function gave up|dns|lookup|resolve|name or service not known|network is unreachable|no route to host|connection refused|connection reset|timed out|timeout|heartbeat|offline|unreachable|transport|peer eof|remote gone away|session closed|reconnect/i;

function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'string') return err;
  if (err && typeof err === 'object' && typeof (err as { message?: unknown }).message === 'string') {
    return (err as { message: string }).message;
  }
  return '';
}

/** ERR_NGROK_<n> as a number, from the `errorCode` the package fills in or from the message text. */
export function ngrokErrorNumber(err: unknown): number | null {
  const fromProp = err && typeof err === 'object' ? (err as { errorCode?: unknown }).errorCode : undefined;
  const candidates = [typeof fromProp === 'string' ? fromProp : '', messageOf(err)];
  for (const text of candidates) {
    const m = /ERR_NGROK_(\d+)/.exec(text) ?? /error_code:\s*(\d+)\b/.exec(text);
    if (m) return Number(m[1]);
  }
  return null;
}

function isOurCode(x: unknown): x is ErrorCode {
  return typeof x === 'string' && Object.prototype.hasOwnProperty.call(ERROR_MESSAGES, x);
}

/** Map whatever connecting to ngrok threw to one of our TUNNEL_* codes. */
export function classifyTunnelError(err: unknown): ErrorCode {
  const own = err && typeof err === 'object' ? (err as { code?: unknown }).code : undefined;
  if (isOurCode(own) && own.startsWith('TUNNEL_')) return own;

  const n = ngrokErrorNumber(err);
  if (n !== null) {
    if (INVALID_TOKEN_CODES.has(n)) return 'TUNNEL_INVALID_TOKEN';
    if (SESSION_LIMIT_CODES.has(n)) return 'TUNNEL_SESSION_LIMIT';
    if (DOMAIN_CODES.has(n)) return 'TUNNEL_DOMAIN_NOT_ALLOWED';
  }

  if (typeof own === 'string' && NETWORK_NODE_CODES.has(own)) return 'TUNNEL_NO_NETWORK';
  const cause = err && typeof err === 'object' ? (err as { cause?: { code?: unknown } }).cause : undefined;
  if (cause && typeof cause.code === 'string' && NETWORK_NODE_CODES.has(cause.code)) return 'TUNNEL_NO_NETWORK';

  const msg = messageOf(err);
  if (/authtoken|auth token|authentication fail|authentication required|not authorized to start/i.test(msg)) {
    return 'TUNNEL_INVALID_TOKEN';
  }
  if (/simultaneous .*session|session limit|limited to \d+ (simultaneous )?(ngrok )?(agent )?sessions?/i.test(msg)) {
    return 'TUNNEL_SESSION_LIMIT';
  }
  if (/(domain|hostname|subdomain)/i.test(msg) && /(reserv|not allowed|not permitted|failed to bind)/i.test(msg)) {
    return 'TUNNEL_DOMAIN_NOT_ALLOWED';
  }
  if (NETWORK_TEXT.test(msg)) return 'TUNNEL_NO_NETWORK';
  return 'TUNNEL_FAILED';
}

// ---- redaction ----

/**
 * Remove what must never be logged from a text: the given secrets (authtoken, domain, URL), any
 * URL, anything ngrok prints after "authtoken:", and ngrok hostnames.
 */
export function redactTunnelText(text: string, secrets: (string | null | undefined)[] = []): string {
  let out = text;
  for (const s of secrets) {
    if (s && s.length >= 4) out = out.split(s).join('[redacted]');
  }
  return out
    .replace(/(authtoken|auth token|token)(\s*[:=]\s*)\S+/gi, '$1$2[redacted]')
    .replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi, '[url]')
    .replace(/\b[a-z0-9-]+(\.[a-z0-9-]+)*\.ngrok(-free)?\.(app|dev|io|pizza)\b/gi, '[host]');
}

// ---- the connector ----

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      const e = new Error(`timed out after ${ms} ms while connecting to ngrok`);
      (e as { code?: string }).code = 'ETIMEDOUT';
      reject(e);
    }, ms);
    p.then(
      (v) => { clearTimeout(timer); resolve(v); },
      (e) => { clearTimeout(timer); reject(e); },
    );
  });
}

let cachedModule: Promise<NgrokModule> | null = null;
function loadNgrok(): Promise<NgrokModule> {
  if (!cachedModule) {
    cachedModule = import('@ngrok/ngrok').then((m) => ((m as { default?: NgrokModule }).default?.SessionBuilder ? (m as { default: NgrokModule }).default : m));
    cachedModule.catch(() => { cachedModule = null; });
  }
  return cachedModule;
}

export function createNgrokConnector(opts: NgrokConnectorOptions = {}): TunnelConnector {
  const timeoutMs = opts.connectTimeoutMs ?? 8000;
  const load = opts.load ?? loadNgrok;

  return {
    async connect({ addr, authtoken, domain }): Promise<TunnelSession> {
      const secrets = [authtoken, domain ?? null];
      const fail = (err: unknown): TunnelConnectError => {
        const code = classifyTunnelError(err);
        const n = ngrokErrorNumber(err);
        return new TunnelConnectError(code, redactTunnelText(messageOf(err), secrets) || null, n === null ? null : `ERR_NGROK_${n}`);
      };

      let ngrok: NgrokModule;
      try {
        ngrok = await load();
      } catch (err) {
        throw new TunnelConnectError('TUNNEL_FAILED', `the @ngrok/ngrok module could not be loaded: ${redactTunnelText(messageOf(err), secrets)}`, null);
      }

      // Shared between the connect attempt and the session handed out.
      let abandoned = false; // we gave up (timeout) or the session was closed on purpose
      let dropped = false;
      let rawSession: NgrokSession | null = null;
      const dropListeners: ((err: Error) => void)[] = [];

      const closeRaw = async (): Promise<void> => {
        const s = rawSession;
        rawSession = null;
        if (s) await s.close().catch(() => undefined);
      };

      const onDrop = (reason: string): void => {
        if (abandoned || dropped) return;
        dropped = true;
        const err = new TunnelConnectError('TUNNEL_NO_NETWORK', redactTunnelText(reason, secrets), null);
        // Stop ngrok's session for good: our state machine reconnects with a fresh one.
        void closeRaw();
        for (const cb of dropListeners.splice(0)) {
          try { cb(err); } catch { /* a listener's failure is not ours */ }
        }
      };

      let builder: InstanceType<NgrokModule['SessionBuilder']>;
      try {
        builder = new ngrok.SessionBuilder();
        builder.authtoken(authtoken);
        if (opts.clientVersion) builder.clientInfo('hookscope', opts.clientVersion);
        // Called by ngrok before each reconnect attempt. Answering false cancels ngrok's internal
        // reconnect loop; the handler must never throw (ngrok treats that as fatal).
        builder.handleDisconnection((_addr: string, error: string) => {
          try { onDrop(String(error ?? 'disconnected')); } catch { /* never throw into ngrok */ }
          return false;
        });
        builder.handleStopCommand(() => {
          try { onDrop('the session was stopped from the ngrok dashboard'); } catch { /* ignore */ }
        });
      } catch (err) {
        throw fail(err);
      }

      const attempt = (async (): Promise<{ session: NgrokSession; listener: NgrokListener }> => {
        const session = await builder.connect();
        rawSession = session;
        if (abandoned) {
          await closeRaw();
          throw new Error('connect abandoned');
        }
        let endpoint = session.httpEndpoint();
        if (domain) endpoint = endpoint.domain(domain);
        const listener = await endpoint.listenAndForward(`http://127.0.0.1:${addr}`);
        if (abandoned) {
          await closeRaw();
          throw new Error('connect abandoned');
        }
        return { session, listener };
      })();

      let listener: NgrokListener;
      try {
        ({ listener } = await withTimeout(attempt, timeoutMs));
      } catch (err) {
        abandoned = true;
        // Whatever the native side still finishes later is closed the moment it appears.
        attempt.then(() => closeRaw(), () => closeRaw()).catch(() => undefined);
        void closeRaw();
        throw fail(err);
      }

      const url = listener.url();
      return {
        url: () => (dropped || abandoned ? null : url),
        async close() {
          abandoned = true;
          dropListeners.length = 0;
          await closeRaw();
        },
        onDisconnect(cb) {
          if (dropped) {
            queueMicrotask(() => cb(new TunnelConnectError('TUNNEL_NO_NETWORK', 'disconnected', null)));
            return;
          }
          dropListeners.push(cb);
        },
      };
    },
  };
}
