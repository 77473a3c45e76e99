// The shared vocabulary of Hookscope: what a stored request and a normalised event look like,
// as the UI, the control API, exports and rules all see them (docs/api.md).
// No Node, no DOM: this file is imported by the renderer and by the core alike.

export type Provider = 'meta' | 'twilio';

export const EVENT_KINDS = [
  'message', 'status', 'template', 'account', 'verification', 'unrouted', 'invalid', 'unknown',
  // WhatsApp families beyond messages and statuses (docs/webhooks.md says what each holds):
  // echo     a message the business typed in the WhatsApp Business phone app (coexistence), outgoing;
  // history  the imported past conversation and its import progress: searchable, never notifying,
  //          never counted as today's traffic;
  // contact  the phone app's address book changed (added / changed / removed);
  // call     Calling API: connect, terminate, call status, call errors;
  // group    group created / deleted, participants, settings, suspension;
  // flow     a WhatsApp Flow changed status or its endpoint raised an alert.
  'echo', 'history', 'contact', 'call', 'group', 'flow',
] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/** How much an event matters when Meta says so (account alerts, restrictions, blocked flows): `details.severity`. */
export const EVENT_SEVERITIES = ['critical', 'warning', 'info'] as const;
export type EventSeverity = (typeof EVENT_SEVERITIES)[number];

/**
 * Named facts a normaliser recognised in an event, kept in `details.signals`, so rules can say
 * "a call failed" without knowing Meta's words for it (`when.signal`). Closed list: docs/webhooks.md.
 */
export const EVENT_SIGNALS = [
  'call_failed', 'call_rejected', 'call_missed',
  'flow_blocked', 'flow_throttled', 'flow_alert',
  'account_restricted', 'account_alert', 'account_violation', 'account_disabled',
  'template_paused', 'template_rejected', 'quality_dropped',
  'group_suspended', 'history_declined',
] as const;
export type EventSignal = (typeof EVENT_SIGNALS)[number];

/** `incoming` for messages; the status words for statuses; null otherwise. */
export const EVENT_STATUSES = [
  'incoming', 'queued', 'sent', 'delivered', 'read', 'played', 'failed', 'deleted', 'other',
] as const;
export type EventStatus = (typeof EVENT_STATUSES)[number];

export const SIGNATURE_VERDICTS = ['valid', 'invalid', 'missing', 'unchecked'] as const;
export type SignatureVerdict = (typeof SIGNATURE_VERDICTS)[number];

/**
 * What a normaliser produces from one request: everything but the fields the store assigns
 * (id, requestId, receivedAt, signature, duplicate).
 */
export interface NormalisedEvent {
  provider: Provider | null;
  kind: EventKind;
  status: EventStatus | null;
  providerStatus: string | null;
  messageId: string | null;
  contactId: string | null;
  contactName: string | null;
  businessId: string | null;
  messageType: string | null;
  text: string | null;
  replyTo: string | null;
  errorCode: string | null;
  errorTitle: string | null;
  errorDetail: string | null;
  /** Provider's event time, ms since epoch; null when absent or garbage. */
  timestamp: number | null;
  /** The provider's own object this event came from (a message, a status, a change value…), kept whole. */
  raw: unknown;
  /** Extra facts worth showing (pricing, conversation, media, location, template name…). */
  details?: Record<string, unknown>;
}

export interface HookEvent extends Omit<NormalisedEvent, 'raw' | 'details'> {
  id: number;
  requestId: number;
  receivedAt: number;
  signature: SignatureVerdict;
  duplicate: boolean;
  /** What the receiver answered to the request that carried it (feed pages and live pushes; absent elsewhere). */
  httpStatus?: number | null;
  /** Milliseconds the receiver took to answer once the body was read (null: not measured — imports, older rows). */
  ackMs?: number | null;
  /** What the latest forward of its request answered, and how long it took (null: not forwarded). */
  forward?: { status: number | null; ms: number | null } | null;
  raw?: unknown;
  details?: Record<string, unknown>;
}

