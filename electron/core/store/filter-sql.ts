// The UI's filter (shared/types.ts EventFilter) as SQL over `events`: status, kind, provider, signature,
// contact (a `*` wildcard), message id, time range, business number, field filters (where-sql.ts), and the
// search words through the one full-text index. Every query of the feed, the counts and the Messages view
// goes through where()/whereParts(), so a filter means the same everywhere.
import type { EventFilter } from '../../../shared/types';
import { whereSql, type IdBounds } from './where-sql';

/** The columns of events_fts each side of a search matches in (docs/api.md "Search"). */
const TEXT_SIDE = '{text contact_name contact_id message_id}';
const KEYS_SIDE = '{message_id keys}';

/**
 * Turns a user's search words into an FTS5 query over events_fts: every word must match, as a prefix,
 * all of them in the text, contact and message id, or all of them in the message id and the keys (codes,
 * titles, business numbers, detail values) — what the two indexes before schema migration 11 found, now
 * one walk of one index. One word is in either side exactly when it is in any column: one phrase, no OR.
 */
export function ftsQuery(q: string): string | null {
  const words = q.split(/\s+/).map((w) => w.replace(/"/g, '').replace(/^\+/, '')).filter(Boolean);
  if (words.length === 0) return null;
  const all = words.map((w) => `"${w}"*`).join(' ');
  return words.length === 1 ? all : `${TEXT_SIDE} : (${all}) OR ${KEYS_SIDE} : (${all})`;
}

function likePattern(contact: string): string {
  const cleaned = contact.replace(/[\s+\-()]/g, '').replace(/^whatsapp:/i, '');
  const escaped = cleaned.replace(/[\\%_]/g, (c) => `\\${c}`);
  return escaped.replace(/\*/g, '%');
}

/**
 * The filter as SQL over `events` (columns prefixed with `col`), with the full-text part kept apart.
 * `bounds`: the ids the query looks at, repeated inside field filters' subqueries (where-sql.ts IdBounds).
 */
export function whereParts(f: EventFilter, col = '', bounds?: IdBounds): { parts: string[]; params: unknown[]; match: string | null } {
  const parts: string[] = [];
  const params: unknown[] = [];
  const inList = (c: string, vals: readonly string[] | undefined) => {
    if (!vals || vals.length === 0) return;
    parts.push(`${col}${c} IN (${vals.map(() => '?').join(',')})`);
    params.push(...vals);
  };
  inList('status', f.status);
  inList('kind', f.kind);
  inList('provider', f.provider);
  inList('signature', f.signature);
  if (f.contact) {
    const p = likePattern(f.contact);
    if (p.includes('%')) { parts.push(`${col}contact_id LIKE ? ESCAPE '\\'`); params.push(p); }
    else { parts.push(`${col}contact_id = ?`); params.push(p.replace(/\\(.)/g, '$1')); }
  }
  if (f.messageId) { parts.push(`${col}message_id = ?`); params.push(f.messageId); }
  if (f.since != null) { parts.push(`${col}received_at >= ?`); params.push(f.since); }
  if (f.until != null) { parts.push(`${col}received_at < ?`); params.push(f.until); }
  if (f.businessId) { parts.push(`${col}business_id = ?`); params.push(f.businessId); }
  const w = whereSql(f.where, col, bounds);
  parts.push(...w.parts);
  params.push(...w.params);
  return { parts, params, match: f.q ? ftsQuery(f.q) : null };
}

/**
 * The ids the search finds (ftsQuery's match, one parameter), in one walk of events_fts. `extra` is SQL
 * added to its WHERE (rowid bounds).
 */
export function searchSql(extra = ''): string {
  return `SELECT rowid AS id FROM events_fts WHERE events_fts MATCH ?${extra}`;
}

export function where(f: EventFilter): { sql: string; params: unknown[] } {
  const { parts, params, match } = whereParts(f);
  if (match) { parts.push(`id IN (${searchSql()})`); params.push(match); }
  return { sql: parts.length ? parts.join(' AND ') : '1', params };
}
