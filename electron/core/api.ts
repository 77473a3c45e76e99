// The contract's handlers (shared/ipc.ts RequestChannels): a table from each request channel to the
// parts the composition root (core.ts) already built. Arguments arrive already validated by the dispatcher.
import type { ContractHandlers } from '../../shared/ipc';
import { HookscopeError } from '../../shared/errors';
import type { Store } from './store/store';
import { readVersion } from './version';
import type { CoreParts } from './parts';
import { debugSignature } from './ingest/signature-debug';
import { createRule, deleteRule, listNotifications, listRules, updateRule } from './rules/rules-store';
import { compileRule, validateRule } from '../../shared/rules';
import { maskActions } from '../../shared/actions';
import { eraseTraces, forgetContact } from './store/forget';
import { reverify } from './ingest/reverify';
import { eventsOf } from './ingest/derive-events';
import { testRule, unmaskedRule } from './rules/rule-editing';
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

  // A rule sent back as it was read has its credentials masked: the stored ones go back in (rules/rule-editing.ts).
  const unmasked = (id: number | null, input: unknown) => unmaskedRule(store.db, id, input);

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
    'rules:test': (args) => testRule({ db: store.db, sender, clock: parts.clock, isLeadReply }, args as { id?: number; rule?: unknown }),
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
    'health:list': () => ({ checks: parts.health.list() }),
    'health:update': ({ id, enabled, params }) => parts.health.update(id, { enabled, params }),
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