/** A request exactly as it reached the receiver. */
export interface StoredRequest {
  id: number;
  receivedAt: number;
  method: string;
  path: string;
  /** The raw query string without the leading `?`. */
  query: string;
  /** Header names lower-cased, in arrival order; repeated headers keep every value. */
  headers: [string, string][];
  /** The body decoded as UTF-8 (lossless when `bodyIsText`), else base64 of the bytes. */
  body: string;
  bodyIsText: boolean;
  bodySize: number;
  provider: Provider | null;
  /** HTTP status the receiver answered with. */
  responseStatus: number;
  signature: SignatureVerdict;
  signatureDiagnosis: string | null;
  /** Parse error or other reason the request was refused, when any. */
  error: string | null;
  /** Where it came from: the network, a replay, the simulator, an import. */
  origin: 'network' | 'replay' | 'simulate' | 'import';
  forwards: ForwardResult[];
  /** For a signature that is not valid: what was recomputed and the likely cause. */
  signatureDebug?: SignatureDebug;
}

export interface ForwardResult {
  target: string;
  status: number | null;
  durationMs: number | null;
  error: string | null;
  responseExcerpt?: string | null;
}

export interface EventDetail extends HookEvent {
  request: StoredRequest;
}

/** Filters shared by the events list, exports, stats and the URL of the UI (docs/api.md). */
export interface EventFilter {
  status?: EventStatus[];
  kind?: EventKind[];
  provider?: Provider[];
  /** Digits, or a pattern with `*`. */
  contact?: string;
  /** Full-text over text, contact name and number, message id. */
  q?: string;
  since?: number;
  until?: number;
  signature?: SignatureVerdict[];
  messageId?: string;
  /** Field filters (shared/where.ts grammar), all of which must hold. */
  where?: string[];
  /** The receiving business number (Meta's phone_number_id, Twilio's To). */
  businessId?: string;
}

export interface EventPage {
  items: HookEvent[];
  total: number;
}

export interface ListQuery extends EventFilter {
  limit?: number;
  /** Cursor: return events with id below this one. */
  before?: number;
}

export interface MessageLifecycle {
  messageId: string;
  contactId: string | null;
  /** The furthest state reached, whatever the arrival order. */
  current: EventStatus | null;
  events: HookEvent[];
}

/** One row of the Messages view: a message and its whole life (shared/messages.ts builds it). */
export interface MessageSummary {
  /** The provider's message id, or `event:<id>` for an event that belongs to no message. */
  key: string;
  messageId: string | null;
  /** `incoming`: customer → business; `outgoing`: statuses of a business message; `other`: neither. */
  direction: 'incoming' | 'outgoing' | 'other';
  kind: EventKind;
  provider: Provider | null;
  contactId: string | null;
  contactName: string | null;
  messageType: string | null;
  text: string | null;
  /** `incoming`, or the furthest state an outgoing message reached (read beats delivered beats sent). */
  current: EventStatus | null;
  /** Each state reached, once, in provider-time order. */
  steps: { status: EventStatus; at: number; eventId: number }[];
  /** The failure's code and title when the message failed. */
  errorCode: string | null;
  errorTitle: string | null;
  firstAt: number;
  lastAt: number;
  /** The newest event of the message: what opening the row shows. */
  lastEventId: number;
  /** The worst signature verdict among its requests. */
  signature: SignatureVerdict;
  /** What the receiver answered to the request that carried the newest event; null when unknown. */
  httpStatus: number | null;
  /** Every event of the message, provider-time order. */
  events: HookEvent[];
}

export interface MessagePage {
  /** Newest activity first. */
  items: MessageSummary[];
  /** Cursor for the next page (`before`), or null at the end. */
  next: number | null;
}

/**
 * The Messages view's counts (messages:stats): messages, not events — one per message id (an event
 * without one is its own row), as the view lists them. A message counts under a status when any of its
 * events has that status and matches the other filters, as a row shows up under that chip.
 */
export interface MessageStats {
  /** Per status, under every filter but the status one. */
  byStatus: Partial<Record<EventStatus, number>>;
  /** Messages matching the whole filter: the rows the view lists. */
  total: number;
  /** Every message stored, whatever the filter. */
  all: number;
}

export interface MessageQuery extends EventFilter {
  limit?: number;
  before?: number;
  /** Fetch exactly these rows (message ids or `event:<id>`), whatever the filter. */
  keys?: string[];
}

export interface Stats {
  byStatus: Partial<Record<EventStatus, number>>;
  byErrorCode: Record<string, number>;
  byKind?: Partial<Record<EventKind, number>>;
  /** Events matching the filter the counts were asked with. */
  total?: number;
  /** Every event stored, whatever the filter (same snapshot). */
  all?: number;
  /** The newest event id the snapshot counted: live events above it are not in these counts yet. */
  maxId?: number;
}

// ---- the trust boundary: the rejected log (docs/api.md "Trust boundary") ----

