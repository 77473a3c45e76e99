// Forwarding (docs/api.md, --forward-to): every stored request is delivered — exact body bytes, original
// method, path, query and headers — to every configured local handler, and what each handler answered is
// recorded. It runs after the receiver has its answer: a slow or dead handler never delays the provider's
// 200, never blocks ingest, and never blocks the other handlers.
//
// The outbox (docs/architecture.md "The outbox"): a forward is a row of `outbox` (outbox.ts), written in
// the same transaction that derives the request (enqueue(), called by the deriver's inTx hook). The
// dispatcher (forward-dispatcher.ts) runs attempt() on the head of each target's queue and this file
// marks the row done; a crash or a restart resumes where it stopped, so a delivery happens at least once,
// and each carries `X-Hookscope-Delivery: <key>` (the same key on every retry and after a restart) so a
// handler can drop a repeat.
//
// The parts, by seam:
//  - forward-request.ts decides, without I/O, which requests are forwarded, what a forward carries (the
//    provider's words, never a caller's; docs/api.md "Trust boundary"), its key, and what an answer makes
//    of the row (delivered, retried with doubling delays per settings `forwardRetry`, or given up);
//  - send-raw.ts is the HTTP exchange (exact bytes, header order, the 2 KB excerpt, the timeout);
//  - forward-dispatcher.ts is the loop: in order per target, one delivery at a time per handler, oldest
//    first. A slow handler is a backlog on disk, never a drop;
//  - outbox.ts is the table and the backlog the user steers (summary, retry now, drop, list).
//  - A target on this machine at the receiver's own port is refused (recorded as skipped): every
//    forwarded request would come back as a new network request and be forwarded again, forever.
import type { DeliveryRecord, ForwardResult, ForwardTargetSummary } from '../../../shared/types';
import type { DerivedRequest, Store } from '../store/store';
import type { Settings } from '../setup/settings';
import type { Clock, Logger } from '../types';
import { createForwardDispatcher } from './forward-dispatcher';
import { DELIVERY_HEADER, FORWARDED_ORIGINS, forwardKey, forwardedRequest, isSelfTarget, nextForwardStep } from './forward-request';
import { createOutbox, type Outbox, type OutboxRow } from './outbox';
import { sendRaw } from './send-raw';

export interface Forwarder {
  /**
   * Inside the derive transaction: one outbox row per target for each request that is forwarded (see the
   * header comment for which). Returns how many rows it wrote.
   */
  enqueue(items: DerivedRequest[]): number;
  /** Wakes the dispatcher (after a derive commit; at start, to resume what a restart left). */
  kick(): void;
  /** Resolves when no forward is in flight and none is due now (retries scheduled later do not count). */
  idle(): Promise<void>;
  /** Aborts deliveries in flight; they stay in the outbox for the next start. */
  stop(): void;
  /** Per target: queued / retrying / delivered / given up (Tools → Forward). */
  summary(): ForwardTargetSummary[];
  /** Sends what waits for a retry (and what was given up) again now; all targets when none is named. */
  retryNow(target?: string): number;
  /** Gives up what waits for a target (all targets when none is named); recorded, never silent. */
  drop(target?: string): number;
  /** The outbox rows as deliveries (GET /api/deliveries?kind=forward), newest first. */
  list(q: { requestId?: number; limit?: number }): DeliveryRecord[];
}

export function createForwarder(deps: {
  store: Store; settings: Settings; logger: Logger; clock: Clock;
  /** The receiver's own port, to refuse a target that would forward every request back to us forever. */
  receiverPort?: () => number | null | undefined;
  /** What every delivery key of this database starts with (a random id kept in kv). */
  keyPrefix: () => string;
  /** Whether this process forwards a derived request (team mode: only the one that received it). */
  owns?: (requestId: number) => boolean;
}): Forwarder {
  const { store, settings, logger, clock } = deps;
  const outbox: Outbox = createOutbox(store.db);
  const dispatcher = createForwardDispatcher({ outbox, clock, logger, attempt });

  function record(requestId: number, f: ForwardResult) {
    try {
      store.addForward(requestId, f);
    } catch (err) {
      logger.warn('could not record a forward', { requestId, err: String(err) });
    }
  }

  function enqueue(items: DerivedRequest[]): number {
    const targets = settings.forwardTargets();
    if (targets.length === 0) return 0;
    const now = clock();
    const port = deps.receiverPort?.();
    const prefix = deps.keyPrefix();
    let n = 0;
    for (const { request, failed } of items) {
      if (failed || !FORWARDED_ORIGINS.has(request.origin) || request.body == null) continue;
      if (deps.owns && !deps.owns(request.id)) continue;
      for (const target of targets) {
        const key = forwardKey(prefix, request.id, target);
        if (isSelfTarget(target, port)) {
          const error = 'Skipped: this target is Hookscope\'s own receiver, so forwarding would loop';
          outbox.insert(request.id, target, key, now, error);
          record(request.id, { target, status: null, durationMs: null, error, responseExcerpt: null });
          continue;
        }
        outbox.insert(request.id, target, key, now);
        n++;
      }
    }
    return n;
  }

  /** One delivery of an outbox row, recorded in the row and as the request's forward. */
  async function attempt(row: OutboxRow, signal: AbortSignal) {
    const { target } = row;
    const req = store.getRequest(row.request_id);
    if (!req) {
      // Erased since (retention, forget a contact): nothing left to send.
      outbox.finish(row.id, 'dropped', row.attempts, clock(), null, 'The request was deleted before it could be forwarded');
      return;
    }
    let url: string;
    let provided: [string, string][];
    try {
      ({ url, headers: provided } = forwardedRequest(target, req));
    } catch {
      const error = `Invalid forward target "${target}"`;
      outbox.finish(row.id, 'given_up', row.attempts + 1, clock(), null, error);
      record(row.request_id, { target, status: null, durationMs: null, error, responseExcerpt: null });
      return;
    }
    const headers: [string, string][] = [...provided, [DELIVERY_HEADER, row.delivery_key]];
    const out = await sendRaw({
      url, method: req.method, headers, body: req.bodyBytes,
      timeoutMs: settings.plain().forwardTimeoutMs, signal,
    });
    // Shutting down (only stop() aborts): the row stays as it is and the next start sends it again.
    if (signal.aborted) return;
    const now = clock();
    const n = row.attempts + 1;
    const step = nextForwardStep(out, n, row.created_at, now, settings.plain().forwardRetry);
    if (step.state === 'retrying') outbox.retry(row.id, n, step.nextAt, out.status, step.error);
    else outbox.finish(row.id, step.state, n, now, out.status, step.error);
    if (step.state !== 'delivered') logger.debug('forward failed', { target, requestId: row.request_id, err: out.error ?? `HTTP ${out.status}` });
    // A retry's record says what the handler answered; the row keeps the reason ("HTTP 503").
    const error = step.state === 'retrying' ? out.error : step.error;
    record(row.request_id, { target, status: out.status, durationMs: out.durationMs, error, responseExcerpt: out.excerpt });
  }

  return {
    enqueue,
    kick: dispatcher.kick,
    idle: dispatcher.idle,
    stop: dispatcher.stop,
    summary: () => outbox.summary(settings.forwardTargets()),
    retryNow(target) {
      const n = outbox.retryNow(target, clock());
      dispatcher.rearm();
      return n;
    },
    // An attempt in flight finishes and is recorded; the next head is the next row not dropped.
    drop: (target) => outbox.drop(target, clock()),
    list: (q) => outbox.list(q),
  };
}
