// Meta WhatsApp Cloud API webhook → normalised events (docs/api.md). What each field and message type
// becomes is listed in docs/webhooks.md. The rules that shape this file:
// - one POST = entry[] × changes[] × (messages | statuses | errors | …)[], and one value may carry
//   messages AND statuses: never if/else between them;
// - route on `field`; when the field is missing or misplaced (Meta's own examples put it on the entry,
//   or label a quality update as a status update) route on what the value holds, and say so;
// - unknown fields, types and statuses are kept as they are and labelled "not understood yet", never
//   thrown on — a 500 makes Meta retry for days;
// - duplicates inside one payload are emitted as they come: the store flags them.
// Provider objects are referenced, never cloned: `raw` and `details` point into the parsed payload.

import type { EventStatus, NormalisedEvent } from '../types';
import { asArray, blank, contactKey, deeperThan, isObj, MAX_JSON_DEPTH, type Obj, rawStr, str, toMillis } from './common';
import {
  applyErrors, businessIdOf, MAX_EVENTS_PER_WEBHOOK, type Out, take, changeEvent, type ChangeContext, clip, contactName, type Contacts,
  firstContactUserId, indexContacts, mark, readMessageBody, readPricing, readsKeys, scalarSummary, unknownEvent, announceUnread, words,
} from './meta-shared';
import { echoesValue, historyValue, stateSyncValue } from './meta-coexistence';
import { callsValue, callStatusEvent, userActionEvent } from './meta-calls';
import { automaticEvents, flowsEvent, groupsValue, handoverEvent, otherAccountEvent } from './meta-business';

// Cloud API status words plus the On-Premises ones BSPs still relay (`deleted`). `warning` and
// anything else (courier's `in_orbit`) become `other`, with the provider's word in providerStatus.
const STATUS_MAP: Record<string, EventStatus> = {
  sent: 'sent',
  delivered: 'delivered',
  read: 'read',
  played: 'played',
  failed: 'failed',
  deleted: 'deleted',
};

export { MAX_EVENTS_PER_WEBHOOK } from './meta-shared';

export function normaliseMeta(payload: unknown): NormalisedEvent[] {
  const out: Out = [];
  if (deeperThan(payload)) {
    // Hostile nesting: storing it as the event's raw payload would overflow JSON.stringify's stack
    // (and fail the whole commit). The request keeps the exact bytes; the event says why it is empty.
    const ev = blank('meta', 'unknown', null);
    ev.text = `Not a Meta webhook: the JSON nests deeper than ${MAX_JSON_DEPTH} levels (the body is kept as received)`;
    return [ev];
  }
  try {
    walk(payload, out);
    const total = out.length + (out.skipped ?? 0);
    if (total > MAX_EVENTS_PER_WEBHOOK) {
      // Meta batches a handful of updates per POST (a history chunk can hold thousands); hundreds of
      // thousands are an attack on the store (every event is a row, written while the receiver waits).
      // The body is stored whole regardless.
      out.length = MAX_EVENTS_PER_WEBHOOK;
      out.push(unknownEvent(null, `This webhook carries ${total} items; only the first ${MAX_EVENTS_PER_WEBHOOK} became events (the body is kept as received)`));
    }
  } catch (err) {
    // Nothing above should throw on JSON.parse output; if it ever does, the request must still be
    // stored and answered 200, so the payload survives as one unknown event.
    const ev = blank('meta', 'unknown', payload);
    ev.text = `Hookscope could not read this payload: ${err instanceof Error ? err.message : String(err)}`;
    out.length = 0;
    out.push(ev);
  }
  return out;
}

