// createCore(): the composition root. Plain Node, never imports 'electron': the desktop shell and
// `npm run serve` both call this with their own data dir, ports, secret store and notifier.
import type { ContractHandlers, PushChannel, PushChannels } from '../../shared/ipc';
import type { HookEvent, ReceiverInfo } from '../../shared/types';
import { openStore, type DerivedRequest, type Store } from './store/store';
import { eventDeriver } from './ingest/derive-events';
import { createWriter, type CommitLock, type OnCommitted, type Writer } from './ingest/writer';
import { createReceiver, type Receiver } from './ingest/receiver';
import { createDeriver, type Deriver } from './ingest/deriver';
import { createWorkerDeriver, settleLeftEffects, type WorkerDeriver } from './ingest/worker-deriver';
import { createAfterDerive } from './ingest/after-derive';
import { createRejectedNotices, type RejectedNotices } from './ingest/rejected-notices';
import { countWouldVerify } from './ingest/reverify';
import { assertSigningSecretsReadable, createFileSecretStore, createSettings, type Settings } from './setup/settings';
import { createDoctor } from './setup/doctor-facts';
import { createFirstWebhook } from './setup/first-webhook';
import { TypedEmitter } from './emitter';
import { createTunnel, type Tunnel } from './tunnel/tunnel';
import { createNgrokConnector } from './tunnel/ngrok-connector';
import { createHandlers, createRawHandlers } from './api';
import type { RawHandlers } from './dispatch';
import type { CoreParts } from './parts';
import { createPowerTools, type CoreTools, type PowerTools } from './tools/power-tools';
import { createRulesRunner, type RulesRunner } from './rules/rules-runner';
import { createActionSender, type ActionSender } from './rules/action-sender';
import { createLeadReplyChecker } from './rules/rules-store';
import { lockScreenSafe } from './rules/lock-screen';
import { renderOverflowDigest } from './rules/overflow-digest';
import { createPushBatcher } from './push-batcher';
import { createReadApi, createWorkerReads, findBundledWorker, findReadWorker, inlineReads, type AsyncReads } from './store/reads';
import { createViewsStore } from './store/views';
import { silentLogger, type Clock, type CoreOptions, type Logger, type Notifier } from './types';
import { createRejectedLog, type RejectedLog } from './store/rejected-log';
import { createDiskGuard, createRateLimiter } from './ingest/gate';
import { createTeamSide, type TeamSide } from './team/team-core';
import { DATABASE_KEY } from './team/mirror';
import { createHealth, type Health } from './health/health';
import { createHealthActions } from './health/health-actions';
import { randomBytes } from 'node:crypto';

export { readVersion } from './version';

/** The face of the core as the shells (Electron main, `serve`) and tests see it. */
export interface Core {
  readonly handlers: ContractHandlers;
  /** The history reads as JSON bytes, for the control API's dispatcher (dispatch.ts RawHandlers). */
  readonly rawHandlers?: RawHandlers;
  start(): Promise<ReceiverInfo>;
  /** Stop accepting, finish what was accepted, close the database. */
  stop(): Promise<void>;
  receiverInfo(): ReceiverInfo | null;
  on<P extends PushChannel>(channel: P, cb: (payload: PushChannels[P]) => void): () => void;
  /** Export/import, copy as cURL, extra stats, retention (tools/power-tools.ts). */
  readonly tools?: CoreTools;
  /**
   * Checks timer rules (silence, unanswered leads, digests), due action retries and health checks now,
   * by the core's clock. They also run every CoreOptions.rulesTickMs; a shell may call this on resume from sleep.
   */
  tickRules(): void;
}

