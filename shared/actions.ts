// Rule actions, the pure half: body templates filled from an event, the presets for team chats and
// catch hooks, validation, and the sample event the Test button sends. No Node, no DOM: the rule editor
// previews a body with exactly this code, and the core sends what it renders. Signing (HMAC) and sending
// are the core's (electron/core/rules/action-sender.ts).
//
// Template syntax: `{field}` inserts the value as text (an object as JSON), `{field|json}` inserts it as a
// JSON value (quoted and escaped string, number, null, object), `{field|slack}` escapes &, < and > the way
// Slack's mrkdwn wants (so a customer's "<http://evil|click>" stays text). Filters chain left to right:
// `{message|slack|json}`. Anything else in braces (JSON's own `{"a": 1}`) is left alone.
import type { HookEvent, HttpAction, RuleAction } from './types';

export const HTTP_METHODS = ['POST', 'PUT', 'PATCH', 'GET'] as const;
export const ACTION_PRESET_IDS = ['slack', 'discord', 'teams', 'json'] as const;
export type ActionPresetId = (typeof ACTION_PRESET_IDS)[number];

/** Fields every event-driven body can use (docs/api.md: names, plus the rule's own rendered text). */
export const EVENT_BODY_FIELDS = [
  'id', 'requestId', 'provider', 'kind', 'status', 'providerStatus', 'messageId', 'contactId', 'contactName', 'businessId',
  'messageType', 'text', 'replyTo', 'errorCode', 'errorTitle', 'errorDetail', 'timestamp', 'receivedAt', 'receivedAtIso',
  'signature', 'event', 'ruleId', 'ruleName', 'title', 'body', 'message', 'minutes',
] as const;
/** Extra fields of a digest's body. */
export const DIGEST_BODY_FIELDS = ['period', 'since', 'until', 'failed', 'failedByCode', 'leadsReplied', 'unanswered', 'summary'] as const;
const FIELD_SET = new Set<string>([...EVENT_BODY_FIELDS, ...DIGEST_BODY_FIELDS]);
const FILTERS = new Set(['json', 'slack']);
const PLACEHOLDER = /\{(\w+)((?:\|\w+)*)\}/g;

export const MAX_ACTIONS = 5;
export const DEFAULT_TIMEOUT_MS = 10_000;
/** Headers the client computes or that would change what the target sees of the connection. */
const FORBIDDEN_HEADERS = new Set(['host', 'content-length', 'connection', 'transfer-encoding', 'keep-alive', 'upgrade', 'te', 'trailer', 'expect', 'x-hookscope-signature']);

export const ACTION_PRESETS: { id: ActionPresetId; name: string; hint: string; action: Omit<HttpAction, 'url'> }[] = [
  {
    id: 'slack', name: 'Slack incoming webhook',
    hint: 'Slack → Apps → Incoming Webhooks → Add to a channel; paste the https://hooks.slack.com/services/… URL.',
    action: { type: 'http', preset: 'slack', method: 'POST', headers: { 'content-type': 'application/json' },
      body: '{"text": {message|slack|json}}' },
  },
  {
    id: 'discord', name: 'Discord webhook',
    hint: 'Channel settings → Integrations → Webhooks → New webhook → Copy webhook URL.',
    // allowed_mentions: a customer writing "@everyone" must not ping the whole server.
    action: { type: 'http', preset: 'discord', method: 'POST', headers: { 'content-type': 'application/json' },
      body: '{"content": {message|json}, "allowed_mentions": {"parse": []}}' },
  },
  {
    id: 'teams', name: 'Microsoft Teams (Workflows webhook)',
    hint: 'In the channel: Workflows → "Post to a channel when a webhook request is received"; paste its URL.',
    action: { type: 'http', preset: 'teams', method: 'POST', headers: { 'content-type': 'application/json' },
      body: '{"type": "message", "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": null, "content": {"$schema": "http://adaptivecards.io/schemas/adaptive-card.json", "type": "AdaptiveCard", "version": "1.4", "body": [{"type": "TextBlock", "text": {title|json}, "weight": "Bolder", "wrap": true}, {"type": "TextBlock", "text": {body|json}, "wrap": true}]}}]}' },
  },
  {
    id: 'json', name: 'Generic JSON (Zapier, Make, n8n, a CRM)',
    hint: 'A catch hook / webhook trigger URL; it receives the rule, its text and the whole event as JSON.',
    action: { type: 'http', preset: 'json', method: 'POST', headers: { 'content-type': 'application/json' },
      body: '{"rule": {ruleName|json}, "title": {title|json}, "body": {body|json}, "event": {event|json}}' },
  },
];

