// Power tools behind one face, so the composition root wires them with a few lines:
// forwarding after every stored request, replay, the simulator, export/import/cURL, extra stats and
// retention. Everything here takes the core's parts; nothing reaches for globals.
import type { ContractHandlers } from '../../../shared/ipc';
import type { EventFilter, ReceiverInfo, StatsExtra } from '../../../shared/types';
export type { StatsExtra } from '../../../shared/types';
import type { Store } from '../store/store';
import type { EventDeriver } from '../store/event-deriver';
import type { Settings } from '../setup/settings';
import type { Tunnel } from '../tunnel/tunnel';
import type { Receiver } from '../ingest/receiver';
import type { Clock, CoreOptions, Logger } from '../types';
import { openStore } from '../store/store';
import { HookscopeError } from '../../../shared/errors';
import { createForwarder, type Forwarder } from './forwarder';
import type { ImportResult, ReplayManyResult } from '../../../shared/types';
import { replayFiltered, replayRequest, type ToolDeps } from './replay';
import { simulate } from './simulator';
import { curlFor, EXPORT_MIME, exportEvents, importFile, redactedRequest, type ExportFormat } from './export';
import { createPseudonymiser } from '../../../shared/privacy';
import { statsExtra } from '../store/stats-extra';
import { createRetention, type Retention } from '../store/retention';
import { readVersion } from '../version';

export interface ExportStream {
  contentType: string;
  /** e.g. hookscope-2025-06-01.csv */
  filename: string;
  chunks: Iterable<string>;
  /** Releases the export's database connection (also done when `chunks` is exhausted or returned). */
  close(): void;
}


/** What the shells (serve's control API, the desktop main process) and tests reach through Core.tools. */
export interface CoreTools {
  exportStream(format: ExportFormat, filter: EventFilter, opts?: { formulaGuard?: boolean; redact?: boolean }): ExportStream;
  importFile(text: string, format: 'ndjson' | 'har'): Promise<ImportResult>;
  /** "Copy as cURL" for a stored request, aimed at the local receiver. */
  /** `redact`: pseudonymised like a redacted export (privacy mode's "Copy as cURL"). */
  curl(requestId: number, opts?: { redact?: boolean }): string;
  statsExtra(since?: number, until?: number): StatsExtra;
  replayFiltered(filter: EventFilter, opts?: { target?: string }): Promise<ReplayManyResult>;
  retention: Pick<Retention, 'runOnce' | 'drain' | 'compact' | 'poke'>;
  /** Resolves when no forward is in flight and none is due now (tools/forwarder.ts). */
  forwardsIdle(): Promise<void>;
}

export interface PowerTools {
  handlers: Pick<ContractHandlers, 'replay:send' | 'simulate:send'>;
  /** The forwarder: outbox rows written by the derive transaction, delivered afterwards (tools/forwarder.ts). */
  forwarder: Forwarder;
  /** After a derive commit: deliver what it queued, let retention look. */
  afterDerived(): void;
  start(): void;
  stop(): void;
  tools: CoreTools;
}

/** Exactly what the tools need of the core's parts (core.ts builds them). */
export interface PowerToolsDeps {
  store: Store;
  settings: Settings;
  logger: Logger;
  clock: Clock;
  opts: CoreOptions;
  receiverInfo: () => ReceiverInfo | null;
  /** The receiver, built after the tools: undefined until then. */
  receiver: () => Receiver | undefined;
  tunnel: Tunnel;
  /** Computes stored requests' events (the export's own store connection needs it: store/event-deriver.ts). */
  eventDeriver: EventDeriver;
  /** What every delivery key (X-Hookscope-Delivery) of this history starts with: the same in every team process. */
  deliveryKeyPrefix: () => string;
  /** Team mode: whether this process received a request and so forwards it. Absent: every request. */
  ownsForward?: (requestId: number) => boolean;
}

export function createPowerTools(parts: PowerToolsDeps): PowerTools {
  const { store, settings, logger, clock, opts } = parts;
  const forwarder = createForwarder({
    store, settings, logger, clock, receiverPort: () => parts.receiverInfo()?.port,
    keyPrefix: parts.deliveryKeyPrefix, owns: parts.ownsForward,
  });
  // Small batches: each is one short transaction, and ingest runs between them.
  const retention = createRetention({ store, settings, logger, clock, batch: 250 });
  const deps: ToolDeps = {
    store, settings, logger,
    receiver: parts.receiver,
    receiverInfo: () => parts.receiverInfo(),
    tunnelUrl: () => parts.tunnel.get().url ?? null,
  };
  const localUrl = () => parts.receiverInfo()?.url ?? `http://${opts.receiverHost}:${opts.receiverPort}`;
  const publicHosts = () => {
    const hosts: string[] = [];
    for (const u of [parts.tunnel.get().url, settings.publicUrl(parts.tunnel.get().url ?? null), opts.env?.publicUrl]) {
      try { if (u) hosts.push(new URL(u).host); } catch { /* not a URL: nothing to scrub */ }
    }
    return [...new Set(hosts)];
  };

  const tools: CoreTools = {
    exportStream(format, filter, o = {}) {
      // A connection of its own: the HTTP response awaits between chunks, and an iterator open on the
      // main connection would make the receiver's commits fail (see export.ts).
      const reader = openStore({ dataDir: opts.dataDir, nativeBinding: opts.nativeBinding, deriver: parts.eventDeriver, recover: false });
      let closed = false;
      const close = () => {
        if (closed) return;
        closed = true;
        try { reader.db.close(); } catch { /* already closed */ }
      };
      const inner = exportEvents(reader, format, filter, {
        localUrl: localUrl(), publicHosts: publicHosts(), formulaGuard: o.formulaGuard, redact: o.redact, version: opts.version ?? readVersion(),
      });
      function* chunks() {
        try { yield* inner; } finally { close(); }
      }
      const day = new Date(clock()).toISOString().slice(0, 10);
      return { contentType: EXPORT_MIME[format].type, filename: `hookscope-${day}${o.redact ? '-redacted' : ''}.${EXPORT_MIME[format].ext}`, chunks: chunks(), close };
    },
    importFile: (text, format) => importFile(deps, text, format),
    curl(requestId, opts = {}) {
      const r = store.getRequest(requestId);
      if (!r) throw new HookscopeError('NOT_FOUND', `Request ${requestId} was not found.`);
      return curlFor(opts.redact ? redactedRequest(createPseudonymiser(), r) : r, localUrl());
    },
    statsExtra(since, until) {
      const u = until ?? clock();
      const s = since ?? u - 86_400_000;
      return statsExtra(store, s, u);
    },
    replayFiltered: (filter, o = {}) => replayFiltered(deps, filter, o),
    retention: { runOnce: () => retention.runOnce(), drain: () => retention.drain(), compact: (o) => retention.compact(o), poke: () => retention.poke() },
    forwardsIdle: () => forwarder.idle(),
  };

  return {
    handlers: {
      'replay:send': (args) => replayRequest(deps, args as Parameters<typeof replayRequest>[1]),
      'simulate:send': (args) => simulate(deps, args),
    },
    forwarder,
    afterDerived() {
      forwarder.kick();
      retention.poke();
    },
    start() {
      retention.start();
      // What a crash or a stop left in the outbox goes out now.
      forwarder.kick();
    },
    stop() {
      retention.stop();
      forwarder.stop();
    },
    tools,
  };
}
