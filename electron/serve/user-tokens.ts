// Per-user tokens for a team server (docs/api.md "Team server: tokens and roles"). Each person gets their
// own bearer token with a role, so access can be given and taken back one person at a time. Only a
// SHA-256 of each token is kept (the tokens are 32 random bytes, so a slow hash would add nothing), in
// `<data dir>/ui-tokens.json` (mode 0600). The file is re-read when it changes on disk, so
// `npm run serve -- tokens add|revoke` takes effect on a running server at once.
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Role } from '../../shared/types';
import { ROLES } from '../../shared/roles';

export const USER_TOKENS_FILE = 'ui-tokens.json';
const FORMAT = 'hookscope-ui-tokens/1';

/** What the API and the CLI show about a token: never the secret, never its hash. */
export interface UserTokenView {
  id: string;
  name: string;
  role: Role;
  createdAt: number;
  lastUsedAt: number | null;
}

interface StoredToken extends UserTokenView {
  /** hex SHA-256 of the token */
  sha256: string;
}

export class TokenError extends Error {}

const NAME = /^[\p{L}\p{N}][\p{L}\p{N} ._@+-]{0,63}$/u;

function sha256(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/** Changes when another process (the `tokens` CLI) rewrites the file. */
function fileStamp(file: string): string {
  try {
    if (!existsSync(file)) return 'none';
    const st = statSync(file);
    return `${st.mtimeMs}:${st.size}:${st.ino}`;
  } catch {
    return 'none';
  }
}

export interface UserTokenStore {
  /** Makes a token for `name`; the returned `token` is shown once and never stored. */
  add(name: string, role: Role): UserTokenView & { token: string };
  list(): UserTokenView[];
  /** Revokes by id or by name; the revoked view, or null when there is no such token. */
  revoke(idOrName: string): UserTokenView | null;
  /** The token's owner and role, or null. Constant-time over every stored hash. */
  verify(token: string): UserTokenView | null;
  /** Writes pending last-used times (they are kept in memory between writes). */
  flush(): void;
}

export function createUserTokenStore(dataDir: string, clock: () => number = Date.now): UserTokenStore {
  const file = join(dataDir, USER_TOKENS_FILE);
  let tokens: StoredToken[] = [];
  let loadedStamp = '';
  let dirty = false;
  let lastWrite = 0;

  const load = () => {
    const stamp = fileStamp(file);
    if (stamp === loadedStamp) return;
    loadedStamp = stamp;
    if (stamp === 'none') { tokens = []; return; }
    try {
      const parsed = JSON.parse(readFileSync(file, 'utf8')) as { format?: unknown; tokens?: unknown };
      if (parsed.format !== FORMAT || !Array.isArray(parsed.tokens)) throw new Error('not a tokens file');
      const lastUsed = new Map(tokens.map((t) => [t.id, t.lastUsedAt]));
      tokens = (parsed.tokens as Partial<StoredToken>[]).filter((t): t is StoredToken =>
        typeof t.id === 'string' && typeof t.name === 'string' && ROLES.includes(t.role as Role)
        && typeof t.sha256 === 'string' && /^[0-9a-f]{64}$/.test(t.sha256) && typeof t.createdAt === 'number')
        .map((t) => ({ ...t, lastUsedAt: Math.max(t.lastUsedAt ?? 0, lastUsed.get(t.id) ?? 0) || null }));
    } catch {
      // A damaged file grants nothing: every per-user token is refused until it is fixed or rewritten.
      tokens = [];
    }
  };

  const save = () => {
    const tmp = `${file}.${process.pid}.tmp`;
    rmSync(tmp, { force: true });
    // Hashes only, but still only the user's business who has access.
    writeFileSync(tmp, `${JSON.stringify({ format: FORMAT, tokens }, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(tmp, 0o600);
    renameSync(tmp, file);
    loadedStamp = fileStamp(file);
    dirty = false;
    lastWrite = clock();
  };

  const view = (t: StoredToken): UserTokenView => ({ id: t.id, name: t.name, role: t.role, createdAt: t.createdAt, lastUsedAt: t.lastUsedAt });

  return {
    add(name, role) {
      load();
      const n = name.trim();
      if (!NAME.test(n)) throw new TokenError('A token name is 1-64 letters, digits, spaces or . _ @ + - (starting with a letter or digit).');
      if (!ROLES.includes(role)) throw new TokenError(`The role is one of: ${ROLES.join(', ')}.`);
      if (tokens.some((t) => t.name === n)) throw new TokenError(`There is already a token named "${n}"; revoke it first or pick another name.`);
      const token = `hs_${randomBytes(32).toString('base64url')}`;
      const t: StoredToken = { id: randomUUID(), name: n, role, createdAt: clock(), lastUsedAt: null, sha256: sha256(token).toString('hex') };
      tokens.push(t);
      save();
      return { ...view(t), token };
    },
    list() {
      load();
      return tokens.map(view);
    },
    revoke(idOrName) {
      load();
      const t = tokens.find((x) => x.id === idOrName) ?? tokens.find((x) => x.name === idOrName);
      if (!t) return null;
      tokens = tokens.filter((x) => x !== t);
      save();
      return view(t);
    },
    verify(token) {
      load();
      const given = sha256(token);
      let hit: StoredToken | null = null;
      // Every stored hash is compared, matching or not, so the time taken says nothing about which one.
      for (const t of tokens) {
        if (timingSafeEqual(given, Buffer.from(t.sha256, 'hex')) && !hit) hit = t;
      }
      if (!hit) return null;
      hit.lastUsedAt = clock();
      dirty = true;
      // Last-used is a hint for the admin, not an audit log: written at most once a minute.
      if (clock() - lastWrite > 60_000) { try { save(); } catch { /* read-only data dir: kept in memory */ } }
      return view(hit);
    },
    flush() {
      if (dirty) save();
    },
  };
}
