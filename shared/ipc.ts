// The one contract between the renderer and the core. In the desktop app it travels over Electron
// IPC (electron/main/ipc.ts); under `npm run serve` the same channels are served over HTTP + a live
// stream (electron/headless.ts). Requests are `noun:verb`, pushes are `noun:past-tense`.
import { z } from 'zod';
import type {
  ReplayResult, ForgetResult,
  DeliveryRecord, DoctorFinding, ForwardTargetSummary, EventDetail, EventPage, MessagePage, MessageStats, ImportResult, ReplayManyResult, StatsExtra, HookEvent, MessageLifecycle, NotificationRecord, ReceiverInfo, Rule,
  Provider, SettingsView, Stats, TunnelState, RejectedDetail, RejectedPage, ReverifyResult, Identity, SavedView, BusinessNumber,
} from './types';
import { EVENT_KINDS, EVENT_SIGNALS, EVENT_STATUSES, SIGNATURE_VERDICTS } from './types';
import type { AppError } from './errors';
import { WHERE_MAX_LENGTH, parseWhere } from './where';
import { HEALTH_KINDS, type HealthCheck } from './health';

// ---- argument schemas (validated in main for IPC and in serve for HTTP) ----

const csvOr = <T extends z.ZodTypeAny>(item: T) =>
  z.preprocess((v) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : v), z.array(item));
const num = z.coerce.number().finite();

export const eventFilterSchema = z.object({
  status: csvOr(z.enum(EVENT_STATUSES)).optional(),
  kind: csvOr(z.enum(EVENT_KINDS)).optional(),
  provider: csvOr(z.enum(['meta', 'twilio'])).optional(),
  signature: csvOr(z.enum(SIGNATURE_VERDICTS)).optional(),
  contact: z.string().max(64).optional(),
  q: z.string().max(500).optional(),
  since: num.optional(),
  until: num.optional(),
  messageId: z.string().max(300).optional(),
  // Repeatable in a URL (`where=…&where=…`); each condition is parsed here so bad input is a 400 naming it.
  where: z.preprocess((v) => (typeof v === 'string' ? [v] : v), z.array(z.string().max(WHERE_MAX_LENGTH)).max(50))
    .superRefine((conds, ctx) => {
      try { parseWhere(conds); } catch (err) { ctx.addIssue({ code: z.ZodIssueCode.custom, message: (err as Error).message }); }
    }).optional(),
  businessId: z.string().max(64).optional(),
});

export const listQuerySchema = eventFilterSchema.extend({
  limit: num.int().min(1).max(1000).optional(),
  before: num.int().optional(),
});

export const messagesQuerySchema = eventFilterSchema.extend({
  limit: num.int().min(1).max(500).optional(),
  before: num.int().optional(),
  keys: csvOr(z.string().min(1).max(300)).pipe(z.array(z.string()).max(500)).optional(),
});

const idArg = z.object({ id: num.int().positive() });

export const viewInputSchema = z.object({
  name: z.string().trim().min(1).max(80),
  filter: eventFilterSchema.optional(),
  columns: z.record(z.string().max(32), z.boolean()).nullable().optional(),
  isDefault: z.boolean().optional(),
});

export const ruleWhenSchema: z.ZodType<import('./types').RuleWhen> = z.lazy(() =>
  z.object({
    kind: z.array(z.enum(EVENT_KINDS)).optional(),
    status: z.array(z.enum(EVENT_STATUSES)).optional(),
    provider: z.array(z.enum(['meta', 'twilio'])).optional(),
    contact: z.string().max(200).optional(),
    contactName: z.string().max(200).optional(),
    text: z.string().max(500).optional(),
    textRegex: z.string().max(200).optional(),
    errorCode: z.array(z.string().max(20)).optional(),
    messageType: z.array(z.string().max(40)).optional(),
    signature: z.array(z.enum(SIGNATURE_VERDICTS)).optional(),
    leadReply: z.boolean().optional(),
    signal: z.array(z.enum(EVENT_SIGNALS)).max(EVENT_SIGNALS.length).optional(),
    any: z.array(ruleWhenSchema).max(20).optional(),
  }).strict(),
);

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'use HH:MM (24-hour)');

