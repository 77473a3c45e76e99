// Fields about the business rather than one message: groups, Flows, ad-driven automatic events,
// conversation handovers, and the account-level fields (settings, partner solutions, payments,
// business status, usernames). Each gets words a person understands, and severity where Meta gives
// one, so account alerts, restrictions and blocked flows stand out. docs/webhooks.md lists them.
import type { NormalisedEvent } from '../types';
import { asArray, contactKey, isObj, type Obj, rawStr, str, toMillis } from './common';
import {
  applyErrors, businessIdOf, type Out, take, changeEvent, type ChangeContext, clip, mark, readsKeys, scalarSummary, unknownEvent, announceUnread, words,
} from './meta-shared';

// ---------------------------------------------------------------- groups

const GROUP_WORDS: Record<string, string> = {
  group_create: 'created',
  group_delete: 'deleted',
  group_participants_add: 'participants added',
  group_participants_remove: 'participants removed',
  group_join_request_created: 'join request received',
  group_join_request_revoked: 'join request withdrawn',
  group_settings_update: 'settings changed',
  group_suspend: 'suspended by WhatsApp',
  group_suspend_cleared: 'suspension lifted',
};

export function groupsValue(value: Obj, field: string, ctx: ChangeContext, out: Out): void {
  const businessId = businessIdOf(value);
  let items = asArray(value.groups);
  // Some senders deliver one group update as the value itself.
  if (items.length === 0 && (value.group_id !== undefined || value.type !== undefined)) items = [value];
  if (items.length === 0) {
    out.push(unknownEvent(value, `A "${field}" change without groups`, ctx));
    return;
  }
  for (const g of take(out, items)) out.push(groupEvent(g, field, businessId, ctx));
  // A value read as one group update is the event's raw: nothing in it is left unread.
  if (items !== value.groups) return;
  announceUnread(value, GROUPS_READS, ctx, out);
}
const GROUPS_READS = readsKeys('groups');

/** "+1555…, +1555… and 3 more" from a participants array. */
function participantList(list: unknown[]): { ids: string[]; text: string } {
  const ids: string[] = [];
  for (const p of list) {
    if (ids.length >= 200) break;
    const id = isObj(p) ? contactKey(p.wa_id) ?? contactKey(p.input) ?? str(p.user_id) : contactKey(p);
    if (id) ids.push(id);
  }
  const shown = ids.slice(0, 3).map((id) => (/^\d+$/.test(id) ? `+${id}` : id));
  const more = list.length - shown.length;
  return { ids, text: `${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''}` };
}

function groupEvent(g: unknown, field: string, businessId: string | null, ctx: ChangeContext): NormalisedEvent {
  if (!isObj(g)) return unknownEvent(g, 'A group update that is not an object', ctx);
  const details: Obj = {};
  const ev = changeEvent('group', g, ctx, details);
  ev.messageType = field;
  ev.businessId = businessId;
  ev.timestamp = toMillis(g.timestamp) ?? ctx.entryTime;
  const type = rawStr(g.type) ?? rawStr(g.event);
  ev.providerStatus = type;
  const groupId = str(g.group_id);
  if (groupId) details.groupId = groupId;
  if (g.request_id !== undefined) details.requestId = g.request_id;
  const subjectObj = isObj(g.group_subject) ? g.group_subject : null;
  const subject = clip(g.subject, 80) ?? (subjectObj ? clip(subjectObj.text, 80) : null);
  if (subject) details.subject = subject;
  const label = subject ? `Group “${subject}”` : groupId ? `Group ${clip(groupId, 40)}` : 'A group';
  const what = type !== null && Object.hasOwn(GROUP_WORDS, type) ? GROUP_WORDS[type] : words(type) ?? words(field);
  const parts: string[] = [];
  const added = asArray(g.added_participants);
  const removed = asArray(g.removed_participants);
  const failed = asArray(g.failed_participants);
  const joinRequests = asArray(g.join_request_participants ?? g.participants);
  for (const [list, verb] of [[added, 'added'], [removed, 'removed'], [failed, 'could not be added'], [joinRequests, '']] as const) {
    if (list.length === 0) continue;
    const p = participantList(list);
    // "participants added: +1…, +2…" — the verb only when the update's own words do not already say it.
    const said = (verb === 'added' && type === 'group_participants_add') || (verb === 'removed' && type === 'group_participants_remove');
    parts.push(verb && !said ? `${p.text} ${verb}` : p.text);
    // One person affected: that person is the contact, so a contact filter finds the change.
    if (list.length === 1 && ev.contactId === null && p.ids[0]) ev.contactId = p.ids[0];
  }
  if (added.length) details.added = added.length;
  if (removed.length) details.removed = removed.length;
  if (failed.length) details.failed = failed.length;
  // Settings: which ones changed, and whether each change went through.
  for (const [key, name] of [['group_subject', 'subject'], ['group_description', 'description'], ['profile_picture', 'picture']] as const) {
    const s = g[key];
    if (!isObj(s)) continue;
    const ok = s.update_successful;
    parts.push(`${name}${key === 'group_subject' && str(s.text) ? ` → “${clip(s.text, 60)}”` : ''}${ok === false ? ' (failed)' : ''}`);
    if (ok === false) mark(details, 'warning');
  }
  if (g.invite_link !== undefined) details.inviteLink = g.invite_link;
  if (g.initiated_by !== undefined) details.initiatedBy = g.initiated_by;
  if (g.reason !== undefined) details.reason = g.reason;
  applyErrors(ev, g.errors);
  if (ev.errorCode || ev.errorTitle) {
    mark(details, 'warning');
    parts.push(`failed: ${ev.errorTitle ?? ev.errorCode}`);
  }
  if (type === 'group_suspend') mark(details, 'critical', 'group_suspended');
  ev.text = `${label} ${what ?? 'updated'}${parts.length ? `: ${parts.join('; ')}` : ''}`;
  return ev;
}

