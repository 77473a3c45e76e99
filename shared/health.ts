// Health checks (docs/api.md "Health checks"): what each preset watches, its parameters and their
// defaults, and the shape the core answers with. Pure: the core (electron/core/health/) evaluates them,
// the Health panel and `hookscope health` show them.
import type { EventFilter, Provider } from './types';

export const HEALTH_KINDS = ['silence', 'failure-rate', 'stuck', 'signatures', 'quality'] as const;
export type HealthKind = (typeof HEALTH_KINDS)[number];

/** Every parameter a check may take; each preset reads the ones it lists in HEALTH_PRESETS. */
export interface HealthParams {
  /** silence: minutes without an accepted webhook; stuck: minutes a message may stay at `sent`. */
  minutes?: number;
  /** silence, signatures: one provider only (null: either). */
  provider?: Provider | null;
  /** silence, failure-rate: one receiving business number only (null: each number on its own). */
  businessId?: string | null;
  /** silence: working hours, HH:MM local time; outside them silence never fires. */
  from?: string | null;
  to?: string | null;
  /** failure-rate: fires when failed ÷ sent reaches this many per cent. */
  percent?: number;
  /** failure-rate, signatures, quality: the sliding window, in minutes. */
  windowMinutes?: number;
  /** failure-rate: fewer messages than this in the window is too few to call a rate. */
  minSent?: number;
  /** failure-rate: count only failures with this error code. */
  errorCode?: string | null;
  /** stuck: how many stuck messages fire it; signatures: how many rejected signatures in the window. */
  count?: number;
  /**
   * Every check: also run this rule's http actions (Slack, Teams, a JSON endpoint…) when it fires and when
   * it recovers, through the actions' outbox. Only the rule's actions are used, not its conditions.
   */
  ruleId?: number | null;
}

export interface HealthPreset {
  name: string;
  /** What the chart shows, in words. */
  watches: string;
  unit: '%' | 'min' | 'messages' | 'rejected' | 'events';
  defaults: HealthParams;
  /** The parameters this preset reads (the others are refused). */
  params: readonly (keyof HealthParams)[];
}

export const HEALTH_PRESETS: Readonly<Record<HealthKind, HealthPreset>> = {
  silence: {
    name: 'Silence', watches: 'minutes since the last accepted webhook', unit: 'min',
    defaults: { minutes: 60, provider: null, businessId: null, from: null, to: null, ruleId: null },
    params: ['minutes', 'provider', 'businessId', 'from', 'to', 'ruleId'],
  },
  'failure-rate': {
    name: 'Failure rate', watches: 'failed ÷ sent over the window (worst number)', unit: '%',
    defaults: { percent: 20, windowMinutes: 15, minSent: 5, businessId: null, errorCode: null, ruleId: null },
    params: ['percent', 'windowMinutes', 'minSent', 'businessId', 'errorCode', 'ruleId'],
  },
  stuck: {
    name: 'Stuck messages', watches: 'messages sent with no delivered, read or failed since', unit: 'messages',
    defaults: { minutes: 30, count: 1, ruleId: null },
    params: ['minutes', 'count', 'ruleId'],
  },
  signatures: {
    name: 'Signature failures', watches: 'webhooks rejected for a wrong signature over the window', unit: 'rejected',
    defaults: { count: 5, windowMinutes: 15, provider: null, ruleId: null },
    params: ['count', 'windowMinutes', 'provider', 'ruleId'],
  },
  quality: {
    name: 'Quality and limits', watches: 'quality drops, limits, paused or re-categorised templates, restrictions over the window', unit: 'events',
    defaults: { windowMinutes: 1440, ruleId: null },
    params: ['windowMinutes', 'ruleId'],
  },
};

/** One episode: fired, and recovered (null while it still fires). */
export interface HealthEpisode {
  id: number;
  firedAt: number;
  recoveredAt: number | null;
  /** The watched value when it fired. */
  value: number;
  summary: string;
}

export interface HealthCheck {
  id: HealthKind;
  name: string;
  watches: string;
  unit: HealthPreset['unit'];
  enabled: boolean;
  /** The preset's defaults with the user's changes. */
  params: HealthParams;
  /** `off` while disabled. */
  state: 'off' | 'ok' | 'firing';
  firingSince: number | null;
  /** The watched value at the last evaluation. */
  value: number | null;
  /** One line: what the value means now. */
  summary: string;
  checkedAt: number | null;
  /** The value above which (or at which) it fires, for the chart's line. */
  threshold: number | null;
  /** The feed's filter that shows the events behind the value (null: none to show). */
  filter: EventFilter | null;
  /** stuck: the ids of the stuck messages (at most 50). */
  messageIds?: string[];
  /** The watched value over the last few windows, oldest first. */
  series: { at: number; value: number }[];
  /** Newest first. */
  history: HealthEpisode[];
}

/** A check's parameters: the preset's defaults, overlaid with what is stored (unknown keys dropped). */
export function healthParamsOf(kind: HealthKind, stored: HealthParams | null | undefined): HealthParams {
  const p = HEALTH_PRESETS[kind];
  const out: HealthParams = { ...p.defaults };
  for (const k of p.params) {
    const v = stored?.[k];
    if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  }
  return out;
}

/** The names of the parameters `params` sets that the preset does not read (an update naming one is refused). */
export function foreignParams(kind: HealthKind, params: HealthParams): string[] {
  const allowed = new Set<string>(HEALTH_PRESETS[kind].params);
  return Object.keys(params).filter((k) => !allowed.has(k));
}

/** "ok", "firing since 12:03" — the words both the CLI and the panel use. */
export function healthStateWords(c: Pick<HealthCheck, 'state' | 'firingSince'>, time: (ms: number) => string): string {
  if (c.state === 'firing') return c.firingSince != null ? `firing since ${time(c.firingSince)}` : 'firing';
  return c.state;
}
