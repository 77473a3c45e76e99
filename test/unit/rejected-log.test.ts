// The rejected log (electron/core/store/rejected-log.ts, docs/api.md "Trust boundary") on a real SQLite
// file: what a stranger's refused requests may cost (bytes on disk, memory in the queue), what the user
// sees of them (the list, one row, the counters), and that writing them never weakens the durability of
// accepted webhooks. A slip lets junk fill the disk, hides what was dropped, or loses the user's data.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store } from '../../electron/core/store/store';
import { eventDeriver } from '../../electron/core/ingest/derive-events';
import { rejectedRowBytes } from '../../electron/core/store/schema';
import { createRejectedLog, type RejectedLog, type RejectedRow } from '../../electron/core/store/rejected-log';
import type { Logger } from '../../electron/core/types';

const opened: { store: Store; dir: string }[] = [];
afterEach(() => {
  for (const { store, dir } of opened.splice(0)) {
    try { store.close(); } catch { /* closed by the test */ }
    rmSync(dir, { recursive: true, force: true });
  }
});

function openDb(): Store {
  const dir = mkdtempSync(join(tmpdir(), 'hookscope-rejected-'));
  const store = openStore({ dataDir: dir, deriver: eventDeriver });
  opened.push({ store, dir });
  return store;
}

const warnings: string[] = [];
const warnContexts: unknown[] = [];
const logger: Logger = { debug() {}, info() {}, warn: (m, ctx) => { warnings.push(m); warnContexts.push(ctx); }, error() {} };

function makeLog(store: Store, cap: { bytes: number } = { bytes: 10 * 1024 * 1024 }): RejectedLog {
  return createRejectedLog({ db: store.db, capBytes: () => cap.bytes, clock: () => 0, logger });
}

function row(tag: string, over: Partial<RejectedRow> = {}): RejectedRow {
  const body = Buffer.from(`{"tag":"${tag}"}`);
  return {
    receivedAt: 1_000, method: 'POST', path: `/webhooks/meta/${tag}`, query: '', headers: [['content-type', 'application/json']],
    body, bodySize: body.length, bodySha256: 'ab'.repeat(32), provider: 'meta', httpStatus: 401, signature: 'invalid',
    diagnosis: 'the signature does not match', source: '203.0.113.7', origin: 'network', ...over,
  };
}

const cost = (r: RejectedRow) => rejectedRowBytes({ body: r.body, headers: JSON.stringify(r.headers), path: r.path, query: r.query, diagnosis: r.diagnosis });

