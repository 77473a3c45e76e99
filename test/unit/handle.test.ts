// What the receiver does with its verdict (electron/core/ingest/handle.ts): an accepted webhook is stored
// with its exact bytes and answered with the commit's request id and the time the answer waited; a refused
// one is kept in the rejected log — unless its source is over the rate limit (429, counted, not kept), the
// disk is under its floor or there is no log (answered, counted, not kept). Local origins (replay,
// simulator, import) are the user's own doing and never rate-limited. The Rejected view and the request
// list show exactly these fields, so a slip here shows the user the wrong thing or fills the disk.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RejectedItem } from '../../shared/types';
import { createHandle, type HandleDeps } from '../../electron/core/ingest/handle';
import type { ReceiverInput, TrustConfig } from '../../electron/core/ingest/decide';
import { signMeta } from '../../electron/core/ingest/signature';
import type { IngestRecord } from '../../electron/core/store/store';
import type { RejectedLog, RejectedRow } from '../../electron/core/store/rejected-log';
import type { Writer } from '../../electron/core/ingest/writer';
import { fixture, SIGNED } from '../helpers/fixtures';

const BODY = fixture(SIGNED.file);
const NOW = Date.UTC(2026, 0, 2, 3, 4, 5);

const trust: TrustConfig = {
  metaSecrets: () => [SIGNED.secret],
  twilioTokens: () => [],
  acceptsUnsigned: () => false,
  verifyToken: () => 'verify-me',
  bodyLimitBytes: () => 1_000_000,
  publicUrl: () => 'https://hooks.example.test',
  ownUrl: () => 'http://127.0.0.1:4000',
};

function meta(sig: string, over: Partial<ReceiverInput> = {}): ReceiverInput {
  return {
    method: 'POST', path: '/meta', query: 'hub.verify_token=s3cret&x=1', body: BODY, origin: 'network', source: '203.0.113.9',
    headers: [['content-type', 'application/json'], ['x-hub-signature-256', sig]], ...over,
  };
}
const genuine = (over: Partial<ReceiverInput> = {}) => meta(signMeta(BODY, SIGNED.secret), over);
const forged = (over: Partial<ReceiverInput> = {}) => meta(signMeta(BODY, 'a-stranger'), over);

function fakes(opts: { keepId?: number | null; limiterSays?: boolean; diskLow?: boolean; noLog?: boolean; noListener?: boolean } = {}) {
  const submitted: IngestRecord[] = [];
  const kept: RejectedRow[] = [];
  const told: (RejectedItem | null)[] = [];
  const taken: string[] = [];
  let notStored = 0;
  const writer = {
    submit: async (r: IngestRecord) => { submitted.push(r); return { requestId: 41 + submitted.length }; },
    flush() {}, pending: () => 0, close: async () => {},
  } as unknown as Writer;
  const rejected = {
    add: async (row: RejectedRow) => { kept.push(row); return opts.keepId === undefined ? 7 : opts.keepId; },
    countNotStored: (n = 1) => { notStored += n; },
  } as unknown as RejectedLog;
  const deps: HandleDeps = {
    trust, writer, clock: () => NOW,
    rejected: opts.noLog ? undefined : rejected,
    limiter: opts.limiterSays === undefined ? undefined : { take: (s) => { taken.push(s); return opts.limiterSays!; }, isOver: () => !opts.limiterSays },
    diskLow: opts.diskLow === undefined ? undefined : () => opts.diskLow!,
    onRejected: opts.noListener ? undefined : (item) => told.push(item),
  };
  return { handle: createHandle(deps), submitted, kept, told, taken, notStored: () => notStored };
}

afterEach(() => vi.restoreAllMocks());

describe('an accepted webhook', () => {
  it('is stored with its exact bytes and verdict, the verify token redacted, and answered with its request id', async () => {
    const f = fakes();
    const a = await f.handle(genuine());
    expect(a).toMatchObject({ status: 200, accepted: true, requestId: 42 });
    expect(a.rejectedId).toBeUndefined();
    expect(f.submitted).toHaveLength(1);
    const req = f.submitted[0].request;
    expect(Buffer.compare(req.body!, BODY)).toBe(0);
    expect(req).toMatchObject({ receivedAt: NOW, method: 'POST', path: '/meta', provider: 'meta', responseStatus: 200, signature: 'valid', origin: 'network' });
    expect(req.query).not.toContain('s3cret');
    expect(req.query).toMatch(/^hub\.verify_token=.+&x=1$/);
    expect(f.submitted[0].events.length).toBeGreaterThan(0);
    expect(f.kept).toEqual([]);
    expect(f.told).toEqual([]);
  });

  it('keeps how long its answer waited for the commit, to a tenth of a millisecond', async () => {
    const f = fakes();
    const clock = vi.spyOn(performance, 'now');
    clock.mockReturnValueOnce(1000).mockReturnValueOnce(1012.345);
    await f.handle(genuine());
    expect(f.submitted[0].request.ackMs).toBe(12.3);
  });

  it('is never rate-limited or sent to the rejected log, even when the source is over its limit', async () => {
    const f = fakes({ limiterSays: false });
    expect((await f.handle(genuine())).status).toBe(200);
    expect(f.taken).toEqual([]);
    expect(f.notStored()).toBe(0);
  });
});

