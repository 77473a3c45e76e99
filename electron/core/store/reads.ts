// The UI's reads, off the ingest loop. better-sqlite3 is synchronous: a page of 200 events with its
// total, a search or the all-time counts run on whatever thread calls them, and on the receiver's thread
// they delay every webhook's 200 behind them (docs/benchmarks.md, "ingest rate while UI queries").
//
// Decisions:
//  - A worker thread (electron/core/read-worker.ts, bundled next to the serve/main bundles by
//    electron/tools/build.mjs) holds its own read-only connection to the same file and runs exactly the
//    store's read code (createReads in queries.ts). WAL lets it read while the main connection commits.
//  - Read-after-write: every call is a fresh read transaction (a page and its total in one), started
//    after the message arrives; a webhook answered 200 was committed before, so it is seen. No read
//    transaction outlives a call (no iterators in the worker).
//  - Remembered totals live with the connection that counts. Deletes (retention, on the main
//    connection) bump a generation in kv that the worker reads in the same snapshot as its counts.
//  - Writes, the duplicate check, rules, export iterators and everything else stay on the main
//    connection. If the worker cannot start or dies, calls run inline on the main connection: slower
//    under load, never wrong.
//  - Where the bundled worker is absent (vitest runs the TS sources), reads run inline too;
//    CoreOptions.readWorker can name the bundle explicitly or switch it off.
//  - A page the control API only forwards (`json`): the worker serialises it itself and hands over the
//    UTF-8 bytes (a transferred buffer, not copied). The receiver's thread then neither rebuilds the page's
//    objects from a structured clone nor stringifies them again; the bytes are exactly JSON.stringify of
//    the value the object path returns (docs/architecture.md, "The UI's reads").
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Database as Db } from 'better-sqlite3';
import type { StatsExtra } from '../../../shared/types';
import { HookscopeError, ERROR_MESSAGES, type ErrorCode } from '../../../shared/errors';
import type { StoreReads, StoredRequestWithBytes } from './store';
import { statsExtra } from './stats-extra';
import type { Logger } from '../types';

export interface ReadApi extends StoreReads {
  statsExtra(since: number, until: number): StatsExtra;
}

export const READ_METHODS = ['listEvents', 'getEvent', 'getRequest', 'lifecycle', 'thread', 'stats', 'statsExtra', 'listMessages', 'messageStats'] as const;
export type ReadMethod = typeof READ_METHODS[number];

/**
 * A read's answer already serialised: the UTF-8 bytes of JSON.stringify(value). The control API writes
 * them as the body unchanged (electron/serve/control-api.ts); nothing else looks inside.
 */
export class RawJson {
  constructor(readonly bytes: Uint8Array) {}
}

/**
 * The bytes of a read's value. Only for reads whose value is an object or array (JSON.stringify of
 * undefined is no JSON at all). TextEncoder, not Buffer.from: a small Buffer is a slice of a shared pool,
 * which must not be transferred away.
 */
export function toRawJson(value: unknown): RawJson {
  // A read that ever answers undefined (or a bare value) would put an empty body or `"value":}` on the wire:
  // refuse it here, where the call still gets one error reply, rather than send invalid JSON.
  if (value === null || typeof value !== 'object') throw new Error('toRawJson: a raw read must answer an object or array');
  return new RawJson(new TextEncoder().encode(JSON.stringify(value)));
}

export type AsyncReads = { [K in ReadMethod]: (...args: Parameters<ReadApi[K]>) => Promise<ReturnType<ReadApi[K]>> } & {
  /** The same read, answered as its JSON bytes (for the control API, which only forwards it). */
  json<K extends ReadMethod>(method: K, ...args: Parameters<ReadApi[K]>): Promise<RawJson>;
  /** 'worker' or 'inline': where the calls run now. */
  where(): 'worker' | 'inline';
  close(): Promise<void>;
};

/** The read API over one connection: `reads` is a store's (and its remembered totals) or createReads over it. */
export function createReadApi(db: Db, reads: StoreReads): ReadApi {
  return {
    listEvents: (q) => reads.listEvents(q),
    getEvent: (id) => reads.getEvent(id),
    getRequest: (id) => reads.getRequest(id),
    lifecycle: (m, p) => reads.lifecycle(m, p),
    thread: (c, l, p) => reads.thread(c, l, p),
    stats: (f) => reads.stats(f),
    listMessages: (q) => reads.listMessages(q),
    messageStats: (f) => reads.messageStats(f),
    statsExtra: (since, until) => statsExtra({ db }, since, until),
  };
}

type AnyCall = (...args: unknown[]) => unknown;

function call(api: ReadApi, method: ReadMethod, args: unknown[]): unknown {
  return (api[method] as AnyCall)(...args);
}

/** Reads on the calling thread (no worker), with the same async face. */
export function inlineReads(api: ReadApi): AsyncReads {
  const out: Record<string, unknown> = {};
  for (const m of READ_METHODS) {
    out[m] = (...args: unknown[]) => {
      try { return Promise.resolve(call(api, m, args)); } catch (err) { return Promise.reject(err); }
    };
  }
  const json = (m: ReadMethod, ...args: unknown[]) => {
    try { return Promise.resolve(toRawJson(call(api, m, args))); } catch (err) { return Promise.reject(err); }
  };
  return Object.assign(out, { json, where: () => 'inline' as const, close: async () => {} }) as AsyncReads;
}

