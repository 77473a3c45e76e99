// What a field-filter chip shows (field-filters.tsx). Pure, so it is tested without a page.
import { formatCondition, parseCondition } from '../../../shared/where';

/**
 * A chip's text in privacy mode: its value as the payload tree shows the same field there (the session's
 * pseudonyms, shared/privacy.ts), so a filter made by clicking a customer's number in the tree does not
 * put the number back on screen. The filter itself keeps the real value (it has to match what is stored).
 */
export function shownCondition(c: string, mask: { on: boolean; json(v: unknown): unknown }): string {
  if (!mask.on) return c;
  let parsed;
  try { parsed = parseCondition(c); } catch { return c; }
  if (parsed.value == null) return c;
  // The value placed at its path, masked as a document, then read back from the same path.
  let doc: unknown = parsed.value;
  for (let i = parsed.path.length - 1; i >= 0; i--) doc = { [parsed.path[i]]: doc };
  let masked: unknown = mask.json(doc);
  for (const k of parsed.path) masked = masked != null && typeof masked === 'object' ? (masked as Record<string, unknown>)[k] : undefined;
  return typeof masked === 'string' || typeof masked === 'number' ? formatCondition({ ...parsed, value: String(masked) }) : c;
}
