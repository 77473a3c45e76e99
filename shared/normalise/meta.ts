// Meta WhatsApp Cloud API webhook → normalised events (SPEC §3).
// Wire format: /shared/docs/whatsapp-formats.md §1.2–1.6. The rules that shape this file:
// - one POST = entry[] × changes[] × (messages | statuses | errors)[], and one value may carry
//   messages AND statuses (§1.2, §4.3): never if/else between them;
// - route on `field`; unknown fields, types and statuses are kept as they are, never thrown on —
//   a 500 makes Meta retry for days (§4.4);
// - duplicates inside one payload are emitted as they come: the store flags them (§1.8).
// Provider objects are referenced, never cloned: `raw` and `details` point into the parsed payload.

import type { EventStatus, NormalisedEvent } from '../types';
import { explainError } from '../error-codes';
import { asArray, blank, contactKey, coordinates, deeperThan, isObj, MAX_JSON_DEPTH, type Obj, placeText, rawStr, str, toMillis } from './common';

/** Where an event sits in the envelope: what every event of a change shares. */
interface ChangeContext {
  wabaId: string | null;
  /** `entry.time`, present for account/template fields (§1.2), in ms. */
  entryTime: number | null;
  field: string | null;
}

// Cloud API status words plus the On-Premises ones BSPs still relay (`deleted`; §1.4). `warning` and
// anything else (courier's `in_orbit`) become `other`, with the provider's word in providerStatus.
const STATUS_MAP: Record<string, EventStatus> = {
  sent: 'sent',
  delivered: 'delivered',
  read: 'read',
  played: 'played',
  failed: 'failed',
  deleted: 'deleted',
};

const TEMPLATE_FIELDS = new Set([
  'message_template_status_update',
  'message_template_quality_update',
  'template_category_update',
  'message_template_components_update',
]);

const ACCOUNT_FIELDS = new Set([
  'account_update',
  'phone_number_quality_update',
  'phone_number_name_update',
  'account_review_update',
  'account_alerts',
  'business_capability_update',
  'security',
  'user_preferences',
]);

/** Media-carrying message types; their object holds id, mime_type, sha256, caption?, url? (§1.3). */
const MEDIA_TYPES = new Set(['image', 'video', 'audio', 'voice', 'document', 'sticker']);

/** More events than this from one POST are not stored one by one (see normaliseMeta). */
export const MAX_EVENTS_PER_WEBHOOK = 5000;