export const ruleInputSchema = z.object({
  name: z.string().trim().min(1, 'a rule needs a name').max(120),
  enabled: z.boolean().default(true),
  when: ruleWhenSchema,
  throttleSeconds: z.number().int().min(0).max(7 * 86400).optional(),
  quietHours: z.object({ from: hhmm, to: hhmm }).nullable().optional(),
  title: z.string().max(200).default('{contactName}'),
  body: z.string().max(1000).default('{text}'),
  silence: z.object({ minutes: z.number().int().min(1).max(7 * 1440), from: hhmm.optional(), to: hhmm.optional() })
    .nullable().optional(),
  unanswered: z.object({ minutes: z.number().int().min(1).max(7 * 1440), from: hhmm.optional(), to: hhmm.optional() }).strict()
    .nullable().optional(),
  digest: z.object({ every: z.enum(['day', 'hour']), at: hhmm.optional() }).strict().nullable().optional(),
  actionOverflow: z.enum(['digest', 'queue']).optional(),
  actions: z.array(z.discriminatedUnion('type', [
    z.object({ type: z.literal('notify') }).strict(),
    z.object({
      type: z.literal('http'),
      url: z.string().trim().min(1, 'give the target URL').max(2000),
      method: z.enum(['POST', 'PUT', 'PATCH', 'GET']).default('POST'),
      headers: z.record(z.string().max(100), z.string().max(2000)).optional(),
      body: z.string().max(20_000).optional(),
      secret: z.string().max(500).nullable().optional(),
      // Reads carry it; accepted back (and ignored) so a rule read from the API can be PUT as it is.
      secretSet: z.boolean().optional(),
      preset: z.enum(['slack', 'discord', 'teams', 'json']).optional(),
      timeoutMs: z.number().int().min(500).max(60_000).optional(),
    }).strict(),
  ])).max(10).optional(),
});

export const deliveriesQuerySchema = z.object({
  /** `action` (http actions' attempts) or `forward` (forwards to local handlers); both when omitted. */
  kind: z.enum(['action', 'forward']).optional(),
  requestId: num.int().min(0).optional(),
  ruleId: num.int().min(0).optional(),
  eventId: num.int().min(0).optional(),
  limit: num.int().min(1).max(1000).optional(),
});

/** Test a rule's http actions with the sample event: a saved rule by id, or the editor's unsaved rule. */
export const ruleTestSchema = z.object({
  id: num.int().positive().optional(),
  rule: z.unknown().optional(),
});

export const settingsUpdateSchema = z.object({
  metaAppSecret: z.union([z.string(), z.array(z.string())]).nullable().optional(),
  metaVerifyToken: z.string().nullable().optional(),
  twilioAuthToken: z.union([z.string(), z.array(z.string())]).nullable().optional(),
  ngrokAuthtoken: z.string().nullable().optional(),
  forwardTargets: z.array(z.string().url()).max(10).optional(),
  forwardTimeoutMs: z.number().int().min(100).max(120_000).optional(),
  forwardRetry: z.object({
    maxTries: z.number().int().min(1).max(1000).optional(),
    maxAgeMs: z.number().int().min(1000).max(30 * 86_400_000).optional(),
    baseDelayMs: z.number().int().min(10).max(3_600_000).optional(),
  }).strict().optional(),
  publicUrl: z.string().url().nullable().optional(),
  ngrokDomain: z.string().max(253).nullable().optional(),
  retention: z.object({
    days: z.number().int().min(1).nullable().optional(),
    maxEvents: z.number().int().min(100).nullable().optional(),
  }).optional(),
  bodyLimitBytes: z.number().int().min(1024).max(64 * 1024 * 1024).optional(),
  rejectedLogBytes: z.number().int().min(64 * 1024).max(16 * 1024 * 1024 * 1024).optional(),
  rejectedPerMinute: z.number().int().min(1).max(100_000).optional(),
  diskFloorBytes: z.number().int().min(0).max(2 ** 52).optional(),
  secretStorage: z.enum(['memory', 'plain-file']).optional(),
  hideNotificationText: z.boolean().optional(),
  acceptUnsigned: z.object({ meta: z.boolean().optional(), twilio: z.boolean().optional() }).strict().optional(),
}).strict();

