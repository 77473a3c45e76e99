// Group commit: one record that cannot be written must not fail the others committed with it.
import { describe, expect, it } from 'vitest';
import { createWriter } from '../../electron/core/ingest/writer';
import type { IngestRecord, IngestRequest, Store } from '../../electron/core/store/store';

function rec(tag: string): IngestRecord {
  return { request: { path: tag } as IngestRecord['request'], events: [] };
}

describe('writer', () => {
  it('commits a burst in one transaction and resolves each caller after it', async () => {
    const calls: number[] = [];
    const store = { appendRequests: (rs: IngestRequest[]) => { calls.push(rs.length); return rs.map((_, i) => i + 1); } } as unknown as Store;
    const w = createWriter(store);
    const results = await Promise.all([w.submit(rec('a')), w.submit(rec('b')), w.submit(rec('c'))]);
    expect(calls).toEqual([3]);
    expect(results.map((r) => r.requestId)).toEqual([1, 2, 3]);
  });

  it('isolates a poisoned record: its neighbours still commit, only it is rejected', async () => {
    let next = 1;
    const store = {
      appendRequests: (rs: IngestRequest[]): number[] => {
        if (rs.some((r) => r.path === 'bad')) throw new RangeError('Maximum call stack size exceeded');
        return rs.map(() => next++);
      },
    } as unknown as Store;
    const w = createWriter(store);
    const out = await Promise.allSettled([w.submit(rec('a')), w.submit(rec('bad')), w.submit(rec('c'))]);
    expect(out.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });

  it('tells onCommitted of each committed record, with its id, before its caller hears', async () => {
    let next = 10;
    const seen: string[] = [];
    const store = { appendRequests: (rs: IngestRequest[]) => { if (rs.some((r) => r.path === 'bad')) throw new Error('no'); return rs.map(() => next++); } } as unknown as Store;
    const w = createWriter(store, { onCommitted: (c) => { for (const x of c) seen.push(`${x.requestId}:${x.record.request.path}`); } });
    const a = w.submit(rec('a')).then((r) => { seen.push(`answered ${r.requestId}`); });
    const b = w.submit(rec('bad')).catch(() => { seen.push('refused bad'); });
    await Promise.all([a, b]);
    expect(seen).toEqual(['10:a', 'answered 10', 'refused bad']);
  });
});

describe('writer: the fsync off the thread (store/wal-sync.ts)', () => {
  /** A flush the test lets finish (or fail) when it wants. */
  function heldSync() {
    const pending: { resolve(): void; reject(e: unknown): void }[] = [];
    const sync = {
      barriers: 0,
      nows: 0,
      failNow: false,
      barrier() { sync.barriers++; return new Promise<void>((resolve, reject) => pending.push({ resolve, reject })); },
      now() { sync.nows++; if (sync.failNow) throw Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }); },
    };
    return { sync, pending };
  }
  const tick = () => new Promise((r) => setImmediate(r));
  /** A store that numbers the rows it is given from 1. */
  function numbering(): Store {
    let next = 1;
    return { appendRequests: (rs: IngestRequest[]) => rs.map(() => next++) } as unknown as Store;
  }

  it('answers a committed request only once the flush started after its commit is done', async () => {
    const { sync, pending } = heldSync();
    const defer: boolean[] = [];
    let next = 1;
    const store = { appendRequests: (rs: IngestRequest[], o?: { deferSync?: boolean }) => { defer.push(!!o?.deferSync); return rs.map(() => next++); } } as unknown as Store;
    const w = createWriter(store, { sync });
    let answered = false;
    const a = w.submit(rec('a')).then((r) => { answered = true; return r; });
    await tick();
    await tick();
    // Committed without its own fsync, and not answered while its flush is on its way.
    expect(defer).toEqual([true]);
    expect(sync.barriers).toBe(1);
    expect(answered).toBe(false);
    pending[0].resolve();
    expect((await a).requestId).toBe(1);
  });

  it('gathers what arrives during a flush into one commit after it, and keeps the answers in order', async () => {
    const { sync, pending } = heldSync();
    const sizes: number[] = [];
    let next = 1;
    const store = { appendRequests: (rs: IngestRequest[]) => { sizes.push(rs.length); return rs.map(() => next++); } } as unknown as Store;
    const w = createWriter(store, { sync });
    const order: number[] = [];
    const first = w.submit(rec('a')).then((r) => order.push(r.requestId));
    await tick();
    const later = ['b', 'c', 'd'].map((t) => w.submit(rec(t)).then((r) => order.push(r.requestId)));
    await tick();
    await tick();
    expect(sizes).toEqual([1]); // b, c, d wait for a's flush
    pending[0].resolve();
    await first;
    await expect.poll(() => sizes).toEqual([1, 3]);
    pending[1].resolve();
    await Promise.all(later);
    expect(order).toEqual([1, 2, 3, 4]);
  });

  it('when the flush off the thread fails, flushes in place; when that fails too, the callers get the error', async () => {
    const { sync, pending } = heldSync();
    const w = createWriter(numbering(), { sync });
    const a = w.submit(rec('a'));
    await tick();
    pending[0].reject(new Error('EBADF'));
    expect((await a).requestId).toBe(1);
    expect(sync.nows).toBe(1);
    sync.failNow = true;
    const b = w.submit(rec('b'));
    await expect.poll(() => pending.length).toBe(2);
    pending[1].reject(new Error('EIO'));
    await expect(b).rejects.toThrow(/EIO/);
  });

  it('close() flushes what is queued in place and waits for the commits still being flushed', async () => {
    const { sync, pending } = heldSync();
    const w = createWriter(numbering(), { sync });
    const a = w.submit(rec('a'));
    await tick();
    const b = w.submit(rec('b')); // queued behind a's flush
    let closed = false;
    const c = w.close().then(() => { closed = true; });
    expect((await b).requestId).toBe(2);
    expect(sync.nows).toBe(1);
    await tick();
    expect(closed).toBe(false);
    pending[0].resolve();
    await c;
    expect((await a).requestId).toBe(1);
  });
});
