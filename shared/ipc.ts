// The one contract between the renderer and the core. In the desktop app it travels over Electron
// IPC (electron/main/ipc.ts); under `npm run serve` the same channels are served over HTTP + a live
// stream (electron/headless.ts). Requests are `noun:verb`, pushes are `noun:past-tense`.
import { z } from 'zod';
import type {
  ReplayResult,
  DoctorFinding, EventDetail, EventPage, MessagePage, ImportResult, ReplayManyResult, StatsExtra, HookEvent, MessageLifecycle, NotificationRecord, ReceiverInfo, Rule,
  SettingsView, Stats, TunnelState,
} from './types';
import { EVENT_KINDS, EVENT_SIGNALS, EVENT_STATUSES, SIGNATURE_VERDICTS } from './types';
import type { AppError } from './errors';

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
});

export const settingsUpdateSchema = z.object({
  metaAppSecret: z.union([z.string(), z.array(z.string())]).nullable().optional(),
  metaVerifyToken: z.string().nullable().optional(),
  twilioAuthToken: z.union([z.string(), z.array(z.string())]).nullable().optional(),
  ngrokAuthtoken: z.string().nullable().optional(),
  forwardTargets: z.array(z.string().url()).max(10).optional(),
  forwardTimeoutMs: z.number().int().min(100).max(120_000).optional(),
  publicUrl: z.string().url().nullable().optional(),
  ngrokDomain: z.string().max(253).nullable().optional(),
  retention: z.object({
    days: z.number().int().min(1).nullable().optional(),
    maxEvents: z.number().int().min(100).nullable().optional(),
  }).optional(),
  bodyLimitBytes: z.number().int().min(1024).max(64 * 1024 * 1024).optional(),
  secretStorage: z.enum(['memory', 'plain-file']).optional(),
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

export interface AppInfo {
  version: string;
  mode: 'desktop' | 'serve';
  receiver: ReceiverInfo;
  dataDir?: string;
}

export interface RequestChannels {
  'app:info': { args: void; result: AppInfo };
  'events:list': { args: z.input<typeof listQuerySchema>; result: EventPage };
  'events:get': { args: { id: number }; result: EventDetail };
  'messages:get': { args: { messageId: string }; result: MessageLifecycle };
  /** The Messages view: one row per message, newest activity first (shared/messages.ts). */
  'messages:list': { args: z.input<typeof messagesQuerySchema>; result: MessagePage };
  'contacts:thread': { args: { contactId: string; limit?: number }; result: { contactId: string; items: HookEvent[]; lastIncomingAt: number | null } };
  'stats:get': { args: { since?: number; until?: number }; result: Stats };
  'rules:list': { args: void; result: Rule[] };
  'rules:create': { args: z.input<typeof ruleInputSchema>; result: Rule };
  'rules:update': { args: { id: number; rule: z.input<typeof ruleInputSchema> }; result: Rule };
  'rules:delete': { args: { id: number }; result: { deleted: true } };
  'rules:preview': { args: { rule: unknown; eventId?: number; sinceMs?: number }; result: RulePreview };
  'notifications:list': { args: { limit?: number } | void; result: { items: NotificationRecord[] } };
  'settings:get': { args: void; result: SettingsView };
  'settings:update': { args: z.input<typeof settingsUpdateSchema>; result: SettingsView };
  'replay:send': { args: z.input<typeof replayArgSchema>; result: ReplayResult };
  'simulate:send': { args: z.input<typeof simulateArgSchema>; result: SimulateResult };
  'doctor:get': { args: { selfCheck?: boolean } | void; result: { findings: DoctorFinding[] } };
  'stats:extra': { args: { since?: number; until?: number }; result: StatsExtra };
  'requests:curl': { args: { requestId: number }; result: { curl: string } };
  'replay:filtered': { args: { filter: z.input<typeof eventFilterSchema>; target?: string }; result: ReplayManyResult };
  'import:file': { args: { text: string; format: 'har' | 'ndjson' }; result: ImportResult };
  /** Desktop only: main asks where to save, then streams the export there. */
  'export:save': { args: { format: 'ndjson' | 'ndjson-requests' | 'csv' | 'har'; filter: z.input<typeof eventFilterSchema> }; result: { saved: boolean; path: string | null } };
  'tunnel:get': { args: void; result: TunnelState };
  'tunnel:start': { args: void; result: TunnelState };
  'tunnel:stop': { args: void; result: TunnelState };
}

export interface PushChannels {
  'events:appended': HookEvent[];
  'tunnel:changed': TunnelState;
  'notifications:fired': NotificationRecord[];
  'settings:changed': SettingsView;
  /** The user clicked a desktop notification: select that event. */
  'notifications:clicked': { eventId: number | null; notificationId: number };
}

export type RequestChannel = keyof RequestChannels;
export type PushChannel = keyof PushChannels;
export type ArgsOf<C extends RequestChannel> = RequestChannels[C]['args'];
export type ResultOf<C extends RequestChannel> = RequestChannels[C]['result'];

export type Envelope<T> = { ok: true; value: T } | { ok: false; error: AppError };

/** Argument schema per channel: a channel missing here does not compile. */
export const requestSchemas: { [C in RequestChannel]: z.ZodTypeAny } = {
  'app:info': z.undefined().optional(),
  'events:list': listQuerySchema,
  'events:get': idArg,
  'messages:get': z.object({ messageId: z.string().min(1).max(300) }),
  'messages:list': messagesQuerySchema,
  'contacts:thread': z.object({ contactId: z.string().min(1).max(64), limit: num.int().min(1).max(1000).optional() }),
  'stats:get': z.object({ since: num.optional(), until: num.optional() }),
  'rules:list': z.undefined().optional(),
  'rules:create': ruleInputSchema,
  'rules:update': z.object({ id: num.int().positive(), rule: ruleInputSchema }),
  'rules:delete': idArg,
  'rules:preview': z.object({ rule: z.unknown(), eventId: num.int().positive().optional(), sinceMs: num.int().min(0).max(90 * 86_400_000).optional() }),
  'notifications:list': z.object({ limit: num.int().min(1).max(1000).optional() }).optional(),
  'settings:get': z.undefined().optional(),
  'settings:update': settingsUpdateSchema,
  'replay:send': replayArgSchema,
  'simulate:send': simulateArgSchema,
  'doctor:get': z.object({ selfCheck: z.boolean().optional() }).optional(),
  'stats:extra': z.object({ since: num.optional(), until: num.optional() }),
  'requests:curl': z.object({ requestId: num.int().positive() }),
  'replay:filtered': z.object({ filter: eventFilterSchema, target: z.string().max(2000).optional() }),
  'import:file': z.object({ text: z.string().max(64 * 1024 * 1024), format: z.enum(['har', 'ndjson']) }),
  'export:save': z.object({ format: z.enum(['ndjson', 'ndjson-requests', 'csv', 'har']), filter: eventFilterSchema }),
  'tunnel:get': z.undefined().optional(),
  'tunnel:start': z.undefined().optional(),
  'tunnel:stop': z.undefined().optional(),
};

/** The runtime list of request names, derived from the schema table so it cannot drift. */
export const REQUEST_CHANNELS = Object.keys(requestSchemas) as RequestChannel[];

const pushNames: { [P in PushChannel]: true } = {
  'events:appended': true, 'tunnel:changed': true, 'notifications:fired': true, 'settings:changed': true,
  'notifications:clicked': true,
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
