// Packed requests: once a request's events are derived and the receiver is idle (ingest/deriver.ts), its
// headers and exact body bytes are kept as one raw-deflate stream with a preset dictionary of what webhooks repeat (header names, Meta's and Twilio's
// field names), instead of as plain text. Lossless — unpack() gives back the very bytes received, which
// signatures, replay, export and the inspector need — and a typical webhook's headers and body shrink to a
// third or less (docs/benchmarks.md, bytes per event).
//
// `requests.packed` says how a row is stored: 0 = plain (`headers` JSON text, `body` bytes), 1 = packed with
// DICTIONARY_V1, 2 = packed with DICTIONARY_V2 (`headers` empty, `body` the stream). A dictionary is part of
// the file format: it never changes; rows keep the one they were packed with, and new rows get the newest.
import { deflateRawSync, inflateRawSync } from 'node:zlib';

// What webhooks repeat, most frequent last (deflate finds the nearest match cheapest). Written from the
// documented shapes of Meta's and Twilio's webhooks (docs/webhooks.md); no customer data.
const DICTIONARY_V1 = Buffer.from([
  'AccountSid=AC&ApiVersion=2010-04-01&Body=&ChannelPrefix=whatsapp&ChannelInstallSid=&ChannelToAddress=%2B&ErrorCode=&ErrorMessage=',
  '&From=whatsapp%3A%2B&MessageSid=SM&MessageStatus=delivered&MessageType=text&MessagingServiceSid=MG&NumMedia=0&NumSegments=1',
  '&ProfileName=&ReferralNumMedia=0&SmsMessageSid=SM&SmsSid=SM&SmsStatus=received&To=whatsapp%3A%2B&WaId=',
  '["x-twilio-signature","],["i-twilio-idempotency-token","],["content-type","application/x-www-form-urlencoded"],["user-agent","TwilioProxy/1.1"]',
  '"errors":[{"code":131026,"title":"Message undeliverable","message":"","error_data":{"details":""},"href":"https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"}]',
  '"pricing":{"billable":true,"pricing_model":"PMP","category":"utility","type":"regular"},"conversation":{"id":"","expiration_timestamp":"","origin":{"type":"utility"}}',
  '"context":{"from":"","id":"wamid."},"image":{"mime_type":"image/jpeg","sha256":"","id":""},"interactive":{"type":"button_reply","button_reply":{"id":"","title":""}}',
  '"type":"text","text":{"body":""}}]},"field":"messages"}]}]}',
  '{"object":"whatsapp_business_account","entry":[{"id":"","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"","phone_number_id":""},',
  '"contacts":[{"profile":{"name":""},"wa_id":""}],"messages":[{"from":"","id":"wamid.HBgM","timestamp":"","type":"text","text":{"body":""}}]},"field":"messages"}]}]}',
  '"statuses":[{"id":"wamid.HBgM","status":"sent","timestamp":"","recipient_id":""},{"id":"wamid.HBgM","status":"read","timestamp":"","recipient_id":""}]},"field":"messages"}]}]}',
  '{"object":"whatsapp_business_account","entry":[{"id":"","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"","phone_number_id":""},"statuses":[{"id":"wamid.HBgM","status":"delivered","timestamp":"","recipient_id":""',
  '[["host",".ngrok-free.app"],["user-agent","facebookexternalua"],["content-length",""],["accept","*/*"],["accept-encoding","deflate, gzip"],["content-type","application/json"],',
  '["x-forwarded-for",""],["x-forwarded-host",""],["x-forwarded-proto","https"],["x-hub-signature","sha1="],["x-hub-signature-256","sha256=',
].join(''), 'utf8');

// V1, then a Meta status with its keys in the order of Meta's documented example (test/fixtures/meta/
// status-sent.json): id, status, timestamp, recipient_id, then `conversation` and `pricing` — statuses are
// most of the traffic (three per message sent), and V1 had these two objects only apart, in the other
// order. Per-message pricing (PMP, with `type`) and conversation-based (CBP) both. 221 → 202 B per request
// for the bench's webhooks with their headers (docs/benchmarks.md "Bytes per event, round 5").
const DICTIONARY_V2 = Buffer.concat([DICTIONARY_V1, Buffer.from([
  '"recipient_id":"","pricing":{"billable":true,"pricing_model":"PMP","category":"utility","type":"regular"}}]},"field":"messages"}]}]}',
  '{"object":"whatsapp_business_account","entry":[{"id":"","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"","phone_number_id":""},',
  '"statuses":[{"id":"wamid.HBgM","status":"delivered","timestamp":"","recipient_id":"","conversation":{"id":"","expiration_timestamp":"","origin":{"type":"service"}},',
  '"pricing":{"billable":true,"pricing_model":"CBP","category":"service"}}]},"field":"messages"}]}]}',
].join(''), 'utf8')]);

/** Requests smaller than this stay plain: deflate would barely win, and plain rows are cheaper to read. */
export const PACK_MIN_BYTES = 200;

export const PACKED_V1 = 1;
export const PACKED_V2 = 2;
/** How new rows are packed. */
export const PACKED = PACKED_V2;
const DICTIONARIES: Record<number, Buffer> = { [PACKED_V1]: DICTIONARY_V1, [PACKED_V2]: DICTIONARY_V2 };

/**
 * headers JSON + body → one stream: [4-byte headers length][headers][1 byte: body present][body], with the
 * dictionary of `packed` (PACKED for every row written now; an older one only to read or test older rows).
 */
export function pack(headersJson: string, body: Buffer | null, packed: number = PACKED): Buffer {
  const dictionary = DICTIONARIES[packed];
  if (!dictionary) throw new Error(`unknown packing ${packed}`);
  const h = Buffer.from(headersJson, 'utf8');
  const frame = Buffer.allocUnsafe(5 + h.length + (body?.length ?? 0));
  frame.writeUInt32BE(h.length, 0);
  h.copy(frame, 4);
  frame[4 + h.length] = body ? 1 : 0;
  body?.copy(frame, 5 + h.length);
  // Level 6, not 1: 9 B less per request (231 → 222 B on the bench's webhooks) for ~5 µs more of packing,
  // which runs when the receiver is idle (docs/benchmarks.md "Bytes per event, round 4"). Not part of the
  // format: inflate reads any level, so rows packed at level 1 read as before.
  return deflateRawSync(frame, { level: 6, dictionary });
}

/** A stream of pack() (`packed`: the dictionary it was packed with; a row's `packed` column). */
export function unpack(blob: Buffer, packed: number = PACKED): { headers: string; body: Buffer | null } {
  const dictionary = DICTIONARIES[packed];
  if (!dictionary) throw new Error(`unknown packing ${packed}`);
  const frame = inflateRawSync(blob, { dictionary });
  const n = frame.readUInt32BE(0);
  const headers = frame.subarray(4, 4 + n).toString('utf8');
  const body = frame[4 + n] === 1 ? Buffer.from(frame.subarray(5 + n)) : null;
  return { headers, body };
}

/** A request row's headers JSON and body bytes, however it is stored. */
export function requestBytes(row: { headers: string; body: Buffer | null; packed?: number | null }): { headers: string; body: Buffer | null } {
  if (row.packed != null && row.packed !== 0 && row.body) return unpack(row.body, row.packed);
  return { headers: row.headers, body: row.body };
}