function walk(payload: unknown, out: Out): void {
  if (!isObj(payload)) {
    out.push(unknownEvent(payload, 'Not a Meta webhook: the body is not a JSON object'));
    return;
  }
  // BSPs that pass Meta's format through sometimes drop `object`; only a different value means
  // "not WhatsApp" (e.g. "page" or "instagram" from the same app).
  const object = payload.object;
  if (object !== undefined && object !== 'whatsapp_business_account') {
    out.push(unknownEvent(payload, `Not a WhatsApp webhook: object is ${JSON.stringify(object)}`));
    return;
  }
  const entries = payload.entry;
  if (!Array.isArray(entries) || entries.length === 0) {
    out.push(unknownEvent(payload, 'Meta webhook without entries'));
    return;
  }
  for (const entry of entries) {
    if (!isObj(entry) || !Array.isArray(entry.changes) || entry.changes.length === 0) {
      out.push(unknownEvent(entry, 'Meta webhook entry without changes'));
      continue;
    }
    const wabaId = str(entry.id);
    const entryTime = toMillis(entry.time);
    // Meta's reference examples for some fields put `field` on the entry instead of on each change,
    // and senders copy them: a change without its own field takes the entry's.
    const entryField = rawStr(entry.field);
    for (const change of entry.changes) {
      if (!isObj(change)) {
        out.push(unknownEvent(change, 'Meta webhook change that is not an object'));
        continue;
      }
      const own = rawStr(change.field);
      const value = change.value;
      // Some senders nest the change's `field` inside its value instead: read it from there, and say so.
      const inValue = own === null && entryField === null && isObj(value) ? rawStr(value.field) : null;
      const field = own ?? entryField ?? inValue;
      const note = own === null && entryField !== null
        ? `"field" was on the entry, not on the change (as in some of Meta's examples); read as "${entryField}"`
        : inValue !== null ? `"field" was inside the value, not on the change; read as "${clip(inValue, 60)}"` : null;
      const ctx: ChangeContext = { wabaId, entryTime, field, note };
      if (!isObj(value)) {
        out.push(unknownEvent(change, `Change "${ctx.field ?? '?'}" without a value object`, ctx));
        continue;
      }
      routeChange(value, ctx, out);
    }
  }
}

/** The field a value's own keys say it is, for changes without a usable `field`. */
function fieldFromKeys(value: Obj): string | null {
  if ('messages' in value || 'statuses' in value) return 'messages';
  if ('message_echoes' in value) return 'smb_message_echoes';
  if ('history' in value) return 'history';
  if ('state_sync' in value) return 'smb_app_state_sync';
  if ('calls' in value) return 'calls';
  if ('automatic_events' in value) return 'automatic_events';
  if ('user_preferences' in value) return 'user_preferences';
  if ('new_quality_score' in value || 'previous_quality_score' in value) return 'message_template_quality_update';
  if ('message_template_id' in value || 'message_template_name' in value) return 'message_template_status_update';
  if ('flow_id' in value) return 'flows';
  if ('errors' in value) return 'messages';
  return null;
}

function routeChange(value: Obj, ctx: ChangeContext, out: Out): void {
  let field = ctx.field;
  if (field === null) {
    const guessed = fieldFromKeys(value);
    if (guessed === null) {
      out.push(unknownEvent(value, 'Not understood yet: a change without a field name (the payload is shown as received)', ctx));
      return;
    }
    if (guessed !== 'messages') ctx.note = `the change has no "field"; read as "${guessed}" from what the value holds`;
    field = ctx.field = guessed;
  }
  // A quality update labelled as a status update (a mistake in Meta's examples): no `event`, but the
  // quality scores are there. Route on the value's keys.
  if (field === 'message_template_status_update' && value.event === undefined
    && (value.new_quality_score !== undefined || value.previous_quality_score !== undefined)) {
    ctx.note = 'labelled as a template status update, but it carries quality scores and no event: read as a quality update';
    field = ctx.field = 'message_template_quality_update';
  }
  const read = Object.hasOwn(META_FIELDS, field) ? META_FIELDS[field] : null;
  if (read) read(value, field, ctx, out);
  else out.push(unknownEvent(value, `Not understood yet: webhook field "${clip(field, 60)}" (the payload is shown as received)`, ctx));
}

/** Reads one change's value into events (pushed onto `out`). */
type FieldReader = (value: Obj, field: string, ctx: ChangeContext, out: Out) => void;
const one = (read: (value: Obj, field: string, ctx: ChangeContext) => NormalisedEvent): FieldReader =>
  (value, field, ctx, out) => { out.push(read(value, field, ctx)); };
const template = one(templateEvent);
const account = one(accountEvent);
const otherAccount = one(otherAccountEvent);

