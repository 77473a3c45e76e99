// An event row as the queries read it: the columns, the row → HookEvent mapping, and an event's raw JSON
// found again among its request's events derived anew (the store keeps exact request bytes, not each
// event's JSON: event-rows.ts).
import type { EventStatus, HookEvent, NormalisedEvent, Provider, SignatureVerdict } from '../../../shared/types';
import { readPricing } from '../../../shared/normalise/meta-shared';

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
  if (r.details != null) ev.details = readDetails(r.details);
  return ev;
}

// A status's pricing is stored once (docs/benchmarks.md "Bytes per event, round 4"): the normaliser
// keeps Meta's `pricing` object and flattens it beside it (readPricing: billable, pricingCategory,
// pricingType, pricingModel). Those four are left out of the stored JSON, marked, and put back in place when
// read — only where reading it back gives the very same details, and where SQL reads the same values from
// the object (flatPricingSql: short printable ASCII, which SQLite's lower() treats as JavaScript does).

/** The keys readPricing adds beside `pricing`, and the SQL reading each from the object. */
const FLAT_PRICING: Record<string, (d: string) => string> = {
  billable: (d) => `json_extract(${d}, '$.pricing.billable')`,
  pricingCategory: (d) => `lower(json_extract(${d}, '$.pricing.category'))`,
  pricingType: (d) => `lower(json_extract(${d}, '$.pricing.type'))`,
  pricingModel: (d) => `json_extract(${d}, '$.pricing.pricing_model')`,
};
/** The mark of stored details whose flattened pricing was left out (not a path a filter can name). */
const SLIM = '~p';

const plainText = (v: unknown, max: number) => v === undefined || (typeof v === 'string' && v.length > 0 && v.length <= max && /^[\x20-\x7e]*$/.test(v));

/** An event's details as the events row stores them (JSON text; a status's flattened pricing left out). */
export function storedDetails(kind: string, details: Record<string, unknown> | undefined): string | null {
  if (!details) return null;
  const p = details.pricing;
  if (kind !== 'status' || p == null || typeof p !== 'object' || Array.isArray(p)) return safeJson(details);
  const o = p as Record<string, unknown>;
  if (!(plainText(o.category, 40) && plainText(o.type, 40) && plainText(o.pricing_model, 20) && (o.billable === undefined || typeof o.billable === 'boolean'))) return safeJson(details);
  const slim: Record<string, unknown> = {};
  for (const k of Object.keys(details)) if (!Object.hasOwn(FLAT_PRICING, k)) slim[k] = details[k];
  slim[SLIM] = 1;
  // Only when reading it back gives the very same keys, in the same order, with the same values (checked
  // on the objects: a JSON round trip per status cost derivation more than the bytes it saves).
  const again = withFlatPricing(slim);
  const a = Object.keys(again);
  const b = Object.keys(details);
  if (a.length !== b.length || a.some((k, i) => k !== b[i] || again[k] !== details[k])) return safeJson(details);
  return safeJson(slim);
}

/** Stored details as the API gives them: a status's flattened pricing put back beside `pricing`. */
export function readDetails(json: string): Record<string, unknown> {
  const d = JSON.parse(json) as Record<string, unknown>;
  return d != null && typeof d === 'object' && d[SLIM] === 1 ? withFlatPricing(d) : d;
}

function withFlatPricing(d: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(d)) {
    if (k === SLIM) continue;
    if (k === 'pricing') readPricing(d.pricing, out);
    else out[k] = d[k];
  }
  return out;
}

/**
 * SQL for one of the flattened pricing keys of `details` (the column, with its table prefix) as readDetails
 * gives it, or null for any other key: the stored key, else the object's value on a marked row.
 */
export function flatPricingSql(details: string, key: string): string | null {
  const fromObject = Object.hasOwn(FLAT_PRICING, key) ? FLAT_PRICING[key] : undefined;
  if (!fromObject) return null;
  return `COALESCE(json_extract(${details}, '$.${key}'), CASE WHEN json_extract(${details}, '$."${SLIM}"') = 1 THEN ${fromObject(details)} END)`;
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
  if (a.length > 20 && a[20] != null) ev.details = readDetails(a[20] as string);
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
