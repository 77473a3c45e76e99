// The Messages view's state, driven by the fake bridge (test/helpers/fake-bridge.ts), whose pages are
// read at the moment they are asked for (as the real store does) and can be held back on their way: no
// status may fall between a page and the live stream, rows never double, and statuses arriving in any
// order land in one row, in order.
import { describe, expect, it } from 'vitest';
import type { EventStatus, HookEvent, MessageSummary } from '../../shared/types';
import { summariseMessage } from '../../shared/messages';
import { fakeBridge } from '../helpers/fake-bridge';
import { createAppStore } from '../../renderer/state/store';
import { mergeMessageRows, unionRow } from '../../renderer/state/slices/messages-rows';

const clock = 1_700_000_000_000;
let nextId = 0;

/** A status of an outgoing message; `at` is the provider's time in seconds after `clock`. */
function status(messageId: string, s: EventStatus, at: number, over: Partial<HookEvent> = {}): HookEvent {
  const id = ++nextId;
  return {
    id, requestId: id, receivedAt: clock + id * 1000, signature: 'valid', duplicate: false,
    provider: 'meta', kind: 'status', status: s, providerStatus: s, messageId, contactId: '5511999990000', contactName: null,
    businessId: '1', messageType: null, text: null, replyTo: null, errorCode: null, errorTitle: null, errorDetail: null,
    timestamp: clock + at * 1000, ...over,
  };
}

function incoming(messageId: string, text: string): HookEvent {
  return status(messageId, 'incoming', nextId + 1, { kind: 'message', messageType: 'text', text, providerStatus: null });
}

function gate() {
  let open!: () => void;
  const p = new Promise<void>((r) => { open = r; });
  return { p, open };
}

const settle = async () => { for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0)); };

async function setup(db: HookEvent[], opts: { pageSize?: number; windowSize?: number } = {}) {
  const core = fakeBridge({ db });
  const frames: (() => void)[] = [];
  const store = createAppStore(core.bridge, { schedule: (cb) => frames.push(cb), statsThrottleMs: 0, initialView: 'messages', ...opts });
  await store.getState().start();
  const flush = async () => { frames.splice(0).forEach((cb) => cb()); await settle(); };
  return { core, store, flush };
}

const keys = (rows: MessageSummary[]) => rows.map((r) => r.key);
const row = (rows: MessageSummary[], key: string) => rows.filter((r) => r.key === key);
const stepsOf = (rows: MessageSummary[], key: string) => row(rows, key)[0]?.steps.map((s) => s.status);

