// The read worker's answers as JSON bytes (electron/core/store/reads.ts `json`), against stand-in workers:
// an error the worker raises reaches the control API's dispatcher as the same error value the object path
// gives, and a call in flight when the worker dies is answered on the main connection — still as JSON.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWorkerReads, inlineReads, RawJson, toRawJson, type AsyncReads, type ReadApi } from '../../electron/core/store/reads';
import { historyRawHandlers } from '../../electron/core/handlers/history';
import { createDispatcher } from '../../electron/core/dispatch';
import type { ContractHandlers } from '../../shared/ipc';
import { silentLogger } from '../../electron/core/types';

const dirs: string[] = [];
const open: AsyncReads[] = [];
afterEach(async () => {
  for (const r of open.splice(0)) await r.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A worker file answering every call with `body` (the source of its message handler). */
function standIn(body: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'hookscope-read-stand-in-'));
  dirs.push(dir);
  const file = join(dir, 'worker.mjs');
  writeFileSync(file, `import { parentPort } from 'node:worker_threads';\nparentPort.on('message', (m) => { ${body} });\n`);
  return file;
}

const page = { items: [{ id: 7, text: 'olá 🙏 "quoted"', status: 'incoming' }], total: 1 };
/** The main connection's reads, standing in: one page for every listEvents. */
const mainReads = inlineReads({ listEvents: () => page, stats: () => ({ total: 1 }) } as unknown as ReadApi);
const text = (r: unknown) => Buffer.from((r as RawJson).bytes).toString('utf8');

function reads(workerFile: string): AsyncReads {
  const r = createWorkerReads({ workerFile, dataDir: tmpdir(), fallback: mainReads, logger: silentLogger });
  open.push(r);
  return r;
}

describe('read worker answers as JSON bytes', () => {
  it('a HookscopeError raised in the worker is the same error value through the raw and the object dispatcher', async () => {
    const file = standIn(`if (m.method === 'close') { parentPort.postMessage({ id: m.id, ok: true, value: null }); parentPort.close(); return; }
      parentPort.postMessage({ id: m.id, ok: false, error: { name: 'HookscopeError', code: 'VALIDATION', message: 'where: no such field' } });`);
    const r = reads(file);
    await expect(r.json('listEvents', { limit: 5 })).rejects.toMatchObject({ name: 'HookscopeError', code: 'VALIDATION', message: 'where: no such field' });
    const objects = { 'events:list': (q: unknown) => r.listEvents(q as never) } as unknown as ContractHandlers;
    const viaObjects = await createDispatcher(objects, silentLogger)('events:list', { limit: 5 });
    const viaRaw = await createDispatcher(objects, silentLogger, historyRawHandlers({ reads: r, clock: Date.now }))('events:list', { limit: 5 });
    expect(viaObjects).toEqual({ ok: false, error: { code: 'VALIDATION', message: 'where: no such field' } });
    expect(viaRaw).toEqual(viaObjects);
  });

  it('an unexpected error in the worker is INTERNAL, logged once, as on the object path', async () => {
    const file = standIn(`if (m.method === 'close') { parentPort.postMessage({ id: m.id, ok: true, value: null }); parentPort.close(); return; }
      parentPort.postMessage({ id: m.id, ok: false, error: { name: 'SqliteError', message: 'database disk image is malformed' } });`);
    const r = reads(file);
    const logged: unknown[] = [];
    const logger = { ...silentLogger, error: (_m: string, ctx?: unknown) => { logged.push(ctx); } };
    const env = await createDispatcher({} as ContractHandlers, logger, historyRawHandlers({ reads: r, clock: Date.now }))('stats:get', {});
    expect(env).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(JSON.stringify(env)).not.toContain('malformed');
    expect(logged).toHaveLength(1);
    expect(JSON.stringify(logged[0])).toContain('malformed');
  });

  it('a call in flight when the worker dies is answered on the main connection, as JSON bytes', async () => {
    // The worker exits on its first message: the call is pending when it goes.
    const r = reads(standIn('process.exit(3);'));
    const answer = await r.json('listEvents', { limit: 200 });
    expect(answer).toBeInstanceOf(RawJson);
    expect(text(answer)).toBe(JSON.stringify(page));
    expect(r.where()).toBe('inline');
    // And later calls too, each in its form.
    expect(text(await r.json('stats', {}))).toBe('{"total":1}');
    expect(await r.listEvents({ limit: 1 })).toEqual(page);
  });

  it('the worker\'s bytes arrive whole, UTF-8, as the worker wrote them', async () => {
    const file = standIn(`if (m.method === 'close') { parentPort.postMessage({ id: m.id, ok: true, value: null }); parentPort.close(); return; }
      const bytes = new TextEncoder().encode(JSON.stringify({ method: m.method, args: m.args, json: m.json === true, t: 'ção 🙏' }));
      parentPort.postMessage({ id: m.id, ok: true, json: bytes }, [bytes.buffer]);`);
    const r = reads(file);
    const answers = await Promise.all([r.json('listEvents', { limit: 2 }), r.json('stats', { status: ['read'] })]);
    expect(answers.map(text)).toEqual([
      JSON.stringify({ method: 'listEvents', args: [{ limit: 2 }], json: true, t: 'ção 🙏' }),
      JSON.stringify({ method: 'stats', args: [{ status: ['read'] }], json: true, t: 'ção 🙏' }),
    ]);
  });
});

describe('toRawJson', () => {
  it('gives the exact bytes of JSON.stringify for an object, and refuses what would not be a JSON body', () => {
    expect(new TextDecoder().decode(toRawJson(page).bytes)).toBe(JSON.stringify(page));
    // An empty body (undefined) or a bare value would be invalid JSON inside the {"ok":true,"value":…} envelope.
    for (const v of [undefined, null, 3, 'x']) expect(() => toRawJson(v)).toThrow(/object or array/);
  });
});
