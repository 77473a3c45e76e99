// The renderer's store, driven by a fake bridge: pushes batched per frame, a bounded window, live
// pushes filtered like the core filters, keyboard-style selection, resync after a reconnection.
import { describe, expect, it, vi } from 'vitest';
import type { EventFilter, HookEvent } from '../../shared/types';
import { fakeBridge } from '../helpers/fake-bridge';
import { createAppStore } from '../../renderer/state/store';
import { contactMatches, matchesFilter, textMatches } from '../../renderer/state/filter-match';
import { filterFromSearch, filterToSearch } from '../../renderer/state/url-filter';

// ---- helpers ----

const clock = 1_700_000_000_000;

function ev(id: number, over: Partial<HookEvent> = {}): HookEvent {
  return {
    id, requestId: id, receivedAt: clock + id * 1000, signature: 'valid', duplicate: false,
    provider: 'meta', kind: 'message', status: 'incoming', providerStatus: null,
    messageId: `wamid.${id}`, contactId: '5511999990000', contactName: 'Ana', businessId: '123',
    messageType: 'text', text: `hello ${id}`, replyTo: null, errorCode: null, errorTitle: null, errorDetail: null,
    timestamp: clock + id * 1000,
    ...over,
  };
}

function manualFrames() {
  const queue: (() => void)[] = [];
  return {
    schedule: (cb: () => void) => { queue.push(cb); },
    pending: () => queue.length,
    run() {
      const q = queue.splice(0);
      q.forEach((cb) => cb());
    },
  };
}

const flushPromises = () => new Promise((r) => setTimeout(r, 0));

