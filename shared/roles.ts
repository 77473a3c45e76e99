// Who may call what on a team server (docs/api.md "Team server: tokens and roles"). A viewer reads
// everything the UI shows and follows the live stream; an admin may also change things: settings, rules,
// replay, simulate, import, forget, re-verify, the tunnel and the tokens themselves. Typed over the
// contract, so a new channel does not compile until it is given a role.
import type { RequestChannel } from './ipc';
import type { Role } from './types';

export type { Identity, Role } from './types';
export const ROLES: readonly Role[] = ['viewer', 'admin'];

/** The least role that may call each request channel. */
export const CHANNEL_ROLE: { readonly [C in RequestChannel]: Role } = {
  'app:info': 'viewer', 'app:me': 'viewer',
  'events:list': 'viewer', 'events:get': 'viewer', 'messages:get': 'viewer', 'messages:list': 'viewer', 'messages:stats': 'viewer',
  'contacts:thread': 'viewer', 'stats:get': 'viewer', 'stats:extra': 'viewer', 'requests:curl': 'viewer',
  'rules:list': 'viewer', 'rules:preview': 'viewer', 'notifications:list': 'viewer', 'deliveries:list': 'viewer',
  'forwards:summary': 'viewer',
  'settings:get': 'viewer', 'doctor:get': 'viewer', 'tunnel:get': 'viewer', 'rejected:list': 'viewer', 'rejected:get': 'viewer',
  // An export is a read: the desktop asks where to save it on the user's own disk.
  'export:save': 'viewer',
  'views:list': 'viewer', 'businesses:list': 'viewer', 'health:list': 'viewer',
  // Everything below changes stored data, sends requests out, or reveals a secret.
  'rules:create': 'admin', 'rules:update': 'admin', 'rules:delete': 'admin', 'rules:test': 'admin',
  'settings:update': 'admin', 'settings:reveal-verify-token': 'admin', 'forwards:retry': 'admin', 'forwards:drop': 'admin',
  'replay:send': 'admin', 'replay:filtered': 'admin', 'simulate:send': 'admin', 'import:file': 'admin',
  'views:create': 'admin', 'views:update': 'admin', 'views:delete': 'admin', 'businesses:name': 'admin',
  'contacts:forget': 'admin', 'tunnel:start': 'admin', 'tunnel:stop': 'admin', 'rejected:reverify': 'admin',
  'health:update': 'admin',
};

export function roleAllows(role: Role, needed: Role): boolean {
  return role === 'admin' || needed === 'viewer';
}