/** A health check's parameters (shared/health.ts HEALTH_PRESETS says which each check reads). */
export const healthParamsSchema = z.object({
  minutes: z.number().int().min(1).max(7 * 1440).optional(),
  provider: z.enum(['meta', 'twilio']).nullable().optional(),
  businessId: z.string().trim().min(1).max(64).nullable().optional(),
  from: hhmm.nullable().optional(),
  to: hhmm.nullable().optional(),
  percent: z.number().min(1).max(100).optional(),
  windowMinutes: z.number().int().min(1).max(7 * 1440).optional(),
  minSent: z.number().int().min(1).max(100_000).optional(),
  errorCode: z.string().trim().min(1).max(20).nullable().optional(),
  count: z.number().int().min(1).max(100_000).optional(),
  ruleId: z.number().int().positive().nullable().optional(),
}).strict();

export const healthUpdateSchema = z.object({
  id: z.enum(HEALTH_KINDS),
  enabled: z.boolean().optional(),
  params: healthParamsSchema.optional(),
}).strict();

export const replayArgSchema = z.object({
  requestId: num.int().positive(),
  body: z.string().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  /** `receiver` (default) or a handler URL. */
  target: z.string().optional(),
});

export const simulateArgSchema = z.object({
  kind: z.enum(['message', 'status']),
  provider: z.enum(['meta', 'twilio']).default('meta'),
}).passthrough();

// ---- the map: channel → argument and result types ----

export type { ReplayResult } from './types';

export interface SimulateResult {
  sent: number;
  statuses: number[];
  requestIds: number[];
}

export interface RulePreview {
  valid: boolean;
  error: string | null;
  /** Whether the rule matches the selected event; null when no event was given. */
  matches: boolean | null;
  /** How many notifications it would have fired over the window (default the last 24 h). */
  wouldHaveFired: number;
}

export interface RuleTestResult {
  /** One per http action of the rule, in order. */
  results: { actionIndex: number; url: string; status: number | null; durationMs: number; error: string | null; excerpt: string | null }[];
}

export interface AppInfo {
  version: string;
  mode: 'desktop' | 'serve';
  receiver: ReceiverInfo;
  dataDir?: string;
  /** Set when this process is part of a team server (serve --database postgres://…). */
  team?: TeamStatus;
}

/** A team server's shared database: where (host:port/database, never the password) and whether it answers. */
export interface TeamStatus {
  database: string;
  connected: boolean;
  /**
   * Set while this process's live copy is held back: requests committed in the shared database wait
   * because a transaction elsewhere in the PostgreSQL cluster holds a transaction id open
   * (docs/architecture.md "Team mode"). Absent when the copy keeps up. shared/team-held-back.ts words it.
   */
  heldBack?: TeamHeldBack;
}

/** A team's live copy held back, and by what (never the query text: it can hold customer data). */
export interface TeamHeldBack {
  /** When this process first saw committed requests waiting (ms since epoch). */
  since: number;
  /** Requests committed and waiting for the horizon, when it was last checked. */
  waiting: number;
  /** The transaction holding the horizon, or null when none could be seen. */
  holder: TeamHorizonHolder | null;
}

export interface TeamHorizonHolder {
  /** The server process id (pg_terminate_backend(pid) ends it); null for a prepared transaction. */
  pid: number | null;
  /** The PostgreSQL role it runs as. */
  user: string | null;
  /** Its application_name (psql, a program's name…), cut to 64 characters. */
  application: string | null;
  /** The database it is connected to (any database of the same PostgreSQL server holds the horizon). */
  database: string | null;
  /** Client address (IP), null for a local socket or when hidden. */
  client: string | null;
  /** `idle in transaction`, `active`…; null when hidden. */
  state: string | null;
  /** When its transaction began (ms since epoch); null when hidden. */
  xactStart: number | null;
  /**
   * True when PostgreSQL hid the session's details from Hookscope's role (another role's session:
   * only pg_read_all_stats or a superuser sees them).
   */
  hidden: boolean;
  /** The transaction's name when it is a prepared (two-phase) transaction left behind. */
  prepared: string | null;
}

