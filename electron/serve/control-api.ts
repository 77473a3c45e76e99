// The control API and the browser UI for `npm run serve` (docs/api.md): the same contract the desktop
// app carries over IPC, here over HTTP on 127.0.0.1 with a bearer token, plus a live stream (SSE). A team
// server listens further (`--ui-host`), with per-user tokens and roles (docs/api.md, section 10).
// Its pieces: the gate (control-auth.ts: Host, token, role), the browser UI's files (static-ui.ts), the
// live stream (live-stream.ts), /api/tokens (token-routes.ts); the routing of the contract stays here.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Envelope, RequestChannel } from '../../shared/ipc';
import { appError, httpStatusFor } from '../../shared/errors';
import type { Core } from '../core/core';
import type { Logger } from '../core/types';
import type { Dispatch } from '../core/dispatch';
import { handlePowerRoutes } from './power-routes';
import { roleAllows } from '../../shared/roles';
import type { Identity, Role, Rule } from '../../shared/types';
import { hostOnlyAction, maskActions } from '../../shared/actions';
import type { UserTokenStore } from './user-tokens';
import { allowedHosts } from './ui-host';
import { ALL_ROUTES, CONTRACT_ROUTES, matchRoute, pathKnown } from './routes';
import { openApiDocument } from './openapi';
import { readJson, sendError, sendJson, sendJsonBytes } from './http-io';
import { RawJson } from '../core/store/reads';
import { serveStatic } from './static-ui';
import { createControlGuard, neededRole, type Caller } from './control-auth';
import { createLiveStreams, type LiveStreams } from './live-stream';
import { handleTokenRoutes } from './token-routes';

