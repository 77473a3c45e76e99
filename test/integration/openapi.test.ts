// The control API's description (docs/api.md "Described: OpenAPI"): valid OpenAPI 3.1, the same as the
// committed docs/openapi.json, served at /api/openapi.json, and in step with what a real `serve` answers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { openApiDocument, UndescribedRouteError } from '../../electron/serve/openapi';
import { ALL_ROUTES, type RouteDoc } from '../../electron/serve/routes';
import { REQUEST_CHANNELS } from '../../shared/ipc';
import { startServe, type ServeProcess } from '../helpers/serve';

type Doc = { openapi: string; paths: Record<string, Record<string, { summary?: string }>> };
const committed = JSON.parse(readFileSync(resolve(__dirname, '../../docs/openapi.json'), 'utf8')) as Doc;
const METHODS = ['get', 'post', 'put', 'delete'];

/** "GET /api/events/{id}" for every operation of a document. */
function operations(doc: Doc): string[] {
  return Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).filter((m) => METHODS.includes(m)).map((m) => `${m.toUpperCase()} ${path}`)).sort();
}

let s: ServeProcess;
beforeAll(async () => { s = await startServe(); }, 60_000);
afterAll(async () => { await s?.stop(); });

describe('OpenAPI document', () => {
  it('is valid OpenAPI 3.1 (checked by a maintained validator)', async () => {
    const v = new Validator();
    const r = await v.validate(committed as unknown as Parameters<Validator['validate']>[0]);
    expect(r.errors ?? []).toEqual([]);
    expect(r.valid).toBe(true);
    expect(v.version).toBe('3.1');
  });

  it('docs/openapi.json is what the route table generates (else: npm run openapi)', () => {
    expect(operations(committed), 'docs/openapi.json is stale: run npm run openapi').toEqual(operations(openApiDocument() as Doc));
    expect(committed, 'docs/openapi.json is stale: run npm run openapi').toEqual(openApiDocument());
  });

  it('describes every route of the server table, and every contract channel under /api/rpc/', () => {
    const ops = new Set(operations(committed));
    const missing = ALL_ROUTES.filter((r) => r.path !== '/api/rpc/{channel}' && !ops.has(`${r.method} ${r.path}`)).map((r) => `${r.method} ${r.path}`);
    expect(missing, 'routes the server answers but the document lacks').toEqual([]);
    const rpcMissing = REQUEST_CHANNELS.filter((c) => !ops.has(`POST /api/rpc/${c}`));
    expect(rpcMissing).toEqual([]);
    for (const [, methods] of Object.entries(committed.paths)) for (const op of Object.values(methods)) expect(op.summary).toBeTruthy();
  });

  it('a route without its description is refused, named', () => {
    const undescribed: RouteDoc = { method: 'GET', path: '/api/views', summary: '' };
    expect(() => openApiDocument([...ALL_ROUTES, undescribed])).toThrow(UndescribedRouteError);
    expect(() => openApiDocument([...ALL_ROUTES, undescribed])).toThrow('GET /api/views has no summary');
  });

  it('is served at GET /api/openapi.json, with the token like every route', async () => {
    const r = await s.api<Doc>('/api/openapi.json');
    expect(r.status).toBe(200);
    expect(r.body).toEqual(openApiDocument());
    expect((await fetch(`${s.uiBase}/api/openapi.json`)).status).toBe(401);
  });

  it('every documented operation is answered by a real serve (nothing described that the server lacks)', async () => {
    // A viewer token: reads run, changes stop at the role check — which comes after the route is found, so a
    // 403 FORBIDDEN_ROLE still says the route exists, and nothing is changed by probing.
    const made = await s.api<{ token: string }>('/api/tokens', { method: 'POST', body: JSON.stringify({ name: 'probe', role: 'viewer' }) });
    expect(made.status).toBe(201);
    const unanswered: string[] = [];
    for (const op of operations(committed)) {
      const [method, template] = op.split(' ');
      const path = template.replace(/\{[^}]+\}/g, '1');
      const ac = new AbortController();
      const res = await fetch(s.uiBase + path, { method, signal: ac.signal, headers: { authorization: `Bearer ${made.body.token}` } });
      const sse = (res.headers.get('content-type') ?? '').startsWith('text/event-stream');
      const body = sse ? '' : await res.text();
      ac.abort();
      if ((res.status === 404 && body.includes('No route')) || res.status === 405) unanswered.push(`${op} → ${res.status}`);
    }
    expect(unanswered).toEqual([]);
  }, 120_000);

  it('the server answers nothing beyond its table: an unknown path is 404, a known path with another method 405', async () => {
    const nope = await s.api<{ error: { code: string; message: string } }>('/api/nothing-here');
    expect(nope.status).toBe(404);
    expect(nope.body.error.message).toBe('No route GET /api/nothing-here.');
    const put = await s.api<{ error: { code: string } }>('/api/events', { method: 'PUT', body: '{}' });
    expect(put.status).toBe(405);
    expect(put.body.error.code).toBe('METHOD_NOT_ALLOWED');
  });
});
