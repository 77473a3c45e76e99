// The rules runner and store over a real better-sqlite3 database (schema from MIGRATIONS[0]).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import Database from 'better-sqlite3';
import type { Database as Db } from 'better-sqlite3';
import type { HookEvent, NotificationRecord, RuleInput } from '../../shared/types';
import { HookscopeError } from '../../shared/errors';
import { RULE_PRESETS } from '../../shared/rules';
import { MIGRATIONS } from '../../electron/core/store/schema';
import {
  createLeadReplyChecker, createRule, deleteRule, getRule, lastFiredFor, listNotifications, listRules, updateRule,
} from '../../electron/core/rules/rules-store';
import { createRulesRunner, workingMsBetween, type RulesRunnerDeps } from '../../electron/core/rules/rules-runner';
import { silentLogger, type Notifier } from '../../electron/core/types';

const MIN = 60_000;
const DAY = 86_400_000;
/** Local time: quiet and working hours are the machine's local time. */
const local = (h: number, m = 0, day = 15) => new Date(2025, 0, day, h, m).getTime();

let db: Db;
let now: number;
let lastIncoming: number | null;
let emitted: NotificationRecord[][];
let shown: { title: string; body: string; eventId: number | null; notificationId: number }[];
let requestId: number;

beforeEach(() => {
  db = new Database(':memory:');
  for (const m of MIGRATIONS) {
    if (typeof m === 'string') db.exec(m);
    else { db.exec(m.sql); m.run(db); }
  }
  requestId = Number(db.prepare(`INSERT INTO requests (received_at, method, path, headers, response_status, signature)
    VALUES (0, 'POST', '/meta', '[]', 200, 'valid')`).run().lastInsertRowid);
  now = local(10);
  lastIncoming = null;
  emitted = [];
  shown = [];
});
afterEach(() => db.close());

/** Stores an event the way the store would and returns it as the runner receives it. */
function addEvent(over: Partial<HookEvent> = {}): HookEvent {
  const e: HookEvent = {
    id: 0, requestId, receivedAt: now, provider: 'meta', kind: 'message', status: 'incoming', providerStatus: null,
    messageId: `wamid.${Math.random().toString(36).slice(2)}`, contactId: '5511999990000', contactName: 'Ana', businessId: '1',
    messageType: 'text', text: 'hello', replyTo: null, errorCode: null, errorTitle: null, errorDetail: null, timestamp: null,
    signature: 'valid', duplicate: false, ...over,
  };
  const info = db.prepare(`INSERT INTO events (request_id, received_at, provider, kind, status, message_id, contact_id,
    contact_name, message_type, text, reply_to, error_code, error_title, signature, duplicate)
    VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`).run(e.requestId, e.receivedAt, e.provider, e.kind, e.status, e.messageId,
    e.contactId, e.contactName, e.messageType, e.text, e.replyTo, e.errorCode, e.errorTitle, e.signature, e.duplicate ? 1 : 0);
  return { ...e, id: Number(info.lastInsertRowid) };
}
const failure = (contactId: string, over: Partial<HookEvent> = {}) => addEvent({
  kind: 'status', status: 'failed', contactId, contactName: null, text: null, messageType: null,
  errorCode: '131047', errorTitle: 'Re-engagement message', ...over,
});

function runner(over: Partial<RulesRunnerDeps> = {}) {
  const notifier: Notifier = { show: (n) => { shown.push(n); } };
  return createRulesRunner({
    db, clock: () => now, logger: silentLogger, notifier,
    emit: (n) => { emitted.push(n); },
    isLeadReply: createLeadReplyChecker(db, () => now),
    lastIncomingAt: () => lastIncoming,
    ...over,
  });
}

function addRule(over: Partial<RuleInput> = {}) {
  return createRule(db, {
    name: 'Failed', enabled: true, when: { kind: ['status'], status: ['failed'] }, throttleSeconds: 600,
    title: 'Message to {contactName} failed', body: '{errorTitle} ({errorCode})', ...over,
  }, now);
}
const preset = (id: string) => structuredClone(RULE_PRESETS.find((p) => p.id === id)!.rule);
const notifications = () => listNotifications(db, 1000);

