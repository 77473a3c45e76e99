// The tunnel state machine (docs/api.md: /api/tunnel, §5): off → connecting → online | error.
//
// - No authtoken → error TUNNEL_NO_TOKEN at once, the connector is not called.
// - A first connect that fails ends in `error` with our wording (shared/errors.ts); nothing retries.
// - An online session that drops goes back to `connecting` ("reconnecting, down since HH:MM:SS",
//   `since` = when it went down) and reconnects with back-off until stop(). Errors a retry cannot fix
//   (no token, invalid token, domain not allowed) end the loop in `error`.
// - start() while connecting/online is idempotent; stop() cancels pending retries and closes the session.
// - Logs never carry the tunnel URL, the domain or the authtoken.
import { ERROR_MESSAGES, type ErrorCode } from '../../../shared/errors';
import type { TunnelState } from '../../../shared/types';
import { classifyTunnelError, redactTunnelText } from './ngrok-connector';
import { silentLogger, type Clock, type Logger, type TunnelConnector, type TunnelSession } from '../types';

export interface Tunnel {
  get(): TunnelState;
  start(): Promise<TunnelState>;
  stop(): Promise<TunnelState>;
  onChange(cb: (s: TunnelState) => void): () => void;
  close(): Promise<void>;
}

export interface TunnelDeps {
  connector: TunnelConnector;
  getAuthtoken: () => string | null;
  getDomain: () => string | null;
  getPort: () => number;
  clock?: Clock;
  logger?: Logger;
  /** Delays between reconnect attempts after a drop; the last one repeats. */
  backoffMs?: number[];
}

export const DEFAULT_BACKOFF_MS = [1000, 2000, 5000, 10_000, 30_000];

/** Codes a retry cannot fix: the user has to change something first. */
const FINAL_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'TUNNEL_NO_TOKEN', 'TUNNEL_INVALID_TOKEN', 'TUNNEL_DOMAIN_NOT_ALLOWED',
]);

/** Local wall-clock time as HH:MM:SS. */
export function formatClockTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