// ---------------------------------------------------------------- flows

export function flowsEvent(v: Obj, ctx: ChangeContext): NormalisedEvent {
  const details: Obj = {};
  const ev = changeEvent('flow', v, ctx, details);
  ev.messageType = 'flows';
  const event = rawStr(v.event);
  const flowId = str(v.flow_id);
  if (flowId) details.flowId = flowId;
  if (event) details.flowEvent = event;
  const message = clip(v.message, 300);
  const e = event?.toUpperCase() ?? '';
  const flow = flowId ? `Flow ${clip(flowId, 40)}` : 'A flow';
  if (e === 'FLOW_STATUS_CHANGE' || v.new_status !== undefined) {
    const from = str(v.old_status);
    const to = str(v.new_status);
    ev.providerStatus = to;
    details.oldStatus = from;
    details.newStatus = to;
    ev.text = message ?? `${flow} status ${from ? `${from} → ` : ''}${to ?? 'changed'}`;
    const t = to?.toUpperCase();
    // Blocked: nobody can send or open it. Throttled: 10 sends an hour. Both stand out.
    if (t === 'BLOCKED') mark(details, 'critical', 'flow_blocked');
    else if (t === 'THROTTLED') mark(details, 'warning', 'flow_throttled');
    else if (t === 'DEPRECATED') mark(details, 'info');
  } else {
    // Endpoint health alerts: error rate, latency, availability (and client error rate).
    const state = rawStr(v.alert_state);
    ev.providerStatus = state ?? event;
    if (state) details.alertState = state;
    const facts: string[] = [];
    const pct = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? `${Math.round((x <= 1 ? x * 100 : x) * 10) / 10}%` : null);
    const rate = pct(v.error_rate);
    if (rate) facts.push(`error rate ${rate}`);
    if (typeof v.p90_latency === 'number') facts.push(`p90 latency ${v.p90_latency} ms`);
    if (typeof v.p50_latency === 'number') facts.push(`p50 latency ${v.p50_latency} ms`);
    const avail = pct(v.availability);
    if (avail) facts.push(`availability ${avail}`);
    if (typeof v.threshold === 'number') facts.push(`threshold ${e.includes('LATENCY') ? `${v.threshold} ms` : pct(v.threshold)}`);
    for (const k of ['error_rate', 'p90_latency', 'p50_latency', 'availability', 'threshold', 'requests_count'] as const) {
      if (v[k] !== undefined) details[k] = v[k];
    }
    const what = words(event) ?? 'flow alert';
    ev.text = message ?? `${flow}: ${what}${state ? ` ${words(state)}` : ''}${facts.length ? ` (${facts.join(', ')})` : ''}`;
    if (state?.toUpperCase() === 'ACTIVATED') mark(details, 'warning', 'flow_alert');
    else if (e.includes('EXPIRY') || e.includes('FREEZE')) mark(details, 'warning');
  }
  return ev;
}

// ---------------------------------------------------------------- automatic events (ads)

export function automaticEvents(value: Obj, ctx: ChangeContext, out: Out): void {
  const businessId = businessIdOf(value);
  const list = asArray(value.automatic_events);
  if (list.length === 0) {
    out.push(unknownEvent(value, 'An automatic_events change without events', ctx));
    return;
  }
  for (const a of take(out, list)) {
    if (!isObj(a)) {
      out.push(unknownEvent(a, 'An automatic event that is not an object', ctx));
      continue;
    }
    const details: Obj = {};
    const ev = changeEvent('account', a, ctx, details);
    ev.messageType = 'automatic_events';
    ev.businessId = businessId;
    // The message in which Meta detected the purchase or lead: the event joins that message's lifecycle.
    ev.messageId = str(a.id);
    ev.timestamp = toMillis(a.timestamp) ?? ctx.entryTime;
    ev.contactId = contactKey(a.from) ?? contactKey(a.wa_id);
    const name = rawStr(a.event_name);
    ev.providerStatus = name;
    const clid = clip(a.ctwa_clid, 80);
    if (clid) details.ctwaClid = a.ctwa_clid;
    const data = isObj(a.custom_data) ? a.custom_data : null;
    if (data) details.customData = data;
    const amount = data && (typeof data.value === 'number' || typeof data.value === 'string') ? `${clip(String(data.value), 20)}${str(data.currency) ? ` ${clip(data.currency, 8)}` : ''}` : null;
    const ad = clid ? ` (ad click ${clid})` : '';
    const n = name?.toLowerCase() ?? '';
    if (n === 'purchase') ev.text = `Purchase detected in a chat from an ad${amount ? `: ${amount}` : ''}${ad}`;
    else if (n.startsWith('lead')) ev.text = `Lead detected in a chat from an ad${ad}`;
    else ev.text = `Ad event “${clip(name, 40) ?? 'unnamed'}” detected in a chat${amount ? `: ${amount}` : ''}${ad}`;
    out.push(ev);
  }
  announceUnread(value, AUTOMATIC_READS, ctx, out);
}
const AUTOMATIC_READS = readsKeys('automatic_events');