/** A request the receiver refused: seen, kept for diagnosis, never the user's data. */
export interface RejectedItem {
  id: number;
  receivedAt: number;
  method: string;
  path: string;
  provider: Provider | null;
  /** What the receiver answered: 400, 401, 403, 404, 405, 413 (429s are counted, not stored). */
  httpStatus: number;
  signature: SignatureVerdict;
  diagnosis: string | null;
  /** The caller's address: the one the tunnel reports for tunnelled requests, else the socket's. */
  source: string | null;
  /** Size of the whole body as it arrived (only a prefix is kept). */
  bytes: number;
}

export interface RejectedDetail extends RejectedItem {
  /** Query string; a verify token in it is redacted. */
  query: string;
  headers: [string, string][];
  /** The kept prefix of the body, as UTF-8 text when it is, else base64. */
  body: string;
  bodyIsText: boolean;
  /** True when `body` holds the whole body (so re-verifying it is possible). */
  bodyComplete: boolean;
  /** SHA-256 (hex) of the whole body as it arrived. */
  bodySha256: string | null;
  /** Why the signature does not match, recomputed with the secrets configured now. */
  signatureDebug?: SignatureDebug;
  /** What the body would normalise to — never stored as events, shown marked untrusted. */
  preview?: { kind: EventKind; status: EventStatus | null; contactId: string | null; contactName: string | null; text: string | null; messageId: string | null }[];
}

export interface RejectedPage {
  items: RejectedItem[];
  total: number;
  /** Rows dropped, oldest first, to keep the log under its byte cap. */
  dropped: number;
  /** Requests answered 429 (or not stored for lack of disk) without being kept. */
  notStored: number;
  /** Free disk is under the floor: rejected requests are answered but not stored. */
  diskLow: boolean;
  /** The disk is full: webhooks are answered 503 + Retry-After until one is stored again. */
  diskFull?: boolean;
  /** Rejected requests that would verify with the secrets configured now (worth a re-verify). */
  wouldVerify?: number;
}

export interface ReverifyResult {
  checked: number;
  accepted: number;
}

// ---- rules and notifications (docs/api.md) ----

export interface RuleWhen {
  kind?: EventKind[];
  status?: EventStatus[];
  provider?: Provider[];
  contact?: string;
  contactName?: string;
  text?: string;
  textRegex?: string;
  errorCode?: string[];
  messageType?: string[];
  signature?: SignatureVerdict[];
  leadReply?: boolean;
  /** Any of these named facts (EVENT_SIGNALS) was recognised in the event: "a call failed", "a flow was blocked". */
  signal?: EventSignal[];
  any?: RuleWhen[];
}

export interface Rule {
  id: number;
  name: string;
  enabled: boolean;
  when: RuleWhen;
  throttleSeconds?: number;
  quietHours?: { from: string; to: string } | null;
  title: string;
  body: string;
  /** Timer-driven preset: no incoming message for N minutes during working hours. */
  silence?: { minutes: number; from?: string; to?: string } | null;
  /**
   * Timer-driven: a message matching `when` arrived and no outgoing message to that contact followed
   * within N minutes (counted inside working hours when from/to are given).
   */
  unanswered?: { minutes: number; from?: string; to?: string } | null;
  /** Timer-driven: a summary every day at `at` (HH:MM, local time) or every hour on the hour. */
  digest?: { every: 'day' | 'hour'; at?: string } | null;
  /** What the rule does; omitted = a desktop notification (`[{ type: 'notify' }]`). */
  actions?: RuleAction[];
  /**
   * Past the per-minute cap of http actions: `digest` (default) sends what went over as one delivery when
   * the minute ends; `queue` holds each one until the next minute has room. Never skipped.
   */
  actionOverflow?: 'digest' | 'queue';
}

export interface NotifyAction { type: 'notify' }

export interface HttpAction {
  type: 'http';
  url: string;
  method?: 'POST' | 'PUT' | 'PATCH' | 'GET';
  headers?: Record<string, string>;
  /** Template: `{field}`, `{field|json}`, `{field|slack}` (docs/api.md). */
  body?: string;
  /**
   * Write-only. On input: a string sets it, null clears it, omitted keeps the stored one. Reads never
   * carry it, only `secretSet`. When set, the request carries X-Hookscope-Signature: sha256=<hex HMAC>.
   */
  secret?: string | null;
  secretSet?: boolean;
  preset?: 'slack' | 'discord' | 'teams' | 'json';
  /** Per attempt; default 10 s. */
  timeoutMs?: number;
}

