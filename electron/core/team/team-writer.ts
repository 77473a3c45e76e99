// The receiver's writer in team mode (the same Writer contract as ingest/writer.ts): accepted requests go
// to the shared PostgreSQL record, group-committed, and each caller hears only after COMMIT — the 200
// means "durably in the team database". Until the team database is open, and whenever it cannot be
// reached, submit fails with DB_UNREACHABLE and the receiver answers 503 (the provider retries).
import { HookscopeError } from '../../../shared/errors';
import type { Appended, OnCommitted, Writer } from '../ingest/writer';
import type { IngestRecord, IngestRequest } from '../store/store';
import type { PgAppender } from './pg-writer';

export interface TeamWriter extends Writer {
  /** Connects the writer to the opened team database; until then every submit is refused. */
  attach(appender: PgAppender): void;
  /** The records' computed events for rows the appender just committed (the deriver reuses them). */
  committed(rows: IngestRequest[], ids: number[]): void;
}

export function createTeamWriter(opts: { onCommitted: OnCommitted }): TeamWriter {
  let appender: PgAppender | null = null;
  let closed = false;
  // The record each submitted request belongs to, so a commit can hand its events on without re-parsing.
  const records = new WeakMap<IngestRequest, IngestRecord>();
  return {
    attach(a) { appender = a; },
    committed(rows, ids) {
      const done: { requestId: number; record: IngestRecord }[] = [];
      rows.forEach((r, i) => { const record = records.get(r); if (record) done.push({ requestId: ids[i], record }); });
      if (done.length) opts.onCommitted(done);
    },
    async submit(record): Promise<Appended> {
      if (!appender || closed) throw new HookscopeError('DB_UNREACHABLE', 'The team database is not connected yet.');
      records.set(record.request, record);
      return { requestId: await appender.submit(record.request) };
    },
    flush() { appender?.flush(); },
    pending: () => appender?.pending() ?? 0,
    async close() {
      closed = true;
      await appender?.drain();
    },
    where: () => 'postgres',
  };
}