/**
 * Meta webhook field → its reader: the one place a field's name is written. A new field is one row
 * here, a payload in test/fixtures/ and a row in the normaliser tests (docs/webhooks.md lists them).
 * A field not in this table is kept as a "not understood" event.
 */
export const META_FIELDS: Readonly<Record<string, FieldReader>> = {
  messages: (v, _f, ctx, out) => messagesValue(v, ctx, out),
  smb_message_echoes: (v, _f, ctx, out) => echoesValue(v, ctx, out),
  message_echoes: (v, _f, ctx, out) => echoesValue(v, ctx, out),
  history: (v, _f, ctx, out) => historyValue(v, ctx, out),
  smb_app_state_sync: (v, _f, ctx, out) => stateSyncValue(v, ctx, out),
  calls: (v, _f, ctx, out) => callsValue(v, ctx, out),
  flows: (v, _f, ctx, out) => { out.push(flowsEvent(v, ctx)); },
  automatic_events: (v, _f, ctx, out) => automaticEvents(v, ctx, out),
  messaging_handovers: (v, _f, ctx, out) => { out.push(handoverEvent(v, ctx)); },
  user_preferences: (v, _f, ctx, out) => userPreferences(v, ctx, out),
  message_template_status_update: template,
  message_template_quality_update: template,
  template_category_update: template,
  message_template_components_update: template,
  account_update: account,
  phone_number_quality_update: account,
  phone_number_name_update: account,
  account_review_update: account,
  account_alerts: account,
  business_capability_update: account,
  security: account,
  group_lifecycle_update: groupsValue,
  group_participants_update: groupsValue,
  group_settings_update: groupsValue,
  group_status_update: groupsValue,
  account_settings_update: otherAccount,
  partner_solutions: otherAccount,
  payment_configuration_update: otherAccount,
  business_status_update: otherAccount,
  phone_number_username_update: otherAccount,
};

// ---------------------------------------------------------------- messages field

const MESSAGES_READS = readsKeys('messages', 'statuses', 'user_actions', 'errors');

function messagesValue(value: Obj, ctx: ChangeContext, out: Out): void {
  const businessId = businessIdOf(value);
  const contacts = indexContacts(value.contacts);
  const before = out.length;
  for (const m of take(out, asArray(value.messages))) out.push(messageEvent(m, contacts, businessId, ctx));
  for (const s of take(out, asArray(value.statuses))) {
    // Call status updates (RINGING, ACCEPTED…) are statuses with type "call"; some senders deliver them
    // on the messages field. They are about a call, not a message.
    out.push(isObj(s) && s.type === 'call' ? callStatusEvent(s, contacts, businessId, ctx) : statusEvent(s, contacts, businessId, ctx));
  }
  for (const a of take(out, asArray(value.user_actions))) out.push(userActionEvent(a, contacts, businessId, ctx));
  // Value-level errors are their own events even next to messages: a message AND errors[131000]
  // can arrive together — both must show.
  for (const e of take(out, asArray(value.errors))) out.push(valueErrorEvent(e, businessId, ctx));
  announceUnread(value, MESSAGES_READS, ctx, out);
  if (out.length === before && out.skipped === undefined) out.push(unknownEvent(value, 'A "messages" change with no messages, statuses or errors', ctx));
}

/** An incoming message. */
function messageEvent(m: unknown, contacts: Contacts, businessId: string | null, ctx: ChangeContext): NormalisedEvent {
  if (!isObj(m)) return unknownEvent(m, 'A message that is not an object', ctx);
  const ev = blank('meta', 'message', m);
  const details: Obj = {};
  ev.status = 'incoming';
  ev.messageId = str(m.id);
  ev.businessId = businessId;
  ev.timestamp = toMillis(m.timestamp);

  // Sender: `from` ?? `from_user_id` ?? contacts[0].user_id — `from` is absent when the user hides
  // their number behind a business-scoped user id (BSUID).
  const fromUserId = str(m.from_user_id);
  ev.contactId = contactKey(m.from) ?? fromUserId ?? firstContactUserId(contacts);
  ev.contactName = contactName(contacts, [str(m.from), ev.contactId, fromUserId]);
  if (fromUserId) details.userId = fromUserId;
  readMessageBody(m, ev, details);
  if (m.group_id !== undefined) details.groupId = m.group_id;
  if (ctx.wabaId) details.wabaId = ctx.wabaId;
  if (ctx.note) details.note = ctx.note;
  ev.details = details;
  return ev;
}

