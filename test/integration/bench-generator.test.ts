// The store bench (test/bench/store.mjs generateStore) writes its events straight into the store's tables
// for speed. Its timings only mean something if those rows are what the deriver writes for the same
// webhooks: the same event columns, the same field rows, the same search index (docs/benchmarks.md).
import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error -- the bench is plain JavaScript without declarations
import { generateStore } from '../bench/store.mjs';
// @ts-expect-error -- the bench is plain JavaScript without declarations
import { metaPayload, rng } from '../bench/lib.mjs';
import { openStore } from '../../electron/core/store/store';
import { eventDeriver } from '../../electron/core/ingest/derive-events';

const dirs: string[] = [];
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

const N = 400;
const EVENT_COLUMNS = `id, request_id, provider, kind, status, provider_status, message_id, contact_id, contact_name, business_id,
  message_type, text, reply_to, error_code, error_title, error_detail, ts, raw, details, raw_cols`;

function rowsOf(file: string) {
  const db = new Database(file, { readonly: true });
  const events = db.prepare(`SELECT ${EVENT_COLUMNS} FROM events ORDER BY id`).all();
  const fields = db.prepare('SELECT p.path, f.value, f.event_id FROM event_fields f JOIN field_paths p ON p.id = f.path_id ORDER BY f.event_id, p.path, f.value').all();
  // The search index, asked: which events each word of a few kinds finds (text, name, id prefix).
  const words = ['refund', 'order tomorrow', 'giulia', 'hiro', 'wamid.hbgm', 'invoice'];
  const found = Object.fromEntries(words.map((w) => [w, db.prepare('SELECT rowid FROM events_fts WHERE events_fts MATCH ? ORDER BY rowid').pluck()
    .all(w.split(' ').map((x) => `"${x}"*`).join(' '))]));
  // And the second index (codes, titles, business numbers, detail values such as the pricing category).
  const keys = ['131047', 'service', 'cbp', 're-engagement'];
  const keyed = Object.fromEntries(keys.map((w) => [w, db.prepare('SELECT rowid FROM events_keys WHERE events_keys MATCH ? ORDER BY rowid').pluck().all(`"${w}"`)]));
  db.close();
  return { events, fields, found, keyed };
}

describe('the store bench generator', () => {
  it('writes the rows the deriver writes for the same webhooks: events, field rows and search index', async () => {
    const generated = await generateStore({ events: N, log: () => {} });
    dirs.push(generated.dataDir);

    const dir = mkdtempSync(join(tmpdir(), 'hookscope-bench-check-'));
    dirs.push(dir);
    const store = openStore({ dataDir: dir, deriver: eventDeriver });
    const r = rng(1234); // the generator's seed
    const requests = Array.from({ length: N }, (_, i) => ({
      receivedAt: 1_700_000_000_000 + i, method: 'POST', path: '/meta', query: '', headers: [['content-type', 'application/json']] as [string, string][],
      body: Buffer.from(JSON.stringify(metaPayload(i, r))), provider: 'meta' as const, responseStatus: 200, signature: 'valid' as const,
      signatureDiagnosis: null, error: null, origin: 'network' as const,
    }));
    store.appendRequests(requests);
    let derived = 0;
    for (let n = store.deriveNext(100); n.length > 0; n = store.deriveNext(100)) derived += n.length;
    expect(derived).toBe(N);
    store.close();

    const want = rowsOf(join(dir, 'hookscope.db'));
    const got = rowsOf(generated.file);
    expect(want.events).toHaveLength(N);
    expect(got.events).toEqual(want.events);
    expect(got.fields).toEqual(want.fields);
    expect(got.found).toEqual(want.found);
    expect(got.keyed).toEqual(want.keyed);
    expect(Object.entries(want.keyed).filter(([, ids]) => (ids as number[]).length === 0).map(([w]) => w)).toEqual([]);
    // Every word finds something, so "the same" is not two empty lists.
    expect(Object.entries(want.found).filter(([, ids]) => (ids as number[]).length === 0).map(([w]) => w)).toEqual([]);
  }, 120_000);
});
