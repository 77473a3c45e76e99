// A forget's marks on a split store (electron/core/store/forget.ts, log-file.ts): the plan that names the
// contact spans only the erase's two commits; after it, a mark without the number asks for the rewrite,
// and a start that finds only that mark rewrites the files without searching for the contact again.
// And the rewrite and retention's compact hold the read model's lock a derive worker takes, so the
// worker's transactions wait on the lock word, never in SQLite behind a VACUUM.
import { afterEach, describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openStore, type IngestRequest, type Store } from '../../electron/core/store/store';
import { eraseTraces, forgetContact, holdReadModelWith, FORGET_PENDING_KEY, REWRITE_PENDING_KEY } from '../../electron/core/store/forget';
import { createRetention } from '../../electron/core/store/retention';
import { eventDeriver } from '../../electron/core/ingest/derive-events';
import { mainLock, sharedWords } from '../../electron/core/ingest/write-lock';
import { ANA, BRUNO, metaMessage, realWamid, type Person } from '../helpers/people';

let store: Store | null = null;
let dir = '';
afterEach(() => {
  store?.close(); store = null;
  if (dir) rmSync(dir, { recursive: true, force: true }); dir = '';
});

function request(body: string): IngestRequest {
  const bytes = Buffer.from(body);
  return {
    receivedAt: 1_700_000_000_000, method: 'POST', path: '/meta', query: '', provider: 'meta',
    headers: [['content-type', 'application/json'], ['content-length', String(bytes.length)]],
    body: bytes, responseStatus: 200, signature: 'valid', signatureDiagnosis: null, error: null, origin: 'network',
  };
}
const eventsOf = (s: Store, p: Person) => s.db.prepare('SELECT COUNT(*) FROM events WHERE contact_id = ?').pluck().get(p.number) as number;
const kv = (s: Store, key: string) => s.db.prepare('SELECT value FROM kv WHERE key = ?').pluck().get(key) as string | undefined;
/** A message from `p`, acknowledged and derived. */
function receive(s: Store, p: Person, n: number): void {
  s.appendRequests([request(metaMessage(p, realWamid(p.number, n)))]);
  s.deriveNext(100);
}

describe('a forget\'s marks on a split store', () => {
  it('a kill -9 before the rewrite: the next start rewrites, and keeps what the contact sent after the forget — twice', () => {
    dir = mkdtempSync(join(tmpdir(), 'hookscope-forget-marks-'));
    store = openStore({ dataDir: dir, deriver: eventDeriver });
    expect(store.split).toBe(true);
    for (const [round, p] of [[1, ANA], [2, BRUNO]] as const) {
      receive(store, p, round * 10);
      forgetContact(store.db, p.number);
      expect(eventsOf(store, p)).toBe(0);
      // The plan (with the number) is gone once both files committed; the rewrite mark names no one.
      expect(kv(store, FORGET_PENDING_KEY)).toBeUndefined();
      expect(kv(store, REWRITE_PENDING_KEY)).toBe('1');
      receive(store, p, round * 10 + 1);
      expect(eventsOf(store, p)).toBe(1);
      // eraseTraces never ran (a kill -9 during its VACUUM): the next start rewrites the files.
      store.close();
      store = openStore({ dataDir: dir, deriver: eventDeriver });
      expect(eventsOf(store, p)).toBe(1);
      expect(kv(store, REWRITE_PENDING_KEY)).toBeUndefined();
      expect(store.db.pragma('main.freelist_count', { simple: true })).toBe(0);
    }
  });

  it('a reader holds the WAL through eraseTraces: the mark stays without the number, and the next start keeps a later message', async () => {
    dir = mkdtempSync(join(tmpdir(), 'hookscope-forget-marks-'));
    store = openStore({ dataDir: dir, deriver: eventDeriver });
    receive(store, ANA, 1);
    forgetContact(store.db, ANA.number);
    // A read (an export, the read worker) in progress through the rewrite.
    const reader = new Database(join(dir, 'hookscope.db'), { readonly: true });
    reader.prepare('BEGIN').run(); reader.prepare('SELECT COUNT(*) FROM events').get();
    store.db.pragma('busy_timeout = 0');
    const traces = await eraseTraces(store.db, { attempts: 2, wait: async () => {} });
    reader.prepare('COMMIT').run(); reader.close();
    expect(traces.walEmptied).toBe(false);
    expect(kv(store, REWRITE_PENDING_KEY)).toBe('1');
    store.db.pragma('wal_checkpoint(TRUNCATE)');
    // No file keeps the number: the mark left behind does not name her.
    expect(readdirSync(dir).filter((f) => readFileSync(join(dir, f)).includes(Buffer.from(ANA.number)))).toEqual([]);

    receive(store, ANA, 2);
    store.close();
    store = openStore({ dataDir: dir, deriver: eventDeriver });
    expect(eventsOf(store, ANA)).toBe(1);
    expect(kv(store, REWRITE_PENDING_KEY)).toBeUndefined();
  });

  it('a second connection (the derive worker\'s, an export\'s) leaves the marks to the first', () => {
    dir = mkdtempSync(join(tmpdir(), 'hookscope-forget-marks-'));
    store = openStore({ dataDir: dir, deriver: eventDeriver });
    receive(store, ANA, 1);
    forgetContact(store.db, ANA.number);
    const second = openStore({ dataDir: dir, deriver: eventDeriver, recover: false });
    try {
      expect(kv(second, REWRITE_PENDING_KEY)).toBe('1');
      expect(second.db.pragma('main.freelist_count', { simple: true })).toBeGreaterThan(0);
    } finally { second.close(); }
  });
});