export function createTunnel(deps: TunnelDeps): Tunnel {
  const clock = deps.clock ?? Date.now;
  const logger = deps.logger ?? silentLogger;
  const backoff = deps.backoffMs && deps.backoffMs.length > 0 ? deps.backoffMs : DEFAULT_BACKOFF_MS;
  const listeners = new Set<(s: TunnelState) => void>();

  let state: TunnelState = { state: 'off', since: clock() };
  /** Bumped by stop(): anything started under an older generation is stale and cleans up after itself. */
  let generation = 0;
  let session: TunnelSession | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let retryIndex = 0;
  let pending: Promise<TunnelState> | null = null;
  let closed = false;

  const snapshot = (): TunnelState => ({ ...state });

  function setState(next: TunnelState): void {
    state = next;
    const s = snapshot();
    for (const cb of [...listeners]) {
      try { cb(s); } catch (err) { logger.warn('tunnel listener failed', { error: String((err as Error)?.message ?? err) }); }
    }
  }

  function setError(code: ErrorCode): void {
    setState({ state: 'error', code, message: ERROR_MESSAGES[code], since: clock() });
  }

  function secretsNow(): string[] {
    const out: string[] = [];
    const t = safe(deps.getAuthtoken);
    const d = safe(deps.getDomain);
    if (t) out.push(t);
    if (d) out.push(d);
    const u = session?.url();
    if (u) out.push(u);
    if (state.url) out.push(state.url);
    return out;
  }

  function safe(f: () => string | null): string | null {
    try { return f() || null; } catch { return null; }
  }

  function detailOf(err: unknown): string {
    const d = err && typeof err === 'object' ? (err as { detail?: unknown }).detail : undefined;
    const raw = typeof d === 'string' ? d : err instanceof Error ? err.message : String(err);
    return redactTunnelText(raw, secretsNow());
  }

  function closeQuietly(s: TunnelSession): Promise<void> {
    return s.close().catch((err) => {
      logger.debug('tunnel session close failed', { detail: detailOf(err) });
    });
  }

  async function attempt(gen: number, reconnecting: boolean): Promise<TunnelState> {
    const authtoken = safe(deps.getAuthtoken);
    if (!authtoken) {
      logger.warn('tunnel: no ngrok authtoken set', { code: 'TUNNEL_NO_TOKEN' });
      setError('TUNNEL_NO_TOKEN');
      return snapshot();
    }
    const domain = safe(deps.getDomain);
    const started = clock();
    logger.info(reconnecting ? 'tunnel reconnecting' : 'tunnel connecting', { customDomain: Boolean(domain) });

    let s: TunnelSession;
    try {
      s = await deps.connector.connect({ addr: deps.getPort(), authtoken, domain });
    } catch (err) {
      if (gen !== generation) return snapshot();
      const code = classifyTunnelError(err);
      logger.warn('tunnel connect failed', { code, ms: clock() - started, detail: detailOf(err) });
      if (reconnecting && !FINAL_CODES.has(code)) {
        scheduleRetry(gen);
        return snapshot();
      }
      setError(code);
      return snapshot();
    }

    if (gen !== generation || closed) {
      // stop() came while we were connecting: this session is not wanted any more.
      await closeQuietly(s);
      return snapshot();
    }

    session = s;
    retryIndex = 0;
    s.onDisconnect?.((err) => onDrop(gen, s, err));
    const url = s.url() ?? undefined;
    logger.info('tunnel online', { ms: clock() - started });
    setState({ state: 'online', url, since: clock() });
    return snapshot();
  }

  function onDrop(gen: number, s: TunnelSession, err: Error): void {
    if (gen !== generation || session !== s) return;
    session = null;
    const downSince = clock();
    logger.warn('tunnel dropped', { code: classifyTunnelError(err), detail: detailOf(err) });
    void closeQuietly(s);
    setState({ state: 'connecting', message: `reconnecting, down since ${formatClockTime(downSince)}`, since: downSince });
    scheduleRetry(gen);
  }

  function scheduleRetry(gen: number): void {
    if (gen !== generation || closed) return;
    const delay = backoff[Math.min(retryIndex, backoff.length - 1)];
    retryIndex++;
    logger.debug('tunnel retry scheduled', { inMs: delay, attempt: retryIndex });
    retryTimer = setTimeout(() => {
      retryTimer = null;
      if (gen !== generation || closed) return;
      const p = attempt(gen, true);
      pending = p;
      void p.finally(() => { if (pending === p) pending = null; });
    }, delay);
  }

  function clearRetry(): void {
    if (retryTimer) clearTimeout(retryTimer);
    retryTimer = null;
  }

  async function stop(): Promise<TunnelState> {
    generation++;
    clearRetry();
    retryIndex = 0;
    pending = null;
    const s = session;
    session = null;
    const wasOff = state.state === 'off';
    if (s) await closeQuietly(s);
    if (!wasOff) {
      logger.info('tunnel stopped');
      setState({ state: 'off', since: clock() });
    }
    return snapshot();
  }

  return {
    get: snapshot,

    async start(): Promise<TunnelState> {
      if (closed) return snapshot();
      if (state.state === 'online') return snapshot();
      if (state.state === 'connecting') return pending ?? snapshot();
      const gen = ++generation;
      clearRetry();
      retryIndex = 0;
      if (!safe(deps.getAuthtoken)) {
        logger.warn('tunnel: no ngrok authtoken set', { code: 'TUNNEL_NO_TOKEN' });
        setError('TUNNEL_NO_TOKEN');
        return snapshot();
      }
      setState({ state: 'connecting', message: 'connecting to ngrok…', since: clock() });
      const p = attempt(gen, false);
      pending = p;
      void p.finally(() => { if (pending === p) pending = null; });
      return p;
    },

    stop,

    onChange(cb) {
      listeners.add(cb);
      return () => { listeners.delete(cb); };
    },

    async close(): Promise<void> {
      await stop();
      closed = true;
      listeners.clear();
    },
  };
}