export interface RequestChannels {
  'app:info': { args: void; result: AppInfo };
  /** Who the caller is: an admin everywhere but on a team server, where each token has its role (shared/roles.ts). */
  'app:me': { args: void; result: Identity };
  'events:list': { args: z.input<typeof listQuerySchema>; result: EventPage };
  'events:get': { args: { id: number }; result: EventDetail };
  /** `provider`: the provider whose message it is (default: the one that owns the id — Meta for "wamid.", else the first seen). */
  'messages:get': { args: { messageId: string; provider?: Provider }; result: MessageLifecycle };
  /** The Messages view: one row per message, newest activity first (shared/messages.ts). */
  'messages:list': { args: z.input<typeof messagesQuerySchema>; result: MessagePage };
  /** The Messages view's counts: messages (one per message id), not events, under a filter. */
  'messages:stats': { args: z.input<typeof eventFilterSchema>; result: MessageStats };
  /** `provider`: that provider's conversation with the number only. */
  'contacts:thread': { args: { contactId: string; limit?: number; provider?: Provider }; result: { contactId: string; items: HookEvent[]; lastIncomingAt: number | null } };
  /** Counts under a filter; its `status` is ignored (the counts are per status). */
  'stats:get': { args: z.input<typeof eventFilterSchema>; result: Stats };
  'rules:list': { args: void; result: Rule[] };
  /** Saved views (docs/api.md "Saved views"). */
  'views:list': { args: void; result: SavedView[] };
  'views:create': { args: z.input<typeof viewInputSchema>; result: SavedView };
  'views:update': { args: { id: number; view: Partial<z.input<typeof viewInputSchema>> }; result: SavedView };
  'views:delete': { args: { id: number }; result: { deleted: true } };
  /** Receiving business numbers seen, with the names given to them. */
  'businesses:list': { args: void; result: BusinessNumber[] };
  'businesses:name': { args: { businessId: string; name: string | null }; result: BusinessNumber };
  'rules:create': { args: z.input<typeof ruleInputSchema>; result: Rule };
  'rules:update': { args: { id: number; rule: z.input<typeof ruleInputSchema> }; result: Rule };
  'rules:delete': { args: { id: number }; result: { deleted: true } };
  'rules:preview': { args: { rule: unknown; eventId?: number; sinceMs?: number }; result: RulePreview };
  'notifications:list': { args: { limit?: number } | void; result: { items: NotificationRecord[] } };
  'rules:test': { args: z.input<typeof ruleTestSchema>; result: RuleTestResult };
  'deliveries:list': { args: z.input<typeof deliveriesQuerySchema> | void; result: { items: DeliveryRecord[] } };
  /** Tools → Forward: each handler's outbox (queued / retrying / delivered / given up). */
  'forwards:summary': { args: void; result: { targets: ForwardTargetSummary[] } };
  /** Sends what waits for a handler (and what was given up) again now; every handler without `target`. */
  'forwards:retry': { args: { target?: string } | void; result: { requeued: number } };
  /** Gives up what waits for a handler; every handler without `target`. */
  'forwards:drop': { args: { target?: string } | void; result: { dropped: number } };
  'settings:get': { args: void; result: SettingsView };
  'settings:update': { args: z.input<typeof settingsUpdateSchema>; result: SettingsView };
  /**
   * The verify token in use, so it can be typed into Meta again (Verify and save asks for it each time).
   * The one secret that can be read back: it is a shared handshake word, never a signing key.
   */
  'settings:reveal-verify-token': { args: void; result: { token: string | null } };
  'replay:send': { args: z.input<typeof replayArgSchema>; result: ReplayResult };
  'simulate:send': { args: z.input<typeof simulateArgSchema>; result: SimulateResult };
  /**
   * The setup doctor's findings, and when the first real webhook (a signed message or status from the
   * network; not the handshake, not simulated) arrived: the setup stepper stays until then.
   */
  'doctor:get': { args: { selfCheck?: boolean } | void; result: { findings: DoctorFinding[]; firstRealWebhookAt: number | null } };
  'stats:extra': { args: { since?: number; until?: number }; result: StatsExtra };
  /** `redact`: the command as privacy mode shows the request (shared/privacy.ts), signature headers left out. */
  'requests:curl': { args: { requestId: number; redact?: boolean }; result: { curl: string } };
  'replay:filtered': { args: { filter: z.input<typeof eventFilterSchema>; target?: string }; result: ReplayManyResult };
  'import:file': { args: { text: string; format: 'har' | 'ndjson' }; result: ImportResult };
  /** Desktop only: main asks where to save, then streams the export there. */
  'export:save': { args: { format: 'ndjson' | 'ndjson-requests' | 'csv' | 'har'; filter: z.input<typeof eventFilterSchema>; redact?: boolean }; result: { saved: boolean; path: string | null } };
  /** Erases everything stored about one customer's number; `dryRun` only counts (shown before confirming). */
  'contacts:forget': { args: { contactId: string; dryRun?: boolean }; result: ForgetResult };
  'tunnel:get': { args: void; result: TunnelState };
  'tunnel:start': { args: void; result: TunnelState };
  'tunnel:stop': { args: void; result: TunnelState };
  /** The rejected log (docs/api.md "Trust boundary"): newest first. */
  'rejected:list': { args: { limit?: number; before?: number } | void; result: RejectedPage };
  'rejected:get': { args: { id: number }; result: RejectedDetail };
  /** Re-checks the log with the secrets configured now; those that verify join the feed as accepted. */
  'rejected:reverify': { args: void; result: ReverifyResult };
  /** Health checks (docs/api.md "Health checks"): every preset with its state, value, chart and history, evaluated now. */
  'health:list': { args: void; result: { checks: HealthCheck[] } };
  /** Turns a health check on or off and changes its parameters. */
  'health:update': { args: z.input<typeof healthUpdateSchema>; result: HealthCheck };
}

