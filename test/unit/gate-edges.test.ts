// The gate's edges a mutation run found unpinned (electron/core/ingest/gate.ts, docs/mutation.md): whose
// address a rejected request is charged to when the addresses are odd, and that asking about a caller
// costs nothing. A slip charges the wrong caller, or lets a stranger wipe another caller's spent budget.
import { describe, expect, it } from 'vitest';
import { createRateLimiter, sourceAddress } from '../../electron/core/ingest/gate';

describe('whose request it is, with odd addresses', () => {
  it('only a leading ::ffff: (IPv4-mapped) is removed, never one inside an address', () => {
    expect(sourceAddress('64:ff9b::ffff:203.0.113.7', undefined, false)).toBe('64:ff9b::ffff:203.0.113.7');
    expect(sourceAddress('::ffff:203.0.113.7', undefined, false)).toBe('203.0.113.7');
  });

  it('a forwarded entry with a bracket inside it is not an address: the socket is charged', () => {
    expect(sourceAddress('127.0.0.1', '20[01:db8::7', true)).toBe('127.0.0.1');
    expect(sourceAddress('127.0.0.1', '2001:db8]::7', true)).toBe('127.0.0.1');
    expect(sourceAddress('127.0.0.1', '[2001:db8::7]', true)).toBe('2001:db8::7');
  });
});

describe('asking about a caller spends nothing', () => {
  it('asking whether a stranger is over does not make the limiter forget a caller who spent its budget', () => {
    const l = createRateLimiter({ perMinute: () => 1, clock: () => 0, maxSources: 1 });
    expect(l.take('a')).toBe(true);
    expect(l.isOver('stranger')).toBe(false);
    expect(l.isOver('a')).toBe(true);
    expect(l.take('a')).toBe(false);
  });
});
