// What one forward is, decided without I/O (docs/api.md "Trust boundary", "Forwarding"): which requests
// are forwarded, what a forward carries, where it goes, its delivery key, and what an answer means for
// the outbox row (delivered, another try later, or given up). The forwarder (forwarder.ts) and the
// replay (replay.ts) call these; sending is send-raw.ts.
//
// Decisions:
//  - What a forward carries is the provider's words, never a caller's. Target URL: a target with a path
//    other than '/' (`http://localhost:3000/webhook?k=v`) is used as it is; a bare origin
//    (`http://localhost:3000`) gets the route (`/meta`, `/twilio`) appended. The query the caller sent is
//    never passed on (a stranger's `?admin=1` must not reach the handler). So one handler URL can take
//    both providers, or a handler can keep its own route.
//  - Which requests: every stored request whose origin is `network`, `replay` or `simulate` (the
//    simulator exists to drive the user's handler through the whole path). `import` is not forwarded:
//    an import is history, and pushing thousands of old webhooks at a handler would be a surprise.
//  - Headers: the ones providers send and document (FORWARDED_HEADERS: signature, content type, user
//    agent, Twilio's idempotency token…), in order; never `Authorization`, `Cookie` or anything else a
//    caller adds. The one header added is `X-Hookscope-Delivery` (not covered by any provider signature,
//    so the original X-Hub-Signature-256 still validates at the handler).
//  - A handler that is down, slow, or answers 5xx / 408 / 425 / 429 gets retries with doubling delays
//    (settings `forwardRetry`: base delay, at most maxTries attempts and maxAgeMs after it was received,
//    delays capped at a minute); a 2xx or another 4xx is an answer and ends it.
//  - A target on this machine at the receiver's own port is refused: every forwarded request would come
//    back as a new network request and be forwarded again, forever.
import { createHash } from 'node:crypto';
import type { ReceiverInput } from '../ingest/receiver';
import type { PlainSettings } from '../setup/settings';

/** The longest wait between two tries of one forward. */
export const MAX_RETRY_DELAY_MS = 60_000;
/** The header that names a delivery: the same on every retry and after a restart. */
export const DELIVERY_HEADER = 'x-hookscope-delivery';

/**
 * Headers a provider sends (docs/webhooks.md): Meta's X-Hub-Signature(-256), Twilio's X-Twilio-Signature,
 * X-Twilio-Webhooks-Signature-Settings, I-Twilio-Idempotency-Token and X-Home-Region, and the plain HTTP
 * ones describing the body. Everything else a caller sent stays here.
 */
export const FORWARDED_HEADERS = new Set([
  'content-type', 'content-encoding', 'user-agent', 'accept', 'accept-encoding',
  'x-hub-signature-256', 'x-hub-signature',
  'x-twilio-signature', 'x-twilio-webhooks-signature-settings', 'i-twilio-idempotency-token', 'x-home-region',
]);

export const FORWARDED_ORIGINS: ReadonlySet<ReceiverInput['origin']> = new Set(['network', 'replay', 'simulate']);

/**
 * What one forward of `input` to `target` carries: the target's own URL (a bare origin gets the route
 * appended, never the caller's query) and the provider's headers only. Throws on an invalid target.
 */
export function forwardedRequest(target: string, input: { path: string; headers: [string, string][] }): { url: string; headers: [string, string][] } {
  const u = new URL(target);
  const url = u.pathname !== '/' && u.pathname !== '' ? target : `${target.replace(/\?.*$/, '').replace(/\/+$/, '')}${input.path}`;
  return { url, headers: input.headers.filter(([k]) => FORWARDED_HEADERS.has(k.toLowerCase())) };
}

/** Where a replayed request goes for a target (replay.ts): the target, plus the original path and query for a bare origin. */
export function targetUrl(target: string, path: string, query: string): string {
  const u = new URL(target);
  if (u.pathname !== '/' && u.pathname !== '') {
    if (!u.search && query) return `${target}?${query}`;
    return target;
  }
  const base = target.replace(/\/+$/, '').replace(/\?.*$/, '');
  return `${base}${path}${query ? `?${query}` : ''}`;
}

/** True when a target points back at our own receiver port on this machine: forwarding there would loop. */
export function isSelfTarget(target: string, receiverPort: number | null | undefined): boolean {
  if (!receiverPort) return false;
  try {
    const u = new URL(target);
    const port = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
    const h = u.hostname.replace(/^\[|\]$/g, '').toLowerCase();
    const local = h === 'localhost' || h.endsWith('.localhost') || h === '::1' || h === '0.0.0.0' || h === '::' || /^127\./.test(h);
    return local && port === receiverPort;
  } catch {
    return false;
  }
}

/** Whether an answer ends a forward: a 2xx, or a 4xx other than "try later" (408, 425, 429). */
export function forwardAnswered(status: number | null): boolean {
  if (status == null) return false;
  if (status >= 200 && status < 300) return true;
  return status >= 400 && status < 500 && status !== 408 && status !== 425 && status !== 429;
}

/** The delivery key of a request's forward to a target: stable across retries, restarts and target order. */
export function forwardKey(prefix: string, requestId: number, target: string): string {
  return `${prefix}-f${requestId}-${createHash('sha256').update(target).digest('hex').slice(0, 10)}`;
}

/** What an attempt's answer makes of its outbox row. `error` is what the row keeps as its last error. */
export type ForwardStep =
  | { state: 'delivered'; error: string | null }
  | { state: 'retrying'; error: string; nextAt: number }
  | { state: 'given_up'; error: string };

/**
 * The row after attempt number `tries` (this one included) answered `out` at `now`: delivered on an
 * answer; given up after maxTries attempts or maxAgeMs since the row was queued; else another try after
 * a doubling delay, capped at MAX_RETRY_DELAY_MS.
 */
export function nextForwardStep(out: { status: number | null; error: string | null }, tries: number, queuedAt: number, now: number,
  retry: PlainSettings['forwardRetry']): ForwardStep {
  if (forwardAnswered(out.status)) return { state: 'delivered', error: out.error };
  const reason = out.error ?? `HTTP ${out.status}`;
  if (tries >= retry.maxTries || now - queuedAt >= retry.maxAgeMs) {
    return { state: 'given_up', error: `${reason}; gave up after ${tries} ${tries === 1 ? 'try' : 'tries'}` };
  }
  return { state: 'retrying', error: reason, nextAt: now + Math.min(retry.baseDelayMs * 2 ** (tries - 1), MAX_RETRY_DELAY_MS) };
}
