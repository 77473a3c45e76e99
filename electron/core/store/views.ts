// Saved views (a named filter + search + columns, one of them the default) and the names users give
// their business numbers. Both live in the database, so they survive restarts and travel with a data dir.
import type { Database as Db } from 'better-sqlite3';
import { HookscopeError } from '../../../shared/errors';
import type { BusinessNumber, SavedView, SavedViewInput } from '../../../shared/types';

interface ViewRow { id: number; name: string; spec: string; is_default: number; created_at: number; updated_at: number }

function toView(r: ViewRow): SavedView {
  const spec = JSON.parse(r.spec) as Pick<SavedView, 'filter' | 'columns'>;
  return { id: r.id, name: r.name, filter: spec.filter ?? {}, columns: spec.columns ?? null, isDefault: r.is_default === 1, createdAt: r.created_at, updatedAt: r.updated_at };
}

export interface ViewsStore {
  list(): SavedView[];
  create(input: SavedViewInput): SavedView;
  update(id: number, patch: Partial<SavedViewInput>): SavedView;
  remove(id: number): void;
  businesses(): BusinessNumber[];
  nameBusiness(businessId: string, name: string | null): BusinessNumber;
  /** businessId → name, for the feed. */
  businessNames(): Record<string, string>;
}

export function createViewsStore(db: Db, now: () => number = Date.now): ViewsStore {
  const all = db.prepare('SELECT * FROM views ORDER BY name COLLATE NOCASE, id');
  const one = db.prepare('SELECT * FROM views WHERE id = ?');
  const insert = db.prepare('INSERT INTO views (name, spec, is_default, created_at, updated_at) VALUES (?, ?, ?, ?, ?)');
  const change = db.prepare('UPDATE views SET name = ?, spec = ?, is_default = ?, updated_at = ? WHERE id = ?');
  const clearDefault = db.prepare('UPDATE views SET is_default = 0 WHERE is_default = 1 AND id <> ?');
  const del = db.prepare('DELETE FROM views WHERE id = ?');
  const names = db.prepare('SELECT business_id AS b, name FROM business_names');
  const setName = db.prepare('INSERT INTO business_names (business_id, name) VALUES (?, ?) ON CONFLICT(business_id) DO UPDATE SET name = excluded.name');
  const dropName = db.prepare('DELETE FROM business_names WHERE business_id = ?');
  // The receiving numbers: a walk of the partial index (business_id, id), one group per number.
  const seen = db.prepare('SELECT business_id AS b, COUNT(*) AS n FROM events WHERE business_id IS NOT NULL GROUP BY business_id ORDER BY n DESC LIMIT 200');

  const get = (id: number): SavedView => {
    const r = one.get(id) as ViewRow | undefined;
    if (!r) throw new HookscopeError('NOT_FOUND', `View ${id} was not found.`);
    return toView(r);
  };
  const write = db.transaction((id: number | null, v: SavedViewInput): number => {
    const spec = JSON.stringify({ filter: v.filter ?? {}, columns: v.columns ?? null });
    const t = now();
    let vid = id;
    if (vid == null) vid = Number(insert.run(v.name, spec, v.isDefault ? 1 : 0, t, t).lastInsertRowid);
    else change.run(v.name, spec, v.isDefault ? 1 : 0, t, vid);
    // One default at most.
    if (v.isDefault) clearDefault.run(vid);
    return vid;
  });

  const nameMap = () => Object.fromEntries((names.all() as { b: string; name: string }[]).map((r) => [r.b, r.name]));

  return {
    list: () => (all.all() as ViewRow[]).map(toView),
    create: (input) => get(write(null, input)),
    update(id, patch) {
      const cur = get(id);
      return get(write(id, { name: patch.name ?? cur.name, filter: patch.filter ?? cur.filter, columns: patch.columns !== undefined ? patch.columns : cur.columns, isDefault: patch.isDefault ?? cur.isDefault }));
    },
    remove(id) {
      if (del.run(id).changes === 0) throw new HookscopeError('NOT_FOUND', `View ${id} was not found.`);
    },
    businesses() {
      const n = nameMap();
      const out: BusinessNumber[] = (seen.all() as { b: string; n: number }[]).map((r) => ({ businessId: r.b, name: n[r.b] ?? null, events: r.n }));
      // Named numbers with no events (yet, or any more) are listed too, so their names can be changed.
      for (const [b, name] of Object.entries(n)) if (!out.some((x) => x.businessId === b)) out.push({ businessId: b, name, events: 0 });
      return out;
    },
    nameBusiness(businessId, name) {
      const clean = name?.trim() ?? '';
      if (clean) setName.run(businessId, clean);
      else dropName.run(businessId);
      return { businessId, name: clean || null, events: 0 };
    },
    businessNames: nameMap,
  };
}
