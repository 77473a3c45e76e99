// The signed-webhook receiver: the port the tunnel exposes, so everything on it is hostile until verified.
// Every request is decided first (decide.ts): an accepted one — routed, and signed with a configured secret
// or unchecked because none is set and the user accepts that provider's unsigned webhooks — is stored with
// its exact bytes before it is answered, and a 200 means the group-committed transaction holding it is on
// disk; its events are derived from that record right after (deriver.ts). A rejected one goes to the
// bounded rejected log (rejected-log.ts) and never becomes events (docs/api.md "Trust boundary"); that is
// handle.ts. The socket side — reading bodies within their byte, memory and time budgets and writing the
// answers — is request-path.ts and body-budget.ts; this file builds them and owns the server. Nothing here
// may throw past the request handler (a 500 makes Meta retry for days).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { ReceiverInfo, RejectedItem } from '../../../shared/types';
import { HookscopeError } from '../../../shared/errors';
import type { RejectedLog } from '../store/rejected-log';
import type { RateLimiter } from './gate';
import type { Writer } from './writer';
import type { Settings } from '../setup/settings';
import type { Clock, Logger } from '../types';
import { decide, type Decision, type ReceiverInput, type TrustConfig } from './decide';
import { createHandle, type ReceiverAnswer } from './handle';
import { createBodyBudget } from './body-budget';
import { BODY_GRACE_MS, createRequestPath } from './request-path';
import type { TurnOptions } from './upload-turns';

export type { Decision, ReceiverInput } from './decide';
export type { ReceiverAnswer } from './handle';

export interface Receiver {
  start(): Promise<ReceiverInfo>;
  /** Stop accepting; resolve when every accepted request has been answered. */
  stop(): Promise<void>;
  info(): ReceiverInfo | null;
  /** Runs a request through the same path as the network (replay, simulator, import). */
  handle(input: ReceiverInput): Promise<ReceiverAnswer>;
  /** The trust decision alone, with the secrets configured now (re-verification of the rejected log). */
  decide(input: ReceiverInput): Decision;
}

export interface ReceiverDeps {
  host: string;
  port: number;
  settings: Settings;
  writer: Writer;
  clock: Clock;
  logger: Logger;
  tunnelUrl: () => string | null;
  /** Where refused requests are kept (rejected-log.ts); without one they are answered and not kept. */
  rejected?: RejectedLog;
  /** Rejected requests per source (gate.ts); none: unlimited. */
  limiter?: RateLimiter;
  /** True while free disk is under the floor: rejected requests are then not stored. */
  diskLow?: () => boolean;
  /** Bytes of request bodies held in memory at once; beyond, the longest-stalled uploads are cut off. */
  inFlightBudget?: number;
  /** Bytes of bodies one source may hold at once; beyond, that source's own longest-stalled uploads go. */
  perSourceBudget?: number;
  /** Once its headers are in, a body has this long plus its size at BODY_MIN_RATE to arrive (ms). */
  bodyGraceMs?: number;
  /** Large uploads: how long one holds the turn, waits at most, how many wait (upload-turns.ts). */
  uploadTurns?: TurnOptions;
  /** Called after a rejected request was answered (kept or not). */
  onRejected?: (item: RejectedItem | null) => void;
  /**
   * Told whether the disk is full: true when storing an accepted request failed for lack of space
   * (answered 503 + Retry-After), false when one is stored again.
   */
  onDiskFull?: (full: boolean) => void;
}

export { blankEvent } from './derive-events';

export function createReceiver(deps: ReceiverDeps): Receiver {
  const { settings, writer } = deps;
  let server: Server | null = null;
  let info: ReceiverInfo | null = null;
  const sockets = new Set<Socket>();
  let inFlight = 0;
  let drained: (() => void) | null = null;

  // What the decision reads, at the moment it decides: a secret pasted in Setup counts for the next request.
  const trust: TrustConfig = {
    metaSecrets: () => settings.metaSecrets(),
    twilioTokens: () => settings.twilioTokens(),
    acceptsUnsigned: (p) => settings.acceptsUnsigned(p),
    verifyToken: () => settings.verifyToken(),
    bodyLimitBytes: () => settings.plain().bodyLimitBytes,
    publicUrl: () => settings.publicUrl(deps.tunnelUrl()),
    ownUrl: () => info?.url ?? null,
  };
  const handle = createHandle({ trust, writer, clock: deps.clock, rejected: deps.rejected, limiter: deps.limiter, diskLow: deps.diskLow, onRejected: deps.onRejected });
  const budget = createBodyBudget({
    inFlightBudget: deps.inFlightBudget ?? 64 * 1024 * 1024,
    perSourceBudget: () => deps.perSourceBudget ?? Math.max(16 * 1024 * 1024, 2 * settings.plain().bodyLimitBytes),
  });
  const path = createRequestPath({
    trust, budget, handle, logger: deps.logger, tunnelUrl: deps.tunnelUrl, limiter: deps.limiter, rejected: deps.rejected,
    onRejected: deps.onRejected, onDiskFull: deps.onDiskFull, bodyGraceMs: deps.bodyGraceMs ?? BODY_GRACE_MS, uploadTurns: deps.uploadTurns,
  });

  function onRequest(req: IncomingMessage, res: ServerResponse) {
    inFlight++;
    path(req, res);
    // After the path's own close handler (it frees the body's memory): stop() waits for this count.
    res.on('close', () => {
      inFlight--;
      if (inFlight === 0 && drained) drained();
    });
  }

  return {
    handle,
    decide: (input) => decide(input, trust),
    info: () => info,
    start() {
      return new Promise<ReceiverInfo>((resolve, reject) => {
        const s = createServer({
          // Stalled clients cannot pile up: headers within 10 s, the whole request within 30 s.
          headersTimeout: 10_000,
          requestTimeout: 30_000,
          keepAliveTimeout: 5_000,
        }, onRequest);
        s.on('connection', (sock) => { sockets.add(sock); sock.on('close', () => sockets.delete(sock)); });
        s.once('error', (err: NodeJS.ErrnoException) => {
          if (err.code === 'EADDRINUSE') reject(new HookscopeError('PORT_IN_USE', `Port ${deps.port} on ${deps.host} is already in use (receiver). Stop the other program or pick another --port.`));
          else if (err.code === 'EACCES') reject(new HookscopeError('PORT_IN_USE', `Not allowed to listen on ${deps.host}:${deps.port} (receiver).`));
          else reject(err);
        });
        s.listen(deps.port, deps.host, () => {
          const a = s.address() as AddressInfo;
          const hostForUrl = a.family === 'IPv6' ? `[${a.address}]` : a.address;
          info = { host: a.address, port: a.port, url: `http://${hostForUrl}:${a.port}` };
          server = s;
          resolve(info);
        });
      });
    },
    stop() {
      return new Promise<void>((resolve) => {
        if (!server) return resolve();
        const s = server;
        server = null;
        s.close(() => resolve());
        // Idle keep-alive sockets would hold close() open; requests in flight finish first.
        s.closeIdleConnections();
        const finish = () => { for (const sock of sockets) sock.destroy(); };
        if (inFlight === 0) finish();
        else drained = () => { writer.flush(); setTimeout(finish, 50); };
      });
    },
  };
}
