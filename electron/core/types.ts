// What the shells (Electron main, `serve`) and tests hand the core: options, logger, clock, secret store,
// tunnel connector, notifier. A leaf: it imports nothing of the core. The core's face, `Core`, is in core.ts.
import type { SecretStorageInfo } from '../../shared/types';

export interface Logger {
  debug(msg: string, ctx?: Record<string, unknown>): void;
  info(msg: string, ctx?: Record<string, unknown>): void;
  warn(msg: string, ctx?: Record<string, unknown>): void;
  error(msg: string, ctx?: Record<string, unknown>): void;
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

export type Clock = () => number;

/** Secrets come from the environment (serve) or an encrypted store (desktop); never logged. */
export interface SecretStore {
  get(name: SecretName): string | null;
  set(name: SecretName, value: string | null): void;
  /** Where secrets go and whether they survive a restart; shown in the settings view. */
  info?(): SecretStorageInfo;
  /** The user's choice when no OS keychain is available: memory only, or a plain file only they can read. */
  choosePersistence?(choice: 'memory' | 'plain-file'): void;
}
export type SecretName = 'metaAppSecret' | 'metaVerifyToken' | 'twilioAuthToken' | 'ngrokAuthtoken'
  /** The verify token generated on first start (settings.ts), used when none is set. */
  | 'metaVerifyTokenAuto'
  /** The desktop app's token for the team server it shows (electron/main/connection.ts). */
  | 'teamServerToken';

export interface TunnelSession {
  /** The public https URL, e.g. https://abc.ngrok-free.app */
  url(): string | null;
  close(): Promise<void>;
  /** Called by the connector when the session drops after being online. */
  onDisconnect?(cb: (err: Error) => void): void;
}

/** What the tunnel adapter needs from ngrok; tests inject a fake. */
export interface TunnelConnector {
  connect(opts: { addr: number; authtoken: string; domain?: string | null }): Promise<TunnelSession>;
}

export interface Notifier {
  /** Show a desktop notification; `eventId` lets a click focus the event. */
  show(n: { title: string; body: string; eventId: number | null; notificationId: number }): void;
}

export interface CoreOptions {
  dataDir: string;
  receiverPort: number;
  receiverHost: string;
  mode: 'desktop' | 'serve';
  version?: string;
  clock?: Clock;
  logger?: Logger;
  /** Overrides settings.json; used by `serve` flags and environment variables. */
  env?: {
    metaAppSecrets?: string[];
    metaVerifyToken?: string;
    twilioAuthTokens?: string[];
    ngrokAuthtoken?: string;
    publicUrl?: string;
    forwardTo?: string[];
    /** Providers whose unsigned webhooks are accepted for this run while they have no secret (not stored). */
    acceptUnsigned?: Array<'meta' | 'twilio'>;
  };
  secretStore?: SecretStore;
  tunnelConnector?: TunnelConnector;
  notifier?: Notifier;
  /** Path to a better-sqlite3 binary built for the running runtime (Electron's ABI). */
  nativeBinding?: string;
  /** Group-commit window; 0 = commit on the next tick. */
  commitDelayMs?: number;
  /**
   * Where the UI's reads run (reads.ts): 'auto' (default) = a worker thread when the bundled worker sits
   * next to the running bundle, else inline; 'off' = inline on the main connection; a path = that bundled
   * worker file.
   */
  readWorker?: 'auto' | 'off' | string;
  /**
   * 'hold' acknowledges webhooks without deriving their events until the next start (ingest/deriver.ts):
   * a diagnostic for crash-recovery tests and benchmarks of the acknowledgement path alone. 'worker' derives
   * on a worker thread with its own connection (ingest/worker-deriver.ts). 'auto': on the worker when the
   * store keeps its request log in a file of its own (every store made since schema 12: the append and the
   * derive then take two write locks) and the worker's bundle is found, outside team mode; else in the
   * receiver's thread. Default 'on' (the receiver's thread): with the worker the receiver acknowledges
   * faster than the worker derives, and a sustained stream leaves derivation behind (docs/benchmarks.md
   * "Derivation on a worker").
   */
  derive?: 'on' | 'hold' | 'worker' | 'auto';
  /**
   * Where the acknowledged commit's fsync runs: 'thread-pool' (default: an fdatasync of the WAL off the
   * receiver's thread, store/wal-sync.ts) or 'inline' (synchronous=FULL in the commit itself; kept for
   * benchmarks that compare the two).
   */
  ackFsync?: 'thread-pool' | 'inline';
  /**
   * Bytes of request bodies the receiver holds in memory at once, and per source (ingest/body-budget.ts);
   * defaults 64 MiB and max(16 MiB, twice the body limit). Tests make them small.
   */
  bodyBudgets?: { inFlight?: number; perSource?: number };
  /** Large uploads: how long one holds the turn, waits at most, how many wait at once (ingest/upload-turns.ts; tests change them). */
  uploadTurns?: { turnMs?: number; maxWaitMs?: number; maxWaiting?: number };
  /**
   * derive 'worker': the bundled derive worker (dist-electron/derive-worker.mjs or .cjs); default: the one
   * next to the running bundle (ingest/worker-deriver.ts). Without one, derivation stays in-thread.
   */
  deriveWorker?: string;
  /** How often timer rules and due action retries are checked (ms); default 30 s. Tests set it low. */
  rulesTickMs?: number;
  /** Cap on http actions a minute per rule (the overflow is recorded); default 30. */
  actionsPerMinute?: number;
  /**
   * postgres://… of a team server's shared database (serve --database, HOOKSCOPE_DATABASE_URL): accepted
   * requests are appended there and every process sharing it mirrors them (docs/architecture.md "Team
   * mode"). Holds a password: never logged, never sent to the renderer.
   */
  databaseUrl?: string;
  /** Team mode: how often the mirror polls besides LISTEN/NOTIFY (ms, default 1000); tests set it low. */
  teamPollMs?: number;
  /** Team mode: how often a process tries to take the timer/retention locks (ms, default 5000). */
  teamLeaderEveryMs?: number;
  /** Team mode: how long a rule claim holds without renewal before another process takes it over (ms, default 30 000). */
  teamLeaseMs?: number;
  /**
   * Team mode: how long committed requests may wait behind a transaction open elsewhere on the PostgreSQL
   * server before the team status and the doctor say which one (ms, default 10 000; team/held-back.ts).
   */
  teamHeldBackMs?: number;
}
