// What each health check reads (docs/api.md "Health checks"): one row per preset of shared/health.ts —
// how it measures (measures.ts), how it judges the measure (a named pure function: value, whether the
// condition holds, whether an episode is over, and the words stored and notified), its threshold and its
// chart. health.ts runs them on the timer; health-state.ts records what they say.
//
// The words carry numbers and ids of numbers, never a customer's words or message ids: they are stored
// (history, notifications) and must not outlive a forgotten contact's events (docs/api.md "Forget a
// contact").
import type { HealthKind, HealthParams } from '../../../shared/health';
import { inTimeWindow, parseHhmm } from '../../../shared/rules';
import type { FailureReading, Measures } from './measures';

const MIN = 60_000;

export interface Reading {
  value: number;
  /** The condition holds now (fire when ok). */
  bad: boolean;
  /** The condition is over (recover when firing). For most checks: !bad. */
  over: boolean;
  summary: string;
  title: string;
  recoveredTitle: string;
  businessId?: string | null;
  ids?: string[];
}

/** What a check knows of itself and the process when it reads. */
export interface ReadContext {
  now: number;
  /** When the user turned the check on. */
  enabledAt: number | null;
  /** When the current episode began; null when not firing. */
  firingSince: number | null;
  /** When this process started its timer. */
  startedAt: number;
}

const localTime = (ms: number) => { const d = new Date(ms); return { hours: d.getHours(), minutes: d.getMinutes() }; };

