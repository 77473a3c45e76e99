// Pseudonymisation: one pure helper for privacy mode in the UI and for redacted exports, so a
// screenshot and an export hide the same things the same way (docs/api.md, "Privacy").
//
// Decisions:
//  - Deny by default: inside a payload every string is personal unless its key is on a short list of
//    provider fields known to hold ids, statuses, types, times or error codes. A new provider field
//    is therefore hidden until someone decides it is safe, never shown by accident.
//  - Numbers and names get stable pseudonyms from one Pseudonymiser: the same number is the same
//    pseudonym everywhere it appears (feed, inspector, export), so a conversation still reads. They
//    are counters in order of first appearance — nothing derived from the number, so nothing to reverse.
//  - Message text (and any other personal string) is replaced by a fixed marker, not pseudonymised:
//    its length or shape could say too much.
//  - Strings that stay (error titles, details, reasons) are still scrubbed: every number the
//    pseudonymiser has met, and every phone-number-like sequence (`+55 11 95555-4444`, `(11) 9555…`),
//    known or not, becomes a pseudonym — providers quote the customer's number in their error texts.
//  - Ids that encode or point at the customer become stable pseudonyms too: Meta's `wamid.` ids are
//    base64 of a record holding the customer's number, conversation ids and BSUIDs are the customer's,
//    a Twilio message SID opens the customer's conversation in the console. The same id is the same
//    pseudonym within one Pseudonymiser (so a message's lifecycle still lines up in an export), and each
//    Pseudonymiser draws its own random space, so pseudonyms of two exports cannot be joined.
//    Business ids (WABA, phone number id, account SID) and all-digit ids (media) stay.
import type { HookEvent, StoredRequest } from './types';

export const REDACTED = '[redacted]';

/** Payload keys whose string values are not personal (ids, statuses, types, times, error codes). */
const KEEP_KEYS = new Set([
  // Meta Cloud API
  'object', 'id', 'field', 'messaging_product', 'display_phone_number', 'phone_number_id', 'type', 'timestamp',
  'status', 'expiration_timestamp', 'billable', 'pricing_model', 'category', 'code', 'href', 'mime_type', 'sha256',
  'recipient_type', 'event', 'message_template_id', 'message_template_name', 'message_template_language', 'reason',
  'version', 'channel', 'biz_opaque_callback_data', 'current_limit', 'quality_rating', 'decision', 'animated', 'voice',
  'wabaId', 'messageType', 'editedType', 'forwarded', 'frequentlyForwarded',
  'hub.mode', 'hub.challenge',
  // Twilio
  'AccountSid', 'MessagingServiceSid', 'SmsStatus', 'MessageStatus', 'NumMedia',
  'NumSegments', 'ApiVersion', 'ErrorCode', 'ChannelPrefix', 'MessageType', 'ChannelInstallSid', 'EventType',
  'ReferralNumMedia', 'MediaContentType0', 'RawDlrDoneDate', 'ChannelStatusMessage',
]);

/**
 * Keys whose values are ids of a message, a conversation or a customer: replaced by stable pseudonyms.
 * (`id` itself is decided by its value: see `isCustomerId`.)
 */
const ID_KEYS = new Set([
  // Meta: a reaction's target, the normaliser's details, BSUIDs (business-scoped user ids)
  'message_id', 'originalMessageId', 'reactedMessageId', 'user_id', 'parent_user_id', 'from_user_id', 'from_parent_user_id',
  'recipient_user_id', 'recipient_parent_user_id', 'userId', 'recipientUserId', 'recipientParticipantUserId',
  'recipientParticipantId', 'conversationId', 'replyId', 'ctwaClid',
  // Twilio: message SIDs, a BSUID address
  'MessageSid', 'SmsSid', 'SmsMessageSid', 'OriginalRepliedMessageSid', 'ExternalUserId',
]);

/** Keys whose kept values are words (scrubbed of phone-number-like sequences, not only known numbers). */
const WORD_KEYS = new Set(['reason', 'ChannelStatusMessage', 'RawDlrDoneDate']);

/** Keys whose values are the error's words (kept, but scrubbed of known numbers). */
const ERROR_TEXT_KEYS = new Set(['title', 'message', 'details', 'error_data', 'ErrorMessage']);

/** Keys whose values are a person's name. */
const NAME_KEYS = new Set(['name', 'formatted_name', 'first_name', 'last_name', 'middle_name', 'ProfileName', 'contactName']);

/** Numbers that are JSON numbers but still say where someone is. */
const PERSONAL_NUMBER_KEYS = new Set(['latitude', 'longitude', 'Latitude', 'Longitude']);

/** A phone number or WhatsApp address as providers write them: `5511…`, `+5511…`, `whatsapp:+5511…`. */
const PHONE = /^(whatsapp:)?(\+)?(\d{6,20})$/i;
/** Digit runs inside kept text that may be a known number. */
const DIGIT_RUN = /\d{6,20}/g;
/**
 * A phone number as people and providers write it inside words: an optional `+`, then digits with
 * spaces, dots, dashes or brackets between them — 8 to 20 digits in all, so error codes (6 digits) and
 * short counts stay. Digits glued to letters (a hex id) are not a number.
 */
