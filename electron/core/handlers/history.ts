// The contract's reads of the stored history (shared/ipc.ts): who is asking, events, messages, threads,
// counts, saved views and business names. The parts answering them are built in core.ts.
import type { ContractHandlers } from '../../../shared/ipc';
import { HookscopeError } from '../../../shared/errors';
import type { SavedViewInput } from '../../../shared/types';
import type { Store } from '../store/store';
import { readVersion } from '../version';
import type { CoreParts } from '../parts';
import { explainSignature, notFound } from './common';

export function historyHandlers(parts: CoreParts) {
  const { reads, opts, views } = parts;
  const version = opts.version ?? readVersion();
  return {
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
        req.signatureDebug = explainSignature(parts, { ...req, provider: req.provider }, bytes);
      }
      return ev;
    },
    'messages:list': (q) => reads.listMessages(q as Parameters<Store['listMessages']>[0]),
    'messages:get': async ({ messageId, provider }) => (await reads.lifecycle(messageId, provider)) ?? notFound(`Message ${messageId}`),
    'contacts:thread': ({ contactId, limit, provider }) => reads.thread(contactId, limit ?? 200, provider),
    'messages:stats': (f) => reads.messageStats((f ?? {}) as Parameters<Store['messageStats']>[0]),
    'stats:get': (f) => reads.stats((f ?? {}) as Parameters<Store['stats']>[0]),
    'views:list': () => views.list(),
    'views:create': (v) => views.create(v as SavedViewInput),
    'views:update': ({ id, view }) => views.update(id, view as Partial<SavedViewInput>),
    'views:delete': ({ id }) => { views.remove(id); return { deleted: true as const }; },
    'businesses:list': () => views.businesses(),
    'businesses:name': ({ businessId, name }) => views.nameBusiness(businessId, name),
    'stats:extra': ({ since, until }) => {
      const u = until ?? parts.clock();
      return reads.statsExtra(since ?? u - 86_400_000, u);
    },
  } satisfies Partial<ContractHandlers>;
}
