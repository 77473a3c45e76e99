// The Calling API (`calls` field): connect, terminate, call status updates (RINGING / ACCEPTED /
// REJECTED), call errors, and the customer's call-related actions — each a `call` event whose contact
// is the customer, whichever side dialled. A failed call carries its error code (138xxx, explained in
// shared/error-codes.ts). docs/webhooks.md lists what each becomes.
import type { NormalisedEvent } from '../types';
import { asArray, blank, contactKey, isObj, type Obj, rawStr, str, toMillis } from './common';
import {
  applyErrors, businessIdOf, type Out, take, changeEvent, type ChangeContext, clip, contactName, type Contacts, indexContacts, mark,
  readsKeys, unknownEvent, announceUnread, words,
} from './meta-shared';

const CALLS_READS = readsKeys('calls', 'statuses', 'user_actions', 'errors');

export function callsValue(value: Obj, ctx: ChangeContext, out: Out): void {
  const businessId = businessIdOf(value);
  const metadata = isObj(value.metadata) ? value.metadata : null;
  const businessNumber = metadata ? contactKey(metadata.display_phone_number) : null;
  const contacts = indexContacts(value.contacts);
  const before = out.length;
  for (const c of take(out, asArray(value.calls))) out.push(callEvent(c, contacts, businessId, businessNumber, ctx));
  for (const s of take(out, asArray(value.statuses))) out.push(callStatusEvent(s, contacts, businessId, ctx));
  for (const a of take(out, asArray(value.user_actions))) out.push(userActionEvent(a, contacts, businessId, ctx));
  for (const e of take(out, asArray(value.errors))) out.push(callErrorEvent(e, businessId, ctx));
  announceUnread(value, CALLS_READS, ctx, out);
  if (out.length === before && out.skipped === undefined) out.push(unknownEvent(value, 'A "calls" change with no calls, statuses or errors', ctx));
}

