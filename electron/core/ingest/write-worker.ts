// The write worker's entry (bundled as dist-electron/write-worker.mjs and .cjs; see writer.ts): a write
// connection of its own to the store's file, running the store's own ingest transaction, one batch at a time.
import { parentPort, workerData } from 'node:worker_threads';
import { openStore, type IngestRecord, type Store } from '../store/store';
import { ingestBatch, serialiseError, type WriteRequest, type WriteResponse } from './writer';

const port = parentPort;
if (!port) throw new Error('write-worker.ts runs as a worker thread');
const { dataDir, nativeBinding } = workerData as { dataDir: string; nativeBinding?: string };

let store: Store | null = null;
try {
  store = openStore({ dataDir, nativeBinding });
  // The main connection's own writes (retention, VACUUM) may hold the lock longer than a commit does;
  // wait for them rather than fail a batch of webhooks.
  store.db.pragma('busy_timeout = 30000');
  port.postMessage({ ready: true } satisfies WriteResponse);
} catch (err) {
  port.postMessage({ ready: false, error: serialiseError(err) } satisfies WriteResponse);
}

/** Structured clone turns Buffers into Uint8Arrays. */
function revive(records: IngestRecord[]): IngestRecord[] {
  for (const r of records) {
    const b = r.request.body as Uint8Array | null;
    if (b && !Buffer.isBuffer(b)) r.request.body = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  }
  return records;
}

port.on('message', (m: WriteRequest) => {
  if ('close' in m) {
    try { store?.close(); } catch { /* closing anyway */ }
    store = null;
    port.close();
    return;
  }
  if (!store) return;
  const outcomes = ingestBatch(store, revive(m.records)).map((o) => (o.ok ? o : { ok: false as const, error: serialiseError(o.error) }));
  port.postMessage({ id: m.id, outcomes } satisfies WriteResponse);
});