export function createCore(opts: CoreOptions): Core {
  const clock = opts.clock ?? Date.now;
  const logger = opts.logger ?? silentLogger;
  const secretStore = opts.secretStore ?? createFileSecretStore(opts.dataDir);
  if (opts.mode === 'serve') assertSigningSecretsReadable(opts.dataDir, secretStore, opts.env);
  const store = openStore({
    dataDir: opts.dataDir, nativeBinding: opts.nativeBinding, clock, deriver: eventDeriver,
    onUpgrade: ({ from, to, ms }) => (ms == null
      ? logger.info(`upgrading the store from schema ${from} to ${to}: a one-time step, it can take a minute on a large store`)
      : logger.info(`store upgraded to schema ${to} in ${(ms / 1000).toFixed(1)} s`)),
  });
  const settings = createSettings(opts.dataDir, opts.env, secretStore);
  // Providers without a secret are closed now; an install that accepted a provider's unsigned webhooks
  // before keeps doing so (its switch starts on, and the doctor says so) rather than going silent.
  settings.migrateAcceptUnsigned((p) => store.db.prepare(
    "SELECT 1 FROM requests WHERE provider = ? AND signature = 'unchecked' AND origin = 'network' AND method = 'POST' LIMIT 1").get(p) != null);
  const emitter = new TypedEmitter<PushChannels>(logger);
  // The 200 waits for the request row; everything else is derived from it right after (ingest/deriver.ts).
  // What a derived request sets off is written by its derive transaction (the outbox: forwards, rule
  // notifications and actions), so a crash at any moment loses both the events and their side effects, or
  // neither (docs/architecture.md "The outbox"); what must wait for the commit is done after it
  // (ingest/after-derive.ts, built below once the rules and the forwarder exist).
  const deriver = openDeriver(opts, store, logger, {
    inTx: (items) => afterDerive.inTx(items),
    onDerived: (items) => afterDerive.onDerived(items),
    // A worker deriver sends the requests' bytes back only when something forwards them (tools/forwarder.ts).
    needsBytes: () => settings.forwardTargets().length > 0,
  });
  const onCommitted: OnCommitted = (committed) => {
    for (const c of committed) deriver.known(c.requestId, c.record);
    deriver.kick();
  };
  // Team server (serve --database postgres://…): the durable record is the shared PostgreSQL database and
  // this data dir's SQLite file is this process's read model of it (team/team-core.ts).
  const team: TeamSide | null = opts.databaseUrl ? createTeamSide({
    url: opts.databaseUrl, store, settings, clock, logger, onCommitted,
    onApplied: () => deriver.kick(),
    onStatus: (s) => emitter.emit('team:changed', s),
    onForgotten: (contactId) => emitter.emit('contacts:forgotten', [{ contactId }]),
    pollMs: opts.teamPollMs, leaderEveryMs: opts.teamLeaderEveryMs, leaseMs: opts.teamLeaseMs, heldBackMs: opts.teamHeldBackMs,
  }) : null;
  const writer = team ? team.writer : openWriter(opts, store, { onCommitted, onUnflushed: (id) => deriver.unflushedFrom(id) }, 'lock' in deriver ? deriver.lock : undefined);
  const reads = openReads(opts, store, logger);
  const { rejected, limiter, disk } = openTrustBoundary(opts, store, settings, clock, logger);
  let diskFull = false;
  const tunnel = openTunnel({ opts, settings, emitter, clock, logger, port: () => receiver.info()?.port ?? opts.receiverPort });

  // The receiver is built last (it reports to the parts below): they reach it lazily.
  const receiverInfo = () => receiver.info();
  const receiverLater = () => receiver as Receiver | undefined;
  const deliveryKey = deliveryKeyPrefix(store, !!team);
  const power = createPowerTools({
    store, settings, logger, clock, opts, receiverInfo, receiver: receiverLater, tunnel, eventDeriver,
    deliveryKeyPrefix: deliveryKey, ownsForward: team ? (id) => team.owns(id) : undefined,
  });
  const doctor = createDoctor({
    store, settings, tunnel, clock,
    wouldVerify: () => countWouldVerify({ log: rejected, receiver: receiverLater }),
    diskFull: () => diskFull,
    teamHeldBack: team ? () => team.status().heldBack ?? null : undefined,
  });
  const desktopNotifier = opts.notifier && lockScreenSafe(opts.notifier, { store, settings, logger });
  const isLeadReply = createLeadReplyChecker(store.db, clock);
  const { sender, rules } = openRules({
    opts, store, settings, emitter, clock, logger, tunnel, receiverInfo, deliveryKey, deriver, team, isLeadReply, notifier: desktopNotifier,
  });
  team?.onRulesChanged(() => rules.reload(), () => rules.watchesEvents());
  const rejectedNotices = createRejectedNotices({
    db: store.db, rejected, emitter, clock, logger, notifier: desktopNotifier, diskLow: () => disk.low(), diskFull: () => diskFull,
    // With the signature health check on, it says so itself, at its threshold, and when it recovers.
    signaturesWatched: () => health.isOn('signatures'),
  });
  const health = openHealth({ opts, store, sender, emitter, clock, logger, deriver, team });
  const batcher = createPushBatcher<HookEvent>((events) => emitter.emit('events:appended', events), 0);
  const afterDerive = createAfterDerive({
    db: store.db, clock, logger, rules, power, team,
    // Live events are pushed without their raw payload: the inspector fetches it on demand.
    push: (events) => batcher.push(events),
  });

  const parts: CoreParts = {
    store, reads, settings, emitter, clock, logger, tunnel, opts, receiverInfo, receiver: receiverLater,
    rejected, rejectedNotices, writer, deriver, diskLow: () => disk.low(), diskFull: () => diskFull,
    power, rules, sender, doctor, firstWebhook: createFirstWebhook(store), views: createViewsStore(store.db), isLeadReply, health,
    team: team ? { status: () => team.status(), prune: () => team.prune(), rules: team.rules, forget: (c) => team.forget(c) } : undefined,
  };
  // Every call through the contract or the tools sees every request answered so far with its events.
  const handlers = caughtUp(createHandlers(parts), () => deriver.catchUp());
  const rawHandlers = caughtUp(createRawHandlers(parts), () => deriver.catchUp());
  const tools = caughtUp(power.tools, () => deriver.catchUp());

  const receiver = createReceiver({
    host: opts.receiverHost,
    port: opts.receiverPort,
    settings,
    writer,
    clock,
    logger,
    tunnelUrl: () => tunnel.get().url ?? null,
    rejected,
    limiter,
    diskLow: () => disk.low(),
    inFlightBudget: opts.bodyBudgets?.inFlight,
    perSourceBudget: opts.bodyBudgets?.perSource,
    uploadTurns: opts.uploadTurns,
    onRejected: (item) => rejectedNotices.changed(item),
    // A full disk answers 503 (providers retry); the UI and the doctor say so until a webhook is stored again.
    onDiskFull: (full) => { diskFull = full; rejectedNotices.changed(null); },
  });

  return {
    handlers,
    rawHandlers,
    tools,
    receiverInfo: () => receiver.info(),
    tickRules: () => { deriver.catchUp(); rules.tick(); health.tick(); },
    on: (channel, cb) => emitter.on(channel, cb),
    ...lifecycle({
      team, receiver, writer, deriver, power, rules, health, rejectedNotices, sender, rejected, batcher, tunnel, reads, store,
      // Effects a worker-mode run left pending (ingest/worker-deriver.ts) are run first when deriving in-thread.
      settleLeftEffects: () => { if (!('lock' in deriver) && opts.derive !== 'hold') settleLeftEffects(store, afterDerive); },
    }),
  };
}

