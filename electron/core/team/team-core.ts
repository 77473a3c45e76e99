// What createCore() adds in team mode (CoreOptions.databaseUrl; docs/architecture.md "Team mode"):
//  - the receiver's writer appends to the shared PostgreSQL record (team-writer.ts);
//  - the mirror copies every process's requests into this process's SQLite read model, and the deriver
//    turns them into events there, exactly as on the desktop;
//  - after derivation: every process pushes the events to its UIs; the receiving process alone forwards
//    a request to its --forward-to handlers (they are its local handlers, fed byte for byte; the outbox row
//    is written by the derive transaction); rules run in the one process that claims the request first in
//    PostgreSQL, which holds the claim as a lease until its actions are done — another process takes it
//    over when the lease runs out;
//  - the shared record's retention runs in one process at a time (advisory lock), by that process's
//    retention settings; each process keeps pruning its own read model as on the desktop.
import { hostname } from 'node:os';
import type { DerivedRequest, Store } from '../store/store';
import { DERIVED_KEY } from '../store/store';
import { requestBytes } from '../store/pack';
import type { OnCommitted } from '../ingest/writer';
import type { Settings } from '../setup/settings';
import type { Clock, Logger } from '../types';
import type { TeamStatus } from '../../../shared/ipc';
import { HookscopeError } from '../../../shared/errors';
import { MIRRORED_KEY, type MirrorSink } from './mirror';
import { describeTarget } from './database-url';
import { createTeamWriter, type TeamWriter } from './team-writer';
import { openTeam, type Team } from './team';
import type { SharedRequest } from './pg-log';
import { createRulesSync, type RulesSync } from './rules-sync';
import { FORGET_CHANNEL, RULES_CHANNEL } from './pg-names';
import { contactKey, cutContact, EDITED_NOTE, eraseTraces, forgetContact, type ForgetTouched } from '../store/forget';
import type { ForgetResult } from '../../../shared/types';

/** kv: the last forgotten contact (shared seq) this read model has erased. */
const FORGOTTEN_KEY = 'team.forgotten_through';

