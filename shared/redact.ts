// The Meta verify token is a shared secret: it arrives in the handshake's query string, and must not be
// kept in the database, shown in the request inspector or pasted into a "Copy as cURL" in clear.

/** Placeholder that takes the token's place wherever a stored query is kept or shown. */
export const REDACTED = '[redacted]';

/**
 * The query string with the value of `hub.verify_token` (either spelling) replaced. Every parameter is
 * looked at: a key spelled with escapes (`hub.verify%5Ftoken`) is the same key once decoded, so no test
 * on the raw text may skip the walk.
 */
export function redactVerifyToken(query: string): string {
  // Every accepted webhook's query comes through here, and a provider's POST has none.
  if (query === '') return query;
  return query.split('&').map((part) => {
    const rawKey = part.split('=', 1)[0];
    return isVerifyTokenKey(rawKey) ? `${rawKey}=${encodeURIComponent(REDACTED)}` : part;
  }).join('&');
}

/** Whether a raw (form-encoded) key names the verify token; an undecodable key names nothing. */
function isVerifyTokenKey(rawKey: string): boolean {
  let key: string;
  try { key = decodeURIComponent(rawKey.replace(/\+/g, ' ')); } catch { return false; }
  return /^hub[._]verify_token$/i.test(key);
}
