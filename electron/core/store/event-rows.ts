// A request's events written as rows, inside the derive transaction (store.ts deriveNext / deriveFailed):
// the duplicate flag (the same provider's message id and status seen before), the search entries and the
// field keys (where-sql.ts), less the raw leaves the row's own columns hold (field-columns.ts, raw_cols).
// No raw JSON per event: the request keeps the exact bytes.
import type { Database as Db } from 'better-sqlite3';
import type { HookEvent, NormalisedEvent, SignatureVerdict } from '../../../shared/types';
import { kindIs } from '../../../shared/event-kinds';
import { fieldRowsOf, fieldWriters, searchKeys } from './where-sql';
import { storedDetails } from './event-columns';

/** What of its request an event row carries (store.ts IngestRequest). */
export interface EventRowsRequest { receivedAt: number; signature: SignatureVerdict; responseStatus: number; ackMs?: number }

/** The rows of one request's events; returns them as the UI sees them. */
export function createEventRows(db: Db): (requestId: number, r: EventRowsRequest, events: NormalisedEvent[]) => HookEvent[] {
  const insertEvent = db.prepare(`INSERT INTO events (request_id, received_at, provider, kind, status, provider_status, message_id,
    contact_id, contact_name, business_id, message_type, text, reply_to, error_code, error_title, error_detail, ts, signature,
    duplicate, raw, details, raw_cols) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`);
  const insertFts = db.prepare('INSERT INTO events_fts (rowid, text, contact_name, contact_id, message_id) VALUES (?,?,?,?,?)');
  const fields = fieldWriters(db);
  // In the read model, not on the request row: the derive transaction writes nothing in the log file
  // (log-file.ts), whose write lock is the receiver's.
  const setAck = db.prepare('INSERT INTO request_acks (request_id, ack_ms) VALUES (?, ?) ON CONFLICT(request_id) DO UPDATE SET ack_ms = excluded.ack_ms');
  // Duplicates are the same provider's id again: another provider's event with that id is not a retry.
  const seenStatus = db.prepare('SELECT 1 FROM events WHERE message_id = ? AND status = ? AND kind = ? AND provider IS ? LIMIT 1');
  const seenNoStatus = db.prepare('SELECT 1 FROM events WHERE message_id = ? AND status IS NULL AND kind = ? AND provider IS ? LIMIT 1');

  return function deriveOne(requestId: number, r: EventRowsRequest, events: NormalisedEvent[]): HookEvent[] {
    const stored: HookEvent[] = [];
    if (r.ackMs != null) setAck.run(requestId, r.ackMs);
    for (const e of events) {
      // At-least-once delivery: the same (message id, status) again is flagged, never dropped.
      let duplicate = false;
      if (e.messageId && kindIs(e.kind, 'lifecycle')) {
        duplicate = (e.status ? seenStatus.get(e.messageId, e.status, e.kind, e.provider) : seenNoStatus.get(e.messageId, e.kind, e.provider)) !== undefined;
      }
      // No raw JSON per event: the request holds the exact bytes it came from, and the inspector
      // derives the event's part of them again on demand (getEvent).
      const details = storedDetails(e.kind, e.details);
      // Raw leaves the row's own columns hold are not written again as field rows (field-columns.ts).
      const leaves = fieldRowsOf(e);
      const ei = insertEvent.run(requestId, r.receivedAt, e.provider, e.kind, e.status, e.providerStatus, e.messageId,
        e.contactId, e.contactName, e.businessId, e.messageType, e.text, e.replyTo, e.errorCode, e.errorTitle,
        e.errorDetail, e.timestamp, r.signature, duplicate ? 1 : 0, null, details, leaves.cols);
      const id = Number(ei.lastInsertRowid);
      if (e.text || e.contactName || e.contactId || e.messageId) {
        insertFts.run(id, e.text, e.contactName, e.contactId, e.messageId);
      }
      fields.add(id, leaves.rows, searchKeys(e));
      stored.push({
        id, requestId, provider: e.provider, kind: e.kind, status: e.status, providerStatus: e.providerStatus,
        messageId: e.messageId, contactId: e.contactId, contactName: e.contactName, businessId: e.businessId,
        messageType: e.messageType, text: e.text, replyTo: e.replyTo, errorCode: e.errorCode, errorTitle: e.errorTitle,
        errorDetail: e.errorDetail, timestamp: e.timestamp, receivedAt: r.receivedAt, signature: r.signature, duplicate,
        httpStatus: r.responseStatus, ackMs: r.ackMs ?? null,
        ...(e.details ? { details: e.details } : {}),
      });
    }
    return stored;
  };
}
