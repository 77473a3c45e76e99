// Every webhook field and message type Meta documents in 2025–26, read as what it is. Payloads are
// written for this repository from Meta's documented shapes (test/fixtures/meta-fields/, one file per
// field or type), including the mistakes in Meta's own examples that senders copy.
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { normaliseMeta } from '../../shared/normalise';
import { explainError } from '../../shared/error-codes';
import { compileRule, RULE_PRESETS } from '../../shared/rules';
import type { HookEvent, NormalisedEvent } from '../../shared/types';

const DIR = path.join(__dirname, '..', 'fixtures', 'meta-fields');
const load = (name: string): NormalisedEvent[] => normaliseMeta(JSON.parse(fs.readFileSync(path.join(DIR, `${name}.json`), 'utf8')));
const one = (name: string): NormalisedEvent => {
  const evs = load(name);
  expect(evs).toHaveLength(1);
  return evs[0];
};
const s = (sec: number) => sec * 1000;
/** A stored-looking event, for rule evaluation. */
const stored = (e: NormalisedEvent): HookEvent => ({ ...e, id: 1, requestId: 1, receivedAt: 0, signature: 'valid', duplicate: false });
const noLead = { isLeadReply: () => false };

describe('fixtures', () => {
  it('every fixture reads into events without a single "not understood" except the deliberate unknowns', () => {
    const files = fs.readdirSync(DIR).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(40);
    for (const f of files) {
      const evs = load(f.replace(/\.json$/, ''));
      expect(evs.length, f).toBeGreaterThan(0);
      const confused = evs.filter((e) => e.kind === 'unknown' || e.details?.notUnderstood === true);
      if (f.startsWith('unknown-')) expect(confused.length, f).toBe(1);
      else expect(confused, f).toEqual([]);
      // Statuses are shown by their state word; everything else has words of its own.
      for (const e of evs) if (e.kind !== 'status') expect(e.text, `${f} has words`).toBeTruthy();
    }
  });
});

describe('coexistence', () => {
  it('smb_message_echoes: a message typed in the phone app is an outgoing echo to the customer', () => {
    expect(one('smb_message_echoes')).toMatchObject({
      kind: 'echo', status: 'sent', messageId: 'wamid.ECHO1', contactId: '5511987650001', businessId: '106540352242922',
      messageType: 'text', text: 'Your table for 4 is confirmed for 8pm', timestamp: s(1764470000),
      details: { direction: 'outgoing', source: 'WhatsApp Business app' },
    });
  });

  it('history: each past message is a history event in its thread; the chunk reports progress last', () => {
    const [inMsg, outMsg, progress] = load('history');
    expect(inMsg).toMatchObject({ kind: 'history', status: null, providerStatus: 'READ', contactId: '5511987650002', messageId: 'wamid.HIST1',
      text: 'Do you deliver to Pinheiros?', timestamp: s(1758000000), details: { imported: true, direction: 'incoming', historyStatus: 'read', phase: 1, chunkOrder: 3 } });
    // The business's own past reply belongs to the same customer's thread.
    expect(outMsg).toMatchObject({ kind: 'history', status: null, contactId: '5511987650002', details: { direction: 'outgoing', historyStatus: 'delivered' } });
    expect(progress).toMatchObject({ kind: 'history', messageType: 'history_sync', providerStatus: 'importing', contactId: null,
      details: { phase: 1, chunkOrder: 3, progress: 55, messages: 2 } });
    expect(progress.text).toBe('Importing chat history: 55% — phase 2 of 3 (day 1–90), chunk 3, 2 messages');
    // The progress event does not carry the messages again.
    expect(JSON.stringify(progress.raw)).not.toContain('Pinheiros');
  });

  it('history: completion and a declined share', () => {
    expect(one('history-complete')).toMatchObject({ providerStatus: 'complete', details: { progress: 100 } });
    expect(one('history-complete').text).toMatch(/^Chat history import complete \(100%\)/);
    const declined = one('history-declined');
    expect(declined).toMatchObject({ kind: 'history', providerStatus: 'declined', errorCode: '2593109', details: { declined: true, signals: ['history_declined'] } });
    expect(declined.text).toMatch(/^Chat history not imported: History sync is turned off/);
    expect(explainError('2593109', 'meta')).toMatchObject({ known: true, title: 'Chat history sharing is off' });
  });

  it('smb_app_state_sync: contact added, changed, removed', () => {
    const [add, edit, remove] = load('smb_app_state_sync');
    expect(add).toMatchObject({ kind: 'contact', providerStatus: 'add', contactId: '5511987650003', contactName: 'Ana Souza', timestamp: s(1764470100),
      text: "Ana Souza added to the phone app's contacts", details: { action: 'added' } });
    expect(edit).toMatchObject({ contactName: 'Bruno Lima', text: "Bruno Lima changed in the phone app's contacts", details: { action: 'changed' } });
    expect(remove).toMatchObject({ contactId: '5511987650005', contactName: null, text: "+5511987650005 removed from the phone app's contacts", details: { action: 'removed' } });
  });
});

