// The renderer's own pure matcher over EventFilter: decides whether a live push belongs in the
// current view without asking the core. It mirrors the core's query semantics (docs/api.md) as closely
// as the client can (electron/core/store/store.ts `where`); a reconnect or filter change refetches page 1, so small drifts heal.
import type { EventFilter, EventStatus, HookEvent } from '../../shared/types';
import { parseWhere, type WhereCondition } from '../../shared/where';

/** `contact`: digits → that exact number; with `*` → a glob over the number (the core's LIKE). */
export function contactMatches(contactId: string | null, pattern: string): boolean {
  const p = pattern.replace(/[\s+\-()]/g, '').replace(/^whatsapp:/i, '');
  if (!p) return true;
  if (contactId == null) return false;
  if (!p.includes('*')) return contactId === p;
  const re = new RegExp('^' + p.split('*').map(escapeRegExp).join('.*') + '$', 's');
  return re.test(contactId);
}

/** Words as SQLite FTS5's unicode61 tokenizer sees them: letters and digits, case- and accent-folded. */
export function ftsTokens(s: string): string[] {
  return s.normalize('NFD').replace(/\p{M}+/gu, '').toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);
}

/**
 * `q`, as the core runs it: every search word must match one column as a phrase whose last token is a
 * prefix (`"wamid.xy"*` → tokens `wamid` then `xy…`). Columns: text, contact name, number, message id.
 */
export function textMatches(e: Pick<HookEvent, 'text' | 'contactName' | 'contactId' | 'messageId'> & Partial<Pick<HookEvent, 'errorCode' | 'errorTitle' | 'businessId' | 'details'>>, q: string): boolean {
  const words = q.split(/\s+/).map((w) => w.replace(/"/g, '').replace(/^\+/, '')).filter(Boolean);
  if (words.length === 0) return true;
  // Two indexes, as in the core (store.ts searchSql): every word in the text and contact, or every word
  // in the WhatsApp keys (error code and title, business number, message id, detail values).
  return wordsIn(words, [e.text, e.contactName, e.contactId, e.messageId])
    || wordsIn(words, [e.errorCode ?? null, e.errorTitle ?? null, e.businessId ?? null, e.messageId, ...detailValues(e.details)]);
}

function detailValues(d: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown, depth: number) => {
    if (out.length > 64 || depth > 4 || v == null) return;
    if (typeof v === 'string') { if (v.length <= 200) out.push(v); return; }
    if (typeof v === 'number') { out.push(String(v)); return; }
    if (typeof v === 'object') for (const x of Array.isArray(v) ? v.slice(0, 10) : Object.values(v as Record<string, unknown>)) walk(x, depth + 1);
  };
  walk(d, 0);
  return out;
}

function wordsIn(words: string[], values: (string | null)[]): boolean {
  const columns = values.filter((c): c is string => !!c).map(ftsTokens);
  if (columns.length === 0) return false;
  return words.every((w) => {
    const phrase = ftsTokens(w);
    if (phrase.length === 0) return true;
    return columns.some((toks) => phraseAt(toks, phrase));
  });
}

function phraseAt(toks: string[], phrase: string[]): boolean {
  const last = phrase.length - 1;
  for (let i = 0; i + last < toks.length; i++) {
    let ok = true;
    for (let j = 0; j <= last && ok; j++) {
      ok = j === last ? toks[i + j].startsWith(phrase[j]) : toks[i + j] === phrase[j];
    }
    if (ok) return true;
  }
  return false;
}

export function matchesFilter(e: HookEvent, f: EventFilter): boolean {
  if (f.status && f.status.length > 0 && (e.status == null || !f.status.includes(e.status))) return false;
  if (f.kind && f.kind.length > 0 && !f.kind.includes(e.kind)) return false;
  if (f.provider && f.provider.length > 0 && (e.provider == null || !f.provider.includes(e.provider))) return false;
  if (f.signature && f.signature.length > 0 && !f.signature.includes(e.signature)) return false;
  if (f.messageId && e.messageId !== f.messageId) return false;
  if (f.since != null && e.receivedAt < f.since) return false;
  if (f.until != null && e.receivedAt >= f.until) return false; // the core's `until` is exclusive
  if (f.contact && !contactMatches(e.contactId, f.contact)) return false;
  if (f.q && !textMatches(e, f.q)) return false;
  if (f.businessId && e.businessId !== f.businessId) return false;
  if (f.where?.length && !whereMatches(e, f.where)) return false;
  return true;
}

/**
 * Field filters on a pushed event. `details.…` is decided here; `raw.…` cannot be (pushes carry no raw
 * payload): such events are left to the core — the events slice fetches page 1 again after pushes
 * (`needsCoreMatch`).
 */
export function whereMatches(e: Pick<HookEvent, 'details'>, where: readonly string[]): boolean {
  let conds: WhereCondition[];
  try { conds = parseWhere(where); } catch { return false; }
  return conds.every((c) => c.root === 'details' && detailsHolds(e.details, c));
}

export function needsCoreMatch(f: EventFilter): boolean {
  return !!f.where?.some((w) => w.trim().startsWith('raw.'));
}

function detailsHolds(details: unknown, c: WhereCondition): boolean {
  let v: unknown = details;
  for (const seg of c.path) {
    if (v == null || typeof v !== 'object') { v = undefined; break; }
    v = (v as Record<string, unknown>)[seg];
  }
  const present = v !== undefined && v !== null;
  const scalar = typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
  const equal = scalar && (String(v) === c.value || (c.number != null && v === c.number));
  switch (c.op) {
    case 'exists': return present;
    case '!exists': return !present;
    case '=': return equal;
    case '!=': return !equal;
    case '~': return scalar && String(v).toLowerCase().includes((c.value ?? '').toLowerCase());
    case '<': return typeof v === 'number' && c.number != null && v < c.number;
    case '>': return typeof v === 'number' && c.number != null && v > c.number;
  }
}

export function isFilterEmpty(f: EventFilter): boolean {
  return !(
    f.status?.length || f.kind?.length || f.provider?.length || f.signature?.length ||
    f.contact || f.q || f.messageId || f.since != null || f.until != null || f.where?.length || f.businessId
  );
}

/** The status buttons of the filter bar; `Other` gathers the rarer words. */
export const STATUS_GROUPS: { label: string; statuses: EventStatus[] }[] = [
  { label: 'Incoming', statuses: ['incoming'] },
  { label: 'Sent', statuses: ['sent'] },
  { label: 'Delivered', statuses: ['delivered'] },
  { label: 'Read', statuses: ['read'] },
  { label: 'Failed', statuses: ['failed'] },
  { label: 'Other', statuses: ['queued', 'played', 'deleted', 'other'] },
];

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