describe('what the user sees of a refused request', () => {
  it('a row is listed newest first with what was refused, by whom and why, and counted', async () => {
    const log = makeLog(openDb());
    const a = await log.add(row('a', { receivedAt: 1_000 }));
    const b = await log.add(row('b', { receivedAt: 2_000, provider: null, httpStatus: 404, signature: 'missing', diagnosis: null, source: null, method: 'GET' }));
    expect(a).toEqual(expect.any(Number));
    expect(b).toBeGreaterThan(a!);
    const page = log.list({});
    expect(page.items).toEqual([
      { id: b, receivedAt: 2_000, method: 'GET', path: '/webhooks/meta/b', provider: null, httpStatus: 404, signature: 'missing', diagnosis: null, source: null, bytes: row('b').bodySize },
      { id: a, receivedAt: 1_000, method: 'POST', path: '/webhooks/meta/a', provider: 'meta', httpStatus: 401, signature: 'invalid', diagnosis: 'the signature does not match', source: '203.0.113.7', bytes: row('a').bodySize },
    ]);
    expect(page.total).toBe(2);
    expect(log.total()).toBe(2);
    expect(page.dropped).toBe(0);
    expect(page.notStored).toBe(0);
  });

  it('pages go back from `before`; the limit is at least 1 and at most 1000', async () => {
    const log = makeLog(openDb());
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) ids.push((await log.add(row(`r${i}`)))!);
    expect(log.list({ limit: 2 }).items.map((x) => x.id)).toEqual([ids[4], ids[3]]);
    expect(log.list({ limit: 2, before: ids[3] }).items.map((x) => x.id)).toEqual([ids[2], ids[1]]);
    expect(log.list({ limit: 0 }).items.map((x) => x.id)).toEqual([ids[4]]);
    expect(log.list({ limit: -5 }).items).toHaveLength(1);
    expect(log.list({}).items).toHaveLength(5);
  });

  it('at most 1000 rows in one page, whatever is asked', async () => {
    const store = openDb();
    const log = makeLog(store);
    await Promise.all(Array.from({ length: 1005 }, (_, i) => log.add(row(`m${i}`, { body: null, bodySize: 0 }))));
    expect(log.list({ limit: 5000 }).items).toHaveLength(1000);
    expect(log.list({ limit: 1000 }).items).toHaveLength(1000);
    expect(log.list({}).items).toHaveLength(100);
  });

  it('one row in full: headers, the body as text, and whether the whole body was kept', async () => {
    const log = makeLog(openDb());
    const r = row('full', { query: 'a=1', headers: [['x-hub-signature-256', 'sha256=00'], ['content-type', 'application/json']] });
    const id = (await log.add(r))!;
    const got = log.get(id)!;
    expect(got).toMatchObject({
      id, path: r.path, query: 'a=1', headers: r.headers, body: r.body!.toString('utf8'), bodyIsText: true,
      bodyComplete: true, bodySha256: r.bodySha256, signature: 'invalid', bytes: r.bodySize,
    });
    expect(Buffer.compare(got.bodyBytes, r.body!)).toBe(0);
    expect(log.get(id + 100)).toBeNull();
  });

  it('a cut body is marked incomplete; bytes that are not UTF-8 come back as base64, not mangled text', async () => {
    const log = makeLog(openDb());
    const cut = (await log.add(row('cut', { body: Buffer.from('{"a":'), bodySize: 70_000 })))!;
    expect(log.get(cut)).toMatchObject({ body: '{"a":', bodyIsText: true, bodyComplete: false });
    const bin = Buffer.from([0xff, 0xfe, 0x00, 0x41]);
    const binId = (await log.add(row('bin', { body: bin, bodySize: bin.length })))!;
    expect(log.get(binId)).toMatchObject({ body: bin.toString('base64'), bodyIsText: false, bodyComplete: true });
    const none = (await log.add(row('none', { body: null, bodySize: 0 })))!;
    expect(log.get(none)).toMatchObject({ body: '', bodyIsText: true, bodyComplete: true });
  });
});

describe('bounded in bytes', () => {
  it('the oldest rows go until the log is under its cap, and each one dropped is counted — twice over', async () => {
    const store = openDb();
    const one = cost(row('x0'));
    const cap = { bytes: one * 3 };
    const log = makeLog(store, cap);
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) ids.push((await log.add(row(`x${i}`)))!);
    // Exactly three rows fit: the two oldest went, nothing more.
    expect(log.list({}).items.map((x) => x.id)).toEqual([ids[4], ids[3], ids[2]]);
    expect(log.list({}).dropped).toBe(2);
    ids.push((await log.add(row('x5')))!);
    expect(log.list({}).items.map((x) => x.id)).toEqual([ids[5], ids[4], ids[3]]);
    expect(log.list({}).dropped).toBe(3);
  });

  it('a row larger than the cap leaves nothing behind, and the log is not left thinking it is full', async () => {
    const store = openDb();
    const cap = { bytes: 10 };
    const log = makeLog(store, cap);
    expect(await log.add(row('big'))).toEqual(expect.any(Number));
    expect(log.total()).toBe(0);
    cap.bytes = cost(row('y0')) * 2;
    await log.add(row('y0'));
    await log.add(row('y1'));
    expect(log.total()).toBe(2);
  });

  it('a lower cap takes effect on trim(); rows removed by hand free their bytes', async () => {
    const store = openDb();
    const one = cost(row('z0'));
    const cap = { bytes: one * 4 };
    const log = makeLog(store, cap);
    const ids: number[] = [];
    for (let i = 0; i < 4; i++) ids.push((await log.add(row(`z${i}`)))!);
    cap.bytes = one * 2;
    expect(log.total()).toBe(4); // nothing happens until asked
    log.trim();
    expect(log.list({}).items.map((x) => x.id)).toEqual([ids[3], ids[2]]);
    expect(log.list({}).dropped).toBe(2);
    log.remove([ids[3]]);
    log.remove([]);
    expect(log.total()).toBe(1);
    // The removed row's bytes were given back: one more fits without dropping the older one.
    const next = (await log.add(row('z4')))!;
    expect(log.list({}).items.map((x) => x.id)).toEqual([next, ids[2]]);
    expect(log.list({}).dropped).toBe(2);
  });

  it('a log opened on an existing file knows the bytes already there', async () => {
    const store = openDb();
    const one = cost(row('w0'));
    const first = makeLog(store, { bytes: one * 10 });
    for (let i = 0; i < 3; i++) await first.add(row(`w${i}`));
    const again = makeLog(store, { bytes: one * 3 });
    await again.add(row('w3'));
    expect(again.total()).toBe(3);
    expect(again.list({}).dropped).toBe(1);
  });
});