/** Start (ms) of the working-hours window `now` is in; -Infinity without hours; null outside them. */
export function workingWindowStart(p: { from?: string | null; to?: string | null }, now: number): number | null {
  if (!p.from || !p.to) return Number.NEGATIVE_INFINITY;
  if (!inTimeWindow({ from: p.from, to: p.to }, localTime(now))) return null;
  const f = parseHhmm(p.from) ?? 0;
  const d = new Date(now);
  d.setHours(Math.floor(f / 60), f % 60, 0, 0);
  if (d.getTime() > now) d.setDate(d.getDate() - 1); // a window wrapping midnight began yesterday
  return d.getTime();
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const who = (p: HealthParams) => [p.provider === 'meta' ? 'Meta' : p.provider === 'twilio' ? 'Twilio' : null, p.businessId ? `number ${p.businessId}` : null]
  .filter(Boolean).join(' on ') || 'any provider';

/** Silence, given when the last accepted webhook arrived (null: none yet). */
export function judgeSilence(p: HealthParams, last: number | null, c: ReadContext): Reading {
  const { now } = c;
  // Silence counts from the latest of: the last accepted webhook, when the check was turned on,
  // when this process started (the app being closed is not the provider's silence), and the start
  // of today's working hours (no alarm at 09:00 sharp for last night's quiet).
  const ws = workingWindowStart(p, now);
  const since = Math.max(last ?? Number.NEGATIVE_INFINITY, c.enabledAt ?? now, c.startedAt, ws ?? Number.NEGATIVE_INFINITY);
  const quietMin = Math.max(0, (now - (last ?? since)) / MIN);
  return {
    value: Math.round(quietMin * 10) / 10,
    bad: ws !== null && now - since >= (p.minutes ?? 60) * MIN,
    // A webhook accepted after it fired ends the episode, in working hours or not.
    over: c.firingSince != null && last != null && last >= c.firingSince,
    summary: last == null ? `No accepted webhook from ${who(p)} yet` : `Last accepted webhook from ${who(p)} ${Math.round(quietMin)} min ago`,
    title: `No webhooks from ${who(p)} for ${plural(p.minutes ?? 60, 'minute')}`,
    recoveredTitle: `Webhooks from ${who(p)} are arriving again`,
  };
}

/** The failure rate of the worst number in the window. */
export function judgeFailureRate(p: HealthParams, f: FailureReading): Reading {
  const bad = f.percent >= (p.percent ?? 20) && f.failed > 0;
  const where = f.businessId ? ` on number ${f.businessId}` : '';
  const codes = f.codes.map((c) => `${c.code} ×${c.count}`).join(', ');
  return {
    value: f.percent, bad, over: !bad,
    summary: `${f.failed} of ${plural(f.sent, 'message')} failed${where} in the last ${p.windowMinutes} min (${f.percent} %)${codes ? `: ${codes}` : ''}`,
    title: `Failure rate ${f.percent} %${where} over the last ${p.windowMinutes} minutes`,
    recoveredTitle: 'Deliveries back to normal',
    businessId: f.businessId,
  };
}

/** Messages sent over `minutes` ago with no delivered, read or failed since. */
export function judgeStuck(p: HealthParams, s: { count: number; ids: string[] }): Reading {
  const bad = s.count >= (p.count ?? 1);
  return {
    value: s.count, bad, over: !bad, ids: s.ids,
    summary: s.count === 0 ? `No message stuck at sent for over ${p.minutes} min`
      // No ids in these words (see the header); the panel lists them live.
      : `${plural(s.count, 'message')} sent over ${p.minutes} min ago with no delivered, read or failed since`,
    title: `${plural(s.count, 'message')} stuck at sent for over ${p.minutes} minutes`,
    recoveredTitle: 'No more stuck messages',
  };
}

/** Webhooks rejected for a wrong signature in the window. */
export function judgeSignatures(p: HealthParams, n: number): Reading {
  const bad = n >= (p.count ?? 5);
  return {
    value: n, bad, over: !bad,
    summary: `${plural(n, 'webhook')} from ${who(p)} rejected for a wrong signature in the last ${p.windowMinutes} min`,
    title: `${plural(n, 'webhook')} failed their signature check in ${p.windowMinutes} minutes`,
    recoveredTitle: 'Signatures check out again',
  };
}

/** Quality, limit and template warnings in the window; the latest one's words (cut to 120 characters). */
export function judgeQuality(p: HealthParams, q: { count: number; latest: string | null }): Reading {
  const bad = q.count > 0;
  const latest = q.latest ? q.latest.slice(0, 120) : null;
  return {
    value: q.count, bad, over: !bad,
    summary: q.count === 0 ? `No quality, limit or template warning in the last ${p.windowMinutes} min`
      : `${plural(q.count, 'warning')} in the last ${p.windowMinutes} min${latest ? `; latest: ${latest}` : ''}`,
    title: `Quality or limits: ${latest ?? plural(q.count, 'warning')}`,
    recoveredTitle: 'No quality or limit warnings any more',
  };
}

export interface Evaluator {
  /** Measures now and judges it. */
  read(m: Measures, p: HealthParams, c: ReadContext): Reading;
  /** The chart's values at moments `ats` (ascending). */
  series(m: Measures, p: HealthParams, ats: number[]): number[];
  /** How far back the chart reaches. */
  span(p: HealthParams): number;
  threshold(p: HealthParams): number | null;
}

/** Minutes since the last accepted webhook at `at` (0 when there is none). */
const quietAt = (m: Measures, p: HealthParams, at: number) => {
  const last = m.lastAccepted(p, at);
  return last == null ? 0 : Math.round(((at - last) / MIN) * 10) / 10;
};
const windowSpan = (p: HealthParams) => 4 * (p.windowMinutes ?? 15) * MIN;
const durationSpan = (p: HealthParams) => 2 * (p.minutes ?? 60) * MIN;

export const EVALUATORS: Readonly<Record<HealthKind, Evaluator>> = {
  silence: {
    read: (m, p, c) => judgeSilence(p, m.lastAccepted(p, c.now), c),
    series: (m, p, ats) => ats.map((at) => quietAt(m, p, at)),
    span: durationSpan,
    threshold: (p) => p.minutes ?? null,
  },
  'failure-rate': {
    read: (m, p, c) => judgeFailureRate(p, m.failureRate(p, c.now)),
    series: (m, p, ats) => ats.map((at) => m.failureRate(p, at).percent),
    span: windowSpan,
    threshold: (p) => p.percent ?? null,
  },
  stuck: {
    read: (m, p, c) => judgeStuck(p, m.stuck(p, c.now)),
    // Stuck looks a day back at each point: one pass for all of them rather than one query per point.
    series: (m, p, ats) => m.stuckSeries(p, ats),
    span: durationSpan,
    threshold: (p) => p.count ?? null,
  },
  signatures: {
    read: (m, p, c) => judgeSignatures(p, m.signatures(p, c.now)),
    series: (m, p, ats) => ats.map((at) => m.signatures(p, at)),
    span: windowSpan,
    threshold: (p) => p.count ?? null,
  },
  quality: {
    read: (m, p, c) => judgeQuality(p, m.quality(p, c.now)),
    series: (m, p, ats) => ats.map((at) => m.quality(p, at).count),
    span: windowSpan,
    threshold: () => 1,
  },
};