export interface PushChannels {
  'events:appended': HookEvent[];
  'tunnel:changed': TunnelState;
  'notifications:fired': NotificationRecord[];
  /** Attempts of http actions, as they finish. */
  'deliveries:recorded': DeliveryRecord[];
  'settings:changed': SettingsView;
  /** The user clicked a desktop notification: select that event. */
  'notifications:clicked': { eventId: number | null; notificationId: number };
  /** The rejected log changed: its size now, and whether rejected requests are being stored at all. */
  'rejected:changed': { total: number; notStored: number; diskLow: boolean; diskFull?: boolean };
  /** Team server: the shared database became unreachable, or answers again. */
  'team:changed': TeamStatus;
  /**
   * Contacts were forgotten (`contacts:forget`): every window drops what it shows of them. A list, so
   * pushes held for a window that is not ready yet add up instead of the last one winning.
   */
  'contacts:forgotten': { contactId: string }[];
}

export type RequestChannel = keyof RequestChannels;
export type PushChannel = keyof PushChannels;
export type ArgsOf<C extends RequestChannel> = RequestChannels[C]['args'];
export type ResultOf<C extends RequestChannel> = RequestChannels[C]['result'];

export type Envelope<T> = { ok: true; value: T } | { ok: false; error: AppError };

/** Argument schema per channel: a channel missing here does not compile. */
export const requestSchemas: { [C in RequestChannel]: z.ZodTypeAny } = {
  'app:info': z.undefined().optional(),
  'app:me': z.undefined().optional(),
  'events:list': listQuerySchema,
  'events:get': idArg,
  'messages:get': z.object({ messageId: z.string().min(1).max(300), provider: z.enum(['meta', 'twilio']).optional() }),
  'messages:list': messagesQuerySchema,
  'messages:stats': eventFilterSchema,
  'contacts:thread': z.object({ contactId: z.string().min(1).max(64), limit: num.int().min(1).max(1000).optional(), provider: z.enum(['meta', 'twilio']).optional() }),
  'stats:get': eventFilterSchema,
  'rules:list': z.undefined().optional(),
  'views:list': z.undefined().optional(),
  'views:create': viewInputSchema,
  'views:update': z.object({ id: num.int().positive(), view: viewInputSchema.partial() }),
  'views:delete': idArg,
  'businesses:list': z.undefined().optional(),
  'businesses:name': z.object({ businessId: z.string().min(1).max(64), name: z.string().max(80).nullable() }),
  'rules:create': ruleInputSchema,
  'rules:update': z.object({ id: num.int().positive(), rule: ruleInputSchema }),
  'rules:delete': idArg,
  'rules:preview': z.object({ rule: z.unknown(), eventId: num.int().positive().optional(), sinceMs: num.int().min(0).max(90 * 86_400_000).optional() }),
  'notifications:list': z.object({ limit: num.int().min(1).max(1000).optional() }).optional(),
  'rules:test': ruleTestSchema,
  'deliveries:list': deliveriesQuerySchema.optional(),
  'forwards:summary': z.undefined().optional(),
  'forwards:retry': z.object({ target: z.string().max(2000).optional() }).strict().optional(),
  'forwards:drop': z.object({ target: z.string().max(2000).optional() }).strict().optional(),
  'settings:get': z.undefined().optional(),
  'settings:update': settingsUpdateSchema,
  'settings:reveal-verify-token': z.undefined().optional(),
  'replay:send': replayArgSchema,
  'simulate:send': simulateArgSchema,
  'doctor:get': z.object({ selfCheck: z.boolean().optional() }).optional(),
  'stats:extra': z.object({ since: num.optional(), until: num.optional() }),
  'requests:curl': z.object({ requestId: num.int().positive(), redact: z.preprocess((v) => (v === '1' || v === 'true' ? true : v === '0' || v === 'false' ? false : v), z.boolean()).optional() }),
  'replay:filtered': z.object({ filter: eventFilterSchema, target: z.string().max(2000).optional() }),
  'import:file': z.object({ text: z.string().max(64 * 1024 * 1024), format: z.enum(['har', 'ndjson']) }),
  'export:save': z.object({ format: z.enum(['ndjson', 'ndjson-requests', 'csv', 'har']), filter: eventFilterSchema, redact: z.boolean().optional() }),
  'contacts:forget': z.object({ contactId: z.string().min(1).max(64), dryRun: z.preprocess((v) => (v === '1' || v === 'true' ? true : v === '0' || v === 'false' ? false : v), z.boolean()).optional() }),
  'tunnel:get': z.undefined().optional(),
  'tunnel:start': z.undefined().optional(),
  'tunnel:stop': z.undefined().optional(),
  'rejected:list': z.object({ limit: num.int().min(1).max(1000).optional(), before: num.int().optional() }).optional(),
  'rejected:get': idArg,
  'rejected:reverify': z.undefined().optional(),
  'health:list': z.undefined().optional(),
  'health:update': healthUpdateSchema,
};

/** The runtime list of request names, derived from the schema table so it cannot drift. */
export const REQUEST_CHANNELS = Object.keys(requestSchemas) as RequestChannel[];

const pushNames: { [P in PushChannel]: true } = {
  'events:appended': true, 'tunnel:changed': true, 'notifications:fired': true, 'settings:changed': true, 'deliveries:recorded': true,
  'notifications:clicked': true, 'rejected:changed': true, 'team:changed': true, 'contacts:forgotten': true,
};
export const PUSH_CHANNELS = Object.keys(pushNames) as PushChannel[];

export function isRequestChannel(name: unknown): name is RequestChannel {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(requestSchemas, name);
}

/** The handlers the core offers for the contract: one per request channel. */
export type ContractHandlers = { [C in RequestChannel]: (args: ArgsOf<C>) => Promise<ResultOf<C>> | ResultOf<C> };

/** What the renderer's bridge offers, whatever the transport. */
export interface Bridge {
  invoke<C extends RequestChannel>(channel: C, args: ArgsOf<C>): Promise<ResultOf<C>>;
  on<P extends PushChannel>(channel: P, cb: (payload: PushChannels[P]) => void): () => void;
  /** Tells the core the renderer is ready for pushes (held until then). */
  ready(): void;
}
