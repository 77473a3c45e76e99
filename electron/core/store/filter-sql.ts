// The UI's filter (shared/types.ts EventFilter) as SQL over `events`: status, kind, provider, signature,
// contact (a `*` wildcard), message id, time range, business number, field filters (where-sql.ts), and the
// search words through both full-text indexes. Every query of the feed, the counts and the Messages view
// goes through where()/whereParts(), so a filter means the same everywhere.
import type { EventFilter } from '../../../shared/types';
import { whereSql, type IdBounds } from './where-sql';

/** A user's search words, as the search reads them: quotes dropped, no leading `+`. */
export function searchWords(q: string): string[] {
  return q.split(/\s+/).map((w) => w.replace(/"/g, '').replace(/^\+/, '')).filter(Boolean);
}

/** Turns a user's search words into an FTS5 query: every word must match, as a prefix. */
export function ftsQuery(q: string): string | null {
  const words = searchWords(q);
  if (words.length === 0) return null;
  return words.map((w) => `"${w}"*`).join(' ');
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
 * The ids the search finds, from both full-text indexes: text and contact (events_fts), and codes, titles,
 * numbers, ids and detail values (events_keys). Every word must match in one of them. `extra` is SQL
 * added to each side's WHERE (rowid bounds); the match and those params come twice, in order.
 */
export function searchSql(extra = ''): string {
  return `SELECT rowid AS id FROM events_fts WHERE events_fts MATCH ?${extra} UNION SELECT rowid AS id FROM events_keys WHERE events_keys MATCH ?${extra}`;
}

export function where(f: EventFilter): { sql: string; params: unknown[] } {
  const { parts, params, match } = whereParts(f);
  if (match) { parts.push(`id IN (${searchSql()})`); params.push(match, match); }
  return { sql: parts.length ? parts.join(' AND ') : '1', params };
}
