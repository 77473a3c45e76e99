// Who may talk to the control API (docs/api.md, sections 1 and 10): the Host check against DNS rebinding,
// the bearer token (the data dir's UI token is admin; per-user tokens carry their role), and the least
// role each route needs. These run before any route is looked at.
import type { IncomingMessage } from 'node:http';
import { createHash, timingSafeEqual } from 'node:crypto';
import { CHANNEL_ROLE } from '../../shared/roles';
import { isRequestChannel } from '../../shared/ipc';
import type { Identity, Role } from '../../shared/types';
import type { UserTokenStore } from './user-tokens';

export type Caller = Identity & { tokenId: string | null };

export interface ControlGuard {
  /** DNS rebinding: a page on evil.example resolving to our address still sends its own Host. */
  hostAllowed(req: IncomingMessage): boolean;
  /** The caller the request's token names, or null (no token, or one that matches nothing). */
  caller(req: IncomingMessage, url: URL): Caller | null;
  /** The Host values answered, known once the server has its port (serve/ui-host.ts). */
  setHosts(hosts: Set<string>): void;
  /** A rotated UI token: the old one stops working at once. */
  setToken(token: string): void;
}

function digest(s: string) { return createHash('sha256').update(s).digest(); }

export function createControlGuard(token: string, userTokens: UserTokenStore | undefined): ControlGuard {
  // An empty token would let `?token=` or `Authorization: Bearer ` through.
  if (!token || token.trim() === '') throw new Error('The control API needs a non-empty token.');
  let tokenDigest = digest(token);
  let hosts: Set<string> = new Set();
  return {
    hostAllowed: (req) => hosts.has((req.headers.host ?? '').toLowerCase()),
    caller(req, url) {
      const h = req.headers.authorization;
      const given = h?.startsWith('Bearer ') ? h.slice(7).trim() : url.searchParams.get('token');
      if (given == null || given === '') return null;
      // Both checks always run, so the answer time does not say which kind of token was close.
      const isUiToken = timingSafeEqual(digest(given), tokenDigest);
      const user = userTokens?.verify(given) ?? null;
      if (isUiToken) return { role: 'admin', name: null, tokenId: null };
      return user ? { role: user.role, name: user.name, tokenId: user.id } : null;
    },
    setHosts(next) { hosts = next; },
    setToken(next) { tokenDigest = digest(next); },
  };
}

/** The least role a route needs: reads are for viewers, anything else (and any new route) for admins. */
export function neededRole(method: string, path: string): Role {
  if (path.startsWith('/api/rpc/')) {
    const ch = decodeURIComponent(path.slice('/api/rpc/'.length));
    return isRequestChannel(ch) ? CHANNEL_ROLE[ch] : 'admin';
  }
  if (path.startsWith('/api/tokens') || path.startsWith('/api/ui-token')) return 'admin';
  if (method === 'POST' && path === '/api/rules/preview') return 'viewer';
  return method === 'GET' || method === 'HEAD' ? 'viewer' : 'admin';
}
