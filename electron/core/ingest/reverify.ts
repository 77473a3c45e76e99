// Re-verification of the rejected log: after the user fixes a secret, requests that were refused for
// their signature may verify now. Those that do join the feed as accepted, in their original order and
// with their original arrival time; those that arrived over an hour ago join the history quietly (no
// rules, no notifications, no forwards) — a burst of day-old "lead replied" alerts would help no one.
// Both follow from the deriver (deriver.ts), which treats any request received over QUIET_AFTER_MS before
// it is derived that way.
import type { ReverifyResult } from '../../../shared/types';
import type { RejectedLog, StoredRejected } from '../store/rejected-log';
import type { Receiver, ReceiverInput } from './receiver';
import type { Writer } from './writer';
import type { Clock } from '../types';
import type { StoredRequest } from '../../../shared/types';

export const QUIET_AFTER_MS = 60 * 60_000;

export interface ReverifyDeps {
  log: RejectedLog;
  receiver: () => Receiver | undefined;
  writer: Writer;
  clock: Clock;
}

function inputOf(r: StoredRejected): ReceiverInput {
  const origin = (['network', 'replay', 'simulate', 'import'].includes(r.origin) ? r.origin : 'network') as StoredRequest['origin'];
  return { method: r.method, path: r.path, query: r.query, headers: r.headers, body: r.body ?? Buffer.alloc(0), origin };
}

/** How many rejected requests would be accepted now (the setup doctor offers a re-verify when > 0). */
export function countWouldVerify(deps: Pick<ReverifyDeps, 'log' | 'receiver'>): number {
  const receiver = deps.receiver();
  if (!receiver) return 0;
  let n = 0;
  for (const r of deps.log.candidates()) if (receiver.decide(inputOf(r)).accepted) n++;
  return n;
}

export async function reverify(deps: ReverifyDeps): Promise<ReverifyResult> {
  const receiver = deps.receiver();
  if (!receiver) return { checked: 0, accepted: 0 };
  let checked = 0;
  let accepted = 0;
  // Oldest first, one at a time: each keeps its place in the order the provider sent them, and
  // duplicate detection sees the earlier ones before the later.
  for (const r of deps.log.candidates()) {
    checked++;
    const input = inputOf(r);
    const d = receiver.decide(input);
    if (!d.accepted) continue;
    await deps.writer.submit({
      request: {
        receivedAt: r.receivedAt, method: r.method, path: r.path, query: r.query, headers: r.headers, body: input.body,
        provider: d.provider, responseStatus: d.status, signature: d.sig.verdict, signatureDiagnosis: d.sig.diagnosis,
        error: null, origin: input.origin,
      },
      events: d.events,
    });
    deps.log.remove([r.id]);
    accepted++;
  }
  return { checked, accepted };
}
