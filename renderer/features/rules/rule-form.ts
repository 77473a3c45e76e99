// The rule editor's form model: every field as the inputs hold it (strings, toggled lists), and the
// two conversions between it and a RuleInput. Pure, so the editor's parsing is unit-tested; the core
// still validates everything (rules:preview, rules:create) and its message is what the user sees.
import type { EventKind, EventSignal, EventStatus, HttpAction, Provider, RuleAction, RuleInput, RuleWhen, SignatureVerdict } from '../../../shared/types';
import { SIGNAL_LABELS } from '../../../shared/event-words';

/** One http action as the editor holds it. The secret field is write-only: empty keeps the stored one. */
export interface HttpForm {
  preset: '' | 'slack' | 'discord' | 'teams' | 'json';
  url: string;
  method: 'POST' | 'PUT' | 'PATCH' | 'GET';
  /** "Name: value" per line. */
  headers: string;
  body: string;
  secret: string;
  secretSet: boolean;
  clearSecret: boolean;
}

export interface RuleForm {
  name: string;
  enabled: boolean;
  kind: EventKind[];
  status: EventStatus[];
  provider: Provider[];
  signature: SignatureVerdict[];
  contact: string;
  contactName: string;
  text: string;
  textRegex: string;
  /** Comma- or space-separated. */
  errorCodes: string;
  messageTypes: string;
  leadReply: '' | 'yes' | 'no';
  /** Named facts (EVENT_SIGNALS): "a call failed", "a flow was blocked"… */
  signals: EventSignal[];
  /** `when.any` as JSON text (an array of conditions); empty for none. */
  anyJson: string;
  throttleSeconds: string;
  /** Past the per-minute cap of http actions: one digest (default) or held until the next minute. */
  actionOverflow: 'digest' | 'queue';
  quietFrom: string;
  quietTo: string;
  title: string;
  body: string;
  silence: boolean;
  silenceMinutes: string;
  silenceFrom: string;
  silenceTo: string;
  unanswered: boolean;
  unansweredMinutes: string;
  unansweredFrom: string;
  unansweredTo: string;
  digest: '' | 'hour' | 'day';
  digestAt: string;
  /** Show a desktop notification. */
  notify: boolean;
  http: HttpForm[];
}

export type FormResult = { ok: true; rule: RuleInput } | { ok: false; error: string };

export const BLANK_FORM: RuleForm = {
  name: '', enabled: true, kind: ['message'], status: [], provider: [], signature: [],
  contact: '', contactName: '', text: '', textRegex: '', errorCodes: '', messageTypes: '', leadReply: '', signals: [],
  anyJson: '', throttleSeconds: '60', actionOverflow: 'digest', quietFrom: '', quietTo: '', title: '{contactName}', body: '{text}',
  silence: false, silenceMinutes: '60', silenceFrom: '', silenceTo: '',
  unanswered: false, unansweredMinutes: '15', unansweredFrom: '', unansweredTo: '', digest: '', digestAt: '18:00',
  notify: true, http: [],
};

export const BLANK_HTTP: HttpForm = {
  preset: '', url: '', method: 'POST', headers: 'content-type: application/json', body: '', secret: '', secretSet: false, clearSecret: false,
};

function httpToForm(a: HttpAction): HttpForm {
  return {
    preset: a.preset ?? '', url: a.url, method: a.method ?? 'POST',
    headers: Object.entries(a.headers ?? {}).map(([k, v]) => `${k}: ${v}`).join('\n'),
    body: a.body ?? '', secret: '', secretSet: a.secretSet === true, clearSecret: false,
  };
}

