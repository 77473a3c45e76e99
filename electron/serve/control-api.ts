// The control API and the browser UI for `npm run serve` (docs/api.md): the same contract the desktop
// app carries over IPC, here over HTTP on 127.0.0.1 with a bearer token, plus a live stream (SSE). A team
// server listens further (`--ui-host`), with per-user tokens and roles (docs/api.md, section 10).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createHash, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import type { AddressInfo } from 'node:net';
import { PUSH_CHANNELS, type Envelope, type PushChannel, type PushChannels, type RequestChannel } from '../../shared/ipc';
import { appError, httpStatusFor, type AppError } from '../../shared/errors';
import type { Core } from '../core/core';
import type { Logger } from '../core/types';
import type { Dispatch } from '../core/dispatch';
import { handlePowerRoutes } from './power-routes';
import { CHANNEL_ROLE, roleAllows } from '../../shared/roles';
import { isRequestChannel } from '../../shared/ipc';
import type { Identity, Role, Rule } from '../../shared/types';
import { hostOnlyAction, maskActions } from '../../shared/actions';
import { TokenError, type UserTokenStore } from './user-tokens';
import { allowedHosts } from './ui-host';
import { ALL_ROUTES, CONTRACT_ROUTES, matchRoute, pathKnown } from './routes';
import { openApiDocument } from './openapi';

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

const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";
const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.json': 'application/json', '.woff2': 'font/woff2',
};

function digest(s: string) { return createHash('sha256').update(s).digest(); }

function sendJson(res: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(text);
}

function sendError(res: ServerResponse, err: AppError) {
  sendJson(res, httpStatusFor(err.code), { error: err });
}

async function readJson(req: IncomingMessage, limit = 8 * 1024 * 1024): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > limit) throw Object.assign(new Error('too large'), { code: 'PAYLOAD_TOO_LARGE' });
    chunks.push(c as Buffer);
  }
  if (size === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (err) {
    throw Object.assign(new Error(`The body is not valid JSON: ${(err as Error).message}`), { code: 'INVALID_JSON' });
  }
}

/**
 * What a caller's role may read of an answer: a viewer sees an http action's target host alone (the core
 * already masks header values and the URL's secret parts for everyone: shared/actions.ts).
 */
