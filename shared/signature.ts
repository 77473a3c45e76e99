// Signature maths that needs no I/O (no Node, no DOM): the strings Twilio signs, the URL forms it may
// have signed, the X-Hub-Signature-256 header grammar, and the JSON re-encodings the signature debugger
// tries. The HMACs themselves live in electron/core/ingest/signature.ts.
// Sources: Meta's webhook payload verification and Twilio's webhook security docs; twilio-node src/webhooks/webhooks.ts.

// ---------------------------------------------------------------------------------------------------
// Meta: X-Hub-Signature-256
// ---------------------------------------------------------------------------------------------------

export type MetaSignatureHeader =
  | { ok: true; /** 64 lowercase hex characters. */ hex: string }
  | { ok: false; problem: 'empty' | 'no-prefix' | 'wrong-algorithm' | 'not-hex' | 'wrong-length'; algorithm?: string };

/**
 * Parses `sha256=<hex>`. Tolerates surrounding whitespace, whitespace around `=`, an upper-case
 * prefix and upper-case hex (some proxies and SDKs re-case headers); anything else is a problem value.
 */
export function parseMetaSignatureHeader(h: string): MetaSignatureHeader {
  const s = h.trim();
  if (s === '') return { ok: false, problem: 'empty' };
  const eq = s.indexOf('=');
  if (eq < 0) return { ok: false, problem: 'no-prefix' };
  const algorithm = s.slice(0, eq).trim().toLowerCase();
  const hex = s.slice(eq + 1).trim();
  if (algorithm !== 'sha256') return { ok: false, problem: 'wrong-algorithm', algorithm };
  if (!/^[0-9a-fA-F]*$/.test(hex)) return { ok: false, problem: 'not-hex' };
  if (hex.length !== 64) return { ok: false, problem: 'wrong-length' };
  return { ok: true, hex: hex.toLowerCase() };
}

/** One sentence for a header parseMetaSignatureHeader refused. */
export function describeMetaHeaderProblem(p: Exclude<MetaSignatureHeader, { ok: true }>): string {
  switch (p.problem) {
    case 'empty':
      return 'The X-Hub-Signature-256 header is empty: the request did not come from Meta, or a proxy blanked it.';
    case 'no-prefix':
      return 'The X-Hub-Signature-256 header is malformed: expected "sha256=" followed by 64 hex characters.';
    case 'wrong-algorithm':
      return `The X-Hub-Signature-256 header names "${p.algorithm ?? ''}" instead of sha256: expected "sha256=" followed by 64 hex characters.`;
    case 'not-hex':
      return 'The X-Hub-Signature-256 header is malformed: the value after "sha256=" is not hexadecimal.';
    case 'wrong-length':
      return 'The X-Hub-Signature-256 header has the wrong length: expected "sha256=" followed by 64 hex characters.';
  }
}

// ---------------------------------------------------------------------------------------------------
// Meta: JSON re-encodings (signature debugger)
// ---------------------------------------------------------------------------------------------------

/**
 * What most frameworks do to a body before a naive verifier hashes it: parse, then stringify.
 * Null when the text is not JSON.
 */
export function reserialiseJson(text: string): string | null {
  try {
    return JSON.stringify(JSON.parse(text));
  } catch {
    return null;
  }
}

/**
 * Meta's own escaping (as its webhook verification docs describe): every non-ASCII UTF-16 unit as lowercase `\uXXXX`
 * (so emoji become surrogate pairs) and `/` as `\/`. Existing escape sequences are copied untouched,
 * so an already-escaped `\/` or `\ud83d` stays as it is.
 */
export function escapeUnicodeJson(text: string): string {
  let out = '';
  let start = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c /* \ */) {
      i++; // the escaped character is copied with the run
      continue;
    }
    if (c === 0x2f /* / */) {
      out += text.slice(start, i) + '\\/';
      start = i + 1;
    } else if (c > 0x7e) {
      if (c === 0x7f) continue; // DEL is ASCII: left alone
      out += text.slice(start, i) + '\\u' + c.toString(16).padStart(4, '0');
      start = i + 1;
    }
  }
  return start === 0 ? text : out + text.slice(start);
}

// ---------------------------------------------------------------------------------------------------
// Twilio: X-Twilio-Signature
// ---------------------------------------------------------------------------------------------------

