// What createCore() adds in team mode (CoreOptions.databaseUrl; docs/architecture.md "Team mode"):
//  - the receiver's writer appends to the shared PostgreSQL record (team-writer.ts);
//  - the mirror copies every process's requests into this process's SQLite read model, and the deriver
//    turns them into events there, exactly as on the desktop;
//  - after derivation: every process pushes the events to its UIs; the receiving process alone forwards
//    a request to its --forward-to handlers (they are its local handlers, fed byte for byte; the outbox row
//    is written by the derive transaction); rules run in the one process that claims the request first in
//    PostgreSQL, which holds the claim as a lease until its actions are done — another process takes it
//    over when the lease runs out (claim-leases.ts);
//  - the shared record's retention runs in one process at a time (advisory lock), by that process's
//    retention settings; each process keeps pruning its own read model as on the desktop
//    (shared-retention.ts);
//  - a contact forgotten anywhere is erased from every read model (team-forget.ts).
import { hostname } from 'node:os';
import type { DerivedRequest, Store } from '../store/store';
import { DERIVED_KEY } from '../store/store';
import type { OnCommitted } from '../ingest/writer';
import type { Settings } from '../setup/settings';
import type { Clock, Logger } from '../types';
import type { TeamStatus } from '../../../shared/ipc';
import type { ForgetResult } from '../../../shared/types';
import { createClaimLeases } from './claim-leases';
import { describeTarget } from './database-url';
import { MIRRORED_KEY, type MirrorSink } from './mirror';
import type { SharedRequest } from './pg-log';
import { FORGET_CHANNEL, RULES_CHANNEL } from './pg-names';
import { createRulesSync, type RulesSync } from './rules-sync';
import { createSharedRetention } from './shared-retention';
import { createTeamForget } from './team-forget';
import { createTeamWriter, type TeamWriter } from './team-writer';
import { openTeam, type Team } from './team';