describe('rules store', () => {
  it('creates, reads, updates and deletes rules, storing the validated spec', () => {
    const r = addRule({ name: '  Failed  ', when: { kind: ['status'], status: ['failed'], text: '' } });
    expect(r).toMatchObject({ id: 1, name: 'Failed', enabled: true, when: { kind: ['status'], status: ['failed'] } });
    expect(JSON.parse((db.prepare('SELECT spec FROM rules WHERE id = 1').get() as { spec: string }).spec)).not.toHaveProperty('id');
    expect(getRule(db, r.id)).toEqual(r);
    const u = updateRule(db, r.id, { ...r, id: undefined, enabled: false }, now + 1);
    expect(u.enabled).toBe(false);
    expect(listRules(db)).toEqual([u]);
    expect(deleteRule(db, r.id)).toBe(true);
    expect(deleteRule(db, r.id)).toBe(false);
    expect(getRule(db, r.id)).toBeNull();
  });

  it('refuses invalid rules with the code and the reason', () => {
    try {
      addRule({ when: { textRegex: '(a)\\1' } });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(HookscopeError);
      expect((err as HookscopeError).code).toBe('REGEX_UNSAFE');
      expect((err as HookscopeError).message).toMatch(/backreference/);
    }
    expect(() => updateRule(db, 99, preset('lead-replied'))).toThrow(/no rule #99/);
    expect(listRules(db)).toEqual([]);
  });

  it('lists an unreadable spec as a disabled rule so it can be fixed or deleted', () => {
    db.prepare(`INSERT INTO rules (spec, created_at, updated_at) VALUES ('{"name":"Old","enabled":true,"when":{"future":1}}', 0, 0)`).run();
    db.prepare(`INSERT INTO rules (spec, created_at, updated_at) VALUES ('not json', 0, 0)`).run();
    const [a, b] = listRules(db);
    expect(a).toMatchObject({ id: 1, name: 'Old', enabled: false });
    expect(b).toMatchObject({ id: 2, name: 'Unreadable rule #2', enabled: false });
    runner().onEvents([addEvent()]); // and the runner ignores them
    expect(notifications()).toEqual([]);
  });

  it('lead-reply lookups use the contact and message indexes', () => {
    const plan = (sql: string) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all('x', 0, 1) as { detail: string }[])
      .map((r) => r.detail).join(' ');
    expect(plan(`SELECT 1 FROM events WHERE contact_id = ? AND +kind = 'status' AND +received_at >= ? AND +received_at <= ? LIMIT 1`))
      .toMatch(/events_contact/);
    expect((db.prepare(`EXPLAIN QUERY PLAN SELECT 1 FROM events WHERE message_id = ? AND +kind = 'status' LIMIT 1`).all('x') as { detail: string }[])
      .map((r) => r.detail).join(' ')).toMatch(/events_message/);
  });
});