export type RuleAction = NotifyAction | HttpAction;

/**
 * GET /api/deliveries: one attempt of an http action (`kind: 'action'`), or one forward of a request to a
 * local handler (`kind: 'forward'`: its outbox row, with the attempts so far and its state). `url` is shown
 * with its secret parts hidden.
 */
export interface DeliveryRecord {
  /** Absent on records from before forwards were listed: an action. */
  kind?: 'action' | 'forward';
  id: number;
  /** Forwards: the stored request forwarded. */
  requestId?: number;
  /** Forwards: where it is in the outbox. */
  state?: 'queued' | 'retrying' | 'delivered' | 'given-up' | 'dropped';
  /** The idempotency key it is sent with (`X-Hookscope-Delivery`; actions also `Idempotency-Key`). */
  key?: string | null;
  ruleId: number | null;
  /** The event that fired the rule (null for a test). */
  eventId: number | null;
  /** Whose event it was (digits, as stored), so the history says who a delivery was about. */
  contactId: string | null;
  url: string;
  attempt: number;
  status: number | null;
  error: string | null;
  durationMs: number | null;
  at: number;
  /** The first bytes of the answer. */
  excerpt: string | null;
  /** Sent by the Test button with the sample event. */
  test: boolean;
  /** A retry is scheduled at this time (ms); null when this attempt was the last. */
  nextAttemptAt: number | null;
}

/** Tools → Forward: one handler's outbox (GET /api/forwards). */
export interface ForwardTargetSummary {
  target: string;
  /** False for a target no longer in the settings that still has rows. */
  configured: boolean;
  queued: number;
  retrying: number;
  /** Finished in the last 24 hours. */
  delivered: number;
  givenUp: number;
  /** receivedAt-side time the oldest waiting forward was queued; null when none waits. */
  oldestWaitingAt: number | null;
  nextAttemptAt: number | null;
  lastError: string | null;
}

export type RuleInput = Omit<Rule, 'id'>;

export interface NotificationRecord {
  id: number;
  ruleId: number;
  eventId: number | null;
  title: string;
  body: string;
  firedAt: number;
}

// ---- settings and tunnel ----

/** Where the secrets are kept; the settings view shows it so nobody loses a secret by surprise. */
export interface SecretStorageInfo {
  /** keychain: encrypted by the OS (desktop); file: a plain file only this user can read; memory: this run only. */
  kind: 'keychain' | 'file' | 'memory';
  /** False: secrets set now are gone after a restart. */
  persistent: boolean;
  encrypted: boolean;
  /** Stored secrets this mode cannot read (encrypted by the desktop app, seen from serve; or another keychain). */
  unreadable: ('metaAppSecret' | 'metaVerifyToken' | 'twilioAuthToken' | 'ngrokAuthtoken' | 'metaVerifyTokenAuto')[];
  /** Why the secrets file cannot be used, when it cannot. */
  problem: string | null;
  /** Desktop without a keychain: the user may choose a plain file instead of memory. */
  canChoosePlainFile?: boolean;
}

export interface ForwardRetry {
  /** Attempts in all before a forward is given up. */
  maxTries: number;
  /** A forward is given up this long after it was queued. */
  maxAgeMs: number;
  /** The wait after the first failure; each next one doubles, up to a minute. */
  baseDelayMs: number;
}

export interface SettingsView {
  secretStorage?: SecretStorageInfo;
  /** Secrets are write-only: reads only say whether each is set (and how many). */
  secrets: {
    metaAppSecret: { set: boolean; count: number };
    /** `generated`: Hookscope made it on its first start (none set in the app or META_VERIFY_TOKEN). */
    metaVerifyToken: { set: boolean; generated?: boolean };
    twilioAuthToken: { set: boolean; count: number };
    ngrokAuthtoken: { set: boolean };
  };
  forwardTargets: string[];
  forwardTimeoutMs: number;
  /** Retries of a forward whose handler is down, slow or answers 5xx: doubling delays from baseDelayMs (at most a minute apart). */
  forwardRetry?: ForwardRetry;
  publicUrl: string | null;
  ngrokDomain: string | null;
  retention: { days: number | null; maxEvents: number | null };
  bodyLimitBytes: number;
  /** Desktop notifications say that a rule fired without the message text (lock-screen safety). */
  hideNotificationText?: boolean;
  // The trust boundary's limits (docs/api.md "Trust boundary"); always present in views from the core.
  /** Byte cap of the rejected log (oldest dropped first). */
  rejectedLogBytes?: number;
  /** Rejected requests kept per source address per minute; beyond, 429 without storing. */
  rejectedPerMinute?: number;
  /** Below this much free disk, rejected requests are answered but not stored. */
  diskFloorBytes?: number;
  /**
   * Per provider: webhooks are accepted unsigned (verdict `unchecked`) while no secret is set for it.
   * Off by default: a provider without a secret is closed (docs/api.md "Trust boundary").
   * `fromEnv`: turned on for this run by --accept-unsigned / HOOKSCOPE_ACCEPT_UNSIGNED (not stored).
   * `migrated`: turned on by the update because the install had accepted unsigned webhooks before.
   */
  acceptUnsigned?: { meta: boolean; twilio: boolean; fromEnv: Provider[]; migrated: Provider[] };
}

