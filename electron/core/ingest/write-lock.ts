// The one write lock of the database file, shared by the receiver's thread and the derive worker
// (derive-worker.ts) through shared memory instead of SQLite's busy handler. better-sqlite3 is
// synchronous: a write that finds SQLite's lock taken sleeps in the busy handler, and on the receiver's
// thread that sleep stalls every request. Here the receiver's thread never sleeps for it: the writer
// tries the lock and, when the worker holds it, keeps gathering requests and commits them when the lock
// comes back (Atomics.waitAsync), as one larger group commit. The worker blocks (it has nothing else to do)
// and, when the main thread has asked for the lock, lets it go first after each of its short transactions.
// docs/architecture.md "One webhook, from socket to screen", step 5.

/** Slots of the shared Int32Array. */
const LOCK = 0; // 0 free, 1 held by the main thread, 2 held by the worker
const WANT = 1; // 1: the main thread is waiting for the lock
/** The worker's derive watermark (kv derived_through), published after each derive transaction. */
export const DERIVED = 2;
/** The first request committed whose flush is not done (0: none): the worker derives only below it. */
export const UNFLUSHED = 3;
/**
 * A split store (store/log-file.ts) has a second file and a second lock: LOCK/WANT guard the read model
 * (the worker's derive transactions, the receiver thread's effects), LOG_LOCK/LOG_WANT the request log
 * (the receiver's append, the worker's packing). The append and the derive transaction then never wait
 * for each other. A single-file store uses LOCK/WANT for everything, as before.
 */
const LOG_LOCK = 4;
const LOG_WANT = 5;
/** 1 once the worker's thread is ending (its process 'exit'): a reader waiting for its watermark stops waiting. */
const GONE = 6;
export const SLOTS = 7;

/** Which pair of words a lock uses. */
export interface LockSlots { lock: number; want: number }
export const READ_MODEL_LOCK: LockSlots = { lock: LOCK, want: WANT };
export const LOG_FILE_LOCK: LockSlots = { lock: LOG_LOCK, want: LOG_WANT };

/** Atomics.waitAsync (Node 16+; in TypeScript's ES2024 library, newer than the one this project targets). */
type AtomicsWaitAsync = {
  waitAsync(a: Int32Array, i: number, v: number, timeout?: number): { async: false; value: string } | { async: true; value: Promise<string> };
};

const MAIN = 1;
const WORKER = 2;

export function sharedWords(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(SLOTS * Int32Array.BYTES_PER_ELEMENT));
}

/** The receiver thread's side of the lock. */
export interface MainLock {
  /** Takes the lock if it is free; never waits. */
  tryAcquire(): boolean;
  /** Waits (blocking) up to `timeoutMs` for the lock: shutdown and catch-up only, never the request path. */
  acquireSync(timeoutMs: number): boolean;
  release(): void;
  /** Resolves when the lock may be free (it may be taken again by then: try again). */
  whenFree(): Promise<void>;
}

export function mainLock(words: Int32Array, slots: LockSlots = READ_MODEL_LOCK): MainLock {
  const { lock: LOCK, want: WANT } = slots;
  const take = () => {
    if (Atomics.compareExchange(words, LOCK, 0, MAIN) !== 0) return false;
    Atomics.store(words, WANT, 0);
    Atomics.notify(words, WANT);
    return true;
  };
  return {
    tryAcquire() {
      if (take()) return true;
      Atomics.store(words, WANT, 1);
      return false;
    },
    acquireSync(timeoutMs) {
      const until = Date.now() + timeoutMs;
      Atomics.store(words, WANT, 1);
      while (!take()) {
        const left = until - Date.now();
        if (left <= 0) return false;
        Atomics.wait(words, LOCK, WORKER, Math.min(left, 50));
      }
      return true;
    },
    release() {
      Atomics.store(words, LOCK, 0);
      Atomics.notify(words, LOCK);
    },
    whenFree() {
      const r = (Atomics as unknown as AtomicsWaitAsync).waitAsync(words, LOCK, WORKER, 1000);
      return r.async ? r.value.then(() => undefined) : Promise.resolve();
    },
  };
}

/** The worker's side: runs `fn` holding the lock, then gives way to a waiting main thread. */
export function workerLock(words: Int32Array, slots: LockSlots = READ_MODEL_LOCK): <T>(fn: () => T) => T {
  const { lock: LOCK, want: WANT } = slots;
  return (fn) => {
    while (Atomics.compareExchange(words, LOCK, 0, WORKER) !== 0) Atomics.wait(words, LOCK, MAIN, 50);
    try {
      return fn();
    } finally {
      Atomics.store(words, LOCK, 0);
      Atomics.notify(words, LOCK);
      // The receiver's thread asked meanwhile: let its commit go first (bounded, in case it moved on).
      if (Atomics.load(words, WANT) === 1) Atomics.wait(words, WANT, 1, 5);
    }
  };
}

/** Publishes the derive watermark (worker) and wakes a main thread waiting for it. */
export function publishDerived(words: Int32Array, through: number): void {
  Atomics.store(words, DERIVED, through);
  Atomics.notify(words, DERIVED);
}

/** Blocks until the worker's watermark reaches `target` or `timeoutMs` passes; true when reached. */
export function waitDerived(words: Int32Array, target: number, timeoutMs: number): boolean {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const now = Atomics.load(words, DERIVED);
    if (now >= target) return true;
    if (workerGone(words)) return false;
    const left = until - Date.now();
    if (left <= 0) return false;
    Atomics.wait(words, DERIVED, now, Math.min(left, 50));
  }
}

/**
 * The worker's thread is ending (worker side, from its process 'exit'): a main thread blocked in
 * waitDerived wakes at once instead of waiting out its bound — its 'exit' event cannot be heard meanwhile.
 */
export function markWorkerGone(words: Int32Array): void {
  Atomics.store(words, GONE, 1);
  Atomics.notify(words, DERIVED);
}

export function workerGone(words: Int32Array): boolean {
  return Atomics.load(words, GONE) === 1;
}

/**
 * A worker that died inside workerLock never released it: each lock word it holds is freed (and waiters
 * woken), so the receiver's thread can take it from now on. Words held by the main thread are left alone.
 */
export function freeDeadWorker(words: Int32Array): void {
  for (const { lock } of [READ_MODEL_LOCK, LOG_FILE_LOCK]) {
    if (Atomics.compareExchange(words, lock, WORKER, 0) === WORKER) Atomics.notify(words, lock);
  }
}
