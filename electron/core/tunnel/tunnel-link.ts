// The tunnel's side toward its connector (ngrok-connector.ts, or a test's fake): reads the settings a
// connect needs at the moment it runs, opens and closes sessions, and turns the connector's errors into a
// detail safe to log — the authtoken, the domain and every URL the tunnel knows taken out (docs/api.md
// §5: logs never carry them). The state machine over it is tunnel.ts.
import { redactTunnelText } from './ngrok-connector';
import type { Logger, TunnelConnector, TunnelSession } from '../types';

export interface TunnelLinkDeps {
  connector: TunnelConnector;
  getAuthtoken: () => string | null;
  getDomain: () => string | null;
  getPort: () => number;
}

export interface TunnelLink {
  /** The authtoken now, or null when unset or when reading it failed. */
  authtoken(): string | null;
  /** The reserved domain now, or null. */
  domain(): string | null;
  /** A session to the receiver's port now; throws what the connector threw. */
  connect(authtoken: string, domain: string | null): Promise<TunnelSession>;
  /** What an error says, with every secret the tunnel knows redacted. */
  detail(err: unknown): string;
  /** Closes a session; a failure is logged (redacted), never thrown. */
  closeQuietly(s: TunnelSession): Promise<void>;
}

/** `knownUrls`: the URLs the state machine holds now (its session's, its state's), redacted too. */
export function createTunnelLink(deps: TunnelLinkDeps, logger: Logger, knownUrls: () => (string | null | undefined)[]): TunnelLink {
  const authtoken = () => safe(deps.getAuthtoken);
  const domain = () => safe(deps.getDomain);

  function secretsNow(): string[] {
    return [authtoken(), domain(), ...knownUrls()].filter((x): x is string => !!x);
  }

  function detail(err: unknown): string {
    const d = err && typeof err === 'object' ? (err as { detail?: unknown }).detail : undefined;
    const raw = typeof d === 'string' ? d : err instanceof Error ? err.message : String(err);
    return redactTunnelText(raw, secretsNow());
  }

  return {
    authtoken,
    domain,
    connect: (token, dom) => deps.connector.connect({ addr: deps.getPort(), authtoken: token, domain: dom }),
    detail,
    closeQuietly: (s) => s.close().catch((err) => {
      logger.debug('tunnel session close failed', { detail: detail(err) });
    }),
  };
}

/** A settings read that throws (a locked secret store) counts as unset. */
function safe(f: () => string | null): string | null {
  try { return f() || null; } catch { return null; }
}