export interface SettingsUpdate {
  /** Desktop without an OS keychain: keep secrets in memory only, or in a plain file only this user can read. */
  secretStorage?: 'memory' | 'plain-file';
  metaAppSecret?: string | string[] | null;
  metaVerifyToken?: string | null;
  twilioAuthToken?: string | string[] | null;
  ngrokAuthtoken?: string | null;
  forwardTargets?: string[];
  forwardTimeoutMs?: number;
  forwardRetry?: Partial<ForwardRetry>;
  publicUrl?: string | null;
  ngrokDomain?: string | null;
  retention?: { days?: number | null; maxEvents?: number | null };
  bodyLimitBytes?: number;
  hideNotificationText?: boolean;
  rejectedLogBytes?: number;
  rejectedPerMinute?: number;
  diskFloorBytes?: number;
  acceptUnsigned?: { meta?: boolean; twilio?: boolean };
}

export type TunnelStateName = 'off' | 'connecting' | 'online' | 'error';

export interface TunnelState {
  state: TunnelStateName;
  url?: string;
  message?: string;
  /** Error code from shared/errors.ts when state is `error`. */
  code?: string;
  since: number;
  /** Set by tunnel:start while a provider has no secret: anyone with the URL can add events. */
  warning?: string;
}

export interface ReceiverInfo {
  /** e.g. http://127.0.0.1:4750 */
  url: string;
  host: string;
  port: number;
}

// ---- signature debugger ----

/** One way the debugger recomputed the signature; `label` names the key by number and fingerprint only. */
export interface SignatureDebugCandidate {
  /** e.g. "app secret #1 (3f2a) · raw body" — never the secret itself. */
  label: string;
  /** The signature this candidate produces, in the header's own format (`sha256=<hex>` or base64). */
  computed: string;
  matches: boolean;
}

/** Why a request's signature does or does not match, for the inspector's signature panel. */
export interface SignatureDebug {
  provider: Provider;
  /** The signature header as received (trimmed), or null when absent. */
  received: string | null;
  candidates: SignatureDebugCandidate[];
  /** One sentence naming the likely cause. */
  cause: string;
}

// ---- setup doctor ----

export type DoctorLevel = 'ok' | 'info' | 'warn' | 'error';

/** One line of the setup doctor: what it found and, in `detail`, what to do about it. */
export interface DoctorFinding {
  /** Stable identifier, e.g. `handshake-403` or `unrouted:/webhook`. */
  id: string;
  level: DoctorLevel;
  title: string;
  detail: string;
}

// ---- power tools: extra stats, bulk replay, import ----

export interface Funnel {
  /** Distinct outgoing message ids with at least one status event in the window. */
  total: number;
  /** Reached at least `sent` (delivered, read and played imply sent). */
  sent: number;
  /** Reached at least `delivered` (read implies delivered: Meta may skip the delivered webhook). */
  delivered: number;
  read: number;
  /** Furthest state `failed` (failed and never delivered on another device). */
  failed: number;
  /** delivered / sent, read / delivered, failed / total; null when the denominator is 0. */
  rates: { delivered: number | null; read: number | null; failed: number | null };
}

export interface MinuteBucket {
  /** Start of the minute, ms since epoch. */
  t: number;
  total: number;
  messages: number;
  statuses: number;
  failed: number;
  invalidSignatures: number;
}

export interface LatencyStats {
  /** Forwards that got an HTTP answer (status not null). */
  count: number;
  /** Forwards that got no answer (refused, timed out, reset). */
  errors: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  /** Share of answered forwards that took over 1 s. */
  overOneSecond: number | null;
  guidance: { medianMs: 250; maxShareOverOneSecond: 0.01; medianOk: boolean | null; slowShareOk: boolean | null };
}