describe('rules runner: events', () => {
  it('fires, records, shows and emits', () => {
    const rule = addRule();
    const r = runner();
    const e = failure('5511888');
    r.onEvents([e]);
    const [n] = notifications();
    expect(n).toMatchObject({ ruleId: rule.id, eventId: e.id, title: 'Message to +5511888 failed', body: 'Re-engagement message (131047)', firedAt: now });
    expect(shown).toEqual([{ title: n.title, body: n.body, eventId: e.id, notificationId: n.id }]);
    expect(emitted).toEqual([[n]]);
    expect(lastFiredFor(db, rule.id, '5511888')).toBe(now);
  });

  it('throttles per rule and contact: three failures → one; another contact → another', () => {
    addRule({ throttleSeconds: 600 });
    const r = runner();
    r.onEvents([failure('5511111'), failure('5511111')]);
    now += 2 * MIN;
    r.onEvents([failure('5511111'), failure('5522222')]);
    expect(notifications().map((n) => n.title)).toEqual(['Message to +5522222 failed', 'Message to +5511111 failed']);
    expect(emitted.map((b) => b.length)).toEqual([1, 1]);
    now += 9 * MIN; // 11 min after the first one: the window is over
    r.onEvents([failure('5511111')]);
    expect(notifications()).toHaveLength(3);
  });

  it('throttling survives a restart (it reads the notifications table)', () => {
    addRule({ throttleSeconds: 600 });
    runner().onEvents([failure('5511111')]);
    now += 5 * MIN;
    runner().onEvents([failure('5511111')]);
    expect(notifications()).toHaveLength(1);
  });

  it('no throttle: every matching event fires', () => {
    addRule({ throttleSeconds: 0 });
    runner().onEvents([failure('5511111'), failure('5511111')]);
    expect(notifications()).toHaveLength(2);
  });

  it('a disabled rule is silent; reload picks up changes', () => {
    const rule = addRule({ enabled: false });
    const r = runner();
    r.onEvents([failure('5511111')]);
    expect(notifications()).toEqual([]);
    updateRule(db, rule.id, { ...rule, enabled: true });
    r.onEvents([failure('5511111')]);
    expect(notifications()).toEqual([]); // not reloaded yet
    r.reload();
    r.onEvents([failure('5511111')]);
    expect(notifications()).toHaveLength(1);
  });

  it('duplicates (provider retries) do not fire', () => {
    addRule({ throttleSeconds: 0 });
    runner().onEvents([failure('5511111', { duplicate: true })]);
    expect(notifications()).toEqual([]);
    expect(emitted).toEqual([]);
  });

  it('quiet hours (wrapping midnight) record and show nothing, and do not start a throttle window', () => {
    addRule({ quietHours: { from: '22:00', to: '07:00' }, throttleSeconds: 3600 });
    const r = runner();
    now = local(23, 30);
    r.onEvents([failure('5511111')]);
    now = local(6, 59, 16);
    r.onEvents([failure('5511111')]);
    expect(notifications()).toEqual([]);
    expect(shown).toEqual([]);
    now = local(7, 0, 16);
    r.onEvents([failure('5511111')]);
    expect(notifications()).toHaveLength(1);
  });

  it('leadReply: a contact who got a status event then replies fires; a stranger does not', () => {
    addRule({ ...preset('lead-replied'), throttleSeconds: 0 });
    const r = runner();
    const sent = addEvent({ kind: 'status', status: 'sent', contactId: '5511111', messageId: 'wamid.OUT1', text: null });
    now += 10 * MIN;
    const reply = addEvent({ contactId: '5511111', contactName: 'Ana', text: 'Sim, pode ser' });
    const stranger = addEvent({ contactId: '5533333', contactName: 'Zé', text: 'oi' });
    r.onEvents([reply, stranger]);
    expect(notifications().map((n) => [n.eventId, n.title, n.body])).toEqual([[reply.id, 'Ana replied', 'Sim, pode ser']]);
    // The status event itself is not a "reply".
    r.onEvents([sent]);
    expect(notifications()).toHaveLength(1);
  });

  it('leadReply: a reply to a known outgoing message fires even from another number', () => {
    addRule({ ...preset('lead-replied'), throttleSeconds: 0 });
    addEvent({ kind: 'status', status: 'delivered', contactId: '5511111', messageId: 'wamid.OUT2', text: null });
    const r = runner();
    r.onEvents([addEvent({ contactId: '5544444', replyTo: 'wamid.OUT2' }), addEvent({ contactId: '5544444', replyTo: 'wamid.UNKNOWN' })]);
    expect(notifications()).toHaveLength(1);
  });

  it('leadReply: only status events from the 30 days before the message count', () => {
    addRule({ ...preset('lead-replied'), throttleSeconds: 0 });
    addEvent({ kind: 'status', status: 'read', contactId: '5511111', receivedAt: now - 31 * DAY, text: null });
    addEvent({ kind: 'status', status: 'read', contactId: '5522222', receivedAt: now - 29 * DAY, text: null });
    runner().onEvents([addEvent({ contactId: '5511111' }), addEvent({ contactId: '5522222' })]);
    expect(notifications().map((n) => n.body)).toEqual(['hello']);
    expect(notifications()).toHaveLength(1);
  });

  it('several rules on one event; the lead-reply lookup runs once per event', () => {
    addRule({ ...preset('lead-replied'), throttleSeconds: 0 });
    addRule({ name: 'Also lead', when: { kind: ['message'], leadReply: true }, throttleSeconds: 0 });
    addRule({ ...preset('opt-out') });
    const isLeadReply = vi.fn(() => true);
    runner({ isLeadReply }).onEvents([addEvent({ text: 'STOP' })]);
    expect(notifications()).toHaveLength(3);
    expect(emitted).toHaveLength(1);
    expect(isLeadReply).toHaveBeenCalledTimes(1);
  });

  it('a throwing notifier does not stop recording or emitting', () => {
    addRule();
    runner({ notifier: { show: () => { throw new Error('no display'); } } }).onEvents([failure('5511111')]);
    expect(notifications()).toHaveLength(1);
    expect(emitted).toHaveLength(1);
  });

  it('lists notifications newest first, limited', () => {
    addRule({ throttleSeconds: 0 });
    const r = runner();
    for (let i = 0; i < 5; i++) { now += 1000; r.onEvents([failure(`55${i}`)]); }
    expect(listNotifications(db, 2).map((n) => n.title)).toEqual(['Message to +554 failed', 'Message to +553 failed']);
  });
});

