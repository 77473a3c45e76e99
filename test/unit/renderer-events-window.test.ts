// The Events window's arithmetic (renderer/state/slices/events-window.ts): where a page or a batch of
// pushes lands in the bounded window, newest first — what the feed shows after a reload, a scroll to
// older events, or a reconnection.
import { describe, expect, it } from 'vitest';
import type { EventPage, HookEvent } from '../../shared/types';
import {
  dedupeById, keepNewest, keepOldest, mergeEvents, windowAfterResync, windowFromFirstPage, windowWithOlderPage,
} from '../../renderer/state/slices/events-window';

const ev = (id: number, over: Partial<HookEvent> = {}): HookEvent => ({
  id, requestId: id, receivedAt: id * 1000, signature: 'valid', duplicate: false, provider: 'meta', kind: 'message',
  status: 'incoming', providerStatus: null, messageId: `m${id}`, contactId: '1', contactName: null, businessId: null,
  messageType: 'text', text: `t${id}`, replyTo: null, errorCode: null, errorTitle: null, errorDetail: null, timestamp: null, ...over,
});
const evs = (...idList: number[]) => idList.map((i) => ev(i));
const ids = (list: HookEvent[]) => list.map((e) => e.id);
const page = (items: HookEvent[], total = items.length): EventPage => ({ items, total });

describe('merging and bounding', () => {
  it('merges by id, newest first, the incoming copy winning', () => {
    const merged = mergeEvents(evs(5, 3), [ev(4), ev(3, { text: 'fresher' })]);
    expect(ids(merged)).toEqual([5, 4, 3]);
    expect(merged[2].text).toBe('fresher');
    const current = evs(2, 1);
    expect(mergeEvents(current, [])).toBe(current);
  });

  it('keeps one event per id from a batch that repeats one', () => {
    expect(ids(dedupeById([ev(3), ev(2), ev(3)]))).toEqual([3, 2]);
  });

  it('trims the oldest or the newest and says so', () => {
    expect(keepNewest(evs(4, 3, 2), 2)).toEqual({ events: evs(4, 3), trimmed: true });
    expect(keepNewest(evs(4, 3), 2)).toEqual({ events: evs(4, 3), trimmed: false });
    expect(keepOldest(evs(4, 3, 2), 2)).toEqual({ events: evs(3, 2), trimmed: true });
    expect(keepOldest(evs(3, 2), 2)).toEqual({ events: evs(3, 2), trimmed: false });
  });
});

describe('page 1 of a reload', () => {
  const sizes = { size: 4, pageSize: 3 };

  it('keeps a push newer than the page that passes the filter, and counts it', () => {
    const w = windowFromFirstPage(page(evs(3, 2), 2), [ev(9), ev(8, { provider: 'twilio' }), ev(2)], { provider: ['meta'] }, sizes);
    expect(ids(w.events)).toEqual([9, 3, 2]);
    expect(w.total).toBe(3);
    expect(w.hasOlder).toBe(false);
  });

  it('knows there is more below a full page, or when the core counts more than it holds', () => {
    expect(windowFromFirstPage(page(evs(3, 2, 1), 3), [], {}, sizes).hasOlder).toBe(true);
    expect(windowFromFirstPage(page(evs(3, 2), 7), [], {}, sizes).hasOlder).toBe(true);
  });

  it('never holds more than the window', () => {
    const w = windowFromFirstPage(page(evs(5, 4, 3), 10), evs(8, 7, 6), {}, sizes);
    expect(ids(w.events)).toEqual([8, 7, 6, 5]);
    expect(w.total).toBe(13);
  });
});

describe('an older page', () => {
  const sizes = { size: 4, pageSize: 2 };

  it('lands below the window; a short page ends the scroll', () => {
    expect(windowWithOlderPage(evs(6, 5), false, page(evs(4, 3)), sizes)).toEqual({ events: evs(6, 5, 4, 3), hasOlder: true, detached: false });
    expect(windowWithOlderPage(evs(6, 5), false, page(evs(4)), sizes).hasOlder).toBe(false);
  });

  it('pushes the newest out of a full window, which then no longer shows the head', () => {
    const w = windowWithOlderPage(evs(6, 5, 4, 3), false, page(evs(2, 1)), sizes);
    expect(ids(w.events)).toEqual([4, 3, 2, 1]);
    expect(w.detached).toBe(true);
    expect(windowWithOlderPage(evs(6), true, page(evs(5)), sizes).detached).toBe(true);
  });
});

describe('page 1 again after a reconnection', () => {
  const sizes = { size: 4, pageSize: 2 };

  it('merges what was missed, keeping the larger total', () => {
    const r = windowAfterResync({ events: evs(3, 2), total: 9, hasOlder: false }, page(evs(4, 3), 4), sizes);
    expect(r).toEqual({ restart: false, events: evs(4, 3, 2), total: 9, hasOlder: false });
  });

  it('trims the oldest of a full window and says there is more below', () => {
    const r = windowAfterResync({ events: evs(4, 3, 2, 1), total: 4, hasOlder: false }, page(evs(5, 4), 5), sizes);
    expect(r).toEqual({ restart: false, events: evs(5, 4, 3, 2), total: 5, hasOlder: true });
  });

  it('starts over from the page when more than a page was missed (a merge would leave a hole)', () => {
    const r = windowAfterResync({ events: evs(3, 2), total: 2, hasOlder: false }, page(evs(9, 8), 9), sizes);
    expect(r).toEqual({ restart: true, events: evs(9, 8), total: 9, hasOlder: true });
    // A short page reaches back to what is held: no hole, so it merges.
    expect(windowAfterResync({ events: evs(3, 2), total: 2, hasOlder: false }, page(evs(9), 3), sizes).restart).toBe(false);
  });
});
