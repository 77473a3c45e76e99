// Forgetting a contact in team mode (docs/architecture.md "Team mode", docs/api.md "Forget a contact"):
// the shared record is erased first, then this read model; every other process hears of it (NOTIFY
// hookscope_forget, or the table at start) and erases the contact from its own read model too. How far
// this read model got through the shared `forgotten` table is kept in its kv (FORGOTTEN_KEY).
import type { Store } from '../store/store';
import { requestBytes } from '../store/pack';
import type { Logger } from '../types';
import { HookscopeError } from '../../../shared/errors';
import type { ForgetResult } from '../../../shared/types';
import { contactKey, cutContact, EDITED_NOTE, eraseTraces, forgetContact, type ForgetTouched } from '../store/forget';
import type { PgLog } from './pg-log';

/** kv: the last forgotten contact (shared seq) this read model has erased. */
export const FORGOTTEN_KEY = 'team.forgotten_through';

export interface TeamForget {
  /** A new read model starts after the contacts forgotten so far; an existing one keeps its place. */
  begin(): Promise<void>;
  /** Erases here the contacts forgotten elsewhere since the last pull (one pull at a time). */
  pull(): Promise<void>;
  /** Forgets a contact in the shared record first, then here. Throws DB_UNREACHABLE before start. */
  forget(contactId: string): Promise<ForgetResult>;
}

export function createTeamForget(deps: {
  store: Store;
  /** The shared record once the team database is open; null before. */
  log: () => Pick<PgLog, 'forget' | 'forgottenAfter'> | null;
  logger: Logger;
  /** Another process forgot a contact and this read model erased it too (open windows drop its rows). */
  onForgotten?: (contactId: string) => void;
}): TeamForget {
  const { store, logger } = deps;
  let forgottenSeq = Number(store.kvGet(FORGOTTEN_KEY) ?? 0);
  let forgetting: Promise<void> | null = null;

  function pull(): Promise<void> {
    const log = deps.log();
    if (forgetting || !log) return forgetting ?? Promise.resolve();
    const p = (async () => {
      try {
        for (const f of await log.forgottenAfter(forgottenSeq)) {
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

  return {
    async begin() {
      const log = deps.log();
      if (log && store.kvGet(FORGOTTEN_KEY) == null) {
        // A new read model starts after the contacts forgotten so far: what it copies was erased already,
        // and what arrives later about them is new.
        const seen = await log.forgottenAfter(0);
        forgottenSeq = seen.at(-1)?.seq ?? 0;
        store.kvSet(FORGOTTEN_KEY, String(forgottenSeq));
      }
      await pull();
    },
    pull,
    async forget(contactId) {
      const log = deps.log();
      if (!log) throw new HookscopeError('DB_UNREACHABLE', 'The team database is not connected yet.');
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
      await log.forget({ contactId: digits, whole: touched.whole, edited, note: EDITED_NOTE });
      return forgetContact(store.db, digits);
    },
  };
}
