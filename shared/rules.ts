// Notification rules: pure evaluation shared by the core (which fires them) and the rule editor (which
// previews them), so "what the preview says" and "what fires" can never disagree. No Node, no DOM.
//
// Semantics (docs/api.md), fixed here once:
// - Every field of `when` must hold; an omitted field, an empty list or an empty string does not
//   constrain. `any` holds when at least one of its sub-whens holds.
// - `text` and `contactName` match whole words, case- and accent-insensitively: "stop" matches "STOP!"
//   and "please stop" but not "stopwatch" or "nonstop". `*` stands for any letters inside a word:
//   "confirm*" matches "confirmed" and "confirmação".
// - `textRegex` runs case-insensitively against the accent-stripped, lower-cased text (accents are
//   stripped from the pattern too), over the first TEXT_SCAN_LIMIT characters only.
// - `contact` is one or more numbers separated by commas or semicolons (spaces, +, -, ( ) ignored),
//   each optionally with `*` for "any digits": "5511*", "*1234", "5511999990000, 5521*".
// - `leadReply: true` holds for incoming messages the caller's store calls lead replies; `false`
//   holds for events that are not (strangers, statuses…).
// - `signal` holds when the event carries any of the named signals (EVENT_SIGNALS in shared/types.ts)
//   its normaliser recognised: "call_failed", "flow_blocked", "account_restricted"…
// - A rule with `silence` set is timer-driven and never matches events.
import type { EventKind, EventStatus, HookEvent, Provider, RuleInput, RuleWhen, SignatureVerdict } from './types';
import type { ErrorCode } from './errors';
import { ruleInputSchema } from './ipc';
import { RE2JS } from 're2js';
import { actionsProblem } from './actions';
import { explainError } from './error-codes';

/** What evaluation needs from outside: the store answers whether an event is a lead reply. */
export interface RuleContext {
  isLeadReply(ev: HookEvent): boolean;
}

/** Regexes and word matches only look at this much text: evaluation runs for every incoming event. */
export const TEXT_SCAN_LIMIT = 2000;
export const REGEX_MAX_LENGTH = 200;
/** Deepest nesting of `any` accepted (any → any → any). */
export const MAX_ANY_DEPTH = 3;
const MAX_TEXT_WILDCARDS = 2;

// ---------------------------------------------------------------------------------------------
// Text folding

/** Lower-cases and strips accents (NFD, then drop combining marks): "Sí, AÇÃO" → "si, acao". */
export function foldText(s: string): string {
  return s.normalize('NFD').replace(/\p{M}+/gu, '').toLowerCase();
}

/** Strips accents but keeps case and escapes intact: used on regex patterns (lower-casing `\S` would change it). */
function stripAccents(s: string): string {
  return s.normalize('NFD').replace(/\p{M}+/gu, '');
}

// The same event is evaluated against every rule; fold its text once.
const foldedTextCache = new WeakMap<HookEvent, string | null>();
function foldedText(ev: HookEvent): string | null {
  let v = foldedTextCache.get(ev);
  if (v === undefined) {
    v = ev.text == null ? null : foldText(ev.text.slice(0, TEXT_SCAN_LIMIT));
    foldedTextCache.set(ev, v);
  }
  return v;
}

// ---------------------------------------------------------------------------------------------
// Regexes: a linear-time engine

/** What evaluation needs from a compiled pattern: "does it match anywhere in this text". */
export interface TextMatcher { test(s: string): boolean }

/**
 * Why a pattern is refused before the engine sees it, or null. Rule regexes run on RE2JS, whose
 * matching time is linear in the text whatever the pattern (no backtracking), so `a*a*a*a*b` or
 * `(a+)+$` cost the same as `ab` on a hostile message. The price: the constructs that need
 * backtracking do not exist in that engine — they are named here so the user learns what to change,
 * instead of a bare parser message.
 */
