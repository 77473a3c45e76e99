// The contract's handlers (shared/ipc.ts RequestChannels), implemented once over the core's parts.
// Arguments arrive already validated by the dispatcher.
import type { ContractHandlers, PushChannels } from '../../shared/ipc';
import { HookscopeError } from '../../shared/errors';
import type { Store, IngestResult } from './store';
import type { Settings } from './settings';
import type { TypedEmitter } from './emitter';
import type { Receiver, ReceiverInput } from './receiver';
import type { Tunnel } from './tunnel';
import type { Clock, CoreOptions, Logger } from './types';
import type { ReceiverInfo } from '../../shared/types';
import { readVersion } from './core';
import { debugSignature } from './signature';
import { createPowerTools, type CoreTools } from './power-tools';

export interface CoreParts {
  store: Store;
  settings: Settings;
  emitter: TypedEmitter<PushChannels>;
  clock: Clock;
  logger: Logger;
  tunnel: Tunnel;
  opts: CoreOptions;
  receiverInfo: () => ReceiverInfo | null;
  receiver?: Receiver;
}

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
  const { store, settings, emitter, tunnel, opts } = parts;
  const version = opts.version ?? readVersion();
  const power = createPowerTools(parts);

  const handlers: ContractHandlers = {
    'app:info': () => {
      const receiver = parts.receiverInfo();
      if (!receiver) throw new HookscopeError('INTERNAL', 'The receiver is not running.');
      return { version, mode: opts.mode, receiver, dataDir: opts.dataDir };
    },
    'events:list': (q) => store.listEvents(q as Parameters<Store['listEvents']>[0]),
    'events:get': ({ id }) => {
      const ev = store.getEvent(id) ?? notFound(`Event ${id}`);
      const req = ev.request;
      // The debugger recomputes several HMACs: only on demand, and only for a verdict worth explaining.
      if (req.provider && (req.signature === 'invalid' || req.signature === 'missing')) {
        const bytes = store.getRequest(req.id)?.bodyBytes ?? Buffer.alloc(0);
        const local = parts.receiverInfo()?.url ?? '';
        req.signatureDebug = debugSignature({
          provider: req.provider, headers: req.headers, rawBody: bytes, method: req.method,
          pathAndQuery: req.path + (req.query ? `?${req.query}` : ''), publicUrl: settings.publicUrl(tunnel.get().url ?? null),
          localUrl: local, metaSecrets: settings.metaSecrets(), verifyToken: settings.verifyToken(), twilioTokens: settings.twilioTokens(),
        });
      }
      return ev;
    },
    'messages:get': ({ messageId }) => store.lifecycle(messageId) ?? notFound(`Message ${messageId}`),
    'contacts:thread': ({ contactId, limit }) => store.thread(contactId, limit ?? 200),
    'stats:get': (f) => store.stats(f ?? {}),
    'rules:list': () => { throw new HookscopeError('INTERNAL', 'rules are not wired yet'); },
    'rules:create': () => { throw new HookscopeError('INTERNAL', 'rules are not wired yet'); },
    'rules:update': () => { throw new HookscopeError('INTERNAL', 'rules are not wired yet'); },
    'rules:delete': () => { throw new HookscopeError('INTERNAL', 'rules are not wired yet'); },
    'notifications:list': () => ({ items: [] }),
    'settings:get': () => settings.view(),
    'settings:update': (u) => {
      const view = settings.update(u as Parameters<Settings['update']>[0]);
      emitter.emit('settings:changed', view);
      return view;
    },
    'replay:send': power.handlers['replay:send'],
    'simulate:send': power.handlers['simulate:send'],
    'tunnel:get': () => tunnel.get(),
    'tunnel:start': () => tunnel.start(),
    'tunnel:stop': () => tunnel.stop(),
  };

  return {
    handlers,
    afterStored(input, result) { power.afterStored(input, result); },
    start() { power.start(); },
    stop() { power.stop(); },
    tools: power.tools,
  };
}
