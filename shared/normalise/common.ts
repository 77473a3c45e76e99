// Small helpers shared by the provider normalisers. Pure, allocation-light: they run on every webhook.
import type { NormalisedEvent, Provider } from '../types';

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * How deep parsed provider JSON may nest. Real webhooks are about ten levels deep; a hostile body can
 * be 1 MiB of `[` — JSON.parse copes, but every recursive walker after it (JSON.stringify when the
 * event is stored, the inspector's tree) overflows the stack.
 */
export const MAX_JSON_DEPTH = 100;

/**
 * True when a parsed JSON value nests deeper than `limit` arrays/objects. Iterative: never recurses. Runs
 * on every webhook before it is answered: two parallel stacks and no array of values per object.
 */
export function deeperThan(value: unknown, limit = MAX_JSON_DEPTH): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const values: object[] = [value];
  const depths: number[] = [1];
  while (values.length > 0) {
    const v = values.pop()!;
    const d = depths.pop()!;
    if (d > limit) return true;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const c: unknown = v[i];
        if (typeof c === 'object' && c !== null) { values.push(c); depths.push(d + 1); }
      }
      continue;
    }
    for (const k in v) {
      if (!Object.prototype.hasOwnProperty.call(v, k)) continue;
      const c: unknown = (v as Obj)[k];
      if (typeof c === 'object' && c !== null) { values.push(c); depths.push(d + 1); }
    }
  }
  return false;
}

export function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** A non-empty string, or a finite number written as a string (Meta sends some ids as JSON numbers). */
export function str(v: unknown): string | null {
  if (typeof v === 'string') return v.length > 0 ? v : null;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return null;
}

/** A string as given (empty allowed), else null. */
export function rawStr(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

/**
 * A customer or business number as Hookscope stores it: the digits without `+`, spaces, dashes,
 * dots between digit groups or parentheses (docs/api.md). Values that are not phone numbers — Meta's
 * business-scoped user ids (`US.1349…`), group ids, the docs' `<PLACEHOLDER>`s — are kept as they
 * are: docs §1.2 says phone fields may not be digits, and throwing information away would hide that.
 */
export function contactKey(v: unknown): string | null {
  const s = str(v);
  if (s === null) return null;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) { out += s[i]; continue; }
    // + space - ( ) . and tabs are phone formatting; anything else means "not a phone number".
    if (c === 43 || c === 32 || c === 45 || c === 40 || c === 41 || c === 46 || c === 9) continue;
    return s.trim() || null;
  }
  return out.length > 0 ? out : s.trim() || null;
}

// Epoch seconds or milliseconds, as digits (optionally with a fraction). Compiled once.
const NUMERIC = /^\d{1,16}(?:\.\d+)?$/;
/** Up to here a number is taken as seconds; above it, already milliseconds (docs §4.7: Gupshup v3 sends ms). */
const MS_THRESHOLD = 1e12;
/** Beyond year ~5000 in ms: microseconds or garbage, not a time we can show. */
const MAX_MS = 1e14;

/** Provider time → ms since epoch; strings or numbers, seconds or ms; anything else → null. */
export function toMillis(v: unknown): number | null {
  let n: number;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string') {
    const s = v.trim();
    if (!NUMERIC.test(s)) return null;
    n = Number(s);
  } else return null;
  if (!Number.isFinite(n) || n <= 0) return null;
  const ms = n > MS_THRESHOLD ? n : n * 1000;
  return ms > MAX_MS ? null : Math.round(ms);
}

/** A named place as one line: "Facebook HQ — 1 Hacker Way, …". */
export function placeText(name: string | null, address: string | null): string | null {
  if (name && address) return `${name} — ${address}`;
  return name ?? address;
}

/** A dropped pin as text: "12.25089, 43.90539". */
export function coordinates(lat: unknown, lon: unknown): string | null {
  const a = typeof lat === 'number' ? lat : typeof lat === 'string' ? Number(lat) : NaN;
  const b = typeof lon === 'number' ? lon : typeof lon === 'string' ? Number(lon) : NaN;
  return Number.isFinite(a) && Number.isFinite(b) ? `${a}, ${b}` : null;
}

/** An event with every field null: normalisers fill in what the payload says. */
export function blank(provider: Provider, kind: NormalisedEvent['kind'], raw: unknown): NormalisedEvent {
  return {
    provider,
    kind,
    status: null,
    providerStatus: null,
    messageId: null,
    contactId: null,
    contactName: null,
    businessId: null,
    messageType: null,
    text: null,
    replyTo: null,
    errorCode: null,
    errorTitle: null,
    errorDetail: null,
    timestamp: null,
    raw,
  };
}
