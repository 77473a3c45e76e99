// Turning a stored request body into something the payload tree can show.
import type { StoredRequest } from '../../../shared/types';

export type ParsedBody =
  | { kind: 'json'; value: unknown }
  | { kind: 'form'; value: Record<string, string | string[]> }
  | { kind: 'text'; text: string; error?: string }
  | { kind: 'binary' }
  | { kind: 'empty' };

export function headerValue(req: Pick<StoredRequest, 'headers'>, name: string): string | null {
  const n = name.toLowerCase();
  const h = req.headers.find(([k]) => k.toLowerCase() === n);
  return h ? h[1] : null;
}

export function parseBody(req: Pick<StoredRequest, 'body' | 'bodyIsText' | 'headers'>): ParsedBody {
  if (!req.bodyIsText) return { kind: 'binary' };
  if (req.body === '') return { kind: 'empty' };
  const type = (headerValue(req, 'content-type') ?? '').toLowerCase();
  if (type.includes('application/x-www-form-urlencoded')) return { kind: 'form', value: parseForm(req.body) };
  try {
    return { kind: 'json', value: JSON.parse(req.body) };
  } catch (err) {
    return { kind: 'text', text: req.body, error: (err as Error).message };
  }
}

/** Form fields in arrival order; a repeated field becomes a list. */
export function parseForm(body: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(body)) {
    const cur = out[k];
    if (cur === undefined) out[k] = v;
    else out[k] = Array.isArray(cur) ? [...cur, v] : [cur, v];
  }
  return out;
}
