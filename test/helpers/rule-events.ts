// Events and rules for the tests of shared/rules.ts: one made-up incoming message (or failed status) with
// whatever a test overrides, and a rule that notifies on messages. Each event gets the next id.
import { matchesWhen, type RuleContext } from '../../shared/rules';
import type { HookEvent, RuleInput, RuleWhen } from '../../shared/types';

let nextId = 1;

export function ev(over: Partial<HookEvent> = {}): HookEvent {
  return {
    id: nextId++, requestId: 1, receivedAt: 1_700_000_000_000, provider: 'meta', kind: 'message', status: 'incoming',
    providerStatus: null, messageId: `wamid.${nextId}`, contactId: '5511999990000', contactName: 'Ana Souza',
    businessId: '123', messageType: 'text', text: 'hello', replyTo: null, errorCode: null, errorTitle: null,
    errorDetail: null, timestamp: null, signature: 'valid', duplicate: false, ...over,
  };
}

/** A failed status (131047, re-engagement) for the same contact. */
export const failed = (over: Partial<HookEvent> = {}): HookEvent => ev({
  kind: 'status', status: 'failed', providerStatus: 'failed', text: null, messageType: null, contactName: null,
  errorCode: '131047', errorTitle: 'Re-engagement message', ...over,
});

export const noLead: RuleContext = { isLeadReply: () => false };
export const yesLead: RuleContext = { isLeadReply: () => true };

/** Whether `when` lets the event through (no lead by default). */
export const m = (when: RuleWhen, e: HookEvent, ctx: RuleContext = noLead): boolean => matchesWhen(when, e, ctx);

export function rule(over: Partial<RuleInput> = {}): RuleInput {
  return { name: 'r', enabled: true, when: { kind: ['message'] }, title: '{contactName}', body: '{text}', ...over };
}
