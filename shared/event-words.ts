// Words and weights for events, shared by the feed, the inspector and the notifications: what each kind
// is called, and how much an event matters. Pure; no Node, no DOM. docs/webhooks.md lists the kinds.
import type { EventKind, EventSeverity, EventSignal, HookEvent } from './types';

export const KIND_LABELS: Record<EventKind, string> = {
  message: 'message (incoming)',
  status: 'status (outgoing message)',
  template: 'template',
  account: 'account',
  verification: 'verification',
  unrouted: 'unrouted',
  invalid: 'invalid',
  unknown: 'not understood yet',
  echo: 'echo (sent from the phone app)',
  history: 'history (imported past chat)',
  contact: 'contact (phone app address book)',
  call: 'call',
  group: 'group',
  flow: 'flow',
};

export const SIGNAL_LABELS: Record<EventSignal, string> = {
  call_failed: 'a call failed',
  call_rejected: 'the customer declined a call',
  call_missed: 'a missed call',
  flow_blocked: 'a flow was blocked',
  flow_throttled: 'a flow was throttled',
  flow_alert: 'a flow endpoint alert',
  account_restricted: 'the account was restricted',
  account_alert: 'an account alert',
  account_violation: 'a policy violation',
  account_disabled: 'the account was disabled',
  template_paused: 'a template was paused or disabled',
  template_rejected: 'a template was rejected',
  quality_dropped: 'quality dropped',
  group_suspended: 'a group was suspended',
  history_declined: 'chat history was not shared',
};

const RESTRICTIVE = /RESTRICT|BAN|DISABL|SUSPEND|BLOCK/i;

/**
 * How much an event matters: the normaliser's verdict (details.severity) when the event carries its
 * details, else the same verdict read from the columns every list row has — feed rows are loaded without
 * details, and an account restriction must stand out there too.
 */
export function eventSeverity(e: Pick<HookEvent, 'kind' | 'providerStatus' | 'messageType' | 'errorCode' | 'status'> & { details?: Record<string, unknown> }): EventSeverity | null {
  const given = e.details?.severity;
  if (given === 'critical' || given === 'warning' || given === 'info') return given;
  const ps = e.providerStatus?.toUpperCase() ?? '';
  switch (e.kind) {
    case 'flow':
      return ps === 'BLOCKED' ? 'critical' : ps === 'THROTTLED' || ps === 'ACTIVATED' ? 'warning' : null;
    case 'account':
      if (e.messageType === 'account_update' && /RESTRICTION|VIOLATION|DISABLED/.test(ps)) return 'critical';
      if (e.messageType === 'business_status_update' && RESTRICTIVE.test(ps)) return 'critical';
      if (e.messageType === 'account_alerts' || e.messageType === 'security' || e.messageType === 'error') return 'warning';
      return null;
    case 'call':
      return e.errorCode ? 'warning' : null;
    case 'group':
      return ps === 'GROUP_SUSPEND' ? 'critical' : e.errorCode ? 'warning' : null;
    case 'template':
      return ps === 'DISABLED' || ps === 'RED' ? 'critical' : ps === 'REJECTED' || ps === 'PAUSED' ? 'warning' : null;
    case 'history':
      return ps === 'DECLINED' ? 'warning' : null;
    default:
      return null;
  }
}

/** "Billable · marketing · regular (PMP)" from a status's flattened pricing; null without pricing. */
export function pricingText(details: Record<string, unknown> | undefined): string | null {
  if (!details || details.pricing === undefined) return null;
  const parts: string[] = [];
  if (details.billable === true) parts.push('Billable');
  else if (details.billable === false) parts.push('Free');
  if (typeof details.pricingCategory === 'string') parts.push(details.pricingCategory);
  if (typeof details.pricingType === 'string') parts.push(details.pricingType.replaceAll('_', ' '));
  const model = typeof details.pricingModel === 'string' ? ` (${details.pricingModel})` : '';
  return parts.length ? `${parts.join(' · ')}${model}` : `Pricing given${model}`;
}

/** "Outgoing · failed · 1 min 5 s" for a call event; null for anything else. */
export function callText(details: Record<string, unknown> | undefined): string | null {
  if (!details || details.callEvent === undefined) return null;
  const parts: string[] = [];
  if (details.direction === 'incoming') parts.push('Incoming (the customer called)');
  else if (details.direction === 'outgoing') parts.push('Outgoing (the business called)');
  if (typeof details.outcome === 'string') parts.push(details.outcome);
  const d = details.durationSeconds;
  if (typeof d === 'number' && Number.isFinite(d)) parts.push(d < 60 ? `${Math.round(d)} s` : `${Math.floor(d / 60)} min ${Math.round(d % 60)} s`);
  return parts.join(' · ') || null;
}