/** 65 → "1 min 5 s". */
function callLength(seconds: number): string {
  const s = Math.round(seconds);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

function seconds(v: unknown): number | null {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d{1,9}(\.\d+)?$/.test(v.trim()) ? Number(v) : NaN;
  return Number.isFinite(n) && n >= 0 ? n : null;
}

function callEvent(c: unknown, contacts: Contacts, businessId: string | null, businessNumber: string | null, ctx: ChangeContext): NormalisedEvent {
  if (!isObj(c)) return unknownEvent(c, 'A call that is not an object', ctx);
  const ev = blank('meta', 'call', c);
  const details: Obj = {};
  ev.messageType = 'call';
  ev.messageId = str(c.id);
  ev.businessId = businessId;
  ev.timestamp = toMillis(c.timestamp);
  const from = contactKey(c.from) ?? str(c.from_user_id);
  const to = contactKey(c.to) ?? str(c.to_user_id);
  const dir = (rawStr(c.direction) ?? rawStr(c.call_direction))?.toUpperCase() ?? null;
  // Who is the customer: the caller of a user-initiated call, the callee of a business-initiated one.
  // Without a direction, whichever side is not the business's own number.
  const incoming = dir === 'USER_INITIATED' ? true : dir === 'BUSINESS_INITIATED' ? false
    : businessNumber !== null ? to === businessNumber : null;
  ev.contactId = incoming === false ? to : from;
  ev.contactName = contactName(contacts, [ev.contactId]);
  details.direction = incoming === null ? null : incoming ? 'incoming' : 'outgoing';
  if (dir) details.directionRaw = dir;
  details.caller = from;
  details.callee = to;
  const event = rawStr(c.event)?.toLowerCase() ?? null;
  details.callEvent = event;
  const status = rawStr(c.status);
  const s = status?.toUpperCase() ?? null;
  ev.providerStatus = status ?? event;
  const duration = seconds(c.duration);
  if (duration !== null) details.durationSeconds = duration;
  const start = toMillis(c.start_time);
  const end = toMillis(c.end_time);
  if (start !== null) details.startedAt = start;
  if (end !== null) details.endedAt = end;
  if (c.biz_opaque_callback_data !== undefined) details.bizOpaqueCallbackData = c.biz_opaque_callback_data;
  if (isObj(c.session) && c.session.sdp_type !== undefined) details.sdpType = c.session.sdp_type;
  applyErrors(ev, c.errors);

  const who = ev.contactId ? `+${ev.contactId}` : 'the customer';
  const name = incoming === false ? `Outgoing call to ${who}` : incoming ? `Incoming call from ${who}` : `Call with ${who}`;
  const failed = s === 'FAILED' || ev.errorCode !== null;
  if (event === 'connect') {
    details.outcome = 'connecting';
    ev.text = incoming ? `${name} is ringing (waiting to be answered)` : `${name} connected`;
  } else if (event === 'terminate') {
    const talked = duration !== null && duration > 0;
    if (failed) {
      details.outcome = 'failed';
      ev.text = `${name} failed${ev.errorTitle ? `: ${ev.errorTitle}` : ''}`;
    } else if (incoming && !talked && start === null) {
      // The customer called and nobody picked up (or they hung up first).
      details.outcome = 'missed';
      ev.text = `Missed call from ${who}`;
      mark(details, 'warning', 'call_missed');
    } else {
      details.outcome = s === 'COMPLETED' ? 'completed' : words(status) ?? 'ended';
      ev.text = `${name} ended${talked ? ` after ${callLength(duration)}` : ''}${s && s !== 'COMPLETED' ? ` (${words(status)})` : ''}`;
    }
  } else {
    details.outcome = words(status) ?? words(event);
    ev.text = `${name}: ${words(event) ?? 'call event'}${status ? ` ${words(status)}` : ''}`;
  }
  if (failed) {
    details.outcome = 'failed';
    mark(details, 'warning', 'call_failed');
  }
  if (ctx.wabaId) details.wabaId = ctx.wabaId;
  if (ctx.note) details.note = ctx.note;
  ev.details = details;
  return ev;
}

/** A business-initiated call's progress: statuses[] with type "call" (RINGING, ACCEPTED, REJECTED…). */
export function callStatusEvent(s: unknown, contacts: Contacts, businessId: string | null, ctx: ChangeContext): NormalisedEvent {
  if (!isObj(s)) return unknownEvent(s, 'A call status that is not an object', ctx);
  const ev = blank('meta', 'call', s);
  const details: Obj = { callEvent: 'status', direction: 'outgoing' };
  ev.messageType = 'call';
  ev.messageId = str(s.id);
  ev.businessId = businessId;
  ev.timestamp = toMillis(s.timestamp);
  ev.contactId = contactKey(s.recipient_id) ?? str(s.recipient_user_id);
  ev.contactName = contactName(contacts, [ev.contactId]);
  const status = rawStr(s.status);
  ev.providerStatus = status;
  applyErrors(ev, s.errors);
  const u = status?.toUpperCase() ?? null;
  details.outcome = words(status);
  const who = ev.contactId ? `+${ev.contactId}` : 'the customer';
  if (u === 'RINGING') ev.text = `Outgoing call to ${who} is ringing`;
  else if (u === 'ACCEPTED') ev.text = `${who} answered the call`;
  else if (u === 'REJECTED') { ev.text = `${who} declined the call`; mark(details, 'info', 'call_rejected'); }
  else ev.text = `Outgoing call to ${who}: ${words(status) ?? 'status update'}`;
  if (u === 'FAILED' || ev.errorCode !== null) {
    details.outcome = 'failed';
    ev.text = `Outgoing call to ${who} failed${ev.errorTitle ? `: ${ev.errorTitle}` : ''}`;
    mark(details, 'warning', 'call_failed');
  }
  if (ctx.wabaId) details.wabaId = ctx.wabaId;
  ev.details = details;
  return ev;
}

/**
 * Something the customer did about calls outside a call (granting or revoking call permission from
 * the business profile, …): `user_actions[]`. Read for the usual keys; anything else stays in the payload.
 */
export function userActionEvent(a: unknown, contacts: Contacts, businessId: string | null, ctx: ChangeContext): NormalisedEvent {
  if (!isObj(a)) return unknownEvent(a, 'A user action that is not an object', ctx);
  const ev = changeEvent('call', a, ctx, { callEvent: 'user_action' });
  ev.messageType = 'user_action';
  ev.businessId = businessId;
  ev.timestamp = toMillis(a.timestamp) ?? ctx.entryTime;
  ev.contactId = contactKey(a.from) ?? contactKey(a.wa_id) ?? str(a.user_id);
  ev.contactName = contactName(contacts, [ev.contactId]);
  const action = rawStr(a.action) ?? rawStr(a.type) ?? rawStr(a.event);
  const inner = action !== null && isObj(a[action]) ? (a[action] as Obj) : null;
  const status = rawStr(a.status) ?? (inner ? rawStr(inner.status) ?? rawStr(inner.response) : null);
  ev.providerStatus = status ?? action;
  ev.text = `${ev.contactId ? `+${ev.contactId}` : 'The customer'}: ${words(action) ?? 'user action'}${status ? ` — ${words(status)}` : ''}`;
  return ev;
}

function callErrorEvent(e: unknown, businessId: string | null, ctx: ChangeContext): NormalisedEvent {
  const ev = changeEvent('call', e, ctx, { callEvent: 'error', outcome: 'failed' });
  ev.messageType = 'call_error';
  ev.businessId = businessId;
  applyErrors(ev, [e]);
  ev.text = !isObj(e) ? 'A calling error that is not an object'
    : `Calling error${ev.errorTitle ? `: ${ev.errorTitle}` : ''}${ev.errorDetail && ev.errorDetail !== ev.errorTitle ? ` — ${clip(ev.errorDetail, 200)}` : ''}`;
  mark(ev.details!, 'warning', 'call_failed');
  return ev;
}
