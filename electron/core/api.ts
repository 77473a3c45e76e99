// The contract's handlers (shared/ipc.ts RequestChannels), implemented once over the core's parts.
// Arguments arrive already validated by the dispatcher.
import type { ContractHandlers } from '../../shared/ipc';
import { HookscopeError } from '../../shared/errors';
import type { Store, IngestResult, DerivedRequest } from './store/store';
import type { ReceiverInput } from './ingest/receiver';
import { readVersion } from './version';
import type { CoreParts } from './parts';
import { debugSignature } from './ingest/signature';
import { createPowerTools, type CoreTools } from './tools/power-tools';
import { createRulesRunner } from './rules/rules-runner';
import { actionHeaders, createActionSender } from './rules/action-sender';
import {
  actionSecret, createLeadReplyChecker, createRule, deleteRule, digestFacts, getRule, insertNotification, listNotifications, listRules, updateRule,
} from './rules/rules-store';
import { compileRule, renderTemplate, validateRule } from '../../shared/rules';
import { actionsOf, eventFields, maskActions, renderBody, SAMPLE_EVENT, unmaskAction } from '../../shared/actions';
import type { HttpAction, RuleInput } from '../../shared/types';
import type { Notifier } from './types';
import { createDoctor } from './setup/doctor-facts';
import { createFirstWebhook } from './setup/first-webhook';
import { eraseTraces, forgetContact } from './store/forget';
import { countWouldVerify, reverify } from './ingest/reverify';
import { normaliseMeta, normaliseTwilio, normaliseTwilioJson } from '../../shared/normalise';
import { parseForm } from '../../shared/form';
import type { RejectedDetail, RejectedItem, SavedViewInput, SignatureVerdict } from '../../shared/types';
import { createViewsStore } from './store/views';

/** Whether an event may reach rules and notifications: only accepted verdicts (belt and braces at the seam). */
export function isTrusted(signature: SignatureVerdict): boolean {
  return signature === 'valid' || signature === 'unchecked';
}


export interface CoreApi {
  handlers: ContractHandlers;
  /**
   * The seam between the trust boundary and everything downstream: the receiver calls this only for
   * accepted requests, and it is the only way events reach the rules runner (notifications, actions)
   * and the forwarder. `live` is false for re-verified requests older than an hour (history only).
   */
  afterStored(input: ReceiverInput, result: IngestResult, live?: boolean, what?: { rules: boolean; forward: boolean }): void;
  /**
   * Inside the derive transaction (docs/architecture.md "The outbox"): the forwards of the requests it
   * derives go into the outbox and the rules run, so what they set off commits with the events. `what`
   * says which of the two each request gets; `later` collects what must wait for the commit.
   */
  inDeriveTx(items: DerivedRequest[], what: (d: DerivedRequest) => { rules: boolean; forward: boolean }, later: (d: DerivedRequest) => (() => void)[]): void;
  /** After a derive transaction committed: deliver what it queued. */
  afterDerived(): void;
  /**
   * The rejected log changed (a request was refused): a coalesced push to the UI, and — when a provider's
   * signed webhooks start failing their signature check — one notification per burst.
   */
  rejectedChanged(item?: RejectedItem | null): void;
  start(): void;
  /** Resolves when http actions in flight have been aborted (their jobs stay queued for the next start). */
  stop(): Promise<void>;
  /** Export/import/cURL/extra stats/retention, for the shells (Core.tools). */
  tools?: CoreTools;
  /** Runs timer rules and due action retries now (Core.tickRules). */
  tickRules(): void;
  /** Re-reads the rules (team mode: another process changed the shared ones). */
  reloadRules(): void;
  /** Queues a rule's http actions for a health check's firing or recovery (health/health.ts). */
  healthActions(ruleId: number, n: import('./health/health').HealthNotice): void;
  /** Whether the rule exists and has an http action. */
  hasHttpActions(ruleId: number): boolean;
}

