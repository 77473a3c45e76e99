// The control API's route table (docs/api.md, section 2): every path `serve` answers under /api/, with the
// words that describe it. The server matches requests against this table and nothing else — a path missing
// here is a 404 — and the OpenAPI document (GET /api/openapi.json, docs/openapi.json) is generated from it
// and from the contract's zod schemas (shared/ipc.ts), so a route cannot be served without being described.
import { z } from 'zod';
import { eventFilterSchema, requestSchemas, type RequestChannel } from '../../shared/ipc';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** What a route answers, for the description. */
export type Answer = 'json' | 'text' | 'stream' | 'sse';

export interface RouteDoc {
  method: HttpMethod;
  /** OpenAPI path template: `/api/events/{id}`; a `{name}` segment matches any one non-empty segment. */
  path: string;
  /** One line saying what the route does (required: it becomes the operation's summary). */
  summary: string;
  /**
   * Query parameters. Contract routes default to the channel's argument schema (minus path parameters) for
   * GET and DELETE; `null` says the route takes none.
   */
  query?: z.ZodObject | null;
  /** The JSON body. Contract routes default to the channel's argument schema (minus path parameters) for POST and PUT. */
  body?: z.ZodTypeAny | null;
  /** A raw body instead of JSON (import: the file). */
  rawBody?: string;
  answer?: Answer;
  /** Success status when not 200. */
  status?: number;
}

export interface RouteMatch { params: Record<string, string>; query: Record<string, string>; body: unknown }

/** A REST route over one contract channel: its arguments are built from the path, the query and the body. */
export interface ContractRoute extends RouteDoc {
  channel: RequestChannel;
  args(m: RouteMatch): unknown;
}

/** A route handled by the server itself (live stream, tokens, power tools…), named by `id`. */
export interface ServerRoute<Id extends string = string> extends RouteDoc {
  id: Id;
}

const q = (m: RouteMatch) => m.query;
const none = () => undefined;

