// Forgetting a contact where the later features keep their own copies (docs/api.md "Forget a contact"):
// forwards still waiting in the outbox, saved views, and the finding indexes (search keys and field
// filters). Webhooks go through the real receiver; the forget through the control API.
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EventPage, ForgetResult, ForwardTargetSummary, SavedView } from '../../shared/types';
import { createControlServer, type ControlServer } from '../../electron/serve/control-api';
import { silentLogger } from '../../electron/core/types';
import { startTestCore, type TestCore } from '../helpers/core';
import { ANA, BRUNO, metaFailed, metaMessage, realWamid } from '../helpers/people';

const SECRET = 'forget-seams-secret';
let t: TestCore | null = null;
let control: ControlServer | null = null;
const servers: Server[] = [];
afterEach(async () => {
  await control?.stop();
  control = null;
  await t?.close();
  t = null;
  for (const s of servers.splice(0)) { s.closeAllConnections(); await new Promise((r) => s.close(r)); }
});

/** A handler that answers 503 while `down` (the outbox keeps the forwards), then records what it gets. */
async function flakyHandler(): Promise<{ url: string; up(): void; bodies: string[]; tries: () => number }> {
  let down = true;
  let tries = 0;
  const bodies: string[] = [];
  const s = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      tries++;
      if (down) { res.writeHead(503); res.end(); return; }
      bodies.push(Buffer.concat(chunks).toString('utf8'));
      res.end('ok');
    });
  });
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, up: () => { down = false; }, bodies, tries: () => tries };
}

describe('forget a contact: the outbox, saved views and the finding indexes', () => {
  it('her waiting forwards are never sent, a view naming her is masked, and no search or field filter finds her — twice', async () => {
    const handler = await flakyHandler();
    t = await startTestCore({ env: { metaAppSecrets: [SECRET], forwardTo: [handler.url] } });
    control = createControlServer({ core: t.core, dispatch: t.dispatch, port: 0, token: 'tok', staticDir: '/nonexistent', logger: silentLogger });
    const base = `http://127.0.0.1:${await control.start()}`;
    const api = async <T>(path: string, init: RequestInit = {}) => (await fetch(`${base}${path}`, { ...init, headers: { authorization: 'Bearer tok', ...init.headers } })).json() as Promise<T>;
    const total = async (qs: string) => (await api<EventPage>(`/api/events?${qs}`)).total;

    const ana = { in1: realWamid(ANA.number, 1), failed: realWamid(ANA.number, 2), batch: realWamid(ANA.number, 3) };
    const bruno = { in1: realWamid(BRUNO.number, 4), batch: realWamid(BRUNO.number, 5) };
    for (const body of [metaMessage(ANA, ana.in1), metaFailed(ANA, ana.failed), metaMessage(BRUNO, bruno.in1),
      // One webhook, both customers: kept for Bruno, edited — its forward goes out without her.
      metaMessage(BRUNO, bruno.batch, { p: ANA, id: ana.batch })]) {
      expect((await t.postMeta(body, SECRET)).status).toBe(200);
    }
    // The handler is down: all four forwards wait in the outbox.
    const waiting = async () => (await t!.call<{ targets: ForwardTargetSummary[] }>('forwards:summary')).targets[0];
    await expect.poll(async () => { const s = await waiting(); return s ? s.queued + s.retrying : 0; }, { timeout: 20_000 }).toBe(4);
    await expect.poll(handler.tries, { timeout: 20_000 }).toBeGreaterThan(0);

    // A saved view that names her, and one that does not.
    const view = await api<SavedView>('/api/views', { method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: `Ana +${ANA.number}`, filter: { contact: ANA.number, where: [`raw.from=${ANA.number}`] } }) });
    const other = await api<SavedView>('/api/views', { method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Failures', filter: { status: ['failed'] } }) });

    // Before: the finding indexes know her (the test can fail).
    expect(await total(`where=${encodeURIComponent(`raw.from=${ANA.number}`)}`)).toBe(2);
    expect(await total(`where=${encodeURIComponent(`raw.recipient_id=${ANA.number}`)}`)).toBe(1);
    expect(await total('q=131026')).toBe(1);
    expect(await total(`q=${encodeURIComponent(ana.in1)}`)).toBe(1);

    for (let round = 1; round <= 2; round++) {
      const r = await fetch(`${base}/api/contacts/${ANA.number}`, { method: 'DELETE', headers: { authorization: 'Bearer tok' } });
      expect(r.status).toBe(200);
      const result = await r.json() as ForgetResult;
      const where = Object.fromEntries(result.erased.map((x) => [x.table, x]));
      if (round === 1) {
        // Her two requests erased whole take their outbox rows; the shared batch stays, edited.
        expect(where.outbox.erased).toBe(2);
        expect(where.views.edited).toBe(1);
      } else {
        expect(result.erased.every((x) => x.erased === 0 && x.edited === 0)).toBe(true);
      }

      // Finding: nothing of her by field filter, error code, message id or number; Bruno still found.
      expect(await total(`where=${encodeURIComponent(`raw.from=${ANA.number}`)}`)).toBe(0);
      expect(await total(`where=${encodeURIComponent(`raw.recipient_id=${ANA.number}`)}`)).toBe(0);
      expect(await total('q=131026')).toBe(0);
      for (const id of Object.values(ana)) expect(await total(`q=${encodeURIComponent(id)}`), id).toBe(0);
      expect(await total(`q=${ANA.number}`)).toBe(0);
      expect(await total(`where=${encodeURIComponent(`raw.from=${BRUNO.number}`)}`)).toBe(2);
      expect(await total(`q=${encodeURIComponent(bruno.batch)}`)).toBe(1);

      // Saved views: hers keeps its place with the number masked; the other is as it was.
      const views = await api<SavedView[]>('/api/views');
      const masked = views.find((v) => v.id === view.id)!;
      expect(JSON.stringify(masked)).not.toContain(ANA.number);
      expect(masked.name).toBe('Ana [erased]');
      expect(views.find((v) => v.id === other.id)).toEqual(other);
    }

    // The handler comes back: only Bruno's two forwards go out, and none of them holds her.
    handler.up();
    await t.call('forwards:retry', {});
    await expect.poll(() => handler.bodies.length, { timeout: 20_000 }).toBe(2);
    await expect.poll(async () => { const s = await waiting(); return s.queued + s.retrying; }, { timeout: 20_000 }).toBe(0);
    expect(handler.bodies.some((b) => b.includes(bruno.in1))).toBe(true);
    expect(handler.bodies.some((b) => b.includes(bruno.batch))).toBe(true);
    for (const b of handler.bodies) {
      expect(b).not.toContain(ANA.number);
      expect(b).not.toContain(ANA.name);
      for (const id of Object.values(ana)) expect(b).not.toContain(id);
    }
    expect((await waiting()).delivered).toBe(2);
  });
});
