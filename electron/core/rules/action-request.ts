// What one http action sends, and what its answer means (docs/api.md "HTTP actions"), decided without
// the queue: its headers (the user's, a user agent, the HMAC signature), its delivery key, whether the
// target would loop back into this Hookscope, and what an attempt's answer makes of the job. The sender
// (action-sender.ts) and the overflow digest (overflow-digest.ts) build requests with these.
//
//  - Every job carries a delivery key, sent as `Idempotency-Key` and `X-Hookscope-Delivery`: for an
//    event's action it is made of the event, the rule and the action's position, so it is the same on
//    every retry, after a restart, and in every team process that derives the event; a receiver drops
//    repeats by it (deliveries are at least once).
//  - A target that points back at this Hookscope's receiver (its port on this machine, its public or
//    tunnel URL) is refused and recorded, never retried: every action would come back as a webhook.
//  - Retries: non-2xx answers and network errors, `maxTries` attempts in all with doubling delays
//    (30 s, 1, 2, 4, 8 min: six tries over ~15 minutes by default).
import { createHmac } from 'node:crypto';
import { networkInterfaces } from 'node:os';
import type { HttpAction } from '../../../shared/types';

export const hmacHeader = (body: string | Buffer, secret: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

/** The headers of an action as sent: the user's, a user agent, and the signature when there is a secret. */
export function actionHeaders(action: HttpAction, body: string, secret: string | null): [string, string][] {
  const out: [string, string][] = Object.entries(action.headers ?? {});
  if (!out.some(([k]) => k.toLowerCase() === 'user-agent')) out.push(['user-agent', 'Hookscope']);
  if (body !== '' && !out.some(([k]) => k.toLowerCase() === 'content-type')) out.push(['content-type', 'application/json']);
  if (secret) out.push(['x-hookscope-signature', hmacHeader(body, secret)]);
  return out;
}

/** The delivery key of an event's action: the same in every run and every team process; null without an event and a rule. */
export function actionKey(prefix: string, a: { eventId: number | null; ruleId: number | null; actionIndex: number }): string | null {
  return a.eventId != null && a.ruleId != null ? `${prefix}-a${a.eventId}-${a.ruleId}-${a.actionIndex}` : null;
}

/** The headers a job is sent with: its own, and its delivery key (the user's Idempotency-Key wins). */
export function withDeliveryKey(headers: [string, string][], key: string): [string, string][] {
  const h = [...headers];
  if (!h.some(([k]) => k.toLowerCase() === 'idempotency-key')) h.push(['idempotency-key', key]);
  h.push(['x-hookscope-delivery', key]);
  return h;
}

function isLocalHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost') || h === '::1' || h === '::' || h === '0.0.0.0' || /^127\./.test(h) || /^::ffff:127\./.test(h)) return true;
  try {
    for (const list of Object.values(networkInterfaces())) for (const i of list ?? []) if (i.address.toLowerCase() === h) return true;
  } catch { /* no interface list: loopback names above still count */ }
  return false;
}

/** A target's origin: the unit of the sender's per-target slots. */
export function originOf(url: string): string {
  try { return new URL(url).origin; } catch { return url; }
}

/** Why sending to `url` would loop back into this receiver, or null. */
export function loopProblem(url: string, self: { ports: number[]; urls: string[] }): string | null {
  let u: URL;
  try { u = new URL(url); } catch { return 'the target is not a URL'; }
  const port = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
  if (self.ports.includes(port) && isLocalHost(u.hostname)) {
    return `refused: the target is this Hookscope’s own receiver (port ${port}); every action would come back as a webhook`;
  }
  for (const s of self.urls) {
    try {
      if (new URL(s).host.toLowerCase() === u.host.toLowerCase()) return 'refused: the target is this Hookscope’s own public URL (tunnel); every action would come back as a webhook';
    } catch { /* a malformed setting is not a match */ }
  }
  return null;
}

/** What attempt number `n` (this one included) makes of a job: done, or another try at `nextAt`. */
export interface AttemptResult {
  ok: boolean;
  /** No further try: delivered, or given up. */
  last: boolean;
  nextAt: number | null;
  /** What the delivery row says. */
  error: string | null;
}

/** A 2xx ends a job; anything else is tried again after a doubling delay, up to maxTries attempts in all. */
export function attemptResult(o: { status: number | null; error: string | null }, n: number, now: number,
  retry: { maxTries: number; baseDelayMs: number }): AttemptResult {
  const ok = o.status != null && o.status >= 200 && o.status < 300;
  const last = ok || n >= retry.maxTries;
  const error = o.error ?? (ok ? null : `HTTP ${o.status}`);
  return {
    ok, last,
    nextAt: last ? null : now + retry.baseDelayMs * 2 ** (n - 1),
    error: !ok && last ? `${error}; gave up after ${n} tries` : error,
  };
}
