// Forwarding at the ingest rate to a handler answering in 50 ms (docs/architecture.md "The outbox"): the
// backlog grows on disk while the burst lasts and drains afterwards, one delivery at a time, in order;
// nothing is lost. The figure: delivered ÷ acknowledged, counted by X-Hookscope-Delivery keys.
import { createServer } from 'node:http';
import { rmSync } from 'node:fs';
import { SECRET, api, load, signedBodies, sleep, startServe, tmp } from './lib.mjs';

export async function benchForward({ quick, log }) {
  const count = quick ? 300 : 1000;
  const keys = new Set();
  const handler = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      keys.add(String(req.headers['x-hookscope-delivery']));
      setTimeout(() => res.end('ok'), 50);
    });
  });
  await new Promise((r) => handler.listen(0, '127.0.0.1', r));
  const target = `http://127.0.0.1:${handler.address().port}/hook`;
  log(`forward: ${count} signed webhooks at the ingest rate, handler answering in 50 ms`);
  const serve = await startServe({ dataDir: tmp('forward'), env: { META_APP_SECRET: SECRET, HOOKSCOPE_FORWARD_TO: target } });
  let peak = 0;
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const t = (await api(serve, '/api/forwards')).body.targets?.[0];
      if (t) peak = Math.max(peak, t.queued + t.retrying);
      await sleep(250);
    }
  })();
  const t0 = performance.now();
  const r = await load(`${serve.receiverUrl}/meta`, signedBodies(256), { count, concurrency: 32 });
  const ackedInMs = performance.now() - t0;
  const deadline = Date.now() + (count / 20) * 1000 * 3 + 30_000;
  while (keys.size < r.acked && Date.now() < deadline) await sleep(200);
  const drainMs = performance.now() - t0;
  polling = false;
  await poller;
  const summary = (await api(serve, '/api/forwards')).body.targets?.[0] ?? {};
  await serve.stop();
  rmSync(serve.dataDir, { recursive: true, force: true });
  await new Promise((r2) => handler.close(r2));
  const ratio = r.acked ? keys.size / r.acked : 0;
  return [
    { name: 'delivered ÷ acknowledged (handler 50 ms)', value: `${keys.size} / ${r.acked}`, target: '= 1.0, nothing given up', ratio: ratio.toFixed(3),
      pass: ratio === 1 && (summary.givenUp ?? 0) === 0 },
    { name: 'forward backlog peak and drain', value: `peak ${peak} waiting`, target: '—',
      ratio: `acknowledged in ${(ackedInMs / 1000).toFixed(1)} s, all delivered after ${(drainMs / 1000).toFixed(1)} s`, pass: null },
  ];
}