describe('bounded in memory, and counted when not stored', () => {
  it('beyond the queue\'s bytes a row is answered null and counted as not stored, then the queue takes rows again', async () => {
    const store = openDb();
    const log = makeLog(store, { bytes: 64 * 1024 * 1024 });
    const big = (i: number) => row(`big${i}`, { body: Buffer.alloc(1024 * 1024, 0x61), bodySize: 1024 * 1024 });
    // Ten 1 MiB rows in one turn: the 8 MiB queue takes seven.
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => log.add(big(i))));
    expect(results.filter((r) => r === null)).toHaveLength(3);
    expect(results.slice(0, 7).every((r) => typeof r === 'number')).toBe(true);
    expect(log.total()).toBe(7);
    expect(log.list({}).notStored).toBe(3);
    // The queue drained: the next row is stored.
    expect(await log.add(row('after'))).toEqual(expect.any(Number));
    // The count was written with that batch: another log on the same file reads it.
    expect(makeLog(store).list({}).notStored).toBe(3);
  });

  it('rate-limited requests are counted at once in memory and on disk after flush(), not lost', () => {
    const store = openDb();
    const log = makeLog(store);
    log.countNotStored();
    log.countNotStored(4);
    expect(log.list({}).notStored).toBe(5);
    expect(makeLog(store).list({}).notStored).toBe(0);
    log.flush();
    expect(makeLog(store).list({}).notStored).toBe(5);
    expect(log.list({}).notStored).toBe(5);
    log.countNotStored(2);
    log.flush();
    expect(makeLog(store).list({}).notStored).toBe(7);
  });

  it('flush() writes every queued row now', () => {
    const store = openDb();
    const log = makeLog(store);
    const big = (i: number) => row(`f${i}`, { body: Buffer.alloc(700 * 1024, 0x62), bodySize: 700 * 1024 });
    for (let i = 0; i < 3; i++) void log.add(big(i));
    expect(log.total()).toBe(0);
    log.flush();
    expect(log.total()).toBe(3);
  });
});

describe('re-verification and durability', () => {
  it('candidates are the rows with a provider and their whole body, oldest first', async () => {
    const log = makeLog(openDb());
    const a = (await log.add(row('c1')))!;
    await log.add(row('c2', { provider: null }));
    await log.add(row('c3', { body: Buffer.from('{"a"'), bodySize: 99 }));
    await log.add(row('c4', { body: null, bodySize: 0 }));
    const e = (await log.add(row('c5', { provider: 'twilio', headers: [['x-twilio-signature', 'abc=']] })))!;
    const got = [...log.candidates()];
    expect(got.map((c) => c.id)).toEqual([a, e]);
    expect(got[1]).toEqual({ ...row('c5', { provider: 'twilio', headers: [['x-twilio-signature', 'abc=']] }), id: e });
  });

  it('writing a rejected row leaves the connection at synchronous=FULL for accepted webhooks', async () => {
    const store = openDb();
    const log = makeLog(store);
    await log.add(row('s'));
    expect(store.db.pragma('synchronous', { simple: true })).toBe(2);
  });

  it('on a split store the rejected rows are written at synchronous=NORMAL in the log file that holds them, then FULL again', async () => {
    const store = openDb();
    expect(store.split).toBe(true);
    // What the file holding `rejected` is set to while its rows are written (a trigger sees it at the insert).
    store.db.exec(`CREATE TEMP TABLE sync_seen (s INTEGER);
      CREATE TEMP TRIGGER sync_probe AFTER INSERT ON log.rejected BEGIN
        INSERT INTO sync_seen SELECT synchronous FROM pragma_synchronous('log'); END;`);
    const log = makeLog(store);
    await log.add(row('n1'));
    await log.add(row('n2'));
    expect(store.db.prepare('SELECT s FROM sync_seen').pluck().all()).toEqual([1, 1]);
    expect(store.db.pragma('log.synchronous', { simple: true })).toBe(2);
    expect(store.db.pragma('main.synchronous', { simple: true })).toBe(2);
  });

  it('a write that fails answers null for each row of its batch and says so in the log, and the log goes on', async () => {
    const store = openDb();
    let fail = true;
    const log = createRejectedLog({ db: store.db, capBytes: () => { if (fail) throw new Error('disk I/O error'); return 1e9; }, clock: () => 0, logger });
    warnings.length = 0;
    warnContexts.length = 0;
    expect(await Promise.all([log.add(row('e1')), log.add(row('e2'))])).toEqual([null, null]);
    expect(warnings).toEqual(['rejected log write failed']);
    expect(warnContexts).toEqual([{ err: 'Error: disk I/O error' }]);
    expect(log.total()).toBe(0);
    expect(store.db.pragma('synchronous', { simple: true })).toBe(2);
    fail = false;
    expect(await log.add(row('e3'))).toEqual(expect.any(Number));
    expect(log.total()).toBe(1);
  });
});

