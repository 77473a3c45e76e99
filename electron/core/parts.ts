// What the composition root (core.ts) has built, handed to the contract handlers (api.ts). Each part
// below it takes only the pieces it names (see createPowerTools, createDoctor, createRulesRunner).
import type { PushChannels, TeamStatus } from '../../shared/ipc';
import type { ReceiverInfo } from '../../shared/types';
import type { Store } from './store/store';
import type { AsyncReads } from './store/reads';
import type { Settings } from './setup/settings';
import type { TypedEmitter } from './emitter';
import type { Receiver } from './ingest/receiver';
import type { Tunnel } from './tunnel/tunnel';
import type { Clock, CoreOptions, Logger } from './types';
import type { RejectedLog } from './store/rejected-log';
import type { Writer } from './ingest/writer';
import type { Deriver } from './ingest/deriver';
import type { Health } from './health/health';

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
  /** Requests refused at the trust boundary (store/rejected-log.ts). */
  rejected: RejectedLog;
  /** The accepted writer (re-verification commits through it). */
  writer: Writer;
  /** Events from committed requests (ingest/deriver.ts). */
  deriver: Deriver;
  /** Health checks: silence, failure rate, stuck messages, signatures, quality (health/health.ts). */
  health: Health;
  /** Free disk under the floor: rejected requests are not stored. */
  diskLow: () => boolean;
  /** Storing an accepted webhook failed for lack of disk space, and none was stored since (receiver.ts). */
  diskFull?: () => boolean;
  /** What every delivery key (X-Hookscope-Delivery) of this history starts with: the same in every team process. */
  deliveryKeyPrefix: () => string;
  /** Team mode: whether this process received a request and so forwards it. Absent: every request. */
  ownsForward?: (requestId: number) => boolean;
  /** Set in team mode (team/team-core.ts): who runs the timer rules, the shared database's status. */
  team?: {
    runsTimers(): boolean;
    status(): TeamStatus;
    /** Prunes the shared record now, when this process leads retention. */
    prune(): Promise<number>;
    /** Rule changes go to the shared database first (team/rules-sync.ts). */
    rules: import('./team/rules-sync').RulesSync;
    /** Forget a contact everywhere: the shared record, this read model, then every other process. */
    forget(contactId: string): Promise<import('../../shared/types').ForgetResult>;
    /** The rules of these requests ran here and their actions are queued: hold their claims' leases. */
    ranRules?(requestIds: number[]): void;
  };
}