/**
 * The parameters part of the string Twilio signs: keys sorted (UTF-16 order, as `Array#sort`), each
 * key's values de-duplicated and sorted, then `key + value` concatenated — twilio-node's
 * `toFormUrlEncodedParam`. Values are the decoded form values.
 */
export function twilioParamString(params: readonly (readonly [string, string])[]): string {
  if (params.length === 0) return '';
  const byKey = new Map<string, string[]>();
  for (const [k, v] of params) {
    const vs = byKey.get(k);
    if (vs) vs.push(v);
    else byKey.set(k, [v]);
  }
  let out = '';
  for (const k of [...byKey.keys()].sort()) {
    const vs = byKey.get(k)!;
    const values = vs.length === 1 ? vs : [...new Set(vs)].sort();
    for (const v of values) out += k + v;
  }
  return out;
}

/** The exact string Twilio HMACs: the URL it called followed by the sorted params. */
export function twilioSigningString(url: string, params: [string, string][]): string {
  return url + twilioParamString(params);
}

interface UrlParts {
  scheme: string; // lower-case, without ':'
  userinfo: string; // with trailing '@' when present
  host: string; // as written (IPv6 keeps its brackets)
  port: string; // digits or ''
  path: string;
  query: string; // with leading '?' when present
  hash: string; // with leading '#' when present
}

function splitUrl(url: string): UrlParts | null {
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/?#]*)([^?#]*)(\?[^#]*)?(#.*)?$/.exec(url);
  if (!m) return null;
  const authority = m[2];
  const at = authority.lastIndexOf('@');
  const userinfo = at >= 0 ? authority.slice(0, at + 1) : '';
  const hostport = authority.slice(at + 1);
  const pm = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(hostport);
  if (!pm) return null;
  return {
    scheme: m[1].toLowerCase(), userinfo, host: pm[1], port: pm[2] ?? '',
    path: m[3], query: m[4] ?? '', hash: m[5] ?? '',
  };
}

function joinUrl(p: UrlParts, port: string, query: string): string {
  return `${p.scheme}://${p.userinfo}${p.host}${port ? `:${port}` : ''}${p.path}${query}${p.hash}`;
}

const DEFAULT_PORTS: Record<string, string> = { https: '443', http: '80', wss: '443', ws: '80' };

/** Lenient percent-decoding, like node's querystring.unescape: bad sequences stay as they are. */
function decodeFormComponent(s: string): string {
  const t = s.replace(/\+/g, ' ');
  if (t.indexOf('%') < 0) return t;
  try {
    return decodeURIComponent(t);
  } catch {
    return t.replace(/(?:%[0-9a-fA-F]{2})+/g, (run) => {
      try {
        return decodeURIComponent(run);
      } catch {
        return run;
      }
    });
  }
}

/** An array-index key ("0".."4294967294" in canonical form) sorts first in a JS object's key order. */
function isArrayIndex(k: string): boolean {
  return /^(?:0|[1-9]\d{0,9})$/.test(k) && Number(k) < 4294967295;
}

/**
 * The query string as node's legacy `querystring.stringify(querystring.parse(q))` re-writes it —
 * which twilio-node tries because "signature generation on the back end is inconsistent": values
 * re-encoded with encodeURIComponent's alphabet, repeated keys grouped (object key order).
 */
