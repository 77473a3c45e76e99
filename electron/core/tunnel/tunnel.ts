// The tunnel state machine (docs/api.md: /api/tunnel, §5): off → connecting → online | error.
//
// - No authtoken → error TUNNEL_NO_TOKEN at once, the connector is not called.
// - A first connect that fails ends in `error` with our wording (shared/errors.ts); nothing retries.
// - An online session that drops goes back to `connecting` ("reconnecting, down since HH:MM:SS",
//   `since` = when it went down) and reconnects with back-off until stop(). Errors a retry cannot fix
//   (no token, invalid token, domain not allowed) end the loop in `error`.
// - start() while connecting/online is idempotent; stop() cancels pending retries and closes the session.
// - Logs never carry the tunnel URL, the domain or the authtoken.
// The connector's side (settings read at connect time, redacted error details) is tunnel-link.ts.
import { ERROR_MESSAGES, type ErrorCode } from '../../../shared/errors';
import type { TunnelState } from '../../../shared/types';
import { classifyTunnelError } from './ngrok-connector';
import { silentLogger, type Clock, type Logger, type TunnelSession } from '../types';
import { createTunnelLink, type TunnelLinkDeps } from './tunnel-link';

export interface Tunnel {
  get(): TunnelState;
  start(): Promise<TunnelState>;
  stop(): Promise<TunnelState>;
  onChange(cb: (s: TunnelState) => void): () => void;
  close(): Promise<void>;
}

export interface TunnelDeps extends TunnelLinkDeps {
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

/** The current state and its listeners: each change is told to every listener, a failing one is logged. */
function stateCell(initial: TunnelState, logger: Logger) {
  let state = initial;
  const listeners = new Set<(s: TunnelState) => void>();
  const snapshot = (): TunnelState => ({ ...state });
  return {
    now: () => state,
    snapshot,
    set(next: TunnelState): void {
      state = next;
      const s = snapshot();
      for (const cb of [...listeners]) {
        try { cb(s); } catch (err) { logger.warn('tunnel listener failed', { error: String((err as Error)?.message ?? err) }); }
      }
    },
    onChange(cb: (s: TunnelState) => void): () => void {
      listeners.add(cb);
      return () => { listeners.delete(cb); };
    },
    clear: () => listeners.clear(),
  };
}

export function createTunnel(deps: TunnelDeps): Tunnel {
  const clock = deps.clock ?? Date.now;
  const logger = deps.logger ?? silentLogger;
  const backoff = deps.backoffMs && deps.backoffMs.length > 0 ? deps.backoffMs : DEFAULT_BACKOFF_MS;
  const cell = stateCell({ state: 'off', since: clock() }, logger);
  const { snapshot } = cell;

  /** Bumped by stop(): anything started under an older generation is stale and cleans up after itself. */
  let generation = 0;
  let session: TunnelSession | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let retryIndex = 0;
  let pending: Promise<TunnelState> | null = null;
  let closed = false;
  const link = createTunnelLink(deps, logger, () => [session?.url(), cell.now().url]);

  function setError(code: ErrorCode): TunnelState {
    cell.set({ state: 'error', code, message: ERROR_MESSAGES[code], since: clock() });
    return snapshot();
  }

  function noToken(): TunnelState {
    logger.warn('tunnel: no ngrok authtoken set', { code: 'TUNNEL_NO_TOKEN' });
    return setError('TUNNEL_NO_TOKEN');
  }

  /** Runs one connect as `pending` (start() while connecting answers with it). */
  function track(p: Promise<TunnelState>): Promise<TunnelState> {
    pending = p;
    void p.finally(() => { if (pending === p) pending = null; });
    return p;
  }

  async function attempt(gen: number, reconnecting: boolean): Promise<TunnelState> {
    const authtoken = link.authtoken();
    if (!authtoken) return noToken();
    const domain = link.domain();
    const started = clock();
    logger.info(reconnecting ? 'tunnel reconnecting' : 'tunnel connecting', { customDomain: Boolean(domain) });

    let s: TunnelSession;
    try {
      s = await link.connect(authtoken, domain);
    } catch (err) {
      if (gen !== generation) return snapshot();
      const code = classifyTunnelError(err);
      logger.warn('tunnel connect failed', { code, ms: clock() - started, detail: link.detail(err) });
      if (reconnecting && !FINAL_CODES.has(code)) {
        scheduleRetry(gen);
        return snapshot();
      }
      return setError(code);
    }

    if (gen !== generation || closed) {
      // stop() came while we were connecting: this session is not wanted any more.
      await link.closeQuietly(s);
      return snapshot();
    }

    session = s;
    retryIndex = 0;
    s.onDisconnect?.((err) => onDrop(gen, s, err));
    const url = s.url() ?? undefined;
    logger.info('tunnel online', { ms: clock() - started });
    cell.set({ state: 'online', url, since: clock() });
    return snapshot();
  }

  function onDrop(gen: number, s: TunnelSession, err: Error): void {
    if (gen !== generation || session !== s) return;
    session = null;
    const downSince = clock();
    logger.warn('tunnel dropped', { code: classifyTunnelError(err), detail: link.detail(err) });
    void link.closeQuietly(s);
    cell.set({ state: 'connecting', message: `reconnecting, down since ${formatClockTime(downSince)}`, since: downSince });
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
      void track(attempt(gen, true));
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
    const wasOff = cell.now().state === 'off';
    if (s) await link.closeQuietly(s);
    if (!wasOff) {
      logger.info('tunnel stopped');
      cell.set({ state: 'off', since: clock() });
    }
    return snapshot();
  }

  return {
    get: snapshot,

    async start(): Promise<TunnelState> {
      if (closed) return snapshot();
      const now = cell.now().state;
      if (now === 'online') return snapshot();
      if (now === 'connecting') return pending ?? snapshot();
      const gen = ++generation;
      clearRetry();
      retryIndex = 0;
      if (!link.authtoken()) return noToken();
      cell.set({ state: 'connecting', message: 'connecting to ngrok…', since: clock() });
      return track(attempt(gen, false));
    },

    stop,
    onChange: cell.onChange,

    async close(): Promise<void> {
      await stop();
      closed = true;
      cell.clear();
    },
  };
}