// ---------------------------------------------------------------- conversation routing

export function handoverEvent(v: Obj, ctx: ChangeContext): NormalisedEvent {
  const details: Obj = {};
  const ev = changeEvent('account', v, ctx, details);
  ev.messageType = 'messaging_handovers';
  const recipient = isObj(v.recipient) ? v.recipient : null;
  ev.businessId = (recipient ? contactKey(recipient.phone_number_id) : null) ?? businessIdOf(v);
  const sender = isObj(v.sender) ? v.sender : null;
  ev.contactId = sender ? contactKey(sender.phone_number) ?? contactKey(sender.wa_id) ?? str(sender.id) : null;
  ev.timestamp = toMillis(v.timestamp) ?? ctx.entryTime;
  const type = rawStr(v.type) ?? (isObj(v.control_passed) ? 'control_passed' : isObj(v.control_taken) ? 'control_taken' : null);
  ev.providerStatus = type;
  const inner = type !== null && isObj(v[type]) ? (v[type] as Obj) : null;
  if (inner) details.handover = inner;
  const who = ev.contactId ? (/^\d+$/.test(ev.contactId) ? `+${ev.contactId}` : ev.contactId) : 'a customer';
  const extra = inner ? scalarSummary(inner, 3) : '';
  if (type === 'control_passed') ev.text = `Conversation with ${who} passed to this app${extra ? ` (${extra})` : ''}`;
  else if (type === 'control_taken') ev.text = `Conversation with ${who} taken over by the escalation partner${extra ? ` (${extra})` : ''}`;
  else ev.text = `Conversation with ${who}: ${words(type) ?? 'handover'}`;
  return ev;
}

// ---------------------------------------------------------------- other account-level fields

/** Words in a status that mean the business can no longer do something. */
const RESTRICTIVE = /RESTRICT|BAN|DISABL|SUSPEND|BLOCK|REVOK/i;

export function otherAccountEvent(v: Obj, field: string, ctx: ChangeContext): NormalisedEvent {
  const details: Obj = {};
  const ev = changeEvent('account', v, ctx, details);
  ev.messageType = field;
  ev.businessId = businessIdOf(v) ?? contactKey(v.phone_number_id);
  const event = rawStr(v.event);
  switch (field) {
    case 'partner_solutions': {
      const status = rawStr(v.solution_status);
      ev.providerStatus = status ?? event;
      const id = clip(v.solution_id, 40);
      ev.text = `Multi-partner solution${id ? ` ${id}` : ''}: ${words(status) ?? 'changed'}${event ? ` (${words(event)})` : ''}`;
      if (status && /REJECTED|DEACTIVATED/i.test(status)) mark(details, 'warning');
      break;
    }
    case 'payment_configuration_update': {
      const status = rawStr(v.status);
      ev.providerStatus = status;
      const name = clip(v.configuration_name, 60);
      const provider = clip(v.provider_name, 40);
      ev.text = `Payment configuration${name ? ` “${name}”` : ''}${provider ? ` (${provider})` : ''}: ${words(status) ?? 'updated'}`;
      if (status && /DISCONNECT|NEEDS|FAIL/i.test(status)) mark(details, 'warning');
      break;
    }
    case 'phone_number_username_update': {
      const username = clip(v.username, 60) ?? clip(v.business_username, 60);
      const status = rawStr(v.status) ?? rawStr(v.username_status) ?? event;
      ev.providerStatus = status;
      const num = clip(v.display_phone_number, 40);
      ev.text = `Business username${username ? ` @${username}` : ''}${num ? ` for ${num}` : ''}: ${words(status) ?? 'updated'}`;
      if (status && /REJECT|REVOK/i.test(status)) mark(details, 'warning');
      break;
    }
    case 'business_status_update': {
      const status = rawStr(v.status) ?? rawStr(v.business_status) ?? event;
      ev.providerStatus = status;
      const summary = scalarSummary(v);
      ev.text = `Business status: ${words(status) ?? (summary || 'updated')}`;
      if (status && RESTRICTIVE.test(status)) mark(details, 'critical', 'account_restricted');
      break;
    }
    default: { // account_settings_update
      ev.providerStatus = event ?? rawStr(v.type);
      const summary = scalarSummary(v);
      ev.text = `Account settings changed${summary ? `: ${summary}` : ''}`;
      break;
    }
  }
  return ev;
}