/** The core's start and stop: what must be up before the receiver opens, and what must drain before the database closes. */
function lifecycle(p: {
  team: TeamSide | null; receiver: Receiver; writer: Writer; deriver: Deriver; power: PowerTools; rules: RulesRunner;
  health: Health; rejectedNotices: RejectedNotices; sender: ActionSender; rejected: RejectedLog; batcher: { flush(): void };
  tunnel: Tunnel; reads: AsyncReads; store: Store; settleLeftEffects(): void;
}): Pick<Core, 'start' | 'stop'> {
  const { team, receiver, writer, deriver, power, rules, health, sender } = p;
  let started = false;
  return {
    async start(): Promise<ReceiverInfo> {
      // The shared database first: unreachable at start is a clear error naming host and port, and the
      // receiver never opens without somewhere durable to put what it acknowledges.
      if (team) await team.start();
      const info = await receiver.start();
      started = true;
      power.start();
      rules.start();
      health.start();
      // Requests a crash left underived get their events (and rules) now; older rows get packed when idle.
      p.settleLeftEffects();
      deriver.kick();
      deriver.packSoon();
      return info;
    },
    async stop() {
      const wasStarted = started;
      if (started) {
        await receiver.stop();
        started = false;
      }
      await writer.close();
      // What this run acknowledged gets its events before the database closes. A core whose start failed
      // (the receiver's port taken) derives nothing: requests an earlier crash left underived wait for the
      // next start, whose rules and forwarder are running — here their forwards would be dropped at once.
      if (wasStarted) deriver.catchUp();
      await team?.stop();
      await deriver.stop();
      health.stop();
      // Http actions in flight are aborted (their jobs stay queued for the next start).
      p.rejectedNotices.stop();
      rules.stop();
      power.stop();
      await sender.stop();
      p.rejected.flush();
      p.batcher.flush();
      await p.tunnel.close().catch(() => undefined);
      await p.reads.close();
      p.store.close();
    },
  };
}

/** The trust boundary's parts: the bounded rejected log, the per-source limit, the free-disk floor. */
function openTrustBoundary(opts: CoreOptions, store: Store, settings: Settings, clock: Clock, logger: Logger) {
  const rejected = createRejectedLog({ db: store.db, capBytes: () => settings.plain().rejectedLogBytes, clock, logger });
  rejected.trim();
  const limiter = createRateLimiter({ perMinute: () => settings.plain().rejectedPerMinute, clock });
  const disk = createDiskGuard({ dir: opts.dataDir, floorBytes: () => settings.plain().diskFloorBytes, clock: Date.now });
  return { rejected, limiter, disk };
}

