// Group commit: requests that arrive in the same turn of the event loop (or within `delayMs`) are
// written in one transaction, so a burst of webhooks costs one fsync, not one each. Every caller's
// promise resolves only after the transaction holding its request has committed: the receiver's
// 200 still means "durably in SQLite". The transaction holds the request rows alone — their events,
// search entries and lifecycles are derived right after, off the answer's path (deriver.ts).
//
// Two writers with the same contract: createWriter runs the transaction on the calling thread's
// connection (the default); createWorkerWriter (opt-in, CoreOptions.writeWorker, HOOKSCOPE_WRITE_WORKER=on
// for serve; slower on 2 cores, see docs/benchmarks.md) runs it in a worker thread
// (write-worker.ts) over a write connection of its own, so the main thread parses and verifies the next
// requests while SQLite works. Both group and isolate records with the same code (ingestBatch).
import { Worker } from 'node:worker_threads';
import type { IngestRecord, Store } from '../store/store';

/** What the acknowledgement waits for: the request row, committed. */
export interface Appended { requestId: number }
import type { Logger } from '../types';

interface Pending {
  record: IngestRecord;
  resolve(r: Appended): void;
  reject(e: unknown): void;
}

export interface Writer {
  submit(record: IngestRecord): Promise<Appended>;
  /** Commit whatever is queued now (used on shutdown); a worker writer sends it on its way. */
  flush(): void;
  pending(): number;
  /** Commit everything queued, then release the writer's resources (the worker and its connection). */
  close(): Promise<void>;
  /** 'worker' or 'inline': where transactions run now; 'postgres' for a team server's shared record (team/team-writer.ts). */
  where(): 'worker' | 'inline' | 'postgres';
}

export type Outcome = { ok: true; value: Appended } | { ok: false; error: unknown };

/**
 * One group-committed transaction for `records`. If it fails, each record is retried alone, so one
 * bad record does not fail its neighbours: only the culprit gets an error.
 */
export function ingestBatch(store: Pick<Store, 'appendRequests'>, records: IngestRecord[]): Outcome[] {
  try {
    return store.appendRequests(records.map((r) => r.request)).map((requestId) => ({ ok: true as const, value: { requestId } }));
  } catch (err) {
    if (records.length === 1) return [{ ok: false, error: err }];
    return records.map((r) => {
      try {
        return { ok: true as const, value: { requestId: store.appendRequests([r.request])[0] } };
      } catch (e) {
        return { ok: false as const, error: e };
      }
    });
  }
}

/** Told of every committed batch (before the callers hear), with the records' events already computed. */
export type OnCommitted = (committed: { requestId: number; record: IngestRecord }[]) => void;

function settle(batch: Pending[], outcomes: Outcome[], onCommitted?: OnCommitted) {
  const committed: { requestId: number; record: IngestRecord }[] = [];
  for (let i = 0; i < batch.length; i++) {
    const o = outcomes[i];
    if (o.ok) committed.push({ requestId: o.value.requestId, record: batch[i].record });
  }
  if (committed.length) {
    try { onCommitted?.(committed); } catch { /* the callers' answers do not depend on it */ }
  }
  for (let i = 0; i < batch.length; i++) {
    const o = outcomes[i];
    if (o.ok) batch[i].resolve(o.value); else batch[i].reject(o.error);
  }
}

/** Bytes of bodies in one commit at most: a burst of large bodies commits as several short transactions. */
export const MAX_BATCH_BYTES = 8 * 1024 * 1024;

function recordBytes(r: IngestRecord): number {
  return (r.request.body?.length ?? 0) + 512;
}