const DAY = 86_400_000;

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
  /** Called whenever the local copy of the rules changed (the rules runner reloads). */
  onRulesChanged(cb: () => void): void;
  /** Forgets a contact in the shared record first, then here; every other process follows (NOTIFY). */
  forget(contactId: string): Promise<ForgetResult>;
  /** Prunes the shared record now if this process leads retention. */
  prune(): Promise<number>;
  stop(): Promise<void>;
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
}): TeamSide {
  const { store, logger } = deps;
  let team: Team | null = null;
  let status: TeamStatus = { database: describeTarget(deps.url), connected: false };
  /** Requests this process received, until derived: it alone forwards them. */
  const own = new Set<number>();
  const derivedThrough = () => Number(store.kvGet(DERIVED_KEY) ?? 0);
  let rulesChanged: () => void = () => undefined;
  let forgottenSeq = Number(store.kvGet(FORGOTTEN_KEY) ?? 0);
  let forgetting: Promise<void> | null = null;
  function pullForgotten(): Promise<void> {
    if (forgetting || !team) return forgetting ?? Promise.resolve();
    const t = team;
    const p = (async () => {
      try {
        for (const f of await t.log.forgottenAfter(forgottenSeq)) {
          const r = forgetContact(store.db, f.contactId);
          // This read model's file holds the same bytes as the first process's: rewritten the same way.
          await eraseTraces(store.db);
          forgottenSeq = f.seq;
          store.kvSet(FORGOTTEN_KEY, String(f.seq));
          deps.onForgotten?.(f.contactId);
          if (r.events || r.requests || r.requestsEdited) logger.info('contact forgotten by another process: erased here too', { requests: r.requests, events: r.events });
        }
      } catch (err) {
        logger.debug('could not read forgotten contacts', { err: String(err) });
      }
    })().finally(() => { forgetting = null; });
    forgetting = p;
    return p;
  }
  const rules = createRulesSync({ db: store.db, log: () => team?.log ?? null, logger, onChanged: () => rulesChanged() });

  const writer = createTeamWriter({
    onCommitted: (committed) => {
      for (const c of committed) own.add(c.requestId);
      // Events already computed by the receiver, unless the mirror got there (and derived) first.
      const through = derivedThrough();
      const fresh = committed.filter((c) => c.requestId > through);
      if (fresh.length) deps.onCommitted(fresh);
    },
  });

  // The read model: requests with their shared ids, and how far the copy got, in one local transaction.
  // Not fsynced on its own (the durable record is PostgreSQL): lost with the machine's power, the
  // watermark goes with the rows and they are copied again.
  let mirrored = Number(store.kvGet(MIRRORED_KEY) ?? 0);
  const applyTx = store.db.transaction((rows: SharedRequest[], through: number) => {
    store.appendRequests(rows, { ids: rows.map((r) => r.id) });
    store.kvSet(MIRRORED_KEY, String(through));
  });
  const sink: MirrorSink = {
    mirrored: () => mirrored,
    apply(rows, through) {
      store.db.pragma('synchronous = NORMAL');
      try { applyTx(rows, through); } finally { store.db.pragma('synchronous = FULL'); }
      mirrored = through;
    },
  };

  // Rules: claims in derivation order, one round trip per derived batch; a batch waits for the previous
  // one, and is tried again while the database is away (whoever claims first runs the rules).
  let claims: Promise<void> = Promise.resolve();
  let stopping = false;
  let lastAct: ((item: DerivedRequest, what: { rules: boolean; forward: boolean }) => void) | null = null;
  function claimThenRun(batch: DerivedRequest[], act: (item: DerivedRequest, what: { rules: boolean; forward: boolean }) => void) {
    claims = claims.then(async () => {
      for (let attempt = 0; !stopping || attempt === 0; attempt++) {
        try {
          const won = await team!.claimMany(batch.map((d) => d.request.id), leaseMs);
          for (const d of batch) {
            if (!won.has(d.request.id)) continue;
            mine.add(d.request.id);
            act(d, { rules: true, forward: false });
          }
          if (won.size > 0) leasesChanged();
          return;
        } catch (err) {
          if (stopping) return;
          logger.debug('could not claim derived requests; trying again', { err: String(err) });
          await new Promise((r) => setTimeout(r, Math.min(1000 * (attempt + 1), 5000)));
        }
      }
    });
  }

  // Leases (docs/architecture.md "Team mode"): a claim stays open while the actions its rules queued here
  // are not done, renewed every third of the lease; once none is left it is finished. A claim whose lease
  // ran out (its process died, or lost the database for longer than the lease) is taken over: the taker
  // runs the request's rules on its own read model — the same events, so the same delivery keys.
  const leaseMs = deps.leaseMs ?? 30_000;
  /** Requests whose claims this process holds open. */
  const mine = new Set<number>();
  const pendingActions = store.db.prepare('SELECT DISTINCT request_id FROM action_jobs WHERE request_id IS NOT NULL').pluck();
  const eventIdsOf = store.db.prepare('SELECT id FROM events WHERE request_id = ? ORDER BY id').pluck();
  let leaseTimer: ReturnType<typeof setInterval> | null = null;
  let syncing: Promise<void> | null = null;
  let syncAgain = false;
  function leasesChanged() {
    if (syncing) { syncAgain = true; return; }
    syncing = syncLeases().finally(() => {
      syncing = null;
      if (syncAgain && !stopping) { syncAgain = false; leasesChanged(); }
    });
  }
  async function syncLeases(): Promise<void> {
    const t = team;
    if (!t || stopping) return;
    try {
      const pending = new Set(pendingActions.all() as number[]);
      const done = [...mine].filter((id) => !pending.has(id));
      const held = [...mine].filter((id) => pending.has(id));
      if (done.length) { await t.finishClaims(done); for (const id of done) mine.delete(id); }
      if (held.length) await t.renewClaims(held, leaseMs);
      const taken = await t.takeExpiredClaims(leaseMs, derivedThrough());
      for (const id of taken) {
        const events = (eventIdsOf.all(id) as number[]).map((e) => store.getEvent(e)).filter((e): e is NonNullable<typeof e> => e != null);
        mine.add(id);
        if (events.length === 0 || !lastAct) continue;
        logger.info('a claim expired in another process: running its rules here', { requestId: id });
        const request = { id, receivedAt: events[0].receivedAt, method: 'POST', path: '', query: '', headers: [], body: null, provider: events[0].provider,
          responseStatus: events[0].httpStatus ?? 200, signature: events[0].signature, signatureDiagnosis: null, error: null, origin: 'network' as const };
        lastAct({ request, result: { requestId: id, events } }, { rules: true, forward: false });
      }
      if (taken.length) syncAgain = true;
    } catch (err) {
      logger.debug('could not sync rule claims; trying again', { err: String(err) });
    }
  }

  let retentionTimer: ReturnType<typeof setInterval> | null = null;
  let pruning: Promise<number> | null = null;
  async function prune(): Promise<number> {
    if (!team || !team.runsRetention()) return 0;
    if (pruning) return pruning;
    const { days, maxEvents } = deps.settings.plain().retention;
    if (days == null && maxEvents == null) return 0;
    let beforeId: number | undefined;
    if (maxEvents != null) {
      // Every process derives the same events from the same requests: the local cut-off is the shared one.
      const row = store.db.prepare('SELECT request_id FROM events ORDER BY id DESC LIMIT 1 OFFSET ?').get(maxEvents - 1) as { request_id: number } | undefined;
      beforeId = row?.request_id;
      if (beforeId == null && days == null) return 0;
    }
    const run = team.pruneShared({ olderThan: days != null ? deps.clock() - days * DAY : undefined, beforeId })
      .then((n) => { if (n > 0) logger.info('retention pruned the shared record', { requests: n }); return n; })
      .catch((err) => { logger.warn('retention of the shared record failed', { err: String(err) }); return 0; })
      .finally(() => { pruning = null; });
    pruning = run;
    return run;
  }

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
        sink,
        onApplied: deps.onApplied,
        onCommitted: (rows, ids) => writer.committed(rows, ids),
        onStatus: (s) => { status = s; deps.onStatus(s); },
        onChannel: (channel) => {
          if (channel !== FORGET_CHANNEL) void rules.pull();
          if (channel !== RULES_CHANNEL) void pullForgotten();
        },
        pollMs: deps.pollMs,
        leaderEveryMs: deps.leaderEveryMs,
      });
      writer.attach(team.appender);
      status = team.status();
      await team.mirror.catchUp();
      await rules.pull();
      if (store.kvGet(FORGOTTEN_KEY) == null) {
        // A new read model starts after the contacts forgotten so far: what it copies was erased already,
        // and what arrives later about them is new.
        const seen = await team.log.forgottenAfter(0);
        forgottenSeq = seen.at(-1)?.seq ?? 0;
        store.kvSet(FORGOTTEN_KEY, String(forgottenSeq));
      }
      await pullForgotten();
      retentionTimer = setInterval(() => void prune(), deps.retentionEveryMs ?? 60_000);
      retentionTimer.unref?.();
      leaseTimer = setInterval(leasesChanged, Math.max(50, Math.floor(leaseMs / 3)));
      leaseTimer.unref?.();
    },
    derived(items, act) {
      lastAct = act;
      const claim: DerivedRequest[] = [];
      for (const { item, live } of items) {
        // Its forwards were written to the outbox by the derive transaction (owns()).
        own.delete(item.request.id);
        if (!live) continue;
        if (item.result.events.length > 0) claim.push(item);
      }
      if (claim.length && team) claimThenRun(claim, act);
    },
    owns: (requestId) => own.has(requestId),
    leasesChanged,
    runsTimers: () => team?.runsTimers() ?? false,
    rules,
    onRulesChanged(cb) { rulesChanged = cb; },
    async forget(contactId) {
      if (!team) throw new HookscopeError('DB_UNREACHABLE', 'The team database is not connected yet.');
      const digits = contactKey(contactId);
      // The shared record first (what to erase and edit, computed on this read model as the real forget
      // will): if the database cannot be reached, nothing is erased anywhere and the user can try again.
      const touched: ForgetTouched = { whole: [], edited: [] };
      forgetContact(store.db, digits, { dryRun: true, touched });
      const edited: { id: number; body: Buffer }[] = [];
      for (const id of touched.edited) {
        const row = store.db.prepare('SELECT headers, body, packed FROM requests WHERE id = ?').get(id) as { headers: string; body: Buffer | null; packed: number } | undefined;
        // Derived rows may be packed (store/pack.ts): the edit works on the bytes received.
        const body = row ? requestBytes(row).body : null;
        if (body) edited.push({ id, body: Buffer.from(cutContact(body.toString('utf8'), digits), 'utf8') });
      }
      await team.log.forget({ contactId: digits, whole: touched.whole, edited, note: EDITED_NOTE });
      return forgetContact(store.db, digits);
    },
    status: () => status,
    prune,
    async stop() {
      if (retentionTimer) clearInterval(retentionTimer);
      if (leaseTimer) clearInterval(leaseTimer);
      await writer.close();
      stopping = true;
      // Claims in flight finish (or give up) before the connection goes.
      await Promise.race([claims, new Promise((r) => setTimeout(r, 3000))]);
      await pruning;
      await team?.close();
      team = null;
    },
  };
}