function forRole(role: Role, channel: string, value: unknown): unknown {
  if (role !== 'viewer' || channel !== 'rules:list' || !Array.isArray(value)) return value;
  return (value as Rule[]).map((r) => maskActions(r, hostOnlyAction));
}

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
  // An empty token would let `?token=` or `Authorization: Bearer ` through.
  if (!o.token || o.token.trim() === '') throw new Error('The control API needs a non-empty token.');
  let tokenDigest = digest(o.token);
  const sseClients = new Set<ServerResponse>();
  /** Which per-user token opened each live stream, so revoking it ends the stream at once. */
  const sseOwner = new Map<ServerResponse, string>();
  const bindHost = o.host ?? '127.0.0.1';
  let server: Server | null = null;
  let boundPort = o.port;
  const unsubs: (() => void)[] = [];
  let heartbeat: ReturnType<typeof setInterval> | null = null;

  // Pushes are fanned out to every live stream; the core already batches events per tick.
  for (const ch of PUSH_CHANNELS) {
    unsubs.push(o.core.on(ch, (payload: PushChannels[PushChannel]) => {
      if (sseClients.size === 0) return;
      const frame = `event: ${ch}\ndata: ${JSON.stringify(payload)}\n\n`;
      for (const res of sseClients) send(res, frame);
    }));
  }

  const sseCap = o.sseBufferBytes ?? 4 * 1024 * 1024;
  /**
   * A client that stops reading would make Node buffer every frame for it without end. Past the cap it is
   * dropped: EventSource reconnects by itself, and the UI re-reads the feed on reconnect (renderer bridge).
   */
  function send(res: ServerResponse, frame: string) {
    if (res.writableLength + frame.length > sseCap) {
      sseClients.delete(res);
      o.logger.warn('dropped a live stream that stopped reading', { buffered: res.writableLength });
      res.destroy();
      return;
    }
    res.write(frame);
  }

  type Caller = Identity & { tokenId: string | null };
  function authorised(req: IncomingMessage, url: URL): Caller | null {
    const h = req.headers.authorization;
    const given = h?.startsWith('Bearer ') ? h.slice(7).trim() : url.searchParams.get('token');
    if (given == null || given === '') return null;
    // Both checks always run, so the answer time does not say which kind of token was close.
    const isUiToken = timingSafeEqual(digest(given), tokenDigest);
    const user = o.userTokens?.verify(given) ?? null;
    if (isUiToken) return { role: 'admin', name: null, tokenId: null };
    return user ? { role: user.role, name: user.name, tokenId: user.id } : null;
  }

  let hosts: Set<string> = new Set();
  function hostAllowed(req: IncomingMessage): boolean {
    // DNS rebinding: a page on evil.example resolving to our address still sends its own Host.
    return hosts.has((req.headers.host ?? '').toLowerCase());
  }

  /** The least role a route needs: reads are for viewers, anything else (and any new route) for admins. */
  function neededRole(method: string, path: string): Role {
    if (path.startsWith('/api/rpc/')) {
      const ch = decodeURIComponent(path.slice('/api/rpc/'.length));
      return isRequestChannel(ch) ? CHANNEL_ROLE[ch] : 'admin';
    }
    if (path.startsWith('/api/tokens') || path.startsWith('/api/ui-token')) return 'admin';
    if (method === 'POST' && path === '/api/rules/preview') return 'viewer';
    return method === 'GET' || method === 'HEAD' ? 'viewer' : 'admin';
  }

  async function tokenRoutes(req: IncomingMessage, res: ServerResponse, url: URL, method: string): Promise<void> {
    const store = o.userTokens;
    if (!store) return sendError(res, appError('NOT_FOUND', 'This server has no per-user tokens.'));
    const id = url.pathname.split('/')[3];
    if (method === 'GET' && !id) return sendJson(res, 200, { items: store.list() });
    if (method === 'POST' && !id) {
      const body = (await readJson(req, 64 * 1024)) as { name?: unknown; role?: unknown } | undefined;
      if (typeof body?.name !== 'string' || (body.role !== 'viewer' && body.role !== 'admin')) {
        return sendError(res, appError('VALIDATION', 'Give { "name": "…", "role": "viewer" | "admin" }.'));
      }
      try {
        const made = store.add(body.name, body.role);
        o.logger.info('token created', { name: made.name, role: made.role });
        return sendJson(res, 201, made);
      } catch (err) {
        if (err instanceof TokenError) return sendError(res, appError('VALIDATION', err.message));
        throw err;
      }
    }
    if (method === 'DELETE' && id) {
      const gone = store.revoke(decodeURIComponent(id));
      if (!gone) return sendError(res, appError('NOT_FOUND', 'No such token.'));
      o.logger.info('token revoked', { name: gone.name });
      // A revoked token's open streams end now, not at its next request.
      for (const [c, owner] of sseOwner) if (owner === gone.id) { sseOwner.delete(c); sseClients.delete(c); c.end(); }
      return sendJson(res, 200, { revoked: gone });
    }
    return sendError(res, appError('METHOD_NOT_ALLOWED'));
  }

  function serveStatic(res: ServerResponse, pathname: string) {
    if (o.staticDir == null) return sendError(res, appError('NOT_FOUND'));
    const rel = pathname === '/' ? 'index.html' : pathname.slice(1);
    const file = normalize(join(o.staticDir, rel));
    if (!file.startsWith(o.staticDir + sep) && file !== o.staticDir) return sendError(res, appError('NOT_FOUND'));
    let target = file;
    if (!existsSync(target) || !statSync(target).isFile()) {
      // Client-side routes fall back to the app; missing assets are 404.
      if (extname(rel)) return sendError(res, appError('NOT_FOUND'));
      target = join(o.staticDir, 'index.html');
      if (!existsSync(target)) {
        res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
        return res.end('The UI is not built: run `npm run build`.\n');
      }
    }
    res.writeHead(200, {
      'content-type': MIME[extname(target)] ?? 'application/octet-stream',
      'content-security-policy': CSP,
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'cache-control': target.endsWith('index.html') ? 'no-store' : 'public, max-age=3600',
    });
    createReadStream(target).pipe(res);
  }

  async function onRequest(req: IncomingMessage, res: ServerResponse) {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', `http://127.0.0.1:${boundPort}`);
    } catch {
      // An absolute-form target like `http://[` (any local process can send one).
      return sendError(res, appError('BAD_REQUEST', 'The request target is not a URL.'));
    }
    if (!hostAllowed(req)) return sendError(res, appError('FORBIDDEN_HOST'));
    if (!url.pathname.startsWith('/api/')) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return sendError(res, appError('METHOD_NOT_ALLOWED'));
      return serveStatic(res, url.pathname);
    }
    const caller = authorised(req, url);
    if (!caller) return sendError(res, appError('UNAUTHORIZED'));
    const method = req.method ?? 'GET';
    try {
      // Only what the route table lists is answered (and so described: GET /api/openapi.json).
      if (!matchRoute(ALL_ROUTES, method, url.pathname)) {
        if (o.extra?.handle && (await o.extra.handle(req, res, url))) return;
        return sendError(res, pathKnown(url.pathname) ? appError('METHOD_NOT_ALLOWED', `${method} is not allowed on ${url.pathname}.`) : appError('NOT_FOUND', `No route ${method} ${url.pathname}.`));
      }
      if (!roleAllows(caller.role, neededRole(method, url.pathname))) {
        return sendError(res, appError('FORBIDDEN_ROLE', `The token "${caller.name ?? 'ui-token'}" is a viewer: it can read everything here but not change it (${method} ${url.pathname}). Ask an admin.`));
      }
      if (url.pathname === '/api/live' && method === 'GET') {
        res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
        res.write('retry: 2000\n: connected\n\n');
        sseClients.add(res);
        if (caller.tokenId) sseOwner.set(res, caller.tokenId);
        req.on('close', () => { sseClients.delete(res); sseOwner.delete(res); });
        return;
      }
      const me: Identity = { role: caller.role, name: caller.name };
      if (url.pathname === '/api/me' && method === 'GET') return sendJson(res, 200, me);
      if (url.pathname === '/api/openapi.json' && method === 'GET') return sendJson(res, 200, openApiDocument());
      // The caller's identity is the token's, not the core's (which answers "admin" to its own desktop).
      if (url.pathname.startsWith('/api/rpc/') && decodeURIComponent(url.pathname.slice('/api/rpc/'.length)) === 'app:me' && method === 'POST') {
        return sendJson(res, 200, { ok: true, value: me });
      }
      if (url.pathname === '/api/tokens' || url.pathname.startsWith('/api/tokens/')) return await tokenRoutes(req, res, url, method);
      if (url.pathname === '/api/ui-token/rotate' && method === 'POST') {
        if (!o.rotateToken) return sendError(res, appError('BAD_REQUEST', 'This token was given with --ui-token or HOOKSCOPE_UI_TOKEN: change it there.'));
        const token = o.rotateToken();
        tokenDigest = digest(token);
        sendJson(res, 200, { token });
        // Streams opened with the old token end (per-user tokens' streams stay); the page reconnects with the new one.
        for (const c of sseClients) if (!sseOwner.has(c)) { sseClients.delete(c); c.end(); }
        return;
      }
      if (await handlePowerRoutes(o.core, req, res, url)) return;
      if (o.extra?.handle && (await o.extra.handle(req, res, url))) return;
      let body: unknown;
      if (method === 'POST' || method === 'PUT') body = await readJson(req);
      if (url.pathname.startsWith('/api/rpc/') && method === 'POST') {
        const channel = decodeURIComponent(url.pathname.slice('/api/rpc/'.length));
        const env: Envelope<unknown> = await o.dispatch(channel, body);
        if (env.ok) env.value = forRole(caller.role, channel, env.value);
        return sendJson(res, env.ok ? 200 : httpStatusFor(env.error.code), env);
      }
      const r = route(method, url.pathname, url, body);
      if (!r) return sendError(res, appError('NOT_FOUND', `No route ${method} ${url.pathname}.`));
      const env = await o.dispatch(r.channel, r.args);
      if (env.ok) return sendJson(res, r.status, forRole(caller.role, r.channel, env.value));
      return sendError(res, env.error);
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
          hosts = allowedHosts({ bindHost, port: boundPort, publicUrl: o.publicUrl ?? null });
          server = s;
          heartbeat = setInterval(() => { for (const c of sseClients) send(c, ': ping\n\n'); }, 15_000);
          heartbeat.unref();
          resolve(boundPort);
        });
      });
    },
    stop() {
      for (const u of unsubs) u();
      if (heartbeat) clearInterval(heartbeat);
      for (const c of sseClients) c.end();
      sseClients.clear();
      sseOwner.clear();
      try { o.userTokens?.flush(); } catch (err) { o.logger.warn('could not save token last-used times', { err: String(err) }); }
      return new Promise<void>((resolve) => {
        if (!server) return resolve();
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
