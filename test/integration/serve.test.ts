// `npm run serve` as a user runs it: the real entry point in a child process.
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, request as httpRequest } from 'node:http';
import { chmodSync, mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { AddressInfo } from 'node:net';
import type { EventPage } from '../../shared/types';
import { fixture, SIGNED } from '../helpers/fixtures';
import { signMetaBody } from '../helpers/core';
import { burstThenKill, spawnServe, startServe, type ServeProcess } from '../helpers/serve';

let s: ServeProcess | null = null;
afterEach(async () => { await s?.stop('SIGKILL'); s = null; });

function waitExit(child: ReturnType<typeof spawnServe>['child']): Promise<number | null> {
  return new Promise((r) => child.on('exit', (code) => r(code)));
}

describe('serve', () => {
  it('prints the two lines, takes signed webhooks and lists them through the control API', async () => {
    s = await startServe([], { META_APP_SECRET: SIGNED.secret, META_VERIFY_TOKEN: 'vt' });
    expect(s.stdout()).toMatch(/^receiver: http:\/\/127\.0\.0\.1:\d+$/m);
    expect(s.stdout()).toMatch(/^ui: http:\/\/127\.0\.0\.1:\d+\/\?token=\S+$/m);
    const r = await fetch(`${s.receiverUrl}/meta`, { method: 'POST', body: fixture(SIGNED.file), headers: { 'x-hub-signature-256': SIGNED.signature } });
    expect(r.status).toBe(200);
    const list = await s.api<EventPage>('/api/events');
    expect(list.status).toBe(200);
    expect(list.body.total).toBe(1);
    expect(list.body.items[0].signature).toBe('valid');
    // Secrets are write-only: the settings say only that they are set.
    const settings = await s.api<{ secrets: Record<string, { set: boolean }> }>('/api/settings');
    expect(settings.body.secrets.metaAppSecret.set).toBe(true);
    expect(JSON.stringify(settings.body)).not.toContain(SIGNED.secret);
    // Logs never carry the secret either.
    expect(s.stdout() + s.stderr()).not.toContain(SIGNED.secret);
  });

  it('refuses the control API without the token, and with a foreign Host header', async () => {
    s = await startServe();
    const noToken = await fetch(`${s.uiBase}/api/events`);
    expect(noToken.status).toBe(401);
    expect(((await noToken.json()) as { error: { code: string } }).error.code).toBe('UNAUTHORIZED');
    const viaQuery = await fetch(`${s.uiBase}/api/events?token=${s.token}`);
    expect(viaQuery.status).toBe(200);
    const port = new URL(s.uiBase).port;
    const status = await new Promise<number>((resolve) => {
      httpRequest({ host: '127.0.0.1', port, path: '/api/events', headers: { host: `evil.example:${port}`, authorization: `Bearer ${s!.token}` } },
        (res) => { resolve(res.statusCode!); res.resume(); }).end();
    });
    expect(status).toBe(403);
  });

  it('answers bad API input with a 4xx and a readable error', async () => {
    s = await startServe();
    const r = await s.api<{ error: { code: string; message: string } }>('/api/events?status=bogus');
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('VALIDATION');
    expect(r.body.error.message).toMatch(/status/);
    const nf = await s.api<{ error: { code: string } }>('/api/events/999999');
    expect(nf.status).toBe(404);
  });

  it('streams new events live over /api/live', async () => {
    s = await startServe();
    const ctrl = new AbortController();
    const res = await fetch(`${s.uiBase}/api/live?token=${s.token}`, { signal: ctrl.signal });
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = res.body!.getReader();
    await fetch(`${s.receiverUrl}/meta`, { method: 'POST', body: fixture('meta/status-read.json') });
    let text = '';
    while (!text.includes('events:appended')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    ctrl.abort();
    expect(text).toMatch(/event: events:appended\ndata: \[.*"status":"read"/);
  });

  it('exits non-zero with one line when the receiver port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as AddressInfo).port;
    const { child, output } = spawnServe(['--port', String(port)]);
    const code = await waitExit(child);
    blocker.close();
    expect(code).not.toBe(0);
    expect(output.err.trim().split('\n')).toHaveLength(1);
    expect(output.err).toMatch(new RegExp(`Port ${port}.*in use`));
  });

  it('exits non-zero with one line when the data dir is not writable', async () => {
    if (process.getuid?.() === 0) {
      // Root can write anywhere; a path under a regular file can never be created.
      const { child, output } = spawnServe([], {}, join('/dev/null', 'hookscope'));
      expect(await waitExit(child)).not.toBe(0);
      expect(output.err).toMatch(/data directory.*(not writable|cannot be created)/);
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), 'hookscope-ro-'));
    chmodSync(dir, 0o500);
    const { child, output } = spawnServe([], {}, join(dir, 'sub'));
    expect(await waitExit(child)).not.toBe(0);
    expect(output.err).toMatch(/data directory/);
  });

  it('refuses a database written by a newer version', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookscope-new-'));
    mkdirSync(dir, { recursive: true });
    const db = new Database(join(dir, 'hookscope.db'));
    db.pragma('user_version = 999');
    db.close();
    const { child, output } = spawnServe([], {}, dir);
    expect(await waitExit(child)).not.toBe(0);
    expect(output.err).toMatch(/newer Hookscope/);
  });

  it('on SIGTERM finishes, closes the database and exits 0; the data is there on restart', async () => {
    s = await startServe();
    await fetch(`${s.receiverUrl}/meta`, { method: 'POST', body: fixture('meta/status-sent.json') });
    const dir = s.dataDir;
    expect(await s.stop('SIGTERM')).toBe(0);
    s = await startServe([], {}, dir);
    expect((await s.api<EventPage>('/api/events')).body.total).toBe(1);
  });

  it('loses nothing answered 200 when SIGKILLed during a burst', async () => {
    const secret = 'burst-secret';
    s = await startServe([], { META_APP_SECRET: secret });
    const dir = s.dataDir;
    const acked = await burstThenKill(s, (body) => signMetaBody(body, secret));
    s = await startServe([], {}, dir);
    const stored = new Set<string>();
    let before: number | undefined;
    for (;;) {
      const page = await s.api<EventPage>(`/api/events?limit=1000${before ? `&before=${before}` : ''}`);
      for (const e of page.body.items) stored.add(e.messageId!);
      if (page.body.items.length < 1000) break;
      before = page.body.items.at(-1)!.id;
    }
    const lost = [...acked].filter((id) => !stored.has(id));
    expect(acked.size).toBeGreaterThanOrEqual(300);
    expect(lost).toEqual([]);
  }, 120_000); // two serve boots and a burst of hundreds: slow under load
});
