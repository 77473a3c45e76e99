// What the receiver does with a verdict of decide.ts: an accepted request is stored with its exact bytes
// and answered once the group commit holding it is on disk (writer.ts; its events are derived right after,
// deriver.ts); a refused one is kept in the bounded rejected log (rejected-log.ts) within the caller's
// budget (gate.ts) and answered with the status's reason phrase alone. The network (request-path.ts) and
// the local tools (replay, simulator, import) come through here alike.
import type { RejectedItem } from '../../../shared/types';
import { redactVerifyToken } from '../../../shared/redact';
import type { IngestRecord } from '../store/store';
import type { RejectedLog } from '../store/rejected-log';
import type { RateLimiter } from './gate';
import type { Writer } from './writer';
import type { Clock } from '../types';
import { decide, plain, refusalDiagnosis, rejectedRow, type ReceiverInput, type Refusal, type TrustConfig } from './decide';

export interface ReceiverAnswer {
  status: number;
  contentType: string;
  body: string;
  /** The stored request, when it was accepted (its events are derived from it shortly after: deriver.ts). */
  requestId: number | null;
  /** The rejected-log row, when it was rejected and kept. */
  rejectedId?: number | null;
  /** Why it was rejected, for local callers (replay, simulator, import); never sent over the network. */
  diagnosis?: string;
  accepted: boolean;
}

export interface HandleDeps {
  trust: TrustConfig;
  writer: Writer;
  clock: Clock;
  /** Where refused requests are kept; without one they are answered and not kept. */
  rejected?: RejectedLog;
  /** Rejected requests per source; none: unlimited. */
  limiter?: RateLimiter;
  /** True while free disk is under the floor: rejected requests are then not stored. */
  diskLow?: () => boolean;
  /** Called after a rejected request was answered (kept or not). */
  onRejected?: (item: RejectedItem | null) => void;
}

/** Decides a request, then stores it (accepted) or keeps it in the rejected log (refused), and says what to answer. */
export function createHandle(deps: HandleDeps): (input: ReceiverInput) => Promise<ReceiverAnswer> {
  const { writer, clock } = deps;
  return async function handle(input) {
    const d = decide(input, deps.trust);
    if (!d.accepted) return reject(deps, input, d);
    const record: IngestRecord = {
      request: {
        receivedAt: clock(), method: input.method, path: input.path, query: redactVerifyToken(input.query), headers: input.headers,
        body: input.body, provider: d.provider, responseStatus: d.status, signature: d.sig.verdict,
        signatureDiagnosis: d.sig.diagnosis, error: d.error, origin: input.origin,
      },
      events: d.events,
    };
    // The 200 waits for the request row alone; its events, search entries, lifecycle and rules are
    // derived from it right after (deriver.ts), and again after a crash if they had not been.
    const t0 = performance.now();
    const { requestId } = await writer.submit(record);
    // How long the answer waited for the commit: kept with the request by the deriver (the list's ackMs).
    record.request.ackMs = Math.round((performance.now() - t0) * 10) / 10;
    return { status: d.status, body: d.answer, contentType: d.contentType, requestId, accepted: true };
  };
}

async function reject(deps: HandleDeps, input: ReceiverInput, d: Refusal): Promise<ReceiverAnswer> {
  const answer = (status: number, rejectedId: number | null): ReceiverAnswer =>
    ({ status, body: plain(status), contentType: 'text/plain; charset=utf-8', requestId: null, rejectedId, accepted: false, diagnosis: refusalDiagnosis(d, status === 429) });
  const log = deps.rejected;
  // Local origins (replay, simulator, import) are the user's own doing: kept, never rate-limited.
  const source = input.origin === 'network' ? (input.source ?? 'unknown') : null;
  if (source != null && deps.limiter && !deps.limiter.take(source)) {
    log?.countNotStored();
    deps.onRejected?.(null);
    return answer(429, null);
  }
  if (!log || deps.diskLow?.()) {
    log?.countNotStored();
    deps.onRejected?.(null);
    return answer(d.status, null);
  }
  const row = rejectedRow(input, d, source, deps.clock());
  const id = await log.add(row);
  deps.onRejected?.(id == null ? null : {
    id, receivedAt: row.receivedAt, method: row.method, path: row.path, provider: row.provider, httpStatus: row.httpStatus,
    signature: row.signature, diagnosis: row.diagnosis, source: row.source, bytes: row.bodySize,
  });
  return answer(d.status, id);
}
