// The one fake of the renderer's AppBridge (renderer/state/bridge.ts) for the renderer's unit tests:
// an in-memory core answering from a list of events with the renderer's own matcher, pushes and
// connection changes the test fires by hand, every request recorded, and any answer held back on its
// way. A test names only what differs from that core: `handlers` replace a channel's answer.
import type { ArgsOf, PushChannel, PushChannels, RequestChannel, ResultOf } from '../../shared/ipc';
import type { EventFilter, EventStatus, HookEvent, MessagePage, MessageQuery, MessageSummary, SettingsView, Stats } from '../../shared/types';
import { messageKey, summariseMessage } from '../../shared/messages';
import { BridgeError, type AppBridge, type ConnectionState } from '../../renderer/state/bridge';
import { matchesFilter } from '../../renderer/state/filter-match';

export type FakeHandlers = Partial<{ [C in RequestChannel]: (args: ArgsOf<C>) => ResultOf<C> | Promise<ResultOf<C>> }>;

/** Settings as the core shows them: a Meta secret and verify token set, nothing else. */
export const FAKE_SETTINGS: SettingsView = {
  secrets: {
    metaAppSecret: { set: true, count: 1 }, metaVerifyToken: { set: true }, twilioAuthToken: { set: false, count: 0 }, ngrokAuthtoken: { set: false },
  },
  forwardTargets: [], forwardTimeoutMs: 5000, publicUrl: null, ngrokDomain: null, retention: { days: null, maxEvents: null }, bodyLimitBytes: 1 << 20,
};

/** The core's Messages page, from the events stored at the moment of the call (shared/messages.ts builds the rows). */
function listMessages(db: HookEvent[], q: MessageQuery): MessagePage {
  const rowOf = (key: string): MessageSummary | null => {
    const evs = db.filter((e) => messageKey(e) === key);
    return evs.length ? summariseMessage(evs, 200) : null;
  };
  if (q.keys) return { items: q.keys.map(rowOf).filter((r): r is MessageSummary => r != null).sort((a, b) => b.lastEventId - a.lastEventId), next: null };
  const { limit = 100, before, keys: _keys, ...f } = q;
  const keys: string[] = [];
  let cursor: number | null = null;
  for (const e of [...db].filter((x) => matchesFilter(x, f) && (before == null || x.id < before)).sort((a, b) => b.id - a.id)) {
    const k = messageKey(e);
    if (keys.includes(k)) continue;
    if (before != null && db.some((x) => messageKey(x) === k && x.id >= before)) continue;
    if (keys.length === limit) { cursor = e.id + 1; break; }
    keys.push(k);
  }
  return { items: keys.map(rowOf).filter((r): r is MessageSummary => r != null), next: cursor };
}

/** The counts the core keeps: within the filter but whatever the status (the status chips are the counts). */
function statsOf(db: HookEvent[], f: EventFilter): Stats {
  const { status: _status, ...rest } = f;
  const m = db.filter((e) => matchesFilter(e, rest));
  const byStatus: Partial<Record<EventStatus, number>> = {};
  const byKind: Stats['byKind'] = {};
  for (const e of m) {
    if (e.status) byStatus[e.status] = (byStatus[e.status] ?? 0) + 1;
    byKind[e.kind] = (byKind[e.kind] ?? 0) + 1;
  }
  return { byStatus, byErrorCode: {}, byKind, total: m.length, all: db.length, maxId: Math.max(0, ...db.map((e) => e.id)) };
}

