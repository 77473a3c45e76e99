// Every control-API route refuses a caller without the token (docs/api.md, "Control API"): no token, a
// wrong bearer token, a wrong ?token=, an empty bearer. The live stream too — it carries every event.
// And a refused call changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServe, type ServeProcess } from '../helpers/serve';

let s: ServeProcess;
beforeAll(async () => { s = await startServe(); });
afterAll(async () => { await s?.stop(); });

/** Every route `serve` answers under /api/, with a body where one is expected. */
const ROUTES: [method: string, path: string, body?: unknown][] = [
  ['GET', '/api/events'], ['GET', '/api/events/1'], ['GET', '/api/messages/wamid.X'], ['GET', '/api/contacts/5511987650001/thread'],
  ['GET', '/api/stats'], ['GET', '/api/stats/extra'], ['GET', '/api/live'], ['GET', '/api/export?format=ndjson'],
  ['GET', '/api/export?format=csv'], ['GET', '/api/export?format=har'], ['GET', '/api/requests/1/curl'],
  ['GET', '/api/rules'], ['POST', '/api/rules', { name: 'sneaky', when: {} }], ['POST', '/api/rules/preview', { rule: { name: 'x', when: {} } }],
  ['PUT', '/api/rules/1', { name: 'x', when: {} }], ['DELETE', '/api/rules/1'],
  ['GET', '/api/notifications'], ['GET', '/api/settings'], ['PUT', '/api/settings', { retention: { days: 1 } }],
  ['POST', '/api/replay/1', {}], ['POST', '/api/replay', {}], ['POST', '/api/simulate', { kind: 'message', text: 'forged' }],
  ['GET', '/api/tunnel'], ['POST', '/api/tunnel/start'], ['POST', '/api/tunnel/stop'],
  ['GET', '/api/info'], ['GET', '/api/doctor'], ['POST', '/api/import?format=ndjson', ''], ['POST', '/api/compact'],
  ['POST', '/api/rpc/events:list', {}], ['POST', '/api/rpc/settings:update', { forwardTo: ['http://127.0.0.1:9/x'] }],
  // Paths no route knows are refused before routing: nothing under /api/ says what exists.
  ['GET', '/api/does-not-exist'], ['DELETE', '/api/events/1'],
];

async function call(method: string, path: string, body: unknown, auth: 'none' | 'wrong-bearer' | 'wrong-query' | 'empty-bearer' | 'right') {
  const headers: Record<string, string> = {};
  let url = `${s.uiBase}${path}`;
  if (auth === 'wrong-bearer') headers.authorization = 'Bearer not-the-token';
  if (auth === 'empty-bearer') headers.authorization = 'Bearer ';
  if (auth === 'right') headers.authorization = `Bearer ${s.token}`;
  if (auth === 'wrong-query') url += `${path.includes('?') ? '&' : '?'}token=not-the-token`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const ctl = new AbortController();
  const r = await fetch(url, { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body), signal: ctl.signal });
  const type = r.headers.get('content-type') ?? '';
  // A stream (the live route answered by mistake) would never end: read the head only.
  const text = type.startsWith('text/event-stream') ? '' : await r.text();
  ctl.abort();
  return { status: r.status, type, text };
}

describe('control API without the token', () => {
  for (const [method, path, body] of ROUTES) {
    it(`${method} ${path} → 401`, async () => {
      for (const auth of ['none', 'wrong-bearer', 'wrong-query', 'empty-bearer'] as const) {
        const r = await call(method, path, body, auth);
        expect(r.status, `${auth}`).toBe(401);
        expect(r.type, auth).not.toMatch(/event-stream/);
        expect(JSON.parse(r.text).error.code, auth).toBe('UNAUTHORIZED');
      }
    });
  }

  it('the refused calls changed nothing: no rule, no event, settings and tunnel as they were', async () => {
    const rules = await s.api<unknown[] | { items: unknown[] }>('/api/rules');
    expect(rules.status).toBe(200);
    expect(Array.isArray(rules.body) ? rules.body : rules.body.items).toHaveLength(0);
    const events = await s.api<{ total: number }>('/api/events');
    expect(events.body.total).toBe(0);
    const settings = await s.api<{ forwardTo?: string[] }>('/api/settings');
    expect(JSON.stringify(settings.body)).not.toContain('127.0.0.1:9');
    expect((await s.api<{ state: string }>('/api/tunnel')).body.state).toBe('off');
  });

  it('with the token, the same routes are not refused', async () => {
    for (const [method, path] of ROUTES.filter(([m, p]) => m === 'GET' && !p.includes('does-not-exist'))) {
      const r = await call(method, path, undefined, 'right');
      expect(r.status, `${method} ${path}`).not.toBe(401);
    }
  });
});