export function regexSafetyProblem(pattern: string): string | null {
  if (pattern.length > REGEX_MAX_LENGTH) {
    return `the pattern is ${pattern.length} characters long; the limit is ${REGEX_MAX_LENGTH}`;
  }
  // Skip escaped characters and character classes so `[\\1]` or `\\(?=` are not misread.
  const bare = pattern.replace(/\\./g, (m) => (/\\[1-9k]/.test(m) ? m : '__')).replace(/\[(?:\\.|[^\]\\])*\]/g, '__');
  if (/\\[1-9]|\\k</.test(bare)) {
    return 'backreferences (\\1, \\k<name>) are not supported: they need a backtracking engine, which can run for ever on some texts';
  }
  if (/\(\?<[=!]/.test(bare)) {
    return 'lookbehind ((?<=…), (?<!…)) is not supported: match the preceding text directly instead';
  }
  if (/\(\?[=!]/.test(bare)) {
    return 'lookahead ((?=…), (?!…)) is not supported: match the following text directly, or use two rules';
  }
  return null;
}

const MAX_REPEAT_COUNT = 1000;

/**
 * Compiles a rule's regex the way evaluation uses it (case-insensitive, accents stripped from the
 * pattern as from the text); returns the problem instead when unusable.
 */
export function compileTextRegex(pattern: string): { ok: true; re: TextMatcher } | { ok: false; code: ErrorCode; message: string } {
  const problem = regexSafetyProblem(pattern);
  if (problem) return { ok: false, code: 'REGEX_UNSAFE', message: `the regular expression is not supported: ${problem}` };
  for (const m of pattern.matchAll(/\{(\d+)(?:,(\d*))?\}/g)) {
    if (Number(m[1]) > MAX_REPEAT_COUNT || (m[2] && Number(m[2]) > MAX_REPEAT_COUNT)) {
      return { ok: false, code: 'RULE_INVALID', message: `the regular expression does not compile: repeat counts above ${MAX_REPEAT_COUNT} are not allowed (${m[0]})` };
    }
  }
  try {
    // translateRegExp turns JavaScript spellings RE2 lacks (\u00e9, \u{…}, (?<name>…), \cA) into RE2's.
    const re = RE2JS.compile(RE2JS.translateRegExp(stripAccents(pattern)), RE2JS.CASE_INSENSITIVE);
    return { ok: true, re };
  } catch (err) {
    const msg = (err as Error).message.replace(/^error parsing regexp: /, '');
    return { ok: false, code: 'RULE_INVALID', message: `the regular expression does not compile: ${msg}` };
  }
}

// ---------------------------------------------------------------------------------------------
// Word and contact matching

const WORD = '[\\p{L}\\p{N}]';
const NOT_WORD = '[^\\p{L}\\p{N}]';
const isWordChar = (ch: string) => /[\p{L}\p{N}]/u.test(ch);

/**
 * A whole-word, case- and accent-insensitive matcher for `text` / `contactName` (see the header), on the
 * same linear-time engine as regexes: with two `*` wildcards a backtracking engine costs n³ on texts
 * like "abab…". Word boundaries are spelled as "start or a non-word character" (RE2 has no lookaround).
 */
export function compileWordMatch(phrase: string): TextMatcher | null {
  const needle = foldText(phrase.trim());
  if (needle.replace(/\*/g, '') === '') return null;
  let src = '';
  for (const ch of needle) {
    if (ch === '*') src += `${WORD}*`;
    else if (/\s/.test(ch)) { if (!src.endsWith('\\s+')) src += '\\s+'; }
    else src += RE2JS.quote(ch);
  }
  const first = needle[0];
  const lastCh = needle[needle.length - 1];
  // Boundaries only where the phrase itself starts/ends with a letter or digit: "!!" or "R$" still match inside text.
  if (first === '*' || isWordChar(first)) src = `(?:^|${NOT_WORD})${src}`;
  if (lastCh === '*' || isWordChar(lastCh)) src = `${src}(?:${NOT_WORD}|$)`;
  return RE2JS.compile(src);
}

/** Splits a `contact` condition into digit patterns; [] when it holds no digits. */
export function parseContactPattern(s: string): string[] {
  return s.split(/[,;\n]/)
    .map((p) => p.trim().replace(/^whatsapp:/i, '').replace(/[^\d*]/g, ''))
    .filter((p) => /\d/.test(p) || p === '*');
}

/** No phone number is longer than this (E.164 allows 15 digits; a prefix like "whatsapp:+" adds a few). */
export const CONTACT_ID_MAX = 64;

/**
 * Whether `digits` matches a glob of digits and `*` (any digits), in linear time: the first piece must
 * start it, the last must end it, and each piece between is taken at its leftmost place after the one
 * before — for a pattern whose only wildcard is `*` the leftmost place never loses a match, so nothing
 * is ever tried twice (a backtracking regex on "*1*1*1*2" took seconds on a few hundred digits).
 */
export function globDigitsMatch(pieces: string[], digits: string): boolean {
  if (pieces.length === 1) return pieces[0] === digits;
  const first = pieces[0];
  const last = pieces[pieces.length - 1];
  if (first.length + last.length > digits.length || !digits.startsWith(first) || !digits.endsWith(last)) return false;
  let at = first.length;
  const end = digits.length - last.length;
  for (let i = 1; i < pieces.length - 1; i++) {
    const p = pieces[i];
    if (p === '') continue;
    const found = digits.indexOf(p, at);
    if (found < 0 || found + p.length > end) return false;
    at = found + p.length;
  }
  return true;
}

function compileContact(s: string): ((id: string) => boolean) | null {
  const parts = parseContactPattern(s);
  if (parts.length === 0) return null;
  const exact = new Set(parts.filter((p) => !p.includes('*')));
  const globs = parts.filter((p) => p.includes('*')).map((p) => p.split('*'));
  return (id) => {
    // A sender id longer than any real number matches nothing: it costs no more than the length check.
    if (id.length > CONTACT_ID_MAX) return false;
    const digits = id.replace(/\D/g, '');
    return exact.has(digits) || globs.some((g) => globDigitsMatch(g, digits));
  };
}

// ---------------------------------------------------------------------------------------------
// Compilation and evaluation

type Pred = (ev: HookEvent, ctx: RuleContext) => boolean;

interface CompiledWhen {
  test: Pred;
  /** First problem that makes a condition unusable (the condition then never holds). */
  error: string | null;
}

const never: Pred = () => false;

function inList<T>(list: readonly T[] | undefined, get: (ev: HookEvent) => T | null): Pred | null {
  if (!list || list.length === 0) return null;
  const set = new Set<T>(list);
  return (ev) => {
    const v = get(ev);
    return v != null && set.has(v);
  };
}

function compileWhenUncached(when: RuleWhen): CompiledWhen {
  // Cheap checks first, regex next, the store lookup (leadReply) and sub-whens last.
  const preds: Pred[] = [];
  let error: string | null = null;
  const add = (p: Pred | null) => { if (p) preds.push(p); };

  add(inList<EventKind>(when.kind, (ev) => ev.kind));
  add(inList<EventStatus>(when.status, (ev) => ev.status));
  add(inList<Provider>(when.provider, (ev) => ev.provider));
  add(inList<SignatureVerdict>(when.signature, (ev) => ev.signature));
  add(inList<string>(when.errorCode?.map((c) => c.trim()), (ev) => ev.errorCode));
  add(inList<string>(when.messageType?.map((t) => t.trim().toLowerCase()), (ev) => ev.messageType?.toLowerCase() ?? null));
  if (when.signal && when.signal.length > 0) {
    // Named facts the normaliser recognised (details.signals): "a call failed", "a flow was blocked".
    const wanted = new Set<string>(when.signal);
    preds.push((ev) => {
      const got = ev.details?.signals;
      return Array.isArray(got) && got.some((s) => typeof s === 'string' && wanted.has(s));
    });
  }
  if (when.contact && when.contact.trim()) {
    const m = compileContact(when.contact);
    if (!m) { error ??= `contact "${when.contact}" holds no digits`; preds.push(never); }
    else preds.push((ev) => ev.contactId != null && m(ev.contactId));
  }
  if (when.contactName && when.contactName.trim()) {
    const re = compileWordMatch(when.contactName);
    if (re) preds.push((ev) => ev.contactName != null && re.test(foldText(ev.contactName.slice(0, 200))));
  }
  if (when.text && when.text.trim()) {
    const re = compileWordMatch(when.text);
    if (re) preds.push((ev) => { const t = foldedText(ev); return t != null && re.test(t); });
  }
  if (when.textRegex && when.textRegex.length > 0) {
    const r = compileTextRegex(when.textRegex);
    if (!r.ok) { error ??= r.message; preds.push(never); }
    else { const re = r.re; preds.push((ev) => { const t = foldedText(ev); return t != null && re.test(t); }); }
  }
  if (when.leadReply === true) preds.push((ev, ctx) => ev.kind === 'message' && ctx.isLeadReply(ev));
  else if (when.leadReply === false) preds.push((ev, ctx) => !(ev.kind === 'message' && ctx.isLeadReply(ev)));
  if (when.any && when.any.length > 0) {
    const subs = when.any.map(compileWhen);
    error ??= subs.find((s) => s.error)?.error ?? null;
    preds.push((ev, ctx) => subs.some((s) => s.test(ev, ctx)));
  }
  const test: Pred = preds.length === 0 ? () => true
    : (ev, ctx) => { for (const p of preds) if (!p(ev, ctx)) return false; return true; };
  return { test, error };
}

// Compiled once per `when` object: matchesWhen in a loop (the editor preview) stays cheap.
const compiledWhens = new WeakMap<RuleWhen, CompiledWhen>();
function compileWhen(when: RuleWhen): CompiledWhen {
  let c = compiledWhens.get(when);
  if (!c) { c = compileWhenUncached(when); compiledWhens.set(when, c); }
  return c;
}

/** Whether an event satisfies `when`. A condition that cannot be evaluated (bad regex) never holds. */
export function matchesWhen(when: RuleWhen, ev: HookEvent, ctx: RuleContext): boolean {
  return compileWhen(when).test(ev, ctx);
}

export interface CompiledRule<R extends RuleInput = RuleInput> {
  readonly rule: R;
  /** Why a condition can never hold (e.g. a regex refused as unsafe); null when all is well. */
  readonly error: string | null;
  /** Timer-driven (silence) rules never match events. */
  readonly isSilence: boolean;
  /** The conditions only: enabled, quiet hours, throttle and duplicates are the runner's business. */
  matches(ev: HookEvent, ctx: RuleContext): boolean;
}

/** Precompiles a rule (regexes built once) for evaluation on every incoming event. */
export function compileRule<R extends RuleInput>(rule: R): CompiledRule<R> {
  const isSilence = rule.silence != null;
  const c = compileWhenUncached(rule.when ?? {});
  return {
    rule,
    error: c.error,
    isSilence,
    matches: isSilence ? never : c.test,
  };
}

// ---------------------------------------------------------------------------------------------
// Quiet hours and time windows

/** "HH:MM" → minutes since midnight; null when malformed. */
export function parseHhmm(s: string): number | null {
  const m = /^(\d{1,2}):(\d{2})$/.exec(s.trim());
  if (!m) return null;
  const h = Number(m[1]);
  const min = Number(m[2]);
  return h < 24 && min < 60 ? h * 60 + min : null;
}

/**
 * Whether a local time of day falls in [from, to). The window may wrap midnight (22:00–07:00).
 * from === to, or a malformed bound, is an empty window.
 */
export function inTimeWindow(w: { from: string; to: string }, date: { hours: number; minutes: number }): boolean {
  const f = parseHhmm(w.from);
  const t = parseHhmm(w.to);
  if (f == null || t == null || f === t) return false;
  const m = date.hours * 60 + date.minutes;
  return f < t ? m >= f && m < t : m >= f || m < t;
}

/** Whether quiet hours hold at this local time; no quiet hours → false. */
export function inQuietHours(q: { from: string; to: string } | null | undefined, date: { hours: number; minutes: number }): boolean {
  return q != null && inTimeWindow(q, date);
}

// ---------------------------------------------------------------------------------------------
// Error explanations (for "Message failed" notifications). Titles per Meta's and Twilio's error references (shared/error-codes.ts).

export const ERROR_EXPLANATIONS: Record<string, { title: string; hint: string }> = {
  '0': { title: 'Authentication failed', hint: 'Check the access token.' },
  '470': { title: 'Outside the 24-hour window (legacy)', hint: 'Send an approved template instead.' },
  '130429': { title: 'Rate limit hit', hint: 'Cloud API throughput reached; back off and retry.' },
  '130472': { title: "User's number is part of an experiment", hint: 'Not delivered on purpose; do not retry.' },
  '131000': { title: 'Something went wrong', hint: 'Unknown error; retry later.' },
  '131005': { title: 'Access denied', hint: 'A permission was not granted or was removed.' },
  '131008': { title: 'Required parameter is missing', hint: 'Fix the API request.' },
  '131009': { title: 'Parameter value is not valid', hint: 'Fix the API request.' },
  '131014': { title: 'Request for media URL failed', hint: 'Check that the media URL is reachable.' },
  '131016': { title: 'Service unavailable', hint: 'Retry later.' },
  '131021': { title: 'Recipient cannot be sender', hint: 'Send to a different number.' },
  '131026': { title: 'Message undeliverable', hint: 'Not a WhatsApp number, terms not accepted, old app, or the user blocked you; do not blind-retry.' },
  '131031': { title: 'Business account locked', hint: 'The account is restricted; check WhatsApp Manager.' },
  '131042': { title: 'Business eligibility or payment issue', hint: 'Check the payment method in WhatsApp Manager.' },
  '131045': { title: 'Phone registration error', hint: 'Re-register the phone number.' },
  '131047': { title: 'Re-engagement message', hint: 'More than 24 hours since the customer last wrote; send a template.' },
  '131048': { title: 'Spam rate limit hit', hint: 'Too many messages were blocked or reported; slow down.' },
  '131049': { title: 'Not delivered to maintain healthy engagement', hint: 'Per-user marketing limit; wait at least 24 hours.' },
  '131050': { title: 'User stopped marketing messages', hint: 'Honour the opt-out.' },
  '131051': { title: 'Unsupported message type', hint: 'The message type is not supported.' },
  '131052': { title: 'Media download error', hint: 'Ask the customer to send the media again.' },
  '131053': { title: 'Media upload error', hint: 'Check the media type and size.' },
  '131056': { title: 'Pair rate limit hit', hint: 'Too many messages to this number; wait before sending more.' },
  '132000': { title: 'Template parameter count mismatch', hint: 'Fix the template parameters.' },
  '132001': { title: 'Template does not exist', hint: 'Check the template name, language and approval.' },
  '132015': { title: 'Template paused for low quality', hint: 'Use another template.' },
  '132016': { title: 'Template disabled', hint: 'The template was paused too often; use another.' },
  '133010': { title: 'Phone number not registered', hint: 'Register the number on the Cloud API.' },
  '63016': { title: 'Outside the 24-hour window', hint: 'Freeform messages are not allowed; send an approved template.' },
  '63018': { title: 'Rate limit exceeded', hint: 'Slow down sending.' },
  '63003': { title: 'Not a valid WhatsApp user', hint: 'Check the number.' },
  '63024': { title: 'Invalid recipient', hint: 'The recipient cannot receive this message.' },
  '63032': { title: "User's number is part of an experiment", hint: 'Not delivered on purpose; do not retry.' },
};

// ---------------------------------------------------------------------------------------------
// Templates

export const TEMPLATE_PLACEHOLDERS = [
  'contactName', 'contactId', 'text', 'errorCode', 'errorTitle', 'errorHint', 'status', 'messageType', 'provider', 'minutes',
] as const;
const PLACEHOLDER_SET = new Set<string>(TEMPLATE_PLACEHOLDERS);
/** A digest has no event: its title and body speak of the period. */
export const DIGEST_PLACEHOLDERS = ['period', 'failed', 'leadsReplied', 'unanswered', 'summary'] as const;
const RENDER_LIMIT = 1000;

function placeholderValue(name: string, ev: HookEvent | null, vars: Record<string, string>): string | null {
  if (Object.prototype.hasOwnProperty.call(vars, name)) return vars[name];
  if (!ev) return PLACEHOLDER_SET.has(name) ? '' : null;
  const known = ev.errorCode ? ERROR_EXPLANATIONS[ev.errorCode] : undefined;
  switch (name) {
    case 'contactName': return ev.contactName?.trim() || (ev.contactId ? `+${ev.contactId}` : 'Unknown contact');
    case 'contactId': return ev.contactId || 'unknown number';
    case 'text': return ev.text ?? (ev.messageType ? `[${ev.messageType}]` : '');
    case 'errorCode': return ev.errorCode ?? 'no code';
    case 'errorTitle': return ev.errorTitle?.trim() || known?.title || (ev.errorCode ? `error ${ev.errorCode}` : 'unknown error');
    case 'errorHint': {
      if (known) return known.hint;
      // Codes outside this short list (calling 138xxx, history…) are explained by the full catalogue.
      const full = ev.errorCode ? explainError(ev.errorCode, ev.provider ?? undefined) : null;
      return full && (full.known || full.family) ? full.action : ev.errorDetail ?? '';
    }
    case 'status': return ev.status ?? ev.providerStatus ?? ev.kind;
    case 'messageType': return ev.messageType ?? ev.kind;
    case 'provider': return ev.provider === 'meta' ? 'Meta' : ev.provider === 'twilio' ? 'Twilio' : 'unknown provider';
    case 'minutes': return '';
    default: return null;
  }
}

/**
 * Fills {placeholders} from the event; missing values get a readable fallback (the number when there is
 * no name, "[image]" for a caption-less image…). Unknown placeholders stay as written. `vars` supplies
 * extra values (silence rules have no event and pass {minutes}).
 */
export function renderTemplate(tpl: string, ev: HookEvent | null, vars: Record<string, string> = {}): string {
  const out = tpl.replace(/\{(\w+)\}/g, (whole, name: string) => placeholderValue(name, ev, vars) ?? whole)
    .replace(/[ \t]+/g, ' ').trim();
  return out.length > RENDER_LIMIT ? `${out.slice(0, RENDER_LIMIT - 1)}…` : out;
}

// ---------------------------------------------------------------------------------------------
// Validation

export type RuleValidation =
  | { ok: true; rule: RuleInput }
  | { ok: false; message: string; code: Extract<ErrorCode, 'RULE_INVALID' | 'REGEX_UNSAFE'> };

/** Drops empty strings and empty lists (the UI sends them for untouched fields) so stored rules stay minimal. */
function normaliseWhen(w: RuleWhen): RuleWhen {
  const out: RuleWhen = {};
  for (const [k, v] of Object.entries(w) as [keyof RuleWhen, unknown][]) {
    if (v === undefined || v === null) continue;
    if (typeof v === 'string' && v.trim() === '') continue;
    if (Array.isArray(v) && v.length === 0) continue;
    if (k === 'any') (out as Record<string, unknown>).any = (v as RuleWhen[]).map(normaliseWhen);
    else if (k === 'contact' || k === 'contactName' || k === 'text') (out as Record<string, unknown>)[k] = (v as string).trim();
    else (out as Record<string, unknown>)[k] = v;
  }
  return out;
}

function whenProblem(w: RuleWhen, path: string, depth: number): { code: 'RULE_INVALID' | 'REGEX_UNSAFE'; message: string } | null {
  if (w.contact !== undefined && parseContactPattern(w.contact).length === 0) {
    return { code: 'RULE_INVALID', message: `${path}.contact: "${w.contact}" holds no digits; use numbers like 5511999990000 or a pattern like 5511*` };
  }
  if (w.contact !== undefined && /[^\d\s+\-().*,;]/.test(w.contact.replace(/^whatsapp:/i, ''))) {
    return { code: 'RULE_INVALID', message: `${path}.contact: only digits, *, spaces, + - ( ) and commas are allowed` };
  }
  for (const k of ['text', 'contactName'] as const) {
    const v = w[k];
    if (v === undefined) continue;
    if (v.replace(/[*\s]/g, '') === '') return { code: 'RULE_INVALID', message: `${path}.${k}: give at least one letter or digit besides *` };
    if ((v.match(/\*/g)?.length ?? 0) > MAX_TEXT_WILDCARDS) {
      return { code: 'RULE_INVALID', message: `${path}.${k}: use at most ${MAX_TEXT_WILDCARDS} * wildcards` };
    }
  }
  if (w.textRegex !== undefined) {
    const r = compileTextRegex(w.textRegex);
    if (!r.ok) return { code: r.code === 'REGEX_UNSAFE' ? 'REGEX_UNSAFE' : 'RULE_INVALID', message: `${path}.textRegex: ${r.message}` };
  }
  if (w.any) {
    if (depth >= MAX_ANY_DEPTH) return { code: 'RULE_INVALID', message: `${path}.any: nested deeper than ${MAX_ANY_DEPTH} levels` };
    for (let i = 0; i < w.any.length; i++) {
      const sub = w.any[i];
      if (Object.keys(sub).length === 0) {
        return { code: 'RULE_INVALID', message: `${path}.any[${i}] has no conditions, so it would match every event` };
      }
      const p = whenProblem(sub, `${path}.any[${i}]`, depth + 1);
      if (p) return p;
    }
  }
  return null;
}

/**
 * Validates a rule as the API receives it: the zod shape (shared/ipc.ts), then what a schema cannot say —
 * the regex compiles and cannot run away, the contact holds digits, templates use known placeholders,
 * windows are not empty. Returns the normalised rule (defaults applied, empty fields dropped).
 */
export function validateRule(input: unknown): RuleValidation {
  const parsed = ruleInputSchema.safeParse(input);
  if (!parsed.success) {
    const message = parsed.error.issues.slice(0, 3)
      .map((iss) => `${iss.path.length ? `${iss.path.join('.')}: ` : ''}${iss.message}`).join('; ');
    return { ok: false, code: 'RULE_INVALID', message };
  }
  const rule: RuleInput = { ...parsed.data, name: parsed.data.name.trim(), when: normaliseWhen(parsed.data.when) };
  const fail = (message: string, code: 'RULE_INVALID' | 'REGEX_UNSAFE' = 'RULE_INVALID'): RuleValidation => ({ ok: false, code, message });

  const problem = whenProblem(rule.when, 'when', 0);
  if (problem) return fail(problem.message, problem.code);
  const timers = (['silence', 'unanswered', 'digest'] as const).filter((k) => rule[k] != null);
  if (timers.length > 1) return fail(`${timers.join(' and ')}: a rule is one kind of timer; make separate rules`);
  if (timers.length === 0 && Object.keys(rule.when).length === 0) {
    return fail('when: add at least one condition; a rule without conditions would notify on every event');
  }
  for (const k of ['silence', 'unanswered'] as const) {
    const w = rule[k];
    if (!w) continue;
    if ((w.from === undefined) !== (w.to === undefined)) return fail(`${k}: give both from and to for working hours, or neither`);
    if (w.from !== undefined && w.from === w.to) return fail(`${k}: working hours from and to are the same time`);
  }
  if (rule.digest && rule.digest.every === 'day' && !rule.digest.at) return fail('digest: a daily digest needs a time, e.g. "at": "18:00"');
  if (rule.actions) {
    const p = actionsProblem(rule.actions, { digest: rule.digest != null });
    if (p) return fail(p);
  }
  if (rule.quietHours && rule.quietHours.from === rule.quietHours.to) {
    return fail('quietHours: from and to are the same time; give a real window such as 22:00–07:00, or remove quiet hours');
  }
  const allowed = rule.digest ? DIGEST_PLACEHOLDERS : TEMPLATE_PLACEHOLDERS;
  for (const field of ['title', 'body'] as const) {
    for (const m of rule[field].matchAll(/\{(\w+)\}/g)) {
      if (!(allowed as readonly string[]).includes(m[1])) {
        return fail(`${field}: unknown placeholder {${m[1]}}; use ${allowed.map((p) => `{${p}}`).join(', ')}`);
      }
    }
  }
  return { ok: true, rule };
}

// ---------------------------------------------------------------------------------------------
// Presets and "rule from event"

/**
 * Opt-out: ambiguous words (stop, parar, sair, baja, cancelar…) only when they are the whole message
 * ("STOP", "Parar!"), unambiguous phrases anywhere ("please unsubscribe me", "quero me descadastrar").
 * So "stopwatch", "I can't stop laughing" and "cancelar minha consulta" do not count as opt-outs.
 */
export const OPT_OUT_REGEX =
  '^\\W*(stop|stopp|para|parar|sair|baja|cancelar|cancel|end|quit|unsubscribe|descadastrar)\\W*$|unsubscribe|descadastr|darme de baja|opt.?out|nao quero (mais|receber)|no quiero recibir';

export const RULE_PRESETS: { id: string; name: string; description: string; rule: RuleInput }[] = [
  {
    id: 'lead-replied',
    name: 'Lead replied',
    description: 'An incoming message from a contact you messaged in the last 30 days, or a reply to one of your messages.',
    rule: {
      name: 'Lead replied', enabled: true, when: { kind: ['message'], leadReply: true },
      throttleSeconds: 300, quietHours: null, title: '{contactName} replied', body: '{text}',
    },
  },
  {
    id: 'message-failed',
    name: 'Message failed',
    description: 'An outgoing message failed; the notification says what the error code means and what to do.',
    rule: {
      name: 'Message failed', enabled: true, when: { kind: ['status'], status: ['failed'] },
      throttleSeconds: 600, quietHours: null,
      title: 'Message to {contactName} failed', body: '{errorTitle} ({errorCode}). {errorHint}',
    },
  },
  {
    id: 'opt-out',
    name: 'Opt-out words',
    description: 'A contact asks to stop: STOP, unsubscribe, parar, sair, baja, cancelar… (alone as the message), or unsubscribe / descadastrar / darme de baja anywhere.',
    rule: {
      name: 'Opt-out words', enabled: true, when: { kind: ['message'], textRegex: OPT_OUT_REGEX },
      throttleSeconds: 0, quietHours: null, title: '{contactName} wants to opt out', body: '“{text}” — stop messaging this contact.',
    },
  },
  {
    id: 'keyword',
    name: 'Keyword',
    description: 'An incoming message mentions an appointment or a confirmation (appointment*, confirm*, agend*). Edit the words to yours.',
    rule: {
      name: 'Keyword: appointment / confirm', enabled: true,
      when: { kind: ['message'], any: [{ text: 'appointment*' }, { text: 'confirm*' }, { text: 'agend*' }] },
      throttleSeconds: 60, quietHours: null, title: '{contactName} mentioned an appointment', body: '{text}',
    },
  },
  {
    id: 'call-failed',
    name: 'Call failed',
    description: 'A WhatsApp call (Calling API) failed; the notification names the calling error code and what it means.',
    rule: {
      name: 'Call failed', enabled: true, when: { kind: ['call'], signal: ['call_failed'] },
      throttleSeconds: 300, quietHours: null, title: 'Call with {contactName} failed', body: '{errorTitle} ({errorCode}). {errorHint}',
    },
  },
  {
    id: 'flow-blocked',
    name: 'Flow blocked or throttled',
    description: 'WhatsApp blocked or throttled one of your Flows because its endpoint is failing, slow or unavailable.',
    rule: {
      name: 'Flow blocked or throttled', enabled: true, when: { signal: ['flow_blocked', 'flow_throttled'] },
      throttleSeconds: 0, quietHours: null, title: 'A Flow was restricted', body: '{text}',
    },
  },
  {
    id: 'account-restricted',
    name: 'Account restricted',
    description: 'Meta restricted, disabled or flagged the WhatsApp Business account, or raised an account alert.',
    rule: {
      name: 'Account restricted', enabled: true,
      when: { signal: ['account_restricted', 'account_disabled', 'account_violation', 'account_alert'] },
      throttleSeconds: 0, quietHours: null, title: 'WhatsApp account alert', body: '{text}',
    },
  },
  {
    id: 'silence',
    name: 'Silence',
    description: 'No incoming message for N minutes during working hours — the webhook, the tunnel or the number may be broken. Fires once, then again only after a message arrives.',
    rule: {
      name: 'Silence during working hours', enabled: true, when: {},
      silence: { minutes: 60, from: '09:00', to: '18:00' }, quietHours: null,
      title: 'No incoming messages for {minutes} minutes', body: 'Check the tunnel, the webhook URL in the provider and the phone number.',
    },
  },
  {
    id: 'unanswered-lead',
    name: 'Unanswered lead',
    description: 'A lead wrote and nobody answered within 15 working minutes (no outgoing message to them). Counted inside working hours; survives restarts.',
    rule: {
      name: 'Unanswered lead', enabled: true, when: { kind: ['message'], leadReply: true },
      unanswered: { minutes: 15, from: '09:00', to: '18:00' }, quietHours: null,
      title: '{contactName} is waiting for an answer', body: 'No reply for {minutes} minutes: “{text}”',
    },
  },
  {
    id: 'daily-digest',
    name: 'Daily digest',
    description: 'Every day at 18:00: failed messages by error code, leads who replied, leads still unanswered. Add an http action to post it to a team chat.',
    rule: {
      name: 'Daily digest', enabled: true, when: {}, digest: { every: 'day', at: '18:00' }, quietHours: null,
      title: 'Hookscope digest, {period}', body: '{summary}',
    },
  },
];

/** "Notify me about events like this": same kind, status, contact, error code and a bad signature verdict. */
export function ruleFromEvent(ev: HookEvent): RuleInput {
  const when: RuleWhen = { kind: [ev.kind] };
  if (ev.status) when.status = [ev.status];
  if (ev.contactId && /\d/.test(ev.contactId)) when.contact = ev.contactId.replace(/\D/g, '');
  if (ev.errorCode) when.errorCode = [ev.errorCode];
  if (ev.signature === 'invalid' || ev.signature === 'missing') when.signature = [ev.signature];
  const who = ev.contactName?.trim() || (when.contact ? `+${when.contact}` : null);
  let name: string;
  let title: string;
  let body: string;
  if (ev.kind === 'message') {
    name = who ? `Messages from ${who}` : 'Incoming messages';
    title = '{contactName} wrote';
    body = '{text}';
  } else if (ev.kind === 'status' && ev.status === 'failed') {
    name = `Failed${ev.errorCode ? ` (${ev.errorCode})` : ''}${who ? ` to ${who}` : ''}`;
    title = 'Message to {contactName} failed';
    body = '{errorTitle} ({errorCode}). {errorHint}';
  } else if (ev.kind === 'status') {
    name = `${ev.status ?? 'Status'}${who ? ` for ${who}` : ''}`;
    name = name[0].toUpperCase() + name.slice(1);
    title = '{contactName}: {status}';
    body = '{messageType} message {status}';
  } else {
    name = `${ev.kind[0].toUpperCase()}${ev.kind.slice(1)} events${who ? ` for ${who}` : ''}`;
    title = `${ev.kind} event`;
    body = '{provider} {status}';
  }
  return {
    name: name.slice(0, 120), enabled: true, when,
    throttleSeconds: ev.kind === 'status' ? 600 : 60, quietHours: null, title, body,
  };
}
