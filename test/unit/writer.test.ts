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
