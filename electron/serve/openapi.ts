// The control API described as OpenAPI 3.1 (docs/api.md "Described: OpenAPI"), generated from the route
// table (routes.ts) and the contract's own zod schemas (shared/ipc.ts): nothing here is written by hand per
// route, so a route added to the table is described by that alone. Served at GET /api/openapi.json and kept
// in docs/openapi.json (`npm run openapi`; a test says when the committed file is stale).
import { z } from 'zod';
import { REQUEST_CHANNELS, requestSchemas, type RequestChannel } from '../../shared/ipc';
import { ERROR_MESSAGES } from '../../shared/errors';
import { CHANNEL_ROLE } from '../../shared/roles';
import { ALL_ROUTES, CONTRACT_ROUTES, pathParams, type ContractRoute, type RouteDoc } from './routes';
import { readVersion } from '../core/version';

type Json = Record<string, unknown>;

export class UndescribedRouteError extends Error {}

/** A zod schema as JSON Schema 2020-12 (OpenAPI 3.1's dialect), its shared definitions moved to components. */
function toSchema(schema: z.ZodTypeAny, name: string, components: Record<string, Json>): Json {
  // `io: 'input'`: what a client sends (before defaults and coercion); preprocessors are described by their
  // target type (comma lists are also accepted as arrays).
  const out = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', cycles: 'ref', reused: 'inline' }) as Json;
  delete out.$schema;
  const defs = (out.$defs ?? {}) as Record<string, Json>;
  delete out.$defs;
  const rename = (key: string) => `${name}_${key.replace(/^_+/, '').replace(/[^A-Za-z0-9_.-]/g, '_')}`;
  const fix = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(fix);
    if (v && typeof v === 'object') {
      const o: Json = {};
      for (const [k, x] of Object.entries(v)) {
        o[k] = k === '$ref' && typeof x === 'string' && x.startsWith('#/$defs/') ? `#/components/schemas/${rename(x.slice(8))}` : fix(x);
      }
      return o;
    }
    return v;
  };
  for (const [k, d] of Object.entries(defs)) components[rename(k)] = fix(d) as Json;
  return fix(out) as Json;
}

/** The object schema behind a channel's arguments (optional wrappers removed), or null when it takes none. */
function objectOf(schema: z.ZodTypeAny | null | undefined): z.ZodObject | null {
  let s: z.ZodTypeAny | undefined | null = schema;
  while (s && (s instanceof z.ZodOptional || s instanceof z.ZodNullable || s instanceof z.ZodDefault)) s = s.unwrap() as z.ZodTypeAny;
  return s instanceof z.ZodObject ? s : null;
}

function without(o: z.ZodObject | null, keys: string[]): z.ZodObject | null {
  if (!o) return null;
  const drop = Object.fromEntries(keys.filter((k) => k in o.shape).map((k) => [k, true as const]));
  return Object.keys(drop).length ? o.omit(drop as never) : o;
}

