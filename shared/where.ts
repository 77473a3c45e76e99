// Field filters: `PATH OP VALUE` conditions on an event's provider object (`raw.…`) or its `details.…`.
// One pure parser for the UI (filter bar, URL), the control API (`where=`, repeatable) and exports; the
// store compiles what it returns to SQL (electron/core/store/where-sql.ts). Grammar in docs/api.md
// ("Field filters").

export type WhereOp = '=' | '!=' | '~' | '<' | '>' | 'exists' | '!exists';

export interface WhereCondition {
  /** Where the path points: the provider's object (`raw`) or the event's details. */
  root: 'raw' | 'details';
  /** Path segments after the root; array indexes are numeric strings ("errors", "0", "code"). */
  path: string[];
  op: WhereOp;
  /** The value as typed (absent for exists / !exists). */
  value?: string;
  /** The value as a number when it reads as one (required for `<` and `>`). */
  number?: number;
}

/** Conditions per filter, and the longest condition: bounded work per query. */
export const WHERE_MAX_CONDITIONS = 8;
export const WHERE_MAX_LENGTH = 300;
const SEGMENT = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_SEGMENTS = 10;

/**
 * Paths of the provider's object that are indexed at derive time (their scalar leaves go into a side
 * table, store/where-sql.ts): raw JSON is not kept per event (it is derived again from the request's
 * packed bytes), so only these `raw.…` paths can be filtered. `*` stands for any array index.
 * `details.…` paths are stored with each event and filter on any field.
 */
export const INDEXED_RAW_PATHS: readonly string[] = [
  // Meta messages and statuses
  'id', 'from', 'type', 'timestamp', 'recipient_id', 'status', 'biz_opaque_callback_data',
  'errors.*.code', 'errors.*.title', 'errors.*.message', 'errors.*.error_data.details',
  'context.from', 'context.id', 'context.forwarded', 'context.frequently_forwarded',
  'referral.source_id', 'referral.source_type', 'referral.source_url', 'referral.ctwa_clid', 'referral.media_type', 'referral.headline',
  'conversation.id', 'conversation.origin.type', 'pricing.category', 'pricing.billable', 'pricing.pricing_model', 'pricing.type',
  'button.payload', 'button.text', 'interactive.type', 'interactive.button_reply.id', 'interactive.button_reply.title',
  'interactive.list_reply.id', 'interactive.list_reply.title', 'interactive.nfm_reply.name',
  'image.mime_type', 'document.mime_type', 'document.filename', 'audio.mime_type', 'video.mime_type', 'sticker.mime_type',
  'reaction.emoji', 'reaction.message_id', 'order.catalog_id', 'system.type',
  // Meta account-level changes (the change's value)
  'event', 'reason', 'message_template_id', 'message_template_name', 'message_template_language', 'message_template_category',
  'previous_category', 'new_category', 'display_phone_number', 'current_limit', 'flow_id', 'ban_info.waba_ban_state',
  // Twilio form fields
  'MessageSid', 'SmsSid', 'MessageStatus', 'SmsStatus', 'ErrorCode', 'ErrorMessage', 'From', 'To', 'WaId', 'ProfileName',
  'ButtonPayload', 'ButtonText', 'MessageType', 'NumMedia', 'ReferralSourceId', 'ReferralSourceType', 'ReferralCtwaClid',
  'OriginalRepliedMessageSid', 'ChannelPrefix', 'AccountSid', 'MessagingServiceSid',
];
const INDEXED = new Set(INDEXED_RAW_PATHS);
/** Every prefix of an indexed path: the derive-time walk skips the rest of a payload. */
const INDEXED_PREFIXES = new Set(INDEXED_RAW_PATHS.flatMap((p) => p.split('.').map((_, i, a) => a.slice(0, i + 1).join('.'))));

/** A raw path with array indexes replaced by `*`, as INDEXED_RAW_PATHS spells it. */
export function rawPathPattern(path: readonly string[]): string {
  return path.map((s) => (isDigits(s) ? '*' : s)).join('.');
}

/**
 * A path segment that is an array index (`/^\d+$/`, without a regular expression: the derive-time leaf walk,
 * indexedRawLeaves, asks it of every key it visits, and must name patterns exactly as rawPathPattern does).
 */
function isDigits(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) { const c = s.charCodeAt(i); if (c < 48 || c > 57) return false; }
  return true;
}

export function isIndexedRawPath(path: readonly string[]): boolean {
  return INDEXED.has(rawPathPattern(path));
}

/** An indexed raw path or an object above one (`raw.referral exists`). */
export function isIndexedRawPrefix(path: readonly string[]): boolean {
  return INDEXED_PREFIXES.has(rawPathPattern(path));
}

export class WhereError extends Error {
  constructor(readonly condition: string, why: string) {
    super(`where "${condition.length > 80 ? `${condition.slice(0, 80)}…` : condition}": ${why}`);
  }
}

/** `a.b[0].c` or `a.b.0.c` → ['a', 'b', '0', 'c']; null when a segment is not allowed. */
function splitPath(s: string): string[] | null {
  const out: string[] = [];
  for (const part of s.replace(/\[(\d+)\]/g, '.$1').split('.')) {
    if (!SEGMENT.test(part)) return null;
    out.push(part);
  }
  return out;
}

function unquote(v: string): string {
  const t = v.trim();
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1) : t;
}

