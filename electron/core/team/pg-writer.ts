// Group commit into the shared PostgreSQL record (team mode). Requests that arrive while an append is in
// flight wait together and go as the next transaction, so a burst costs one round trip and one PostgreSQL
// commit per batch, not per request (the append is a single statement: pg-log.ts). A caller's promise
// resolves only after COMMIT of the transaction holding its request: the receiver's 200 still means
// "durably in the database" (docs/architecture.md "Team mode").
//
// The database going away rejects the batch with DB_UNREACHABLE: the receiver answers 503 and the
// provider retries later (a retry of something that did commit is flagged duplicate, never lost).
import type { IngestRequest } from '../store/store';
import type { PgLog } from './pg-log';

export interface PgAppender {
  /** Resolves with the request's shared id after its transaction committed. */
  submit(request: IngestRequest): Promise<number>;
  /** Requests queued or in flight. */
  pending(): number;
  /** Sends what is queued now (the next batch goes as soon as the one in flight ends). */
  flush(): void;
  /** Resolves when everything queued so far has committed or failed. */
  drain(): Promise<void>;
}

interface Pending { request: IngestRequest; resolve(id: number): void; reject(e: unknown): void }

function bytesOf(r: IngestRequest): number {
  return (r.body?.length ?? 0) + 512;
}

export function createPgAppender(opts: {
  log: Pick<PgLog, 'appendBatch'>;
  /** After each commit, with the rows, their ids in order and the append's transaction (the local mirror applies them). */
  onCommitted?: (rows: IngestRequest[], ids: number[], xact: number) => void;
  maxBatch?: number;
  maxBatchBytes?: number;
  /** Appends on their way at once (default 2: they commit in parallel, PostgreSQL groups their fsyncs). */
  maxInFlight?: number;
}): PgAppender {
  // One append is one statement over parallel arrays (pg-log.ts); the cap bounds its size and its time.
  const maxBatch = Math.min(opts.maxBatch ?? 512, 4000);
  const maxBatchBytes = opts.maxBatchBytes ?? 8 * 1024 * 1024;
  const maxInFlight = Math.max(1, opts.maxInFlight ?? 2);
  const queue: Pending[] = [];
  let inFlight = 0; // appends on their way (each on a connection of its own)
  let inFlightRows = 0;
  let scheduled = false;
  let idle: (() => void)[] = [];

  function take(): Pending[] {
    let n = 0;
    let bytes = 0;
    while (n < queue.length && n < maxBatch) {
      const b = bytesOf(queue[n].request);
      if (n > 0 && bytes + b > maxBatchBytes) break;
      bytes += b;
      n++;
    }
    return queue.splice(0, n);
  }

  async function send() {
    scheduled = false;
    if (inFlight >= maxInFlight || queue.length === 0) return;
    const batch = take();
    inFlight++;
    inFlightRows += batch.length;
    // The next batch may leave now: it commits beside this one (their fsyncs grouped) instead of a round
    // trip later; readers never skip an id whichever commits first (pg-log.ts).
    if (queue.length > 0) schedule();
    try {
      const { ids, xact } = await opts.log.appendBatch(batch.map((p) => p.request));
      try {
        opts.onCommitted?.(batch.map((p) => p.request), ids, xact);
      } finally {
        batch.forEach((p, i) => p.resolve(ids[i]));
      }
    } catch (err) {
      if (batch.length === 1) batch[0].reject(err);
      else {
        // One bad row must not fail its neighbours: each is tried alone (a dead connection fails them all).
        for (const p of batch) {
          try {
            const { ids: [id], xact } = await opts.log.appendBatch([p.request]);
            try { opts.onCommitted?.([p.request], [id], xact); } finally { p.resolve(id); }
          } catch (e) {
            p.reject(e);
          }
        }
      }
    } finally {
      inFlight--;
      inFlightRows -= batch.length;
    }
    if (queue.length > 0) schedule();
    else if (inFlight === 0) { const w = idle; idle = []; for (const r of w) r(); }
  }

  function schedule() {
    if (scheduled || inFlight >= maxInFlight) return;
    scheduled = true;
    setImmediate(() => void send());
  }

  return {
    submit(request) {
      return new Promise<number>((resolve, reject) => {
        queue.push({ request, resolve, reject });
        schedule();
      });
    },
    pending: () => queue.length + inFlightRows,
    flush() { if (inFlight < maxInFlight && queue.length > 0) void send(); },
    drain() {
      if (queue.length === 0 && inFlight === 0) return Promise.resolve();
      return new Promise<void>((r) => { idle.push(r); if (inFlight === 0) void send(); });
    },
  };
}
