// Control API routes for the power tools (docs/api.md: GET /api/export and friends). They are not contract
// channels: an export is a stream, an import a file, cURL plain text. Auth and the Host check have
// already run in control-api.ts.
//   GET  /api/export?format=ndjson|ndjson-requests|csv|har&<event filters>[&formulaGuard=0][&redact=1]  → streamed attachment
//   POST /api/import?format=har|ndjson   (body: the file)                                  → ImportResult
//   GET  /api/requests/:id/curl[?redact=1]                                                  → text/plain
//   GET  /api/stats/extra?since=&until=                                                     → StatsExtra
//   POST /api/replay?<event filters>[&target=]   (no id: every request behind the filter)  → ReplayManyResult
//   POST /api/compact[?force=1]                                                             → { ran, reason, … }
import type { IncomingMessage, ServerResponse } from 'node:http';
import { eventFilterSchema } from '../../shared/ipc';
import { appError, httpStatusFor, HookscopeError, type AppError } from '../../shared/errors';
import type { EventFilter } from '../../shared/types';
import type { Core } from '../core/core';
import { EXPORT_FORMATS, type ExportFormat } from '../core/tools/export';
import { formatZodError } from '../core/dispatch';
import { matchRoute, POWER_ROUTES } from './routes';

const IMPORT_LIMIT = 64 * 1024 * 1024;

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(JSON.stringify(body));
}

function fail(res: ServerResponse, err: AppError) {
  json(res, httpStatusFor(err.code), { error: err });
}

function filterFrom(url: URL): EventFilter {
  const q: Record<string, unknown> = Object.fromEntries(url.searchParams);
  for (const k of ['token', 'format', 'target', 'formulaGuard', 'redact']) delete q[k];
  if (url.searchParams.has('where')) q.where = url.searchParams.getAll('where');
  const parsed = eventFilterSchema.safeParse(q);
  if (!parsed.success) throw new HookscopeError('VALIDATION', formatZodError(parsed.error));
  return parsed.data as EventFilter;
}

function num(v: string | null): number | undefined {
  if (v == null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new HookscopeError('VALIDATION', `not a number: ${v}`);
  return n;
}

async function readText(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > IMPORT_LIMIT) throw new HookscopeError('PAYLOAD_TOO_LARGE', `Import files are limited to ${IMPORT_LIMIT / 1024 / 1024} MiB.`);
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function streamExport(core: Core, req: IncomingMessage, res: ServerResponse, url: URL) {
  const format = (url.searchParams.get('format') ?? 'ndjson') as ExportFormat;
  if (!EXPORT_FORMATS.includes(format)) throw new HookscopeError('VALIDATION', `format: one of ${EXPORT_FORMATS.join(', ')}`);
  const filter = filterFrom(url);
  const redact = ['1', 'true'].includes(url.searchParams.get('redact') ?? '');
  const exp = core.tools!.exportStream(format, filter, { formulaGuard: url.searchParams.get('formulaGuard') !== '0', redact });
  let aborted = false;
  res.on('close', () => { aborted = true; });
  try {
    res.writeHead(200, {
      'content-type': exp.contentType,
      'content-disposition': `attachment; filename="${exp.filename}"`,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
    // Backpressure: wait for 'drain' so a slow client never makes us hold the file in memory.
    for (const chunk of exp.chunks) {
      if (aborted) break;
      if (!res.write(chunk)) await new Promise<void>((r) => { res.once('drain', r); res.once('close', r); });
    }
    if (!aborted) res.end();
  } finally {
    exp.close();
    void req;
  }
}

/** Handles the power-tool routes; false when the path is not one of them. */
export async function handlePowerRoutes(core: Core, req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
  const method = req.method ?? 'GET';
  const p = url.pathname;
  // Which paths are ours comes from the route table (routes.ts), which also describes them.
  const hit = matchRoute(POWER_ROUTES, method, p);
  if (!hit) return false;
  const curl = hit.route.id === 'curl' ? /^\d+$/.exec(hit.params.id) : null;
  if (hit.route.id === 'curl' && !curl) { fail(res, appError('NOT_FOUND', `No request ${hit.params.id}.`)); return true; }
  if (!core.tools) { fail(res, appError('NOT_FOUND', 'This core has no power tools.')); return true; }
  const tools = core.tools;
  try {
    if (p === '/api/export') { await streamExport(core, req, res, url); return true; }
    if (curl) {
      const text = tools.curl(Number(curl[0]), { redact: url.searchParams.get('redact') === '1' });
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
      res.end(`${text}\n`);
      return true;
    }
    if (p === '/api/stats/extra') {
      json(res, 200, tools.statsExtra(num(url.searchParams.get('since')), num(url.searchParams.get('until'))));
      return true;
    }
    if (p === '/api/import') {
      const format = url.searchParams.get('format') ?? 'har';
      if (format !== 'har' && format !== 'ndjson') throw new HookscopeError('VALIDATION', 'format: har or ndjson');
      json(res, 200, await tools.importFile(await readText(req), format));
      return true;
    }
    if (p === '/api/replay') {
      json(res, 200, await tools.replayFiltered(filterFrom(url), { target: url.searchParams.get('target') ?? undefined }));
      return true;
    }
    if (p === '/api/compact') {
      json(res, 200, tools.retention.compact({ force: url.searchParams.get('force') === '1' }));
      return true;
    }
    return false;
  } catch (err) {
    if (res.headersSent) { res.destroy(); return true; }
    if (err instanceof HookscopeError) fail(res, { code: err.code, message: err.message });
    else throw err;
    return true;
  }
}
