// Forgetting a contact (shared/ipc.ts contacts:forget): the erase, then the file rewritten so no stale
// copy of its rows stays behind (store/forget.ts).
import type { ContractHandlers } from '../../../shared/ipc';
import { eraseTraces, forgetContact } from '../store/forget';
import type { CoreParts } from '../parts';

/**
 * What rewriting the database after a forget costs per GiB of file (VACUUM + WAL truncate): `npm run bench`
 * measured 110 s per GiB on a loaded 2-core machine (docs/benchmarks.md, "Forget a contact"); rounded up,
 * so the confirmation errs on the long side.
 */
const REWRITE_MS_PER_GIB = 120_000;

export function privacyHandlers(parts: CoreParts) {
  const { store, emitter } = parts;
  return {
    'contacts:forget': async ({ contactId, dryRun }) => {
      // Team mode: the shared record and every process's read model forget it too.
      const r = parts.team && !dryRun ? await parts.team.forget(contactId) : forgetContact(store.db, contactId, { dryRun });
      // The rewrite after the erase holds the connection: the confirmation says for how long, from the
      // cost measured by `npm run bench` (docs/benchmarks.md, "forget" rows).
      if (r.dryRun) {
        const databaseBytes = store.counts().bytes;
        return { ...r, databaseBytes, rewriteEstimateMs: Math.ceil((databaseBytes / 2 ** 30) * REWRITE_MS_PER_GIB) };
      }
      // Deleted rows are overwritten, but SQLite leaves stale copies of cells in pages' unused space when
      // it rebalances its trees, and the WAL may keep old frames: the file is rewritten and the WAL
      // emptied every time (forget.ts eraseTraces). It holds the connection while it runs (ingest waits);
      // the confirmation says how long that is for the database's size (docs/benchmarks.md).
      let traces = { vacuumed: false, walEmptied: false, ms: 0 };
      try { traces = await eraseTraces(store.db); } catch (err) { parts.logger.warn('rewriting the file after forgetting a contact failed', { err: String(err) }); }
      const compacted = traces.vacuumed;
      parts.logger.info('contact forgotten', { requests: r.requests, requestsEdited: r.requestsEdited, events: r.events, notifications: r.notifications });
      // Every open window (other browser tabs under serve) drops the contact's rows without a reload.
      emitter.emit('contacts:forgotten', [{ contactId }]);
      return { ...r, compacted, walEmptied: traces.walEmptied, compactMs: traces.ms };
    },
  } satisfies Partial<ContractHandlers>;
}
