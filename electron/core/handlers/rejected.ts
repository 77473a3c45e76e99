// The contract's rejected-log channels (shared/ipc.ts): what the trust boundary refused, each with the
// signature debugger and an untrusted preview, and the log checked again after a secret is fixed.
import type { ContractHandlers } from '../../../shared/ipc';
import type { RejectedDetail } from '../../../shared/types';
import { reverify } from '../ingest/reverify';
import { eventsOf } from '../ingest/derive-events';
import type { CoreParts } from '../parts';
import { explainSignature, notFound } from './common';

export function rejectedHandlers(parts: CoreParts) {
  return {
    'rejected:list': (a) => ({ ...parts.rejected.list(a ?? {}), diskLow: parts.diskLow(), diskFull: parts.diskFull() }),
    'rejected:get': ({ id }) => rejectedDetail(parts, id),
    'rejected:reverify': async () => {
      const r = await reverify({ log: parts.rejected, receiver: parts.receiver, writer: parts.writer, clock: parts.clock });
      // The promoted requests' events exist (and are pushed) once this answers.
      parts.deriver.catchUp();
      parts.rejectedNotices.changed();
      return r;
    },
  } satisfies Partial<ContractHandlers>;
}

/** A refused request as the inspector shows it: its bytes explained, never stored as events. */
function rejectedDetail(parts: CoreParts, id: number): RejectedDetail {
  const row = parts.rejected.get(id) ?? notFound(`Rejected request ${id}`);
  const { bodyBytes, ...detail } = row;
  const out: RejectedDetail = detail;
  if (row.provider && row.method === 'POST' && row.bodyComplete) {
    out.signatureDebug = explainSignature(parts, { ...row, provider: row.provider }, bodyBytes);
    // What it claims to be, parsed by the same normalisers, shown marked untrusted and never stored as events.
    try {
      const evs = eventsOf({ method: row.method, path: row.path, query: row.query, headers: row.headers, body: bodyBytes, provider: row.provider });
      out.preview = evs.slice(0, 50).map((e) => ({ kind: e.kind, status: e.status, contactId: e.contactId, contactName: e.contactName, text: e.text, messageId: e.messageId }));
    } catch { /* not parseable: no preview */ }
  }
  return out;
}
