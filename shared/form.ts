// application/x-www-form-urlencoded → ordered [name, value] pairs, as Twilio posts them (docs §2.1).
// WHATWG form decoding: split on `&`, first `=` splits name from value, `+` is a space, %XX bytes are
// UTF-8. Differences that matter here: malformed `%` sequences stay literal and invalid UTF-8 becomes
// U+FFFD instead of throwing — a webhook body is hostile text and the receiver must never fail on it.
// No URLSearchParams/TextDecoder: shared/ compiles without DOM or Node types.

export function parseForm(body: string): [string, string][] {
  const out: [string, string][] = [];
  if (!body) return out;
  let start = 0;
  const len = body.length;
  while (start <= len) {
    let end = body.indexOf('&', start);
    if (end < 0) end = len;
    if (end > start) {
      const eq = body.indexOf('=', start);
      if (eq >= 0 && eq < end) out.push([decodeFormComponent(body.slice(start, eq)), decodeFormComponent(body.slice(eq + 1, end))]);
      else out.push([decodeFormComponent(body.slice(start, end)), '']);
    }
    start = end + 1;
  }
  return out;
}

/** One name or value: `+` → space, then percent-decoding that never throws. */
export function decodeFormComponent(s: string): string {
  const spaced = s.indexOf('+') >= 0 ? s.replaceAll('+', ' ') : s;
  if (spaced.indexOf('%') < 0) return spaced;
  try {
    // The fast, common path: well-formed UTF-8 escapes.
    return decodeURIComponent(spaced);
  } catch {
    return lenientPercentDecode(spaced);
  }
}

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/** Percent-decoding for the rare malformed input: bad `%` stays literal, bad UTF-8 → U+FFFD. */
function lenientPercentDecode(s: string): string {
  let out = '';
  let bytes: number[] = [];
  for (let i = 0; i < s.length; ) {
    if (s.charCodeAt(i) === 37 && i + 2 < s.length) {
      const h = hexVal(s.charCodeAt(i + 1));
      const l = hexVal(s.charCodeAt(i + 2));
      if (h >= 0 && l >= 0) {
        bytes.push(h * 16 + l);
        i += 3;
        continue;
      }
    }
    if (bytes.length) { out += utf8(bytes); bytes = []; }
    out += s[i];
    i++;
  }
  if (bytes.length) out += utf8(bytes);
  return out;
}

/** UTF-8 bytes → string, each invalid or truncated sequence becoming one U+FFFD (WHATWG style). */
export function utf8(bytes: number[]): string {
  let out = '';
  let i = 0;
  const n = bytes.length;
  while (i < n) {
    const b = bytes[i];
    if (b < 0x80) { out += String.fromCharCode(b); i++; continue; }
    let need: number;
    let cp: number;
    let lower = 0x80;
    let upper = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) { need = 1; cp = b & 0x1f; }
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2; cp = b & 0x0f;
      if (b === 0xe0) lower = 0xa0; // overlong
      if (b === 0xed) upper = 0x9f; // surrogates
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3; cp = b & 0x07;
      if (b === 0xf0) lower = 0x90; // overlong
      if (b === 0xf4) upper = 0x8f; // > U+10FFFF
    } else { out += '\uFFFD'; i++; continue; }
    let j = 1;
    for (; j <= need; j++) {
      const c = bytes[i + j];
      if (c === undefined || c < lower || c > upper) break;
      cp = (cp << 6) | (c & 0x3f);
      lower = 0x80;
      upper = 0xbf;
    }
    if (j <= need) { out += '\uFFFD'; i += j; continue; }
    out += String.fromCodePoint(cp);
    i += need + 1;
  }
  return out;
}