describe('batches, the queue\'s exact bound, and counters written only when they change', () => {
  /** A row whose cost is exactly `bytes`. */
  const sized = (tag: string, bytes: number) => {
    const empty = row(tag, { body: Buffer.alloc(0), bodySize: 0 });
    const n = bytes - cost(empty);
    return row(tag, { body: Buffer.alloc(n, 0x63), bodySize: n });
  };

  it('one batch of at most 1 MiB per turn: a second row that would pass it waits for the next turn', async () => {
    const log = makeLog(openDb(), { bytes: 64 * 1024 * 1024 });
    const half = 512 * 1024;
    const first = log.add(sized('h1', half));
    void log.add(sized('h2', half)); // exactly 1 MiB with the first: same batch
    void log.add(row('h3')); // any more: the next turn
    await first;
    expect(log.total()).toBe(2);
    log.flush();
    expect(log.total()).toBe(3);
  });

  it('the queue holds exactly 8 MiB: the row that fills it is taken, the next one is not', async () => {
    const log = makeLog(openDb(), { bytes: 64 * 1024 * 1024 });
    const mib = 1024 * 1024;
    const results = await Promise.all(Array.from({ length: 9 }, (_, i) => log.add(sized(`q${i}`, mib))));
    expect(results.slice(0, 8).every((r) => typeof r === 'number')).toBe(true);
    expect(results[8]).toBeNull();
  });

  it('rows removed behind its back (forget, a migration) do not leave it thinking it is full', async () => {
    const store = openDb();
    const one = cost(row('g0'));
    const cap = { bytes: one * 10 };
    const log = makeLog(store, cap);
    await log.add(row('g0'));
    await log.add(row('g1'));
    store.db.prepare('DELETE FROM rejected').run();
    cap.bytes = one;
    log.trim();
    const id = await log.add(row('g2'));
    expect(log.list({}).items.map((x) => x.id)).toEqual([id]);
  });

  it('no counter row is written while nothing was dropped or refused (a write per rejected request would cost the disk)', async () => {
    const store = openDb();
    const log = makeLog(store);
    await log.add(row('k1'));
    log.trim();
    log.flush();
    const keys = store.db.prepare("SELECT key FROM kv WHERE key LIKE 'rejected.%'").pluck().all();
    expect(keys).toEqual([]);
  });
});

describe('counts of requests not stored reach the disk by themselves', () => {
  afterEach(() => { vi.useRealTimers(); });

  it('within five seconds, without a flush or a stored row — and again for the next ones', () => {
    vi.useFakeTimers();
    const store = openDb();
    const log = makeLog(store);
    const onDisk = () => makeLog(store).list({}).notStored;
    log.countNotStored(3);
    expect(onDisk()).toBe(0);
    vi.advanceTimersByTime(5_000);
    expect(onDisk()).toBe(3);
    log.countNotStored(2);
    log.countNotStored();
    vi.advanceTimersByTime(5_000);
    expect(onDisk()).toBe(6);
    expect(log.list({}).notStored).toBe(6);
  });
});