function statusEvent(s: unknown, contacts: Contacts, businessId: string | null, ctx: ChangeContext): NormalisedEvent {
  if (!isObj(s)) return unknownEvent(s, 'A status that is not an object', ctx);
  const ev = blank('meta', 'status', s);
  const details: Obj = {};
  const word = rawStr(s.status);
  ev.providerStatus = word;
  ev.status = (word !== null && STATUS_MAP[word.toLowerCase()]) || 'other';
  ev.messageId = str(s.id);
  ev.businessId = businessId;
  ev.timestamp = toMillis(s.timestamp);
  const recipientUserId = str(s.recipient_user_id);
  const participantUserId = str(s.recipient_participant_user_id);
  const participant = contactKey(s.recipient_participant_id) ?? participantUserId;
  // Group sends: recipient_id is the group, the participant is the person who received or read it —
  // that person is the contact, the group is a detail.
  const isGroup = s.recipient_type === 'group' || participant !== null;
  if (isGroup) {
    ev.contactId = participant ?? contactKey(s.recipient_id) ?? recipientUserId;
    if (s.recipient_id !== undefined) details.groupId = s.recipient_id;
  } else {
    ev.contactId = contactKey(s.recipient_id) ?? recipientUserId;
  }
  ev.contactName = contactName(contacts, isGroup
    ? [str(s.recipient_participant_id), participant, participantUserId]
    : [str(s.recipient_id), ev.contactId, recipientUserId], !isGroup);
  applyErrors(ev, s.errors);

  if (s.conversation !== undefined) details.conversation = s.conversation;
  readPricing(s.pricing, details);
  if (s.biz_opaque_callback_data !== undefined) details.bizOpaqueCallbackData = s.biz_opaque_callback_data;
  if (recipientUserId) details.recipientUserId = recipientUserId;
  if (s.recipient_type !== undefined) details.recipientType = s.recipient_type;
  if (s.recipient_participant_id !== undefined) details.recipientParticipantId = s.recipient_participant_id;
  if (participantUserId) details.recipientParticipantUserId = participantUserId;
  if (ctx.wabaId) details.wabaId = ctx.wabaId;
  if (ctx.note) details.note = ctx.note;
  ev.details = details;
  return ev;
}

function valueErrorEvent(e: unknown, businessId: string | null, ctx: ChangeContext): NormalisedEvent {
  const ev = changeEvent('account', e, ctx, {});
  ev.messageType = 'error';
  ev.businessId = businessId;
  applyErrors(ev, [e]);
  if (!isObj(e)) ev.text = 'An error entry that is not an object';
  else if (ev.errorTitle) ev.text = ev.errorDetail && ev.errorDetail !== ev.errorTitle ? `${ev.errorTitle}: ${ev.errorDetail}` : ev.errorTitle;
  mark(ev.details!, 'warning');
  return ev;
}

// ---------------------------------------------------------------- template fields

function templateLabel(v: Obj): string {
  const name = clip(v.message_template_name) ?? (str(v.message_template_id) ? `template ${str(v.message_template_id)}` : 'template');
  const lang = clip(v.message_template_language, 20);
  return lang ? `${name} (${lang})` : name;
}