/** Parses one condition; throws WhereError naming what is wrong. */
export function parseCondition(input: string): WhereCondition {
  const text = input.trim();
  if (text === '') throw new WhereError(input, 'empty condition');
  if (text.length > WHERE_MAX_LENGTH) throw new WhereError(text, `longer than ${WHERE_MAX_LENGTH} characters`);
  const m = /^([^\s=!<>~]+)\s*(?:(!=|=|~|<|>)(.*)|\s(not exists|!exists|exists))$/s.exec(text);
  if (!m) throw new WhereError(text, 'expected PATH OP VALUE (OP is =, !=, ~, <, >) or PATH exists / PATH !exists');
  const [, rawPath, sym, rest] = m;
  const dot = rawPath.indexOf('.');
  const root = dot < 0 ? rawPath : rawPath.slice(0, dot);
  if (root !== 'raw' && root !== 'details') throw new WhereError(text, `a path starts with raw. or details., not "${root}"`);
  const path = dot < 0 ? null : splitPath(rawPath.slice(dot + 1));
  if (!path || path.length === 0) throw new WhereError(text, `"${rawPath}" is not a path (names of letters, digits, _ and -, separated by dots)`);
  if (path.length > MAX_SEGMENTS) throw new WhereError(text, `a path has at most ${MAX_SEGMENTS} names`);
  const word = m[4];
  if (root === 'raw' && !(isIndexedRawPath(path) || (word && isIndexedRawPrefix(path)))) {
    throw new WhereError(text, `raw.${path.join('.')} is not an indexed field (raw payloads are not kept per event; see docs/api.md "Field filters" for the indexed raw paths — details.… works for any field)`);
  }
  if (word) return { root, path, op: word === 'exists' ? 'exists' : '!exists' };
  const op = sym as WhereOp;
  const value = unquote(rest ?? '');
  if (value === '' && op !== '=' && op !== '!=') throw new WhereError(text, `${op} needs a value`);
  const n = value.trim() === '' ? NaN : Number(value);
  if ((op === '<' || op === '>') && !Number.isFinite(n)) throw new WhereError(text, `${op} compares numbers: "${value}" is not a number`);
  return { root, path, op, value, ...(Number.isFinite(n) ? { number: n } : {}) };
}

/** Parses every condition (AND); throws WhereError for the first bad one or too many. */
export function parseWhere(conditions: readonly string[]): WhereCondition[] {
  if (conditions.length > WHERE_MAX_CONDITIONS) throw new WhereError(conditions[WHERE_MAX_CONDITIONS], `at most ${WHERE_MAX_CONDITIONS} conditions`);
  return conditions.map(parseCondition);
}

/** The condition written back in the grammar (the form the URL and saved views keep). */
export function formatCondition(c: WhereCondition): string {
  const p = `${c.root}.${c.path.join('.')}`;
  if (c.op === 'exists' || c.op === '!exists') return `${p} ${c.op}`;
  const v = c.value ?? '';
  return `${p}${c.op}${v !== v.trim() ? `"${v}"` : v}`;
}

/** A condition matching `value` at a path (the inspector's "filter on this" / "exclude this"). */
export function conditionFor(root: 'raw' | 'details', path: readonly (string | number)[], value: unknown, exclude = false): string | null {
  const segs = path.map(String);
  if (segs.length === 0 || !segs.every((s) => SEGMENT.test(s))) return null;
  if (root === 'raw' && !isIndexedRawPath(segs)) return null;
  const p = `${root}.${segs.join('.')}`;
  if (value === null || value === undefined || typeof value === 'object') return exclude ? `${p} !exists` : `${p} exists`;
  const v = String(value);
  if (v.length > 200) return null;
  return formatCondition({ root, path: segs, op: exclude ? '!=' : '=', value: v });
}

/**
 * Every scalar leaf of a value at an indexed raw path (derive time: what the side table keeps). Runs for
 * every derived event: the path and its pattern (array indexes as `*`, rawPathPattern) are carried down as
 * strings and a branch is left unvisited unless its pattern is an indexed prefix, instead of copying and
 * joining a path array at every node (docs/benchmarks.md "CPU per webhook").
 */
export function indexedRawLeaves(raw: unknown, max = 32): [string, string | number][] {
  const out: [string, string | number][] = [];
  const walk = (v: unknown, path: string, pattern: string, depth: number): void => {
    if (out.length >= max || depth > MAX_SEGMENTS || v === null || v === undefined) return;
    if (typeof v === 'object') {
      const dot = depth === 0 ? '' : '.';
      if (Array.isArray(v)) {
        const p = `${pattern}${dot}*`;
        if (!INDEXED_PREFIXES.has(p)) return;
        for (let i = 0; i < Math.min(v.length, 10); i++) walk(v[i], `${path}${dot}${i}`, p, depth + 1);
        return;
      }
      const o = v as Record<string, unknown>;
      for (const k of Object.keys(o)) {
        if (!SEGMENT.test(k)) continue;
        const p = `${pattern}${dot}${isDigits(k) ? '*' : k}`;
        if (INDEXED_PREFIXES.has(p)) walk(o[k], `${path}${dot}${k}`, p, depth + 1);
      }
      return;
    }
    if (depth === 0 || !INDEXED.has(pattern)) return;
    if (typeof v === 'number' && Number.isFinite(v)) out.push([path, v]);
    else if (typeof v === 'boolean') out.push([path, v ? 'true' : 'false']);
    else if (typeof v === 'string' && v.length <= 200) out.push([path, v]);
  };
  walk(raw, '', '', 0);
  return out;
}