describe('a refused webhook', () => {
  it('is kept in the rejected log with its source and answered with the reason phrase alone', async () => {
    const f = fakes({ limiterSays: true, diskLow: false });
    const a = await f.handle(forged());
    expect(a).toMatchObject({ status: 401, accepted: false, requestId: null, rejectedId: 7, contentType: 'text/plain; charset=utf-8', body: 'Unauthorized\n' });
    expect(a.diagnosis).toMatch(/^Signature invalid: /);
    expect(f.taken).toEqual(['203.0.113.9']);
    expect(f.kept).toHaveLength(1);
    expect(f.kept[0]).toMatchObject({ receivedAt: NOW, source: '203.0.113.9', httpStatus: 401, path: '/meta' });
    expect(f.kept[0].query).not.toContain('s3cret');
    expect(f.submitted).toEqual([]);
    expect(f.notStored()).toBe(0);
    // The Rejected view's live row is what was kept.
    expect(f.told).toEqual([{
      id: 7, receivedAt: NOW, method: 'POST', path: '/meta', provider: 'meta', httpStatus: 401,
      signature: f.kept[0].signature, diagnosis: f.kept[0].diagnosis, source: '203.0.113.9', bytes: BODY.length,
    }]);
  });

  it('from a source without an address is counted as "unknown"', async () => {
    const f = fakes({ limiterSays: true });
    await f.handle(forged({ source: undefined }));
    expect(f.taken).toEqual(['unknown']);
    expect(f.kept[0].source).toBe('unknown');
  });

  it('over the rate limit is answered 429, counted and not kept — twice', async () => {
    const f = fakes({ limiterSays: false });
    for (let i = 1; i <= 2; i++) {
      const a = await f.handle(forged());
      expect(a).toMatchObject({ status: 429, accepted: false, rejectedId: null, body: 'Too Many Requests\n', diagnosis: 'Too many rejected requests from this source.' });
      expect(f.notStored()).toBe(i);
    }
    expect(f.kept).toEqual([]);
    expect(f.told).toEqual([null, null]);
  });

  it('from a local tool (replay, simulator, import) is kept without spending the rate limit', async () => {
    const f = fakes({ limiterSays: false });
    const a = await f.handle(forged({ origin: 'replay', source: '203.0.113.9' }));
    expect(a).toMatchObject({ status: 401, rejectedId: 7 });
    expect(f.taken).toEqual([]);
    expect(f.kept).toHaveLength(1);
    expect(f.kept[0].source).toBeNull();
  });

  it('while the disk is under its floor is answered with its own status, counted and not kept', async () => {
    const f = fakes({ limiterSays: true, diskLow: true });
    const a = await f.handle(forged());
    expect(a).toMatchObject({ status: 401, rejectedId: null, accepted: false });
    expect(f.kept).toEqual([]);
    expect(f.notStored()).toBe(1);
    expect(f.told).toEqual([null]);
  });

  it('with no rejected log is answered and not kept', async () => {
    const f = fakes({ noLog: true });
    const a = await f.handle(forged());
    expect(a).toMatchObject({ status: 401, rejectedId: null, accepted: false, body: 'Unauthorized\n' });
    expect(f.told).toEqual([null]);
  });

  it('is answered by a receiver with no rejected log and no listener, limited or not, kept or not', async () => {
    expect((await fakes({ noLog: true, noListener: true, limiterSays: false }).handle(forged())).status).toBe(429);
    expect((await fakes({ noLog: true, noListener: true }).handle(forged())).status).toBe(401);
    expect((await fakes({ noListener: true, diskLow: true }).handle(forged())).status).toBe(401);
    const kept = fakes({ noListener: true });
    expect(await kept.handle(forged())).toMatchObject({ status: 401, rejectedId: 7 });
    expect(kept.kept).toHaveLength(1);
  });

  it('that the log could not keep (its queue full) is announced without a row', async () => {
    const f = fakes({ keepId: null });
    const a = await f.handle(forged());
    expect(a).toMatchObject({ status: 401, rejectedId: null });
    expect(f.told).toEqual([null]);
  });
});
