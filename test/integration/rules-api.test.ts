// Rules and notifications through the control API of a real `serve` process (docs/api.md).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NotificationRecord, Rule } from '../../shared/types';
import { startServe, type ServeProcess } from '../helpers/serve';

let s: ServeProcess;
beforeAll(async () => { s = await startServe(); });
afterAll(async () => { await s?.stop(); });

let seq = 0;
function meta(value: Record<string, unknown>) {
  return JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: 'W', changes: [{ field: 'messages', value: {
    messaging_product: 'whatsapp', metadata: { display_phone_number: '15550001111', phone_number_id: '111' }, ...value } }] }] });
}
const now = () => String(Math.floor(Date.now() / 1000));
const status = (id: string, st: string, to: string, errors?: unknown[]) => meta({ statuses: [{ id, status: st, timestamp: now(), recipient_id: to, ...(errors ? { errors } : {}) }] });
const incoming = (from: string, text: string, name = 'Lead') => meta({
  contacts: [{ profile: { name }, wa_id: from }],
  messages: [{ from, id: `wamid.in${++seq}`, timestamp: now(), type: 'text', text: { body: text } }],
});
const send = (body: string) => fetch(`${s.receiverUrl}/meta`, { method: 'POST', body });

async function notifications(ruleId: number): Promise<NotificationRecord[]> {
  const r = await s.api<{ items: NotificationRecord[] }>('/api/notifications');
  return r.body.items.filter((n) => n.ruleId === ruleId);
}

describe('rules through the control API', () => {
  it('a lead who got a message and replies fires once; a stranger does not', async () => {
    const created = await s.api<Rule>('/api/rules', { method: 'POST', body: JSON.stringify({
      name: 'Lead replied', when: { kind: ['message'], leadReply: true }, title: '{contactName} replied', body: '{text}' }) });
    expect(created.status).toBe(201);
    const rule = created.body;
    await send(status('wamid.out1', 'sent', '5511911110001'));
    await send(incoming('5511911110001', 'Sim, quero agendar', 'Maria'));
    await send(incoming('5511922220002', 'who is this?', 'Stranger'));
    const fired = await notifications(rule.id);
    expect(fired).toHaveLength(1);
    expect(fired[0].title).toBe('Maria replied');
    expect(fired[0].body).toBe('Sim, quero agendar');
    expect(fired[0].eventId).toBeGreaterThan(0);
  });

  it('three failures for one contact inside the throttle window notify once', async () => {
    const rule = (await s.api<Rule>('/api/rules', { method: 'POST', body: JSON.stringify({
      name: 'Failed', when: { kind: ['status'], status: ['failed'] }, throttleSeconds: 600, title: 'Failed: {errorTitle}', body: '{contactId}' }) })).body;
    const err = [{ code: 131047, title: 'Re-engagement message' }];
    for (let i = 0; i < 3; i++) await send(status(`wamid.f${i}`, 'failed', '5511933330003', err));
    await send(status('wamid.f9', 'failed', '5511944440004', err));
    const fired = await notifications(rule.id);
    expect(fired).toHaveLength(2);
    expect(fired.map((n) => n.title)).toContain('Failed: Re-engagement message');
  });

  it('a disabled rule is silent, and can be enabled again with PUT', async () => {
    const rule = (await s.api<Rule>('/api/rules', { method: 'POST', body: JSON.stringify({
      name: 'Keyword', enabled: false, when: { kind: ['message'], text: 'appointment' }, title: 'kw', body: '{text}' }) })).body;
    await send(incoming('5511955550005', 'about my appointment'));
    expect(await notifications(rule.id)).toHaveLength(0);
    const put = await s.api<Rule>(`/api/rules/${rule.id}`, { method: 'PUT', body: JSON.stringify({ ...rule, id: undefined, enabled: true }) });
    expect(put.status).toBe(200);
    await send(incoming('5511955550005', 'APPOINTMENT tomorrow?'));
    expect(await notifications(rule.id)).toHaveLength(1);
    const del = await s.api(`/api/rules/${rule.id}`, { method: 'DELETE' });
    expect(del.status).toBe(200);
    const list = await s.api<Rule[]>('/api/rules');
    expect(list.body.find((r) => r.id === rule.id)).toBeUndefined();
  });

  it('an invalid rule gets a 4xx with a message saying what is wrong', async () => {
    const noName = await s.api<{ error: { code: string; message: string } }>('/api/rules', { method: 'POST', body: JSON.stringify({ name: '', when: { kind: ['message'] } }) });
    expect(noName.status).toBe(400);
    expect(noName.body.error.message).toMatch(/name/);
    const runaway = await s.api<{ error: { code: string; message: string } }>('/api/rules', { method: 'POST', body: JSON.stringify({ name: 'bad', when: { textRegex: '(stop)\\1' } }) });
    expect(runaway.status).toBe(400);
    expect(runaway.body.error.code).toBe('REGEX_UNSAFE');
    const badStatus = await s.api<{ error: { message: string } }>('/api/rules', { method: 'POST', body: JSON.stringify({ name: 'x', when: { status: ['bogus'] } }) });
    expect(badStatus.status).toBe(400);
    expect(badStatus.body.error.message).toMatch(/status/);
  });

  it('previews a rule against an event and counts what it would have fired in 24 h', async () => {
    const preview = await s.api<{ valid: boolean; wouldHaveFired: number }>('/api/rules/preview', { method: 'POST', body: JSON.stringify({
      rule: { name: 'p', when: { kind: ['status'], status: ['failed'] }, title: 't', body: 'b' } }) });
    expect(preview.status).toBe(200);
    expect(preview.body.valid).toBe(true);
    expect(preview.body.wouldHaveFired).toBe(4);
  });
});