function operationId(method: string, path: string): string {
  const words = path.replace(/^\/api\//, '').split(/[/{}.:-]+/).filter(Boolean);
  return method.toLowerCase() + words.map((w) => w[0].toUpperCase() + w.slice(1)).join('');
}

function describe(r: RouteDoc, components: Record<string, Json>): Json {
  if (!r.summary || !r.summary.trim()) throw new UndescribedRouteError(`${r.method} ${r.path} has no summary in the route table`);
  const channel = (r as Partial<ContractRoute>).channel;
  const params = pathParams(r.path);
  const argSchema = channel ? requestSchemas[channel] : null;
  const name = operationId(r.method, r.path);
  const parameters: Json[] = params.map((p) => ({ name: p, in: 'path', required: true, schema: { type: 'string' } }));
  const query = r.query === null ? null : r.query ?? (channel && (r.method === 'GET' || r.method === 'DELETE') ? without(objectOf(argSchema), params) : null);
  if (query) {
    const js = toSchema(query, name, components);
    const props = (js.properties ?? {}) as Record<string, Json>;
    const required = new Set((js.required ?? []) as string[]);
    for (const [p, schema] of Object.entries(props)) {
      // Lists travel comma-separated (`status=read,failed`), docs/api.md section 2.
      const list = schema.type === 'array' ? { style: 'form', explode: false } : {};
      parameters.push({ name: p, in: 'query', required: required.has(p), schema, ...list });
    }
  }
  const op: Json = {
    operationId: name,
    summary: r.summary.trim(),
    ...(channel ? { description: `Contract channel \`${channel}\` (least role: ${CHANNEL_ROLE[channel]}).`, tags: [channel.split(':')[0]] } : { tags: [r.path.split('/')[2]] }),
    ...(parameters.length ? { parameters } : {}),
  };
  const body = r.body === null ? null : r.body ?? (channel && (r.method === 'POST' || r.method === 'PUT') ? (without(objectOf(argSchema), params) ?? argSchema) : null);
  if (r.rawBody) op.requestBody = { required: true, description: r.rawBody, content: { 'application/octet-stream': { schema: {} } } };
  else if (body) op.requestBody = { content: { 'application/json': { schema: toSchema(body, name, components) } } };
  const answer = r.answer ?? 'json';
  const content = answer === 'sse' ? { 'text/event-stream': { schema: { type: 'string' } } }
    : answer === 'text' ? { 'text/plain': { schema: { type: 'string' } } }
    : answer === 'stream' ? { 'application/x-ndjson': { schema: { type: 'string' } }, 'text/csv': { schema: { type: 'string' } }, 'application/json': { schema: {} } }
    : { 'application/json': { schema: {} } };
  op.responses = {
    [String(r.status ?? 200)]: { description: r.summary.trim(), content },
    default: { $ref: '#/components/responses/Error' },
  };
  return op;
}

/** The whole document. `routes` defaults to the server's table (tests pass their own). */
export function openApiDocument(routes: readonly RouteDoc[] = ALL_ROUTES, version = readVersion()): Json {
  const components: Record<string, Json> = {
    AppError: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string', enum: Object.keys(ERROR_MESSAGES) }, message: { type: 'string' } },
    },
  };
  const paths: Record<string, Record<string, Json>> = {};
  for (const r of routes) {
    if (r.path === '/api/rpc/{channel}') continue; // one path per channel, below
    (paths[r.path] ??= {})[r.method.toLowerCase()] = describe(r, components);
  }
  // The envelope route, once per channel so each gets its own argument schema; summaries come from the REST
  // route over the same channel when there is one.
  const rpc = routes.find((r) => r.path === '/api/rpc/{channel}');
  if (rpc) {
    for (const channel of REQUEST_CHANNELS) {
      const rest = CONTRACT_ROUTES.find((c) => c.channel === channel);
      const path = `/api/rpc/${channel}`;
      const op = describe({ method: 'POST', path, summary: rest?.summary ?? `The ${channel} contract channel`, body: requestSchemas[channel as RequestChannel] }, components);
      op.operationId = `rpc_${channel.replace(/[^A-Za-z0-9]+/g, '_')}`;
      op.description = `${rpc.summary}. Contract channel \`${channel}\` (least role: ${CHANNEL_ROLE[channel]}); answers \`{ ok: true, value }\` or \`{ ok: false, error }\`.`;
      op.tags = ['rpc'];
      (op.responses as Json)['200'] = { description: 'The envelope', content: { 'application/json': { schema: { $ref: '#/components/schemas/Envelope' } } } };
      paths[path] = { post: op };
    }
    components.Envelope = {
      oneOf: [
        { type: 'object', required: ['ok', 'value'], properties: { ok: { const: true }, value: {} } },
        { type: 'object', required: ['ok', 'error'], properties: { ok: { const: false }, error: { $ref: '#/components/schemas/AppError' } } },
      ],
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Hookscope control API',
      version,
      description: 'The control API of `npm run serve` and team servers (docs/api.md). Every route needs the UI token or a per-user token, as `Authorization: Bearer TOKEN` or `?token=`.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: 'http://127.0.0.1:4751', description: '`npm run serve` with its default --ui-port' }],
    security: [{ bearer: [] }, { queryToken: [] }],
    paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b))),
    components: {
      schemas: Object.fromEntries(Object.entries(components).sort(([a], [b]) => a.localeCompare(b))),
      responses: {
        Error: {
          description: 'An error: `{ "error": { "code", "message" } }` with a 4xx or 5xx status',
          content: { 'application/json': { schema: { type: 'object', required: ['error'], properties: { error: { $ref: '#/components/schemas/AppError' } } } } },
        },
      },
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer' },
        queryToken: { type: 'apiKey', in: 'query', name: 'token' },
      },
    },
  };
}