/** The bundled worker next to the running bundle (dist-electron/), or null (TS sources under vitest). */
export function findReadWorker(): string | null {
  return findBundledWorker('read-worker');
}

/** A bundled worker (`read-worker`) next to the running bundle, or null. */
export function findBundledWorker(base: string): string | null {
  // CommonJS bundle (Electron main): __dirname; ES module bundle (serve): import.meta.url.
  const cjs = typeof __dirname === 'string';
  const dir = cjs ? __dirname : dirname(fileURLToPath(import.meta.url));
  for (const name of cjs ? [`${base}.cjs`, `${base}.mjs`] : [`${base}.mjs`, `${base}.cjs`]) {
    const file = join(dir, name);
    if (existsSync(file)) return file;
  }
  return null;
}

/** `json`: answer with the value's JSON bytes (`json`, transferred) instead of the value. */
export interface WorkerRequest { id: number; method: ReadMethod | 'close'; args: unknown[]; json?: boolean }
export type WorkerResponse =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: true; json: Uint8Array }
  | { id: number; ok: false; error: { name: string; code?: string; message: string; stack?: string } };

export function serialiseError(err: unknown): Extract<WorkerResponse, { ok: false }>['error'] {
  const e = err instanceof Error ? err : new Error(String(err));
  return { name: e.name, code: (e as { code?: string }).code, message: e.message, stack: e.stack };
}

function reviveError(e: Extract<WorkerResponse, { ok: false }>['error']): Error {
  if (e.name === 'HookscopeError' && e.code && e.code in ERROR_MESSAGES) return new HookscopeError(e.code as ErrorCode, e.message);
  const err = new Error(e.message);
  err.name = e.name;
  if (e.stack) err.stack = e.stack;
  return err;
}

/** Structured clone turns Buffers into Uint8Arrays. */
function revive(method: ReadMethod, value: unknown): unknown {
  if (method === 'getRequest' && value) {
    const r = value as StoredRequestWithBytes;
    const b = r.bodyBytes as Uint8Array;
    return { ...r, bodyBytes: Buffer.from(b.buffer, b.byteOffset, b.byteLength) };
  }
  return value;
}

/**
 * Reads in a worker thread over its own read-only connection. `fallback` runs calls inline if the
 * worker fails (calls in flight are re-run there).
 */
export function createWorkerReads(opts: { workerFile: string; dataDir: string; nativeBinding?: string; fallback: AsyncReads; logger: Logger }): AsyncReads {
  const { fallback, logger } = opts;
  const worker = new Worker(opts.workerFile, { workerData: { dataDir: opts.dataDir, nativeBinding: opts.nativeBinding } });
  worker.unref();
  const pending = new Map<number, { method: ReadMethod; args: unknown[]; json: boolean; resolve(v: unknown): void; reject(e: unknown): void }>();
  let seq = 0;
  let dead = false;
  let closing: Promise<void> | null = null;

  const settle = (id: number) => {
    const p = pending.get(id);
    pending.delete(id);
    // Only calls in flight keep the process alive.
    if (pending.size === 0) worker.unref();
    return p;
  };

  function goInline(reason: string) {
    if (dead) return;
    dead = true;
    if (!closing) logger.warn('read worker stopped; UI reads now run on the main thread', { reason });
    const left = [...pending.values()];
    pending.clear();
    for (const p of left) inlineCall(p.method, p.args, p.json).then(p.resolve, p.reject);
  }

  function inlineCall(method: ReadMethod, args: unknown[], json: boolean): Promise<unknown> {
    return json ? (fallback.json as AnyCall)(method, ...args) as Promise<unknown> : (fallback[method] as AnyCall)(...args) as Promise<unknown>;
  }

  worker.on('message', (m: WorkerResponse) => {
    const p = settle(m.id);
    if (!p) return;
    if (m.ok) p.resolve('json' in m ? new RawJson(Buffer.from(m.json.buffer, m.json.byteOffset, m.json.byteLength)) : revive(p.method, m.value));
    else p.reject(reviveError(m.error));
  });
  worker.on('error', (err) => goInline(String(err)));
  worker.on('exit', (code) => goInline(`exit code ${code}`));

  function send(method: ReadMethod | 'close', args: unknown[], json = false): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const id = ++seq;
      if (pending.size === 0) worker.ref();
      pending.set(id, { method: method as ReadMethod, args, json, resolve, reject });
      worker.postMessage({ id, method, args, ...(json ? { json } : {}) } satisfies WorkerRequest);
    });
  }

  const out: Record<string, unknown> = {};
  for (const m of READ_METHODS) {
    out[m] = (...args: unknown[]) => (dead || closing ? inlineCall(m, args, false) : send(m, args));
  }
  const json = (m: ReadMethod, ...args: unknown[]) => (dead || closing ? inlineCall(m, args, true) : send(m, args, true));
  return Object.assign(out, {
    json,
    where: () => (dead ? 'inline' as const : 'worker' as const),
    close() {
      if (closing) return closing;
      closing = (async () => {
        if (!dead) {
          const done = new Promise<void>((r) => worker.once('exit', () => r()));
          // The worker closes its connection, then exits; terminate if it does not in time.
          const timer = setTimeout(() => { void worker.terminate(); }, 2000);
          send('close', []).catch(() => undefined);
          await done;
          clearTimeout(timer);
        }
        dead = true;
      })();
      return closing;
    },
  }) as AsyncReads;
}