describe('calls', () => {
  it('connect: an incoming call, the caller is the contact', () => {
    expect(one('calls-connect')).toMatchObject({ kind: 'call', messageId: 'wacid.CONNECT1', contactId: '5511987650006', contactName: 'Carla Dias',
      providerStatus: 'connect', details: { direction: 'incoming', callEvent: 'connect', caller: '5511987650006', callee: '15550001111' } });
  });

  it('terminate: duration, start and end; completed calls are not failures', () => {
    const ev = one('calls-terminate-completed');
    expect(ev).toMatchObject({ providerStatus: 'COMPLETED', errorCode: null, text: 'Incoming call from +5511987650006 ended after 1 min 5 s',
      details: { outcome: 'completed', durationSeconds: 65, startedAt: s(1764470205), endedAt: s(1764470270) } });
    expect(ev.details!.signals).toBeUndefined();
  });

  it('a failed business-initiated call carries its 138xxx code; the callee is the contact', () => {
    const ev = one('calls-terminate-failed');
    expect(ev).toMatchObject({ kind: 'call', contactId: '5511987650007', providerStatus: 'FAILED', errorCode: '138021', errorTitle: 'Call failed',
      errorDetail: 'The call could not be completed', text: 'Outgoing call to +5511987650007 failed: Call failed',
      details: { direction: 'outgoing', outcome: 'failed', severity: 'warning', signals: ['call_failed'] } });
    // Not one of the listed calling codes: still explained as a calling error, with where to look.
    expect(explainError('138021', 'meta')).toMatchObject({ known: false, title: 'Calling error 138021' });
    expect(explainError('138021', 'meta')!.action).toMatch(/call logs/i);
  });

  it('a user-initiated call nobody answered is a missed call', () => {
    expect(one('calls-terminate-missed')).toMatchObject({ text: 'Missed call from +5511987650008', details: { outcome: 'missed', signals: ['call_missed'] } });
  });

  it('call status updates and call errors', () => {
    const [ringing, rejected] = load('calls-status');
    expect(ringing).toMatchObject({ kind: 'call', providerStatus: 'RINGING', contactId: '5511987650009', text: 'Outgoing call to +5511987650009 is ringing' });
    expect(rejected).toMatchObject({ providerStatus: 'REJECTED', text: '+5511987650009 declined the call', details: { signals: ['call_rejected'] } });
    expect(one('calls-errors')).toMatchObject({ kind: 'call', messageType: 'call_error', errorCode: '138006', details: { signals: ['call_failed'] } });
    expect(explainError('138006', 'meta')).toMatchObject({ known: true, title: 'No permission to call this customer' });
  });

  it('user_actions and call permission replies read as what they are', () => {
    expect(one('calls-user_actions')).toMatchObject({ kind: 'call', messageType: 'user_action', contactId: '5511987650010', providerStatus: 'GRANTED',
      text: '+5511987650010: call permission — granted' });
    const reply = one('message-call_permission_reply');
    expect(reply).toMatchObject({ kind: 'message', messageType: 'interactive', details: { interactiveType: 'call_permission_reply',
      callPermission: { response: 'accept', permanent: false, expiresAt: s(1765075200) } } });
    expect(reply.text).toMatch(/^Allowed the business to call them \(until 2025-12-07/);
  });
});

describe('groups', () => {
  it('lifecycle, participants, settings, suspension', () => {
    expect(one('group_lifecycle_update')).toMatchObject({ kind: 'group', providerStatus: 'group_create', text: 'Group “Support squad” created', details: { groupId: 'G.120363001' } });
    expect(one('group_participants_update')).toMatchObject({ text: 'Group G.120363001 participants added: +5511987650011, +5511987650012', contactId: null, details: { added: 2 } });
    // One person affected: that person is the contact, so filtering by them finds it.
    expect(one('group_participants_update-remove-one')).toMatchObject({ contactId: '5511987650012', text: 'Group G.120363001 participants removed: +5511987650012' });
    expect(one('group_settings_update')).toMatchObject({ text: 'Group “Support squad (night)” settings changed: subject → “Support squad (night)”; picture (failed)', details: { severity: 'warning' } });
    expect(one('group_status_update')).toMatchObject({ text: 'Group G.120363001 suspended by WhatsApp', details: { severity: 'critical', signals: ['group_suspended'] } });
  });

  it('group messages keep the group; group read receipts name the participant who read, not the group', () => {
    expect(one('message-group')).toMatchObject({ kind: 'message', contactId: '5511987650011', contactName: 'Davi Rocha', details: { groupId: 'G.120363001' } });
    expect(one('status-group-read')).toMatchObject({ kind: 'status', status: 'read', contactId: '5511987650011', contactName: 'Davi Rocha', details: { groupId: 'G.120363001' } });
  });
});

describe('every other field', () => {
  it('flows: status changes and endpoint alerts; blocked stands out', () => {
    expect(one('flows-status-change')).toMatchObject({ kind: 'flow', providerStatus: 'BLOCKED', timestamp: s(1764470900),
      text: 'Flow Appointment booking changed status from THROTTLED to BLOCKED', details: { flowId: '987654321', severity: 'critical', signals: ['flow_blocked'] } });
    expect(one('flows-status-published')).toMatchObject({ text: 'Flow 987654321 status DRAFT → PUBLISHED' });
    expect(one('flows-status-published').details!.severity).toBeUndefined();
    expect(one('flows-endpoint-error-rate')).toMatchObject({ providerStatus: 'ACTIVATED', text: 'Flow 987654321: endpoint error rate activated (error rate 25%, threshold 10%)', details: { signals: ['flow_alert'] } });
    expect(one('flows-endpoint-latency').text).toBe('Flow 987654321: endpoint latency activated (p90 latency 7500 ms, p50 latency 2100 ms, threshold 7000 ms)');
    const ok = one('flows-endpoint-availability');
    expect(ok).toMatchObject({ providerStatus: 'DEACTIVATED', text: 'Flow 987654321: endpoint availability deactivated (availability 98%, threshold 90%)' });
    expect(ok.details!.signals).toBeUndefined();
  });

  it('automatic_events: ad-driven purchase and lead with the ad click id, joined to the message', () => {
    const [purchase, lead] = load('automatic_events');
    expect(purchase).toMatchObject({ kind: 'account', messageType: 'automatic_events', providerStatus: 'Purchase', messageId: 'wamid.ADCHAT1',
      details: { ctwaClid: expect.stringMatching(/^ARAkLkA8/), customData: { currency: 'BRL', value: 149.9 } } });
    expect(purchase.text).toMatch(/^Purchase detected in a chat from an ad: 149\.9 BRL \(ad click ARAkLkA8/);
    expect(lead).toMatchObject({ providerStatus: 'LeadSubmitted', text: 'Lead detected in a chat from an ad (ad click ARAkLkA8rmlFeiCktEJQ-LEADEXAMPLE)' });
  });

  it('account-level fields in words', () => {
    expect(one('account_settings_update')).toMatchObject({ kind: 'account', messageType: 'account_settings_update' });
    expect(one('account_settings_update').text).toMatch(/^Account settings changed: .*calling status ENABLED/);
    expect(one('partner_solutions')).toMatchObject({ providerStatus: 'DEACTIVATED', text: 'Multi-partner solution 5012345678: deactivated (solution updated)', details: { severity: 'warning' } });
    expect(one('payment_configuration_update')).toMatchObject({ providerStatus: 'Active', text: 'Payment configuration “shop-upi” (razorpay): Active' });
    expect(one('business_status_update')).toMatchObject({ text: 'Business status: restricted', details: { severity: 'critical', signals: ['account_restricted'] } });
    expect(one('phone_number_username_update')).toMatchObject({ text: 'Business username @joes_pizza for 15550001111: approved' });
    expect(one('messaging_handovers')).toMatchObject({ kind: 'account', providerStatus: 'control_passed', contactId: '5511987650013', businessId: '106540352242922',
      text: 'Conversation with +5511987650013 passed to this app (previous owner app_agent_bot, new owner app_helpdesk)' });
    expect(one('account_alerts')).toMatchObject({ text: 'Your messaging limit was lowered because of low quality', details: { severity: 'critical', signals: ['account_alert'] } });
  });

  it('template components say what changed; quality says previous → new and flags a drop', () => {
    expect(one('message_template_components_update').text).toBe(
      'order_ready (en_US) components updated: header “Order ready”, body “Hi {{1}}, your order {{2}} is ready for pickup.”, footer “Joe\'s Pizza”, 2 buttons (Track order, Call us)');
    expect(one('message_template_quality_update')).toMatchObject({ providerStatus: 'RED', text: 'weekly_promo (pt_BR) quality YELLOW → RED',
      details: { previousQuality: 'YELLOW', newQuality: 'RED', signals: ['quality_dropped'] } });
  });
});

describe("Meta's example mistakes, read as what they mean", () => {
  it('a change whose field sits on the entry', () => {
    expect(one('mistake-field-on-entry')).toMatchObject({ kind: 'account', messageType: 'account_update', providerStatus: 'ACCOUNT_RESTRICTION',
      text: 'ACCOUNT_RESTRICTION: RESTRICTED_BIZ_INITIATED_MESSAGING', details: { signals: ['account_restricted'], note: expect.stringMatching(/on the entry/) } });
  });

  it('a quality update labelled as a status update', () => {
    expect(one('mistake-quality-as-status-update')).toMatchObject({ kind: 'template', messageType: 'message_template_quality_update', providerStatus: 'YELLOW',
      text: 'welcome (en) quality GREEN → YELLOW', details: { note: expect.stringMatching(/read as a quality update/) } });
  });

  it('a location without a type key is a location', () => {
    expect(one('message-location-no-type')).toMatchObject({ messageType: 'location', text: 'Av. Paulista — Av. Paulista, 1578 - Bela Vista, São Paulo' });
  });

  it('a change with no field at all is routed on its value keys', () => {
    const evs = normaliseMeta({ object: 'whatsapp_business_account', entry: [{ id: 'W', changes: [{ value: { message_echoes: [{ id: 'x', to: '5511', type: 'text', text: { body: 'hi' } }] } }] }] });
    expect(evs[0]).toMatchObject({ kind: 'echo', text: 'hi', details: { note: expect.stringMatching(/smb_message_echoes/) } });
  });
});

describe('quiet message types get words', () => {
  it.each([
    ['message-request_welcome', 'request_welcome', 'Opened the chat for the first time'],
    ['message-ephemeral', 'ephemeral', 'Sent a disappearing message (WhatsApp does not pass its content on)'],
    ['message-unsupported-edit', 'unsupported', 'Edited a message (WhatsApp does not pass this on to the API)'],
    ['message-document-no-caption', 'document', 'invoice-2026-11.pdf'],
    ['message-system-identity', 'system', 'Their security code changed (new phone or reinstall)'],
  ])('%s', (file, type, text) => {
    expect(one(file)).toMatchObject({ kind: 'message', messageType: type, text });
  });

  it('identity change and click-to-WhatsApp attribution are kept', () => {
    expect(one('message-system-identity').details).toMatchObject({ identityChanged: true, systemType: 'customer_identity_changed' });
    expect(one('message-referral-ctwa').details).toMatchObject({ ctwaClid: 'ARAkCTWAEXAMPLE' });
  });

  it('unknown fields and types still show raw with a "not understood yet" label', () => {
    const f = one('unknown-field');
    expect(f).toMatchObject({ kind: 'unknown', messageType: 'brand_new_field', details: { notUnderstood: true } });
    expect(f.text).toMatch(/^Not understood yet: webhook field "brand_new_field"/);
    expect(f.raw).toEqual({ something: 'new', count: 3 });
    const t = one('unknown-message-type');
    expect(t).toMatchObject({ kind: 'message', messageType: 'hologram', details: { notUnderstood: true } });
    expect(t.text).toMatch(/^Not understood yet: message type "hologram"/);
  });
});

describe('per-message pricing on statuses', () => {
  it('billable, category and pricing type are flattened for the inspector and the weekly counts', () => {
    const [paid, free] = load('status-pricing-pmp');
    expect(paid.details).toMatchObject({ billable: true, pricingCategory: 'marketing', pricingType: 'regular', pricingModel: 'PMP' });
    expect(free.details).toMatchObject({ billable: false, pricingCategory: 'service', pricingType: 'free_customer_service' });
  });
});

describe('rules reach the new families', () => {
  const preset = (id: string) => compileRule(RULE_PRESETS.find((p) => p.id === id)!.rule);
  it('"a call failed" fires on a failed call and not on a completed one', () => {
    const r = preset('call-failed');
    expect(r.error).toBeNull();
    expect(r.matches(stored(one('calls-terminate-failed')), noLead)).toBe(true);
    expect(r.matches(stored(one('calls-errors')), noLead)).toBe(true);
    expect(r.matches(stored(one('calls-terminate-completed')), noLead)).toBe(false);
  });
  it('"a flow was blocked" fires on blocked, not on published or an endpoint alert', () => {
    const r = preset('flow-blocked');
    expect(r.matches(stored(one('flows-status-change')), noLead)).toBe(true);
    expect(r.matches(stored(one('flows-status-published')), noLead)).toBe(false);
    expect(r.matches(stored(one('flows-endpoint-error-rate')), noLead)).toBe(false);
  });
  it('"the account was restricted" fires on restriction and alerts, not on a username approval', () => {
    const r = preset('account-restricted');
    expect(r.matches(stored(one('mistake-field-on-entry')), noLead)).toBe(true);
    expect(r.matches(stored(one('business_status_update')), noLead)).toBe(true);
    expect(r.matches(stored(one('account_alerts')), noLead)).toBe(true);
    expect(r.matches(stored(one('phone_number_username_update')), noLead)).toBe(false);
  });
});

describe('hostile input to the new readers stays bounded and never throws', () => {
  const FIELDS = ['smb_message_echoes', 'history', 'smb_app_state_sync', 'calls', 'group_lifecycle_update', 'group_participants_update',
    'group_settings_update', 'group_status_update', 'flows', 'automatic_events', 'account_settings_update', 'partner_solutions',
    'payment_configuration_update', 'business_status_update', 'phone_number_username_update', 'messaging_handovers',
    'message_template_components_update', 'message_template_quality_update'];
  const junk: unknown[] = [{}, { history: 'x' }, { history: [null, 1, 'a', { threads: 'no', metadata: { phase: 'NaN', progress: 1e9 } }] },
    { calls: [null, { event: {}, duration: 'forever', direction: 7 }] }, { groups: [{ added_participants: 'x', group_subject: [] }] },
    { state_sync: [{ contact: 'x', action: {} }] }, { message_echoes: [[], { type: 'text' }] }, { automatic_events: [{ custom_data: [] }] },
    { event: { toString: 1 }, flow_id: [], error_rate: 'high' }, { message_template_buttons: 'x' }, { sender: 'x', control_passed: 5 }];
  it.each(FIELDS)('%s', (field) => {
    for (const value of junk) {
      const evs = normaliseMeta({ object: 'whatsapp_business_account', entry: [{ id: 'W', changes: [{ field, value }] }] });
      expect(evs.length).toBeGreaterThan(0);
      for (const e of evs) expect(() => JSON.stringify(e)).not.toThrow();
      for (const e of evs) expect((e.text ?? '').length).toBeLessThan(2000);
    }
  });

  it('a history chunk with 20,000 messages is cut at the per-webhook cap, and says so', () => {
    const messages = Array.from({ length: 20_000 }, (_, i) => ({ from: '5511', id: `m${i}`, timestamp: '1758000000', type: 'text', text: { body: `hi ${i}` } }));
    const evs = normaliseMeta({ object: 'whatsapp_business_account', entry: [{ id: 'W', changes: [{ field: 'history', value: { history: [{ metadata: { progress: 10 }, threads: [{ id: '5511', messages }] }] } }] }] });
    expect(evs.length).toBe(5001);
    expect(evs[5000]).toMatchObject({ kind: 'unknown' });
    expect(evs[5000].text).toMatch(/20001 items; only the first 5000/);
  });

  it('participants, buttons and restriction lists are summarised, not spelled out without end', () => {
    const added = Array.from({ length: 10_000 }, (_, i) => ({ wa_id: `55119${i}` }));
    const [g] = normaliseMeta({ object: 'whatsapp_business_account', entry: [{ id: 'W', changes: [{ field: 'group_participants_update', value: { groups: [{ group_id: 'G', type: 'group_participants_add', added_participants: added }] } }] }] });
    expect(g.text).toMatch(/and 9997 more$/);
    expect(g.details).toMatchObject({ added: 10_000 });
  });
});
