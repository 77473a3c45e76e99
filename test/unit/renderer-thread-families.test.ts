// The conversation with coexistence: phone-app echoes and imported history take their places.
import { describe, expect, it } from 'vitest';
import { buildThread } from '../../renderer/features/timeline/thread';
import { eventSeverity, pricingText } from '../../shared/event-words';
import type { HookEvent } from '../../shared/types';

let id = 0;
const ev = (p: Partial<HookEvent>): HookEvent => ({
  id: ++id, requestId: 1, provider: 'meta', kind: 'message', status: null, providerStatus: null, messageId: null, contactId: '5511',
  contactName: null, businessId: null, messageType: 'text', text: null, replyTo: null, errorCode: null, errorTitle: null, errorDetail: null,
  timestamp: null, receivedAt: 0, signature: 'valid', duplicate: false, ...p,
});

describe('buildThread with echoes and history', () => {
  it('puts imported messages at their own time, on the right side, and folds an echo with its statuses', () => {
    const items = [
      ev({ kind: 'echo', status: 'sent', messageId: 'wamid.E', text: 'See you at 8', timestamp: 3000 }),
      ev({ kind: 'status', status: 'read', messageId: 'wamid.E', timestamp: 4000 }),
      // Imported later (higher ids) but older in time.
      ev({ kind: 'history', messageId: 'wamid.H1', text: 'Do you deliver?', timestamp: 1000, details: { direction: 'incoming' } }),
      ev({ kind: 'history', messageId: 'wamid.H2', text: 'Yes, daily', timestamp: 2000, details: { direction: 'outgoing' } }),
    ];
    const t = buildThread(items);
    expect(t.map((i) => i.type)).toEqual(['in', 'out', 'out']);
    expect(t[0]).toMatchObject({ type: 'in', imported: true });
    expect(t[1]).toMatchObject({ type: 'out', messageId: 'wamid.H2', text: 'Yes, daily', source: 'history' });
    expect(t[2]).toMatchObject({ type: 'out', messageId: 'wamid.E', text: 'See you at 8', source: 'phone', status: 'read' });
  });
});

describe('event words', () => {
  it('severity from details, or from the columns a feed row has', () => {
    expect(eventSeverity(ev({ kind: 'flow', providerStatus: 'BLOCKED' }))).toBe('critical');
    expect(eventSeverity(ev({ kind: 'flow', providerStatus: 'PUBLISHED' }))).toBeNull();
    expect(eventSeverity(ev({ kind: 'account', messageType: 'account_update', providerStatus: 'ACCOUNT_RESTRICTION' }))).toBe('critical');
    expect(eventSeverity(ev({ kind: 'call', errorCode: '138021' }))).toBe('warning');
    expect(eventSeverity(ev({ kind: 'message', details: { severity: 'info' } }))).toBe('info');
    expect(eventSeverity(ev({ kind: 'message' }))).toBeNull();
  });
  it('pricing in words', () => {
    expect(pricingText({ pricing: {}, billable: true, pricingCategory: 'marketing', pricingType: 'regular', pricingModel: 'PMP' })).toBe('Billable · marketing · regular (PMP)');
    expect(pricingText({ pricing: {}, billable: false, pricingCategory: 'service', pricingType: 'free_customer_service' })).toBe('Free · service · free customer service');
    expect(pricingText({})).toBeNull();
  });
});

describe('the rule editor keeps "what happened" conditions', () => {
  it('a preset with signals survives the form round trip and is described in words', async () => {
    const { formFromRule, ruleFromForm, describeWhen } = await import('../../renderer/features/rules/rule-form');
    const { RULE_PRESETS } = await import('../../shared/rules');
    const preset = RULE_PRESETS.find((p) => p.id === 'flow-blocked')!.rule;
    const back = ruleFromForm(formFromRule(preset));
    expect(back.ok && back.rule.when.signal).toEqual(['flow_blocked', 'flow_throttled']);
    expect(describeWhen(preset.when)).toBe('a flow was blocked or a flow was throttled');
  });
});
