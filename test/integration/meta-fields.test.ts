// The new WhatsApp families through the real core (HTTP on port 0, a SQLite file): what the store,
// stats, search, conversation and rules make of them. Payloads: test/fixtures/meta-fields/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import type { EventPage, MessageLifecycle, NotificationRecord, Rule, Stats, StatsExtra, HookEvent } from '../../shared/types';
import { RULE_PRESETS } from '../../shared/rules';
import { startTestCore, type TestCore } from '../helpers/core';

const DIR = path.join(__dirname, '..', 'fixtures', 'meta-fields');
const fixture = (name: string) => fs.readFileSync(path.join(DIR, `${name}.json`), 'utf8');

let t: TestCore;
beforeAll(async () => { t = await startTestCore(); });
afterAll(async () => { await t?.close(); });

async function post(name: string): Promise<void> {
  const r = await t.postMeta(fixture(name));
  expect(r.status).toBe(200);
}
const list = (q: Record<string, unknown>) => t.call<EventPage>('events:list', q);

describe('the new families, stored and read back', () => {
  it('history never notifies, is searchable, joins the conversation, and is not today\'s traffic', async () => {
    // A rule that would match anything from this customer: it must stay silent for imported history.
    const rule = await t.call<Rule>('rules:create', { name: 'Anything from them', when: { contact: '5511987650002' }, title: 't', body: '{text}' });
    const before = await t.call<Stats>('stats:get', {});
    await post('history');
    const notes = await t.call<{ items: NotificationRecord[] }>('notifications:list', {});
    expect(notes.items.filter((n) => n.ruleId === rule.id)).toEqual([]);

    const found = await list({ q: 'Pinheiros' });
    expect(found.items.map((e) => e.kind)).toEqual(['history']);

    const thread = await t.call<{ items: HookEvent[] }>('contacts:thread', { contactId: '5511987650002' });
    expect(thread.items.map((e) => e.messageId)).toEqual(['wamid.HIST1', 'wamid.HIST2']);
    expect(thread.items[1].details).toMatchObject({ direction: 'outgoing' });

    const after = await t.call<Stats>('stats:get', {});
    expect(after.byStatus.incoming ?? 0).toBe(before.byStatus.incoming ?? 0);
    const extra = await t.call<StatsExtra>('stats:extra', {});
    expect(extra.perMinute.reduce((a, b) => a + b.total, 0)).toBe(0);
    expect(extra.historyImport).toMatchObject({ progress: 55, phase: 1, chunkOrder: 3, messages: 2, declined: false });

    // A later chunk moves the progress on.
    await post('history-complete');
    expect((await t.call<StatsExtra>('stats:extra', {})).historyImport).toMatchObject({ progress: 100, messages: 2 });
  });

  it('a phone-app echo is an outgoing message: lifecycle, conversation, duplicates', async () => {
    await post('smb_message_echoes');
    const life = await t.call<MessageLifecycle>('messages:get', { messageId: 'wamid.ECHO1' });
    expect(life).toMatchObject({ contactId: '5511987650001', current: 'sent' });
    const thread = await t.call<{ items: HookEvent[] }>('contacts:thread', { contactId: '5511987650001' });
    expect(thread.items).toHaveLength(1);
    expect(thread.items[0]).toMatchObject({ kind: 'echo', text: 'Your table for 4 is confirmed for 8pm' });
    // Meta retries: the same echo again is flagged as a duplicate.
    await post('smb_message_echoes');
    const echoes = await list({ kind: ['echo'] });
    expect(echoes.items.map((e) => e.duplicate)).toEqual([true, false]);
  });

  it('"a call failed" notifies with the calling code explained; a completed call does not', async () => {
    const preset = RULE_PRESETS.find((p) => p.id === 'call-failed')!.rule;
    const rule = await t.call<Rule>('rules:create', preset);
    await post('calls-terminate-completed');
    await post('calls-terminate-failed');
    const fired = (await t.call<{ items: NotificationRecord[] }>('notifications:list', {})).items.filter((n) => n.ruleId === rule.id);
    expect(fired).toHaveLength(1);
    expect(fired[0].title).toBe('Call with +5511987650007 failed');
    expect(fired[0].body).toMatch(/^Call failed \(138021\)\. Look the code up in Meta's calling troubleshooting reference/);
    const calls = await list({ kind: ['call'] });
    expect(calls.total).toBe(2);
  });

  it('pricing on statuses is summed per category over the week, each message once', async () => {
    await post('status-pricing-pmp');
    await post('status-pricing-pmp'); // a retry of the same statuses must not count twice
    const extra = await t.call<StatsExtra>('stats:extra', {});
    expect(extra.pricing).toMatchObject({ billable: 1, free: 1, byCategory: { marketing: { billable: 1, free: 0 }, service: { billable: 0, free: 1 } } });
  });

  it('the kind filter reaches every new family', async () => {
    for (const name of ['calls-connect', 'group_lifecycle_update', 'flows-status-change', 'smb_app_state_sync', 'account_alerts']) await post(name);
    for (const kind of ['call', 'group', 'flow', 'contact', 'echo', 'history', 'account']) {
      expect((await list({ kind: [kind] })).total, kind).toBeGreaterThan(0);
    }
  });
});