const PHONE_IN_TEXT = /(?<![\p{L}\p{N}_])\+?\(?\d(?:[\s.()-]{0,2}\d){7,19}(?![\p{L}\p{N}_])/gu;

/** An `id` value that is a business's or a media id (all digits) stays; anything else is a message/conversation id. */
function isCustomerId(v: string): boolean {
  return !/^\d+$/.test(v.trim());
}

/** The readable prefix of an id kept in its pseudonym (`wamid.`, `SM`, `US.`), so a reader still sees what it was. */
const ID_PREFIX = /^(wamid\.|[A-Z]{2}(?=[0-9a-f]{32}$)|[A-Z]{2}\.(?:ENT\.)?)/;

/** A short random tag per Pseudonymiser: its pseudonyms cannot be joined with another export's. */
function newSpace(): string {
  return Math.floor(Math.random() * 36 ** 4).toString(36).padStart(4, '0');
}

export interface Pseudonymiser {
  /** A customer's number (digits) → a stable pseudonym of digits (`00000000001`); null stays null. */
  number(n: string | null | undefined): string | null;
  /** A person's name → `Contact N` (stable). */
  name(s: string | null | undefined): string | null;
  /** Message text → the marker. */
  text(s: string | null | undefined): string | null;
  /** Kept words (error titles and details, reasons) with every phone-number-like sequence and known name replaced. */
  scrub(s: string | null | undefined): string | null;
  /** A message, conversation or customer id → a stable pseudonym (`wamid.k3x9-4`); null stays null. */
  id(s: string | null | undefined): string | null;
  /** A JSON value (a parsed payload, an event's raw or details) with everything personal replaced. */
  json(v: unknown): unknown;
  /** A form-encoded body or query (Twilio) with everything personal replaced, re-encoded. */
  form(body: string): string;
  /** A stored body as text: JSON and forms are redacted field by field; anything else is withheld whole. */
  body(text: string, contentType?: string | null): string;
  /** An event as the API carries it, with contact, name, text, raw and details pseudonymised. */
  event<E extends Partial<HookEvent>>(ev: E): E;
}

export function createPseudonymiser(opts: { space?: string } = {}): Pseudonymiser {
  const numbers = new Map<string, string>();
  const names = new Map<string, string>();
  const ids = new Map<string, string>();
  const space = opts.space ?? newSpace();

  const number = (n: string | null | undefined): string | null => {
    if (n == null || n === '') return n ?? null;
    const m = PHONE.exec(n.trim());
    const digits = m ? m[3] : n.replace(/\D/g, '') || n;
    let p = numbers.get(digits);
    if (!p) {
      p = String(numbers.size + 1).padStart(11, '0');
      numbers.set(digits, p);
    }
    return m ? `${m[1] ?? ''}${m[2] ?? ''}${p}` : p;
  };

  const name = (s: string | null | undefined): string | null => {
    if (s == null || s === '') return s ?? null;
    const key = s.trim().toLowerCase();
    let p = names.get(key);
    if (!p) {
      p = `Contact ${names.size + 1}`;
      names.set(key, p);
    }
    return p;
  };

  const text = (s: string | null | undefined): string | null => (s == null || s === '' ? (s ?? null) : REDACTED);

  const id = (s: string | null | undefined): string | null => {
    if (s == null || s === '') return s ?? null;
    let p = ids.get(s);
    if (!p) {
      p = `${ID_PREFIX.exec(s)?.[1] ?? ''}${space}-${ids.size + 1}`;
      ids.set(s, p);
    }
    return p;
  };

  /** Structural kept values (timestamps, business ids): only numbers already met are replaced. */
  const known = (s: string): string => s.replace(DIGIT_RUN, (run) => numbers.get(run) ?? run);

  const scrub = (s: string | null | undefined): string | null => {
    if (s == null) return null;
    // Any phone-number-like sequence becomes a number pseudonym (the same one as the customer's own
    // when it is their number, however it was spaced).
    let out = s.replace(PHONE_IN_TEXT, (run) => {
      const plus = run.startsWith('+') ? '+' : '';
      return `${plus}${number(run.replace(/\D/g, ''))}`;
    });
    out = known(out);
    // A name met before and quoted in an error message.
    for (const [key, p] of names) {
      if (key.length >= 3 && out.toLowerCase().includes(key)) out = out.replace(new RegExp(escapeRegExp(key), 'gi'), p);
    }
    return out;
  };

  /** Personal strings by what they look like: numbers keep a pseudonym, the rest the marker. */
  const value = (key: string, v: string): string => {
    if (NAME_KEYS.has(key)) return name(v) ?? v;
    if (PHONE.test(v.trim())) return number(v) ?? v;
    return REDACTED;
  };

  /** First pass: learn every number and name so kept strings can be scrubbed whatever the key order. */
  const learn = (v: unknown, key: string, depth: number): void => {
    if (depth > 64) return;
    if (typeof v === 'string') {
      if (KEEP_KEYS.has(key) || ERROR_TEXT_KEYS.has(key)) return;
      if (NAME_KEYS.has(key)) name(v);
      else if (PHONE.test(v.trim())) number(v);
      return;
    }
    if (Array.isArray(v)) { for (const x of v) learn(x, key, depth + 1); return; }
    if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) learn(x, k, depth + 1);
  };

  const walk = (v: unknown, key: string, depth: number, inError: boolean): unknown => {
    if (depth > 64) return REDACTED;
    if (typeof v === 'string') {
      if (ID_KEYS.has(key) || (key === 'id' && isCustomerId(v))) return id(v);
      if (WORD_KEYS.has(key) || (inError && ERROR_TEXT_KEYS.has(key))) return scrub(v);
      if (KEEP_KEYS.has(key)) return known(v);
      return value(key, v);
    }
    if (typeof v === 'number') return PERSONAL_NUMBER_KEYS.has(key) ? 0 : v;
    if (Array.isArray(v)) return v.map((x) => walk(x, key, depth + 1, inError));
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      const err = inError || key === 'errors' || key === 'error';
      for (const [k, x] of Object.entries(v)) out[k] = walk(x, k, depth + 1, err);
      return out;
    }
    return v;
  };

  const json = (v: unknown): unknown => {
    learn(v, '', 0);
    return walk(v, '', 0, false);
  };

  const form = (body: string): string => {
    if (!body) return body;
    const pairs = parsePairs(body);
    for (const [k, v] of pairs) learn(v, k, 0);
    return pairs.map(([k, v]) => {
      const out = k === 'hub.verify_token' ? REDACTED
        : ID_KEYS.has(k) ? (id(v) ?? '')
        : k === 'ErrorMessage' || WORD_KEYS.has(k) ? (scrub(v) ?? '')
        : KEEP_KEYS.has(k) ? known(v)
        : value(k, v);
      return `${encodeURIComponent(k)}=${encodeURIComponent(out)}`;
    }).join('&');
  };

  const body = (t: string, contentType?: string | null): string => {
    if (t === '') return t;
    if ((contentType ?? '').toLowerCase().includes('application/x-www-form-urlencoded')) return form(t);
    try {
      return JSON.stringify(json(JSON.parse(t)));
    } catch {
      // Not JSON and not a form: nothing tells which bytes are personal, so none are shown.
      return `[redacted: ${t.length} characters that are neither JSON nor a form]`;
    }
  };

  const event = <E extends Partial<HookEvent>>(ev: E): E => {
    const out: E = { ...ev };
    // Learn this event's number and name first: its error texts may quote them.
    if (ev.contactId !== undefined) out.contactId = number(ev.contactId);
    if (ev.contactName !== undefined) out.contactName = name(ev.contactName);
    if (ev.raw !== undefined) out.raw = json(ev.raw);
    if (ev.details !== undefined) out.details = json(ev.details) as Record<string, unknown>;
    if (ev.text !== undefined) out.text = text(ev.text);
    if (ev.messageId !== undefined) out.messageId = id(ev.messageId);
    if (ev.replyTo !== undefined) out.replyTo = id(ev.replyTo);
    if (ev.errorTitle !== undefined) out.errorTitle = scrub(ev.errorTitle);
    if (ev.errorDetail !== undefined) out.errorDetail = scrub(ev.errorDetail);
    return out;
  };

  return { number, name, text, scrub, id, json, form, body, event };
}

