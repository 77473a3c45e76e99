// The Meta verify token is a shared secret: it arrives in the handshake's query string, and must not be
// kept in the database, shown in the request inspector or pasted into a "Copy as cURL" in clear.

/** Placeholder that takes the token's place wherever a stored query is kept or shown. */
export const REDACTED = '[redacted]';

/** The query string with the value of `hub.verify_token` (either spelling) replaced. */
export function redactVerifyToken(query: string): string {
  if (!query || !/verify_token/i.test(query)) return query;
  return query.split('&').map((part) => {
    const eq = part.indexOf('=');
    const rawKey = eq >= 0 ? part.slice(0, eq) : part;
    let key: string;
    try { key = decodeURIComponent(rawKey.replace(/\+/g, ' ')); } catch { key = rawKey; }
    return /^hub[._]verify_token$/i.test(key) ? `${rawKey}=${encodeURIComponent(REDACTED)}` : part;
  }).join('&');
}