/** The tunnel to the receiver's port (`port`: the receiver is built later), its changes pushed. */
function openTunnel(d: { opts: CoreOptions; settings: Settings; emitter: TypedEmitter<PushChannels>; clock: Clock; logger: Logger; port: () => number }): Tunnel {
  const { settings } = d;
  const tunnel = createTunnel({
    connector: d.opts.tunnelConnector ?? createNgrokConnector(),
    getAuthtoken: () => settings.ngrokAuthtoken(),
    getDomain: () => settings.plain().ngrokDomain,
    getPort: d.port,
    clock: d.clock,
    logger: d.logger,
  });
  tunnel.onChange((s) => d.emitter.emit('tunnel:changed', s));
  return tunnel;
}

/**
 * Health checks (health/health.ts): evaluated on the rules' timer; in team mode the timers' holder notifies.
 * A check may post through a rule's http actions (health/health-actions.ts: the rules' sender and outbox).
 */
function openHealth(d: {
  opts: CoreOptions; store: Store; sender: ActionSender; emitter: TypedEmitter<PushChannels>; clock: Clock; logger: Logger;
  deriver: Deriver; team: TeamSide | null;
}): Health {
  const { store, team } = d;
  const healthActions = createHealthActions({ db: store.db, sender: d.sender, logger: d.logger });
  return createHealth({
    db: store.db, clock: d.clock, logger: d.logger, notifier: d.opts.notifier, tickMs: d.opts.rulesTickMs,
    emit: (n) => d.emitter.emit('notifications:fired', n),
    beforeTick: () => d.deriver.catchUp(),
    runsTimers: team ? () => team.runsTimers() : undefined,
    act: healthActions.act,
    hasHttpActions: healthActions.hasHttpActions,
  });
}

/**
 * What every delivery key (X-Hookscope-Delivery, Idempotency-Key) starts with: a random id made once per
 * history and kept in kv — in team mode the shared database's id, so every process keys an action alike.
 */
function deliveryKeyPrefix(store: Store, team: boolean): () => string {
  let prefix: string | null = null;
  return () => {
    if (prefix) return prefix;
    const shared = store.kvGet(DATABASE_KEY);
    if (team) return shared ? (prefix = `hs${shared.slice(0, 12)}`) : 'hs';
    let local = store.kvGet(KEY_PREFIX_KEY);
    if (!local) { local = randomBytes(6).toString('hex'); store.kvSet(KEY_PREFIX_KEY, local); }
    return (prefix = `hs${local}`);
  };
}

/** kv: the random part of this history's delivery keys. */
const KEY_PREFIX_KEY = 'outbox.key_prefix';

/**
 * The rules runner and the sender of its http actions. Desktop notifications go through `notifier`
 * (already lock-screen safe); team mode: one process at a time runs timer rules over the shared history.
 */
function openRules(d: {
  opts: CoreOptions; store: Store; settings: Settings; emitter: TypedEmitter<PushChannels>; clock: Clock; logger: Logger;
  tunnel: Tunnel; receiverInfo: () => ReceiverInfo | null; deliveryKey: () => string; deriver: Deriver; team: TeamSide | null;
  isLeadReply: (ev: HookEvent) => boolean; notifier?: Notifier;
}): { sender: ActionSender; rules: RulesRunner } {
  const { store, emitter, team } = d;
  const lastIncomingStmt = store.db.prepare(`SELECT received_at AS t FROM events WHERE kind = 'message' ORDER BY id DESC LIMIT 1`);
  const sender = createActionSender({
    db: store.db,
    clock: d.clock,
    logger: d.logger,
    emit: (x) => emitter.emit('deliveries:recorded', x),
    // Where webhooks reach this Hookscope: an action aimed there would loop (action-sender.ts).
    self: () => {
      const info = d.receiverInfo();
      const tunnelUrl = d.tunnel.get().url ?? null;
      const urls = [tunnelUrl, d.settings.publicUrl(tunnelUrl), info?.url].filter((u): u is string => !!u);
      return { ports: info ? [info.port] : [], urls };
    },
    maxPerMinute: d.opts.actionsPerMinute,
    keyPrefix: d.deliveryKey,
    renderDigest: (ruleId, actionIndex, jobs) => renderOverflowDigest(store, ruleId, actionIndex, jobs),
    // The rules of these requests ran here and their actions are queued: hold their claims' leases.
    onFinished: (requestId) => { if (requestId != null) team?.leasesChanged(); },
  });
  const rules = createRulesRunner({
    db: store.db,
    // A business reply answered just before a timer check must count before an unanswered-lead alert fires.
    beforeTick: () => d.deriver.catchUp(),
    clock: d.clock,
    logger: d.logger,
    notifier: d.notifier,
    emit: (n) => emitter.emit('notifications:fired', n),
    isLeadReply: d.isLeadReply,
    lastIncomingAt: () => (lastIncomingStmt.get() as { t: number } | undefined)?.t ?? null,
    sender,
    getEvent: (id) => store.getEvent(id),
    tickMs: d.opts.rulesTickMs,
    runsTimers: team ? () => team.runsTimers() : undefined,
  });
  return { sender, rules };
}

