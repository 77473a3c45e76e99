// Group commit: one record that cannot be written must not fail the others committed with it.
import { describe, expect, it } from 'vitest';
import { createWriter } from '../../electron/core/ingest/writer';
import type { IngestRecord, IngestResult, Store } from '../../electron/core/store/store';

function rec(tag: string): IngestRecord {
  return { request: { path: tag } as IngestRecord['request'], events: [] };
}

describe('writer', () => {
  it('commits a burst in one transaction and resolves each caller after it', async () => {
    const calls: number[] = [];
    const store = { ingest: (rs: IngestRecord[]) => { calls.push(rs.length); return rs.map((_, i) => ({ requestId: i + 1, events: [] })); } } as unknown as Store;
    const w = createWriter(store);
    const results = await Promise.all([w.submit(rec('a')), w.submit(rec('b')), w.submit(rec('c'))]);
    expect(calls).toEqual([3]);
    expect(results.map((r) => r.requestId)).toEqual([1, 2, 3]);
  });

  it('isolates a poisoned record: its neighbours still commit, only it is rejected', async () => {
    let next = 1;
    const store = {
      ingest: (rs: IngestRecord[]): IngestResult[] => {
        if (rs.some((r) => r.request.path === 'bad')) throw new RangeError('Maximum call stack size exceeded');
        return rs.map(() => ({ requestId: next++, events: [] }));
      },
    } as unknown as Store;
    const w = createWriter(store);
    const out = await Promise.allSettled([w.submit(rec('a')), w.submit(rec('bad')), w.submit(rec('c'))]);
    expect(out.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });
});
