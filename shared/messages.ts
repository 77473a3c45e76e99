// A message's life as one row: an incoming message, or an outgoing one with every state it reached
// (sent → delivered → read, or failed with the code). Pure: the core builds the Messages view's pages with
// it and the renderer folds live events into the rows it shows with the very same code.
import type { EventStatus, HookEvent, MessageSummary, SignatureVerdict } from './types';

/** Order of message states: a later state beats an earlier one whatever the arrival order. */
export const STATUS_RANK: Partial<Record<EventStatus, number>> = {
  queued: 1, sent: 2, delivered: 3, read: 4, played: 5,
};

/** The furthest state reached. `failed` wins unless the message was delivered after all (multi-device). */
export function currentState(statuses: (EventStatus | null)[]): EventStatus | null {
  let best: EventStatus | null = null;
  let bestRank = 0;
  let failed = false;
  let deleted = false;
  for (const s of statuses) {
    if (!s) continue;
    if (s === 'failed') failed = true;
    else if (s === 'deleted') deleted = true;
    const r = STATUS_RANK[s] ?? 0;
    if (r > bestRank) { bestRank = r; best = s; }
  }
  if (deleted) return 'deleted';
  if (failed && bestRank < (STATUS_RANK.delivered ?? 3)) return 'failed';
  if (best) return best;
  return statuses.find((s) => s) ?? null;
}

/** The row key: the provider's message id, or the event's own id for an event that belongs to no message. */
export function messageKey(e: Pick<HookEvent, 'id' | 'messageId'>): string {
  return e.messageId ?? `event:${e.id}`;
}

const SIGNATURE_WORST: SignatureVerdict[] = ['invalid', 'missing', 'unchecked', 'valid'];

/** Provider order (event time, then arrival); the order a lifecycle is read in. */
export function byProviderTime(a: HookEvent, b: HookEvent): number {
  return (a.timestamp ?? a.receivedAt) - (b.timestamp ?? b.receivedAt) || a.id - b.id;
}

/**
 * One message's row from all its events (any order). `httpStatus` is what the receiver answered to the
 * request that carried the newest event, when known.
 */
export function summariseMessage(events: HookEvent[], httpStatus: number | null = null): MessageSummary {
  if (events.length === 0) throw new Error('a message has at least one event');
  const sorted = [...events].sort(byProviderTime);
  const newest = events.reduce((a, b) => (b.id > a.id ? b : a));
  const incoming = sorted.find((e) => e.kind === 'message');
  const statuses = sorted.filter((e) => e.kind === 'status');
  const direction: MessageSummary['direction'] = incoming ? 'incoming' : statuses.length ? 'outgoing' : 'other';
  const failed = [...statuses].reverse().find((e) => e.status === 'failed');
  const steps: MessageSummary['steps'] = [];
  for (const e of statuses) {
    if (!e.status || e.duplicate) continue;
    // One step per state, the first time it was reached.
    if (steps.some((s) => s.status === e.status)) continue;
    steps.push({ status: e.status, at: e.timestamp ?? e.receivedAt, eventId: e.id });
  }
  const source = incoming ?? newest;
  const contact = sorted.find((e) => e.contactId);
  let signature: SignatureVerdict = 'valid';
  for (const e of events) if (SIGNATURE_WORST.indexOf(e.signature) < SIGNATURE_WORST.indexOf(signature)) signature = e.signature;
  return {
    key: messageKey(newest),
    messageId: newest.messageId,
    direction,
    kind: source.kind,
    provider: source.provider,
    contactId: contact?.contactId ?? null,
    contactName: sorted.find((e) => e.contactName)?.contactName ?? null,
    messageType: incoming?.messageType ?? sorted.find((e) => e.messageType)?.messageType ?? null,
    text: incoming?.text ?? sorted.find((e) => e.text)?.text ?? null,
    current: direction === 'incoming' ? 'incoming' : currentState((statuses.length ? statuses : sorted).map((e) => e.status)),
    steps,
    errorCode: failed?.errorCode ?? null,
    errorTitle: failed?.errorTitle ?? null,
    firstAt: sorted[0].receivedAt,
    lastAt: newest.receivedAt,
    lastEventId: newest.id,
    signature,
    httpStatus,
    events: sorted,
  };
}

/** Folds newly arrived events into rows (newest activity first); returns the keys it could not place. */
export function mergeIntoMessages(rows: MessageSummary[], incoming: HookEvent[]): { rows: MessageSummary[]; created: string[] } {
  if (incoming.length === 0) return { rows, created: [] };
  const byKey = new Map(rows.map((r) => [r.key, r]));
  const touched = new Map<string, HookEvent[]>();
  for (const e of incoming) {
    const k = messageKey(e);
    const list = touched.get(k) ?? [];
    list.push(e);
    touched.set(k, list);
  }
  const created: string[] = [];
  const fresh: MessageSummary[] = [];
  for (const [k, evs] of touched) {
    const old = byKey.get(k);
    if (!old) created.push(k);
    const seen = new Set(old?.events.map((e) => e.id));
    const all = [...(old?.events ?? []), ...evs.filter((e) => !seen.has(e.id))];
    fresh.push(summariseMessage(all, old && old.lastEventId >= Math.max(...evs.map((e) => e.id)) ? old.httpStatus : null));
    byKey.delete(k);
  }
  const out = [...fresh, ...rows.filter((r) => byKey.has(r.key))];
  out.sort((a, b) => b.lastEventId - a.lastEventId);
  return { rows: out, created };
}
