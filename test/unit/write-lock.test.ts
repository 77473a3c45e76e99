// The write lock shared with the derive worker (electron/core/ingest/write-lock.ts): while the worker holds
// it, the receiver's group commit waits without blocking the event loop — requests keep arriving and are
// committed together, and every caller is answered, once the worker lets go.
import { describe, expect, it } from 'vitest';
import { createWriter } from '../../electron/core/ingest/writer';
import { LOG_FILE_LOCK, mainLock, sharedWords, workerLock } from '../../electron/core/ingest/write-lock';
import type { IngestRecord, IngestRequest, Store } from '../../electron/core/store/store';

const rec = (tag: string): IngestRecord => ({ request: { path: tag } as IngestRecord['request'], events: [] });
const WORKER_HOLDS = 2; // write-lock.ts: slot 0 is the lock, 2 the worker

describe('write lock', () => {
  it('a commit waits for the worker without stalling the loop, then takes everything that arrived meanwhile', async () => {
    const calls: string[][] = [];
    const store = { appendRequests: (rs: IngestRequest[]) => { calls.push(rs.map((r) => r.path)); return rs.map((_, i) => i + 1); } } as unknown as Store;
    const words = sharedWords();
    Atomics.store(words, 0, WORKER_HOLDS);
    const w = createWriter(store, { lock: mainLock(words) });
    const first = [w.submit(rec('a')), w.submit(rec('b'))];
    // The loop keeps turning (a blocked loop would never run this), and nothing is committed meanwhile.
    let turned = 0;
    const turn = () => new Promise<void>((r) => setImmediate(() => { turned++; r(); }));
    await turn();
    await turn();
    expect(turned).toBe(2);
    expect(calls).toEqual([]);
    const later = w.submit(rec('c'));
    await turn();
    expect(calls).toEqual([]);
    // The worker lets go: one commit with all three, every caller answered, the lock free again.
    Atomics.store(words, 0, 0);
    Atomics.notify(words, 0);
    const results = await Promise.all([...first, later]);
    expect(calls).toEqual([['a', 'b', 'c']]);
    expect(results.map((r) => r.requestId)).toEqual([1, 2, 3]);
    expect(Atomics.load(words, 0)).toBe(0);
    // Twice: the lock taken again by the worker holds the next commit back the same way.
    Atomics.store(words, 0, WORKER_HOLDS);
    const next = w.submit(rec('d'));
    await turn();
    expect(calls).toHaveLength(1);
    Atomics.store(words, 0, 0);
    Atomics.notify(words, 0);
    await next;
    expect(calls).toEqual([['a', 'b', 'c'], ['d']]);
  });

  it('two files, two locks: the worker mid-transaction on the read model does not hold the append (the log\'s lock), and packing takes both', () => {
    const words = sharedWords();
    const append = mainLock(words, LOG_FILE_LOCK);
    const effects = mainLock(words);
    let inside: boolean[] = [];
    workerLock(words)(() => {
      // The derive transaction holds the read model's lock: the append's is free, the effects' is not.
      inside = [append.tryAcquire(), effects.tryAcquire()];
      append.release();
    });
    expect(inside).toEqual([true, false]);
    // Packing (the read model's lock, then the log's): the append waits for it.
    workerLock(words)(() => workerLock(words, LOG_FILE_LOCK)(() => { inside = [append.tryAcquire()]; }));
    expect(inside).toEqual([false]);
    expect(append.tryAcquire()).toBe(true);
    append.release();
  });
});
