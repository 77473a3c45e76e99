// Pure pieces behind the Messages view (shared/messages.ts) and the hostile-proof JSON tree
// (renderer/ui/json-lines.ts): one row per message folded from events in any order; a tree walked
// without recursion, however deep.
import { describe, expect, it } from 'vitest';
import type { HookEvent } from '../../shared/types';
import { mergeIntoMessages, summariseMessage } from '../../shared/messages';
import { allContainers, copyableJson, flatten, initialOpen, pathOf, stringifyJson, type NodeLine } from '../../renderer/ui/json-lines';

let nextId = 1;
function ev(p: Partial<HookEvent>): HookEvent {
  const id = p.id ?? nextId++;
  return {
    id, requestId: id, provider: 'meta', kind: 'status', status: null, providerStatus: null, messageId: null, contactId: '5511999990000',
    contactName: null, businessId: '1', messageType: null, text: null, replyTo: null, errorCode: null, errorTitle: null, errorDetail: null,
    timestamp: null, receivedAt: 1_700_000_000_000 + id, signature: 'valid', duplicate: false, ...p,
  };
}

describe('summariseMessage / mergeIntoMessages', () => {
  it('orders the life by provider time, whatever the arrival order; failed shows the code', () => {
    const read = ev({ messageId: 'w1', status: 'read', timestamp: 3000 });
    const sent = ev({ messageId: 'w1', status: 'sent', timestamp: 1000 });
    const delivered = ev({ messageId: 'w1', status: 'delivered', timestamp: 2000 });
    const m = summariseMessage([read, sent, delivered], 200);
    expect(m.steps.map((s) => s.status)).toEqual(['sent', 'delivered', 'read']);
    expect(m.current).toBe('read');
    expect(m.direction).toBe('outgoing');
    expect(m.lastEventId).toBe(delivered.id);
    const f = summariseMessage([
      ev({ messageId: 'w2', status: 'sent', timestamp: 1 }),
      ev({ messageId: 'w2', status: 'failed', timestamp: 2, errorCode: '131047', errorTitle: 'Re-engagement message' }),
    ]);
    expect([f.current, f.errorCode, f.errorTitle]).toEqual(['failed', '131047', 'Re-engagement message']);
  });

  it('a duplicate status is not a second step; the worst signature wins', () => {
    const m = summariseMessage([
      ev({ messageId: 'w3', status: 'sent', timestamp: 1 }),
      ev({ messageId: 'w3', status: 'sent', timestamp: 1, duplicate: true, signature: 'invalid' }),
    ]);
    expect(m.steps).toHaveLength(1);
    expect(m.signature).toBe('invalid');
  });

  it('folds live events into existing rows (moving them to the top) and creates rows for new messages', () => {
    const a = summariseMessage([ev({ messageId: 'A', status: 'sent', timestamp: 1 })]);
    const b = summariseMessage([ev({ messageId: 'B', kind: 'message', status: 'incoming', text: 'hi' })]);
    const rows = [b, a].sort((x, y) => y.lastEventId - x.lastEventId);
    const { rows: out, created } = mergeIntoMessages(rows, [ev({ messageId: 'A', status: 'delivered', timestamp: 2 }), ev({ messageId: 'C', status: 'sent', timestamp: 3 })]);
    expect(out.map((r) => r.key)).toEqual(['C', 'A', 'B']);
    expect(out[1].steps.map((s) => s.status)).toEqual(['sent', 'delivered']);
    expect(created).toEqual(['C']);
    // Events without a message id are rows of their own.
    const lone = ev({ kind: 'account' });
    expect(mergeIntoMessages([], [lone]).rows[0].key).toBe(`event:${lone.id}`);
  });
});

describe('json-lines', () => {
  const deep = (n: number) => JSON.parse('['.repeat(n) + ']'.repeat(n)) as unknown;

  it('walks 20,000 nested arrays without recursion: open all, flatten, path, stringify', () => {
    const v = deep(20_000);
    expect(() => JSON.stringify(v)).toThrow(RangeError); // what a recursive walk does
    // Expand all is bounded by its cap.
    expect(allContainers(v, 5_000).size).toBe(5_000);
    const open = allContainers(v);
    expect(open.size).toBe(20_000);
    const { lines, truncated } = flatten(v, { open, shown: new Map(), chunk: 100, maxLines: 200_000 });
    expect(truncated).toBe(false);
    expect(lines).toHaveLength(20_000);
    const last = lines[lines.length - 1] as NodeLine;
    expect(last.depth).toBe(19_999);
    expect(pathOf(last, '$') === `$${'[0]'.repeat(19_999)}`).toBe(true);
    const text = stringifyJson(v);
    expect(text === '['.repeat(20_000) + ']'.repeat(20_000)).toBe(true);
    expect(stringifyJson(v, 0, 60)).toBe(`${'['.repeat(60)}…`);
  });

  it('stringifies like JSON.stringify on ordinary documents, indented or not', () => {
    const doc = { a: [1, 'two', { b: null, c: true }], 'd e': {}, f: [], g: 'q"uote' };
    expect(stringifyJson(doc)).toBe(JSON.stringify(doc));
    expect(stringifyJson(doc, 2)).toBe(JSON.stringify(doc, null, 2));
    expect(copyableJson('plain')).toBe('plain');
  });

  it('shows a huge array a chunk at a time, and stops at maxLines', () => {
    const big = Array.from({ length: 1_000_000 }, (_, i) => i);
    const { lines } = flatten(big, { open: new Set([big]), shown: new Map(), chunk: 100, maxLines: 10_000 });
    expect(lines).toHaveLength(102); // the array, 100 items, "show more"
    expect(lines[101]).toMatchObject({ type: 'more', remaining: 999_900 });
    const more = flatten(big, { open: new Set([big]), shown: new Map([[big, 600]]), chunk: 100, maxLines: 10_000 });
    expect(more.lines).toHaveLength(602);
    const capped = flatten(big, { open: new Set([big]), shown: new Map([[big, 1_000_000]]), chunk: 100, maxLines: 500 });
    expect(capped.truncated).toBe(true);
    expect(capped.lines).toHaveLength(500);
  });

  it('opens small documents fully and big ones a few levels deep', () => {
    const small = { entry: [{ changes: [{ value: { statuses: [{ id: 'x' }] } }] }] };
    expect(initialOpen(small, { depth: 3, openAllLimit: 200, chunk: 100 }).size).toBe(allContainers(small).size);
    const v = deep(6000);
    const open = initialOpen(v, { depth: 3, openAllLimit: 200, chunk: 100 });
    expect(open.size).toBe(4);
  });
});