export function createWriter(store: Pick<Store, 'appendRequests'>, opts: { delayMs?: number; maxBatch?: number; maxBatchBytes?: number; onCommitted?: OnCommitted } = {}): Writer {
  const delayMs = opts.delayMs ?? 0;
  const maxBatch = opts.maxBatch ?? 512;
  const maxBatchBytes = opts.maxBatchBytes ?? MAX_BATCH_BYTES;
  const queue: Pending[] = [];
  let scheduled = false;

  /** The next batch: at most maxBatch records and maxBatchBytes of bodies (always at least one record). */
  function take(): Pending[] {
    let n = 0;
    let bytes = 0;
    while (n < queue.length && n < maxBatch) {
      const b = recordBytes(queue[n].record);
      if (n > 0 && bytes + b > maxBatchBytes) break;
      bytes += b;
      n++;
    }
    return queue.splice(0, n);
  }

  function commitOne() {
    const batch = take();
    settle(batch, ingestBatch(store, batch.map((p) => p.record)), opts.onCommitted);
  }

  /** Everything queued now, batch after batch (shutdown). */
  function flush() {
    scheduled = false;
    while (queue.length > 0) commitOne();
  }

  /**
   * One batch per turn of the event loop: the callers of a committed batch get their answers written
   * before the next batch's fsync, so no request waits behind a whole burst.
   */
  function tick() {
    scheduled = false;
    if (queue.length > 0) commitOne();
    if (queue.length > 0) schedule();
  }

  function schedule() {
    if (scheduled) return;
    scheduled = true;
    if (delayMs > 0) setTimeout(tick, delayMs);
    else setImmediate(tick);
  }

  return {
    submit(record) {
      return new Promise<Appended>((resolve, reject) => {
        queue.push({ record, resolve, reject });
        if (queue.length >= maxBatch) commitOne();
        if (queue.length > 0) schedule();
      });
    },
    flush,
    pending: () => queue.length,
    close: async () => flush(),
    where: () => 'inline',
  };
}

// --- The writer in a worker thread -----------------------------------------------------------------

export type WriteRequest = { id: number; records: IngestRecord[] } | { id: number; close: true };
export type WriteResponse =
  | { ready: true }
  | { ready: false; error: SerialisedError }
  | { id: number; outcomes: ({ ok: true; value: Appended } | { ok: false; error: SerialisedError })[] };

export interface SerialisedError { name: string; code?: string; message: string; stack?: string }

export function serialiseError(err: unknown): SerialisedError {
  const e = err instanceof Error ? err : new Error(String(err));
  return { name: e.name, code: (e as { code?: string }).code, message: e.message, stack: e.stack };
}

function reviveError(e: SerialisedError): Error {
  const err = new Error(e.message);
  err.name = e.name;
  if (e.code) (err as { code?: string }).code = e.code;
  if (e.stack) err.stack = e.stack;
  return err;
}

/**
 * The ingest transaction in a worker thread over its own write connection (write-worker.ts, the store's
 * own ingest code). Decisions:
 *  - One batch in flight: while the worker commits, new records queue here and go together as the next
 *    batch (the same grouping the inline writer gets while its transaction blocks the loop).
 *  - A caller's promise resolves when the worker reports the commit of the transaction holding its record.
 *  - If the worker cannot start, the batch it never began runs inline on `fallback`'s connection and so does
 *    everything after. If it dies after starting, a batch in flight may or may not have committed: its
 *    callers are rejected (a 500, the provider retries; a retry is flagged duplicate, never lost), and
 *    later records run inline.
 *  - A record that cannot be cloned to the worker (structured clone of a pathologically deep payload)
 *    is written inline on the main connection, as before; no batch is in flight then, so nothing waits on a lock.
 */