export interface TeamSide {
  writer: TeamWriter;
  /** Connects to the shared database, migrates it, catches the read model up. Throws DB_UNREACHABLE. */
  start(): Promise<void>;
  /**
   * Derived requests, split by who acts on them: `forward` (received here) and, once claimed, `rules`
   * (this process won the claim). `push` is every process's.
   */
  derived(items: { item: DerivedRequest; live: boolean }[], act: (item: DerivedRequest, what: { rules: boolean; forward: boolean }) => void): void;
  /** Whether this process received the request (and so forwards it: its outbox row is written by the derive). */
  owns(requestId: number): boolean;
  /** Rules ran or actions finished here: renew or finish this process's claims soon. */
  leasesChanged(): void;
  runsTimers(): boolean;
  status(): TeamStatus;
  /** The team's rules (PostgreSQL is their source of truth; rules-sync.ts). */
  rules: RulesSync;
  /**
   * Called whenever the local copy of the rules changed (the rules runner reloads). `watching` says
   * whether the local rules can act on derived events at all: when they cannot, derived requests are not
   * claimed (see derived()).
   */
  onRulesChanged(cb: () => void, watching?: () => boolean): void;
  /** Forgets a contact in the shared record first, then here; every other process follows (NOTIFY). */
  forget(contactId: string): Promise<ForgetResult>;
  /** Prunes the shared record now if this process leads retention. */
  prune(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * The read model: requests with their shared ids, and how far the copy got, in one local transaction.
 * Not fsynced on its own (the durable record is PostgreSQL): lost with the machine's power, the
 * watermark goes with the rows and they are copied again.
 */
function readModelSink(store: Store): MirrorSink {
  let mirrored = Number(store.kvGet(MIRRORED_KEY) ?? 0);
  const applyTx = store.db.transaction((rows: SharedRequest[], through: number) => {
    store.appendRequests(rows, { ids: rows.map((r) => r.id) });
    store.kvSet(MIRRORED_KEY, String(through));
  });
  // Prepared once: db.pragma() prepares its statement on every call, and these run once per applied batch.
  const syncNormal = store.db.prepare('PRAGMA synchronous = NORMAL');
  const syncFull = store.db.prepare('PRAGMA synchronous = FULL');
  return {
    mirrored: () => mirrored,
    apply(rows, through) {
      syncNormal.run();
      try { applyTx(rows, through); } finally { syncFull.run(); }
      mirrored = through;
    },
  };
}

export function createTeamSide(deps: {
  url: string;
  store: Store;
  settings: Settings;
  clock: Clock;
  logger: Logger;
  /** Hands committed records' events to the deriver and kicks it (the same as the SQLite writer's hook). */
  onCommitted: OnCommitted;
  /** Rows mirrored into the read model: derive them. */
  onApplied: () => void;
  onStatus: (s: TeamStatus) => void;
  /** Another process forgot a contact and this read model erased it too (open windows drop its rows). */
  onForgotten?: (contactId: string) => void;
  pollMs?: number;
  leaderEveryMs?: number;
  retentionEveryMs?: number;
  /** How long a claim holds without renewal before another process takes its request's rules over. */
  leaseMs?: number;
  /** How long committed requests may wait for the horizon before the status says why (held-back.ts). */
  heldBackMs?: number;
}): TeamSide {
  const { store, logger } = deps;
  let team: Team | null = null;
  let status: TeamStatus = { database: describeTarget(deps.url), connected: false };
  /** Requests this process received, until derived: it alone forwards them. */
  const own = new Set<number>();
  const derivedThrough = () => Number(store.kvGet(DERIVED_KEY) ?? 0);
  let rulesChanged: () => void = () => undefined;
  let rulesWatch: () => boolean = () => true;
  const forgotten = createTeamForget({ store, log: () => team?.log ?? null, logger, onForgotten: deps.onForgotten });
  const rules = createRulesSync({ db: store.db, log: () => team?.log ?? null, logger, onChanged: () => rulesChanged() });
  const leases = createClaimLeases({ store, logger, team: () => team, derivedThrough, leaseMs: deps.leaseMs ?? 30_000 });
  const retention = createSharedRetention({ store, settings: deps.settings, clock: deps.clock, logger, team: () => team });

  const writer = createTeamWriter({
    onCommitted: (committed) => {
      for (const c of committed) own.add(c.requestId);
      // Events already computed by the receiver, unless the mirror got there (and derived) first.
      const through = derivedThrough();
      const fresh = committed.filter((c) => c.requestId > through);
      if (fresh.length) deps.onCommitted(fresh);
    },
  });

  return {
    writer,
    async start() {
      team = await openTeam({
        url: deps.url, logger, processName: `${hostname()}:${process.pid}`,
        local: {
          kvGet: (k) => store.kvGet(k),
          kvSet: (k, v) => store.kvSet(k, v),
          requestCount: () => (store.db.prepare('SELECT COUNT(*) FROM requests').pluck().get() as number),
        },
        sink: readModelSink(store),
        onApplied: deps.onApplied,
        onCommitted: (rows, ids) => writer.committed(rows, ids),
        onStatus: (s) => { status = s; deps.onStatus(s); },
        onChannel: (channel) => {
          if (channel !== FORGET_CHANNEL) void rules.pull();
          if (channel !== RULES_CHANNEL) void forgotten.pull();
        },
        pollMs: deps.pollMs,
        leaderEveryMs: deps.leaderEveryMs,
        heldBackMs: deps.heldBackMs,
      });
      writer.attach(team.appender);
      status = team.status();
      await team.mirror.catchUp();
      await rules.pull();
      await forgotten.begin();
      retention.start(deps.retentionEveryMs ?? 60_000);
      leases.start();
    },
    derived(items, act) {
      leases.actWith(act);
      const claim: DerivedRequest[] = [];
      for (const { item, live } of items) {
        // Its forwards were written to the outbox by the derive transaction (owns()).
        own.delete(item.request.id);
        if (!live) continue;
        if (item.result.events.length > 0) claim.push(item);
      }
      // No local rule could act on these events: no claim. A claim would be two writes to the shared
      // record per request (its row, then finished) for nothing, and a process whose copy of a new rule
      // is late must not win the claim with no rule to run: another process that has the rule claims it.
      if (claim.length && team && rulesWatch()) leases.claim(claim, act);
    },
    owns: (requestId) => own.has(requestId),
    leasesChanged: () => leases.changed(),
    runsTimers: () => team?.runsTimers() ?? false,
    rules,
    onRulesChanged(cb, watching) { rulesChanged = cb; if (watching) rulesWatch = watching; },
    forget: (contactId) => forgotten.forget(contactId),
    status: () => status,
    prune: () => retention.prune(),
    async stop() {
      retention.halt();
      leases.halt();
      await writer.close();
      // Claims in flight finish (or give up) before the connection goes.
      await leases.stop();
      await retention.settled();
      await team?.close();
      team = null;
    },
  };
}