export interface ExtraRoutes {
  /** Extra GET handlers owned by other parts (export, doctor…): return true when handled. */
  handle?(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> | boolean;
}

export interface ControlServerOptions {
  core: Core;
  dispatch: Dispatch;
  port: number;
  token: string;
  /** The browser UI's files; null serves /api/… alone (the desktop app: its UI is its own window). */
  staticDir: string | null;
  logger: Logger;
  extra?: ExtraRoutes;
  /** Bytes a live stream may have waiting unsent before it is dropped (default 4 MiB). */
  sseBufferBytes?: number;
  /**
   * Makes and stores a new token (POST /api/ui-token/rotate); the old one stops working at once and open
   * live streams are closed. Absent when the token came from --ui-token (nothing to rotate).
   */
  rotateToken?: () => string;
  /**
   * Where to listen (default 127.0.0.1). Anything else is a team server: per-user tokens and the declared
   * public name matter then (docs/api.md "Team server").
   */
  host?: string;
  /** The address people open (e.g. https://hooks.team.example behind a TLS proxy): its Host is accepted. */
  publicUrl?: string | null;
  /** Per-user tokens with roles; the `token` above stays an admin token. */
  userTokens?: UserTokenStore;
}

/**
 * What a caller's role may read of an answer: a viewer sees an http action's target host alone (the core
 * already masks header values and the URL's secret parts for everyone: shared/actions.ts).
 */
function forRole(role: Role, channel: string, value: unknown): unknown {
  if (role !== 'viewer' || channel !== 'rules:list' || !Array.isArray(value)) return value;
  return (value as Rule[]).map((r) => maskActions(r, hostOnlyAction));
}

const ENVELOPE_HEAD = Buffer.from('{"ok":true,"value":');
const ENVELOPE_TAIL = Buffer.from('}');

/** The contract route answering `method path` (electron/serve/routes.ts), with its channel's arguments. */
function route(method: string, path: string, url: URL, body: unknown): { channel: RequestChannel; args: unknown; status: number } | null {
  const hit = matchRoute(CONTRACT_ROUTES, method, path);
  if (!hit) return null;
  const query = Object.fromEntries(url.searchParams);
  delete (query as Record<string, string>).token;
  // Field filters repeat (`where=…&where=…`): every one is kept, not only the last.
  if (url.searchParams.has('where')) (query as Record<string, unknown>).where = url.searchParams.getAll('where');
  return { channel: hit.route.channel, args: hit.route.args({ params: hit.params, query, body }), status: hit.route.status ?? 200 };
}

export interface ControlServer {
  start(): Promise<number>;
  stop(): Promise<void>;
}

export function createControlServer(o: ControlServerOptions): ControlServer {
  const guard = createControlGuard(o.token, o.userTokens);
  const streams = createLiveStreams({ core: o.core, logger: o.logger, bufferBytes: o.sseBufferBytes });
  const bindHost = o.host ?? '127.0.0.1';
  let server: Server | null = null;
  let boundPort = o.port;
  // The token itself stays with the guard: the routes get what they use.
  const api: ApiDeps = {
    core: o.core, dispatch: o.dispatch, logger: o.logger, extra: o.extra, userTokens: o.userTokens,
    streams,
    rotateToken: o.rotateToken && (() => {
      const token = o.rotateToken!();
      guard.setToken(token);
      return token;
    }),
  };

  /** The gate every request passes, in this order: a parsable target, the Host, then (for /api/…) the token. */
  async function onRequest(req: IncomingMessage, res: ServerResponse) {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', `http://127.0.0.1:${boundPort}`);
    } catch {
      // An absolute-form target like `http://[` (any local process can send one).
      return sendError(res, appError('BAD_REQUEST', 'The request target is not a URL.'));
    }
    if (!guard.hostAllowed(req)) return sendError(res, appError('FORBIDDEN_HOST'));
    if (!url.pathname.startsWith('/api/')) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return sendError(res, appError('METHOD_NOT_ALLOWED'));
      return serveStatic(o.staticDir, res, url.pathname);
    }
    const caller = guard.caller(req, url);
    if (!caller) return sendError(res, appError('UNAUTHORIZED'));
    try {
      await answerApi(api, caller, req, res, url);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'INVALID_JSON') return sendError(res, appError('INVALID_JSON', (err as Error).message));
      if (code === 'PAYLOAD_TOO_LARGE') return sendError(res, appError('PAYLOAD_TOO_LARGE'));
      if (err instanceof URIError) return sendError(res, appError('BAD_REQUEST', 'The path holds a malformed %-escape.'));
      o.logger.error('control API failed', { path: url.pathname, err: String(err) });
      if (!res.headersSent) return sendError(res, appError('INTERNAL'));
      res.end();
    }
  }

  return {
    start() {
      return new Promise<number>((resolve, reject) => {
        const s = createServer((req, res) => {
          // Nothing may escape as an unhandled rejection: under plain Node that ends the process.
          onRequest(req, res).catch((err: unknown) => {
            o.logger.error('control API failed', { err: String(err) });
            if (!res.headersSent) sendError(res, appError('INTERNAL'));
            else res.destroy();
          });
        });
        s.once('error', reject);
        s.listen(o.port, bindHost, () => {
          boundPort = (s.address() as AddressInfo).port;
          guard.setHosts(allowedHosts({ bindHost, port: boundPort, publicUrl: o.publicUrl ?? null }));
          server = s;
          streams.startHeartbeat();
          resolve(boundPort);
        });
      });
    },
    stop() {
      streams.stop();
      try { o.userTokens?.flush(); } catch (err) { o.logger.warn('could not save token last-used times', { err: String(err) }); }
      return new Promise<void>((resolve) => {
        if (!server) return resolve();
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

type ApiDeps = Pick<ControlServerOptions, 'core' | 'dispatch' | 'logger' | 'extra' | 'userTokens' | 'rotateToken'> & { streams: LiveStreams };

/**
 * An authorised caller's /api/… request: only what the route table lists is answered (and so described:
 * GET /api/openapi.json), after the caller's role is checked against the route's.
 */
async function answerApi(o: ApiDeps, caller: Caller, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const method = req.method ?? 'GET';
  if (!matchRoute(ALL_ROUTES, method, url.pathname)) {
    if (o.extra?.handle && (await o.extra.handle(req, res, url))) return;
    return sendError(res, pathKnown(url.pathname) ? appError('METHOD_NOT_ALLOWED', `${method} is not allowed on ${url.pathname}.`) : appError('NOT_FOUND', `No route ${method} ${url.pathname}.`));
  }
  if (!roleAllows(caller.role, neededRole(method, url.pathname))) {
    return sendError(res, appError('FORBIDDEN_ROLE', `The token "${caller.name ?? 'ui-token'}" is a viewer: it can read everything here but not change it (${method} ${url.pathname}). Ask an admin.`));
  }
  if (url.pathname === '/api/live' && method === 'GET') return o.streams.open(req, res, caller.tokenId);
  const me: Identity = { role: caller.role, name: caller.name };
  if (url.pathname === '/api/me' && method === 'GET') return sendJson(res, 200, me);
  if (url.pathname === '/api/openapi.json' && method === 'GET') return sendJson(res, 200, openApiDocument());
  // The caller's identity is the token's, not the core's (which answers "admin" to its own desktop).
  if (url.pathname.startsWith('/api/rpc/') && decodeURIComponent(url.pathname.slice('/api/rpc/'.length)) === 'app:me' && method === 'POST') {
    return sendJson(res, 200, { ok: true, value: me });
  }
  if (url.pathname === '/api/tokens' || url.pathname.startsWith('/api/tokens/')) {
    return handleTokenRoutes({ store: o.userTokens, logger: o.logger, streams: o.streams }, req, res, url, method);
  }
  if (url.pathname === '/api/ui-token/rotate' && method === 'POST') {
    if (!o.rotateToken) return sendError(res, appError('BAD_REQUEST', 'This token was given with --ui-token or HOOKSCOPE_UI_TOKEN: change it there.'));
    sendJson(res, 200, { token: o.rotateToken() });
    // Streams opened with the old token end (per-user tokens' streams stay).
    return o.streams.endUiTokenStreams();
  }
  if (await handlePowerRoutes(o.core, req, res, url)) return;
  if (o.extra?.handle && (await o.extra.handle(req, res, url))) return;
  let body: unknown;
  if (method === 'POST' || method === 'PUT') body = await readJson(req);
  if (url.pathname.startsWith('/api/rpc/') && method === 'POST') {
    const channel = decodeURIComponent(url.pathname.slice('/api/rpc/'.length));
    const env: Envelope<unknown> = await o.dispatch(channel, body);
    // A read the worker already serialised (dispatch.ts RawHandlers, never a role-masked channel): the
    // envelope around its bytes is what JSON.stringify of { ok, value } gives.
    if (env.ok && env.value instanceof RawJson) return sendJsonBytes(res, 200, Buffer.concat([ENVELOPE_HEAD, env.value.bytes, ENVELOPE_TAIL]));
    if (env.ok) env.value = forRole(caller.role, channel, env.value);
    return sendJson(res, env.ok ? 200 : httpStatusFor(env.error.code), env);
  }
  const r = route(method, url.pathname, url, body);
  if (!r) return sendError(res, appError('NOT_FOUND', `No route ${method} ${url.pathname}.`));
  const env = await o.dispatch(r.channel, r.args);
  if (env.ok && env.value instanceof RawJson) return sendJsonBytes(res, r.status, env.value.bytes);
  if (env.ok) return sendJson(res, r.status, forRole(caller.role, r.channel, env.value));
  return sendError(res, env.error);
}
