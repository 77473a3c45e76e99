// `npm run serve -- tokens add NAME --role viewer|admin | list | revoke NAME` (docs/api.md "Team server:
// tokens and roles"): per-user tokens managed from a shell on the server. The new token is printed once,
// on stdout only; it is never stored (only its hash) and never logged.
import { mkdirSync } from 'node:fs';
import { defaultDataDir } from './flags';
import { createUserTokenStore, TokenError } from './user-tokens';
import type { Role } from '../../shared/types';

export const TOKENS_USAGE = `Usage: npm run serve -- tokens add NAME [--role viewer|admin] [--data-dir DIR]
       npm run serve -- tokens list [--data-dir DIR]
       npm run serve -- tokens revoke NAME|ID [--data-dir DIR]
A viewer reads everything and follows the live feed; an admin may also change settings, rules, replay,
forget contacts, re-verify and manage tokens. The token is shown once: give it to that person.
`;

export interface Io { out(s: string): void; err(s: string): void }

/** Runs the `tokens` sub-command; returns the exit code. */
export function runTokensCommand(argv: string[], env: NodeJS.ProcessEnv, io: Io): number {
  const [action, ...rest] = argv;
  let dataDir = env.HOOKSCOPE_DATA_DIR || defaultDataDir(env);
  let role: Role = 'viewer';
  const positional: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    const eq = a.indexOf('=');
    const name = a.startsWith('--') && eq > 0 ? a.slice(0, eq) : a;
    const value = () => (eq > 0 ? a.slice(eq + 1) : rest[++i]);
    if (name === '--data-dir') { const v = value(); if (!v) return usage(io, '--data-dir needs a value'); dataDir = v; continue; }
    if (name === '--role') {
      const v = value();
      if (v !== 'viewer' && v !== 'admin') return usage(io, `--role is viewer or admin, got "${v ?? ''}"`);
      role = v;
      continue;
    }
    if (a === '--help' || a === '-h') { io.out(TOKENS_USAGE); return 0; }
    if (a.startsWith('--')) return usage(io, `unknown flag ${a}`);
    positional.push(a);
  }
  try {
    mkdirSync(dataDir, { recursive: true });
    const store = createUserTokenStore(dataDir);
    if (action === 'add' && positional.length === 1) {
      const t = store.add(positional[0], role);
      io.out(`token for ${t.name} (${t.role}), shown once:\n${t.token}\n`);
      return 0;
    }
    if (action === 'list' && positional.length === 0) {
      const items = store.list();
      if (!items.length) io.out('no per-user tokens (the data dir\'s ui-token is the admin token)\n');
      for (const t of items) {
        io.out(`${t.name}\t${t.role}\tcreated ${new Date(t.createdAt).toISOString()}\tlast used ${t.lastUsedAt ? new Date(t.lastUsedAt).toISOString() : 'never'}\t${t.id}\n`);
      }
      return 0;
    }
    if (action === 'revoke' && positional.length === 1) {
      const gone = store.revoke(positional[0]);
      if (!gone) { io.err(`hookscope: no token named or with id "${positional[0]}"\n`); return 1; }
      io.out(`revoked ${gone.name} (${gone.role})\n`);
      return 0;
    }
  } catch (err) {
    if (err instanceof TokenError) { io.err(`hookscope: ${err.message}\n`); return 1; }
    io.err(`hookscope: cannot keep tokens in ${dataDir}: ${(err as Error).message}\n`);
    return 1;
  }
  return usage(io, action ? `tokens ${action}: wrong arguments` : 'tokens needs add, list or revoke');
}

function usage(io: Io, problem: string): number {
  io.err(`hookscope: ${problem}\n${TOKENS_USAGE}`);
  return 2;
}
