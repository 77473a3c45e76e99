// The team mirror's ordering rules with a fake shared log (no database): a process's own rows are applied
// at once only when they continue exactly where the mirror stands; anything else is fetched in id order,
// so a row another process committed in between is never skipped; a fetched page carries the own rows it
// settles and no more; NOTIFY payloads are read strictly. And the database URL never leaks.
import { describe, expect, it, vi } from 'vitest';
import { createMirror, mergePage, type Held } from '../../electron/core/team/mirror';
import { parseRange } from '../../electron/core/team/pg-listen';
import type { SharedRequest } from '../../electron/core/team/pg-log';
import { describeTarget, isPostgresUrl, makeRedactor, redactUrl } from '../../electron/core/team/database-url';
import type { IngestRequest } from '../../electron/core/store/store';
import { silentLogger } from '../../electron/core/types';

function row(id: number): SharedRequest {
  return {
    id, receivedAt: id, method: 'POST', path: '/meta', query: '', headers: [], body: Buffer.from(`b${id}`), provider: 'meta',
    responseStatus: 200, signature: 'unchecked', signatureDiagnosis: null, error: null, origin: 'network',
  };
}
const strip = ({ id: _id, ...r }: SharedRequest): IngestRequest => r;

function setup(shared: SharedRequest[]) {
  const applied: number[] = [];
  let through = 0;
  let fetches = 0;
  const mirror = createMirror({
    logger: silentLogger, pollMs: 60_000,
    log: {
      async page(afterId, limit) { fetches++; return { rows: shared.filter((r) => r.id > afterId).slice(0, limit), horizon: Infinity }; },
      listen: () => async () => undefined,
    },
    sink: { mirrored: () => through, apply(rows, t) { applied.push(...rows.map((r) => r.id)); through = t; } },
  });
  return { mirror, applied, fetches: () => fetches };
}

describe('team mirror', () => {
  it('applies its own freshly committed rows at once when they follow what it has (no round trip)', async () => {
    const { mirror, applied, fetches } = setup([]);
    mirror.offer([row(1), row(2)].map(strip), [1, 2], 0);
    expect(applied).toEqual([1, 2]);
    expect(fetches()).toBe(0);
    await mirror.stop();
  });

  it('a gap before its own rows (another process committed in between): fetches in id order, skips nothing', async () => {
    const shared = [row(1), row(2), row(3), row(4)];
    const { mirror, applied } = setup(shared);
    mirror.offer([row(1)].map(strip), [1], 0);
    // Ids 2 and 3 were another process's; 4 is ours.
    mirror.offer([row(4)].map(strip), [4], 0);
    expect(applied).toEqual([1]);
    await mirror.catchUp();
    expect(applied).toEqual([1, 2, 3, 4]);
    // Offered again (late): nothing applied twice.
    mirror.offer([row(4)].map(strip), [4], 0);
    expect(applied).toEqual([1, 2, 3, 4]);
    await mirror.stop();
  });

  it('pages through a long backlog in order', async () => {
    const shared = Array.from({ length: 1234 }, (_, i) => row(i + 1));
    const { mirror, applied } = setup(shared);
    await mirror.catchUp();
    expect(applied).toEqual(shared.map((r) => r.id));
    await mirror.stop();
  });
});

describe('team mirror with several receivers: each reads only the others\' rows', () => {
  function setupShared(shared: SharedRequest[]) {
    const applied: number[] = [];
    const fetched: number[] = [];
    let through = 0;
    let notify: ((last: number, first: number) => void) | null = null;
    const mirror = createMirror({
      logger: silentLogger, pollMs: 60_000,
      log: {
        async page(afterId, limit, skip = []) {
          const rows = shared.filter((r) => r.id > afterId && !skip.includes(r.id)).slice(0, limit);
          fetched.push(...rows.map((r) => r.id));
          return { rows, horizon: Infinity };
        },
        listen: (onNotify) => { notify = onNotify; return async () => undefined; },
      },
      sink: { mirrored: () => through, apply(rows, t) { applied.push(...rows.map((r) => r.id)); through = t; } },
    });
    return { mirror, applied, fetched, notify: (last: number, first: number) => notify?.(last, first) };
  }

  it('interleaved appends: its own rows are never fetched back, every id is applied once, in order', async () => {
    // Ids 1-3 and 7-9 are this process's; 4-6 and 10-12 another's.
    const shared = Array.from({ length: 12 }, (_, i) => row(i + 1));
    const { mirror, applied, fetched } = setupShared(shared);
    mirror.offer([1, 2, 3].map((id) => strip(row(id))), [1, 2, 3], 0);
    mirror.offer([7, 8, 9].map((id) => strip(row(id))), [7, 8, 9], 0);
    expect(applied).toEqual([1, 2, 3]);
    await mirror.catchUp();
    expect(applied).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(fetched).toEqual([4, 5, 6, 10, 11, 12]);
    await mirror.stop();
  });

  it('pages of others\' rows stop at the page: own rows after the page wait for the next one', async () => {
    const shared = Array.from({ length: 30 }, (_, i) => row(i + 1));
    const applied: number[] = [];
    const fetched: number[] = [];
    let through = 0;
    const mirror = createMirror({
      logger: silentLogger, pollMs: 60_000, pageSize: 4,
      log: {
        async page(afterId, limit, skip = []) {
          const rows = shared.filter((r) => r.id > afterId && !skip.includes(r.id)).slice(0, limit);
          fetched.push(...rows.map((r) => r.id));
          return { rows, horizon: Infinity };
        },
        listen: () => async () => undefined,
      },
      sink: { mirrored: () => through, apply(rows, t) { applied.push(...rows.map((r) => r.id)); through = t; } },
    });
    // Own: 10 and 30; everything else is another process's.
    mirror.offer([strip(row(10))], [10], 0);
    mirror.offer([strip(row(30))], [30], 0);
    await mirror.catchUp();
    expect(applied).toEqual(shared.map((r) => r.id));
    expect(fetched.filter((id) => id === 10 || id === 30)).toEqual([]);
    await mirror.stop();
  });

  it('a NOTIFY of another process\'s range is fetched at once (long before the poll), and only that range', async () => {
    const shared = Array.from({ length: 6 }, (_, i) => row(i + 1));
    const { mirror, applied, fetched, notify } = setupShared(shared);
    mirror.start();
    await expect.poll(() => applied.length).toBe(6);
    fetched.length = 0;
    shared.push(row(7), row(8));
    notify(8, 7);
    await expect.poll(() => applied.slice(-2)).toEqual([7, 8]);
    expect(fetched).toEqual([7, 8]);
    await mirror.stop();
  });
});

