// Replay (docs/api.md: POST /api/replay/:requestId): send a stored request again, to the receiver (through
// the exact network path, origin 'replay') or to a handler URL over HTTP.
//
// Decisions:
//  - Unedited (no body, or the same bytes; no header that changes a value) → the stored bytes and
//    headers exactly, signature untouched, `resigned: false`.
//  - `headers` edits are merged onto the originals: a given name (case-insensitive) replaces that
//    header's value(s) in place, a new name is appended, an empty string removes the header. Editing
//    by merge keeps the provider's headers a caller did not mention.
//  - Edited → re-signed with the first configured secret (Meta X-Hub-Signature-256 over the new bytes;
//    Twilio X-Twilio-Signature over the public-or-local URL + the parsed form params) — unless the
//    caller set the signature header themselves (testing a bad signature is a use case), or no secret
//    is configured (then the old header stays, and the receiver says `unchecked`). Twilio JSON bodies
//    (bodySHA256 in the query) are not re-signed.
//  - A URL target is recorded as a forward of the original request, so the inspector shows what the
//    handler answered; `requestId` is then null (nothing new was stored).
import type { EventFilter, ReceiverInfo, ReplayManyResult, StoredRequest } from '../../../shared/types';
export type { ReplayManyResult } from '../../../shared/types';
import type { ReplayResult } from '../../../shared/ipc';
import { HookscopeError } from '../../../shared/errors';
import { parseForm } from '../../../shared/form';
import { joinBaseUrl } from '../../../shared/signature';
import { signMeta, signTwilio } from '../ingest/signature';
import { targetUrl } from './forward-request';
import { sendRaw } from './send-raw';
import type { Receiver, ReceiverInput } from '../ingest/receiver';
import type { Store } from '../store/store';
import type { Settings } from '../setup/settings';
import type { Logger } from '../types';

/** What replay and the simulator need from the core; functions, because the receiver starts later. */
export interface ToolDeps {
  store: Store;
  settings: Settings;
  logger: Logger;
  receiver(): Receiver | undefined;
  receiverInfo(): ReceiverInfo | null;
  tunnelUrl(): string | null;
}

export interface ReplayArgs {
  requestId: number;
  body?: string;
  headers?: Record<string, string>;
  target?: string;
}

/** The URL a provider would have signed for this path: the public URL when there is one, else the local receiver. */
export function signingUrl(deps: Pick<ToolDeps, 'settings' | 'receiverInfo' | 'tunnelUrl'>, pathAndQuery: string): string {
  const base = deps.settings.publicUrl(deps.tunnelUrl()) ?? deps.receiverInfo()?.url;
  if (!base) throw new HookscopeError('INTERNAL', 'The receiver is not running.');
  return joinBaseUrl(base, pathAndQuery);
}

function setHeader(headers: [string, string][], name: string, value: string): [string, string][] {
  const n = name.toLowerCase();
  const out: [string, string][] = [];
  let placed = false;
  for (const [k, v] of headers) {
    if (k.toLowerCase() === n) {
      if (!placed) { out.push([k, value]); placed = true; }
      continue;
    }
    out.push([k, v]);
  }
  if (!placed) out.push([n, value]);
  return out;
}

function mergeHeaders(orig: [string, string][], edits: Record<string, string> | undefined): [string, string][] {
  if (!edits) return orig;
  let out = orig;
  for (const [name, value] of Object.entries(edits)) {
    if (value === '') out = out.filter(([k]) => k.toLowerCase() !== name.toLowerCase());
    else out = setHeader(out, name, value);
  }
  return out;
}

function sameHeaders(a: [string, string][], b: [string, string][]): boolean {
  return a.length === b.length && a.every(([k, v], i) => k === b[i][0] && v === b[i][1]);
}

function header(headers: [string, string][], name: string): string | undefined {
  for (const [k, v] of headers) if (k.toLowerCase() === name) return v;
  return undefined;
}

/** Re-signs an edited request with the configured secret; returns the new headers and whether it did. */
export function resign(deps: Pick<ToolDeps, 'settings' | 'receiverInfo' | 'tunnelUrl'>, req: { path: string; query: string; headers: [string, string][] },
  body: Buffer, userSet: Set<string>): { headers: [string, string][]; resigned: boolean } {
  const { settings } = deps;
  if (req.path === '/meta') {
    const secret = settings.metaSecrets()[0];
    if (!secret || userSet.has('x-hub-signature-256')) return { headers: req.headers, resigned: false };
    return { headers: setHeader(req.headers, 'x-hub-signature-256', signMeta(body, secret)), resigned: true };
  }
  if (req.path === '/twilio') {
    const token = settings.twilioTokens()[0];
    const isJson = /json/i.test(header(req.headers, 'content-type') ?? '');
    if (!token || isJson || userSet.has('x-twilio-signature')) return { headers: req.headers, resigned: false };
    const url = signingUrl(deps, req.path + (req.query ? `?${req.query}` : ''));
    return { headers: setHeader(req.headers, 'x-twilio-signature', signTwilio(url, parseForm(body.toString('utf8')), token)), resigned: true };
  }
  return { headers: req.headers, resigned: false };
}