/** REST routes of docs/api.md, each mapped onto a contract channel (the first match wins). */
export const CONTRACT_ROUTES: readonly ContractRoute[] = [
  { method: 'GET', path: '/api/events', channel: 'events:list', summary: 'Events, newest first, under the feed\'s filters', args: q },
  { method: 'GET', path: '/api/events/{id}', channel: 'events:get', summary: 'One event with raw, details and its request', args: (m) => ({ id: m.params.id }) },
  { method: 'GET', path: '/api/messages', channel: 'messages:list', summary: 'The Messages view: one row per message, newest activity first', args: q },
  { method: 'GET', path: '/api/messages/{messageId}', channel: 'messages:get', summary: 'A message\'s lifecycle', args: (m) => ({ ...m.query, messageId: m.params.messageId }) },
  { method: 'GET', path: '/api/message-stats', channel: 'messages:stats', summary: 'The Messages view\'s counts: messages (one per message id), not events, under a filter', args: q },
  { method: 'GET', path: '/api/contacts/{contactId}/thread', channel: 'contacts:thread', summary: 'A contact\'s conversation and 24-hour window', args: (m) => ({ contactId: m.params.contactId, ...m.query }) },
  { method: 'GET', path: '/api/contacts/{contactId}/footprint', channel: 'contacts:forget', summary: 'What forgetting a contact would erase (counts only)', query: null, args: (m) => ({ contactId: m.params.contactId, dryRun: true }) },
  { method: 'DELETE', path: '/api/contacts/{contactId}', channel: 'contacts:forget', summary: 'Erase everything stored about one contact', args: (m) => ({ contactId: m.params.contactId, dryRun: m.query.dryRun }) },
  { method: 'GET', path: '/api/stats', channel: 'stats:get', summary: 'Counts by status, error code and kind under a filter', args: q },
  { method: 'GET', path: '/api/rules', channel: 'rules:list', summary: 'The rules', args: none },
  { method: 'POST', path: '/api/rules', channel: 'rules:create', summary: 'Create a rule', status: 201, args: (m) => m.body },
  { method: 'POST', path: '/api/rules/preview', channel: 'rules:preview', summary: 'Check a rule and count what it would have fired', args: (m) => m.body },
  { method: 'POST', path: '/api/rules/test', channel: 'rules:test', summary: 'Send an unsaved rule\'s http actions once with the sample event', body: z.unknown(), args: (m) => ({ rule: m.body }) },
  { method: 'POST', path: '/api/rules/{id}/test', channel: 'rules:test', summary: 'Send a saved rule\'s http actions once with the sample event (optionally as edited in the body)', body: z.unknown(), args: (m) => ({ id: m.params.id, ...(m.body ? { rule: m.body } : {}) }) },
  { method: 'PUT', path: '/api/rules/{id}', channel: 'rules:update', summary: 'Replace a rule', body: requestSchemas['rules:create'], args: (m) => ({ id: m.params.id, rule: m.body }) },
  { method: 'DELETE', path: '/api/rules/{id}', channel: 'rules:delete', summary: 'Delete a rule', args: (m) => ({ id: m.params.id }) },
  { method: 'GET', path: '/api/views', channel: 'views:list', summary: 'Saved views: a name, a filter, a search and columns', args: none },
  { method: 'POST', path: '/api/views', channel: 'views:create', summary: 'Save a view', status: 201, args: (m) => m.body },
  { method: 'PUT', path: '/api/views/{id}', channel: 'views:update', summary: 'Change a saved view (any of its fields; `isDefault` makes it the one opened at start)', body: (requestSchemas['views:create'] as z.ZodObject).partial(), args: (m) => ({ id: m.params.id, view: m.body }) },
  { method: 'DELETE', path: '/api/views/{id}', channel: 'views:delete', summary: 'Delete a saved view', args: (m) => ({ id: m.params.id }) },
  { method: 'GET', path: '/api/businesses', channel: 'businesses:list', summary: 'The business numbers webhooks arrived for, with the names given to them', args: none },
  { method: 'PUT', path: '/api/businesses/{businessId}', channel: 'businesses:name', summary: 'Name a business number (`{ "name": null }` clears it)', body: z.object({ name: z.string().nullable() }), args: (m) => ({ businessId: m.params.businessId, name: (m.body as { name?: unknown } | null)?.name ?? null }) },
  { method: 'GET', path: '/api/forwards', channel: 'forwards:summary', summary: 'Each forward target\'s outbox: queued, retrying, delivered, given up, oldest waiting, last error', args: none },
  { method: 'POST', path: '/api/forwards/retry', channel: 'forwards:retry', summary: 'Send what waits for a retry now and queue again what was given up (one target or all)', args: (m) => m.body ?? undefined },
  { method: 'POST', path: '/api/forwards/drop', channel: 'forwards:drop', summary: 'Give up what waits (one target or all)', args: (m) => m.body ?? undefined },
  { method: 'GET', path: '/api/notifications', channel: 'notifications:list', summary: 'Notifications fired, newest first', args: q },
  { method: 'GET', path: '/api/deliveries', channel: 'deliveries:list', summary: 'Attempts of rules\' http actions', args: q },
  { method: 'GET', path: '/api/settings', channel: 'settings:get', summary: 'Settings (secrets only say whether they are set)', args: none },
  { method: 'PUT', path: '/api/settings', channel: 'settings:update', summary: 'Change settings', args: (m) => m.body },
  { method: 'GET', path: '/api/tunnel', channel: 'tunnel:get', summary: 'The tunnel\'s state', args: none },
  { method: 'POST', path: '/api/tunnel/start', channel: 'tunnel:start', summary: 'Open the tunnel', args: none },
  { method: 'POST', path: '/api/tunnel/stop', channel: 'tunnel:stop', summary: 'Close the tunnel', args: none },
  { method: 'GET', path: '/api/info', channel: 'app:info', summary: 'Version, mode and receiver address', args: none },
  { method: 'GET', path: '/api/rejected', channel: 'rejected:list', summary: 'The rejected log, newest first', args: q },
  { method: 'POST', path: '/api/rejected/reverify', channel: 'rejected:reverify', summary: 'Re-check the rejected log with the secrets configured now', args: none },
  { method: 'GET', path: '/api/rejected/{id}', channel: 'rejected:get', summary: 'One rejected request', args: (m) => ({ id: m.params.id }) },
  {
    method: 'GET', path: '/api/doctor', channel: 'doctor:get', summary: 'The setup doctor\'s findings',
    query: z.object({ selfCheck: z.enum(['1', 'true', '0', 'false']).optional() }),
    args: (m) => ({ selfCheck: m.query.selfCheck === '1' || m.query.selfCheck === 'true' }),
  },
  { method: 'POST', path: '/api/replay/{requestId}', channel: 'replay:send', summary: 'Send a stored request again (edited or not) through the receiver or to a target', args: (m) => ({ ...((m.body as object) ?? {}), requestId: m.params.requestId }) },
  { method: 'GET', path: '/api/health', channel: 'health:list', summary: 'Health checks: each preset\'s state (ok / firing since), value, chart and fired/recovered history, evaluated now', args: none },
  { method: 'PUT', path: '/api/health/{id}', channel: 'health:update', summary: 'Turn a health check on or off and change its parameters', body: (requestSchemas['health:update'] as z.ZodObject).omit({ id: true }), args: (m) => ({ ...((m.body as object) ?? {}), id: m.params.id }) },
  { method: 'POST', path: '/api/simulate', channel: 'simulate:send', summary: 'Send signed, provider-shaped simulated webhooks through the receiver', args: (m) => m.body },
];

const filterQuery = eventFilterSchema;

