// The gate's limits at their edges (electron/core/ingest/gate.ts, docs/api.md "Trust boundary"): whose
// address a rejected request is charged to, how the per-source budget refills and forgets, and when the
// disk counts as nearly full. A slip lets one stranger fill the rejected log, or charges the user's own
// tunnel for a stranger's junk.
import { describe, expect, it } from 'vitest';
import { tmpdir } from 'node:os';
import { createDiskGuard, createRateLimiter, sourceAddress } from '../../electron/core/ingest/gate';

describe('whose request it is', () => {
  it('the socket address, IPv4-mapped prefix removed, when the header cannot be believed', () => {
    expect(sourceAddress(undefined, undefined, false)).toBe('unknown');
    expect(sourceAddress('::ffff:10.0.0.5', '203.0.113.7', false)).toBe('10.0.0.5');
    expect(sourceAddress('::ffff:10.0.0.5', '203.0.113.7', true)).toBe('10.0.0.5');
    expect(sourceAddress('10.127.0.1', '203.0.113.7', true)).toBe('10.127.0.1');
    expect(sourceAddress('::2', '203.0.113.7', true)).toBe('::2');
    expect(sourceAddress('127.0.0.1', undefined, true)).toBe('127.0.0.1');
    expect(sourceAddress('127.0.0.1', '', true)).toBe('127.0.0.1');
  });

  it('the last X-Forwarded-For entry the tunnel appended, over any loopback socket', () => {
    expect(sourceAddress('::1', '203.0.113.7', true)).toBe('203.0.113.7');
    expect(sourceAddress('127.0.0.2', '203.0.113.7', true)).toBe('203.0.113.7');
    expect(sourceAddress('::ffff:127.0.0.1', '198.51.100.1,203.0.113.7', true)).toBe('203.0.113.7');
    expect(sourceAddress('127.0.0.1', ' 203.0.113.7 , ', true)).toBe('203.0.113.7');
    expect(sourceAddress('127.0.0.1', '[2001:db8::7]', true)).toBe('2001:db8::7');
    expect(sourceAddress('127.0.0.1', ' , ', true)).toBe('127.0.0.1');
    expect(sourceAddress('127.0.0.1', '203.0.113.7, evil', true)).toBe('127.0.0.1');
  });
});

describe('the per-source budget of rejected requests', () => {
  it('a budget below one is still one request a minute', () => {
    const l = createRateLimiter({ perMinute: () => 0, clock: () => 0 });
    expect([l.take('a'), l.take('a')]).toEqual([true, false]);
  });

  it('asking whether a source is over spends nothing, and an unknown source is not over', () => {
    const l = createRateLimiter({ perMinute: () => 1, clock: () => 0 });
    expect(l.isOver('a')).toBe(false);
    expect(l.take('a')).toBe(true);
    expect(l.isOver('a')).toBe(true);
    expect(l.isOver('a')).toBe(true);
    const m = createRateLimiter({ perMinute: () => 2, clock: () => 0 });
    m.take('b');
    expect(m.isOver('b')).toBe(false);
    expect(m.take('b')).toBe(true);
  });

  it('refills in proportion to the time since the last request, never above one minute\'s worth', () => {
    let now = 0;
    const l = createRateLimiter({ perMinute: () => 3, clock: () => now });
    expect([l.take('a'), l.take('a'), l.take('a')]).toEqual([true, true, true]);
    now = 10_000; // half a request earned
    expect(l.take('a')).toBe(false);
    now = 20_000; // the other half
    expect(l.take('a')).toBe(true);
    expect(l.isOver('a')).toBe(true);
    now = 20_000 + 600_000; // ten minutes idle: still a burst of three
    expect([l.take('a'), l.take('a'), l.take('a'), l.take('a')]).toEqual([true, true, true, false]);
  });

  it('follows a changed setting', () => {
    let rate = 1;
    const l = createRateLimiter({ perMinute: () => rate, clock: () => 0 });
    expect([l.take('a'), l.take('a')]).toEqual([true, false]);
    rate = 3;
    expect([l.take('b'), l.take('b'), l.take('b'), l.take('b')]).toEqual([true, true, true, false]);
  });

  it('forgets the source seen least recently, not the one first seen', () => {
    const l = createRateLimiter({ perMinute: () => 1, clock: () => 0, maxSources: 2 });
    expect(l.take('a')).toBe(true);
    expect(l.take('b')).toBe(true);
    expect(l.take('a')).toBe(false); // a is now the most recent
    expect(l.take('c')).toBe(true); // b goes
    expect(l.take('a')).toBe(false);
    expect(l.take('b')).toBe(true);
  });

  it('remembers ten thousand sources by default', () => {
    const l = createRateLimiter({ perMinute: () => 1, clock: () => 0 });
    for (let i = 0; i <= 10_000; i++) l.take(`s${i}`);
    expect(l.take('s0')).toBe(true); // the 10,001st forgot the first
    expect(l.take('s2')).toBe(false);
  });
});

describe('the free-disk floor', () => {
  it('checks at once, then every two seconds by default; exactly the floor is not low', () => {
    let now = 0;
    let free = 5_000;
    const g = createDiskGuard({ dir: '/', floorBytes: () => 5_000, clock: () => now, free: () => free });
    expect(g.low()).toBe(false);
    free = 4_999;
    now = 1_999;
    expect(g.low()).toBe(false);
    now = 2_000;
    expect(g.low()).toBe(true);
    free = 6_000;
    now = 3_999;
    expect(g.low()).toBe(true);
    now = 4_000;
    expect(g.low()).toBe(false);
  });

  it('a filesystem that cannot be asked is not called full', () => {
    let fail = false;
    let now = 0;
    const g = createDiskGuard({ dir: '/', floorBytes: () => 10, clock: () => now, everyMs: 1, free: () => { if (fail) throw new Error('EIO'); return 0; } });
    expect(g.low()).toBe(true);
    fail = true;
    now = 5;
    expect(g.low()).toBe(false);
  });

  it('reads the real free space of the data dir\'s filesystem', () => {
    const dir = tmpdir();
    expect(createDiskGuard({ dir, floorBytes: () => Number.MAX_SAFE_INTEGER, clock: () => 0 }).low()).toBe(true);
    expect(createDiskGuard({ dir, floorBytes: () => 1, clock: () => 0 }).low()).toBe(false);
    expect(createDiskGuard({ dir: `${dir}/no/such/dir-${process.pid}`, floorBytes: () => Number.MAX_SAFE_INTEGER, clock: () => 0 }).low()).toBe(false);
  });
});
