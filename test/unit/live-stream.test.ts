// The control API's live stream (electron/serve/live-stream.ts) over real sockets: a client that stops
// reading is dropped once more than the cap waits unsent for it, without holding back the others, and
// ending the streams of one token leaves every other stream open.
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, get, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { createLiveStreams, type LiveStreams } from '../../electron/serve/live-stream';
import { TypedEmitter } from '../../electron/core/emitter';
import type { PushChannels } from '../../shared/ipc';
import type { Logger } from '../../electron/core/types';

const tick = () => new Promise<void>((r) => setImmediate(r));

describe('live stream', () => {
  let server: Server | null = null;
  let streams: LiveStreams | null = null;
  const sockets: Socket[] = [];
  const readers: IncomingMessage[] = [];
  afterEach(async () => {
    for (const s of sockets) s.destroy();
    for (const r of readers) r.destroy();
    sockets.length = 0; readers.length = 0;
    streams?.stop();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    server = null; streams = null;
  });

  /** A server whose every request becomes a live stream owned by the `?owner=` given (none: the UI token). */
  async function boot(bufferBytes: number) {
    const emitter = new TypedEmitter<PushChannels>();
    const warnings: string[] = [];
    const logger: Logger = { debug: () => {}, info: () => {}, warn: (m) => { warnings.push(m); }, error: () => {} };
    const ls = createLiveStreams({ core: emitter, logger, bufferBytes });
    streams = ls;
    const opened: { owner: string | null; res: ServerResponse; closed: boolean }[] = [];
    server = createServer((req, res) => {
      const owner = new URL(req.url ?? '/', 'http://x').searchParams.get('owner');
      const entry = { owner, res, closed: false };
      opened.push(entry);
      res.on('close', () => { entry.closed = true; });
      ls.open(req, res, owner);
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as AddressInfo).port;
    /** A client that reads everything, kept as text. */
    const reader = (path = '/') => new Promise<{ text: () => string; ended: () => boolean }>((resolve) => {
      get({ host: '127.0.0.1', port, path }, (res) => {
        readers.push(res);
        const chunks: string[] = [];
        let ended = false;
        res.setEncoding('utf8');
        res.on('data', (c: string) => chunks.push(c));
        res.on('end', () => { ended = true; });
        resolve({ text: () => chunks.join(''), ended: () => ended });
      });
    });
    /** A client that reads the stream's first bytes, then stops reading. */
    const stalled = () => new Promise<void>((resolve) => {
      const s = connect(port, '127.0.0.1', () => s.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'));
      sockets.push(s);
      s.once('data', () => { s.pause(); resolve(); });
    });
    return { emitter, warnings, opened, reader, stalled };
  }

  it('drops a client that stopped reading once the cap is waiting unsent; a reading client gets every frame', async () => {
    const { emitter, warnings, opened, reader, stalled } = await boot(256 * 1024);
    const live = await reader();
    await stalled();
    await expect.poll(() => opened.length).toBe(2);
    const slow = opened[1];
    const payload = { filler: 'x'.repeat(64 * 1024) } as unknown as PushChannels['settings:changed'];
    let sent = 0;
    // Kernel buffers take the first megabytes; what waits past them is the server's to hold.
    while (!slow.closed && sent < 2_000) {
      emitter.emit('settings:changed', payload);
      sent++;
      await tick();
    }
    expect(slow.closed).toBe(true);
    expect(warnings).toContain('dropped a live stream that stopped reading');
    expect(opened[0].closed).toBe(false);
    await expect.poll(() => live.text().split('event: settings:changed\n').length - 1, { timeout: 60_000 }).toBe(sent);
  }, 120_000);

  it('ending one token\'s streams, then the UI token\'s, leaves the other token\'s stream open and live', async () => {
    const { emitter, opened, reader } = await boot(4 * 1024 * 1024);
    const ui = await reader('/');
    const a = await reader('/?owner=token-a');
    const b = await reader('/?owner=token-b');
    await expect.poll(() => opened.length).toBe(3);

    streams!.endOwnedBy('token-a');
    await expect.poll(() => a.ended()).toBe(true);
    expect([ui.ended(), b.ended()]).toEqual([false, false]);

    streams!.endUiTokenStreams();
    await expect.poll(() => ui.ended()).toBe(true);
    expect(b.ended()).toBe(false);

    emitter.emit('tunnel:changed', { state: 'off', since: 1 });
    await expect.poll(() => b.text()).toContain('event: tunnel:changed\ndata: {"state":"off","since":1}\n\n');
    expect(b.ended()).toBe(false);
  });
});
