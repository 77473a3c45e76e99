// Twilio WhatsApp webhooks (form params, already decoded by shared/form.ts) → normalised events.
// Wire format: Twilio's WhatsApp inbound-message and status-callback parameters (docs/webhooks.md). One POST
// is one event. Twilio adds parameters without notice [T-req], so unknown params are kept in `raw`
// and nothing here throws.

import type { EventStatus, NormalisedEvent } from '../types';
import { explainError } from '../error-codes';
import { blank, contactKey, coordinates, deeperThan, MAX_JSON_DEPTH, type Obj, placeText, toMillis } from './common';

// MessageStatus → Hookscope status (§2.2). `sending` is "on its way out of Twilio", closer to queued
// than to sent (WhatsApp has not acknowledged it yet); providerStatus keeps the word either way.
// `undelivered` is Twilio's "the carrier/WhatsApp gave up" → failed (docs/api.md names this mapping).
const STATUS_MAP: Record<string, EventStatus> = {
  queued: 'queued',
  accepted: 'queued',
  scheduled: 'queued',
  sending: 'queued',
  sent: 'sent',
  delivered: 'delivered',
  read: 'read',
  failed: 'failed',
  undelivered: 'failed',
};

/** Statuses Twilio reports on an inbound message: those requests are messages, not callbacks. */
const INBOUND_STATUSES = new Set(['received', 'receiving']);

/** First value of each name, plus `raw`: every name, repeated names as arrays (nothing dropped). */
function collect(params: [string, string][]): { p: Map<string, string>; raw: Obj } {
  const p = new Map<string, string>();
  const raw: Obj = {};
  // Repeated names collect into one array each, appended in place: copying the array per repeat would
  // make a body of `a=&a=&a=…` cost n² (a CPU stall on hostile input).
  const repeated = new Map<string, unknown[]>();
  const define = (k: string, value: unknown) =>
    // defineProperty: a param named "__proto__" must be stored as data, not change the prototype.
    Object.defineProperty(raw, k, { value, enumerable: true, writable: true, configurable: true });
  for (const pair of params) {
    if (!Array.isArray(pair)) continue;
    const k = pair[0];
    const v = pair[1] ?? '';
    if (typeof k !== 'string') continue;
    if (!p.has(k)) {
      p.set(k, typeof v === 'string' ? v : String(v));
      define(k, v);
    } else {
      const list = repeated.get(k);
      if (list) list.push(v);
      else {
        const fresh = [raw[k], v];
        repeated.set(k, fresh);
        define(k, fresh);
      }
    }
  }
  return { p, raw };
}

const CHANNEL_PREFIX = /^[a-z]+$/i;
const TIME_PARAMS = ['Timestamp', 'DateSent', 'DateUpdated', 'DateCreated'];

/** A non-empty param, else null. */
function get(p: Map<string, string>, k: string): string | null {
  const v = p.get(k);
  return v === undefined || v === '' ? null : v;
}

/**
 * `whatsapp:+31612345678` → `31612345678`; `whatsapp:US.1234` (a business-scoped user id when the
 * customer hides their number, §2.1) stays `US.1234`.
 */
export function twilioAddress(v: string | null): string | null {
  if (v === null) return null;
  let s = v.trim();
  const colon = s.indexOf(':');
  // Channel prefix: whatsapp:, messenger:, sms: … — anything before the first colon that is a word.
  if (colon > 0 && colon < 16 && CHANNEL_PREFIX.test(s.slice(0, colon))) s = s.slice(colon + 1);
  return contactKey(s);
}

/** Twilio sends no event time on messaging webhooks; a few products add one (Timestamp, Date*). */
function twilioTime(p: Map<string, string>): number | null {
  for (const k of TIME_PARAMS) {
    const v = get(p, k);
    if (v === null) continue;
    const n = toMillis(v);
    if (n !== null) return n;
    const parsed = Date.parse(v); // RFC 2822 / ISO 8601 strings
    if (Number.isFinite(parsed) && parsed > 0) return parsed;
  }
  return null;
}

function mediaType(contentType: string | null): string {
  const ct = (contentType ?? '').toLowerCase();
  if (ct.startsWith('image/')) return 'image';
  if (ct.startsWith('video/')) return 'video';
  if (ct.startsWith('audio/')) return 'audio';
  // Shared contacts arrive as a vCard attachment.
  if (ct.includes('vcard')) return 'contacts';
  return 'document';
}

export function normaliseTwilio(params: [string, string][]): NormalisedEvent[] {
  try {
    return [toEvent(Array.isArray(params) ? params : [])];
  } catch (err) {
    const ev = blank('twilio', 'unknown', params);
    ev.text = `Hookscope could not read these parameters: ${err instanceof Error ? err.message : String(err)}`;
    return [ev];
  }
}

/**
 * A JSON body on /twilio (Twilio's bodySHA256 variant, or something else posting there): kept as one
 * unknown event. Hostile nesting is not kept as `raw` — it would overflow JSON.stringify when stored —
 * the request keeps the exact bytes either way.
 */
export function normaliseTwilioJson(parsed: unknown): NormalisedEvent[] {
  if (deeperThan(parsed)) {
    const ev = blank('twilio', 'unknown', null);
    ev.text = `JSON body from Twilio that nests deeper than ${MAX_JSON_DEPTH} levels (the body is kept as received)`;
    return [ev];
  }
  const ev = blank('twilio', 'unknown', parsed);
  ev.text = 'JSON body from Twilio';
  return [ev];
}

