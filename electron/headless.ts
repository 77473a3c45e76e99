// `npm run serve`: the same core as the desktop app, without a window. The receiver listens where
// the tunnel points; the control API and the same UI are served on 127.0.0.1 behind a token (or, for a
// team server, on --ui-host with per-user tokens: docs/api.md, section 10).
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';
import { createCore, readVersion, type Core } from './core/core';
import type { CoreOptions } from './core/types';
import { createDispatcher } from './core/dispatch';
import { HookscopeError } from '../shared/errors';
import { createControlServer } from './serve/control-api';
import { FlagError, parseServeArgs } from './serve/flags';
import { loadOrCreateUiToken, rotateUiToken } from './serve/ui-token';
import { runTokensCommand } from './serve/tokens-cli';
import { removeDiscovery, writeDiscovery } from './serve/discovery';
import { createUserTokenStore } from './serve/user-tokens';
import { isLoopbackHost, isWildcardHost } from './serve/ui-host';
import type { Logger } from './core/types';
import { guardStream, writeLogLine } from './core/log-sink';
import { describeTarget } from './core/team/database-url';
import type { SettingsView } from '../shared/types';

const here = dirname(fileURLToPath(import.meta.url));

function stderrLogger(): Logger {
  // A full disk or a closed pipe under stderr must not end the process (core/log-sink.ts).
  guardStream(process.stderr);
  guardStream(process.stdout);
  const line = (level: string) => (msg: string, ctx?: Record<string, unknown>) => {
    writeLogLine(process.stderr, `[${new Date().toISOString()}] ${level} ${msg}${ctx ? ` ${JSON.stringify(ctx)}` : ''}\n`);
  };
  return { debug: process.env.HOOKSCOPE_DEBUG ? line('debug') : () => {}, info: line('info'), warn: line('warn'), error: line('error') };
}

function fail(reason: string): never {
  process.stderr.write(`hookscope: ${reason}\n`);
  process.exit(1);
}

