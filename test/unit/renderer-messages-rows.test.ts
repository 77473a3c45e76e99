// The Messages rows' arithmetic (renderer/state/slices/messages-rows.ts): the rows stay bounded with a
// cursor that brings the rest back, an older page never repeats a message, a page 1 fetched again
// after a reconnection merges or starts over, a fresher answer from the core keeps a newer push, and
// a row opens its failure. (unionRow and mergeMessageRows: renderer-messages-store.test.ts.)
import { describe, expect, it } from 'vitest';
import type { EventStatus, HookEvent, MessageSummary } from '../../shared/types';
import { summariseMessage } from '../../shared/messages';
import { boundRows, eventToOpen, refreshRows, rowsAfterResync, rowsWithOlderPage } from '../../renderer/state/slices/messages-rows';

let nextId = 0;
const ev = (messageId: string, status: EventStatus, over: Partial<HookEvent> = {}): HookEvent => {
  const id = ++nextId;
  return {
    id, requestId: id, receivedAt: id * 1000, signature: 'valid', duplicate: false, provider: 'meta', kind: status === 'incoming' ? 'message' : 'status',
    status, providerStatus: null, messageId, contactId: '1', contactName: null, businessId: null,
    messageType: null, text: null, replyTo: null, errorCode: null, errorTitle: null, errorDetail: null, timestamp: id * 1000, ...over,
  };
};
/** One row per message, each of one incoming event, newest activity first. */
const rowsOf = (...keys: string[]) => keys.map((k) => summariseMessage([ev(k, 'incoming')])).sort((a, b) => b.lastEventId - a.lastEventId);
const keys = (rows: MessageSummary[]) => rows.map((r) => r.key);

describe('Messages rows', () => {
  it('stay bounded: the cursor moves up to the last row kept, or stays the page’s', () => {
    const rows = rowsOf('a', 'b', 'c');
    const bounded = boundRows(rows, null, 2);
    expect(keys(bounded.messages)).toEqual(keys(rows).slice(0, 2));
    expect(bounded.messagesNext).toBe(rows[1].lastEventId);
    expect(boundRows(rows, 17, 3)).toEqual({ messages: rows, messagesNext: 17 });
  });

  it('take an older page without repeating a message already shown', () => {
    const [c, b, a] = rowsOf('a', 'b', 'c');
    const merged = rowsWithOlderPage([c, b], { items: [b, a], next: null });
    expect(keys(merged)).toEqual([c.key, b.key, a.key]);
  });

  it('merge page 1 fetched again when it reaches back to what is held', () => {
    const held = rowsOf('a', 'b');
    const newer = rowsOf('n');
    const r = rowsAfterResync(held, 5, { items: [...newer, held[0]], next: 3 }, 2, 10);
    expect(r.restart).toBe(false);
    expect(keys(r.messages)).toEqual([...keys(newer), ...keys(held)]);
    expect(r.messagesNext).toBe(5); // the held rows' cursor still continues below them
  });

  it('start over from page 1 when more than a page was missed (a merge would leave a hole)', () => {
    const held = rowsOf('old');
    const page = rowsOf('p1', 'p2');
    const r = rowsAfterResync(held, 5, { items: page, next: 42 }, 2, 10);
    expect(r.restart).toBe(true);
    expect(keys(r.messages)).toEqual(keys(page));
    expect(r.messagesNext).toBe(42); // the page's cursor: below it come the rows never loaded
  });

  it('take the core’s fresher copy of a row, keeping a push newer than its answer', () => {
    const sent = ev('wamid.R', 'sent');
    const delivered = ev('wamid.R', 'delivered');
    const read = ev('wamid.R', 'read');
    const other = summariseMessage([ev('wamid.O', 'incoming')]);
    const held = [summariseMessage([sent, read]), other];
    const rows = refreshRows(held, [summariseMessage([sent, delivered], 200)]);
    expect(rows[0].steps.map((s) => s.status)).toEqual(['sent', 'delivered', 'read']);
    expect(rows[1]).toBe(other);
  });

  it('open a failed message on its failure, any other on its newest event', () => {
    const sent = ev('wamid.F', 'sent');
    const failed = ev('wamid.F', 'failed', { errorCode: '131047' });
    const later = ev('wamid.F', 'sent'); // a late duplicate status, newer than the failure
    expect(eventToOpen(summariseMessage([sent, failed, later]))).toBe(failed.id);
    const queued = ev('wamid.D', 'sent');
    const delivered = ev('wamid.D', 'delivered');
    expect(eventToOpen(summariseMessage([queued, delivered]))).toBe(delivered.id);
  });
});