/** A made-up incoming message for the Test button: obviously a test, never a real customer. */
export const SAMPLE_EVENT: HookEvent = {
  id: 0, requestId: 0, receivedAt: 0, provider: 'meta', kind: 'message', status: 'incoming', providerStatus: null,
  messageId: 'wamid.HOOKSCOPE_TEST', contactId: '15550001234', contactName: 'Test Lead (Hookscope)', businessId: '15550000000',
  messageType: 'text', text: 'This is a test message sent by Hookscope’s Test button.', replyTo: null,
  errorCode: null, errorTitle: null, errorDetail: null, timestamp: null, signature: 'valid', duplicate: false,
};

/** The values a body can use for one event; `extra` carries the rule's rendered text and digest figures. */
export function eventFields(ev: HookEvent | null, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (ev) {
    const { raw: _raw, details: _details, ...plain } = ev;
    Object.assign(out, plain, { event: plain, receivedAtIso: new Date(ev.receivedAt).toISOString() });
  }
  Object.assign(out, extra);
  if (out.message === undefined && (out.title !== undefined || out.body !== undefined)) {
    out.message = [out.title, out.body].filter((x) => typeof x === 'string' && x !== '').join('\n');
  }
  return out;
}

function asText(v: unknown): string {
  if (v == null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/** Fills `{field}`, `{field|json}`, `{field|slack}` (see the header). Unknown fields stay as written. */
export function renderBody(tpl: string, fields: Record<string, unknown>): string {
  return tpl.replace(PLACEHOLDER, (whole, name: string, filterText: string) => {
    if (!FIELD_SET.has(name)) return whole;
    let v: unknown = fields[name] ?? null;
    const filters = filterText.split('|').filter(Boolean);
    let isJson = false;
    for (const f of filters) {
      if (f === 'slack') v = asText(v).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
      else if (f === 'json') { v = JSON.stringify(v === undefined ? null : v); isJson = true; }
    }
    return isJson ? (v as string) : asText(v);
  });
}

/**
 * Splits an http(s) URL without the URL global (shared/ has neither Node's nor the DOM's): enough to
 * validate a target and to show it redacted. The core re-parses with WHATWG URL before sending.
 */
export function parseHttpUrl(url: string): { protocol: string; userinfo: string; host: string; path: string; query: string } | null {
  const m = /^(https?):\/\/(?:([^@/?#]*)@)?(\[[0-9a-fA-F:.]+\]|[^/?#:@\s]+)(?::(\d{1,5}))?([^?#\s]*)(\?[^#\s]*)?(#\S*)?$/i.exec(url.trim());
  if (!m) return null;
  return { protocol: m[1].toLowerCase(), userinfo: m[2] ?? '', host: m[3] + (m[4] ? `:${m[4]}` : ''), path: m[5] || '/', query: m[6] ?? '' };
}

/** Keeps a URL recognisable without its secret parts: chat webhook URLs carry their token in the path. */
export function redactUrl(url: string): string {
  const u = parseHttpUrl(url);
  if (!u) return '(invalid URL)';
  const segs = u.path.split('/').filter(Boolean);
  const shown = segs.length > 1 ? `/${segs[0]}/…` : segs.length === 1 && segs[0].length > 24 ? '/…' : u.path;
  return `${u.protocol}://${u.host}${shown}${u.query ? '?…' : ''}`;
}

/** The first problem with a rule's actions, as "actions[i].field: what to change", or null. */
export function actionsProblem(actions: RuleAction[], opts: { digest: boolean }): string | null {
  if (actions.length > MAX_ACTIONS) return `actions: at most ${MAX_ACTIONS} per rule`;
  if (actions.length === 0) return 'actions: give at least one action (notify or http), or leave actions out to notify';
  let notifies = 0;
  for (let i = 0; i < actions.length; i++) {
    const a = actions[i];
    const at = `actions[${i}]`;
    if (a.type === 'notify') { if (++notifies > 1) return `${at}: one notify action is enough`; continue; }
    if (!/^https?:\/\//i.test(a.url.trim())) return `${at}.url: only http:// and https:// targets; give the full https://… address`;
    const u = parseHttpUrl(a.url);
    if (!u) return `${at}.url: not a URL; give the full https://… address`;
    if (u.userinfo) return `${at}.url: put credentials in a header, not in the URL`;
    for (const [k, v] of Object.entries(a.headers ?? {})) {
      if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(k)) return `${at}.headers: "${k}" is not a valid header name`;
      if (FORBIDDEN_HEADERS.has(k.toLowerCase())) return `${at}.headers: ${k} is set by Hookscope itself`;
      if (/[\r\n\0]/.test(v)) return `${at}.headers.${k}: line breaks are not allowed in a header value`;
    }
    const body = a.body ?? '';
    if ((a.method ?? 'POST') === 'GET' && body !== '') return `${at}.body: a GET request has no body; use POST or clear the body`;
    for (const m of body.matchAll(PLACEHOLDER)) {
      const allowed = opts.digest ? DIGEST_BODY_FIELDS.includes(m[1] as never) || ['ruleId', 'ruleName', 'title', 'body', 'message'].includes(m[1])
        : (EVENT_BODY_FIELDS as readonly string[]).includes(m[1]);
      if (!allowed) {
        const list = opts.digest ? [...DIGEST_BODY_FIELDS, 'ruleName', 'title', 'body', 'message'] : EVENT_BODY_FIELDS;
        return `${at}.body: unknown field {${m[1]}}; use ${list.map((f) => `{${f}}`).join(', ')}`;
      }
      for (const f of m[2].split('|').filter(Boolean)) {
        if (!FILTERS.has(f)) return `${at}.body: unknown filter |${f} in ${m[0]}; use |json or |slack`;
      }
    }
  }
  return null;
}

/** A rule's actions, with the default for a rule that names none: a desktop notification. */
export function actionsOf(rule: { actions?: RuleAction[] | null }): RuleAction[] {
  return rule.actions && rule.actions.length > 0 ? rule.actions : [{ type: 'notify' }];
}

// ---------------------------------------------------------------------------------------------
// Credentials are write-only (docs/api.md "Rules"): reads never carry an action's header values or the
// secret part of its URL; a rule sent back with them masked keeps the stored ones.

/** What a hidden header value reads as; sent back unchanged it keeps the stored value. */
export const MASKED_VALUE = '********';
/** Header values that are never credentials, shown as they are. */
const PLAIN_HEADERS = new Set(['content-type', 'accept']);

/** An http action as an admin reads it: header values masked, the URL without its secret parts. */
export function maskAction(a: HttpAction): HttpAction {
  const headers = a.headers ? Object.fromEntries(Object.entries(a.headers).map(([k, v]) => [k, PLAIN_HEADERS.has(k.toLowerCase()) ? v : MASKED_VALUE])) : a.headers;
  return { ...a, url: redactUrl(a.url), ...(headers ? { headers } : {}) };
}

/** An http action as a viewer reads it: the target's host only, header values masked. */
export function hostOnlyAction(a: HttpAction): HttpAction {
  const u = parseHttpUrl(a.url);
  return { ...maskAction(a), url: u ? `${u.protocol}://${u.host}/…` : '(invalid URL)' };
}

export function maskActions<R extends { actions?: RuleAction[] | null }>(rule: R, how: (a: HttpAction) => HttpAction = maskAction): R {
  if (!rule.actions) return rule;
  return { ...rule, actions: rule.actions.map((a) => (a.type === 'http' ? how(a) : a)) };
}

/**
 * Puts the stored credentials back into an action sent with them masked: the URL shown (redacted) means
 * the stored URL, a masked header value the stored value of that header — only while the URL stays the
 * stored one, so a kept credential never goes to a target it was not meant for. Returns the problem as
 * "field: what to do" when a masked value cannot be kept.
 */
export function unmaskAction(a: HttpAction, stored: HttpAction | undefined, at: string): HttpAction | string {
  const sameUrl = stored != null && (a.url === stored.url || a.url === redactUrl(stored.url));
  const url = sameUrl ? stored!.url : a.url;
  if (!sameUrl && a.url.includes('…')) return `${at}.url: the address is hidden; enter the whole URL again`;
  if (!a.headers) return { ...a, url };
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(a.headers)) {
    if (v !== MASKED_VALUE) { headers[k] = v; continue; }
    const kept = sameUrl ? Object.entries(stored!.headers ?? {}).find(([sk]) => sk.toLowerCase() === k.toLowerCase())?.[1] : undefined;
    if (kept === undefined) return `${at}.headers.${k}: the value is hidden; enter it again${sameUrl ? '' : ' (the URL changed)'}`;
    headers[k] = kept;
  }
  return { ...a, url, headers };
}