/**
 * A stand-in derive worker: takes the read model's lock word as derive-worker.ts does (slot 0, value 2),
 * says so, waits (bounded) until the receiver's thread asks for the lock (slot 1), then runs a derive-like
 * write with no busy wait in SQLite (the worker waits on the lock word only), records whether it committed
 * (done[1]), marks done[0] and lets the lock go.
 */
const STAND_IN = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.sqlite);
const { words, done, dir } = workerData;
const db = new Database(dir + '/hookscope.db');
db.pragma('busy_timeout = 0');
while (Atomics.compareExchange(words, 0, 0, 2) !== 0) Atomics.wait(words, 0, 1, 50);
parentPort.postMessage('held');
const pause = new Int32Array(new SharedArrayBuffer(4));
for (let i = 0; i < 400 && Atomics.load(words, 1) === 0; i++) Atomics.wait(pause, 0, 0, 5);
try {
  db.transaction(() => { db.prepare("INSERT INTO kv (key, value) VALUES ('stand_in', '1') ON CONFLICT(key) DO UPDATE SET value = value + 1").run(); })();
  Atomics.store(done, 1, 1);
} catch { Atomics.store(done, 1, 2); }
Atomics.store(done, 0, 1);
Atomics.store(words, 0, 0);
Atomics.notify(words, 0);
db.close();
`;

describe('VACUUM with derivation on a worker', () => {
  async function whileWorkerHolds(words: Int32Array, vacuum: () => unknown): Promise<{ doneFirst: boolean; committed: boolean }> {
    const done = new Int32Array(new SharedArrayBuffer(8));
    const worker = new Worker(STAND_IN, { eval: true, workerData: { sqlite: require.resolve('better-sqlite3'), words, done, dir } });
    const exited = new Promise((r) => worker.once('exit', r));
    await new Promise((r) => worker.once('message', r));
    await vacuum();
    const doneFirst = Atomics.load(done, 0) === 1;
    await exited;
    return { doneFirst, committed: Atomics.load(done, 1) === 1 };
  }

  it('the rewrite after a forget and compact wait for the worker\'s transaction, which commits — twice', async () => {
    dir = mkdtempSync(join(tmpdir(), 'hookscope-forget-vacuum-'));
    store = openStore({ dataDir: dir, deriver: eventDeriver });
    const words = sharedWords();
    holdReadModelWith(store.db, mainLock(words));
    const s = store;
    const retention = createRetention({
      store: s, settings: { get: () => ({ retention: {} }) } as never,
      logger: { debug() {}, info() {}, warn() {}, error() {} }, clock: { now: () => Date.now() } as never,
    });
    for (const [round, p] of [[1, ANA], [2, BRUNO]] as const) {
      receive(s, p, round);
      forgetContact(s.db, p.number);
      // The VACUUM ran after the worker's transaction (it waited for the lock), which committed.
      expect(await whileWorkerHolds(words, () => eraseTraces(s.db))).toEqual({ doneFirst: true, committed: true });
      expect(await whileWorkerHolds(words, () => retention.compact({ force: true }))).toEqual({ doneFirst: true, committed: true });
    }
    expect(Number(kv(s, 'stand_in'))).toBe(4);
  }, 60_000);
});
