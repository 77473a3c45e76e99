// The real derive worker (dist-electron, npm run build), which dies holding both lock words
// (ingest/write-lock.ts: slots 0 and 4, 2 = the worker) at the first kick after the test creates
// `die-now` in the data dir: a crash inside a transaction (derive-worker-fallback.test.ts).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';

await import('../../dist-electron/derive-worker.mjs');
// Added after the worker loaded (a listener of this file's alone would take the messages sent while it
// loads); the worker's own listener only schedules the derive turn, so this exit comes before it.
parentPort.on('message', (m) => {
  if (m.type !== 'derive' || !existsSync(join(workerData.dataDir, 'die-now'))) return;
  Atomics.store(workerData.words, 0, 2);
  Atomics.store(workerData.words, 4, 2);
  process.exit(3);
});