function notFound(what: string): never {
  throw new HookscopeError('NOT_FOUND', `${what} was not found.`);
}

/**
 * What rewriting the database after a forget costs per GiB of file (VACUUM + WAL truncate): `npm run bench`
 * measured 110 s per GiB on a loaded 2-core machine (docs/benchmarks.md, "Forget a contact"); rounded up,
 * so the confirmation errs on the long side.
 */
const REWRITE_MS_PER_GIB = 120_000;

/** Placeholder for message text on the lock screen. */
export const HIDDEN_TEXT = '(message hidden)';

/** `rule_id` of the notifications Hookscope raises itself rather than a rule (failing signatures). */
export const SYSTEM_RULE_ID = 0;
/** Failing signatures after this much quiet start a new burst (and a new notification). */
export const SIGNATURE_BURST_QUIET_MS = 15 * 60_000;

/**
 * The desktop notifier, minding the "hide message text" setting: the title and body the OS shows are
 * rendered again from the rule's templates with the message text left out. The in-app list keeps the
 * full words (privacy mode masks those on screen).
 */
function lockScreenSafe(notifier: Notifier, parts: Pick<CoreParts, 'store' | 'settings' | 'logger'>): Notifier {
  const firedBy = parts.store.db.prepare('SELECT rule_id AS ruleId, event_id AS eventId FROM notifications WHERE id = ?');
  return {
    show(n) {
      if (parts.settings.view().hideNotificationText !== true) return notifier.show(n);
      let title = 'Hookscope';
      const fired = firedBy.get(n.notificationId) as { ruleId: number; eventId: number | null } | undefined;
      // Hookscope's own notifications carry no customer words: shown as they are.
      if (fired?.ruleId === SYSTEM_RULE_ID) return notifier.show(n);
      let body = 'A rule fired — open Hookscope to read it.';
      try {
        const row = fired;
        const rule = row ? listRules(parts.store.db).find((r) => r.id === row.ruleId) : undefined;
        const ev = row?.eventId != null ? parts.store.getEvent(row.eventId) : null;
        if (rule && ev) {
          const quiet = { ...ev, text: ev.text == null ? null : HIDDEN_TEXT };
          title = renderTemplate(rule.title, quiet) || title;
          body = renderTemplate(rule.body, quiet);
        } else if (rule && row?.eventId == null) {
          // A silence rule: no message, nothing to hide.
          ({ title, body } = n);
        }
      } catch (err) {
        parts.logger.warn('could not render the lock-screen notification', { err: String(err) });
      }
      notifier.show({ ...n, title, body });
    },
  };
}

