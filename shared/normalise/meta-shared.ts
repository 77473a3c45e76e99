// Pieces every Meta field reader shares: where a change sits in the envelope, the contacts of a change,
// errors, and what a person would read for each message type. Pure and bounded: every loop walks one
// array of the payload once; strings built from the payload are cut to a readable length.
import type { EventSeverity, EventSignal, NormalisedEvent } from '../types';
import { explainError } from '../error-codes';
import { asArray, blank, contactKey, coordinates, deeperThan, isObj, type Obj, placeText, rawStr, str, toMillis } from './common';

/** More events than this from one POST are not stored one by one (see normaliseMeta). */
export const MAX_EVENTS_PER_WEBHOOK = 5000;

/** The events of one webhook, and how many items were not read because the cap was already reached. */
export type Out = NormalisedEvent[] & { skipped?: number };

/**
 * The items of a payload array that still fit under the per-webhook cap (one over, so the cap shows):
 * a hostile body with 200,000 statuses costs a slice, not 200,000 events built and thrown away.
 */
export function take<T>(out: Out, list: T[]): T[] {
  const room = MAX_EVENTS_PER_WEBHOOK + 1 - out.length;
  if (list.length <= room) return list;
  const keep = Math.max(room, 0);
  out.skipped = (out.skipped ?? 0) + list.length - keep;
  return list.slice(0, keep);
}

/** Where an event sits in the envelope: what every event of a change shares. */
export interface ChangeContext {
  wabaId: string | null;
  /** `entry.time`, present for account/template fields, in ms. */
  entryTime: number | null;
  field: string | null;
  /**
   * Set when the payload had to be read against its own label (Meta's examples put `field` on the entry,
   * or label a quality update as a status update). Shown with the event so nobody is surprised.
   */
  note: string | null;
}

export function unknownEvent(raw: unknown, text: string, ctx?: ChangeContext): NormalisedEvent {
  const ev = blank('meta', 'unknown', raw);
  ev.text = text;
  if (ctx) {
    ev.messageType = ctx.field;
    ev.timestamp = ctx.entryTime;
    const details: Obj = { notUnderstood: true };
    if (ctx.wabaId) details.wabaId = ctx.wabaId;
    if (ctx.note) details.note = ctx.note;
    ev.details = details;
  }
  return ev;
}

/** Keys of a change's value that are envelope, not content: every reader may leave them unread. */
const ENVELOPE_KEYS = ['messaging_product', 'metadata', 'field', 'contacts'];

/** The keys a reader reads, plus the envelope: what `announceUnread` leaves alone. */
export function readsKeys(...keys: string[]): ReadonlySet<string> {
  return new Set([...ENVELOPE_KEYS, ...keys]);
}

/**
 * Nothing is silently dropped (docs/webhooks.md): whatever a reader leaves unread in a change's value
 * — each item of an array, or an object, under a key the reader does not read (`calls[]` or
 * `message_echoes[]` inside a `messages` change) — becomes a "not understood" event naming the key
 * and the field, with the item as its raw. Items count against the per-webhook cap like any other.
 */
export function announceUnread(value: Obj, reads: ReadonlySet<string>, ctx: ChangeContext, out: Out): void {
  for (const k in value) {
    if (reads.has(k)) continue;
    const v = value[k];
    if (!Array.isArray(v) && !isObj(v)) continue;
    const where = `inside a "${clip(ctx.field ?? '?', 60)}" change`;
    const text = Array.isArray(v)
      ? `Not understood yet: a "${clip(k, 60)}" item ${where} (shown as received)`
      : `Not understood yet: "${clip(k, 60)}" ${where} (shown as received)`;
    for (const item of take(out, Array.isArray(v) ? v : [v])) out.push(unknownEvent(item, text, ctx));
  }
}

