// Group commit: requests that arrive in the same turn of the event loop (or within `delayMs`) are
// written in one transaction, so a burst of webhooks costs one fsync, not one each. Every caller's
// promise resolves only after the transaction holding its request has committed: the receiver's
// 200 still means "durably in SQLite". The transaction holds the request rows alone — their events,
// search entries and lifecycles are derived right after, off the answer's path (deriver.ts).
//
// The commit's fsync runs off this thread (store/wal-sync.ts): the transaction is committed without it
// and its callers are answered once a flush of the WAL started after the commit is done.
//
// The transaction runs on the main connection. A variant in a worker thread, with a write connection of
// its own, was measured and removed: on 2 cores it cost more CPU per webhook than it saved and acknowledged
// fewer (docs/benchmarks.md, "The write worker").
import type { IngestRecord, Store } from '../store/store';

/** What the acknowledgement waits for: the request row, committed. */
export interface Appended { requestId: number }

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
export function ingestBatch(store: Pick<Store, 'appendRequests'>, records: IngestRecord[], deferSync = false): Outcome[] {
  const opts = deferSync ? { deferSync } : undefined;
  try {
    return store.appendRequests(records.map((r) => r.request), opts).map((requestId) => ({ ok: true as const, value: { requestId } }));
  } catch (err) {
    if (records.length === 1) return [{ ok: false, error: err }];
    return records.map((r) => {
      try {
        return { ok: true as const, value: { requestId: store.appendRequests([r.request], opts)[0] } };
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

/**
 * The write lock shared with a derive worker (write-lock.ts), when derivation runs on one: a commit that
 * finds it taken waits for it without blocking the event loop, gathering what arrives meanwhile.
 */
export interface CommitLock {
  tryAcquire(): boolean;
  acquireSync(timeoutMs: number): boolean;
  release(): void;
  whenFree(): Promise<void>;
}

/** The flush a commit made without its own fsync waits for (store/wal-sync.ts). */
export interface CommitSync {
  barrier(): Promise<void>;
  now(): void;
}

export function createWriter(store: Pick<Store, 'appendRequests'>, opts: {
  delayMs?: number; maxBatch?: number; maxBatchBytes?: number; onCommitted?: OnCommitted; lock?: CommitLock;
  /** Commits are flushed by this, off the thread, before their callers hear (none: each commit fsyncs itself). */
  sync?: CommitSync;
  /**
   * Told the first request id committed and not flushed yet whenever it changes (null: every commit is
   * flushed). Requests from there on are not answered yet: the deriver leaves them for later.
   */
  onUnflushed?(firstId: number | null): void;
} = {}): Writer {
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

  const lock = opts.lock;
  const sync = opts.sync;
  /** Commits waiting for their flush: close() lets them be answered first. */
  const flushing = new Set<Promise<void>>();
  /** The first request id of each commit waiting for its flush, in commit order. */
  const unflushed: number[] = [];
  const firstId = (outcomes: Outcome[]) => {
    let first = Infinity;
    for (const o of outcomes) if (o.ok && o.value.requestId < first) first = o.value.requestId;
    return first;
  };
  let waiting = false;

  /** One batch; false when the lock is the derive worker's (the batch waits for it, the loop does not). */
  function commitOne(blocking = false): boolean {
    if (lock && !(blocking ? lock.acquireSync(10_000) : lock.tryAcquire())) {
      if (!waiting) {
        waiting = true;
        void lock.whenFree().then(() => { waiting = false; schedule(); });
      }
      return false;
    }
    const batch = take();
    let outcomes: Outcome[];
    try {
      outcomes = ingestBatch(store, batch.map((p) => p.record), !!sync);
    } finally {
      lock?.release();
    }
    if (!sync || !outcomes.some((o) => o.ok)) settle(batch, outcomes, opts.onCommitted);
    else if (blocking) settle(batch, flushedNow(outcomes), opts.onCommitted);
    else {
      const first = firstId(outcomes);
      unflushed.push(first);
      opts.onUnflushed?.(unflushed[0]);
      const flushed = () => {
        unflushed.splice(unflushed.indexOf(first), 1);
        opts.onUnflushed?.(unflushed[0] ?? null);
      };
      const p = sync.barrier().then(
        () => { flushed(); settle(batch, outcomes, opts.onCommitted); },
        () => { const o = flushedNow(outcomes); flushed(); settle(batch, o, opts.onCommitted); },
      );
      flushing.add(p);
      // Requests arriving meanwhile gather into the next commit, made when this flush is done: one
      // commit per flush, as large as the disk's pace makes it (many small commits write the same
      // pages to the WAL again and again).
      void p.finally(() => { flushing.delete(p); schedule(); });
    }
    return true;
  }

  /**
   * The committed ones, once flushed here and now (shutdown, or the flush off the thread failed): if the
   * disk refuses this too, their callers get the error (a 503: the provider sends them again).
   */
  function flushedNow(outcomes: Outcome[]): Outcome[] {
    try {
      sync!.now();
      return outcomes;
    } catch (error) {
      return outcomes.map((o) => (o.ok ? { ok: false as const, error } : o));
    }
  }

  /** Everything queued now, batch after batch (shutdown). */
  function flush() {
    scheduled = false;
    while (queue.length > 0) if (!commitOne(true)) break;
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
    if (scheduled || waiting || flushing.size > 0) return;
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
    close: async () => {
      flush();
      await Promise.all([...flushing]);
    },
    where: () => 'inline',
  };
}