export function createHandlers(parts: CoreParts): CoreApi {
  const { store, reads, settings, emitter, tunnel, opts } = parts;
  const views = createViewsStore(store.db);
  const version = opts.version ?? readVersion();
  const power = createPowerTools(parts);
  const doctor = createDoctor({
    store, settings, tunnel, clock: parts.clock,
    wouldVerify: () => countWouldVerify({ log: parts.rejected, receiver: () => parts.receiver }),
    diskFull: () => parts.diskFull?.() ?? false,
  });
  const firstWebhook = createFirstWebhook(store);
  const isLeadReply = createLeadReplyChecker(store.db, parts.clock);
  const lastIncomingStmt = store.db.prepare(`SELECT received_at AS t FROM events WHERE kind = 'message' ORDER BY id DESC LIMIT 1`);
  const sender = createActionSender({
    db: store.db,
    clock: parts.clock,
    logger: parts.logger,
    emit: (d) => emitter.emit('deliveries:recorded', d),
    // Where webhooks reach this Hookscope: an action aimed there would loop (action-sender.ts).
    self: () => {
      const info = parts.receiverInfo();
      const tunnelUrl = tunnel.get().url ?? null;
      const urls = [tunnelUrl, settings.publicUrl(tunnelUrl), info?.url].filter((u): u is string => !!u);
      return { ports: info ? [info.port] : [], urls };
    },
    maxPerMinute: opts.actionsPerMinute,
    keyPrefix: parts.deliveryKeyPrefix,
    renderDigest: (ruleId, actionIndex, jobs) => renderOverflowDigest(ruleId, actionIndex, jobs),
    onFinished: (requestId) => { if (requestId != null) parts.team?.ranRules?.([]); },
  });

  /** One delivery for the actions a rule held over its per-minute cap: the rule's own template, filled with a summary. */
  function renderOverflowDigest(ruleId: number, actionIndex: number, jobs: { eventId: number | null; body: string }[]) {
    const rule = getRule(store.db, ruleId);
    const action = rule && actionsOf(rule)[actionIndex];
    if (!rule || !action || action.type !== 'http') return null;
    const lines: string[] = [];
    for (const j of jobs.slice(0, 20)) {
      const ev = j.eventId != null ? store.getEvent(j.eventId) : null;
      if (ev) lines.push(`${ev.contactName || (ev.contactId ? `+${ev.contactId}` : ev.kind)}: ${ev.text ?? ev.status ?? ev.kind}`);
    }
    if (jobs.length > lines.length) lines.push(`… and ${jobs.length - lines.length} more`);
    const title = `${jobs.length} more match${jobs.length === 1 ? '' : 'es'} of “${rule.name}” (over the per-minute cap)`;
    const body = lines.join('\n');
    const fields = eventFields(null, { ruleId, ruleName: rule.name, title, body, count: jobs.length, eventIds: jobs.map((j) => j.eventId) });
    const rendered = renderBody(action.body ?? '', fields);
    return { body: rendered, headers: actionHeaders(action, rendered, actionSecret(store.db, ruleId, actionIndex)) };
  }
  const desktopNotifier = opts.notifier && lockScreenSafe(opts.notifier, parts);
  const rules = createRulesRunner({
    db: store.db,
    // A business reply answered just before a timer check must count before an unanswered-lead alert fires.
    beforeTick: () => parts.deriver.catchUp(),
    clock: parts.clock,
    logger: parts.logger,
    notifier: desktopNotifier,
    emit: (n) => emitter.emit('notifications:fired', n),
    isLeadReply,
    lastIncomingAt: () => (lastIncomingStmt.get() as { t: number } | undefined)?.t ?? null,
    sender,
    getEvent: (id) => store.getEvent(id),
    tickMs: opts.rulesTickMs,
    // Team mode: one process at a time runs timer rules over the shared history.
    runsTimers: parts.team ? () => parts.team!.runsTimers() : undefined,
  });

  /** Test button: every http action of the rule, once, with the sample event (or the last day's digest). */
  /**
   * A rule sent back as it was read has its credentials masked (maskActions): put the stored ones back
   * (shared/actions.ts unmaskAction), or refuse when a masked value has nothing to stand for.
   */
  function unmasked(id: number | null, input: unknown): unknown {
    const actions = (input as { actions?: unknown } | null)?.actions;
    if (!Array.isArray(actions)) return input;
    const stored = id != null ? actionsOf(getRule(store.db, id) ?? {}) : [];
    return {
      ...(input as object),
      actions: actions.map((a: unknown, i) => {
        const h = a as HttpAction;
        if (!h || typeof h !== 'object' || h.type !== 'http' || typeof h.url !== 'string') return a;
        const s = stored[i]?.type === 'http' ? stored[i] as HttpAction : undefined;
        const out = unmaskAction(h, s, `actions[${i}]`);
        if (typeof out === 'string') throw new HookscopeError('VALIDATION', out);
        return out;
      }),
    };
  }

  async function testRule(args: { id?: number; rule?: unknown }) {
    let rule: RuleInput;
    const ruleId = args.id ?? null;
    if (args.rule !== undefined) {
      const v = validateRule(unmasked(ruleId, args.rule));
      if (!v.ok) throw new HookscopeError(v.code, v.message);
      rule = v.rule;
    } else if (ruleId != null) {
      rule = getRule(store.db, ruleId) ?? notFound(`Rule ${ruleId}`);
    } else {
      throw new HookscopeError('BAD_REQUEST', 'Give a rule id or a rule to test.');
    }
    const http = actionsOf(rule).map((a, i) => [a, i] as const).filter((x): x is readonly [HttpAction, number] => x[0].type === 'http');
    if (http.length === 0) throw new HookscopeError('BAD_REQUEST', 'This rule has no http action to test; add one (Slack, Discord, Teams, JSON…).');
    const now = parts.clock();
    const ev = rule.digest ? null : { ...SAMPLE_EVENT, receivedAt: now };
    let extra: Record<string, unknown> = { minutes: rule.unanswered?.minutes ?? rule.silence?.minutes ?? '' };
    let vars: Record<string, string> = { minutes: String(extra.minutes) };
    if (rule.digest) {
      const f = digestFacts(store.db, isLeadReply, now - 86_400_000, now);
      const summary = `${f.failed} failed · ${f.leadsReplied.length} leads replied · ${f.unanswered.length} unanswered (test: the last 24 hours)`;
      extra = { period: 'the last 24 hours (test)', since: now - 86_400_000, until: now, failed: f.failed, failedByCode: f.failedByCode,
        leadsReplied: f.leadsReplied, unanswered: f.unanswered, summary };
      vars = { period: 'the last 24 hours (test)', summary, failed: String(f.failed), leadsReplied: String(f.leadsReplied.length), unanswered: String(f.unanswered.length) };
    }
    const title = renderTemplate(rule.title, ev, vars);
    const body = renderTemplate(rule.body, ev, vars);
    const results = await Promise.all(http.map(async ([a, i]) => {
      // Write-only secret: the editor sends it only when typed; otherwise the stored one signs.
      const secret = typeof a.secret === 'string' && a.secret !== '' ? a.secret
        : a.secret === null || ruleId == null ? null : actionSecret(store.db, ruleId, i);
      const fields = eventFields(ev, { ruleId, ruleName: rule.name, title, body, ...extra });
      const o = await sender.test({ ruleId, eventId: null, actionIndex: i, contactId: null, action: a, body: renderBody(a.body ?? '', fields), secret });
      return { actionIndex: i, url: o.url, status: o.status, durationMs: o.durationMs, error: o.error, excerpt: o.excerpt };
    }));
    return { results };
  }

  const handlers: ContractHandlers = {
    // The core itself has one user with every right; a team server's control API answers this per token.
    'app:me': () => ({ role: 'admin', name: null }),
    'app:info': () => {
      const receiver = parts.receiverInfo();
      if (!receiver) throw new HookscopeError('INTERNAL', 'The receiver is not running.');
      return { version, mode: opts.mode, receiver, dataDir: opts.dataDir, ...(parts.team ? { team: parts.team.status() } : {}) };
    },
    'events:list': (q) => reads.listEvents(q as Parameters<Store['listEvents']>[0]),
    'events:get': async ({ id }) => {
      const ev = (await reads.getEvent(id)) ?? notFound(`Event ${id}`);
      const req = ev.request;
      // The debugger recomputes several HMACs: only on demand, and only for a verdict worth explaining.
      if (req.provider && (req.signature === 'invalid' || req.signature === 'missing')) {
        const bytes = (await reads.getRequest(req.id))?.bodyBytes ?? Buffer.alloc(0);
        const local = parts.receiverInfo()?.url ?? '';
        req.signatureDebug = debugSignature({
          provider: req.provider, headers: req.headers, rawBody: bytes, method: req.method,
          pathAndQuery: req.path + (req.query ? `?${req.query}` : ''), publicUrl: settings.publicUrl(tunnel.get().url ?? null),
          localUrl: local, metaSecrets: settings.metaSecrets(), verifyToken: settings.verifyToken(), twilioTokens: settings.twilioTokens(),
        });
      }
      return ev;
    },
    'messages:list': (q) => reads.listMessages(q as Parameters<Store['listMessages']>[0]),
    'messages:get': async ({ messageId, provider }) => (await reads.lifecycle(messageId, provider)) ?? notFound(`Message ${messageId}`),
    'contacts:thread': ({ contactId, limit, provider }) => reads.thread(contactId, limit ?? 200, provider),
    'messages:stats': (f) => reads.messageStats((f ?? {}) as Parameters<Store['messageStats']>[0]),
    'stats:get': (f) => reads.stats((f ?? {}) as Parameters<Store['stats']>[0]),
    // Credentials are write-only: reads carry actions masked (header values, the URL's secret parts);
    // a viewer of a team server sees the host alone (electron/serve/control-api.ts).
    'rules:list': () => listRules(store.db).map((r) => maskActions(r)),
    'views:list': () => views.list(),
    'views:create': (v) => views.create(v as SavedViewInput),
    'views:update': ({ id, view }) => views.update(id, view as Partial<SavedViewInput>),
    'views:delete': ({ id }) => { views.remove(id); return { deleted: true as const }; },
    'businesses:list': () => views.businesses(),
    'businesses:name': ({ businessId, name }) => views.nameBusiness(businessId, name),
    // Team mode: the shared rules in PostgreSQL change first, so every process runs the same ones.
    'rules:create': async (input) => {
      const rule = unmasked(null, input);
      if (parts.team) return maskActions(await parts.team.rules.create(rule, parts.clock()));
      const r = createRule(store.db, rule, parts.clock()); rules.reload(); return maskActions(r);
    },
    'rules:update': async ({ id, rule: input }) => {
      const rule = unmasked(id, input);
      if (parts.team) return maskActions(await parts.team.rules.update(id, rule, parts.clock()));
      const r = updateRule(store.db, id, rule, parts.clock()); rules.reload(); return maskActions(r);
    },
    'rules:delete': async ({ id }) => {
      if (parts.team) await parts.team.rules.remove(id);
      else if (!deleteRule(store.db, id)) notFound(`Rule ${id}`);
      rules.reload();
      return { deleted: true as const };
    },
    'rules:preview': ({ rule, eventId, sinceMs }) => {
      // The editor's preview runs exactly the code that fires notifications, over stored events.
      const v = validateRule(rule);
      if (!v.ok) return { valid: false, error: v.message, matches: null, wouldHaveFired: 0 };
      let matches: boolean | null = null;
      if (eventId != null) {
        const ev = store.getEvent(eventId) ?? notFound(`Event ${eventId}`);
        matches = compileRule(v.rule).matches(ev, { isLeadReply });
      }
      const since = parts.clock() - (sinceMs ?? 86_400_000);
      const wouldHaveFired = rules.wouldHaveFired(v.rule, store.iterateEvents({ since }));
      return { valid: true, error: null, matches, wouldHaveFired };
    },
    'notifications:list': ({ limit } = {}) => ({ items: listNotifications(store.db, limit ?? 200) }),
    'rules:test': (args) => testRule(args as { id?: number; rule?: unknown }),
    'deliveries:list': (q) => {
      const a = (q ?? {}) as { kind?: 'action' | 'forward'; requestId?: number; ruleId?: number; eventId?: number; limit?: number };
      // A rule or an event names actions; a request names forwards; otherwise both, newest first.
      const actions = a.kind === 'forward' || a.requestId != null ? [] : sender.list(a);
      const forwards = a.kind === 'action' || a.ruleId != null || a.eventId != null ? [] : power.forwarder.list(a);
      if (forwards.length === 0) return { items: actions };
      if (actions.length === 0) return { items: forwards };
      return { items: [...actions, ...forwards].sort((x, y) => y.at - x.at).slice(0, a.limit ?? 200) };
    },
    'forwards:summary': () => ({ targets: power.forwarder.summary() }),
    'forwards:retry': (a) => ({ requeued: power.forwarder.retryNow(a?.target) }),
    'forwards:drop': (a) => ({ dropped: power.forwarder.drop(a?.target) }),
    'settings:get': () => settings.view(),
    'settings:update': (u) => {
      const view = settings.update(u as Parameters<import('./setup/settings').Settings['update']>[0]);
      // New limits hold now, not at the next timer tick.
      if (u.retention) { void power.tools.retention.drain(); void parts.team?.prune(); }
      if (u.rejectedLogBytes !== undefined) parts.rejected.trim();
      emitter.emit('settings:changed', view);
      return view;
    },
    'settings:reveal-verify-token': () => ({ token: settings.verifyToken() }),
    'replay:send': power.handlers['replay:send'],
    'simulate:send': power.handlers['simulate:send'],
    'doctor:get': async (a) => ({ findings: await doctor.run({ selfCheck: a?.selfCheck }), firstRealWebhookAt: firstWebhook.at() }),
    'stats:extra': ({ since, until }) => {
      const u = until ?? parts.clock();
      return reads.statsExtra(since ?? u - 86_400_000, u);
    },
    'requests:curl': ({ requestId, redact }) => {
      if (!store.getRequest(requestId)) notFound(`Request ${requestId}`);
      return { curl: power.tools.curl(requestId, { redact }) };
    },
    'replay:filtered': ({ filter, target }) => power.tools.replayFiltered(filter as Parameters<Store['listEvents']>[0], { target }),
    'import:file': ({ text, format }) => power.tools.importFile(text, format),
    'export:save': () => {
      // The renderer never names a path: the desktop shell asks the user (electron/main/ipc.ts).
      throw new HookscopeError('BAD_REQUEST', 'Saving an export to a file is done by the desktop app; under serve, download GET /api/export.');
    },
    'contacts:forget': async ({ contactId, dryRun }) => {
      // Team mode: the shared record and every process's read model forget it too.
      const r = parts.team && !dryRun ? await parts.team.forget(contactId) : forgetContact(store.db, contactId, { dryRun });
      // The rewrite after the erase holds the connection: the confirmation says for how long, from the
      // cost measured by `npm run bench` (docs/benchmarks.md, "forget" rows).
      if (r.dryRun) {
        const databaseBytes = store.counts().bytes;
        return { ...r, databaseBytes, rewriteEstimateMs: Math.ceil((databaseBytes / 2 ** 30) * REWRITE_MS_PER_GIB) };
      }
      // Deleted rows are overwritten, but SQLite leaves stale copies of cells in pages' unused space when
      // it rebalances its trees, and the WAL may keep old frames: the file is rewritten and the WAL
      // emptied every time (forget.ts eraseTraces). It holds the connection while it runs (ingest waits);
      // the confirmation says how long that is for the database's size (docs/benchmarks.md).
      let traces = { vacuumed: false, walEmptied: false, ms: 0 };
      try { traces = await eraseTraces(store.db); } catch (err) { parts.logger.warn('rewriting the file after forgetting a contact failed', { err: String(err) }); }
      const compacted = traces.vacuumed;
      parts.logger.info('contact forgotten', { requests: r.requests, requestsEdited: r.requestsEdited, events: r.events, notifications: r.notifications });
      // Every open window (other browser tabs under serve) drops the contact's rows without a reload.
      emitter.emit('contacts:forgotten', [{ contactId }]);
      return { ...r, compacted, walEmptied: traces.walEmptied, compactMs: traces.ms };
    },
    'tunnel:get': () => tunnel.get(),
    'tunnel:start': async () => {
      const state = await tunnel.start();
      const open = [settings.metaSecrets().length === 0 && settings.acceptsUnsigned('meta') ? 'Meta' : null, settings.twilioTokens().length === 0 && settings.acceptsUnsigned('twilio') ? 'Twilio' : null].filter(Boolean);
      // Starting the tunnel is what exposes the receiver: say out loud what accepting unsigned webhooks
      // means (a provider without a secret and without the switch is closed: nothing to warn about).
      return open.length > 0 && state.state !== 'error'
        ? { ...state, warning: `Unsigned webhooks accepted for ${open.join(' and ')}: anyone who knows the tunnel URL can add events.` }
        : state;
    },
    'tunnel:stop': () => tunnel.stop(),
    'rejected:list': (a) => ({ ...parts.rejected.list(a ?? {}), diskLow: parts.diskLow(), diskFull: parts.diskFull?.() ?? false }),
    'rejected:get': ({ id }) => rejectedDetail(id),
    'health:list': () => ({ checks: parts.health.list() }),
    'health:update': ({ id, enabled, params }) => parts.health.update(id, { enabled, params }),
    'rejected:reverify': async () => {
      const r = await reverify({ log: parts.rejected, receiver: () => parts.receiver, writer: parts.writer, clock: parts.clock });
      // The promoted requests' events exist (and are pushed) once this answers.
      parts.deriver.catchUp();
      api.rejectedChanged();
      return r;
    },
  };

  function rejectedDetail(id: number): RejectedDetail {
    const row = parts.rejected.get(id) ?? notFound(`Rejected request ${id}`);
    const { bodyBytes, ...detail } = row;
    const out: RejectedDetail = detail;
    if (row.provider && row.method === 'POST' && row.bodyComplete) {
      out.signatureDebug = debugSignature({
        provider: row.provider, headers: row.headers, rawBody: bodyBytes, method: row.method,
        pathAndQuery: row.path + (row.query ? `?${row.query}` : ''), publicUrl: settings.publicUrl(tunnel.get().url ?? null),
        localUrl: parts.receiverInfo()?.url ?? '', metaSecrets: settings.metaSecrets(), verifyToken: settings.verifyToken(), twilioTokens: settings.twilioTokens(),
      });
      // What it claims to be, parsed by the same normalisers, shown marked untrusted and never stored as events.
      try {
        const text = bodyBytes.toString('utf8');
        const isJson = /json/i.test(row.headers.find(([k]) => k === 'content-type')?.[1] ?? '');
        const evs = row.provider === 'meta' ? normaliseMeta(JSON.parse(text)) : isJson ? normaliseTwilioJson(JSON.parse(text)) : normaliseTwilio(parseForm(text));
        out.preview = evs.slice(0, 50).map((e) => ({ kind: e.kind, status: e.status, contactId: e.contactId, contactName: e.contactName, text: e.text, messageId: e.messageId }));
      } catch { /* not parseable: no preview */ }
    }
    return out;
  }

  let rejectedTimer: ReturnType<typeof setTimeout> | null = null;

  // A rotated app secret (or auth token) looks exactly like this: signed provider webhooks answered 401.
  // Rules never see rejected requests, so the core says it itself — once per burst per provider, so a
  // flood of forgeries costs one notification, not thousands.
  const lastBadSignature = new Map<string, number>();
  function signatureFailing(item: RejectedItem): void {
    if (item.signature !== 'invalid' || item.httpStatus !== 401 || !item.provider) return;
    const now = parts.clock();
    const last = lastBadSignature.get(item.provider);
    lastBadSignature.set(item.provider, now);
    if (last != null && now - last < SIGNATURE_BURST_QUIET_MS) return;
    // With the signature health check on, it says so itself, at its threshold, and when it recovers
    // (docs/api.md "Health checks"): one notice, not two.
    if (parts.health.isOn('signatures')) return;
    const who = item.provider === 'meta' ? 'Meta' : 'Twilio';
    const what = item.provider === 'meta' ? 'the app secret' : 'the auth token';
    const title = `${who} webhooks are failing their signature check`;
    const body = `A signed webhook on ${item.path} did not match ${what} set in Hookscope, so it was rejected. If ${what} was rotated, paste the new one in Setup, then Re-verify in the Rejected view.`;
    try {
      const rec = insertNotification(store.db, { ruleId: SYSTEM_RULE_ID, eventId: null, title, body, firedAt: now, contactId: null });
      emitter.emit('notifications:fired', [rec]);
      desktopNotifier?.show({ title, body, eventId: null, notificationId: rec.id });
    } catch (err) {
      parts.logger.warn('could not record the failing-signature notification', { err: String(err) });
    }
  }

  const api: CoreApi = {
    handlers,
    afterStored(_input, result, live = true, what = { rules: true, forward: false }) {
      // Team mode's claimed requests (team/team-core.ts): their rules run here, after the claim, in one
      // transaction of their own. Forwards were written to the outbox by the derive transaction.
      if (!live || !what.rules) return;
      const trusted = result.events.filter((e) => isTrusted(e.signature));
      if (trusted.length > 0) store.db.transaction(() => rules.onEvents(trusted))();
      power.afterDerived();
    },
    inDeriveTx(items, what, later) {
      const forward: DerivedRequest[] = [];
      for (const d of items) {
        if (d.failed) continue;
        const w = what(d);
        if (w.forward) forward.push(d);
        if (!w.rules) continue;
        const trusted = d.result.events.filter((e) => isTrusted(e.signature));
        if (trusted.length > 0) rules.onEvents(trusted, later(d));
      }
      if (forward.length === 0) return;
      try {
        power.forwarder.enqueue(forward);
      } catch (err) {
        // The database refusing (disk full) fails the derive transaction: derived again later, nothing lost.
        if (String((err as { code?: unknown }).code ?? '').startsWith('SQLITE_')) throw err;
        parts.logger.error('could not queue forwards', { err: String(err) });
      }
    },
    afterDerived() {
      power.afterDerived();
    },
    rejectedChanged(item) {
      if (item) signatureFailing(item);
      // A flood refuses thousands of requests a second: the UI hears about it a few times a second.
      if (rejectedTimer) return;
      rejectedTimer = setTimeout(() => {
        rejectedTimer = null;
        const page = parts.rejected.list({ limit: 1 });
        emitter.emit('rejected:changed', { total: page.total, notStored: page.notStored, diskLow: parts.diskLow(), diskFull: parts.diskFull?.() ?? false });
      }, 250);
      rejectedTimer.unref?.();
    },
    start() { power.start(); rules.start(); },
    stop() {
      if (rejectedTimer) clearTimeout(rejectedTimer);
      rejectedTimer = null;
      rules.stop();
      power.stop();
      return sender.stop();
    },
    tools: power.tools,
    tickRules: () => rules.tick(),
    reloadRules: () => rules.reload(),
    // Only the rule's actions are used, not its conditions or its switch: a rule may exist just to hold
    // the Slack or Teams target a health check posts to (docs/api.md "Health checks").
    healthActions(ruleId, n) {
      const rule = getRule(store.db, ruleId);
      if (!rule) { parts.logger.warn('a health check posts to a rule that is gone', { ruleId, check: n.check }); return; }
      actionsOf(rule).forEach((a, i) => {
        if (a.type !== 'http') return;
        const fields = eventFields(null, { ruleId, ruleName: rule.name, title: n.title, body: n.body, check: n.check, state: n.state, value: n.value });
        sender.enqueue({
          ruleId, eventId: null, actionIndex: i, contactId: null, action: a, body: renderBody(a.body ?? '', fields),
          secret: actionSecret(store.db, ruleId, i), requestId: null, overflow: rule.actionOverflow ?? 'digest',
        });
      });
    },
    hasHttpActions: (ruleId) => { const r = getRule(store.db, ruleId); return !!r && actionsOf(r).some((a) => a.type === 'http'); },
  };
  return api;
}
