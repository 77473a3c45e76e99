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
import { countWouldVerify, reverify } from './ingest/reverify';
import { normaliseMeta, normaliseTwilio, normaliseTwilioJson } from '../../shared/normalise';
import { parseForm } from '../../shared/form';
import type { RejectedDetail, SignatureVerdict } from '../../shared/types';

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
  afterStored(input: ReceiverInput, result: IngestResult, live?: boolean): void;
  /** The rejected log changed (a request was refused): a coalesced push to the UI. */
  rejectedChanged(): void;
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
  const doctor = createDoctor({
    store, settings, tunnel, clock: parts.clock,
    wouldVerify: () => countWouldVerify({ log: parts.rejected, receiver: () => parts.receiver }),
  });
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
    'messages:get': async ({ messageId }) => (await reads.lifecycle(messageId)) ?? notFound(`Message ${messageId}`),
    'contacts:thread': ({ contactId, limit }) => reads.thread(contactId, limit ?? 200),
    'stats:get': (f) => reads.stats((f ?? {}) as Parameters<Store['stats']>[0]),
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
      // New limits hold now, not at the next timer tick.
      if (u.retention) void power.tools.retention.drain();
      if (u.rejectedLogBytes !== undefined) parts.rejected.trim();
      emitter.emit('settings:changed', view);
      return view;
    },
    'settings:reveal-verify-token': () => ({ token: settings.verifyToken() }),
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
    'tunnel:start': async () => {
      const state = await tunnel.start();
      const open = [settings.metaSecrets().length === 0 ? 'Meta' : null, settings.twilioTokens().length === 0 ? 'Twilio' : null].filter(Boolean);
      // Starting the tunnel is what exposes the receiver: say out loud what that means without a secret.
      return open.length > 0 && state.state !== 'error'
        ? { ...state, warning: `No secret for ${open.join(' and ')}: anyone who knows the tunnel URL can add events.` }
        : state;
    },
    'tunnel:stop': () => tunnel.stop(),
    'rejected:list': (a) => ({ ...parts.rejected.list(a ?? {}), diskLow: parts.diskLow() }),
    'rejected:get': ({ id }) => rejectedDetail(id),
    'rejected:reverify': async () => {
      const r = await reverify({
        log: parts.rejected, receiver: () => parts.receiver, writer: parts.writer, clock: parts.clock,
        onPromoted: (input, result, live) => {
          emitter.emit('events:appended', result.events);
          api.afterStored(input, result, live);
        },
      });
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

  const api: CoreApi = {
    handlers,
    afterStored(input, result, live = true) {
      if (!live) return;
      const trusted = result.events.filter((e) => isTrusted(e.signature));
      if (trusted.length > 0) rules.onEvents(trusted);
      power.afterStored(input, result);
    },
    rejectedChanged() {
      // A flood refuses thousands of requests a second: the UI hears about it a few times a second.
      if (rejectedTimer) return;
      rejectedTimer = setTimeout(() => {
        rejectedTimer = null;
        const page = parts.rejected.list({ limit: 1 });
        emitter.emit('rejected:changed', { total: page.total, notStored: page.notStored, diskLow: parts.diskLow() });
      }, 250);
      rejectedTimer.unref?.();
    },
    start() { power.start(); rules.start(); },
    stop() {
      if (rejectedTimer) clearTimeout(rejectedTimer);
      rejectedTimer = null;
      rules.stop();
      power.stop();
    },
    tools: power.tools,
  };
  return api;
}
