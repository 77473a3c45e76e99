// Forgetting a contact while derivation runs on a worker thread (HOOKSCOPE_DERIVE=worker) on a split
// store (electron/core/store/log-file.ts): SQLite commits the erase one file at a time, so a derive
// transaction that ran between the two commits could write the contact's events back. The erase holds the
// read model's lock the worker's transactions take (store/forget.ts holdReadModelWith, ingest/write-lock.ts).
// Here a stand-in worker thread holds that lock on its own connection to the real files and, as a derive
// transaction that read the contact's request before the erase would, writes one of its events back.
import { afterEach, describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type IngestRequest, type Store } from '../../electron/core/store/store';
import { forgetContact, holdReadModelWith } from '../../electron/core/store/forget';
import { eventDeriver } from '../../electron/core/ingest/derive-events';
import { mainLock, sharedWords } from '../../electron/core/ingest/write-lock';
import { ANA, BRUNO, metaMessage, realWamid, type Person } from '../helpers/people';

let store: Store | null = null;
let dir: string | null = null;
afterEach(() => {
  store?.close(); store = null;
  if (dir) rmSync(dir, { recursive: true, force: true }); dir = null;
});

function request(body: string): IngestRequest {
  const bytes = Buffer.from(body);
  return {
    receivedAt: 1_700_000_000_000, method: 'POST', path: '/meta', query: '', provider: 'meta',
    headers: [['content-type', 'application/json'], ['content-length', String(bytes.length)]],
    body: bytes, responseStatus: 200, signature: 'valid', signatureDiagnosis: null, error: null, origin: 'network',
  };
}

/**
 * The stand-in worker: takes the read model's lock word as derive-worker.ts does (slot 0, value 2), says
 * so, then — still holding it — waits until the request is gone from the log (the erase's second commit)
 * or a second has passed, writes the event it read back (with its search row, as event-rows.ts does), marks `done` and lets the lock go.
 */
const STAND_IN = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.sqlite);
const { words, done, dir, requestId } = workerData;
const db = new Database(dir + '/hookscope.db');
db.pragma('busy_timeout = 10000');
db.prepare("ATTACH DATABASE ? AS log").run(dir + '/requests.db');
while (Atomics.compareExchange(words, 0, 0, 2) !== 0) Atomics.wait(words, 0, 1, 50);
const ev = db.prepare('SELECT * FROM events WHERE request_id = ?').get(requestId);
parentPort.postMessage('held');
const gone = () => db.prepare('SELECT COUNT(*) FROM log.requests WHERE id = ?').pluck().get(requestId) === 0;
const pause = new Int32Array(new SharedArrayBuffer(4));
for (let i = 0; i < 200 && !gone(); i++) Atomics.wait(pause, 0, 0, 5);
delete ev.id;
const cols = Object.keys(ev);
db.transaction(() => {
  const id = db.prepare('INSERT INTO events (' + cols.join(',') + ') VALUES (' + cols.map(() => '?').join(',') + ')').run(...cols.map((c) => ev[c])).lastInsertRowid;
  db.prepare('INSERT INTO events_fts (rowid, text, contact_name, contact_id, message_id) VALUES (?,?,?,?,?)').run(id, ev.text, ev.contact_name, ev.contact_id, ev.message_id);
})();
Atomics.store(done, 0, 1);
Atomics.store(words, 0, 0);
Atomics.notify(words, 0);
db.close();
`;

describe('forget on a split store with derivation on a worker', () => {
  it('waits for the worker\'s transaction, and none writes the contact\'s events back — twice', async () => {
    dir = mkdtempSync(join(tmpdir(), 'hookscope-forget-lock-'));
    store = openStore({ dataDir: dir, deriver: eventDeriver });
    expect(store.split).toBe(true);
    const words = sharedWords();
    holdReadModelWith(store.db, mainLock(words));
    const eventsOf = (p: Person) => store!.db.prepare('SELECT COUNT(*) FROM events WHERE contact_id = ?').pluck().get(p.number) as number;

    for (const [round, p] of [[1, ANA], [2, BRUNO]] as const) {
      const [requestId] = store.appendRequests([request(metaMessage(p, realWamid(p.number, round)))]);
      store.deriveNext(100);
      expect(eventsOf(p)).toBe(1);

      const done = new Int32Array(new SharedArrayBuffer(4));
      const worker = new Worker(STAND_IN, { eval: true, workerData: { sqlite: require.resolve('better-sqlite3'), words, done, dir, requestId } });
      const exited = new Promise((r) => worker.once('exit', r));
      await new Promise((r) => worker.once('message', r));

      const r = forgetContact(store.db, p.number);
      // The erase ran after the worker's transaction, never between its own two commits.
      expect(Atomics.load(done, 0)).toBe(1);
      expect(r.requests).toBe(1);
      await exited;
      expect(eventsOf(p)).toBe(0);
      expect(store.db.prepare('SELECT COUNT(*) FROM events WHERE request_id = ?').pluck().get(requestId)).toBe(0);
      expect(store.db.prepare('SELECT COUNT(*) FROM requests WHERE id = ?').pluck().get(requestId)).toBe(0);
    }
  }, 60_000);
});
