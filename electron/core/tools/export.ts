// Export, import and "copy as cURL" (docs/api.md: GET /api/export).
//
// Decisions:
//  - Streaming: exportEvents is a generator of text chunks over the store's iterator; nothing builds
//    the whole file. Callers that await between chunks (an HTTP response) must pass a store opened on a
//    separate connection (see power-tools.ts): an open better-sqlite3 iterator makes its connection
//    refuse writes, and the receiver's commits would fail. A second connection reads a WAL snapshot,
//    so the export is also consistent while webhooks keep arriving.
//  - Order: oldest first (event ids ascending) — a file reads forward in time; the set is exactly the
//    one the same filter lists in the UI.
//  - NDJSON: one event per line, the event fields of docs/api.md plus `raw` and `details`.
//    `ndjson-requests`: one `{"request":{…}}` per stored request behind the events — the bytes needed
//    to import and replay (event lines alone cannot be re-imported: they carry no request).
//  - CSV: RFC 4180 — CRLF line ends, a header row with the event field names of docs/api.md, fields quoted when they hold
//    a comma, quote, CR or LF, quotes doubled; UTF-8 without a BOM (a BOM breaks the header name for
//    most parsers; Excel users import via Data → From Text). Times (`timestamp`, `receivedAt`) are ISO
//    8601 UTC, which spreadsheets read as dates (NDJSON keeps the API's ms since epoch). Values that a spreadsheet would run as a formula (= + - @ TAB CR at the start) get a leading
//    `'` by default: message text comes from strangers (CSV injection); pass formulaGuard: false for
//    the exact text.
//  - HAR 1.2: one entry per distinct request behind the filtered events, URL on the local receiver.
//    Binary bodies are base64 with `_encoding: "base64"` (HAR custom field).
//  - Never secrets, never the tunnel URL: `host` becomes the local receiver's, `x-forwarded-host` /
//    `forwarded` / `x-original-host` are dropped, any other header mentioning a public host has it
//    replaced, `authorization` / `cookie` values are redacted, and the Meta handshake's
//    `hub.verify_token` is replaced in queries. Signatures stay: they are HMACs, not secrets, and they
//    are what makes an imported request verifiable again.
import type { EventFilter, ImportResult, StoredRequest } from '../../../shared/types';
export type { ImportResult } from '../../../shared/types';
import { HookscopeError } from '../../../shared/errors';
import type { Receiver } from '../ingest/receiver';
import type { Store, StoredRequestWithBytes } from '../store/store';
import { createPseudonymiser, redactRequest, type Pseudonymiser } from '../../../shared/privacy';

export type ExportFormat = 'ndjson' | 'ndjson-requests' | 'csv' | 'har';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['ndjson', 'ndjson-requests', 'csv', 'har'];

export const EXPORT_MIME: Record<ExportFormat, { type: string; ext: string }> = {
  ndjson: { type: 'application/x-ndjson; charset=utf-8', ext: 'ndjson' },
  'ndjson-requests': { type: 'application/x-ndjson; charset=utf-8', ext: 'requests.ndjson' },
  csv: { type: 'text/csv; charset=utf-8; header=present', ext: 'csv' },
  har: { type: 'application/json; charset=utf-8', ext: 'har' },
};

export interface ExportOptions {
  /** The local receiver URL, e.g. http://127.0.0.1:4750 (HAR URLs, `host`). */
  localUrl: string;
  /** Public hosts to scrub from headers (tunnel, configured public URL). */
  publicHosts?: string[];
  formulaGuard?: boolean;
  version?: string;
  /**
   * Names, numbers, message text and the ids that encode a customer (message ids, conversation ids,
   * BSUIDs) replaced by stable pseudonyms (shared/privacy.ts), also inside the bodies and raw payloads,
   * phone numbers written in kept texts masked, and signature/token headers dropped: an export to paste
   * into a ticket.
   */
  redact?: boolean;
}