/** "2026-02-01 00:00 UTC": a provider time as a person reads it, the same on every machine. */
function utcDay(ms: number): string {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? String(ms) : `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Quality scores from worst to best: a move to a lower index is a drop. */
const QUALITY_ORDER = ['RED', 'YELLOW', 'GREEN'];

function templateEvent(v: Obj, field: string, ctx: ChangeContext): NormalisedEvent {
  const details: Obj = {
    // message_template_id is a JSON number: kept as a string so it sorts and compares as an id.
    templateId: str(v.message_template_id),
    templateName: str(v.message_template_name),
    language: str(v.message_template_language),
  };
  const ev = changeEvent('template', v, ctx, details);
  ev.messageType = field;
  const label = templateLabel(v);
  switch (field) {
    case 'message_template_status_update': {
      const event = str(v.event);
      const reason = str(v.reason);
      ev.providerStatus = event;
      ev.text = `${label} ${event ?? 'status update'}${reason && reason !== 'NONE' ? `: ${clip(reason, 200)}` : ''}`;
      if (v.message_template_category !== undefined) details.category = v.message_template_category;
      if (reason) details.reason = reason;
      if (v.rejection_info !== undefined) details.rejectionInfo = v.rejection_info;
      if (v.disable_info !== undefined) details.disableInfo = v.disable_info;
      if (v.other_info !== undefined) details.otherInfo = v.other_info;
      const e = event?.toUpperCase();
      if (e === 'REJECTED') mark(details, 'warning', 'template_rejected');
      else if (e === 'PAUSED') mark(details, 'warning', 'template_paused');
      else if (e === 'DISABLED' || e === 'PENDING_DELETION' || e === 'FLAGGED') mark(details, 'critical', ...(e === 'DISABLED' ? ['template_paused' as const] : []));
      break;
    }
    case 'message_template_quality_update': {
      const prev = str(v.previous_quality_score);
      const next = str(v.new_quality_score);
      ev.providerStatus = next;
      ev.text = `${label} quality ${prev ? `${prev} → ` : ''}${next ?? 'changed'}`;
      details.previousQuality = prev;
      details.newQuality = next;
      const a = prev ? QUALITY_ORDER.indexOf(prev.toUpperCase()) : -1;
      const b = next ? QUALITY_ORDER.indexOf(next.toUpperCase()) : -1;
      if (b >= 0 && (b === 0 || (a >= 0 && b < a))) mark(details, b === 0 ? 'critical' : 'warning', 'quality_dropped');
      break;
    }
    case 'template_category_update': {
      const prev = str(v.previous_category);
      const next = str(v.new_category);
      const correct = str(v.correct_category);
      const when = toMillis(v.category_update_timestamp);
      ev.providerStatus = next;
      if (prev) details.previousCategory = prev;
      details.newCategory = next;
      if (v.correct_category !== undefined) details.correctCategory = v.correct_category;
      if (!prev && correct && correct !== next) {
        // Meta's advance notice: nothing has changed yet. `new_category` is the category the template
        // has now; `correct_category` is what it will become at `category_update_timestamp`.
        details.impending = true;
        if (when !== null) details.categoryUpdateAt = when;
        ev.text = `${label} is ${next ?? '?'}; will become ${clip(correct, 40)}${when !== null ? ` on ${utcDay(when)}` : ''}`;
      } else {
        ev.text = prev ? `${label} category ${prev} → ${next ?? '?'}` : `${label} category changed to ${next ?? '?'}`;
      }
      break;
    }
    default: { // message_template_components_update: what the template says now
      ev.providerStatus = str(v.event);
      const parts: string[] = [];
      const header = clip(v.message_template_title, 60);
      const body = clip(v.message_template_element, 80);
      const footer = clip(v.message_template_footer, 60);
      if (header) parts.push(`header “${header}”`);
      if (body) parts.push(`body “${body}”`);
      if (footer) parts.push(`footer “${footer}”`);
      const buttons = asArray(v.message_template_buttons);
      if (buttons.length > 0) {
        const names: string[] = [];
        for (const b of buttons) {
          if (names.length >= 5) break;
          if (isObj(b)) names.push(clip(b.message_template_button_text, 30) ?? words(b.message_template_button_type) ?? 'button');
        }
        parts.push(`${buttons.length} button${buttons.length === 1 ? '' : 's'} (${names.join(', ')})`);
      }
      ev.text = `${label} components updated${parts.length ? `: ${parts.join(', ')}` : ''}`;
      break;
    }
  }
  return ev;
}

// ---------------------------------------------------------------- account fields

const ALERT_SEVERITY: Record<string, 'critical' | 'warning' | 'info'> = {
  CRITICAL: 'critical', HIGH: 'critical', WARNING: 'warning', MEDIUM: 'warning', LOW: 'info', INFORMATIONAL: 'info', INFO: 'info',
};

function accountEvent(v: Obj, field: string, ctx: ChangeContext): NormalisedEvent {
  const details: Obj = {};
  const ev = changeEvent('account', v, ctx, details);
  ev.messageType = field;
  const event = str(v.event);
  switch (field) {
    case 'account_update': {
      ev.providerStatus = event;
      const specifics: string[] = [];
      for (const r of asArray(v.restriction_info)) {
        if (specifics.length >= 10) break;
        if (isObj(r) && str(r.restriction_type)) specifics.push(clip(r.restriction_type, 60)!);
      }
      if (isObj(v.violation_info) && str(v.violation_info.violation_type)) specifics.push(clip(v.violation_info.violation_type, 60)!);
      if (isObj(v.ban_info) && str(v.ban_info.waba_ban_state)) specifics.push(clip(v.ban_info.waba_ban_state, 60)!);
      const quality = phoneNumberFacts(v.phone_number, details, specifics);
      ev.text = `${event ?? 'Account update'}${specifics.length ? `: ${specifics.join(', ')}` : ''}`;
      if (quality === 'RED') mark(details, 'critical', 'quality_dropped');
      else if (quality === 'YELLOW') mark(details, 'warning', 'quality_dropped');
      const e = event?.toUpperCase() ?? '';
      if (e === 'ACCOUNT_RESTRICTION' || asArray(v.restriction_info).length > 0) mark(details, 'critical', 'account_restricted');
      if (e === 'ACCOUNT_VIOLATION' || isObj(v.violation_info)) mark(details, 'critical', 'account_violation');
      if (e === 'DISABLED_UPDATE' || isObj(v.ban_info)) mark(details, 'critical', 'account_disabled');
      if (e === 'ACCOUNT_OFFBOARDED' || e === 'ACCOUNT_DELETED' || e === 'PARTNER_REMOVED') mark(details, 'warning');
      break;
    }
    case 'phone_number_quality_update': {
      ev.providerStatus = event;
      const num = clip(v.display_phone_number, 40);
      const limit = clip(v.current_limit, 40);
      ev.text = `${num ? `${num}: ` : ''}quality ${event ?? 'update'}${limit ? ` (limit ${limit})` : ''}`;
      if (num) details.displayPhoneNumber = num;
      if (limit) details.currentLimit = limit;
      const e = event?.toUpperCase() ?? '';
      if (e === 'FLAGGED' || e === 'DOWNGRADE') mark(details, 'warning', 'quality_dropped');
      break;
    }
    case 'phone_number_name_update': {
      const decision = str(v.decision);
      const name = clip(v.requested_verified_name, 80);
      const reason = str(v.rejection_reason);
      ev.providerStatus = decision;
      ev.text = `Display name${name ? ` "${name}"` : ''} ${decision ?? 'updated'}${reason && reason !== 'NONE' ? `: ${clip(reason, 200)}` : ''}`;
      if (v.display_phone_number !== undefined) details.displayPhoneNumber = v.display_phone_number;
      if (decision?.toUpperCase() === 'REJECTED') mark(details, 'warning');
      break;
    }
    case 'account_review_update': {
      const decision = str(v.decision);
      ev.providerStatus = decision;
      ev.text = `Account review: ${decision ?? 'updated'}`;
      if (decision?.toUpperCase() === 'REJECTED') mark(details, 'warning');
      break;
    }
    case 'account_alerts': {
      // Meta nests the alert in `alert_info`; some senders put the same fields flat on the value.
      const info = isObj(v.alert_info) ? v.alert_info
        : v.alert_type !== undefined || v.alert_severity !== undefined || v.alert_description !== undefined ? v : null;
      ev.providerStatus = info ? str(info.alert_status) ?? str(info.alert_type) : null;
      ev.text = (info ? clip(info.alert_description, 300) ?? words(info.alert_type) : null) ?? 'Account alert';
      const sev = info ? str(info.alert_severity)?.toUpperCase() ?? null : null;
      if (info?.alert_severity !== undefined) details.alertSeverity = info.alert_severity;
      if (info?.alert_type !== undefined) details.alertType = info.alert_type;
      // Every account alert stands out; Meta's own severity decides how much.
      mark(details, (sev && Object.hasOwn(ALERT_SEVERITY, sev) ? ALERT_SEVERITY[sev] : null) ?? 'warning', 'account_alert');
      break;
    }
    case 'business_capability_update': {
      const parts: string[] = [];
      let seen = 0;
      for (const k in v) {
        if (++seen > 40 || parts.length >= 8) break;
        const n = v[k];
        if (typeof n === 'number' || typeof n === 'string') parts.push(`${k.replaceAll('_', ' ')} ${clip(String(n), 40)}`);
      }
      ev.text = `Capability update${parts.length ? `: ${parts.join(', ')}` : ''}`;
      break;
    }
    case 'security': {
      ev.providerStatus = event;
      const num = clip(v.display_phone_number, 40);
      const who = clip(v.requester, 80);
      ev.text = `Security: ${event ?? 'event'}${num ? ` on ${num}` : ''}${who ? ` by ${who}` : ''}`;
      mark(details, 'warning');
      break;
    }
    default: {
      ev.providerStatus = event;
      const summary = scalarSummary(v);
      ev.text = `${field}${event ? `: ${event}` : summary ? `: ${summary}` : ''}`;
    }
  }
  return ev;
}

/**
 * The phone number an `account_update` is about. As an object (number, quality rating, messaging
 * limit) its facts go to `details` and the event's words; as a bare string, to `details`. Returns the
 * quality rating in capitals, if any.
 */
function phoneNumberFacts(p: unknown, details: Obj, specifics: string[]): string | null {
  if (typeof p === 'string' || typeof p === 'number') {
    // A bare number next to restriction or ban facts: kept, the words stay about the account.
    const num = clip(p, 40);
    if (num) details.displayPhoneNumber = num;
    return null;
  }
  if (!isObj(p)) return null;
  const num = clip(p.display_phone_number, 40) ?? clip(p.phone_number, 40) ?? clip(p.number, 40);
  const quality = clip(p.quality_rating, 20) ?? clip(p.quality_score, 20) ?? clip(p.quality, 20);
  const limit = clip(p.current_limit, 40) ?? clip(p.messaging_limit_tier, 40);
  if (num) { details.displayPhoneNumber = num; specifics.push(num); }
  if (quality) { details.quality = quality; specifics.push(`quality ${quality}`); }
  if (limit) { details.currentLimit = limit; specifics.push(`limit ${limit}`); }
  return quality?.toUpperCase() ?? null;
}

/** Keys of one preference, for a value that carries it flat instead of in `user_preferences[]`. */
const FLAT_PREFERENCE = ['wa_id', 'user_id', 'category', 'value'];

/** user_preferences (marketing opt-out / resume): one event per preference, for that customer. */
function userPreferences(v: Obj, ctx: ChangeContext, out: Out): void {
  // Meta sends an array; some senders send the one preference as an object, or flat on the value.
  const prefs = isObj(v.user_preferences) ? [v.user_preferences]
    : v.user_preferences === undefined && FLAT_PREFERENCE.some((k) => v[k] !== undefined) ? [v]
    : asArray(v.user_preferences);
  const businessId = businessIdOf(v);
  const contacts = indexContacts(v.contacts);
  if (prefs.length === 0) {
    const ev = accountEvent(v, 'user_preferences', ctx);
    ev.businessId = businessId;
    out.push(ev);
    return;
  }
  for (const p of take(out, prefs)) {
    const ev = changeEvent('account', p, ctx, {});
    ev.messageType = 'user_preferences';
    ev.businessId = businessId;
    const details = ev.details!;
    if (!isObj(p)) {
      ev.text = 'A user preference that is not an object';
      out.push(ev);
      continue;
    }
    const userId = str(p.user_id);
    ev.contactId = contactKey(p.wa_id) ?? userId ?? firstContactUserId(contacts);
    ev.contactName = contactName(contacts, [str(p.wa_id), ev.contactId, userId]);
    ev.timestamp = toMillis(p.timestamp) ?? ctx.entryTime;
    const category = str(p.category);
    const value = str(p.value);
    ev.providerStatus = value;
    ev.text = `${category ? category.replaceAll('_', ' ') : 'preference'}: ${value ?? 'changed'}`;
    if (category) details.category = category;
    if (p.detail !== undefined) details.detail = p.detail;
    out.push(ev);
  }
  if (prefs[0] !== v) announceUnread(v, PREFERENCES_READS, ctx, out);
}
const PREFERENCES_READS = readsKeys('user_preferences');