/** Group commit of request rows on the main connection (ingest/writer.ts), under the derive worker's lock if any. */
function openWriter(opts: CoreOptions, store: Store, told: { onCommitted: OnCommitted; onUnflushed(id: number | null): void }, lock?: CommitLock): Writer {
  return createWriter(store, { delayMs: opts.commitDelayMs ?? 0, ...told, lock, sync: opts.ackFsync === 'inline' ? undefined : store.walSync });
}

/**
 * Where derivation runs (CoreOptions.derive): in the receiver's thread (ingest/deriver.ts), or on a worker
 * thread with its own connection (ingest/worker-deriver.ts) when asked for ('worker'; 'auto': only on a
 * store whose request log has its own file) and its bundle is found. Team
 * mode derives in-thread: its mirror writes the read model from the receiver's thread.
 */
function openDeriver(opts: CoreOptions, store: Store, logger: Logger, hooks: {
  inTx(items: DerivedRequest[]): void; onDerived(items: DerivedRequest[]): void; needsBytes(): boolean;
}): Deriver | WorkerDeriver {
  const inThread = () => createDeriver({ store, logger, hold: opts.derive === 'hold', inTx: hooks.inTx, onDerived: hooks.onDerived });
  const mode = opts.derive ?? 'on';
  if (mode === 'on' || mode === 'hold') return inThread();
  // 'auto': the worker only pays where it does not share the append's write lock (a split store).
  if (mode === 'auto' && (!store.split || opts.databaseUrl)) return inThread();
  const workerFile = opts.deriveWorker ?? findBundledWorker('derive-worker');
  if (mode === 'auto' && !workerFile) return inThread();
  if (!workerFile || opts.databaseUrl) {
    logger.warn('derivation runs in the receiver\'s thread', { why: workerFile ? 'team mode' : 'derive worker bundle not found' });
    return inThread();
  }
  try {
    // A worker that fails to load or dies later hands derivation to the receiver's thread (worker-deriver.ts).
    return createWorkerDeriver({ store, logger, workerFile, dataDir: opts.dataDir, nativeBinding: opts.nativeBinding, ...hooks, inThread });
  } catch (err) {
    logger.warn('derive worker could not start; derivation runs in the receiver\'s thread', { err: String(err) });
    return inThread();
  }
}

/** The UI's reads: in a worker thread when its bundle is found (reads.ts), else on the main connection. */
function openReads(opts: CoreOptions, store: Store, logger: Logger): AsyncReads {
  const inline = inlineReads(createReadApi(store.db, store));
  const mode = opts.readWorker ?? 'auto';
  const workerFile = mode === 'off' ? null : mode === 'auto' ? findReadWorker() : mode;
  if (!workerFile) return inline;
  try {
    const reads = createWorkerReads({ workerFile, dataDir: opts.dataDir, nativeBinding: opts.nativeBinding, fallback: inline, logger });
    logger.debug('UI reads run in a worker thread', { workerFile });
    return reads;
  } catch (err) {
    logger.warn('read worker could not start; UI reads run on the main thread', { err: String(err) });
    return inline;
  }
}

/** The same functions (one level of nested objects too), each deriving what is pending before it runs. */
function caughtUp<T extends object>(fns: T, catchUp: () => void): T {
  const wrap = (v: unknown): unknown => {
    if (typeof v === 'function') return (...a: unknown[]) => { catchUp(); return (v as (...x: unknown[]) => unknown)(...a); };
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, typeof x === 'function' ? wrap(x) : x]));
    return v;
  };
  return Object.fromEntries(Object.entries(fns).map(([k, v]) => [k, wrap(v)])) as T;
}