describe('Messages view: nothing falls between a page and the live stream', () => {
  it('folds a push that lands while a page is on its way, though the core read the page before it', async () => {
    const { core, store, flush } = await setup([status('wamid.A', 'sent', 1), status('wamid.A', 'delivered', 2)]);
    const g = gate();
    core.hold('messages:list', g.p);
    // The stream opens: the Messages view asks for page 1 again; the core reads it now.
    core.connection('open');
    await settle();
    core.append(status('wamid.A', 'read', 3));
    await flush();
    core.hold('messages:list', null);
    g.open();
    await settle();
    const rows = store.getState().messages;
    expect(row(rows, 'wamid.A')).toHaveLength(1);
    expect(stepsOf(rows, 'wamid.A')).toEqual(['sent', 'delivered', 'read']);
    expect(row(rows, 'wamid.A')[0].current).toBe('read');
  });

  it('after a (re)connection, shows what was stored while no stream listened, without a duplicate row', async () => {
    const { core, store, flush } = await setup([status('wamid.B', 'sent', 1), incoming('wamid.IN1', 'hi')]);
    expect(keys(store.getState().messages)).toEqual(['wamid.IN1', 'wamid.B']);
    core.connection('down');
    core.db.push(status('wamid.B', 'delivered', 2), incoming('wamid.IN2', 'still there?'));
    // One also pushed once the stream is back: met in the page and as a push.
    const read = status('wamid.B', 'read', 3);
    core.db.push(read);
    core.connection('open');
    await settle();
    core.push(read);
    await flush();
    const rows = store.getState().messages;
    expect(keys(rows)).toEqual(['wamid.B', 'wamid.IN2', 'wamid.IN1']);
    expect(stepsOf(rows, 'wamid.B')).toEqual(['sent', 'delivered', 'read']);
    expect(row(rows, 'wamid.B')[0].events).toHaveLength(3);
  });

  it('a resync merges page 1 into what is held: older pages already scrolled to stay', async () => {
    const db = Array.from({ length: 6 }, (_, i) => incoming(`wamid.OLD${i}`, `m${i}`));
    const older = db.map((e) => e.messageId!).reverse();
    const { core, store } = await setup(db, { pageSize: 3 });
    expect(store.getState().messages).toHaveLength(3);
    await store.getState().loadOlderMessages();
    expect(store.getState().messages).toHaveLength(6);
    core.db.push(incoming('wamid.NEW', 'new'));
    core.connection('open');
    await settle();
    expect(keys(store.getState().messages)).toEqual(['wamid.NEW', ...older]);
  });

  it('a resync that finds more missed than one page starts from that page (no hole in the middle)', async () => {
    const { core, store } = await setup([incoming('wamid.FIRST', 'a')], { pageSize: 2 });
    core.db.push(incoming('wamid.M1', 'b'), incoming('wamid.M2', 'c'), incoming('wamid.M3', 'd'));
    core.connection('open');
    await settle();
    expect(keys(store.getState().messages)).toEqual(['wamid.M3', 'wamid.M2']);
    await store.getState().loadOlderMessages();
    expect(keys(store.getState().messages)).toEqual(['wamid.M3', 'wamid.M2', 'wamid.M1', 'wamid.FIRST']);
  });

  it('more pushes during a page load than the window holds: the page is merged again afterwards', async () => {
    const { core, store, flush } = await setup([incoming('wamid.P0', 'first')], { windowSize: 3, pageSize: 3 });
    const g = gate();
    core.hold('messages:list', g.p);
    void store.getState().reloadMessages();
    await settle();
    core.append(...[1, 2, 3, 4].map((i) => incoming(`wamid.P${i}`, `m${i}`)));
    await flush();
    core.hold('messages:list', null);
    g.open();
    await settle();
    expect(keys(store.getState().messages)).toEqual(['wamid.P4', 'wamid.P3', 'wamid.P2']);
  });

  it('a push for an event the Events view already holds still reaches its Messages row', async () => {
    const { core, store, flush } = await setup([status('wamid.C', 'sent', 1)]);
    const g = gate();
    core.hold('messages:list', g.p);
    core.connection('open');
    await settle();
    // Stored before the Events resync read its page (so the events window already has it), pushed after.
    const delivered = status('wamid.C', 'delivered', 2);
    core.db.push(delivered);
    await store.getState().resync();
    expect(store.getState().events.some((e) => e.id === delivered.id)).toBe(true);
    core.hold('messages:list', null);
    g.open();
    await settle();
    core.push(delivered);
    await flush();
    expect(stepsOf(store.getState().messages, 'wamid.C')).toEqual(['sent', 'delivered']);
  });

  it('a row follows statuses in any order: read, then sent, then delivered', async () => {
    const { core, store, flush } = await setup([incoming('wamid.X', 'x')]);
    core.append(status('wamid.D', 'read', 30));
    await flush();
    expect(stepsOf(store.getState().messages, 'wamid.D')).toEqual(['read']);
    core.append(status('wamid.D', 'sent', 10));
    await flush();
    core.append(status('wamid.D', 'delivered', 20));
    await flush();
    const rows = store.getState().messages;
    expect(row(rows, 'wamid.D')).toHaveLength(1);
    expect(stepsOf(rows, 'wamid.D')).toEqual(['sent', 'delivered', 'read']);
    expect(row(rows, 'wamid.D')[0].current).toBe('read');
    expect(keys(rows)).toEqual(['wamid.D', 'wamid.X']);
  });

  it('a pushed status brings the whole stored life of its message, also states never pushed to this page', async () => {
    const { core, store, flush } = await setup([status('wamid.L', 'sent', 1)]);
    core.db.push(status('wamid.L', 'delivered', 2)); // stored while no stream listened
    core.append(status('wamid.L', 'read', 3));
    await flush();
    expect(stepsOf(store.getState().messages, 'wamid.L')).toEqual(['sent', 'delivered', 'read']);
  });

  it("a refetched row read before a newer push keeps that push", async () => {
    const { core, store, flush } = await setup([status('wamid.E', 'sent', 1)]);
    const g = gate();
    core.hold('messages:list', g.p);
    core.append(status('wamid.E', 'delivered', 2)); // its refetch is read now, then held
    await flush();
    core.hold('messages:list', null);
    core.append(status('wamid.E', 'read', 3));
    await flush();
    g.open();
    await settle();
    expect(stepsOf(store.getState().messages, 'wamid.E')).toEqual(['sent', 'delivered', 'read']);
  });
});

