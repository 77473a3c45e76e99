// `npm run serve` flags (docs/api.md). Each is also settable by an environment variable; flags win.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseAcceptUnsigned, splitList } from '../core/setup/settings';
import { publicUrlProblem } from '../../shared/public-url';
import { isPostgresUrl } from '../core/team/database-url';
import { uiPublicUrlProblem } from './ui-host';

export interface ServeConfig {
  dataDir: string;
  port: number;
  host: string;
  uiPort: number;
  /** Where the UI/control API listens: 127.0.0.1 unless this is a team server. */
  uiHost: string;
  /** The address people open (a TLS proxy in front): its name passes the Host check. */
  uiPublicUrl: string | null;
  uiToken: string | null;
  tunnel: boolean;
  publicUrl: string | null;
  forwardTo: string[];
  metaAppSecrets: string[];
  metaVerifyToken: string | null;
  twilioAuthTokens: string[];
  ngrokAuthtoken: string | null;
  /** postgres://… of a shared team database, or null for the SQLite file in the data dir. Holds a password: never print it. */
  databaseUrl: string | null;
  /** Providers whose unsigned webhooks are accepted for this run while they have no secret. */
  acceptUnsigned: Array<'meta' | 'twilio'>;
}

/** The OS's per-user app-data folder, the same one Electron's userData uses for "Hookscope". */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Hookscope');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Hookscope');
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'Hookscope');
}

export class FlagError extends Error {}

function port(v: string, name: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new FlagError(`${name} must be a port number (0-65535), got "${v}"`);
  return n;
}

export function parseServeArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): ServeConfig {
  const flags = new Map<string, string[]>();
  let tunnel = false;
  const withValue = new Set(['--data-dir', '--port', '--host', '--ui-port', '--ui-token', '--public-url', '--forward-to', '--ui-host', '--ui-public-url', '--database', '--accept-unsigned']);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--tunnel') { tunnel = true; continue; }
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    if (!withValue.has(name)) throw new FlagError(`unknown flag ${arg} (see README: npm run serve -- --help)`);
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new FlagError(`${name} needs a value`);
    flags.set(name, [...(flags.get(name) ?? []), value]);
  }
  const one = (flag: string, envName: string) => flags.get(flag)?.at(-1) ?? env[envName] ?? undefined;
  const forward = flags.get('--forward-to') ?? (env.HOOKSCOPE_FORWARD_TO ? [env.HOOKSCOPE_FORWARD_TO] : []);
  const forwardTo = forward.flatMap((f) => splitList(f));
  for (const f of forwardTo) {
    try { new URL(f); } catch { throw new FlagError(`--forward-to needs a URL, got "${f}"`); }
  }
  const publicUrl = one('--public-url', 'HOOKSCOPE_PUBLIC_URL') ?? null;
  if (publicUrl) {
    const problem = publicUrlProblem(publicUrl);
    if (problem) throw new FlagError(`--public-url: ${problem}`);
  }
  const uiHost = (one('--ui-host', 'HOOKSCOPE_UI_HOST') ?? '').trim() || '127.0.0.1';
  if (/[\s/?#@]/.test(uiHost)) throw new FlagError(`--ui-host needs a host name or IP address, got "${uiHost}"`);
  const uiPublicUrl = one('--ui-public-url', 'HOOKSCOPE_UI_PUBLIC_URL')?.trim() || null;
  if (uiPublicUrl) {
    const problem = uiPublicUrlProblem(uiPublicUrl);
    if (problem) throw new FlagError(`--ui-public-url: ${problem}`);
  }
  // An empty token would make the control API accept `?token=` — no token at all. An empty flag is a
  // mistake worth saying; an empty variable (a blank line in a .env file) means "not set".
  const flagToken = flags.get('--ui-token')?.at(-1);
  if (flagToken !== undefined && flagToken.trim() === '') throw new FlagError('--ui-token needs a non-empty value');
  const uiToken = flagToken ?? (env.HOOKSCOPE_UI_TOKEN?.trim() ? env.HOOKSCOPE_UI_TOKEN : null);
  // The URL carries a password: the errors below never repeat it.
  const databaseUrl = (flags.get('--database')?.at(-1) ?? env.HOOKSCOPE_DATABASE_URL ?? '').trim() || null;
  if (databaseUrl != null && !isPostgresUrl(databaseUrl)) {
    throw new FlagError('--database takes a postgres://user:password@host:port/database URL (without it, the SQLite file in the data dir is used)');
  }
  if (databaseUrl != null) {
    try { new URL(databaseUrl); } catch { throw new FlagError('--database: the postgres:// URL could not be parsed (percent-encode special characters in the password)'); }
  }
  let acceptUnsigned: Array<'meta' | 'twilio'>;
  try { acceptUnsigned = parseAcceptUnsigned(one('--accept-unsigned', 'HOOKSCOPE_ACCEPT_UNSIGNED')); } catch (err) {
    throw new FlagError(`--accept-unsigned: ${(err as Error).message}`);
  }
  return {
    acceptUnsigned,
    dataDir: one('--data-dir', 'HOOKSCOPE_DATA_DIR') ?? defaultDataDir(env),
    port: port(one('--port', 'HOOKSCOPE_PORT') ?? '4750', '--port'),
    host: one('--host', 'HOOKSCOPE_HOST') ?? '127.0.0.1',
    uiPort: port(one('--ui-port', 'HOOKSCOPE_UI_PORT') ?? '4751', '--ui-port'),
    uiHost,
    uiPublicUrl,
    uiToken,
    tunnel,
    publicUrl,
    forwardTo,
    metaAppSecrets: splitList(env.META_APP_SECRET),
    metaVerifyToken: env.META_VERIFY_TOKEN || null,
    twilioAuthTokens: splitList(env.TWILIO_AUTH_TOKEN),
    ngrokAuthtoken: env.NGROK_AUTHTOKEN || null,
    databaseUrl,
  };
}
