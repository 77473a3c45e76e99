// The contract's handlers (shared/ipc.ts RequestChannels): a table from each request channel to the
// parts the composition root (core.ts) already built. Arguments arrive already validated by the dispatcher.
import type { ContractHandlers } from '../../shared/ipc';
import { HookscopeError } from '../../shared/errors';
import type { Store } from './store/store';
import { readVersion } from './version';
import type { CoreParts } from './parts';
import { debugSignature } from './ingest/signature-debug';
import { createRule, deleteRule, digestFacts, getRule, listNotifications, listRules, updateRule, actionSecret } from './rules/rules-store';
import { compileRule, renderTemplate, validateRule } from '../../shared/rules';
import { actionsOf, eventFields, maskActions, renderBody, SAMPLE_EVENT, unmaskAction } from '../../shared/actions';
import type { HttpAction, RuleInput } from '../../shared/types';
import { eraseTraces, forgetContact } from './store/forget';
import { reverify } from './ingest/reverify';
import { eventsOf } from './ingest/derive-events';
import type { Provider, RejectedDetail, SavedViewInput } from '../../shared/types';

function notFound(what: string): never {
  throw new HookscopeError('NOT_FOUND', `${what} was not found.`);
}

/**
 * What rewriting the database after a forget costs per GiB of file (VACUUM + WAL truncate): `npm run bench`
 * measured 110 s per GiB on a loaded 2-core machine (docs/benchmarks.md, "Forget a contact"); rounded up,
 * so the confirmation errs on the long side.
 */
const REWRITE_MS_PER_GIB = 120_000;

export function createHandlers(parts: CoreParts): ContractHandlers {
  const { store, reads, settings, emitter, tunnel, opts, views, power, doctor, firstWebhook, isLeadReply, sender, rules } = parts;
  const version = opts.version ?? readVersion();

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
        req.signatureDebug = explainSignature({ ...req, provider: req.provider }, bytes);
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
    'rejected:list': (a) => ({ ...parts.rejected.list(a ?? {}), diskLow: parts.diskLow(), diskFull: parts.diskFull() }),
    'rejected:get': ({ id }) => rejectedDetail(id),
    'rejected:reverify': async () => {
      const r = await reverify({ log: parts.rejected, receiver: parts.receiver, writer: parts.writer, clock: parts.clock });
      // The promoted requests' events exist (and are pushed) once this answers.
      parts.deriver.catchUp();
      parts.rejectedNotices.changed();
      return r;
    },
  };

  /** The signature debugger (ingest/signature.ts) over a request's exact bytes, with the secrets set now. */
  function explainSignature(r: { provider: Provider; headers: [string, string][]; method: string; path: string; query: string }, rawBody: Buffer) {
    return debugSignature({
      provider: r.provider, headers: r.headers, rawBody, method: r.method,
      pathAndQuery: r.path + (r.query ? `?${r.query}` : ''), publicUrl: settings.publicUrl(tunnel.get().url ?? null),
      localUrl: parts.receiverInfo()?.url ?? '', metaSecrets: settings.metaSecrets(), verifyToken: settings.verifyToken(), twilioTokens: settings.twilioTokens(),
    });
  }

  function rejectedDetail(id: number): RejectedDetail {
    const row = parts.rejected.get(id) ?? notFound(`Rejected request ${id}`);
    const { bodyBytes, ...detail } = row;
    const out: RejectedDetail = detail;
    if (row.provider && row.method === 'POST' && row.bodyComplete) {
      out.signatureDebug = explainSignature({ ...row, provider: row.provider }, bodyBytes);
      // What it claims to be, parsed by the same normalisers, shown marked untrusted and never stored as events.
      try {
        const evs = eventsOf({ method: row.method, path: row.path, query: row.query, headers: row.headers, body: bodyBytes, provider: row.provider });
        out.preview = evs.slice(0, 50).map((e) => ({ kind: e.kind, status: e.status, contactId: e.contactId, contactName: e.contactName, text: e.text, messageId: e.messageId }));
      } catch { /* not parseable: no preview */ }
    }
    return out;
  }

  return handlers;
}