describe('a contact forgotten in another window (contacts:forgotten)', () => {
  it('drops their rows, queued pushes and open conversation at once; others stay', async () => {
    const gone = '5511900000001';
    const kept = '447900000002';
    const { core, store, flush } = await setup([
      incoming('wamid.G1', 'bye'), status('wamid.GOUT', 'read', 5), incoming('wamid.K1', 'stay'),
    ].map((e, i) => ({ ...e, contactId: i < 2 ? gone : kept })));
    await store.getState().resync(); // the Events window holds them too
    expect(store.getState().events).toHaveLength(3);
    store.getState().select(store.getState().events.find((e) => e.contactId === gone)!.id);
    await store.getState().loadThread(gone);
    // A push about them is queued (not yet applied) when the forget arrives.
    core.append({ ...incoming('wamid.G2', 'late'), contactId: gone });
    // The core erased them, then pushed the news.
    core.db.splice(0, core.db.length, ...core.db.filter((e) => e.contactId !== gone));
    core.emit('contacts:forgotten', [{ contactId: gone }]);
    const now = store.getState();
    expect(now.events.map((e) => e.contactId)).toEqual([kept]);
    expect(now.messages.map((m) => m.key)).toEqual(['wamid.K1']);
    expect(now.selectedId).toBeNull();
    expect(now.thread.key).toBeNull();
    await flush();
    expect(store.getState().events.map((e) => e.contactId)).toEqual([kept]);
    expect(store.getState().messages.map((m) => m.key)).toEqual(['wamid.K1']);
  });

  it('leaves a window showing someone else alone, and ignores a malformed push', async () => {
    const { core, store } = await setup([{ ...incoming('wamid.A', 'a'), contactId: '1111' }, { ...incoming('wamid.B', 'b'), contactId: '2222' }]);
    await store.getState().resync();
    const id = store.getState().events.find((e) => e.contactId === '2222')!.id;
    store.getState().select(id);
    core.emit('contacts:forgotten', null as unknown as { contactId: string }[]);
    core.emit('contacts:forgotten', [null as unknown as { contactId: string }]);
    core.emit('contacts:forgotten', [{ contactId: '1111' }]);
    expect(store.getState().selectedId).toBe(id);
    expect(store.getState().messages.map((m) => m.key)).toEqual(['wamid.B']);
  });
});

describe('merging Messages rows', () => {
  it('unions events by id: the same event twice is one step; the core row alone when it knows everything', () => {
    const sent = status('wamid.U', 'sent', 1);
    const delivered = status('wamid.U', 'delivered', 2);
    const read = status('wamid.U', 'read', 3);
    const held = summariseMessage([sent, read], null);
    const fresh = summariseMessage([sent, delivered], 200);
    const merged = unionRow(held, fresh);
    expect(merged.events.map((e) => e.id)).toEqual([sent.id, delivered.id, read.id]);
    expect(merged.steps.map((s) => s.status)).toEqual(['sent', 'delivered', 'read']);
    const complete = summariseMessage([sent, delivered, read], 200);
    expect(unionRow(held, complete)).toBe(complete);
    const rows = mergeMessageRows([held, summariseMessage([incoming('wamid.V', 'v')])], [fresh]);
    expect(rows.map((r) => r.key)).toEqual(['wamid.V', 'wamid.U']);
    expect(rows.filter((r) => r.key === 'wamid.U')[0].steps).toHaveLength(3);
  });
});