describe('rules runner: silence', () => {
  function silenceRule(over: Partial<RuleInput> = {}) {
    return createRule(db, { ...preset('silence'), silence: { minutes: 30, from: '09:00', to: '18:00' }, ...over }, now);
  }

  it('fires once after N minutes without an incoming message, then not until one arrives', () => {
    silenceRule();
    now = local(10);
    lastIncoming = local(9, 50);
    const r = runner();
    now = local(10, 10); r.tick();
    expect(notifications()).toEqual([]);
    now = local(10, 31); r.tick();
    expect(notifications()).toHaveLength(1);
    expect(notifications()[0]).toMatchObject({ eventId: null, title: 'No incoming messages for 30 minutes' });
    expect(emitted).toHaveLength(1);
    now = local(11, 30); r.tick();
    now = local(12, 30); r.tick();
    expect(notifications()).toHaveLength(1);
    lastIncoming = local(12, 40); // a message arrives: armed again
    now = local(13, 0); r.tick();
    expect(notifications()).toHaveLength(1);
    now = local(13, 11); r.tick();
    expect(notifications()).toHaveLength(2);
  });

  it('counts from when the runner started, not from a message before the app was closed', () => {
    silenceRule();
    lastIncoming = local(10, 0, 10); // days ago
    now = local(10);
    const r = runner();
    r.tick();
    expect(notifications()).toEqual([]);
    now = local(10, 30); r.tick();
    expect(notifications()).toHaveLength(1);
  });

  it('only during working hours, counted from their start', () => {
    silenceRule();
    now = local(7);
    const r = runner();
    now = local(8, 59); r.tick();
    expect(notifications()).toEqual([]); // silent for two hours, but before 09:00
    now = local(9, 10); r.tick();
    expect(notifications()).toEqual([]); // working hours began ten minutes ago
    now = local(9, 30); r.tick();
    expect(notifications()).toHaveLength(1);
  });

  it('a disabled silence rule, or one in quiet hours, stays quiet; event rules ignore it', () => {
    silenceRule({ enabled: false });
    silenceRule({ quietHours: { from: '12:00', to: '14:00' } });
    const r = runner();
    r.onEvents([addEvent()]);
    now = local(13); r.tick();
    expect(notifications()).toEqual([]);
  });

  it('start() ticks on an interval; stop() ends it', () => {
    vi.useFakeTimers();
    try {
      silenceRule({ silence: { minutes: 1 } });
      const r = runner({ tickMs: 1000 });
      r.start();
      now += 2 * MIN;
      vi.advanceTimersByTime(1000);
      expect(notifications()).toHaveLength(1);
      r.stop();
      lastIncoming = now;
      now += 5 * MIN;
      vi.advanceTimersByTime(5000);
      expect(notifications()).toHaveLength(1);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('rules runner: wouldHaveFired', () => {
  it('counts matches over past events with throttle, duplicates and quiet hours, in time order', () => {
    const r = runner();
    const evs: HookEvent[] = [];
    const at = (t: number, contact: string, over: Partial<HookEvent> = {}) => { now = t; evs.push(failure(contact, over)); };
    at(local(10), '5511111');
    at(local(10, 5), '5511111'); // throttled
    at(local(10, 6), '5522222');
    at(local(10, 7), '5522222', { duplicate: true });
    at(local(10, 20), '5511111');
    at(local(23), '5533333'); // quiet
    addEvent({ text: 'not a failure' });
    const rule: RuleInput = { ...preset('message-failed'), throttleSeconds: 600, quietHours: { from: '22:00', to: '07:00' } };
    expect(r.wouldHaveFired(rule, [...evs].reverse())).toBe(3);
    expect(r.wouldHaveFired({ ...rule, throttleSeconds: 0 }, evs)).toBe(4);
    expect(r.wouldHaveFired({ ...rule, quietHours: null }, evs)).toBe(4);
    expect(r.wouldHaveFired({ ...rule, enabled: false }, evs)).toBe(3); // a preview ignores the switch
    expect(r.wouldHaveFired(preset('silence'), evs)).toBe(0);
    expect(notifications()).toEqual([]); // a preview records nothing
  });

  it('answers leadReply from the store as of each event', () => {
    const r = runner();
    const early = addEvent({ contactId: '5511111' });
    now += MIN;
    addEvent({ kind: 'status', status: 'sent', contactId: '5511111', text: null });
    now += MIN;
    const late = addEvent({ contactId: '5511111' });
    expect(r.wouldHaveFired({ ...preset('lead-replied'), throttleSeconds: 0 }, [early, late])).toBe(1);
  });
});

describe('rules runner: safety', () => {
  it('an event whose signature is invalid or missing fires nothing — no notification, no http action', () => {
    const queued: unknown[] = [];
    const sender = { enqueue: (a: unknown) => { queued.push(a); return true; }, pendingRequests: () => [], pump() {}, test: async () => { throw new Error('unused'); }, list: () => [], stop: async () => {} };
    addRule({ throttleSeconds: 0, actions: [{ type: 'notify' }, { type: 'http', url: 'http://127.0.0.1:9/crm', body: '{"t": {text|json}}' }] });
    const r = runner({ sender });
    r.onEvents([failure('5511000000001', { signature: 'invalid' }), failure('5511000000002', { signature: 'missing' })]);
    expect(notifications()).toEqual([]);
    expect(queued).toEqual([]);
    r.onEvents([failure('5511000000003', { signature: 'unchecked' })]);
    expect(notifications()).toHaveLength(1);
    expect(queued).toHaveLength(1);
  });

  it('caps desktop notifications at 20 a minute, records all, and sums up the rest once the minute is over', () => {
    addRule({ throttleSeconds: 0 });
    const r = runner();
    r.onEvents(Array.from({ length: 25 }, (_, i) => failure(`55110000001${String(i).padStart(2, '0')}`)));
    expect(notifications()).toHaveLength(25);
    expect(emitted.flat()).toHaveLength(25);
    expect(shown).toHaveLength(20);
    now += 30_000;
    r.tick();
    expect(shown).toHaveLength(20);
    now += 30_000;
    r.tick();
    expect(shown).toHaveLength(21);
    expect(shown[20]).toMatchObject({ title: '5 more notifications', eventId: null });
    r.tick();
    expect(shown).toHaveLength(21); // the summary is said once
    r.onEvents([failure('5511000000999')]);
    expect(shown).toHaveLength(22); // a new minute, a new budget
  });
});

describe('working minutes', () => {
  it('counts only time inside the window, across nights and a window wrapping midnight', () => {
    const w = { from: '09:00', to: '18:00' };
    expect(workingMsBetween(local(17, 50), local(23), w)).toBe(10 * MIN);
    expect(workingMsBetween(local(17, 50), local(9, 5, 16), w)).toBe(15 * MIN);
    expect(workingMsBetween(local(8), local(8, 30), w)).toBe(0);
    expect(workingMsBetween(local(10), local(11), {})).toBe(60 * MIN);
    expect(workingMsBetween(local(21), local(7, 0, 16), { from: '22:00', to: '06:00' })).toBe(8 * 60 * MIN);
    expect(workingMsBetween(local(10), local(10, 0, 18), w)).toBe(3 * 9 * 60 * MIN);
  });
});
