// The contract's reads of the stored history (shared/ipc.ts): who is asking, events, messages, threads,
// counts, saved views and business names. The parts answering them are built in core.ts.
import type { ContractHandlers } from '../../../shared/ipc';
import { HookscopeError } from '../../../shared/errors';
import type { SavedViewInput } from '../../../shared/types';
import type { Store } from '../store/store';
import { READ_METHODS, type AsyncReads, type RawJson } from '../store/reads';
import { readVersion } from '../version';
import type { CoreParts } from '../parts';
import type { RawHandlers } from '../dispatch';
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
    ...readThrough(reads, parts.clock),
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
    'messages:get': async ({ messageId, provider }) => (await reads.lifecycle(messageId, provider)) ?? notFound(`Message ${messageId}`),
    'views:list': () => views.list(),
    'views:create': (v) => views.create(v as SavedViewInput),
    'views:update': ({ id, view }) => views.update(id, view as Partial<SavedViewInput>),
    'views:delete': ({ id }) => { views.remove(id); return { deleted: true as const }; },
    'businesses:list': () => views.businesses(),
    'businesses:name': ({ businessId, name }) => views.nameBusiness(businessId, name),
  } satisfies Partial<ContractHandlers>;
}

/**
 * The channels whose answer is one read's value, untouched: the arguments mapped to that read, nothing
 * done to what it returns. The control API asks these of historyRawHandlers below.
 */
function readThrough(reads: AsyncReads, clock: CoreParts['clock']) {
  return {
    'events:list': (q) => reads.listEvents(q as Parameters<Store['listEvents']>[0]),
    'messages:list': (q) => reads.listMessages(q as Parameters<Store['listMessages']>[0]),
    'contacts:thread': ({ contactId, limit, provider }) => reads.thread(contactId, limit ?? 200, provider),
    'messages:stats': (f) => reads.messageStats((f ?? {}) as Parameters<Store['messageStats']>[0]),
    'stats:get': (f) => reads.stats((f ?? {}) as Parameters<Store['stats']>[0]),
    'stats:extra': ({ since, until }) => {
      const u = until ?? clock();
      return reads.statsExtra(since ?? u - 86_400_000, u);
    },
  } satisfies Partial<ContractHandlers>;
}

/**
 * The same channels answered as JSON bytes serialised where the read ran (the read worker; store/reads.ts),
 * for the control API, which writes them as the body: the receiver's thread neither rebuilds nor
 * stringifies the page (docs/architecture.md, "The UI's reads"). Built from readThrough itself, over reads
 * whose every method answers with `json`, so the arguments can never differ from the object path's.
 */
export function historyRawHandlers(parts: Pick<CoreParts, 'reads' | 'clock'>): RawHandlers {
  const { reads } = parts;
  const asJson = Object.fromEntries(READ_METHODS.map((m) => [m, (...args: unknown[]) => (reads.json as (m: string, ...a: unknown[]) => Promise<RawJson>)(m, ...args)]));
  return readThrough(asJson as unknown as AsyncReads, parts.clock) as unknown as RawHandlers;
}