describe('team mirror under a stream of NOTIFYs', () => {
  it('a quiet mirror fetches soon after a NOTIFY; while others keep appending, the ranges of the appends in between go in one fetch', async () => {
    vi.useFakeTimers();
    try {
      const shared: SharedRequest[] = [];
      const fetches: number[][] = [];
      let through = 0;
      let notify: ((last: number, first: number) => void) | null = null;
      const mirror = createMirror({
        logger: silentLogger, pollMs: 60_000, fetchEveryMs: 50,
        log: {
          async page(afterId, limit) { const rows = shared.filter((r) => r.id > afterId).slice(0, limit); fetches.push(rows.map((r) => r.id)); return { rows, horizon: Infinity }; },
          listen: (onNotify) => { notify = onNotify; return async () => undefined; },
        },
        sink: { mirrored: () => through, apply(_rows, t) { through = t; } },
      });
      mirror.start();
      await vi.advanceTimersByTimeAsync(1);
      fetches.length = 0;
      const append = (id: number) => { shared.push(row(id)); notify!(id, id); };
      append(1);
      await vi.advanceTimersByTimeAsync(10);
      expect(fetches).toEqual([[1]]);
      // Three more appends within the next 50 ms: fetched together, once.
      for (const id of [2, 3, 4]) { append(id); await vi.advanceTimersByTimeAsync(10); }
      expect(fetches).toEqual([[1]]);
      await vi.advanceTimersByTimeAsync(50);
      expect(fetches).toEqual([[1], [2, 3, 4]]);
      expect(through).toBe(4);
      await mirror.stop();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('one fetched page (mergePage)', () => {
  const held = (...ids: number[]): Held[] => ids.map((id) => [id, strip(row(id)), id]);

  it('a complete page (fewer rows than asked): every own row held is applied with it, in id order', () => {
    const page = mergePage([row(3), row(5)], held(4, 7), 2, 10, 100);
    expect(page.complete).toBe(true);
    expect(page.rows.map((r) => r.id)).toEqual([3, 4, 5, 7]);
    expect(page.rows.find((r) => r.id === 4)?.body?.toString()).toBe('b4');
  });

  it('a full page: own rows past its last id wait for the next page (another process\'s rows may sit before them)', () => {
    const page = mergePage([row(3), row(5)], held(4, 7), 2, 2, 100);
    expect(page.complete).toBe(false);
    expect(page.rows.map((r) => r.id)).toEqual([3, 4, 5]);
  });

  it('an own row whose append is not older than the horizon waits, complete page or not (an older append is still committing)', () => {
    // Own rows 4 (transaction 4) and 7 (transaction 7); the oldest transaction still running is 5.
    const page = mergePage([row(3)], held(4, 7), 2, 10, 5);
    expect(page.rows.map((r) => r.id)).toEqual([3, 4]);
  });

  it('nothing fetched and nothing held: nothing to apply, caught up', () => {
    expect(mergePage([], [], 9, 10, 100)).toEqual({ rows: [], complete: true });
  });
});

describe('NOTIFY payloads (parseRange)', () => {
  it('reads the committed range, and the single highest id older appenders send', () => {
    expect(parseRange('7-9')).toEqual({ first: 7, last: 9 });
    expect(parseRange('12')).toEqual({ first: 12, last: 12 });
  });
  it('ignores anything else: a range backwards, text, nothing', () => {
    for (const p of ['9-7', 'x', '1-2-3', '-1', '', undefined]) expect(parseRange(p)).toBeNull();
  });
});

describe('database URL', () => {
  const url = 'postgres://team:s%40cret-pw@db.internal:6543/hookscope?sslmode=require';
  it('says where it points without user or password', () => {
    expect(describeTarget(url)).toBe('db.internal:6543/hookscope');
    expect(describeTarget('postgres://u:p@host/db')).toBe('host:5432/db');
    expect(redactUrl(url)).not.toContain('cret-pw');
    expect(isPostgresUrl(url)).toBe(true);
    expect(isPostgresUrl('postgresql://h/db')).toBe(true);
    expect(isPostgresUrl('mysql://h/db')).toBe(false);
  });
  it('scrubs the URL and its password, encoded or not, out of any text', () => {
    const redact = makeRedactor(url);
    const text = `failed for ${url}: password s@cret-pw or s%40cret-pw rejected`;
    const out = redact(text);
    expect(out).not.toContain('cret-pw');
    expect(out).toContain('db.internal:6543');
  });
});