async function setup(opts: { db?: HookEvent[]; windowSize?: number; pageSize?: number; filter?: EventFilter } = {}) {
  const fake = fakeBridge({ db: opts.db ?? [] });
  const frames = manualFrames();
  const store = createAppStore(fake.bridge, {
    schedule: frames.schedule, windowSize: opts.windowSize, pageSize: opts.pageSize, statsThrottleMs: 0, initialFilter: opts.filter,
  });
  await store.getState().start();
  return { fake, frames, store };
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const ids = (events: HookEvent[]) => events.map((e) => e.id);

// ---- tests ----

describe('renderer store: start', () => {
  it('loads app info, settings, tunnel, stats and page 1, then tells the core it is ready', async () => {
    const { fake, store } = await setup({ db: range(1, 5).map((i) => ev(i)) });
    const s = store.getState();
    expect(s.appInfo?.receiver.url).toBe('http://127.0.0.1:4750');
    expect(s.settings?.secrets.metaAppSecret.set).toBe(true);
    expect(s.tunnel?.state).toBe('off');
    expect(s.stats?.byStatus.incoming).toBe(5);
    expect(ids(s.events)).toEqual([5, 4, 3, 2, 1]);
    expect(s.total).toBe(5);
    expect(fake.readyCalls).toBe(1);
  });
});

describe('renderer store: pushes are applied once per frame', () => {
  it('queues many pushes and changes state once, on the frame', async () => {
    const { fake, frames, store } = await setup();
    const changes = vi.fn();
    const unsub = store.subscribe((s, prev) => { if (s.events !== prev.events) changes(); });
    for (const i of range(1, 50)) fake.append(ev(i));
    expect(store.getState().events).toHaveLength(0); // nothing before the frame
    expect(frames.pending()).toBe(1); // one frame requested for 50 pushes
    frames.run();
    expect(changes).toHaveBeenCalledTimes(1);
    expect(ids(store.getState().events)).toEqual(range(1, 50).reverse());
    expect(store.getState().total).toBe(50);
    // The next batch asks for a new frame.
    fake.append(ev(51), ev(52));
    expect(frames.pending()).toBe(1);
    frames.run();
    expect(changes).toHaveBeenCalledTimes(2);
    expect(store.getState().events[0].id).toBe(52);
    unsub();
  });

  it('dedupes by id (a push for an event already on screen is not added twice)', async () => {
    const { fake, frames, store } = await setup({ db: [ev(1), ev(2)] });
    fake.emit('events:appended', [ev(2), ev(3), ev(3)]);
    frames.run();
    expect(ids(store.getState().events)).toEqual([3, 2, 1]);
    expect(store.getState().total).toBe(3);
  });

  it('ignores malformed pushes', async () => {
    const { fake, frames, store } = await setup();
    fake.emit('events:appended', null as unknown as HookEvent[]);
    fake.emit('events:appended', []);
    expect(frames.pending()).toBe(0);
    expect(store.getState().events).toEqual([]);
  });
});

describe('renderer store: bounded window', () => {
  it('never holds more than windowSize events; the oldest go and can be paged back in', async () => {
    const { fake, frames, store } = await setup({ db: range(1, 30).map((i) => ev(i)), windowSize: 40, pageSize: 10 });
    expect(ids(store.getState().events)).toEqual(range(21, 30).reverse());
    expect(store.getState().hasOlder).toBe(true);

    fake.append(...range(31, 60).map((i) => ev(i)));
    frames.run();
    let s = store.getState();
    expect(s.events).toHaveLength(40);
    expect(s.events[0].id).toBe(60);
    expect(s.events[39].id).toBe(21);
    expect(s.total).toBe(60);

    // Paging older: cursor is the smallest id held, and the window trims from the top (detached).
    await store.getState().loadOlder();
    const last = fake.callsTo('events:list').at(-1)!;
    expect(last.before).toBe(21);
    expect(last.limit).toBe(10);
    s = store.getState();
    expect(s.events).toHaveLength(40);
    expect(s.events[s.events.length - 1].id).toBe(11);
    expect(s.events[0].id).toBe(50);
    expect(s.detached).toBe(true);

    // While detached, new pushes are counted, not inserted; jumping to latest reloads page 1.
    fake.append(ev(61));
    frames.run();
    expect(store.getState().events[0].id).toBe(50);
    expect(store.getState().unseenCount).toBe(1);
    await store.getState().jumpToLatest();
    s = store.getState();
    expect(s.detached).toBe(false);
    expect(s.unseenCount).toBe(0);
    expect(s.events[0].id).toBe(61);
  });

  it('stops paging when the core has nothing older', async () => {
    const { store, fake } = await setup({ db: range(1, 15).map((i) => ev(i)), pageSize: 10 });
    await store.getState().loadOlder();
    expect(ids(store.getState().events)).toEqual(range(1, 15).reverse());
    expect(store.getState().hasOlder).toBe(false);
    const n = fake.callsTo('events:list').length;
    await store.getState().loadOlder();
    expect(fake.callsTo('events:list').length).toBe(n);
  });
});

describe('renderer store: filters and live pushes', () => {
  it('applies only pushes that match the current filter, and refetches page 1 when the filter changes', async () => {
    const { fake, frames, store } = await setup({ filter: { status: ['failed'] } });
    expect(fake.callsTo('events:list').at(-1)).toMatchObject({ status: ['failed'] });
    fake.append(
      ev(1, { kind: 'status', status: 'sent', text: null }),
      ev(2, { kind: 'status', status: 'failed', errorCode: '131047', errorTitle: 'Re-engagement message', text: null }),
      ev(3),
    );
    frames.run();
    expect(ids(store.getState().events)).toEqual([2]);
    expect(store.getState().total).toBe(1);

    store.getState().setFilter({ status: ['incoming', 'sent'] });
    await flushPromises();
    expect(fake.callsTo('events:list').at(-1)).toMatchObject({ status: ['incoming', 'sent'] });
    expect(ids(store.getState().events)).toEqual([3, 1]);

    store.getState().clearFilters();
    await flushPromises();
    expect(ids(store.getState().events)).toEqual([3, 2, 1]);
  });

  it('keeps lists in canonical order, so the same view is the same filter', async () => {
    const { fake, store } = await setup();
    store.getState().setFilter({ status: ['failed', 'read', 'failed'] });
    expect(store.getState().filter).toEqual({ status: ['read', 'failed'] });
    const n = fake.callsTo('events:list').length;
    store.getState().setFilter({ status: ['read', 'failed'], q: '' });
    expect(fake.callsTo('events:list').length).toBe(n); // no change, no refetch
  });

  it('keeps pushes that landed while a filter change was loading', async () => {
    const { fake, frames, store } = await setup({ db: [ev(1)] });
    let release!: () => void;
    fake.hold('events:list', new Promise<void>((r) => { release = r; }));
    store.getState().setFilter({ provider: ['meta'] });
    fake.append(ev(2));
    frames.run();
    fake.hold('events:list', null);
    release();
    await flushPromises();
    expect(ids(store.getState().events)).toEqual([2, 1]);
  });

  it('drops an outdated page when filters change quickly', async () => {
    const { fake, store } = await setup({ db: [ev(1, { provider: 'twilio' }), ev(2)] });
    let release!: () => void;
    fake.hold('events:list', new Promise<void>((r) => { release = r; }));
    store.getState().setFilter({ provider: ['twilio'] });
    store.getState().setFilter({ provider: ['meta'] });
    release();
    await flushPromises();
    expect(ids(store.getState().events)).toEqual([2]);
    expect(store.getState().filter).toEqual({ provider: ['meta'] });
  });

  it('refreshes status counts when pushes arrive (throttled)', async () => {
    const { fake, frames, store } = await setup();
    const statsCalls = () => fake.callsTo('stats:get').length;
    const before = statsCalls();
    for (const i of range(1, 10)) fake.append(ev(i));
    frames.run();
    await new Promise((r) => setTimeout(r, 5));
    expect(statsCalls()).toBe(before + 1);
    expect(store.getState().stats?.byStatus.incoming).toBe(10);
  });
});

describe('renderer store: the first snapshot', () => {
  it('counts a webhook pushed while the first counts were on their way (the chips show it at once)', async () => {
    const fake = fakeBridge();
    const frames = manualFrames();
    // No throttled refresh to rescue it: the chip must come from the push itself.
    const store = createAppStore(fake.bridge, { schedule: frames.schedule, statsThrottleMs: 60_000 });
    let release!: () => void;
    fake.hold('stats:get', new Promise<void>((r) => { release = r; }));
    const started = store.getState().start(); // asks for the counts of an empty store
    fake.append(ev(1));
    frames.run();
    release();
    await started;
    expect(store.getState().statusCounts?.incoming).toBe(1);
    // And the next snapshot, which includes it, does not count it twice.
    fake.hold('stats:get', null);
    await store.getState().refreshStats();
    expect(store.getState().statusCounts?.incoming).toBe(1);
    store.getState().stop();
  });
});

describe('renderer store: paused', () => {
  it('holds pushes while paused and applies them on resume', async () => {
    const { fake, frames, store } = await setup({ db: [ev(1)] });
    store.getState().setLive(false);
    fake.append(ev(2), ev(3));
    frames.run();
    expect(ids(store.getState().events)).toEqual([1]);
    expect(store.getState().unseenCount).toBe(2);
    store.getState().setLive(true);
    expect(ids(store.getState().events)).toEqual([3, 2, 1]);
    expect(store.getState().unseenCount).toBe(0);
  });
});

describe('renderer store: reconnection', () => {
  it('refetches page 1 on every (re)connection and merges it without duplicates', async () => {
    const { fake, frames, store } = await setup({ db: [ev(1), ev(2)] });
    fake.connection('open');
    await flushPromises();
    expect(store.getState().connection).toBe('open');
    fake.connection('down');
    // Missed while the stream was down: stored, never pushed.
    fake.db.push(ev(3), ev(4));
    fake.append(ev(5)); // and one pushed twice (in the page and as a push)
    frames.run();
    fake.connection('open');
    await flushPromises();
    expect(ids(store.getState().events)).toEqual([5, 4, 3, 2, 1]);
    expect(store.getState().total).toBe(5);
  });

  it('counts what was missed while the stream was down: the chips agree with the list after a (re)connection', async () => {
    const fake = fakeBridge({ db: [ev(1)] });
    const frames = manualFrames();
    // No push and no throttled refresh to rescue it: the reconnection itself must bring the counts.
    const store = createAppStore(fake.bridge, { schedule: frames.schedule, statsThrottleMs: 60_000 });
    await store.getState().start();
    expect(store.getState().statusCounts?.incoming).toBe(1);
    for (const round of [1, 2]) {
      fake.connection('down');
      fake.db.push(ev(1 + round * 2, { status: 'failed' }), ev(2 + round * 2)); // stored, never pushed
      fake.connection('open');
      await flushPromises();
      expect(store.getState().total).toBe(1 + round * 2);
      expect(store.getState().statusCounts).toMatchObject({ incoming: 1 + round, failed: round });
    }
    store.getState().stop();
  });
});

describe('renderer store: selection', () => {
  it('j/k navigation walks the list, loads the detail, and clamps at the ends', async () => {
    const { store } = await setup({ db: range(1, 3).map((i) => ev(i)) });
    const st = () => store.getState();
    st().moveSelection(1);
    expect(st().selectedId).toBe(3);
    await flushPromises();
    expect(st().detail.data?.id).toBe(3);
    st().moveSelection(1);
    st().moveSelection(1);
    expect(st().selectedId).toBe(1);
    st().moveSelection(1);
    expect(st().selectedId).toBe(1);
    st().moveSelection(-1);
    expect(st().selectedId).toBe(2);
    st().moveSelection(-5);
    expect(st().selectedId).toBe(3);
    st().clearSelection();
    expect(st().selectedId).toBeNull();
    expect(st().detail.data).toBeNull();
  });

  it('keeps the selection on the same event when new rows arrive above it', async () => {
    const { fake, frames, store } = await setup({ db: range(1, 3).map((i) => ev(i)) });
    store.getState().select(2);
    fake.append(ev(4));
    frames.run();
    store.getState().moveSelection(1);
    expect(store.getState().selectedId).toBe(1);
  });

  it('fetches the next older page when the selection nears the bottom of the window', async () => {
    const { fake, store } = await setup({ db: range(1, 30).map((i) => ev(i)), pageSize: 10 });
    store.getState().select(25);
    store.getState().moveSelection(1);
    await flushPromises();
    expect(fake.callsTo('events:list').at(-1)).toMatchObject({ before: 21 });
    expect(store.getState().events).toHaveLength(20);
  });

  it('ignores a late detail for an event no longer selected', async () => {
    const { store } = await setup({ db: range(1, 3).map((i) => ev(i)) });
    store.getState().select(1);
    store.getState().select(2);
    await flushPromises();
    expect(store.getState().detail.data?.id).toBe(2);
  });

  it('reports a detail that cannot be loaded', async () => {
    const { store } = await setup({ db: [ev(1)] });
    store.getState().select(99);
    await flushPromises();
    expect(store.getState().detail.error).toMatch(/not found/i);
  });
});

describe('renderer store: lifecycle and thread follow pushes', () => {
  it('reloads an open lifecycle and thread when events for them arrive', async () => {
    const { fake, frames, store } = await setup({ db: [ev(1, { kind: 'status', status: 'sent', messageId: 'out', text: null })] });
    await store.getState().loadLifecycle('out');
    await store.getState().loadThread('5511999990000');
    expect(store.getState().lifecycle.data?.current).toBe('sent');
    fake.append(ev(2, { kind: 'status', status: 'read', messageId: 'out', text: null }));
    frames.run();
    await flushPromises();
    expect(store.getState().lifecycle.data?.current).toBe('read');
    expect(store.getState().thread.data?.items).toHaveLength(2);
    // Unrelated events do not refetch.
    const n = fake.calls.filter((c) => c.channel === 'messages:get').length;
    fake.append(ev(3, { messageId: 'other', contactId: '1' }));
    frames.run();
    expect(fake.calls.filter((c) => c.channel === 'messages:get').length).toBe(n);
  });
});

describe('renderer store: other pushes', () => {
  it('tunnel, settings and notifications pushes land in their slices', async () => {
    const { fake, store } = await setup();
    fake.emit('tunnel:changed', { state: 'online', url: 'https://abc.ngrok-free.app', since: 1 });
    expect(store.getState().tunnel?.url).toBe('https://abc.ngrok-free.app');
    fake.emit('notifications:fired', [{ id: 1, ruleId: 1, eventId: 5, title: 'Ana replied', body: 'hi', firedAt: 1 }]);
    fake.emit('notifications:fired', [{ id: 1, ruleId: 1, eventId: 5, title: 'Ana replied', body: 'hi', firedAt: 1 }]);
    expect(store.getState().notifications).toHaveLength(1);
    const settings = { ...store.getState().settings!, publicUrl: 'https://x.example' };
    fake.emit('settings:changed', settings);
    expect(store.getState().settings?.publicUrl).toBe('https://x.example');
  });
});

describe('filter matcher (mirrors the core query)', () => {
  const e = ev(7, { text: 'Quero marcar uma consulta amanhã', contactName: 'José Silva', contactId: '5511987654321', messageId: 'wamid.HBgLNTUx' });
  it('status, kind, provider, signature, time', () => {
    expect(matchesFilter(e, {})).toBe(true);
    expect(matchesFilter(e, { status: ['incoming'] })).toBe(true);
    expect(matchesFilter(e, { status: ['failed', 'read'] })).toBe(false);
    expect(matchesFilter(ev(1, { status: null, kind: 'template' }), { status: ['incoming'] })).toBe(false);
    expect(matchesFilter(e, { kind: ['status'] })).toBe(false);
    expect(matchesFilter(e, { provider: ['twilio'] })).toBe(false);
    expect(matchesFilter(e, { signature: ['invalid', 'missing'] })).toBe(false);
    expect(matchesFilter(e, { since: e.receivedAt })).toBe(true);
    expect(matchesFilter(e, { until: e.receivedAt })).toBe(false); // until is exclusive
    expect(matchesFilter(e, { messageId: 'wamid.HBgLNTUx' })).toBe(true);
  });
  it('contact: exact digits or * glob', () => {
    expect(contactMatches('5511987654321', '5511987654321')).toBe(true);
    expect(contactMatches('5511987654321', '+55 11 98765-4321')).toBe(true);
    expect(contactMatches('5511987654321', '5511')).toBe(false);
    expect(contactMatches('5511987654321', '5511*')).toBe(true);
    expect(contactMatches('5511987654321', '*4321')).toBe(true);
    expect(contactMatches('5511987654321', '5521*')).toBe(false);
    expect(contactMatches(null, '5511*')).toBe(false);
  });
  it('q: every word as a token prefix, accents and case folded, across text/name/number/id', () => {
    expect(textMatches(e, 'consul')).toBe(true);
    expect(textMatches(e, 'CONSULTA amanha')).toBe(true);
    expect(textMatches(e, 'jose')).toBe(true);
    expect(textMatches(e, 'onsulta')).toBe(false); // not a prefix, as in FTS5
    expect(textMatches(e, 'consulta zebra')).toBe(false);
    expect(textMatches(e, '+551198')).toBe(true);
    expect(textMatches(e, 'wamid.HBg')).toBe(true);
    expect(textMatches(e, '')).toBe(true);
  });
});

describe('filter in the URL', () => {
  it('round-trips and keeps the token', () => {
    const search = filterToSearch({ status: ['failed', 'read'], q: 'olá mundo', provider: ['meta'] }, '?token=abc&status=incoming');
    expect(search).toBe('?token=abc&status=failed,read&provider=meta&q=ol%C3%A1%20mundo');
    expect(filterFromSearch(search)).toEqual({ status: ['failed', 'read'], provider: ['meta'], q: 'olá mundo' });
    expect(filterToSearch({}, '?token=abc&q=x')).toBe('?token=abc');
  });
  it('drops unknown words and garbage numbers', () => {
    expect(filterFromSearch('?status=failed,bogus&kind=nope&since=abc&until=5')).toEqual({ status: ['failed'], until: 5 });
  });
});
