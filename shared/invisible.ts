// Text that cannot fool the eye. Payload text is hostile: a right-to-left override makes
// "\u202Egnp.exe\u202C Bob" read as "exe.png Bob", and zero-width characters make two different names look
// the same. Every view shows such characters as visible markers (a dimmed ⟨RLO⟩) instead of letting them
// act, and the raw view shows them as escapes (docs/webhooks.md, "Text as shown"). Pure: the feed, the
// Messages view, the inspector and the conversation all call this one function.

/** Short names of the formatting characters people meet; others are shown by code point. */
const NAMES: Record<number, string> = {
  0x202a: 'LRE', 0x202b: 'RLE', 0x202c: 'PDF', 0x202d: 'LRO', 0x202e: 'RLO',
  0x2066: 'LRI', 0x2067: 'RLI', 0x2068: 'FSI', 0x2069: 'PDI',
  0x200e: 'LRM', 0x200f: 'RLM', 0x061c: 'ALM',
  0x200b: 'ZWSP', 0x200c: 'ZWNJ', 0x200d: 'ZWJ', 0x2060: 'WJ', 0xfeff: 'ZWNBSP', 0x00ad: 'SHY', 0x180e: 'MVS',
  0x2028: 'LSEP', 0x2029: 'PSEP',
};

/**
 * What gets a marker: bidi embeddings, overrides, isolates and marks; zero-width and other invisible
 * format characters (the Cf category: word joiner, BOM, tags, interlinear annotations…); Hangul fillers
 * that render as nothing; line and paragraph separators; control characters other than tab and newline.
 * Two joiners with a job stay: ZWJ inside an emoji sequence (👩‍💻) and ZWNJ/ZWJ between letters of a
 * script that needs them (Persian, Indic) — they change how glyphs join, never the order of the text.
 */
// Control characters and emoji modifiers are exactly what this class is about (not a mistake).
// eslint-disable-next-line no-control-regex, no-misleading-character-class
const INVISIBLE = /(?<=\p{Extended_Pictographic}[\uFE0F\u{1F3FB}-\u{1F3FF}]?)\u200D(?=\p{Extended_Pictographic})|(?<=(?!\p{Script=Latin})[\p{L}\p{M}])[\u200C\u200D](?=(?!\p{Script=Latin})\p{L})|([\p{Cf}\u0000-\u0008\u000B-\u001F\u007F-\u009F\u115F\u1160\u3164\uFFA0\u2028\u2029])/gu;

export interface Mark {
  /** The marker text, e.g. `⟨RLO⟩`. */
  mark: string;
  /** The code point it stands for. */
  code: number;
}
export type TextPart = string | Mark;

function codeName(code: number): string {
  return NAMES[code] ?? `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Whether `s` holds anything that gets a marker (a cheap test for the common case: nothing). */
export function hasInvisible(s: string): boolean {
  INVISIBLE.lastIndex = 0;
  for (let m = INVISIBLE.exec(s); m; m = INVISIBLE.exec(s)) if (m[1] !== undefined) return true;
  return false;
}

/** `s` cut into plain runs and markers, in order. Plain text comes back as one part. */
export function invisibleParts(s: string): TextPart[] {
  const out: TextPart[] = [];
  let last = 0;
  INVISIBLE.lastIndex = 0;
  for (let m = INVISIBLE.exec(s); m; m = INVISIBLE.exec(s)) {
    if (m[1] === undefined) continue; // a joiner doing its job: part of the plain run
    if (m.index > last) out.push(s.slice(last, m.index));
    const code = m[1].codePointAt(0)!;
    out.push({ mark: `⟨${codeName(code)}⟩`, code });
    last = m.index + m[1].length;
  }
  if (last < s.length || out.length === 0) out.push(s.slice(last));
  return out;
}

/** `s` with each invisible character replaced by its marker, as one string (titles, labels, tooltips). */
export function revealInvisible(s: string): string {
  if (!hasInvisible(s)) return s;
  return invisibleParts(s).map((p) => (typeof p === 'string' ? p : p.mark)).join('');
}

/** `s` with each invisible character written as a JavaScript escape (`\u202E`, `\u{E0041}`): the raw view. */
export function escapeInvisible(s: string): string {
  if (!hasInvisible(s)) return s;
  return invisibleParts(s).map((p) => {
    if (typeof p === 'string') return p;
    return p.code > 0xffff ? `\\u{${p.code.toString(16).toUpperCase()}}` : `\\u${p.code.toString(16).toUpperCase().padStart(4, '0')}`;
  }).join('');
}

/**
 * At most `max` characters of `s` (a row's excerpt): cut without splitting a surrogate pair, with an
 * ellipsis when something was left out. A megabyte of text in a one-line cell costs layout and memory
 * and shows nothing more.
 */
export function excerpt(s: string, max: number): string {
  if (s.length <= max) return s;
  let end = max;
  const c = s.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--;
  return `${s.slice(0, end)}…`;
}