export interface StatsExtra {
  since: number;
  until: number;
  funnel: Funnel;
  perMinute: MinuteBucket[];
  handlerLatency: LatencyStats & { byTarget: Record<string, LatencyStats> };
  /** Per-message pricing over the last 7 days: distinct outgoing messages by pricing category. */
  pricing?: PricingStats;
  /** The latest chat-history import progress (coexistence), or null when none was received. */
  historyImport?: HistoryImportStats | null;
}

export interface PricingStats {
  since: number;
  until: number;
  /** Distinct messages Meta said were billable / free, per category (marketing, utility, service…). */
  byCategory: Record<string, { billable: number; free: number }>;
  billable: number;
  free: number;
}

export interface HistoryImportStats {
  /** 0–100 as Meta reports it; 100 = the whole import is done. */
  progress: number | null;
  /** 0 (day 0–1), 1 (day 1–90), 2 (day 90–180). */
  phase: number | null;
  chunkOrder: number | null;
  /** When the latest progress webhook was received. */
  at: number;
  /** Imported past messages stored so far. */
  messages: number;
  /** Set when the business declined to share its history. */
  declined: boolean;
}

export interface ReplayManyResult {
  replayed: number;
  failed: number;
  results: ReplayResult[];
}

export interface ImportResult {
  imported: number;
  skipped: number;
  requestIds: number[];
  errors: string[];
}

export interface ReplayResult {
  requestId: number | null;
  target: string;
  status: number | null;
  durationMs: number;
  error: string | null;
  resigned: boolean;
}

/** What forgetting a contact erased (or, on a dry run, would erase): docs/api.md "Forget a contact". */
export interface ForgetResult {
  contactId: string;
  /** Requests erased whole. */
  requests: number;
  /** Requests kept for another contact they also carry, with this contact's parts cut out. */
  requestsEdited: number;
  events: number;
  notifications: number;
  /** Rule-action deliveries about those events. */
  deliveries: number;
  dryRun: boolean;
  /**
   * Where: one entry per table that can hold a customer's data, with the rows deleted (`erased`) and the
   * rows kept but edited (`edited`: the contact cut out of a batch, a mention of the number masked).
   */
  erased: ForgetStepResult[];
  /** Whether the database file was rewritten afterwards (VACUUM: no free page keeps the erased bytes). */
  compacted?: boolean;
  /** Whether the write-ahead log was emptied afterwards (false: a reader held it; the next checkpoint does). */
  walEmptied?: boolean;
  /** How long rewriting the file took, in ms. */
  compactMs?: number;
  /** Dry run: the database file's size, and about how long rewriting it will hold new webhooks (ms). */
  databaseBytes?: number;
  rewriteEstimateMs?: number;
}

/** One table's part of a forget (docs/api.md "Forget a contact"). */
export interface ForgetStepResult { table: string; erased: number; edited: number }

/** A control-API caller's role on a team server (shared/roles.ts says what each may call). */
export type Role = 'viewer' | 'admin';

/** Who the caller is: the UI hides what its role cannot do. */
export interface Identity {
  role: Role;
  /** The token's name; null for the data dir's own UI token and for the desktop app's own core. */
  name: string | null;
}

/** The desktop app's link to a team server (Settings → Team server); never the token, only whether one is kept. */
export interface ConnectionView {
  mode: 'local' | 'remote';
  url: string | null;
  state: 'connecting' | 'open' | 'down' | null;
  tokenSet: boolean;
  /** False when secrets live in memory only (no keychain): a token would not survive the restart. */
  canKeepToken: boolean;
  /** After a successful connect: who the token is on that server. */
  identity?: Identity;
}

/** A saved view (docs/api.md "Saved views"): a named filter (search and field filters included) and columns. */
export interface SavedView {
  id: number;
  name: string;
  filter: EventFilter;
  /** The feed's optional columns when the view was saved (null: leave them as they are). */
  columns: Record<string, boolean> | null;
  /** Opened when the app starts without a filter in its URL. One view at most. */
  isDefault: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface SavedViewInput {
  name: string;
  filter?: EventFilter;
  columns?: Record<string, boolean> | null;
  isDefault?: boolean;
}

/** A receiving business number (Meta's phone_number_id, Twilio's To) and the name the user gave it. */
export interface BusinessNumber {
  businessId: string;
  name: string | null;
  /** Events received on it (0 for a named number with none left). */
  events: number;
}