export function createWorkerWriter(opts: {
  workerFile: string; dataDir: string; nativeBinding?: string; fallback: Pick<Store, 'appendRequests'>; logger: Logger;
  delayMs?: number; maxBatch?: number; onCommitted?: OnCommitted;
}): Writer {
  const { logger } = opts;
  const delayMs = opts.delayMs ?? 0;
  const maxBatch = opts.maxBatch ?? 512;
  const inline = createWriter(opts.fallback, { delayMs, maxBatch, onCommitted: opts.onCommitted });
  const worker = new Worker(opts.workerFile, { workerData: { dataDir: opts.dataDir, nativeBinding: opts.nativeBinding } });
  worker.unref();
  const queue: Pending[] = [];
  let inFlight: { id: number; batch: Pending[] } | null = null;
  let seq = 0;
  let ready = false;
  let dead = false;
  let scheduled = false;
  let closing: Promise<void> | null = null;
  let idle: (() => void) | null = null;
  let closed: (() => void) | null = null;

  function goInline(reason: string) {
    if (dead) return;
    dead = true;
    worker.unref();
    if (!closing) logger.warn('write worker stopped; ingest now runs on the main thread', { reason });
    const lost = inFlight;
    inFlight = null;
    if (lost) {
      if (!ready) {
        // The worker never opened its connection: this batch was not begun.
        for (const p of lost.batch) inline.submit(p.record).then(p.resolve, p.reject);
      } else {
        const err = new Error(`The write worker stopped before confirming the commit (${reason})`);
        for (const p of lost.batch) p.reject(err);
      }
    }
    for (const p of queue.splice(0)) inline.submit(p.record).then(p.resolve, p.reject);
    inline.flush();
    idle?.();
    closed?.();
  }

  function send() {
    scheduled = false;
    if (dead) { for (const p of queue.splice(0)) inline.submit(p.record).then(p.resolve, p.reject); inline.flush(); return; }
    if (inFlight || queue.length === 0) { if (!inFlight) idle?.(); return; }
    const batch = queue.length > maxBatch ? queue.splice(0, maxBatch) : queue.splice(0);
    const id = ++seq;
    try {
      worker.postMessage({ id, records: batch.map((p) => p.record) } satisfies WriteRequest);
    } catch (err) {
      // Not cloneable: this batch runs on the main connection (the worker is idle: nothing in flight).
      logger.debug('a batch could not be sent to the write worker; written inline', { err: String(err) });
      settle(batch, ingestBatch(opts.fallback, batch.map((p) => p.record)), opts.onCommitted);
      if (queue.length) schedule();
      else idle?.();
      return;
    }
    inFlight = { id, batch };
    worker.ref();
  }

  function schedule() {
    if (scheduled || inFlight) return;
    scheduled = true;
    if (delayMs > 0) setTimeout(send, delayMs);
    else setImmediate(send);
  }

  worker.on('message', (m: WriteResponse) => {
    if ('ready' in m) {
      if (m.ready) { ready = true; return; }
      goInline(`could not open the store: ${m.error.message}`);
      void worker.terminate();
      return;
    }
    if (!inFlight || inFlight.id !== m.id) return;
    const { batch } = inFlight;
    inFlight = null;
    worker.unref();
    settle(batch, m.outcomes.map((o) => (o.ok ? o : { ok: false as const, error: reviveError(o.error) })), opts.onCommitted);
    // Whatever queued meanwhile is the next batch, sent now.
    if (queue.length) send();
    else idle?.();
  });
  worker.on('error', (err) => goInline(String(err)));
  worker.on('exit', (code) => goInline(`exit code ${code}`));

  return {
    submit(record) {
      if (dead) return inline.submit(record);
      return new Promise<Appended>((resolve, reject) => {
        queue.push({ record, resolve, reject });
        if (!inFlight && queue.length >= maxBatch) send();
        else schedule();
      });
    },
    flush() {
      if (dead) inline.flush();
      else if (!inFlight) send();
    },
    pending: () => queue.length + (inFlight?.batch.length ?? 0) + inline.pending(),
    where: () => (dead ? 'inline' : 'worker'),
    close() {
      if (closing) return closing;
      closing = (async () => {
        if (!dead) {
          // Everything queued is committed first, one batch after the other.
          await new Promise<void>((r) => {
            idle = r;
            if (!inFlight) send();
          });
          idle = null;
        }
        if (!dead) {
          const exited = new Promise<void>((r) => { closed = r; worker.once('exit', () => r()); });
          // The worker closes its connection, then exits; terminate if it does not in time.
          const timer = setTimeout(() => { void worker.terminate(); }, 5000);
          worker.ref();
          worker.postMessage({ id: ++seq, close: true } satisfies WriteRequest);
          await exited;
          clearTimeout(timer);
        }
        dead = true;
        await inline.close();
      })();
      return closing;
    },
  };
}