async function main() {
  if (process.argv[2] === 'tokens') {
    process.exitCode = runTokensCommand(process.argv.slice(3), process.env, { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) });
    return;
  }
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(`Usage: npm run serve -- [--data-dir DIR] [--port N] [--host H] [--ui-port N] [--ui-token T]
                     [--ui-host H] [--ui-public-url URL] [--tunnel] [--public-url URL] [--forward-to URL[,URL]]
                     [--database postgres://…] [--accept-unsigned meta,twilio]
Environment: HOOKSCOPE_DATA_DIR, HOOKSCOPE_PORT, HOOKSCOPE_HOST, HOOKSCOPE_UI_PORT, HOOKSCOPE_UI_TOKEN,
  HOOKSCOPE_UI_HOST, HOOKSCOPE_UI_PUBLIC_URL, HOOKSCOPE_PUBLIC_URL, HOOKSCOPE_FORWARD_TO, HOOKSCOPE_DATABASE_URL,
  HOOKSCOPE_ACCEPT_UNSIGNED, META_APP_SECRET, META_VERIFY_TOKEN, TWILIO_AUTH_TOKEN, NGROK_AUTHTOKEN
Without --ui-token the UI token is generated once and kept in DIR/ui-token (the ui: address stays the same).
--public-url must be https and reachable from the internet (not loopback or a private address).
--ui-host beyond 127.0.0.1 makes a team server: put TLS in front, give each person a token:
  npm run serve -- tokens add NAME --role viewer|admin   (also: tokens list, tokens revoke NAME)
--database postgres://user:password@host:port/db: one shared history; every serve process given the same
  database receives into it (README "Run a team server"). Without it: SQLite in DIR.
A provider without its secret (META_APP_SECRET / TWILIO_AUTH_TOKEN) refuses webhooks; --accept-unsigned
  meta,twilio accepts them unsigned for this run (quick trials only: anyone with the URL can add events).
`);
    return;
  }
  let cfg;
  try {
    cfg = parseServeArgs(process.argv.slice(2));
  } catch (err) {
    if (err instanceof FlagError) fail(err.message);
    throw err;
  }
  const logger = stderrLogger();
  let core: Core;
  try {
    core = createCore({
      dataDir: cfg.dataDir,
      receiverPort: cfg.port,
      receiverHost: cfg.host,
      mode: 'serve',
      version: readVersion(),
      logger,
      databaseUrl: cfg.databaseUrl ?? undefined,
      ...tuningFromEnv(logger),
      env: {
        metaAppSecrets: cfg.metaAppSecrets,
        metaVerifyToken: cfg.metaVerifyToken ?? undefined,
        twilioAuthTokens: cfg.twilioAuthTokens,
        ngrokAuthtoken: cfg.ngrokAuthtoken ?? undefined,
        publicUrl: cfg.publicUrl ?? undefined,
        forwardTo: cfg.forwardTo,
        acceptUnsigned: cfg.acceptUnsigned,
      },
    });
  } catch (err) {
    if (err instanceof HookscopeError) fail(err.message);
    fail(`cannot open the data directory ${cfg.dataDir}: ${(err as Error).message}`);
  }

  let receiverUrl: string;
  try {
    receiverUrl = (await core.start()).url;
  } catch (err) {
    await core.stop().catch(() => undefined);
    fail(err instanceof Error ? err.message : String(err));
  }

  // Generated once and kept in the data dir, so the printed address survives restarts; a flag or
  // variable wins for this run and is not stored.
  let token: string;
  try {
    token = cfg.uiToken ?? loadOrCreateUiToken(cfg.dataDir);
  } catch (err) {
    await core.stop().catch(() => undefined);
    fail(`cannot keep the UI token in ${cfg.dataDir}: ${(err as Error).message}`);
  }
  const control = createControlServer({
    rotateToken: cfg.uiToken ? undefined : () => rotateUiToken(cfg.dataDir),
    core,
    dispatch: createDispatcher(core.handlers, logger, core.rawHandlers),
    port: cfg.uiPort,
    host: cfg.uiHost,
    publicUrl: cfg.uiPublicUrl,
    userTokens: createUserTokenStore(cfg.dataDir),
    token,
    staticDir: resolve(here, '../dist/renderer'),
    logger,
    // HOOKSCOPE_SSE_BUFFER_BYTES: how much a live stream may leave unread before it is dropped.
    sseBufferBytes: Number(process.env.HOOKSCOPE_SSE_BUFFER_BYTES) > 0 ? Number(process.env.HOOKSCOPE_SSE_BUFFER_BYTES) : undefined,
  });
  let uiPort: number;
  try {
    uiPort = await control.start();
  } catch (err) {
    await core.stop().catch(() => undefined);
    const e = err as NodeJS.ErrnoException;
    fail(e.code === 'EADDRINUSE' ? `Port ${cfg.uiPort} on ${cfg.uiHost} is already in use (UI). Stop the other program or pick another --ui-port.`
      : e.code === 'EADDRNOTAVAIL' ? `--ui-host ${cfg.uiHost} is not an address of this machine.` : e.message);
  }

  if (!isLoopbackHost(cfg.uiHost)) {
    writeLogLine(process.stdout, `warning: the UI and control API listen on ${cfg.uiHost}:${uiPort}, beyond this computer. Put TLS in front (a reverse proxy such as Caddy or nginx serving https) — tokens travel with every request. Give each person their own token: npm run serve -- tokens add NAME --role viewer.\n`);
    if (cfg.uiPublicUrl) writeLogLine(process.stdout, `ui public: ${cfg.uiPublicUrl.replace(/\/$/, '')}/ (each person opens it with their own ?token=…)\n`);
    else writeLogLine(process.stdout, `warning: no --ui-public-url: only this machine's IP addresses are accepted as Host, not a name. Declare the name people open, e.g. --ui-public-url https://hooks.team.example\n`);
    if (cfg.uiPublicUrl?.startsWith('http://')) writeLogLine(process.stdout, 'warning: --ui-public-url is http://: tokens and webhooks cross the network in clear text.\n');
  }
  writeLogLine(process.stdout, `receiver: ${receiverUrl}\n`);
  // A wildcard bind answers on loopback too; a specific address only there.
  const uiHostForUrl = isLoopbackHost(cfg.uiHost) || isWildcardHost(cfg.uiHost) ? '127.0.0.1' : cfg.uiHost.includes(':') ? `[${cfg.uiHost.replace(/^\[|\]$/g, '')}]` : cfg.uiHost;
  // For the `hookscope` command on this machine (README "From the terminal"); a failure only costs it --url.
  try { writeDiscovery(cfg.dataDir, { url: `http://${uiHostForUrl}:${uiPort}`, pid: process.pid }); } catch (err) {
    logger.warn('could not write serve.json for the hookscope command', { err: String(err) });
  }
  writeLogLine(process.stdout, `ui: http://${uiHostForUrl}:${uiPort}/?token=${token}\n`);
  // Where the shared history lives, without the user or password the URL carries.
  if (cfg.databaseUrl) writeLogLine(process.stdout, `database: postgres ${describeTarget(cfg.databaseUrl)} (team server)\n`);

  if (cfg.tunnel) {
    const open = openProviders(core);
    if (open.length > 0) {
      writeLogLine(process.stdout, `warning: no secret for ${open.join(' and ')} — anyone who knows the tunnel URL can add events. Set META_APP_SECRET / TWILIO_AUTH_TOKEN or the secrets in Setup.\n`);
    }
    // The tunnel URL is not printed: it is shown in the UI, where the user asked for it.
    Promise.resolve(core.handlers['tunnel:start'](undefined as never))
      .then((s) => writeLogLine(process.stdout, s.state === 'error' ? `tunnel: error — ${s.message}\n` : `tunnel: ${s.state} (copy the callback URL from the UI)\n`))
      .catch((err: Error) => writeLogLine(process.stdout, `tunnel: error — ${err.message}\n`));
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal}: finishing accepted requests and closing the database`);
    await control.stop().catch(() => undefined);
    try { removeDiscovery(cfg.dataDir); } catch {}
    await core.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

/** Providers without a secret: requests to them are accepted unchecked (docs/api.md "Trust boundary"). */
function openProviders(core: Core): string[] {
  const v = core.handlers['settings:get'](undefined as never) as SettingsView;
  return [!v.secrets.metaAppSecret.set ? 'Meta' : null, !v.secrets.twilioAuthToken.set ? 'Twilio' : null].filter((x): x is string => x != null);
}

main().catch((err) => fail(err instanceof Error ? err.message : String(err)));

function deriveFromEnv(v: string | undefined, logger: Logger): CoreOptions['derive'] {
  if (v === 'hold' || v === 'worker' || v === 'on' || v === 'auto') return v;
  // A typo (or `off`) must not pass for a choice: it says so, and the default applies.
  if (v) logger.warn('HOOKSCOPE_DERIVE is not one of on, worker, auto, hold; the default (on) applies', { value: v.slice(0, 40) });
  return 'on';
}

/** Diagnostics and test knobs read from the environment (README "Options"; benchmarks compare modes). */
function tuningFromEnv(logger: Logger): Pick<CoreOptions, 'readWorker' | 'derive' | 'ackFsync' | 'teamLeaseMs' | 'teamHeldBackMs' | 'actionsPerMinute'> {
  return {
    // HOOKSCOPE_READ_WORKER=off keeps the UI's reads on the main thread (benchmarks compare both).
    readWorker: process.env.HOOKSCOPE_READ_WORKER === 'off' ? 'off' : 'auto',
    // HOOKSCOPE_DERIVE=hold: acknowledge and keep requests, derive their events at the next start
    // (crash-recovery tests; the acknowledgement path benchmarked alone). HOOKSCOPE_DERIVE=worker: derive
    // on a worker thread (electron/core/ingest/worker-deriver.ts) whatever the store; =auto: on it for a
    // store whose request log has its own file. Unset or =on: in the receiver's thread (CoreOptions.derive).
    derive: deriveFromEnv(process.env.HOOKSCOPE_DERIVE, logger),
    // HOOKSCOPE_ACK_FSYNC=inline: the acknowledged commit fsyncs on the receiver's thread (benchmarks
    // compare it with the default, an fdatasync on the thread pool: store/wal-sync.ts).
    ackFsync: process.env.HOOKSCOPE_ACK_FSYNC === 'inline' ? 'inline' : 'thread-pool',
    // HOOKSCOPE_TEAM_LEASE_MS: how long a rule claim holds before another process takes it over
    // (default 30 s; crash tests shorten it).
    teamLeaseMs: Number(process.env.HOOKSCOPE_TEAM_LEASE_MS) > 0 ? Number(process.env.HOOKSCOPE_TEAM_LEASE_MS) : undefined,
    // HOOKSCOPE_TEAM_HELD_BACK_MS: how long committed requests may wait behind a transaction left open on
    // the PostgreSQL server before the status and the doctor name it (default 10 s; team/held-back.ts).
    teamHeldBackMs: Number(process.env.HOOKSCOPE_TEAM_HELD_BACK_MS) > 0 ? Number(process.env.HOOKSCOPE_TEAM_HELD_BACK_MS) : undefined,
    // HOOKSCOPE_ACTIONS_PER_MINUTE: the per-rule cap of http actions a minute (default 30).
    actionsPerMinute: Number(process.env.HOOKSCOPE_ACTIONS_PER_MINUTE) > 0 ? Number(process.env.HOOKSCOPE_ACTIONS_PER_MINUTE) : undefined,
  };
}
