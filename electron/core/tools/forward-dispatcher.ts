// The outbox's delivery loop (docs/architecture.md "The outbox"): sends the head of each target's queue,
// one delivery at a time per target and oldest first; the next waits until the one before is delivered
// or given up. What one delivery does is the forwarder's `attempt` (forwarder.ts); this file decides when
// it runs: woken after a derive commit (kick), by a timer for the earliest retry, and after each attempt.
// A crash or a restart resumes where it stopped, since the rows are the state: a delivery happens at
// least once. Finished rows are pruned here, at most once a minute, after DONE_KEPT_MS.
import type { Clock, Logger } from '../types';
import { MAX_RETRY_DELAY_MS } from './forward-request';
import type { Outbox, OutboxRow } from './outbox';

/** Finished outbox rows are kept this long (the Forward panel's "delivered" / "given up" counts). */
export const DONE_KEPT_MS = 24 * 60 * 60_000;

export interface ForwardDispatcher {
  /** Runs the loop soon (never inside the caller's turn). */
  kick(): void;
  /** Forgets the armed retry timer's time and runs the loop: rows were made due now (retry now). */
  rearm(): void;
  /** Resolves when no forward is in flight and none is due now (retries scheduled later do not count). */
  idle(): Promise<void>;
  /** Aborts deliveries in flight (their rows stay for the next start) and ends the loop. */
  stop(): void;
}

export function createForwardDispatcher(deps: {
  outbox: Pick<Outbox, 'heads' | 'prune'>; clock: Clock; logger: Logger;
  /**
   * One delivery of a head row, recorded when it resolves. `signal` aborts it from outside: it is
   * aborted only by stop(), and then the row must be left as it is.
   */
  attempt(row: OutboxRow, signal: AbortSignal): Promise<void>;
}): ForwardDispatcher {
  const { outbox, clock, logger } = deps;
  /** target → the delivery in flight (one at a time per target: in order). */
  const active = new Map<string, AbortController>();
  let waiters: (() => void)[] = [];
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let timerAt = Infinity;
  let scheduled = false;
  let lastPrune = 0;

  function isIdle(): boolean {
    if (stopped) return true;
    if (active.size > 0) return false;
    const now = clock();
    try {
      return !outbox.heads().some((h) => h.next_at <= now);
    } catch {
      return true; // the database is closing
    }
  }

  function settleWaiters() {
    if (waiters.length === 0 || !isIdle()) return;
    const w = waiters;
    waiters = [];
    for (const r of w) r();
  }

  function schedule() {
    if (scheduled || stopped) return;
    scheduled = true;
    // Never inside the caller's turn: the derive transaction (and the receiver's answers) go first.
    setImmediate(() => { scheduled = false; pump(); });
  }

  function armTimer(at: number) {
    if (stopped || at >= timerAt) return;
    if (timer) clearTimeout(timer);
    timerAt = at;
    timer = setTimeout(() => { timer = null; timerAt = Infinity; pump(); }, Math.min(Math.max(0, at - clock()), MAX_RETRY_DELAY_MS));
    timer.unref?.();
  }

  function pump() {
    if (stopped) return;
    let heads: OutboxRow[];
    const now = clock();
    try {
      if (now - lastPrune > 60_000) { lastPrune = now; outbox.prune(now - DONE_KEPT_MS); }
      heads = outbox.heads();
    } catch (err) {
      logger.error('forward outbox unreadable; will retry', { err: String(err) });
      armTimer(now + 1000);
      return;
    }
    for (const row of heads) {
      if (active.has(row.target)) continue;
      if (row.next_at > now) { armTimer(row.next_at); continue; }
      deliver(row);
    }
    settleWaiters();
  }

  function deliver(row: OutboxRow) {
    const ac = new AbortController();
    active.set(row.target, ac);
    void deps.attempt(row, ac.signal).catch((err: unknown) => {
      logger.error('forward failed unexpectedly', { requestId: row.request_id, err: String(err) });
    }).finally(() => {
      if (active.get(row.target) === ac) active.delete(row.target);
      if (!stopped) schedule();
      settleWaiters();
    });
  }

  return {
    kick: schedule,
    rearm() {
      timerAt = Infinity;
      schedule();
    },
    idle() {
      if (isIdle()) return Promise.resolve();
      return new Promise<void>((r) => waiters.push(r));
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      for (const c of active.values()) c.abort();
      settleWaiters(); // stopped counts as idle: every waiter is released
    },
  };
}