function loadRequest(store: Store, id: number) {
  const orig = store.getRequest(id);
  if (!orig) throw new HookscopeError('NOT_FOUND', `Request ${id} was not found.`);
  if (orig.responseStatus === 413 && orig.bodyBytes.length === 0 && orig.bodySize === 0) {
    throw new HookscopeError('REPLAY_FAILED', `Request ${id} was refused as too large, so its body was never stored and cannot be replayed.`);
  }
  return orig;
}

/** What a replay would send; exported for the inspector's "copy as cURL" of an edited request. */
export function prepareReplay(deps: Pick<ToolDeps, 'store' | 'settings' | 'receiverInfo' | 'tunnelUrl'>, args: ReplayArgs):
  { orig: StoredRequest; input: ReceiverInput; resigned: boolean; edited: boolean } {
  const orig = loadRequest(deps.store, args.requestId);
  const body = args.body !== undefined ? Buffer.from(args.body, 'utf8') : orig.bodyBytes;
  let headers = mergeHeaders(orig.headers, args.headers);
  const edited = !body.equals(orig.bodyBytes) || !sameHeaders(headers, orig.headers);
  let resigned = false;
  if (edited) {
    if (header(headers, 'content-length') !== undefined) headers = setHeader(headers, 'content-length', String(body.length));
    const userSet = new Set(Object.keys(args.headers ?? {}).map((k) => k.toLowerCase()));
    const r = resign(deps, { path: orig.path, query: orig.query, headers }, body, userSet);
    headers = r.headers;
    resigned = r.resigned;
  }
  const { bodyBytes: _b, ...plain } = orig;
  return { orig: plain, input: { method: orig.method, path: orig.path, query: orig.query, headers, body, origin: 'replay' }, resigned, edited };
}

export async function replayRequest(deps: ToolDeps, args: ReplayArgs): Promise<ReplayResult> {
  const { input, orig, resigned } = prepareReplay(deps, args);
  const target = args.target?.trim() || 'receiver';
  const started = performance.now();
  const ms = () => Math.round((performance.now() - started) * 100) / 100;

  if (target === 'receiver') {
    const receiver = deps.receiver();
    if (!receiver) throw new HookscopeError('INTERNAL', 'The receiver is not running.');
    const a = await receiver.handle(input);
    return {
      requestId: a.requestId, target, status: a.status, durationMs: ms(),
      error: a.status >= 400 ? a.diagnosis ?? (a.body.trim() || `HTTP ${a.status}`) : null, resigned,
    };
  }

  let url: string;
  try {
    const u = new URL(target);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http');
    url = targetUrl(target, input.path, input.query);
  } catch {
    throw new HookscopeError('VALIDATION', `target: "receiver" or an http(s) URL, not "${target}"`);
  }
  const out = await sendRaw({ url, method: input.method, headers: input.headers, body: input.body, timeoutMs: deps.settings.plain().forwardTimeoutMs });
  try {
    deps.store.addForward(orig.id, { target, status: out.status, durationMs: out.durationMs, error: out.error, responseExcerpt: out.excerpt });
  } catch (err) {
    deps.logger.warn('could not record a replay to a handler', { err: String(err) });
  }
  return { requestId: null, target, status: out.status, durationMs: out.durationMs, error: out.error, resigned };
}


/**
 * Replays every request behind the filtered events, once each, oldest first (request ids ascending),
 * one after the other so a handler sees them in their original order.
 */
export async function replayFiltered(deps: ToolDeps, filter: EventFilter, opts: { target?: string; limit?: number } = {}): Promise<ReplayManyResult> {
  // The ids are collected synchronously: an open SQLite iterator must never live across an await
  // (the writer's commits would fail with "connection busy").
  const ids = new Set<number>();
  for (const ev of deps.store.iterateEvents(filter, { order: 'asc' })) ids.add(ev.requestId);
  const sorted = [...ids].sort((a, b) => a - b).slice(0, opts.limit ?? 10_000);
  const results: ReplayResult[] = [];
  let failed = 0;
  for (const requestId of sorted) {
    try {
      const r = await replayRequest(deps, { requestId, target: opts.target });
      if (r.error) failed++;
      results.push(r);
    } catch (err) {
      failed++;
      results.push({ requestId: null, target: opts.target ?? 'receiver', status: null, durationMs: 0, error: (err as Error).message, resigned: false });
    }
  }
  return { replayed: results.length, failed, results };
}
