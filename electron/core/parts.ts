// What the composition root (core.ts) has built, handed to the contract handlers (api.ts), which only map
// channels to these parts. Each part was built with exactly the dependencies it names (see core.ts).
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
import type { PowerTools } from './tools/power-tools';
import type { RulesRunner } from './rules/rules-runner';
import type { ActionSender } from './rules/action-sender';
import type { Doctor } from './setup/doctor-facts';
import type { FirstWebhook } from './setup/first-webhook';
import type { ViewsStore } from './store/views';
import type { RejectedNotices } from './ingest/rejected-notices';
import type { HookEvent } from '../../shared/types';

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
  /** The receiver, built after the handlers (it reports to them): undefined until then. */
  receiver: () => Receiver | undefined;
  /** Requests refused at the trust boundary (store/rejected-log.ts). */
  rejected: RejectedLog;
  /** What the UI hears when the rejected log changes (ingest/rejected-notices.ts). */
  rejectedNotices: RejectedNotices;
  /** The accepted writer (re-verification commits through it). */
  writer: Writer;
  /** Events from committed requests (ingest/deriver.ts). */
  deriver: Deriver;
  /** Health checks: silence, failure rate, stuck messages, signatures, quality (health/health.ts). */
  health: Health;
  /** Free disk under the floor: rejected requests are not stored. */
  diskLow: () => boolean;
  /** Storing an accepted webhook failed for lack of disk space, and none was stored since (receiver.ts). */
  diskFull: () => boolean;
  /** Forwarder, replay, simulator, export/import, retention (tools/power-tools.ts). */
  power: PowerTools;
  rules: RulesRunner;
  /** The rules' http actions (rules/action-sender.ts). */
  sender: ActionSender;
  doctor: Doctor;
  firstWebhook: FirstWebhook;
  views: ViewsStore;
  /** Whether an event is a lead's reply within the lead window (rules/rules-store.ts). */
  isLeadReply: (ev: HookEvent) => boolean;
  /** Set in team mode (team/team-core.ts): who runs the timer rules, the shared database's status. */
  team?: {
    status(): TeamStatus;
    /** Prunes the shared record now, when this process leads retention. */
    prune(): Promise<number>;
    /** Rule changes go to the shared database first (team/rules-sync.ts). */
    rules: import('./team/rules-sync').RulesSync;
    /** Forget a contact everywhere: the shared record, this read model, then every other process. */
    forget(contactId: string): Promise<import('../../shared/types').ForgetResult>;
  };
}
