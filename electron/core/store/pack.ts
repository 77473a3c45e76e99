// Packed requests: once a request's events are derived and the receiver is idle (ingest/deriver.ts), its
// headers and exact body bytes are kept as one raw-deflate stream with a preset dictionary of what webhooks repeat (header names, Meta's and Twilio's
// field names), instead of as plain text. Lossless — unpack() gives back the very bytes received, which
// signatures, replay, export and the inspector need — and a typical webhook's headers and body shrink to a
// third or less (docs/benchmarks.md, bytes per event).
//
// `requests.packed` says how a row is stored: 0 = plain (`headers` JSON text, `body` bytes), 1 = packed with
// DICTIONARY_V1 (`headers` empty, `body` the stream). The dictionary is part of the file format: it never
// changes; a better one would be packed = 2.
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

/** Requests smaller than this stay plain: deflate would barely win, and plain rows are cheaper to read. */
export const PACK_MIN_BYTES = 200;

export const PACKED_V1 = 1;

/** headers JSON + body → one stream: [4-byte headers length][headers][1 byte: body present][body]. */
export function pack(headersJson: string, body: Buffer | null): Buffer {
  const h = Buffer.from(headersJson, 'utf8');
  const frame = Buffer.allocUnsafe(5 + h.length + (body?.length ?? 0));
  frame.writeUInt32BE(h.length, 0);
  h.copy(frame, 4);
  frame[4 + h.length] = body ? 1 : 0;
  body?.copy(frame, 5 + h.length);
  // Level 6, not 1: 9 B less per request (231 → 222 B on the bench's webhooks) for ~5 µs more of packing,
  // which runs when the receiver is idle (docs/benchmarks.md "Bytes per event, round 4"). Not part of the
  // format: inflate reads any level, so rows packed at level 1 read as before.
  return deflateRawSync(frame, { level: 6, dictionary: DICTIONARY_V1 });
}

export function unpack(blob: Buffer): { headers: string; body: Buffer | null } {
  const frame = inflateRawSync(blob, { dictionary: DICTIONARY_V1 });
  const n = frame.readUInt32BE(0);
  const headers = frame.subarray(4, 4 + n).toString('utf8');
  const body = frame[4 + n] === 1 ? Buffer.from(frame.subarray(5 + n)) : null;
  return { headers, body };
}

/** A request row's headers JSON and body bytes, however it is stored. */
export function requestBytes(row: { headers: string; body: Buffer | null; packed?: number | null }): { headers: string; body: Buffer | null } {
  if (row.packed === PACKED_V1 && row.body) return unpack(row.body);
  return { headers: row.headers, body: row.body };
}
