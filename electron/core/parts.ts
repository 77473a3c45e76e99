// What the composition root (core.ts) has built, handed to the contract handlers (api.ts). Each part
// below it takes only the pieces it names (see createPowerTools, createDoctor, createRulesRunner).
import type { PushChannels } from '../../shared/ipc';
import type { ReceiverInfo } from '../../shared/types';
import type { Store } from './store/store';
import type { AsyncReads } from './store/reads';
import type { Settings } from './setup/settings';
import type { TypedEmitter } from './emitter';
import type { Receiver } from './ingest/receiver';
import type { Tunnel } from './tunnel/tunnel';
import type { Clock, CoreOptions, Logger } from './types';

export interface CoreParts {
  store: Store;
  /** The UI's reads, possibly in a worker thread (reads.ts). */
  reads: AsyncReads;
  settings: Settings;
  emitter: TypedEmitter<PushChannels>;
  clock: Clock;
  logger: Logger;
  tunnel: Tunnel;
  opts: CoreOptions;
  receiverInfo: () => ReceiverInfo | null;
  receiver?: Receiver;
}
