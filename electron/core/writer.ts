// Group commit: requests that arrive in the same turn of the event loop (or within `delayMs`) are
// written in one transaction, so a burst of webhooks costs one fsync, not one each. Every caller's
// promise resolves only after the transaction holding its request has committed: the receiver's
// 200 still means "durably in SQLite".
import type { IngestRecord, IngestResult, Store } from './store';

interface Pending {
  record: IngestRecord;
  resolve(r: IngestResult): void;
  reject(e: unknown): void;
}

export interface Writer {
  submit(record: IngestRecord): Promise<IngestResult>;
  /** Commit whatever is queued now (used on shutdown). */
  flush(): void;
  pending(): number;
}

export function createWriter(store: Store, opts: { delayMs?: number; maxBatch?: number; onCommitted?: (r: IngestResult[]) => void } = {}): Writer {
  const delayMs = opts.delayMs ?? 0;
  const maxBatch = opts.maxBatch ?? 512;
  const queue: Pending[] = [];
  let scheduled = false;

  function flush() {
    scheduled = false;
    while (queue.length > 0) {
      const batch = queue.length > maxBatch ? queue.splice(0, maxBatch) : queue.splice(0);
      let results: IngestResult[];
      try {
        results = store.ingest(batch.map((p) => p.record));
      } catch (err) {
        // One bad record must not fail its neighbours: retry each alone, so only the culprit gets a 500.
        if (batch.length === 1) { batch[0].reject(err); continue; }
        const alone: IngestResult[] = [];
        for (const p of batch) {
          try {
            const r = store.ingest([p.record])[0];
            alone.push(r);
            p.resolve(r);
          } catch (e) {
            p.reject(e);
          }
        }
        if (alone.length) opts.onCommitted?.(alone);
        continue;
      }
      for (let i = 0; i < batch.length; i++) batch[i].resolve(results[i]);
      opts.onCommitted?.(results);
    }
  }

  function schedule() {
    if (scheduled) return;
    scheduled = true;
    if (delayMs > 0) setTimeout(flush, delayMs);
    else setImmediate(flush);
  }

  return {
    submit(record) {
      return new Promise<IngestResult>((resolve, reject) => {
        queue.push({ record, resolve, reject });
        if (queue.length >= maxBatch) flush();
        else schedule();
      });
    },
    flush,
    pending: () => queue.length,
  };
}
