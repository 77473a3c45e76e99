// What the token page makes of a paste: a bare token, or the whole address `serve` printed.
/** A pasted token, or the whole `ui:` address `serve` printed: the token either way, or null. */
export function tokenFromPaste(text: string): string | null {
  const t = text.trim();
  if (!t) return null;
  if (/^https?:\/\//i.test(t)) {
    try { return new URL(t).searchParams.get('token') || null; } catch { return null; }
  }
  const m = /[?&]token=([^&\s]+)/.exec(t);
  if (m) return decodeURIComponent(m[1]);
  return /^[A-Za-z0-9_-]{8,200}$/.test(t) ? t : null;
}
