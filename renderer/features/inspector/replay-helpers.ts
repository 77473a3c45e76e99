// Pure helpers of the inspector's replay tools: the headers editor's text format and the target.
import type { StoredRequest } from '../../../shared/types';

/** One `name: value` per line, as the request carried them (minus hop-by-hop headers a replay sets itself). */
const SKIP = new Set(['content-length', 'host', 'connection', 'transfer-encoding']);

export function headersToText(headers: StoredRequest['headers']): string {
  return headers.filter(([k]) => !SKIP.has(k.toLowerCase())).map(([k, v]) => `${k}: ${v}`).join('\n');
}

/** Parses the editor's text; blank lines are skipped, a line without `:` is an error. */
export function parseHeadersText(text: string): { headers: Record<string, string> } | { error: string } {
  const headers: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line) continue;
    const at = line.indexOf(':');
    if (at <= 0) return { error: `Line ${i + 1}: expected "name: value".` };
    const name = line.slice(0, at).trim().toLowerCase();
    if (!/^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(name)) return { error: `Line ${i + 1}: "${name}" is not a valid header name.` };
    const value = line.slice(at + 1).trim();
    headers[name] = headers[name] != null ? `${headers[name]}, ${value}` : value;
  }
  return { headers };
}

/** `receiver` or an http(s) URL; null when the URL is not one. */
export function replayTarget(mode: 'receiver' | 'url', url: string): string | null {
  if (mode === 'receiver') return 'receiver';
  try {
    const u = new URL(url.trim());
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.toString() : null;
  } catch {
    return null;
  }
}

/**
 * The edits replay:send merges onto the stored headers: changed or new names with their value, and
 * removed names as '' (the core drops a header given as empty). Unchanged headers are left out, so an
 * untouched signature header is not mistaken for one the user set on purpose.
 */
export function headerEdits(original: StoredRequest['headers'], edited: Record<string, string>): Record<string, string> {
  const before = new Map<string, string>();
  for (const [k, v] of original) {
    const key = k.toLowerCase();
    if (SKIP.has(key)) continue;
    before.set(key, before.has(key) ? `${before.get(key)}, ${v}` : v);
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(edited)) {
    if (before.get(k) !== v) out[k] = v;
  }
  for (const k of before.keys()) {
    if (!(k in edited)) out[k] = '';
  }
  return out;
}
