// The team appender's group commit with two appends on their way (a fake shared log, no database): each
// caller hears only after the append holding its own request committed — never because a later batch
// did — and the next batch leaves while the previous one is still committing.
import { describe, expect, it } from 'vitest';
import { createPgAppender } from '../../electron/core/team/pg-writer';
import type { IngestRequest } from '../../electron/core/store/store';

function req(n: number): IngestRequest {
  return {
    receivedAt: n, method: 'POST', path: '/meta', query: '', headers: [], body: Buffer.from(`b${n}`), provider: 'meta',
    responseStatus: 200, signature: 'unchecked', signatureDiagnosis: null, error: null, origin: 'network',
  };
}

function fakeLog() {
  const calls: { rows: IngestRequest[]; commit(ids: number[]): void; fail(e: Error): void }[] = [];
  return {
    calls,
    log: {
      appendBatch: (rows: IngestRequest[]) => new Promise<number[]>((resolve, reject) => { calls.push({ rows, commit: resolve, fail: reject }); }).then((ids) => ({ ids, xact: ids[0] })),
    },
  };
}

describe('team appender, two appends on their way', () => {
  it('the next batch leaves while one commits; each caller resolves only with its own batch', async () => {
    const { log, calls } = fakeLog();
    const committed: number[][] = [];
    const a = createPgAppender({ log, onCommitted: (_rows, ids) => committed.push(ids) });
    const heard: number[] = [];
    const r1 = a.submit(req(1)).then((id) => heard.push(id));
    await expect.poll(() => calls.length).toBe(1);
    const r2 = a.submit(req(2)).then((id) => heard.push(id));
    const r3 = a.submit(req(3)).then((id) => heard.push(id));
    // The second batch is sent before the first has committed.
    await expect.poll(() => calls.length).toBe(2);
    expect(calls[1].rows.map((r) => r.receivedAt)).toEqual([2, 3]);
    const r4 = a.submit(req(4)).then((id) => heard.push(id));
    expect(a.pending()).toBe(4);
    // The second commits first (in PostgreSQL it would have waited for the lock; here nothing forbids it):
    // its callers hear, the first batch's caller does not.
    calls[1].commit([11, 12]);
    await Promise.all([r2, r3]);
    expect(heard).toEqual([11, 12]);
    // Its slot is free again: the queued request leaves while the first batch is still on its way.
    await expect.poll(() => calls.length).toBe(3);
    expect(calls[2].rows.map((r) => r.receivedAt)).toEqual([4]);
    calls[0].commit([10]);
    await r1;
    calls[2].commit([13]);
    await r4;
    expect(heard).toEqual([11, 12, 10, 13]);
    expect(committed).toEqual([[11, 12], [10], [13]]);
    expect(a.pending()).toBe(0);
    await a.drain();
  });

  it('a failed append fails only its own callers (each retried alone), not the batch beside it', async () => {
    const { log, calls } = fakeLog();
    const a = createPgAppender({ log });
    const bad = a.submit(req(1));
    const good = a.submit(req(2));
    await expect.poll(() => calls.length).toBe(1);
    expect(calls[0].rows).toHaveLength(2);
    const beside = a.submit(req(3));
    await expect.poll(() => calls.length).toBe(2);
    calls[0].fail(new Error('value too long'));
    // Each of the failed batch's requests is tried alone: one fails again, the other commits.
    await expect.poll(() => calls.length).toBe(3);
    calls[2].fail(new Error('value too long'));
    await expect(bad).rejects.toThrow('value too long');
    await expect.poll(() => calls.length).toBe(4);
    calls[3].commit([5]);
    await expect(good).resolves.toBe(5);
    calls[1].commit([4]);
    await expect(beside).resolves.toBe(4);
  });

  it('drain waits for every append on its way', async () => {
    const { log, calls } = fakeLog();
    const a = createPgAppender({ log });
    void a.submit(req(1));
    await expect.poll(() => calls.length).toBe(1);
    void a.submit(req(2));
    await expect.poll(() => calls.length).toBe(2);
    let drained = false;
    const d = a.drain().then(() => { drained = true; });
    calls[0].commit([1]);
    await expect.poll(() => a.pending()).toBe(1);
    expect(drained).toBe(false);
    calls[1].commit([2]);
    await d;
    expect(drained).toBe(true);
  });
});
