// The contract's handlers (shared/ipc.ts RequestChannels), implemented once over the core's parts.
// Arguments arrive already validated by the dispatcher.
import type { ContractHandlers } from '../../shared/ipc';
import { HookscopeError } from '../../shared/errors';
import type { Store, IngestResult } from './store/store';
import type { ReceiverInput } from './ingest/receiver';
import { readVersion } from './version';
import type { CoreParts } from './parts';
import { debugSignature } from './ingest/signature';
import { createPowerTools, type CoreTools } from './tools/power-tools';
import { createRulesRunner } from './rules/rules-runner';
import { createLeadReplyChecker, createRule, deleteRule, listNotifications, listRules, updateRule } from './rules/rules-store';
import { compileRule, validateRule } from '../../shared/rules';
import { createDoctor } from './setup/doctor-facts';


export interface CoreApi {
  handlers: ContractHandlers;
  afterStored(input: ReceiverInput, result: IngestResult): void;
  start(): void;
  stop(): void;
  /** Export/import/cURL/extra stats/retention, for the shells (Core.tools). */
  tools?: CoreTools;
}

function notFound(what: string): never {
  throw new HookscopeError('NOT_FOUND', `${what} was not found.`);
}

export function createHandlers(parts: CoreParts): CoreApi {
  const { store, reads, settings, emitter, tunnel, opts } = parts;
  const version = opts.version ?? readVersion();
  const power = createPowerTools(parts);
  const doctor = createDoctor({ store, settings, tunnel, clock: parts.clock });
  const isLeadReply = createLeadReplyChecker(store.db, parts.clock);
  const lastIncomingStmt = store.db.prepare(`SELECT received_at AS t FROM events WHERE kind = 'message' ORDER BY id DESC LIMIT 1`);
  const rules = createRulesRunner({
    db: store.db,
    clock: parts.clock,
    logger: parts.logger,
    notifier: opts.notifier,
    emit: (n) => emitter.emit('notifications:fired', n),
    isLeadReply,
    lastIncomingAt: () => (lastIncomingStmt.get() as { t: number } | undefined)?.t ?? null,
  });

  const handlers: ContractHandlers = {
    'app:info': () => {
      const receiver = parts.receiverInfo();
      if (!receiver) throw new HookscopeError('INTERNAL', 'The receiver is not running.');
      return { version, mode: opts.mode, receiver, dataDir: opts.dataDir };
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
    'messages:get': async ({ messageId }) => (await reads.lifecycle(messageId)) ?? notFound(`Message ${messageId}`),
    'contacts:thread': ({ contactId, limit }) => reads.thread(contactId, limit ?? 200),
    'stats:get': (f) => reads.stats(f ?? {}),
    'rules:list': () => listRules(store.db),
    'rules:create': (input) => { const r = createRule(store.db, input, parts.clock()); rules.reload(); return r; },
    'rules:update': ({ id, rule }) => { const r = updateRule(store.db, id, rule, parts.clock()); rules.reload(); return r; },
    'rules:delete': ({ id }) => {
      if (!deleteRule(store.db, id)) notFound(`Rule ${id}`);
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
    'settings:get': () => settings.view(),
    'settings:update': (u) => {
      const view = settings.update(u as Parameters<import('./setup/settings').Settings['update']>[0]);
      emitter.emit('settings:changed', view);
      return view;
    },
    'replay:send': power.handlers['replay:send'],
    'simulate:send': power.handlers['simulate:send'],
    'doctor:get': async (a) => ({ findings: await doctor.run({ selfCheck: a?.selfCheck }) }),
    'stats:extra': ({ since, until }) => {
      const u = until ?? parts.clock();
      return reads.statsExtra(since ?? u - 86_400_000, u);
    },
    'requests:curl': ({ requestId }) => {
      if (!store.getRequest(requestId)) notFound(`Request ${requestId}`);
      return { curl: power.tools.curl(requestId) };
    },
    'replay:filtered': ({ filter, target }) => power.tools.replayFiltered(filter as Parameters<Store['listEvents']>[0], { target }),
    'import:file': ({ text, format }) => power.tools.importFile(text, format),
    'export:save': () => {
      // The renderer never names a path: the desktop shell asks the user (electron/main/ipc.ts).
      throw new HookscopeError('BAD_REQUEST', 'Saving an export to a file is done by the desktop app; under serve, download GET /api/export.');
    },
    'tunnel:get': () => tunnel.get(),
    'tunnel:start': () => tunnel.start(),
    'tunnel:stop': () => tunnel.stop(),
  };

  return {
    handlers,
    afterStored(input, result) {
      rules.onEvents(result.events);
      power.afterStored(input, result);
    },
    start() { power.start(); rules.start(); },
    stop() { rules.stop(); power.stop(); },
    tools: power.tools,
  };
}