function httpFromForm(h: HttpForm, i: number): HttpAction | string {
  const headers: Record<string, string> = {};
  for (const line of h.headers.split('\n')) {
    if (!line.trim()) continue;
    const at = line.indexOf(':');
    if (at <= 0) return `HTTP action ${i + 1}: headers go one per line as "Name: value" ("${line.trim()}")`;
    headers[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  const a: HttpAction = { type: 'http', url: h.url.trim(), method: h.method, headers, body: h.body };
  if (h.preset) a.preset = h.preset;
  if (h.clearSecret) a.secret = null;
  else if (h.secret !== '') a.secret = h.secret;
  return a;
}

/** "131026, 131047 470" → ["131026", "131047", "470"]; duplicates dropped. */
export function splitList(s: string): string[] {
  return [...new Set(s.split(/[\s,;]+/).map((x) => x.trim()).filter(Boolean))];
}

export function formFromRule(rule: RuleInput): RuleForm {
  const w = rule.when ?? {};
  return {
    name: rule.name,
    enabled: rule.enabled !== false,
    kind: [...(w.kind ?? [])],
    status: [...(w.status ?? [])],
    provider: [...(w.provider ?? [])],
    signature: [...(w.signature ?? [])],
    contact: w.contact ?? '',
    contactName: w.contactName ?? '',
    text: w.text ?? '',
    textRegex: w.textRegex ?? '',
    errorCodes: (w.errorCode ?? []).join(', '),
    messageTypes: (w.messageType ?? []).join(', '),
    leadReply: w.leadReply === true ? 'yes' : w.leadReply === false ? 'no' : '',
    signals: [...(w.signal ?? [])],
    anyJson: w.any && w.any.length ? JSON.stringify(w.any, null, 2) : '',
    throttleSeconds: rule.throttleSeconds != null ? String(rule.throttleSeconds) : '',
    actionOverflow: rule.actionOverflow ?? 'digest',
    quietFrom: rule.quietHours?.from ?? '',
    quietTo: rule.quietHours?.to ?? '',
    title: rule.title ?? '',
    body: rule.body ?? '',
    silence: rule.silence != null,
    silenceMinutes: rule.silence ? String(rule.silence.minutes) : '60',
    silenceFrom: rule.silence?.from ?? '',
    silenceTo: rule.silence?.to ?? '',
    unanswered: rule.unanswered != null,
    unansweredMinutes: rule.unanswered ? String(rule.unanswered.minutes) : '15',
    unansweredFrom: rule.unanswered?.from ?? '',
    unansweredTo: rule.unanswered?.to ?? '',
    digest: rule.digest?.every ?? '',
    digestAt: rule.digest?.at ?? '18:00',
    notify: !rule.actions || rule.actions.length === 0 || rule.actions.some((a) => a.type === 'notify'),
    http: (rule.actions ?? []).filter((a): a is HttpAction => a.type === 'http').map(httpToForm),
  };
}

function wholeNumber(s: string, label: string): number | string {
  const t = s.trim();
  if (!/^\d+$/.test(t)) return `${label}: give a whole number of ${label.includes('minutes') ? 'minutes' : 'seconds'} (0 or more)`;
  return Number(t);
}

/**
 * Builds the RuleInput the form describes. Refuses only what cannot be sent at all (JSON that does not
 * parse, a number that is not one, half a time window); the rest is the core's call.
 */
export function ruleFromForm(f: RuleForm): FormResult {
  const when: RuleWhen = {};
  if (f.kind.length) when.kind = [...f.kind];
  if (f.status.length) when.status = [...f.status];
  if (f.provider.length) when.provider = [...f.provider];
  if (f.signature.length) when.signature = [...f.signature];
  if (f.contact.trim()) when.contact = f.contact.trim();
  if (f.contactName.trim()) when.contactName = f.contactName.trim();
  if (f.text.trim()) when.text = f.text.trim();
  if (f.textRegex !== '') when.textRegex = f.textRegex;
  const codes = splitList(f.errorCodes);
  if (codes.length) when.errorCode = codes;
  const types = splitList(f.messageTypes);
  if (types.length) when.messageType = types;
  if (f.leadReply) when.leadReply = f.leadReply === 'yes';
  if (f.signals.length) when.signal = [...f.signals];
  if (f.anyJson.trim()) {
    let any: unknown;
    try {
      any = JSON.parse(f.anyJson);
    } catch (err) {
      return { ok: false, error: `Any of (advanced): not valid JSON — ${(err as Error).message}` };
    }
    if (!Array.isArray(any) || any.some((x) => !x || typeof x !== 'object' || Array.isArray(x))) {
      return { ok: false, error: 'Any of (advanced): give a JSON array of condition objects, e.g. [{"text": "urgent"}, {"status": ["failed"]}]' };
    }
    if (any.length) when.any = any as RuleWhen[];
  }

  const rule: RuleInput = {
    name: f.name.trim(),
    enabled: f.enabled,
    when,
    quietHours: null,
    title: f.title,
    body: f.body,
  };
  if (f.throttleSeconds.trim() !== '') {
    const n = wholeNumber(f.throttleSeconds, 'Throttle seconds');
    if (typeof n === 'string') return { ok: false, error: n };
    rule.throttleSeconds = n;
  }
  if (f.actionOverflow === 'queue') rule.actionOverflow = 'queue';
  const qf = f.quietFrom.trim();
  const qt = f.quietTo.trim();
  if (qf || qt) {
    if (!qf || !qt) return { ok: false, error: 'Quiet hours: give both from and to (HH:MM), or clear both' };
    rule.quietHours = { from: qf, to: qt };
  }
  if (f.silence) {
    const m = wholeNumber(f.silenceMinutes, 'Silence minutes');
    if (typeof m === 'string') return { ok: false, error: m };
    const sf = f.silenceFrom.trim();
    const st = f.silenceTo.trim();
    if (!!sf !== !!st) return { ok: false, error: 'Silence working hours: give both from and to, or neither' };
    rule.silence = sf ? { minutes: m, from: sf, to: st } : { minutes: m };
  }
  if (f.unanswered) {
    const m = wholeNumber(f.unansweredMinutes, 'Unanswered minutes');
    if (typeof m === 'string') return { ok: false, error: m };
    const uf = f.unansweredFrom.trim();
    const ut = f.unansweredTo.trim();
    if (!!uf !== !!ut) return { ok: false, error: 'Unanswered working hours: give both from and to, or neither' };
    rule.unanswered = uf ? { minutes: m, from: uf, to: ut } : { minutes: m };
  }
  if (f.digest) rule.digest = f.digest === 'day' ? { every: 'day', at: f.digestAt.trim() } : { every: 'hour' };
  // http actions first, notify last: toggling the notification never shifts an http action's index,
  // which its stored write-only secret is bound to.
  const actions: RuleAction[] = [];
  for (let i = 0; i < f.http.length; i++) {
    const a = httpFromForm(f.http[i], i);
    if (typeof a === 'string') return { ok: false, error: a };
    actions.push(a);
  }
  if (f.notify) actions.push({ type: 'notify' });
  if (actions.length === 0) return { ok: false, error: 'Actions: turn on the desktop notification or add an HTTP action' };
  if (f.http.length > 0) rule.actions = actions;
  return { ok: true, rule };
}

const quote = (s: string) => `“${s}”`;

/** One line saying what a rule listens for, for the rules list. */
export function describeRule(rule: Pick<RuleInput, 'when' | 'silence' | 'unanswered' | 'digest' | 'actions'>): string {
  const acts = (rule.actions ?? []).filter((a): a is HttpAction => a.type === 'http');
  const suffix = acts.length ? ` → ${acts.map((a) => (a.preset ? a.preset : 'http')).join(', ')}` : '';
  return describeTrigger(rule) + suffix;
}

function describeTrigger(rule: Pick<RuleInput, 'when' | 'silence' | 'unanswered' | 'digest'>): string {
  if (rule.digest) return rule.digest.every === 'day' ? `digest every day at ${rule.digest.at}` : 'digest every hour';
  if (rule.unanswered) {
    const hours = rule.unanswered.from && rule.unanswered.to ? ` of working hours (${rule.unanswered.from}–${rule.unanswered.to})` : '';
    return `no answer ${rule.unanswered.minutes} min${hours} after: ${describeWhen(rule.when)}`;
  }
  if (rule.silence) {
    const hours = rule.silence.from && rule.silence.to ? ` between ${rule.silence.from} and ${rule.silence.to}` : '';
    return `no incoming message for ${rule.silence.minutes} min${hours}`;
  }
  return describeWhen(rule.when);
}

export function describeWhen(w: RuleWhen): string {
  const parts: string[] = [];
  if (w.kind?.length) parts.push(w.kind.join('/'));
  if (w.status?.length) parts.push(`status ${w.status.join('/')}`);
  if (w.provider?.length) parts.push(`via ${w.provider.join('/')}`);
  if (w.contact) parts.push(`contact ${w.contact}`);
  if (w.contactName) parts.push(`name ${quote(w.contactName)}`);
  if (w.text) parts.push(`text ${quote(w.text)}`);
  if (w.textRegex) parts.push(`regex /${w.textRegex.length > 40 ? `${w.textRegex.slice(0, 39)}…` : w.textRegex}/`);
  if (w.errorCode?.length) parts.push(`error ${w.errorCode.join(', ')}`);
  if (w.messageType?.length) parts.push(`type ${w.messageType.join('/')}`);
  if (w.signature?.length) parts.push(`signature ${w.signature.join('/')}`);
  if (w.leadReply != null) parts.push(w.leadReply ? 'lead reply' : 'not a lead reply');
  if (w.signal?.length) parts.push(w.signal.map((s) => SIGNAL_LABELS[s] ?? s).join(' or '));
  if (w.any?.length) parts.push(`any of (${w.any.map(describeWhen).join(' | ')})`);
  return parts.length ? parts.join(' · ') : 'every event';
}

/** Adds or removes one value of a toggled list, keeping the order of `all`. */
export function toggleIn<T extends string>(list: readonly T[], value: T, all: readonly T[]): T[] {
  const has = list.includes(value);
  return all.filter((v) => (v === value ? !has : list.includes(v)));
}
