// The read worker's entry (bundled as dist-electron/read-worker.mjs and .cjs; see store/reads.ts): a
// read-only connection to the store's file and the store's own read code, one call at a time. The
// composition root of its thread, as core.ts is of the main one: it hands the store's reads the event
// deriver (store/event-deriver.ts), which store/ may not import itself.
import { parentPort, workerData } from 'node:worker_threads';
import { createReads, openReadConnection } from './store/store';
import { createReadApi, serialiseError, toRawJson, type WorkerRequest, type WorkerResponse } from './store/reads';
import { eventDeriver } from './ingest/derive-events';

const port = parentPort;
if (!port) throw new Error('read-worker.ts runs as a worker thread');
const { dataDir, nativeBinding } = workerData as { dataDir: string; nativeBinding?: string };
const db = openReadConnection({ dataDir, nativeBinding });
const api = createReadApi(db, createReads(db, eventDeriver));

port.on('message', (m: WorkerRequest) => {
  let res: WorkerResponse;
  if (m.method === 'close') {
    try { db.close(); } catch { /* closing anyway */ }
    port.postMessage({ id: m.id, ok: true, value: null } satisfies WorkerResponse);
    port.close();
    return;
  }
  try {
    const value = (api[m.method] as (...a: unknown[]) => unknown)(...m.args);
    if (m.json) {
      // Serialised here, off the receiver's thread; the buffer is moved, not copied (store/reads.ts).
      const { bytes } = toRawJson(value);
      port.postMessage({ id: m.id, ok: true, json: bytes } satisfies WorkerResponse, [bytes.buffer as ArrayBuffer]);
      return;
    }
    res = { id: m.id, ok: true, value };
  } catch (err) {
    res = { id: m.id, ok: false, error: serialiseError(err) };
  }
  port.postMessage(res);
});