/** An in-memory core over `db` (read at each call, so events added later are seen as the real store would). */
export function inMemoryCore(db: HookEvent[]): FakeHandlers {
  return {
    'app:info': () => ({ version: '0', mode: 'serve', receiver: { url: 'http://127.0.0.1:4750', host: '127.0.0.1', port: 4750 } }),
    'settings:get': () => FAKE_SETTINGS,
    'tunnel:get': () => ({ state: 'off', since: 0 }),
    'rules:list': () => [],
    'stats:get': (f) => statsOf(db, (f ?? {}) as EventFilter),
    'events:list': (q) => {
      const { limit = 100, before, ...f } = q as EventFilter & { limit?: number; before?: number };
      const all = db.filter((e) => matchesFilter(e, f)).sort((a, b) => b.id - a.id);
      return { items: all.filter((e) => before == null || e.id < before).slice(0, limit), total: all.length };
    },
    'messages:list': (q) => listMessages(db, q as MessageQuery),
    'messages:get': ({ messageId }) => {
      const events = db.filter((e) => e.messageId === messageId);
      return { messageId, contactId: events[0]?.contactId ?? null, current: events.at(-1)?.status ?? null, events };
    },
    'contacts:thread': ({ contactId }) => {
      const items = db.filter((e) => e.contactId === contactId);
      return { contactId, items, lastIncomingAt: items.filter((e) => e.kind === 'message').at(-1)?.receivedAt ?? null };
    },
    'events:get': ({ id }) => {
      const e = db.find((x) => x.id === id);
      if (!e) throw new BridgeError('NOT_FOUND', 'Not found.');
      return {
        ...e,
        request: {
          id: e.requestId, receivedAt: e.receivedAt, method: 'POST', path: '/meta', query: '', headers: [], body: '{}', bodyIsText: true, bodySize: 2,
          provider: 'meta', responseStatus: 200, signature: 'valid', signatureDiagnosis: null, error: null, origin: 'network', forwards: [],
        },
      };
    },
  };
}

export interface FakeBridgeOptions {
  /** 'ipc' makes the store believe it runs on the desktop, 'http' in a browser under `serve`. */
  transport?: AppBridge['transport'];
  /** The events the in-memory core holds (the same array: a test may add to it). */
  db?: HookEvent[];
  /** Answers that replace the in-memory core's, channel by channel. */
  handlers?: FakeHandlers;
}

export function fakeBridge(options: FakeBridgeOptions = {}) {
  const db = options.db ?? [];
  const handlers: FakeHandlers = { ...inMemoryCore(db), ...options.handlers };
  const listeners = new Map<PushChannel, Set<(p: unknown) => void>>();
  const connections = new Set<(s: ConnectionState) => void>();
  const held = new Map<RequestChannel, Promise<void>>();
  const calls: { channel: RequestChannel; args: unknown }[] = [];
  let readyCalls = 0;

  const emit = <P extends PushChannel>(channel: P, payload: PushChannels[P]) => {
    listeners.get(channel)?.forEach((cb) => cb(payload));
  };

  const bridge: AppBridge = {
    transport: options.transport ?? 'fake',
    async invoke<C extends RequestChannel>(channel: C, args: ArgsOf<C>): Promise<ResultOf<C>> {
      calls.push({ channel, args });
      const h = handlers[channel] as ((a: ArgsOf<C>) => ResultOf<C> | Promise<ResultOf<C>>) | undefined;
      if (!h) throw new BridgeError('NOT_FOUND', `no fake for ${channel}`);
      const answer = h(args); // read now, as the core reads its page when asked…
      const wait = held.get(channel);
      if (wait) await wait; // …and handed over later when held back
      return answer;
    },
    on<P extends PushChannel>(channel: P, cb: (p: PushChannels[P]) => void) {
      let set = listeners.get(channel);
      if (!set) listeners.set(channel, (set = new Set()));
      set.add(cb as (p: unknown) => void);
      return () => set.delete(cb as (p: unknown) => void);
    },
    onConnection(cb) {
      connections.add(cb);
      return () => connections.delete(cb);
    },
    ready() {
      readyCalls++;
    },
  };

  return {
    bridge,
    db,
    calls,
    /** The arguments of every call to one channel, in order. */
    callsTo<C extends RequestChannel>(channel: C): ArgsOf<C>[] {
      return calls.filter((c) => c.channel === channel).map((c) => c.args as ArgsOf<C>);
    },
    /** How many times the store said it is ready for pushes. */
    get readyCalls() {
      return readyCalls;
    },
    /** Answers of `channel` (read at the call) are handed over only once `until` resolves; null lets them through. */
    hold(channel: RequestChannel, until: Promise<void> | null) {
      if (until) held.set(channel, until);
      else held.delete(channel);
    },
    emit,
    /** The core stores the events and pushes them, in one batch (as it does when a stream listens). */
    append(...events: HookEvent[]) {
      db.push(...events);
      emit('events:appended', events);
    },
    /** Pushed again, without storing (an event the core already has). */
    push(...events: HookEvent[]) {
      emit('events:appended', events);
    },
    /** The live stream's state changes: 'open' after a (re)connection, which makes the store resync. */
    connection(state: ConnectionState) {
      connections.forEach((cb) => cb(state));
    },
  };
}

export type FakeBridge = ReturnType<typeof fakeBridge>;