export function normaliseMeta(payload: unknown): NormalisedEvent[] {
  const out: NormalisedEvent[] = [];
  if (deeperThan(payload)) {
    // Hostile nesting: storing it as the event's raw payload would overflow JSON.stringify's stack
    // (and fail the whole commit). The request keeps the exact bytes; the event says why it is empty.
    const ev = blank('meta', 'unknown', null);
    ev.text = `Not a Meta webhook: the JSON nests deeper than ${MAX_JSON_DEPTH} levels (the body is kept as received)`;
    return [ev];
  }
  try {
    walk(payload, out);
    if (out.length > MAX_EVENTS_PER_WEBHOOK) {
      // Meta batches a handful of updates per POST; hundreds of thousands are an attack on the store
      // (every event is a row, written while the receiver waits). The body is stored whole regardless.
      const dropped = out.length - MAX_EVENTS_PER_WEBHOOK;
      out.length = MAX_EVENTS_PER_WEBHOOK;
      out.push(unknownEvent(null, `This webhook carries ${dropped + MAX_EVENTS_PER_WEBHOOK} items; only the first ${MAX_EVENTS_PER_WEBHOOK} became events (the body is kept as received)`));
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

function unknownEvent(raw: unknown, text: string, ctx?: ChangeContext): NormalisedEvent {
  const ev = blank('meta', 'unknown', raw);
  ev.text = text;
  if (ctx) {
    ev.messageType = ctx.field;
    ev.timestamp = ctx.entryTime;
    if (ctx.wabaId) ev.details = { wabaId: ctx.wabaId };
  }
  return ev;
}

function walk(payload: unknown, out: NormalisedEvent[]): void {
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
    for (const change of entry.changes) {
      if (!isObj(change)) {
        out.push(unknownEvent(change, 'Meta webhook change that is not an object'));
        continue;
      }
      const ctx: ChangeContext = { wabaId, entryTime, field: rawStr(change.field) };
      const value = change.value;
      if (!isObj(value)) {
        out.push(unknownEvent(change, `Change "${ctx.field ?? '?'}" without a value object`, ctx));
        continue;
      }
      routeChange(value, ctx, out);
    }
  }
}

function routeChange(value: Obj, ctx: ChangeContext, out: NormalisedEvent[]): void {
  const field = ctx.field;
  if (field === 'messages' || (field === null && ('messages' in value || 'statuses' in value || 'errors' in value))) {
    messagesValue(value, ctx, out);
  } else if (field !== null && TEMPLATE_FIELDS.has(field)) {
    out.push(templateEvent(value, field, ctx));
  } else if (field === 'user_preferences') {
    userPreferences(value, ctx, out);
  } else if (field !== null && ACCOUNT_FIELDS.has(field)) {
    out.push(accountEvent(value, field, ctx));
  } else {
    out.push(unknownEvent(value, field === null ? 'Change without a field name' : `Unrecognised webhook field "${field}"`, ctx));
  }
}

// ---------------------------------------------------------------- messages field

function messagesValue(value: Obj, ctx: ChangeContext, out: NormalisedEvent[]): void {
  const metadata = isObj(value.metadata) ? value.metadata : null;
  const businessId = metadata ? contactKey(metadata.phone_number_id) : null;
  const contacts = indexContacts(value.contacts);
  const before = out.length;
  for (const m of asArray(value.messages)) out.push(messageEvent(m, contacts, businessId, ctx));
  for (const s of asArray(value.statuses)) out.push(statusEvent(s, contacts, businessId, ctx));
  // Value-level errors (§1.5) are their own events even next to messages: pywa's
  // interactive_message_with_err carries a message AND errors[131000] — both must show.
  for (const e of asArray(value.errors)) out.push(valueErrorEvent(e, businessId, ctx));
  if (out.length === before) out.push(unknownEvent(value, 'A "messages" change with no messages, statuses or errors', ctx));
}

/**
 * contacts[] of one change, indexed once: a hostile body with thousands of messages and thousands of
 * contacts must cost messages + contacts, not messages × contacts.
 */
interface Contacts {
  list: unknown[];
  /** wa_id, its digits-only key and user_id → position of the first contact that has it. */
  byId: Map<string, number>;
}

function indexContacts(v: unknown): Contacts {
  const list = asArray(v);
  const byId = new Map<string, number>();
  for (let i = 0; i < list.length; i++) {
    const c = list[i];
    if (!isObj(c)) continue;
    for (const k of [str(c.wa_id), contactKey(c.wa_id), str(c.user_id)]) {
      if (k !== null && !byId.has(k)) byId.set(k, i);
    }
  }
  return { list, byId };
}

/** contacts[] entry for this sender/recipient: by wa_id (or BSUID user_id), else the first one. */
function contactName(contacts: Contacts, ids: (string | null)[]): string | null {
  if (contacts.list.length === 0) return null;
  // The earliest contact matching any of the ids, as a scan of the list in order would find.
  let at = -1;
  for (const id of ids) {
    if (id === null) continue;
    const i = contacts.byId.get(id);
    if (i !== undefined && (at < 0 || i < at)) at = i;
  }
  const c = contacts.list[at >= 0 ? at : 0];
  const found = isObj(c) ? c : null;
  const profile = found && isObj(found.profile) ? found.profile : null;
  return profile ? str(profile.name) : null;
}

function firstContactUserId(contacts: Contacts): string | null {
  const c = contacts.list[0];
  return isObj(c) ? str(c.user_id) : null;
}

/**
 * First error of an errors[] array onto the event. Two shapes exist (§1.4): full
 * `{code,title,message,error_data{details},href}` and minimal `{code,title}`; older payloads put
 * `details` at the top level.
 */
function applyErrors(ev: NormalisedEvent, errors: unknown): void {
  if (!Array.isArray(errors) || errors.length === 0 || !isObj(errors[0])) return;
  const e = errors[0];
  ev.errorCode = str(e.code);
  const data = isObj(e.error_data) ? e.error_data : null;
  ev.errorTitle = str(e.title) ?? explainError(ev.errorCode, 'meta')?.title ?? str(e.message);
  ev.errorDetail = (data ? str(data.details) : null) ?? str(e.details) ?? str(e.message);
}

function messageEvent(m: unknown, contacts: Contacts, businessId: string | null, ctx: ChangeContext): NormalisedEvent {
  if (!isObj(m)) return unknownEvent(m, 'A message that is not an object', ctx);
  const ev = blank('meta', 'message', m);
  const details: Obj = {};
  ev.status = 'incoming';
  ev.messageId = str(m.id);
  ev.businessId = businessId;
  ev.timestamp = toMillis(m.timestamp);

  // Sender: `from` ?? `from_user_id` ?? contacts[0].user_id — `from` is absent when the user hides
  // their number behind a business-scoped user id (§1.2, BSUID).
  const fromUserId = str(m.from_user_id);
  ev.contactId = contactKey(m.from) ?? fromUserId ?? firstContactUserId(contacts);
  ev.contactName = contactName(contacts, [str(m.from), ev.contactId, fromUserId]);
  if (fromUserId) details.userId = fromUserId;

  if (isObj(m.context)) {
    const c = m.context;
    ev.replyTo = str(c.id);
    if (c.from !== undefined) details.contextFrom = c.from;
    if (c.forwarded === true) details.forwarded = true;
    if (c.frequently_forwarded === true) details.frequentlyForwarded = true;
    if (c.referred_product !== undefined) details.referredProduct = c.referred_product;
  }
  if (m.referral !== undefined) details.referral = m.referral; // CTWA attribution keeps ctwa_clid (§1.3)
  if (m.group_id !== undefined) details.groupId = m.group_id;
  if (m.identity !== undefined) details.identity = m.identity;
  applyErrors(ev, m.errors);

  const type = rawStr(m.type);
  ev.messageType = type;
  if (type === 'edit') {
    // An edit mutates an earlier message (§1.3): it is not a new message. text = the new content.
    const edit = isObj(m.edit) ? m.edit : null;
    const original = edit ? str(edit.original_message_id) : null;
    details.originalMessageId = original;
    // replyTo links the edit to the message it changes; the inner message's own context.id (pywa: "M0")
    // is what the original quoted, so it is not used.
    ev.replyTo = original ?? ev.replyTo;
    const inner = edit && isObj(edit.message) ? edit.message : null;
    if (inner) {
      const innerType = rawStr(inner.type);
      details.editedType = innerType;
      ev.text = content(innerType, inner, details, ev);
    }
  } else if (type === 'revoke') {
    const revoke = isObj(m.revoke) ? m.revoke : null;
    const original = revoke ? str(revoke.original_message_id) : null;
    details.originalMessageId = original;
    ev.replyTo = original ?? ev.replyTo;
  } else {
    ev.text = content(type, m, details, ev);
  }
  if (ctx.wabaId) details.wabaId = ctx.wabaId;
  ev.details = details;
  return ev;
}

/** What a person would read for one message type; fills type-specific details (§1.3 table). */
function content(type: string | null, m: Obj, details: Obj, ev: NormalisedEvent): string | null {
  if (type === null) return null;
  const body = m[type];
  const o = isObj(body) ? body : null;
  switch (type) {
    case 'text':
      return o ? str(o.body) : null;
    case 'location': {
      if (!o) return null;
      details.location = o;
      // A dropped pin has no name or address: the coordinates are then what the person sent.
      return placeText(str(o.name), str(o.address)) ?? coordinates(o.latitude, o.longitude);
    }
    case 'contacts':
      return contactsText(body, details);
    case 'interactive':
      return interactiveText(o, details);
    case 'button':
      // Template quick-reply tap (§1.3): the text is what the customer saw on the button.
      if (!o) return null;
      if (o.payload !== undefined) details.payload = o.payload;
      return str(o.text);
    case 'reaction': {
      if (!o) return null;
      const target = str(o.message_id);
      details.reactedMessageId = target;
      if (ev.replyTo === null) ev.replyTo = target;
      const emoji = str(o.emoji);
      // Empty or missing emoji = the reaction was removed (§1.3, pywa unreaction_*).
      if (emoji === null) details.removed = true;
      else details.emoji = emoji;
      return emoji;
    }
    case 'order':
      return orderText(o, details);
    case 'system': {
      if (!o) return null;
      if (o.type !== undefined) details.systemType = o.type;
      const newId = o.wa_id ?? o.new_wa_id;
      if (newId !== undefined) details.newWaId = newId;
      if (o.customer !== undefined) details.customer = o.customer;
      return str(o.body);
    }
    case 'unsupported':
    case 'unknown':
      // errors[131051] already applied; newer payloads name the type they could not pass on.
      if (o && o.type !== undefined) details.unsupportedType = o.type;
      return null;
    default:
      break;
  }
  if (MEDIA_TYPES.has(type)) {
    if (!o) return null;
    details.media = o; // id, mime_type, sha256, url?, filename?
    if (type === 'audio' || type === 'voice') details.voice = o.voice === true || type === 'voice';
    if (type === 'sticker') details.animated = o.animated === true;
    if (type === 'document' && o.filename !== undefined) details.filename = o.filename;
    return str(o.caption);
  }
  // A type this code does not know yet (request_welcome, future types): keep the type as given and
  // read the usual text-bearing keys if there are any.
  if (!o) return null;
  return str(o.body) ?? str(o.caption) ?? str(o.text) ?? str(o.title);
}

function contactsText(list: unknown, details: Obj): string | null {
  if (!Array.isArray(list)) return null;
  details.contactCount = list.length;
  const names: string[] = [];
  for (const c of list) {
    if (!isObj(c) || !isObj(c.name)) continue;
    const n = c.name;
    const formatted = str(n.formatted_name) ?? [str(n.first_name), str(n.last_name)].filter(Boolean).join(' ');
    if (formatted) names.push(formatted);
  }
  return names.length > 0 ? names.join(', ') : null;
}

function interactiveText(it: Obj | null, details: Obj): string | null {
  if (!it) {
    // pywa interactive_message_with_err: type=interactive without the object — degrade, don't fail.
    details.interactiveType = null;
    return null;
  }
  const sub = rawStr(it.type);
  details.interactiveType = sub;
  const r = sub !== null && isObj(it[sub]) ? (it[sub] as Obj) : null;
  if (!r) return null;
  if (sub === 'nfm_reply') {
    // Flows: response_json is a JSON *string* that may decode to a non-object (§1.3, courier).
    if (r.name !== undefined) details.flowName = r.name;
    const rj = r.response_json;
    if (typeof rj === 'string') {
      try {
        const parsed: unknown = JSON.parse(rj);
        if (deeperThan(parsed)) {
          // Kept as the string it came as: parsed, it would overflow JSON.stringify when stored.
          details.flowResponse = rj;
          details.flowResponseTooDeep = true;
        } else {
          details.flowResponse = parsed;
          if (isObj(parsed) && parsed.flow_token !== undefined) details.flowToken = parsed.flow_token;
        }
      } catch {
        details.flowResponse = rj;
        details.flowResponseInvalid = true;
      }
    } else if (rj !== undefined) {
      details.flowResponse = rj;
    }
    return str(r.body) ?? str(r.name);
  }
  if (r.id !== undefined) details.replyId = r.id;
  if (r.description !== undefined) details.description = r.description;
  // button_reply / list_reply carry {id, title}; unknown sub-types (call_permission_reply…) are read
  // for the usual keys.
  return str(r.title) ?? str(r.body) ?? str(r.text);
}

function orderText(o: Obj | null, details: Obj): string | null {
  if (!o) return null;
  details.order = o;
  const own = str(o.text);
  if (own) return own;
  // No message with the cart: summarise it, e.g. "HAMBURGER ×3, FRENCH_FRIES ×2, SODA ×2 (180 ILS)".
  const items = asArray(o.product_items);
  const parts: string[] = [];
  let total = 0;
  let currency: string | null = null;
  let summable = items.length > 0;
  for (const it of items) {
    if (!isObj(it)) { summable = false; continue; }
    const id = str(it.product_retailer_id) ?? 'item';
    const q = typeof it.quantity === 'number' ? it.quantity : Number(it.quantity);
    parts.push(Number.isFinite(q) ? `${id} ×${q}` : id);
    const price = typeof it.item_price === 'number' ? it.item_price : Number(it.item_price);
    const cur = str(it.currency);
    if (!Number.isFinite(q) || !Number.isFinite(price) || cur === null || (currency !== null && cur !== currency)) summable = false;
    else { total += q * price; currency = cur; }
  }
  if (parts.length === 0) return null;
  const sum = summable && currency ? ` (${Math.round(total * 100) / 100} ${currency})` : '';
  return parts.join(', ') + sum;
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
  ev.contactId = contactKey(s.recipient_id) ?? recipientUserId;
  const participantUserId = str(s.recipient_participant_user_id);
  ev.contactName = contactName(contacts, [str(s.recipient_id), ev.contactId, recipientUserId, participantUserId]);
  applyErrors(ev, s.errors);

  if (s.conversation !== undefined) details.conversation = s.conversation;
  if (s.pricing !== undefined) details.pricing = s.pricing;
  if (s.biz_opaque_callback_data !== undefined) details.bizOpaqueCallbackData = s.biz_opaque_callback_data;
  if (recipientUserId) details.recipientUserId = recipientUserId;
  // Group sends (§1.4): recipient_id is the group, the participant is the person.
  if (s.recipient_type !== undefined) details.recipientType = s.recipient_type;
  if (s.recipient_participant_id !== undefined) details.recipientParticipantId = s.recipient_participant_id;
  if (participantUserId) details.recipientParticipantUserId = participantUserId;
  if (ctx.wabaId) details.wabaId = ctx.wabaId;
  ev.details = details;
  return ev;
}

function valueErrorEvent(e: unknown, businessId: string | null, ctx: ChangeContext): NormalisedEvent {
  const ev = blank('meta', 'account', e);
  ev.messageType = 'error';
  ev.businessId = businessId;
  ev.timestamp = ctx.entryTime;
  applyErrors(ev, [e]);
  if (!isObj(e)) ev.text = 'An error entry that is not an object';
  else if (ev.errorTitle) ev.text = ev.errorDetail && ev.errorDetail !== ev.errorTitle ? `${ev.errorTitle}: ${ev.errorDetail}` : ev.errorTitle;
  if (ctx.wabaId) ev.details = { wabaId: ctx.wabaId };
  return ev;
}

// ---------------------------------------------------------------- template fields (§1.6)

function templateLabel(v: Obj): string {
  const name = str(v.message_template_name) ?? (str(v.message_template_id) ? `template ${str(v.message_template_id)}` : 'template');
  const lang = str(v.message_template_language);
  return lang ? `${name} (${lang})` : name;
}

function templateEvent(v: Obj, field: string, ctx: ChangeContext): NormalisedEvent {
  const ev = blank('meta', 'template', v);
  ev.messageType = field;
  ev.timestamp = ctx.entryTime;
  const details: Obj = {
    // message_template_id is a JSON number (§1.6): kept as a string so it sorts and compares as an id.
    templateId: str(v.message_template_id),
    templateName: str(v.message_template_name),
    language: str(v.message_template_language),
  };
  if (ctx.wabaId) details.wabaId = ctx.wabaId;
  const label = templateLabel(v);
  switch (field) {
    case 'message_template_status_update': {
      const event = str(v.event);
      const reason = str(v.reason);
      ev.providerStatus = event;
      ev.text = `${label} ${event ?? 'status update'}${reason && reason !== 'NONE' ? `: ${reason}` : ''}`;
      if (v.message_template_category !== undefined) details.category = v.message_template_category;
      if (reason) details.reason = reason;
      if (v.rejection_info !== undefined) details.rejectionInfo = v.rejection_info;
      if (v.disable_info !== undefined) details.disableInfo = v.disable_info;
      if (v.other_info !== undefined) details.otherInfo = v.other_info;
      break;
    }
    case 'message_template_quality_update': {
      const prev = str(v.previous_quality_score);
      const next = str(v.new_quality_score);
      ev.providerStatus = next;
      ev.text = `${label} quality ${prev ? `${prev} → ` : ''}${next ?? 'changed'}`;
      details.previousQuality = prev;
      details.newQuality = next;
      break;
    }
    case 'template_category_update': {
      const prev = str(v.previous_category);
      const next = str(v.new_category);
      ev.providerStatus = next;
      ev.text = prev ? `${label} category ${prev} → ${next ?? '?'}` : `${label} category changed to ${next ?? '?'}`;
      if (prev) details.previousCategory = prev;
      details.newCategory = next;
      if (v.correct_category !== undefined) details.correctCategory = v.correct_category;
      break;
    }
    default: // message_template_components_update
      ev.providerStatus = str(v.event);
      ev.text = `${label} components updated`;
      break;
  }
  ev.details = details;
  return ev;
}

// ---------------------------------------------------------------- account fields (§1.6)

function accountEvent(v: Obj, field: string, ctx: ChangeContext): NormalisedEvent {
  const ev = blank('meta', 'account', v);
  ev.messageType = field;
  ev.timestamp = ctx.entryTime;
  const details: Obj = {};
  if (ctx.wabaId) details.wabaId = ctx.wabaId;
  const event = str(v.event);
  switch (field) {
    case 'account_update': {
      ev.providerStatus = event;
      const specifics: string[] = [];
      for (const r of asArray(v.restriction_info)) if (isObj(r) && str(r.restriction_type)) specifics.push(str(r.restriction_type)!);
      if (isObj(v.violation_info) && str(v.violation_info.violation_type)) specifics.push(str(v.violation_info.violation_type)!);
      if (isObj(v.ban_info) && str(v.ban_info.waba_ban_state)) specifics.push(str(v.ban_info.waba_ban_state)!);
      ev.text = `${event ?? 'Account update'}${specifics.length ? `: ${specifics.join(', ')}` : ''}`;
      break;
    }
    case 'phone_number_quality_update': {
      ev.providerStatus = event;
      const num = str(v.display_phone_number);
      const limit = str(v.current_limit);
      ev.text = `${num ? `${num}: ` : ''}quality ${event ?? 'update'}${limit ? ` (limit ${limit})` : ''}`;
      if (num) details.displayPhoneNumber = num;
      if (limit) details.currentLimit = limit;
      break;
    }
    case 'phone_number_name_update': {
      const decision = str(v.decision);
      const name = str(v.requested_verified_name);
      const reason = str(v.rejection_reason);
      ev.providerStatus = decision;
      ev.text = `Display name${name ? ` "${name}"` : ''} ${decision ?? 'updated'}${reason && reason !== 'NONE' ? `: ${reason}` : ''}`;
      if (v.display_phone_number !== undefined) details.displayPhoneNumber = v.display_phone_number;
      break;
    }
    case 'account_review_update': {
      const decision = str(v.decision);
      ev.providerStatus = decision;
      ev.text = `Account review: ${decision ?? 'updated'}`;
      break;
    }
    case 'account_alerts': {
      const info = isObj(v.alert_info) ? v.alert_info : null;
      ev.providerStatus = info ? str(info.alert_status) ?? str(info.alert_type) : null;
      ev.text = (info ? str(info.alert_description) ?? str(info.alert_type) : null) ?? 'Account alert';
      if (info?.alert_severity !== undefined) details.severity = info.alert_severity;
      break;
    }
    case 'business_capability_update': {
      const parts: string[] = [];
      for (const k of Object.keys(v)) {
        const n = v[k];
        if (typeof n === 'number' || typeof n === 'string') parts.push(`${k.replaceAll('_', ' ')} ${n}`);
      }
      ev.text = `Capability update${parts.length ? `: ${parts.join(', ')}` : ''}`;
      break;
    }
    case 'security': {
      ev.providerStatus = event;
      const num = str(v.display_phone_number);
      const who = str(v.requester);
      ev.text = `Security: ${event ?? 'event'}${num ? ` on ${num}` : ''}${who ? ` by ${who}` : ''}`;
      break;
    }
    default:
      ev.providerStatus = event;
      ev.text = `${field}${event ? `: ${event}` : ''}`;
  }
  ev.details = details;
  return ev;
}

/** user_preferences (marketing opt-out / resume): one event per preference, for that customer. */
function userPreferences(v: Obj, ctx: ChangeContext, out: NormalisedEvent[]): void {
  const prefs = asArray(v.user_preferences);
  const metadata = isObj(v.metadata) ? v.metadata : null;
  const businessId = metadata ? contactKey(metadata.phone_number_id) : null;
  const contacts = indexContacts(v.contacts);
  if (prefs.length === 0) {
    const ev = accountEvent(v, 'user_preferences', ctx);
    ev.businessId = businessId;
    out.push(ev);
    return;
  }
  for (const p of prefs) {
    const ev = blank('meta', 'account', p);
    ev.messageType = 'user_preferences';
    ev.businessId = businessId;
    const details: Obj = {};
    if (ctx.wabaId) details.wabaId = ctx.wabaId;
    ev.details = details;
    if (!isObj(p)) {
      ev.text = 'A user preference that is not an object';
      ev.timestamp = ctx.entryTime;
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
}