function toEvent(params: [string, string][]): NormalisedEvent {
  const { p, raw } = collect(params);
  const messageSid = get(p, 'MessageSid') ?? get(p, 'SmsMessageSid') ?? get(p, 'SmsSid');
  const messageStatus = get(p, 'MessageStatus');
  const smsStatus = get(p, 'SmsStatus');
  const statusWord = messageStatus ?? smsStatus;

  if (messageSid === null && statusWord === null && get(p, 'From') === null) {
    const ev = blank('twilio', 'unknown', raw);
    ev.text = params.length === 0 ? 'Empty Twilio request' : 'Not a Twilio message webhook (no MessageSid, MessageStatus or From)';
    return ev;
  }

  const details: Obj = {};
  const accountSid = get(p, 'AccountSid');
  if (accountSid) details.accountSid = accountSid;
  const serviceSid = get(p, 'MessagingServiceSid');
  if (serviceSid) details.messagingServiceSid = serviceSid;

  const isInbound = statusWord === null || INBOUND_STATUSES.has(statusWord.toLowerCase());
  const ev = blank('twilio', isInbound ? 'message' : 'status', raw);
  ev.messageId = messageSid;
  ev.timestamp = twilioTime(p);
  ev.details = details;

  if (!isInbound) {
    // Status callback: the customer is `To`, the business is `From` (§2.2).
    ev.providerStatus = statusWord;
    ev.status = STATUS_MAP[statusWord.toLowerCase()] ?? 'other';
    ev.contactId = twilioAddress(get(p, 'To'));
    ev.businessId = twilioAddress(get(p, 'From'));
    const code = get(p, 'ErrorCode');
    // Some callbacks send ErrorCode=0 or an empty value on success; only a real code is an error.
    if (code !== null && code !== '0') {
      ev.errorCode = code;
      const known = explainError(code, 'twilio');
      const message = get(p, 'ErrorMessage');
      const channel = get(p, 'ChannelStatusMessage');
      ev.errorTitle = message ?? (known?.known ? known.title : null);
      ev.errorDetail = channel ?? (known?.known ? known.meaning : null);
    }
    for (const [k, name] of [['EventType', 'eventType'], ['ChannelToAddress', 'channelToAddress'],
      ['ChannelInstallSid', 'channelInstallSid'], ['StructuredMessage', 'structuredMessage'],
      ['SmsStatus', 'smsStatus']] as const) {
      const v = get(p, k);
      if (v !== null) details[name] = v;
    }
    return ev;
  }

  // Inbound message (§2.1).
  ev.status = 'incoming';
  ev.providerStatus = statusWord;
  const from = get(p, 'From');
  ev.contactId = twilioAddress(from) ?? twilioAddress(get(p, 'ExternalUserId')) ?? get(p, 'WaId');
  ev.contactName = get(p, 'ProfileName');
  ev.businessId = twilioAddress(get(p, 'To'));
  ev.replyTo = get(p, 'OriginalRepliedMessageSid');
  const waId = get(p, 'WaId');
  if (waId) details.waId = waId;

  const numMedia = Number(get(p, 'NumMedia') ?? '0');
  const media: { url: string | null; contentType: string | null }[] = [];
  if (Number.isInteger(numMedia) && numMedia > 0) {
    // Cap the loop: NumMedia is attacker-controlled text; Twilio allows at most 10 media.
    for (let i = 0; i < Math.min(numMedia, 20); i++) {
      const url = get(p, `MediaUrl${i}`);
      const contentType = get(p, `MediaContentType${i}`);
      if (url !== null || contentType !== null) media.push({ url, contentType });
    }
    details.media = media;
  }

  const latitude = get(p, 'Latitude');
  const longitude = get(p, 'Longitude');
  const label = get(p, 'Label');
  const address = get(p, 'Address');
  if (latitude !== null || longitude !== null) {
    details.location = { latitude: toNumber(latitude), longitude: toNumber(longitude), label, address };
  }
  const buttonText = get(p, 'ButtonText');
  const buttonPayload = get(p, 'ButtonPayload');
  if (buttonPayload !== null) details.buttonPayload = buttonPayload;
  if (get(p, 'Forwarded') === 'true') details.forwarded = true;
  if (get(p, 'FrequentlyForwarded') === 'true') details.frequentlyForwarded = true;
  const originalSender = get(p, 'OriginalRepliedMessageSender');
  if (originalSender) details.contextFrom = originalSender;
  const referral: Obj = {};
  let hasReferral = false;
  for (const [k, v] of p) {
    // ReferralNumMedia=0 comes with every inbound message; only real referral facts make a referral.
    if (k.startsWith('Referral') && v !== '' && !(k === 'ReferralNumMedia' && v === '0')) { referral[k] = v; hasReferral = true; }
  }
  if (hasReferral) details.referral = referral;

  // MessageType when Twilio sends it; older captures don't, so infer from content.
  const given = get(p, 'MessageType');
  let type: string;
  if (given !== null) type = given;
  else if (media.length > 0) type = mediaType(media[0].contentType);
  else if (latitude !== null) type = 'location';
  else if (buttonPayload !== null || buttonText !== null) type = 'button';
  else type = 'text';
  ev.messageType = type;

  const place = placeText(label, address);
  ev.text = get(p, 'Body') ?? buttonText ?? get(p, 'ListTitle') ?? place ?? (latitude !== null ? coordinates(latitude, longitude) : null);
  return ev;
}

function toNumber(v: string | null): number | null {
  if (v === null) return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}
