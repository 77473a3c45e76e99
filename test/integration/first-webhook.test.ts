// Setup ends with the first real webhook (doctor:get `firstRealWebhookAt`): a signed message or status
// from the network. Meta's handshake, simulated traffic and an unchecked (unsigned) POST do not end it;
// once seen it stays seen across restarts. And the Messages view's counts (messages:stats): one per
// message id, so a provider's retry and a message's several events count once.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MessageStats } from '../../shared/types';
import { startTestCore, type TestCore } from '../helpers/core';
import { fixture } from '../helpers/fixtures';
import { incomingText, statusUpdate } from '../helpers/meta-payloads';

const SECRET = 'first-webhook-secret';
let t: TestCore | null = null;
const dirs: string[] = [];
afterEach(async () => {
  await t?.close();
  t = null;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const first = async (tc: TestCore) => (await tc.call<{ firstRealWebhookAt: number | null }>('doctor:get', {})).firstRealWebhookAt;

describe('the first real webhook', () => {
  it('is not the handshake, a simulated message or an unsigned POST; it is a signed one, and it stays across restarts', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'hookscope-first-'));
    dirs.push(dataDir);
    const env = { metaAppSecrets: [SECRET], metaVerifyToken: 'vt' };
    for (let round = 0; round < 2; round++) {
      // Run twice over fresh stores: nothing left from the first round decides the second.
      const dir = round === 0 ? dataDir : mkdtempSync(join(tmpdir(), 'hookscope-first-'));
      if (round === 1) dirs.push(dir);
      t = await startTestCore({ dataDir: dir, env });
      expect(await first(t)).toBeNull();

      const hs = await fetch(`${t.url}/meta?hub.mode=subscribe&hub.verify_token=vt&hub.challenge=1`);
      expect(await hs.text()).toBe('1');
      await t.call('simulate:send', { kind: 'message', provider: 'meta' });
      await t.call('simulate:send', { kind: 'status', provider: 'meta', statuses: ['sent', 'delivered'] });
      // Twilio has no auth token here: its POST is stored "unchecked" — anyone with the URL could send it.
      const tw = await t.post('/twilio', fixture('twilio/inbound-text.txt'), { 'content-type': 'application/x-www-form-urlencoded' });
      expect(tw.status).toBe(200);
      expect(await first(t)).toBeNull();

      const before = Date.now();
      expect((await t.postMeta(incomingText(`wamid.REAL${round}`, '447900000001', 'hello'), SECRET)).status).toBe(200);
      await t.call('events:list', {}); // derives what is pending
      const at = await first(t);
      expect(at).toBeGreaterThanOrEqual(before - 1000);
      await t.close();
      t = null;

      if (round === 0) {
        // The same store opened again remembers it.
        t = await startTestCore({ dataDir: dir, env });
        expect(await first(t)).toBe(at);
        await t.close();
        t = null;
      }
    }
  }, 60_000);
});

describe('messages:stats', () => {
  it('counts messages, not events: a retry and a message\'s several events count once, per status and in all', async () => {
    t = await startTestCore({ env: { metaAppSecrets: [SECRET] } });
    const failed = statusUpdate('wamid.F1', 'failed', 1_700_000_010, '5511999990000', { code: 131047, title: 'Re-engagement message' });
    for (const body of [statusUpdate('wamid.F1', 'sent', 1_700_000_000), failed, failed,
      statusUpdate('wamid.F2', 'failed', 1_700_000_020, '5511999990000', { code: 131026, title: 'Message undeliverable' }),
      incomingText('wamid.IN1', '447900000001', 'hi')]) {
      expect((await t.postMeta(body, SECRET)).status).toBe(200);
    }
    const all = await t.call<MessageStats>('messages:stats', {});
    expect(all).toEqual({ byStatus: { sent: 1, failed: 2, incoming: 1 }, total: 3, all: 3 });
    // The status part of the filter picks the rows (total); the per-status counts ignore it, as the chips do.
    const onlyFailed = await t.call<MessageStats>('messages:stats', { status: ['failed'] });
    expect(onlyFailed).toEqual({ byStatus: { sent: 1, failed: 2, incoming: 1 }, total: 2, all: 3 });
    const page = await t.call<{ items: unknown[] }>('messages:list', { status: ['failed'] });
    expect(page.items).toHaveLength(onlyFailed.total);
    const meta = await t.call<MessageStats>('messages:stats', { status: ['failed'], contact: '447900000001' });
    expect(meta.total).toBe(0);
  });
});
