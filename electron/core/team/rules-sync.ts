// The team's rules, one source of truth: PostgreSQL's `rules` table. Every process keeps a copy in its
// local SQLite `rules` / `action_secrets` tables (what the rules runner reads), replaced whole whenever a
// change is announced (NOTIFY), when the listener reconnects, and at start. Rule CRUD in team mode
// writes PostgreSQL first (a rule id comes from the shared sequence, so two processes never hand out
// the same id), then the local copy. Claims decide which process runs a request's rules; these make sure
// it runs the same rules whichever process it is (docs/architecture.md "Team mode").
import type { Database as Db } from 'better-sqlite3';
import type { Rule } from '../../../shared/types';
import { HookscopeError } from '../../../shared/errors';
import { createRule, deleteRule, updateRule } from '../rules/rules-store';
import type { PgLog, SharedRule } from './pg-log';
import type { Logger } from '../types';

export interface RulesSync {
  create(input: unknown, now: number): Promise<Rule>;
  update(id: number, input: unknown, now: number): Promise<Rule>;
  remove(id: number): Promise<void>;
  /** Replaces the local copy with the shared rules; calls onChanged when anything differs. */
  pull(): Promise<void>;
}

interface LocalRule { id: number; spec: string; created_at: number; updated_at: number }
interface LocalSecret { rule_id: number; action_index: number; url: string; secret: string }

export function createRulesSync(deps: { db: Db; log: () => PgLog | null; logger: Logger; onChanged: () => void }): RulesSync {
  const { db } = deps;
  const log = () => {
    const l = deps.log();
    if (!l) throw new HookscopeError('DB_UNREACHABLE', 'The team database is not connected yet.');
    return l;
  };

  function localRow(id: number): SharedRule {
    const r = db.prepare('SELECT id, spec, created_at, updated_at FROM rules WHERE id = ?').get(id) as LocalRule | undefined;
    if (!r) throw new HookscopeError('NOT_FOUND', `There is no rule #${id}.`);
    const secrets = (db.prepare('SELECT rule_id, action_index, url, secret FROM action_secrets WHERE rule_id = ? ORDER BY action_index').all(id) as LocalSecret[])
      .map((x) => ({ actionIndex: x.action_index, url: x.url, secret: x.secret }));
    return { id: r.id, spec: r.spec, createdAt: r.created_at, updatedAt: r.updated_at, secrets };
  }

  const replaceAll = db.transaction((rules: SharedRule[]): boolean => {
    const before = JSON.stringify([
      db.prepare('SELECT id, spec, created_at, updated_at FROM rules ORDER BY id').all(),
      db.prepare('SELECT rule_id, action_index, url, secret FROM action_secrets ORDER BY rule_id, action_index').all(),
    ]);
    const keep = new Set(rules.map((r) => r.id));
    for (const { id } of db.prepare('SELECT id FROM rules').all() as { id: number }[]) {
      if (!keep.has(id)) deleteRule(db, id);
    }
    const upsert = db.prepare(`INSERT INTO rules (id, spec, created_at, updated_at) VALUES (?, ?, ?, ?)
      ON CONFLICT(id) DO UPDATE SET spec = excluded.spec, updated_at = excluded.updated_at`);
    const insSecret = db.prepare('INSERT OR REPLACE INTO action_secrets (rule_id, action_index, url, secret) VALUES (?, ?, ?, ?)');
    for (const r of rules) {
      upsert.run(r.id, r.spec, r.createdAt, r.updatedAt);
      db.prepare('DELETE FROM action_secrets WHERE rule_id = ?').run(r.id);
      for (const s of r.secrets) insSecret.run(r.id, s.actionIndex, s.url, s.secret);
    }
    const after = JSON.stringify([
      db.prepare('SELECT id, spec, created_at, updated_at FROM rules ORDER BY id').all(),
      db.prepare('SELECT rule_id, action_index, url, secret FROM action_secrets ORDER BY rule_id, action_index').all(),
    ]);
    return before !== after;
  });

  let pulling: Promise<void> | null = null;
  let again = false;
  async function pullOnce() {
    const l = deps.log();
    if (!l) return;
    const rules = await l.rules();
    if (replaceAll(rules)) deps.onChanged();
  }
  function pull(): Promise<void> {
    if (pulling) { again = true; return pulling; }
    const p = (async () => {
      do {
        again = false;
        try { await pullOnce(); } catch (err) { deps.logger.debug('could not read the team\'s rules', { err: String(err) }); return; }
      } while (again);
    })().finally(() => { pulling = null; });
    pulling = p;
    return p;
  }

  /** Moves a rule created locally to the id the shared sequence gave it (same tick: no pull in between). */
  const moveTo = db.transaction((from: number, to: number) => {
    if (from === to) return;
    db.prepare('UPDATE rules SET id = ? WHERE id = ?').run(to, from);
    db.prepare('UPDATE action_secrets SET rule_id = ? WHERE rule_id = ?').run(to, from);
  });

  return {
    async create(input, now) {
      const id = await log().nextRuleId();
      // The id may already be taken locally by nothing else: shared ids only ever come from this sequence,
      // and local rows are copies of shared ones. Created and moved without yielding.
      if (db.prepare('SELECT 1 FROM rules WHERE id = ?').get(id)) throw new HookscopeError('INTERNAL', `Rule id ${id} is already in use here.`);
      const local = createRule(db, input, now);
      moveTo(local.id, id);
      try {
        await log().putRule(localRow(id));
      } catch (err) {
        // Not shared, so not kept: the rule exists everywhere or nowhere.
        deleteRule(db, id);
        deps.onChanged();
        throw err;
      }
      deps.onChanged();
      return { ...local, id };
    },
    async update(id, input, now) {
      const rule = updateRule(db, id, input, now);
      try {
        await log().putRule(localRow(id));
      } catch (err) {
        // The shared copy wins: the next pull puts this one back as it was.
        void pull();
        throw err;
      }
      deps.onChanged();
      return rule;
    },
    async remove(id) {
      const shared = await log().deleteRule(id);
      const local = deleteRule(db, id);
      if (!shared && !local) throw new HookscopeError('NOT_FOUND', `Rule ${id} was not found.`);
      deps.onChanged();
    },
    pull,
  };
}