/** application/x-www-form-urlencoded pairs (no URLSearchParams here: shared has no DOM or Node types). */
function parsePairs(body: string): [string, string][] {
  const dec = (s: string) => { try { return decodeURIComponent(s.replace(/\+/g, ' ')); } catch { return s; } };
  return body.split('&').filter(Boolean).map((part) => {
    const eq = part.indexOf('=');
    return eq >= 0 ? [dec(part.slice(0, eq)), dec(part.slice(eq + 1))] : [dec(part), ''];
  });
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Request headers that prove or grant something: dropped from redacted exports. */
export function isSecretHeader(name: string): boolean {
  const n = name.toLowerCase();
  return /signature|token|authorization|cookie|api-key|secret/.test(n);
}

/** A stored request's body, headers and query as privacy mode / a redacted export shows them. */
export function redactRequest<R extends Pick<StoredRequest, 'body' | 'bodyIsText' | 'headers' | 'query'>>(p: Pseudonymiser, r: R): R {
  const contentType = r.headers.find(([k]) => k.toLowerCase() === 'content-type')?.[1] ?? null;
  return {
    ...r,
    // Binary bytes cannot be told apart: none are shown.
    body: r.bodyIsText ? p.body(r.body, contentType) : `[redacted: a binary body]`,
    bodyIsText: true,
    headers: r.headers.filter(([k]) => !isSecretHeader(k)),
    query: r.query ? p.form(r.query) : r.query,
  };
}
