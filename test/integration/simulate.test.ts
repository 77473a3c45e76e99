// The simulator: provider-shaped, signed webhooks through the real receiver; chaos options.
import { afterEach, describe, expect, it } from 'vitest';
import type { SimulateResult } from '../../shared/ipc';
import type { EventDetail, EventPage, MessageLifecycle } from '../../shared/types';
import { startTestCore, type TestCore } from '../helpers/core';

let t: TestCore | null = null;
afterEach(async () => { await t?.close(); t = null; });

const SECRETS = { metaAppSecrets: ['meta-secret'], twilioAuthTokens: ['twilio-token'] };

async function events(tc: TestCore, q: Record<string, unknown> = {}) {
  return (await tc.call<EventPage>('events:list', { limit: 1000, ...q })).items;
}

describe('simulate', () => {
  const metaTypes = ['text', 'image', 'audio', 'voice', 'video', 'document', 'sticker', 'location', 'interactive', 'list_reply', 'button', 'reaction'] as const;
  it.each(metaTypes)('Meta %s message: signed, valid, normalised, origin simulate', async (messageType) => {
    t = await startTestCore({ env: SECRETS });
    const r = await t.call<SimulateResult>('simulate:send', { kind: 'message', provider: 'meta', messageType, contactName: 'João Ñandú' });
    expect(r).toMatchObject({ sent: 1, statuses: [200] });
    const [ev] = await events(t);
    expect(ev).toMatchObject({ kind: 'message', status: 'incoming', provider: 'meta', signature: 'valid', contactId: '5511987654321', contactName: 'João Ñandú' });
    const expected = messageType === 'voice' ? 'audio' : messageType === 'list_reply' ? 'interactive' : messageType;
    expect(ev.messageType).toBe(expected);
    const req = (await t.call<EventDetail>('events:get', { id: ev.id })).request;
    expect(req.origin).toBe('simulate');
    expect(req.id).toBe(r.requestIds[0]);
    // Meta's escaping: no raw non-ASCII on the wire.
    expect([...req.body].every((ch) => ch.charCodeAt(0) < 0x80)).toBe(true);
    expect(req.body).toContain('Jo\\u00e3o');
  });

  it('Meta statuses with a catalogued failure: the error is named', async () => {
    t = await startTestCore({ env: SECRETS });
    const r = await t.call<SimulateResult>('simulate:send', { kind: 'status', statuses: ['sent', 'failed'], errorCode: 131047, messageId: 'wamid.SIM1' });
    expect(r.statuses).toEqual([200, 200]);
    const lc = await t.call<MessageLifecycle>('messages:get', { messageId: 'wamid.SIM1' });
    expect(lc.current).toBe('failed');
    const failed = lc.events.find((e) => e.status === 'failed')!;
    expect(failed.errorCode).toBe('131047');
    expect(failed.errorTitle).toBeTruthy();
    expect(lc.events.every((e) => e.signature === 'valid')).toBe(true);
  });

  it.each(['text', 'image', 'location', 'button'] as const)('Twilio %s message: signed over the URL, valid', async (messageType) => {
    t = await startTestCore({ env: SECRETS });
    const r = await t.call<SimulateResult>('simulate:send', { kind: 'message', provider: 'twilio', messageType, text: messageType === 'text' ? 'Olá, tudo bem?' : undefined });
    expect(r.statuses).toEqual([200]);
    const [ev] = await events(t);
    expect(ev).toMatchObject({ provider: 'twilio', kind: 'message', signature: 'valid', contactId: '5511987654321' });
    if (messageType === 'text') expect(ev.text).toBe('Olá, tudo bem?');
  });

  it('Twilio statuses, signed over the public URL when one is set', async () => {
    t = await startTestCore({ env: { ...SECRETS, publicUrl: 'https://hooks.example.com' } });
    const r = await t.call<SimulateResult>('simulate:send', { kind: 'status', provider: 'twilio', statuses: ['queued', 'sent', 'delivered', 'undelivered'], errorCode: '63016' });
    expect(r.sent).toBe(4);
    const evs = await events(t);
    expect(evs.every((e) => e.signature === 'valid' && e.kind === 'status')).toBe(true);
    expect(evs.find((e) => e.providerStatus === 'undelivered')).toMatchObject({ status: 'failed', errorCode: '63016' });
  });

  it('without a secret the webhooks go unsigned and are stored as unchecked', async () => {
    t = await startTestCore();
    await t.call('simulate:send', { kind: 'message' });
    const [ev] = await events(t);
    expect(ev.signature).toBe('unchecked');
    const req = (await t.call<EventDetail>('events:get', { id: ev.id })).request;
    expect(req.headers.some(([k]) => k === 'x-hub-signature-256')).toBe(false);
  });

  it('chaos batch: every step in one POST', async () => {
    t = await startTestCore({ env: SECRETS });
    const r = await t.call<SimulateResult>('simulate:send', { kind: 'status', count: 2, statuses: ['sent', 'delivered', 'read'], chaos: { batch: true } });
    expect(r.sent).toBe(1);
    const evs = await events(t);
    expect(evs).toHaveLength(6);
    expect(new Set(evs.map((e) => e.requestId)).size).toBe(1);
    expect(evs.every((e) => e.signature === 'valid')).toBe(true);
  });

  it('chaos reorder: arrival order differs, the lifecycle still ends at read', async () => {
    t = await startTestCore({ env: SECRETS });
    await t.call('simulate:send', { kind: 'status', statuses: ['sent', 'delivered', 'read'], messageId: 'wamid.R', chaos: { reorder: true } });
    const arrival = (await events(t)).reverse().map((e) => e.status);
    expect(arrival).not.toEqual(['sent', 'delivered', 'read']);
    const lc = await t.call<MessageLifecycle>('messages:get', { messageId: 'wamid.R' });
    expect(lc.current).toBe('read');
    expect(lc.events.map((e) => e.status)).toEqual(['sent', 'delivered', 'read']);
  });

  it('chaos duplicate: the same bytes delivered again are flagged duplicate', async () => {
    t = await startTestCore({ env: SECRETS });
    const r = await t.call<SimulateResult>('simulate:send', { kind: 'status', statuses: ['sent', 'read'], chaos: { duplicate: true } });
    expect(r.sent).toBe(3);
    const evs = await events(t);
    expect(evs.filter((e) => e.duplicate)).toHaveLength(1);
    const [a, b] = await Promise.all(r.requestIds.filter((_, i) => i === 0 || i === 2).map(async (id) => {
      const ev = evs.find((e) => e.requestId === id)!;
      return (await t!.call<EventDetail>('events:get', { id: ev.id })).request.body;
    }));
    expect(a).toBe(b);
  });

  it('delayMs spaces the steps out', async () => {
    t = await startTestCore();
    const started = Date.now();
    await t.call('simulate:send', { kind: 'message', count: 3, delayMs: 60 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
  });

  it('validates options with clear messages', async () => {
    t = await startTestCore();
    await expect(t.call('simulate:send', { kind: 'message', provider: 'twilio', chaos: { batch: true } })).rejects.toThrow(/Meta-only/);
    await expect(t.call('simulate:send', { kind: 'message', provider: 'twilio', messageType: 'reaction' })).rejects.toThrow(/messageType/);
    await expect(t.call('simulate:send', { kind: 'message', contactId: '+55 11' })).rejects.toThrow(/contactId/);
    await expect(t.call('simulate:send', { kind: 'message', bogus: 1 })).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(t.call('simulate:send', { kind: 'message', target: 'public' })).rejects.toThrow(/public URL/);
  });

  it('target public sends over real HTTP to the public URL and finds the stored ids', async () => {
    // The "public" URL here is the receiver itself: the whole network path, as through a tunnel. The
    // settings refuse a loopback public URL (Meta could never call it), so it goes in as the variable
    // would, read when needed.
    const env: typeof SECRETS & { publicUrl?: string } = { ...SECRETS };
    t = await startTestCore({ env });
    env.publicUrl = t.url;
    const r = await t.call<SimulateResult>('simulate:send', { kind: 'message', provider: 'twilio', target: 'public' });
    expect(r.statuses).toEqual([200]);
    expect(r.requestIds).toHaveLength(1);
    const [ev] = await events(t);
    expect(ev.requestId).toBe(r.requestIds[0]);
    expect(ev.signature).toBe('valid');
    expect((await t.call<EventDetail>('events:get', { id: ev.id })).request.origin).toBe('network');
  });
});
