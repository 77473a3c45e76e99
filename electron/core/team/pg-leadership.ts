// Leadership on the team database (docs/architecture.md "Team mode"): one process at a time runs the timer
// rules and the shared record's retention. Each process tries pg_try_advisory_lock(key) on a connection of
// its own every `everyMs`; the lock is the session's, so the holder keeps it while that connection lives
// and a cheap ping proves it is still alive. A lost connection or stop() ends the session, which releases
// the lock: another process takes over at its next attempt.
import pg from 'pg';

export interface Leadership {
  /** True while this process holds the lock (checked again every few seconds). */
  isLeader(): boolean;
  stop(): Promise<void>;
}

export interface LeadershipOptions { everyMs?: number; onChange?: (leader: boolean) => void }

/** Holds `key` on a connection of its own (made with `config`) while it can; re-tries every `everyMs`. */
export function holdLeadership(config: pg.ClientConfig, key: number, opts: LeadershipOptions = {}): Leadership {
  const everyMs = opts.everyMs ?? 5000;
  let client: pg.Client | null = null;
  let leader = false;
  let stopped = false;
  let busy = false;
  const set = (v: boolean) => { if (v !== leader) { leader = v; opts.onChange?.(v); } };
  const lose = (c: pg.Client) => {
    if (client !== c) return;
    client = null;
    set(false);
    c.end().catch(() => undefined);
  };
  const attempt = async () => {
    if (stopped || busy) return;
    busy = true;
    try {
      if (!client) {
        const c = new pg.Client({ ...config, application_name: `${config.application_name}-lead` });
        c.on('error', () => lose(c));
        c.on('end', () => lose(c));
        await c.connect();
        if (stopped) { await c.end(); return; }
        client = c;
      }
      if (leader) {
        // Still holding the session lock as long as the connection is alive: a cheap ping proves it.
        await client.query('SELECT 1');
      } else {
        const r = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [key]);
        set(r.rows[0].ok === true);
      }
    } catch {
      if (client) lose(client);
    } finally {
      busy = false;
    }
  };
  void attempt();
  const timer = setInterval(() => void attempt(), everyMs);
  timer.unref?.();
  return {
    isLeader: () => leader,
    async stop() {
      stopped = true;
      clearInterval(timer);
      const c = client;
      client = null;
      set(false);
      // Ending the session releases the lock: another process takes over at its next attempt.
      if (c) await c.end().catch(() => undefined);
    },
  };
}
