// A full disk through the real `serve` (docs/api.md "Trust boundary"): webhooks are answered 503 with
// Retry-After — never 500, never a 200 for something not stored —, the API and the doctor say the disk
// is full, and receiving resumes by itself once there is room. The data folder sits on a small tmpfs the
// test mounts, which needs root.
import { afterAll, describe, expect, it } from 'vitest';
import { createHmac } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DoctorFinding, EventPage, RejectedPage } from '../../shared/types';
import { built } from '../helpers/build';
import { HEADLESS, startServe, type ServeProcess } from '../helpers/serve';

const SECRET = 'disk-secret';
const root = process.getuid?.() === 0;
const sign = (body: string) => `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;

function message(id: string) {
  // ~40 KiB of text: a few of these need pages SQLite has not got yet.
  return JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: 'WABA', changes: [{ field: 'messages', value: {
    messaging_product: 'whatsapp', metadata: { display_phone_number: '15550000000', phone_number_id: '100200300' },
    contacts: [{ profile: { name: 'Ana' }, wa_id: '5511988887777' }],
    messages: [{ from: '5511988887777', id, timestamp: '1700000000', type: 'text', text: { body: `${id} ${'x'.repeat(40_000)}` } }],
  } }] }] });
}

const mounts: string[] = [];
let s: ServeProcess | null = null;
afterAll(async () => {
  await s?.stop();
  for (const m of mounts) { try { execFileSync('umount', [m]); } catch { /* already gone */ } rmSync(m, { recursive: true, force: true }); }
});

/** Fills the filesystem: one file grown until the OS says there is no space left. */
function fill(file: string) {
  const chunk = Buffer.alloc(256 * 1024, 1);
  let i = 0;
  for (;;) {
    try { writeFileSync(`${file}.${i++}`, chunk); } catch { break; }
  }
  // The last bytes too: small files until nothing fits at all.
  for (let j = 0; j < 64; j++) { try { writeFileSync(`${file}.small${j}`, Buffer.alloc(4096, 1)); } catch { break; } }
}

describe.skipIf(!root || !built('a full disk', HEADLESS))('a full disk (root only: mounts a tmpfs)', () => {
  it('answers 503 + Retry-After, loses nothing it acknowledged, says so, and recovers when space returns — twice', { timeout: 180_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookscope-tmpfs-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', dir]);
    mounts.push(dir);
    const data = join(dir, 'data');
    s = await startServe([], { META_APP_SECRET: SECRET }, data);
    const acked = new Set<string>();
    let n = 0;
    for (let round = 0; round < 2; round++) {
      const filler = join(dir, `filler-${round}`);
      fill(filler);
      // Post until the disk refuses; every answer is a 200 (stored) or a 503 with Retry-After.
      let refused: Response | null = null;
      for (let i = 0; i < 400 && !refused; i++) {
        const id = `wamid.D${n++}`;
        const body = message(id);
        const r = await fetch(`${s.receiverUrl}/meta`, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(body) } });
        expect([200, 503]).toContain(r.status);
        if (r.status === 200) acked.add(id); else refused = r;
      }
      expect(refused, 'the disk never filled').not.toBeNull();
      expect(Number(refused!.headers.get('retry-after'))).toBeGreaterThan(0);
      // The API and the doctor say it.
      expect((await s.api<RejectedPage>('/api/rejected')).body.diskFull).toBe(true);
      expect((await s.api<{ findings: DoctorFinding[] }>('/api/doctor')).body.findings.map((f) => f.id)).toContain('disk-full');

      // Room again: the provider's retry is stored, and the outage is over by itself.
      execFileSync('sh', ['-c', `rm -f ${filler}.*`]);
      const id = `wamid.D${n++}`;
      const body = message(id);
      const r = await fetch(`${s.receiverUrl}/meta`, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(body) } });
      expect(r.status).toBe(200);
      acked.add(id);
      expect((await s.api<RejectedPage>('/api/rejected')).body.diskFull).toBe(false);
    }
    // Everything acknowledged is there, after a restart too.
    const ids = async () => {
      const out = new Set<string>();
      let before: number | undefined;
      for (;;) {
        const page = (await s!.api<EventPage>(`/api/events?limit=500${before ? `&before=${before}` : ''}`)).body;
        for (const e of page.items) if (e.messageId) out.add(e.messageId);
        if (page.items.length < 500) return out;
        before = page.items[page.items.length - 1].id;
      }
    };
    for (const id of acked) expect((await ids()).has(id), id).toBe(true);
    await s.stop();
    s = await startServe([], { META_APP_SECRET: SECRET }, data);
    const after = await ids();
    expect([...acked].filter((id) => !after.has(id))).toEqual([]);
  });
});