/** The event fields of docs/api.md, in its order. */
export const CSV_FIELDS = [
  'id', 'requestId', 'provider', 'kind', 'status', 'providerStatus', 'messageId', 'contactId', 'contactName',
  'businessId', 'messageType', 'text', 'replyTo', 'errorCode', 'errorTitle', 'errorDetail', 'timestamp',
  'receivedAt', 'signature', 'duplicate',
] as const;

const CHUNK_ROWS = 200;

/** Times as ISO 8601 UTC in CSV: a spreadsheet reads them as dates, a person reads them at all. */
const CSV_TIME_FIELDS: ReadonlySet<string> = new Set(['timestamp', 'receivedAt']);
function csvValue(field: string, v: unknown): unknown {
  return CSV_TIME_FIELDS.has(field) && typeof v === 'number' && Number.isFinite(v) ? new Date(v).toISOString() : v;
}

export function csvField(v: unknown, formulaGuard = true): string {
  if (v === null || v === undefined) return '';
  let s = typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
  // Leading blanks do not stop a spreadsheet from reading a formula; fullwidth ＝＋－＠ are read as theirs too.
  if (formulaGuard && typeof v === 'string' && /^[\s\u00a0]*[=+\-@\uff1d\uff0b\uff0d\uff20\t\r]/.test(s)) s = `'${s}`;
  // `;` is quoted as well: spreadsheets in locales whose list separator is `;` split an unquoted field
  // there, and the part after it would start a cell of its own (`x;=HYPERLINK(…)`), outside the guard.
  return /[",;\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvRow(values: unknown[], formulaGuard = true): string {
  return `${values.map((v) => csvField(v, formulaGuard)).join(',')}\r\n`;
}

// ---- redaction ----

const DROP_HEADERS = new Set(['x-forwarded-host', 'forwarded', 'x-original-host']);
const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie']);

export function redactQuery(query: string): string {
  if (!query) return query;
  return query.split('&').map((part) => {
    const eq = part.indexOf('=');
    const name = eq >= 0 ? part.slice(0, eq) : part;
    let decoded = name;
    try { decoded = decodeURIComponent(name.replace(/\+/g, ' ')); } catch { /* keep as is */ }
    return eq >= 0 && /^hub[._]verify_token$/i.test(decoded) ? `${name}=REDACTED` : part;
  }).join('&');
}

export function redactHeaders(headers: [string, string][], localHost: string, publicHosts: string[]): [string, string][] {
  const hosts = publicHosts.filter(Boolean);
  const out: [string, string][] = [];
  for (const [k, v] of headers) {
    const name = k.toLowerCase();
    if (DROP_HEADERS.has(name)) continue;
    if (name === 'host') { out.push([k, localHost]); continue; }
    if (SECRET_HEADERS.has(name)) { out.push([k, '[redacted]']); continue; }
    let value = v;
    for (const h of hosts) if (value.includes(h)) value = value.split(h).join(localHost);
    out.push([k, value]);
  }
  return out;
}

function bodyOf(r: StoredRequestWithBytes): { text: string; base64: boolean } {
  return r.bodyIsText ? { text: r.body, base64: false } : { text: r.bodyBytes.toString('base64'), base64: true };
}

/**
 * A request as a redacted export carries it: body, query and headers pseudonymised, signature/token
 * headers dropped, sizes those of the new body (the old signature could not verify it anyway).
 */
export function redactedRequest(p: Pseudonymiser, r: StoredRequestWithBytes): StoredRequestWithBytes {
  const red = redactRequest(p, r);
  const bytes = Buffer.from(red.body, 'utf8');
  const headers = red.headers.map(([k, v]): [string, string] => (k.toLowerCase() === 'content-length' ? [k, String(bytes.length)] : [k, v]));
  return { ...red, headers, bodyBytes: bytes, bodySize: bytes.length };
}

// ---- export ----

/** Distinct request ids behind the filtered events, in order of first appearance (ascending). */
function* requestsBehind(store: Store, filter: EventFilter): Generator<StoredRequestWithBytes> {
  const seen = new Set<number>();
  for (const ev of store.iterateEvents(filter, { order: 'asc' })) {
    if (seen.has(ev.requestId)) continue;
    seen.add(ev.requestId);
    const r = store.getRequest(ev.requestId);
    if (r) yield r;
  }
}

export function* exportEvents(store: Store, format: ExportFormat, filter: EventFilter, opts: ExportOptions): Generator<string> {
  const localHost = new URL(opts.localUrl).host;
  const publicHosts = opts.publicHosts ?? [];
  // One pseudonymiser per export: the same number is the same pseudonym from the first line to the last.
  const p = opts.redact ? createPseudonymiser() : null;
  const requests = () => {
    const it = requestsBehind(store, filter);
    return p ? (function* () { for (const r of it) yield redactedRequest(p, r); })() : it;
  };
  switch (format) {
    case 'ndjson': {
      let buf = '';
      let n = 0;
      for (const ev of store.iterateEvents(filter, { withRaw: true, order: 'asc' })) {
        buf += `${JSON.stringify(p ? p.event(ev) : ev)}\n`;
        if (++n % CHUNK_ROWS === 0) { yield buf; buf = ''; }
      }
      if (buf) yield buf;
      return;
    }
    case 'csv': {
      const guard = opts.formulaGuard ?? true;
      let buf = csvRow([...CSV_FIELDS], false);
      let n = 0;
      for (const raw of store.iterateEvents(filter, { order: 'asc' })) {
        const ev = p ? p.event(raw) : raw;
        buf += csvRow(CSV_FIELDS.map((f) => csvValue(f, (ev as unknown as Record<string, unknown>)[f])), guard);
        if (++n % CHUNK_ROWS === 0) { yield buf; buf = ''; }
      }
      if (buf) yield buf;
      return;
    }
    case 'ndjson-requests': {
      for (const r of requests()) {
        const b = bodyOf(r);
        yield `${JSON.stringify({ request: {
          id: r.id, receivedAt: r.receivedAt, method: r.method, path: r.path, query: redactQuery(r.query),
          headers: redactHeaders(r.headers, localHost, publicHosts), body: b.text, bodyEncoding: b.base64 ? 'base64' : 'utf8',
          provider: r.provider, signature: r.signature, origin: r.origin, responseStatus: r.responseStatus,
        } })}\n`;
      }
      return;
    }
    case 'har': {
      yield `{"log":{"version":"1.2","creator":${JSON.stringify({ name: 'Hookscope', version: opts.version ?? '0.0.0' })},"pages":[],"entries":[`;
      let first = true;
      for (const r of requests()) {
        yield (first ? '\n' : ',\n') + JSON.stringify(harEntry(r, opts.localUrl, localHost, publicHosts));
        first = false;
      }
      yield '\n]}}\n';
      return;
    }
  }
}

function harEntry(r: StoredRequestWithBytes, localUrl: string, localHost: string, publicHosts: string[]) {
  const query = redactQuery(r.query);
  const headers = redactHeaders(r.headers, localHost, publicHosts);
  const contentType = headers.find(([k]) => k.toLowerCase() === 'content-type')?.[1] ?? '';
  const b = bodyOf(r);
  const queryString: { name: string; value: string }[] = [];
  for (const [name, value] of new URLSearchParams(query)) queryString.push({ name, value });
  const hasBody = r.bodySize > 0 || !['GET', 'HEAD'].includes(r.method);
  return {
    startedDateTime: new Date(r.receivedAt).toISOString(),
    time: 0,
    request: {
      method: r.method,
      url: `${localUrl.replace(/\/+$/, '')}${r.path}${query ? `?${query}` : ''}`,
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: headers.map(([name, value]) => ({ name, value })),
      queryString,
      ...(hasBody ? { postData: { mimeType: contentType, text: b.text, ...(b.base64 ? { _encoding: 'base64' } : {}) } } : {}),
      headersSize: -1,
      bodySize: r.bodySize,
    },
    response: {
      status: r.responseStatus, statusText: '', httpVersion: 'HTTP/1.1', cookies: [], headers: [],
      content: { size: -1, mimeType: '' }, redirectURL: '', headersSize: -1, bodySize: -1,
    },
    cache: {},
    timings: { send: 0, wait: 0, receive: 0 },
    _hookscope: { requestId: r.id, provider: r.provider, signature: r.signature, origin: r.origin },
  };
}

// ---- import ----


interface ImportedRequest { method: string; path: string; query: string; headers: [string, string][]; body: Buffer }

const MAX_IMPORT = 50_000;

/** Splits a URL into its raw path and query, without normalising either (bytes matter for signatures). */
function splitUrl(url: string): { path: string; query: string } {
  const m = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(url);
  let rest = m ? url.slice(m[0].length) : url;
  const hash = rest.indexOf('#');
  if (hash >= 0) rest = rest.slice(0, hash);
  const q = rest.indexOf('?');
  const path = (q >= 0 ? rest.slice(0, q) : rest) || '/';
  return { path: path.startsWith('/') ? path : `/${path}`, query: q >= 0 ? rest.slice(q + 1) : '' };
}

function fromHar(entry: unknown, i: number): ImportedRequest {
  const req = (entry as { request?: Record<string, unknown> })?.request;
  if (!req || typeof req.method !== 'string' || typeof req.url !== 'string') throw new Error(`entry ${i}: no request method/url`);
  const { path, query } = splitUrl(req.url);
  const headers: [string, string][] = [];
  for (const h of (Array.isArray(req.headers) ? req.headers : []) as { name?: unknown; value?: unknown }[]) {
    // HTTP/2 pseudo-headers (:authority…) are not headers of the request we store.
    if (typeof h?.name === 'string' && typeof h.value === 'string' && !h.name.startsWith(':')) headers.push([h.name.toLowerCase(), h.value]);
  }
  const pd = req.postData as { text?: unknown; _encoding?: unknown; encoding?: unknown; params?: { name: string; value?: string }[] } | undefined;
  let body = Buffer.alloc(0);
  if (pd && typeof pd.text === 'string') {
    body = pd._encoding === 'base64' || pd.encoding === 'base64' ? Buffer.from(pd.text, 'base64') : Buffer.from(pd.text, 'utf8');
  } else if (pd && Array.isArray(pd.params)) {
    body = Buffer.from(pd.params.map((p) => `${encodeURIComponent(p.name)}=${encodeURIComponent(p.value ?? '')}`).join('&'), 'utf8');
  }
  return { method: req.method.toUpperCase(), path, query, headers, body };
}

function fromRequestLine(obj: unknown, i: number): ImportedRequest | null {
  const r = (obj as { request?: Record<string, unknown> })?.request;
  if (!r || typeof r !== 'object') return null;
  if (typeof r.method !== 'string' || typeof r.path !== 'string') throw new Error(`line ${i + 1}: request without method/path`);
  const headers = (Array.isArray(r.headers) ? r.headers : []).filter((h): h is [string, string] =>
    Array.isArray(h) && typeof h[0] === 'string' && typeof h[1] === 'string').map(([k, v]) => [k.toLowerCase(), v] as [string, string]);
  const text = typeof r.body === 'string' ? r.body : '';
  return {
    method: r.method.toUpperCase(), path: r.path.startsWith('/') ? r.path : `/${r.path}`,
    query: typeof r.query === 'string' ? r.query : '', headers,
    body: r.bodyEncoding === 'base64' ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8'),
  };
}

/**
 * HAR (any HAR 1.2, ours or a browser's) and `ndjson-requests` lines become stored requests through
 * the receiver (origin 'import'): verified with today's secrets, normalised, replayable. Event-only
 * NDJSON lines are counted as skipped: they hold no request to store.
 */
export async function importFile(deps: { receiver(): Receiver | undefined }, text: string, format: 'ndjson' | 'har'): Promise<ImportResult> {
  const receiver = deps.receiver();
  if (!receiver) throw new HookscopeError('INTERNAL', 'The receiver is not running.');
  const out: ImportResult = { imported: 0, skipped: 0, requestIds: [], errors: [] };
  const items: ImportedRequest[] = [];
  if (format === 'har') {
    let har: { log?: { entries?: unknown[] } };
    try { har = JSON.parse(text); } catch (err) { throw new HookscopeError('INVALID_JSON', `The HAR file is not valid JSON: ${(err as Error).message}`); }
    const entries = har?.log?.entries;
    if (!Array.isArray(entries)) throw new HookscopeError('VALIDATION', 'Not a HAR file: log.entries is missing.');
    entries.forEach((e, i) => {
      try { items.push(fromHar(e, i)); } catch (err) { out.skipped++; if (out.errors.length < 20) out.errors.push((err as Error).message); }
    });
  } else {
    const lines = text.split(/\r?\n/);
    lines.forEach((line, i) => {
      if (!line.trim()) return;
      try {
        const r = fromRequestLine(JSON.parse(line), i);
        if (r) items.push(r);
        else out.skipped++;
      } catch (err) {
        out.skipped++;
        if (out.errors.length < 20) out.errors.push(err instanceof SyntaxError ? `line ${i + 1}: not JSON` : (err as Error).message);
      }
    });
  }
  if (items.length > MAX_IMPORT) throw new HookscopeError('VALIDATION', `At most ${MAX_IMPORT} requests per import (this file has ${items.length}).`);
  for (const r of items) {
    const a = await receiver.handle({ ...r, origin: 'import' });
    out.imported++;
    if (a.requestId != null) out.requestIds.push(a.requestId);
  }
  return out;
}

// ---- copy as cURL ----

/**
 * Shell quoting. Plain single quotes when the text is printable; ANSI-C quoting ($'…', bash and zsh) with
 * every control character escaped otherwise — a webhook's text is the sender's, and raw escape sequences or
 * carriage returns pasted into a terminal can hide or rewrite what the command shows.
 */
export function shellQuote(s: string): string {
  // eslint-disable-next-line no-control-regex
  if (!/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(s)) return `'${s.replace(/'/g, `'\\''`)}'`;
  let out = "$'";
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === "'") out += "\\'";
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else if ((c >= 0x80 && c <= 0x9f) || c === 0x2028 || c === 0x2029) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}'`;
}

const CURL_SKIP = new Set(['host', 'content-length', 'connection', 'keep-alive', 'transfer-encoding', 'expect', 'te', 'upgrade', 'proxy-connection']);

/** A cURL command that sends this request again with the exact body bytes. */
export function curlFor(request: StoredRequest & { bodyBytes?: Buffer }, baseUrl: string): string {
  const bytes = request.bodyBytes ?? (request.bodyIsText ? Buffer.from(request.body, 'utf8') : Buffer.from(request.body, 'base64'));
  const url = `${baseUrl.replace(/\/+$/, '')}${request.path}${request.query ? `?${request.query}` : ''}`;
  const parts: string[] = ['curl', '-sS'];
  if (request.method !== 'GET' || bytes.length > 0) parts.push('-X', shellQuote(request.method));
  parts.push(shellQuote(url));
  for (const [k, v] of request.headers) if (!CURL_SKIP.has(k.toLowerCase())) parts.push('-H', shellQuote(`${k}: ${v}`));
  const text = request.bodyIsText ? bytes.toString('utf8') : null;
  let prefix = '';
  if (bytes.length > 0 || !['GET', 'HEAD'].includes(request.method)) {
    if (text !== null && !text.includes('\0') && !text.startsWith('@')) {
      parts.push('--data-binary', shellQuote(text));
    } else if (text !== null && !text.includes('\0')) {
      // `--data-binary @…` would read a file: pipe the text in instead.
      prefix = `printf '%s' ${shellQuote(text)} | `;
      parts.push('--data-binary', '@-');
    } else {
      prefix = `printf '%s' ${shellQuote(bytes.toString('base64'))} | base64 -d | `;
      parts.push('--data-binary', '@-');
    }
  }
  return prefix + parts.join(' ');
}

