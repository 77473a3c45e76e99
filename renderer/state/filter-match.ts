// The renderer's own pure matcher over EventFilter: decides whether a live push belongs in the
// current view without asking the core. It mirrors the core's query semantics (docs/api.md) as closely
// as the client can (electron/core/store/store.ts `where`); a reconnect or filter change refetches page 1, so small drifts heal.
import type { EventFilter, EventStatus, HookEvent } from '../../shared/types';

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
export function textMatches(e: Pick<HookEvent, 'text' | 'contactName' | 'contactId' | 'messageId'>, q: string): boolean {
  const words = q.split(/\s+/).map((w) => w.replace(/"/g, '').replace(/^\+/, '')).filter(Boolean);
  if (words.length === 0) return true;
  const columns = [e.text, e.contactName, e.contactId, e.messageId].filter((c): c is string => !!c).map(ftsTokens);
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
  return true;
}

export function isFilterEmpty(f: EventFilter): boolean {
  return !(
    f.status?.length || f.kind?.length || f.provider?.length || f.signature?.length ||
    f.contact || f.q || f.messageId || f.since != null || f.until != null
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
