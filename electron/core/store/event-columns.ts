// An event row as the queries read it: the columns, the row → HookEvent mapping, and an event's raw JSON
// found again among its request's events derived anew (the store keeps exact request bytes, not each
// event's JSON: event-rows.ts).
import type { EventStatus, HookEvent, NormalisedEvent, Provider, SignatureVerdict } from '../../../shared/types';

export const EVENT_COLUMNS = `id, request_id, received_at, provider, kind, status, provider_status, message_id, contact_id,
  contact_name, business_id, message_type, text, reply_to, error_code, error_title, error_detail, ts, signature, duplicate`;

export interface EventRow {
  id: number; request_id: number; received_at: number; provider: string | null; kind: string; status: string | null;
  provider_status: string | null; message_id: string | null; contact_id: string | null; contact_name: string | null;
  business_id: string | null; message_type: string | null; text: string | null; reply_to: string | null;
  error_code: string | null; error_title: string | null; error_detail: string | null; ts: number | null;
  signature: string; duplicate: number; raw?: string | null; details?: string | null;
}

export function rowToEvent(r: EventRow): HookEvent {
  const ev: HookEvent = {
    id: r.id, requestId: r.request_id, provider: r.provider as Provider | null, kind: r.kind as HookEvent['kind'],
    status: r.status as EventStatus | null, providerStatus: r.provider_status, messageId: r.message_id,
    contactId: r.contact_id, contactName: r.contact_name, businessId: r.business_id, messageType: r.message_type,
    text: r.text, replyTo: r.reply_to, errorCode: r.error_code, errorTitle: r.error_title, errorDetail: r.error_detail,
    timestamp: r.ts, receivedAt: r.received_at, signature: r.signature as SignatureVerdict, duplicate: r.duplicate === 1,
  };
  if (r.raw !== undefined) ev.raw = r.raw == null ? null : JSON.parse(r.raw);
  if (r.details != null) ev.details = JSON.parse(r.details);
  return ev;
}

/**
 * A row of EVENT_COLUMNS, then `details`, read as an array (a statement in `.raw()` mode): the same event
 * as rowToEvent gives. better-sqlite3 builds each object row property by property, which cost more than
 * reading the rows themselves in a 200-event thread at a million events (docs/benchmarks.md "Store reads
 * at a million events, round 4"). The positions follow EVENT_COLUMNS.
 */
export function arrayToEvent(a: unknown[]): HookEvent {
  const ev: HookEvent = {
    id: a[0] as number, requestId: a[1] as number, provider: a[3] as Provider | null, kind: a[4] as HookEvent['kind'],
    status: a[5] as EventStatus | null, providerStatus: a[6] as string | null, messageId: a[7] as string | null,
    contactId: a[8] as string | null, contactName: a[9] as string | null, businessId: a[10] as string | null,
    messageType: a[11] as string | null, text: a[12] as string | null, replyTo: a[13] as string | null,
    errorCode: a[14] as string | null, errorTitle: a[15] as string | null, errorDetail: a[16] as string | null,
    timestamp: a[17] as number | null, receivedAt: a[2] as number, signature: a[18] as SignatureVerdict, duplicate: a[19] === 1,
  };
  if (a.length > 20 && a[20] != null) ev.details = JSON.parse(a[20] as string);
  return ev;
}

/**
 * An event's raw JSON, from the events of its request derived again: the one at its position, checked
 * against what the row says (kind, message id, status) in case the request was edited since.
 */
export function rawOf(events: NormalisedEvent[], row: Pick<EventRow, 'kind' | 'message_id' | 'status'>, position: number): unknown {
  const same = (e: NormalisedEvent | undefined) => e != null && e.kind === row.kind && (e.messageId ?? null) === row.message_id && (e.status ?? null) === row.status;
  const e = same(events[position]) ? events[position] : events.find(same);
  return e?.raw ?? null;
}

export function safeJson(v: unknown): string | null {
  try { return JSON.stringify(v) ?? null; } catch { return null; }
}