/** An event of `kind` for one change, with the envelope facts every reader copies. */
export function changeEvent(kind: NormalisedEvent['kind'], raw: unknown, ctx: ChangeContext, details: Obj): NormalisedEvent {
  const ev = blank('meta', kind, raw);
  ev.timestamp = ctx.entryTime;
  if (ctx.wabaId) details.wabaId = ctx.wabaId;
  if (ctx.note) details.note = ctx.note;
  ev.details = details;
  return ev;
}

export function businessIdOf(value: Obj): string | null {
  const metadata = isObj(value.metadata) ? value.metadata : null;
  return metadata ? contactKey(metadata.phone_number_id) : null;
}

/** Severity and named signals (rules match `when.signal` on them): the most severe mark wins. */
const SEVERITY_RANK: Record<EventSeverity, number> = { info: 0, warning: 1, critical: 2 };
export function mark(details: Obj, severity: EventSeverity | null, ...signals: EventSignal[]): void {
  if (severity) {
    const cur = details.severity as EventSeverity | undefined;
    if (!cur || SEVERITY_RANK[severity] > SEVERITY_RANK[cur]) details.severity = severity;
  }
  if (signals.length > 0) {
    const list = Array.isArray(details.signals) ? (details.signals as EventSignal[]) : [];
    for (const s of signals) if (!list.includes(s)) list.push(s);
    details.signals = list;
  }
}

/** "ACCOUNT_RESTRICTION" → "account restriction". Payload words, cut to a readable length. */
export function words(v: unknown, max = 80): string | null {
  const s = str(v);
  if (s === null) return null;
  const w = s.length > max ? `${s.slice(0, max - 1)}…` : s;
  return /^[A-Z0-9_]+$/.test(w) ? w.toLowerCase().replaceAll('_', ' ') : w.replaceAll('_', ' ');
}

