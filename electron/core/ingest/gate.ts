// What strangers may cost at the receiver (docs/api.md "Trust boundary"): who a request comes from,
// how many rejected requests each caller may have kept, and whether the disk can take more junk.
// Accepted webhooks never pass through any of these limits.
import { statfsSync } from 'node:fs';
import { isIP } from 'node:net';
import type { Clock } from '../types';

function isLoopback(addr: string): boolean {
  const a = addr.replace(/^::ffff:/, '');
  return a === '::1' || /^127\./.test(a);
}

/**
 * The caller's address. X-Forwarded-For is the caller's own words, except its last entry when the request
 * came in over the loopback socket while our tunnel is online: the ngrok agent runs inside this process, so
 * it connects from loopback and appends the client address it saw (entries to the left are whatever the
 * client sent and are ignored). Any other socket — a LAN peer, a local program while no tunnel is up —
 * is named by its socket address, since anyone can write that header.
 */
export function sourceAddress(socketAddr: string | undefined, xff: string | undefined, tunnelOnline: boolean): string {
  const sock = (socketAddr ?? 'unknown').replace(/^::ffff:/, '');
  if (!tunnelOnline || !xff || !isLoopback(sock)) return sock;
  const last = xff.split(',').map((s) => s.trim()).filter(Boolean).pop();
  return last && isIP(last.replace(/^\[|\]$/g, '')) ? last.replace(/^\[|\]$/g, '') : sock;
}

export interface RateLimiter {
  /** Spends one rejected request for `source`; false when it is over the limit. */
  take(source: string): boolean;
  /** True while `source` has nothing left (without spending). */
  isOver(source: string): boolean;
}

/** Token bucket per source: `perMinute()` rejected requests kept per minute, bursts of as many. */
export function createRateLimiter(opts: { perMinute: () => number; clock: Clock; maxSources?: number }): RateLimiter {
  const buckets = new Map<string, { tokens: number; at: number }>();
  const maxSources = opts.maxSources ?? 10_000;
  function refill(source: string) {
    const rate = Math.max(1, opts.perMinute());
    const now = opts.clock();
    let b = buckets.get(source);
    if (!b) {
      if (buckets.size >= maxSources) {
        // Forget the stalest source: a spray of addresses cannot grow this map without bound.
        const first = buckets.keys().next().value;
        if (first !== undefined) buckets.delete(first);
      }
      b = { tokens: rate, at: now };
      buckets.set(source, b);
    } else {
      b.tokens = Math.min(rate, b.tokens + ((now - b.at) * rate) / 60_000);
      b.at = now;
      // Most recently seen last, so the eviction above takes the stalest.
      buckets.delete(source);
      buckets.set(source, b);
    }
    return b;
  }
  return {
    take(source) {
      const b = refill(source);
      if (b.tokens < 1) return false;
      b.tokens -= 1;
      return true;
    },
    isOver(source) {
      const b = buckets.get(source);
      return b != null && refill(source).tokens < 1;
    },
  };
}

/**
 * Whether a store error means the disk is full: SQLite's SQLITE_FULL, or the OS's ENOSPC / EDQUOT
 * (better-sqlite3 reports a failed write of the WAL as SQLITE_IOERR_WRITE with the errno in the text).
 */
export function isDiskFull(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  if (code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EDQUOT') return true;
  return code.startsWith('SQLITE_IOERR') && /no space|ENOSPC|disk (is )?full|quota/i.test(String(e?.message ?? ''));
}

/** Free bytes on the data dir's filesystem, checked at most every `everyMs`. */
export function createDiskGuard(opts: { dir: string; floorBytes: () => number; clock: Clock; everyMs?: number; free?: (dir: string) => number }): { low(): boolean } {
  const everyMs = opts.everyMs ?? 2000;
  const free = opts.free ?? ((dir: string) => { const s = statfsSync(dir); return Number(s.bavail) * Number(s.bsize); });
  let at = -Infinity;
  let low = false;
  return {
    low() {
      const now = opts.clock();
      if (now - at >= everyMs) {
        at = now;
        try { low = free(opts.dir) < opts.floorBytes(); } catch { low = false; }
      }
      return low;
    },
  };
}