function legacyQuerystring(query: string): string | null {
  const groups = new Map<string, string[]>();
  for (const pair of query.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const k = decodeFormComponent(eq >= 0 ? pair.slice(0, eq) : pair);
    const v = eq >= 0 ? decodeFormComponent(pair.slice(eq + 1)) : '';
    const vs = groups.get(k);
    if (vs) vs.push(v);
    else groups.set(k, [v]);
  }
  const keys = [...groups.keys()];
  const ordered = [
    ...keys.filter(isArrayIndex).sort((a, b) => Number(a) - Number(b)),
    ...keys.filter((k) => !isArrayIndex(k)),
  ];
  try {
    return ordered
      .flatMap((k) => groups.get(k)!.map((v) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`))
      .join('&');
  } catch {
    return null; // lone surrogates: querystring.escape throws too
  }
}

export type TwilioUrlVariant = 'as-given' | 'port-added' | 'port-removed' | 'legacy-query';

/**
 * The URL forms Twilio may have signed, most likely first, de-duplicated: the URL as given; with the
 * scheme's default port added (when it has none) or removed (when it is the default one); and each of
 * those with the query string re-encoded the legacy way. An unparseable URL yields only itself.
 */
export function twilioUrlCandidates(url: string): string[] {
  return twilioUrlCandidatesDetailed(url).map((c) => c.url);
}

/** twilioUrlCandidates with the kind of each form, for the signature debugger's labels. */
export function twilioUrlCandidatesDetailed(url: string): { url: string; variant: TwilioUrlVariant; port?: string }[] {
  const out: { url: string; variant: TwilioUrlVariant; port?: string }[] = [{ url, variant: 'as-given' }];
  const p = splitUrl(url);
  if (!p) return out;
  const def = DEFAULT_PORTS[p.scheme];
  const seen = new Set([url]);
  const add = (u: string, variant: TwilioUrlVariant, port?: string): void => {
    if (seen.has(u)) return;
    seen.add(u);
    out.push(port ? { url: u, variant, port } : { url: u, variant });
  };
  const portForms: string[] = [joinUrl(p, p.port, p.query)];
  if (def && p.port === '') {
    const u = joinUrl(p, def, p.query);
    portForms.push(u);
    add(u, 'port-added', def);
  } else if (def && p.port === def) {
    const u = joinUrl(p, '', p.query);
    portForms.push(u);
    add(u, 'port-removed', def);
  }
  if (p.query.length > 1) {
    const qs = legacyQuerystring(p.query.slice(1));
    if (qs !== null) {
      for (const form of portForms) {
        const fp = splitUrl(form)!;
        add(joinUrl(fp, fp.port, `?${qs}`), 'legacy-query');
      }
    }
  }
  return out;
}

/** The `bodySHA256` query parameter of a URL (Twilio's JSON-body variant), or null. */
export function twilioBodyHashParam(url: string): string | null {
  const p = splitUrl(url);
  const query = p ? p.query : url.includes('?') ? url.slice(url.indexOf('?')) : '';
  for (const pair of query.replace(/^\?/, '').split('&')) {
    const eq = pair.indexOf('=');
    if (eq >= 0 && decodeFormComponent(pair.slice(0, eq)) === 'bodySHA256') return decodeFormComponent(pair.slice(eq + 1));
  }
  return null;
}

export type TwilioAlgorithm = 'HMAC_SHA1' | 'HMAC_SHA256';

/**
 * `X-Twilio-Webhooks-Signature-Settings: key=…,algorithm=HMAC_SHA256` (Webhook Rules) switches the
 * hash; without it (or with anything unknown) Twilio signs with HMAC-SHA1.
 */
export function parseTwilioSignatureSettings(h: string | undefined | null): TwilioAlgorithm {
  if (!h) return 'HMAC_SHA1';
  for (const part of h.split(/[,;]/)) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim().toLowerCase() !== 'algorithm') continue;
    const v = part.slice(eq + 1).trim().toUpperCase().replace(/-/g, '_');
    if (v === 'HMAC_SHA256' || v === 'SHA256') return 'HMAC_SHA256';
  }
  return 'HMAC_SHA1';
}

/**
 * The full URL a provider called, from a base (`https://abc.ngrok-free.app`, maybe pasted with the
 * webhook path already on it) and the request's path and query.
 */
export function joinBaseUrl(base: string, pathAndQuery: string): string {
  const b = base.trim().replace(/\/+$/, '');
  const q = pathAndQuery.indexOf('?');
  const path = q >= 0 ? pathAndQuery.slice(0, q) : pathAndQuery;
  const query = q >= 0 ? pathAndQuery.slice(q) : '';
  const p = splitUrl(b);
  // A base that already ends with the request path (the user pasted the whole webhook URL) is not
  // doubled; its own query, if any, wins over nothing.
  if (p && path !== '/' && path !== '' && p.path === path.replace(/\/+$/, '')) {
    return p.query ? b : b + query;
  }
  return b + (pathAndQuery.startsWith('/') || pathAndQuery === '' ? pathAndQuery : `/${pathAndQuery}`);
}

/** True for loopback and wildcard hosts: a URL Twilio cannot have called from the internet. */
export function isLocalUrl(url: string): boolean {
  const p = splitUrl(url);
  if (!p) return false;
  const h = p.host.toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || h === '[::1]' || h === '0.0.0.0' || h === '[::]' || /^127\./.test(h);
}