/** Routes of electron/serve/power-routes.ts: streams, files and plain text rather than contract channels. */
export const POWER_ROUTES = [
  {
    id: 'export', method: 'GET', path: '/api/export', answer: 'stream', summary: 'The filtered events (or requests) as a download: NDJSON, CSV or HAR',
    query: filterQuery.extend({ format: z.enum(['ndjson', 'ndjson-requests', 'csv', 'har']).optional(), formulaGuard: z.enum(['0', '1']).optional(), redact: z.enum(['0', '1']).optional() }),
  },
  { id: 'curl', method: 'GET', path: '/api/requests/{id}/curl', answer: 'text', summary: 'A shell-escaped curl command that sends a stored request\'s exact bytes again (`redact=1`: as privacy mode shows it, unsigned)', query: z.object({ redact: z.enum(['0', '1']).optional() }) },
  { id: 'stats-extra', method: 'GET', path: '/api/stats/extra', summary: 'Delivery funnel, errors by code, events per minute, handler latency', query: requestSchemas['stats:extra'] as z.ZodObject },
  { id: 'import', method: 'POST', path: '/api/import', summary: 'Import a HAR or NDJSON file (not forwarded)', query: z.object({ format: z.enum(['har', 'ndjson']).optional() }), rawBody: 'the file' },
  { id: 'replay-filtered', method: 'POST', path: '/api/replay', summary: 'Replay every request behind an event filter', query: filterQuery.extend({ target: z.string().optional() }) },
  { id: 'compact', method: 'POST', path: '/api/compact', summary: 'Compact the database now', query: z.object({ force: z.enum(['0', '1']).optional() }) },
] as const satisfies readonly ServerRoute[];

/** Routes control-api.ts answers itself. */
export const SERVER_ROUTES = [
  { id: 'live', method: 'GET', path: '/api/live', answer: 'sse', summary: 'The live stream (server-sent events): one frame per push, `event: <channel>`, `data: <JSON>`', query: null },
  { id: 'me', method: 'GET', path: '/api/me', summary: 'Who the token is: role and name', query: null },
  { id: 'openapi', method: 'GET', path: '/api/openapi.json', summary: 'This description of the control API (OpenAPI 3.1)', query: null },
  { id: 'tokens-list', method: 'GET', path: '/api/tokens', summary: 'Per-user tokens: names, roles, created, last used (never the tokens)', query: null },
  { id: 'tokens-add', method: 'POST', path: '/api/tokens', status: 201, summary: 'Make a per-user token (shown this once)', body: z.object({ name: z.string(), role: z.enum(['viewer', 'admin']) }) },
  { id: 'tokens-revoke', method: 'DELETE', path: '/api/tokens/{idOrName}', summary: 'Revoke a per-user token; its open live streams end', query: null },
  { id: 'ui-token-rotate', method: 'POST', path: '/api/ui-token/rotate', summary: 'Replace the UI token; the old one is refused from now on', body: null },
  { id: 'rpc', method: 'POST', path: '/api/rpc/{channel}', summary: 'Any contract channel: the body is its arguments, the answer its envelope', body: z.unknown() },
] as const satisfies readonly ServerRoute[];

export type ServerRouteId = (typeof SERVER_ROUTES)[number]['id'] | (typeof POWER_ROUTES)[number]['id'];

/** Every route, for matching and for the description. */
export const ALL_ROUTES: readonly RouteDoc[] = [...SERVER_ROUTES, ...POWER_ROUTES, ...CONTRACT_ROUTES];

/** Path parameters of a template, in order. */
export function pathParams(path: string): string[] {
  return [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
}

/** The template's parameters when `path` (already split and decoded) fits it, else null. */
function fit(template: string, seg: string[]): Record<string, string> | null {
  const t = template.split('/').filter(Boolean);
  if (t.length !== seg.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < t.length; i++) {
    const p = /^\{(.+)\}$/.exec(t[i]);
    if (p) { if (seg[i] === '') return null; params[p[1]] = seg[i]; } else if (t[i] !== seg[i]) return null;
  }
  return params;
}

/** Splits a request path into decoded segments (throws URIError on a malformed %-escape). */
export function segments(pathname: string): string[] {
  return pathname.split('/').filter(Boolean).map(decodeURIComponent);
}

/** The first route of `table` answering `method pathname`, with its path parameters. */
export function matchRoute<R extends RouteDoc>(table: readonly R[], method: string, pathname: string): { route: R; params: Record<string, string> } | null {
  const seg = segments(pathname);
  for (const route of table) {
    if (route.method !== method) continue;
    const params = fit(route.path, seg);
    if (params) return { route, params };
  }
  return null;
}

/** Whether some route answers this path with another method (405 rather than 404). */
export function pathKnown(pathname: string): boolean {
  const seg = segments(pathname);
  return ALL_ROUTES.some((r) => fit(r.path, seg) != null);
}
