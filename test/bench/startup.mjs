// Start-up: spawn → `ui:` line of the real serve process over the million-event data dir; bytes per event.
import { statSync, existsSync } from 'node:fs';
import { startServe, summarise } from './lib.mjs';

export async function benchStartup({ quick, log, store }) {
  const runs = quick ? 2 : 3;
  const times = [];
  for (let i = 0; i < runs; i++) {
    const s = await startServe({ dataDir: store.dataDir });
    times.push(s.readyMs);
    await s.stop();
  }
  log(`startup: ready in ${times.map((t) => t.toFixed(0)).join(', ')} ms`);
  const t = summarise(times);
  const file = store.file;
  // Every file of the store: the read model and, when the store has one, the request log's own file
  // (electron/core/store/log-file.ts), each with its WAL.
  const sizeOf = (f) => (existsSync(f) ? statSync(f).size : 0);
  const logFile = file.replace(/hookscope\.db$/, 'requests.db');
  const bytes = [file, `${file}-wal`, logFile, `${logFile}-wal`].reduce((n, f) => n + sizeOf(f), 0);
  return [
    { name: `serve ready with ${store.events.toLocaleString('en')} events`, value: `${t.p50.toFixed(0)} ms (median of ${runs})`, target: '≤ 1500 ms', ratio: `max ${t.max.toFixed(0)} ms`, pass: t.max <= 1500 },
    { name: 'bytes stored per event', value: `${(bytes / store.events).toFixed(0)} B`, target: '≤ 1,024 B', ratio: 'packed headers + body, normalised row, indexes, FTS', pass: bytes / store.events <= 1024 },
  ];
}