/** A payload string cut to a readable length (ids, names), as given. */
export function clip(v: unknown, max = 120): string | null {
  const s = str(v);
  return s === null ? null : s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

const SKIP_KEYS = new Set(['messaging_product', 'metadata']);
/**
 * "key value, key.sub value" for the scalar facts of a value Hookscope has no dedicated reader words
 * for: bounded (the first `maxKeys` keys, one level of nesting, values cut), so a hostile value costs little.
 */
export function scalarSummary(v: Obj, maxParts = 6, maxKeys = 40): string {
  const parts: string[] = [];
  let seen = 0;
  for (const k in v) {
    if (++seen > maxKeys || parts.length >= maxParts) break;
    if (SKIP_KEYS.has(k)) continue;
    const x = v[k];
    if (typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean') {
      parts.push(`${k.replaceAll('_', ' ')} ${clip(String(x), 60)}`);
    } else if (isObj(x)) {
      let inner = 0;
      for (const k2 in x) {
        if (++inner > 10 || parts.length >= maxParts) break;
        const y = x[k2];
        if (typeof y === 'string' || typeof y === 'number' || typeof y === 'boolean') {
          parts.push(`${k.replaceAll('_', ' ')} ${k2.replaceAll('_', ' ')} ${clip(String(y), 60)}`);
        }
      }
    }
  }
  return parts.join(', ');
}

// ---------------------------------------------------------------- contacts

/**
 * contacts[] of one change, indexed once: a hostile body with thousands of messages and thousands of
 * contacts must cost messages + contacts, not messages × contacts.
 */
export interface Contacts {
  list: unknown[];
  /** wa_id, its digits-only key and user_id → position of the first contact that has it. */
  byId: Map<string, number>;
}

export function indexContacts(v: unknown): Contacts {
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
export function contactName(contacts: Contacts, ids: (string | null)[], fallbackToFirst = true): string | null {
  if (contacts.list.length === 0) return null;
  // The earliest contact matching any of the ids, as a scan of the list in order would find.
  let at = -1;
  for (const id of ids) {
    if (id === null) continue;
    const i = contacts.byId.get(id);
    if (i !== undefined && (at < 0 || i < at)) at = i;
  }
  if (at < 0 && !fallbackToFirst) return null;
  const c = contacts.list[at >= 0 ? at : 0];
  const found = isObj(c) ? c : null;
  const profile = found && isObj(found.profile) ? found.profile : null;
  return profile ? str(profile.name) : null;
}

export function firstContactUserId(contacts: Contacts): string | null {
  const c = contacts.list[0];
  return isObj(c) ? str(c.user_id) : null;
}

/**
 * First error of an errors[] array onto the event. Two shapes exist: full
 * `{code,title,message,error_data{details},href}` and minimal `{code,title}`; older payloads put
 * `details` at the top level.
 */
export function applyErrors(ev: NormalisedEvent, errors: unknown): void {
  if (!Array.isArray(errors) || errors.length === 0 || !isObj(errors[0])) return;
  const e = errors[0];
  ev.errorCode = str(e.code);
  const data = isObj(e.error_data) ? e.error_data : null;
  ev.errorTitle = str(e.title) ?? explainError(ev.errorCode, 'meta')?.title ?? str(e.message);
  ev.errorDetail = (data ? str(data.details) : null) ?? str(e.details) ?? str(e.message);
}

// ---------------------------------------------------------------- message content

/** Media-carrying message types; their object holds id, mime_type, sha256, caption?, url?. */
const MEDIA_TYPES = new Set(['image', 'video', 'audio', 'voice', 'document', 'sticker']);

/** Every message type this file reads, in the order a type-less message is probed for one. */
const KNOWN_TYPES = [
  'text', 'image', 'video', 'audio', 'voice', 'document', 'sticker', 'location', 'contacts', 'interactive',
  'button', 'reaction', 'order', 'system', 'request_welcome', 'ephemeral', 'unsupported', 'edit', 'revoke',
] as const;

/**
 * The type of a message that has no `type` key (seen in copied examples: a location without a type):
 * the first known type whose object is present. Null when there is none.
 */
export function inferType(m: Obj): string | null {
  for (const t of KNOWN_TYPES) if (t in m && (isObj(m[t]) || Array.isArray(m[t]))) return t;
  return null;
}

/** What WhatsApp says a user did when it will not pass the message on (unsupported.type). */
const UNSUPPORTED_WORDS: Record<string, string> = {
  edit: 'Edited a message',
  poll_creation: 'Created a poll',
  poll_update: 'Voted in a poll',
  event_creation: 'Created an event',
  view_once: 'Sent a view-once photo or video',
  gif: 'Sent a GIF',
  video_note: 'Sent a video note',
  unknown: 'Sent a message type WhatsApp does not recognise',
};

/** What a person would read for one message type; fills type-specific details. */
export function content(type: string | null, m: Obj, details: Obj, ev: NormalisedEvent): string | null {
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
      // Template quick-reply tap: the text is what the customer saw on the button.
      if (!o) return null;
      if (o.payload !== undefined) details.payload = o.payload;
      return str(o.text);
    case 'reaction': {
      if (!o) return null;
      const target = str(o.message_id);
      details.reactedMessageId = target;
      if (ev.replyTo === null) ev.replyTo = target;
      const emoji = str(o.emoji);
      // Empty or missing emoji = the reaction was removed.
      if (emoji === null) { details.removed = true; return 'Removed a reaction'; }
      details.emoji = emoji;
      return emoji;
    }
    case 'order':
      return orderText(o, details);
    case 'system':
      return systemText(o, details);
    case 'request_welcome':
      // The user opened the chat for the first time (no text): the business may send a welcome message.
      return 'Opened the chat for the first time';
    case 'ephemeral':
      return 'Sent a disappearing message (WhatsApp does not pass its content on)';
    case 'unsupported':
    case 'unknown': {
      // errors[131051] is applied by the caller; newer payloads name what the user did.
      const sub = o ? rawStr(o.type) : null;
      if (sub !== null) details.unsupportedType = sub;
      const said = sub !== null && Object.hasOwn(UNSUPPORTED_WORDS, sub) ? UNSUPPORTED_WORDS[sub] : null;
      if (said) return `${said} (WhatsApp does not pass this on to the API)`;
      return sub ? `Sent something WhatsApp does not pass on to the API (${clip(sub, 40)})` : 'Sent a message WhatsApp does not pass on to the API';
    }
    default:
      break;
  }
  if (MEDIA_TYPES.has(type)) {
    if (!o) return null;
    details.media = o; // id, mime_type, sha256, url?, filename?
    if (type === 'audio' || type === 'voice') details.voice = o.voice === true || type === 'voice';
    if (type === 'sticker') details.animated = o.animated === true;
    if (type === 'document' && o.filename !== undefined) details.filename = o.filename;
    // A document without a caption is known by its file name.
    return str(o.caption) ?? (type === 'document' ? str(o.filename) : null);
  }
  // A type this code does not know yet: keep the type as given, read the usual text-bearing keys, and
  // say plainly that it is not understood (the raw payload shows everything).
  details.notUnderstood = true;
  const known = o ? str(o.body) ?? str(o.caption) ?? str(o.text) ?? str(o.title) : null;
  return known ?? `Not understood yet: message type "${clip(type, 40)}" (see the payload)`;
}

function systemText(o: Obj | null, details: Obj): string | null {
  if (!o) return null;
  const sub = rawStr(o.type);
  if (sub !== null) details.systemType = sub;
  const newId = o.wa_id ?? o.new_wa_id;
  if (newId !== undefined) details.newWaId = newId;
  if (o.customer !== undefined) details.customer = o.customer;
  if (sub === 'customer_identity_changed' || sub === 'identity_changed') details.identityChanged = true;
  const body = str(o.body);
  if (body) return body;
  if (sub === 'user_changed_number' || sub === 'customer_changed_number') {
    const to = contactKey(newId);
    return to ? `Changed their number to +${to}` : 'Changed their number';
  }
  if (details.identityChanged) return 'Their security code changed (new phone or reinstall)';
  return sub ? words(sub) : null;
}

function contactsText(list: unknown, details: Obj): string | null {
  if (!Array.isArray(list)) return null;
  details.contactCount = list.length;
  const names: string[] = [];
  for (const c of list) {
    if (names.length >= 20) break;
    if (!isObj(c) || !isObj(c.name)) continue;
    const n = c.name;
    const formatted = str(n.formatted_name) ?? [str(n.first_name), str(n.last_name)].filter(Boolean).join(' ');
    if (formatted) names.push(formatted);
  }
  return names.length > 0 ? names.join(', ') : null;
}

function interactiveText(it: Obj | null, details: Obj): string | null {
  if (!it) {
    // type=interactive without the object — degrade, don't fail.
    details.interactiveType = null;
    return null;
  }
  const sub = rawStr(it.type);
  details.interactiveType = sub;
  const r = sub !== null && isObj(it[sub]) ? (it[sub] as Obj) : null;
  if (!r) return null;
  if (sub === 'nfm_reply') {
    // Flows: response_json is a JSON *string* that may decode to a non-object.
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
  if (sub === 'call_permission_reply') {
    // The customer answered a request to let the business call them (Calling API).
    const response = rawStr(r.response);
    const expires = toMillis(r.expiration_timestamp);
    const permanent = r.is_permanent === true;
    details.callPermission = { response, expiresAt: expires, permanent, source: r.response_source ?? null };
    if (response === 'accept') {
      return `Allowed the business to call them${permanent ? ' (permanently)' : expires ? ` (until ${new Date(expires).toISOString().slice(0, 16).replace('T', ' ')} UTC)` : ''}`;
    }
    if (response === 'reject') return 'Declined calls from the business';
    return `Answered the call permission request: ${words(response) ?? 'no answer given'}`;
  }
  if (r.id !== undefined) details.replyId = r.id;
  if (r.description !== undefined) details.description = r.description;
  // button_reply / list_reply carry {id, title}; unknown sub-types are read for the usual keys.
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
    if (parts.length < 50) parts.push(Number.isFinite(q) ? `${id} ×${q}` : id);
    const price = typeof it.item_price === 'number' ? it.item_price : Number(it.item_price);
    const cur = str(it.currency);
    if (!Number.isFinite(q) || !Number.isFinite(price) || cur === null || (currency !== null && cur !== currency)) summable = false;
    else { total += q * price; currency = cur; }
  }
  if (parts.length === 0) return null;
  const sum = summable && currency ? ` (${Math.round(total * 100) / 100} ${currency})` : '';
  return parts.join(', ') + sum;
}

// ---------------------------------------------------------------- message objects

/** Type, text, context, referral, identity and errors of a message object onto an event. */
export function readMessageBody(m: Obj, ev: NormalisedEvent, details: Obj): void {
  if (isObj(m.context)) {
    const c = m.context;
    ev.replyTo = str(c.id);
    if (c.from !== undefined) details.contextFrom = c.from;
    if (c.forwarded === true) details.forwarded = true;
    if (c.frequently_forwarded === true) details.frequentlyForwarded = true;
    if (c.referred_product !== undefined) details.referredProduct = c.referred_product;
  }
  if (isObj(m.referral)) {
    // Click-to-WhatsApp ads: keep the whole referral and the click id for attribution.
    details.referral = m.referral;
    if (m.referral.ctwa_clid !== undefined) details.ctwaClid = m.referral.ctwa_clid;
  } else if (m.referral !== undefined) details.referral = m.referral;
  if (m.identity !== undefined) {
    details.identity = m.identity;
    if (isObj(m.identity) && m.identity.acknowledged === false) details.identityChanged = true;
  }
  applyErrors(ev, m.errors);

  let type = rawStr(m.type);
  if (type === null) {
    // No `type` key (a copied example): read the message for the first type object it holds.
    type = inferType(m);
    if (type !== null) details.note = `the message has no "type"; read as ${type} from what it holds`;
  }
  ev.messageType = type;
  if (type === 'edit') {
    // An edit mutates an earlier message: it is not a new message. text = the new content.
    const edit = isObj(m.edit) ? m.edit : null;
    const original = edit ? str(edit.original_message_id) : null;
    details.originalMessageId = original;
    // replyTo links the edit to the message it changes; the inner message's own context.id is what
    // the original quoted, so it is not used.
    ev.replyTo = original ?? ev.replyTo;
    const inner = edit && isObj(edit.message) ? edit.message : null;
    if (inner) {
      const innerType = rawStr(inner.type) ?? inferType(inner);
      details.editedType = innerType;
      ev.text = content(innerType, inner, details, ev);
    }
  } else if (type === 'revoke') {
    const revoke = isObj(m.revoke) ? m.revoke : null;
    const original = revoke ? str(revoke.original_message_id) : null;
    details.originalMessageId = original;
    ev.replyTo = original ?? ev.replyTo;
    ev.text = 'Deleted a message';
  } else {
    ev.text = content(type, m, details, ev);
  }
}

/** The pricing of one status, flattened for the inspector and the weekly billable counts. */
export function readPricing(p: unknown, details: Obj): void {
  if (p === undefined) return;
  details.pricing = p;
  if (!isObj(p)) return;
  if (typeof p.billable === 'boolean') details.billable = p.billable;
  // Cut: these become Stats keys and Summary words.
  const category = clip(p.category, 40);
  if (category) details.pricingCategory = category.toLowerCase();
  const type = clip(p.type, 40);
  if (type) details.pricingType = type.toLowerCase();
  const model = clip(p.pricing_model, 20);
  if (model) details.pricingModel = model;
}

