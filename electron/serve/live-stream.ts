// The control API's live stream, GET /api/live (docs/api.md): server-sent events carrying every push
// channel of the core, a heartbeat, and a cap on what a stream that stopped reading may hold.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PUSH_CHANNELS, type PushChannel, type PushChannels } from '../../shared/ipc';
import type { Core } from '../core/core';
import type { Logger } from '../core/types';

export interface LiveStreams {
  /** Answers the request as a live stream; `tokenId` is the per-user token that opened it (null: the UI token). */
  open(req: IncomingMessage, res: ServerResponse, tokenId: string | null): void;
  /** A revoked per-user token's open streams end now, not at its next request. */
  endOwnedBy(tokenId: string): void;
  /** Streams opened with the UI token end (after a rotation); per-user tokens' streams stay. */
  endUiTokenStreams(): void;
  startHeartbeat(): void;
  stop(): void;
}

export function createLiveStreams(o: { core: Pick<Core, 'on'>; logger: Logger; bufferBytes?: number }): LiveStreams {
  const clients = new Set<ServerResponse>();
  /** Which per-user token opened each live stream, so revoking it ends the stream at once. */
  const owner = new Map<ServerResponse, string>();
  const unsubs: (() => void)[] = [];
  let heartbeat: ReturnType<typeof setInterval> | null = null;
  const cap = o.bufferBytes ?? 4 * 1024 * 1024;

  // Pushes are fanned out to every live stream; the core already batches events per tick.
  for (const ch of PUSH_CHANNELS) {
    unsubs.push(o.core.on(ch, (payload: PushChannels[PushChannel]) => {
      if (clients.size === 0) return;
      const frame = `event: ${ch}\ndata: ${JSON.stringify(payload)}\n\n`;
      for (const res of clients) send(res, frame);
    }));
  }

  /**
   * A client that stops reading would make Node buffer every frame for it without end. Past the cap it is
   * dropped: EventSource reconnects by itself, and the UI re-reads the feed on reconnect (renderer bridge).
   */
  function send(res: ServerResponse, frame: string) {
    if (res.writableLength + frame.length > cap) {
      clients.delete(res);
      o.logger.warn('dropped a live stream that stopped reading', { buffered: res.writableLength });
      res.destroy();
      return;
    }
    res.write(frame);
  }

  return {
    open(req, res, tokenId) {
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
      res.write('retry: 2000\n: connected\n\n');
      clients.add(res);
      if (tokenId) owner.set(res, tokenId);
      req.on('close', () => { clients.delete(res); owner.delete(res); });
    },
    endOwnedBy(tokenId) {
      for (const [c, id] of owner) if (id === tokenId) { owner.delete(c); clients.delete(c); c.end(); }
    },
    endUiTokenStreams() {
      // The page reconnects with the new token.
      for (const c of clients) if (!owner.has(c)) { clients.delete(c); c.end(); }
    },
    startHeartbeat() {
      heartbeat = setInterval(() => { for (const c of clients) send(c, ': ping\n\n'); }, 15_000);
      heartbeat.unref();
    },
    stop() {
      for (const u of unsubs) u();
      if (heartbeat) clearInterval(heartbeat);
      for (const c of clients) c.end();
      clients.clear();
      owner.clear();
    },
  };
}
