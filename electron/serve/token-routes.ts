// /api/tokens (docs/api.md, section 10 "Team server"): list, create and revoke per-user tokens. Admin only;
// the role check runs before this (serve/control-auth.ts).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { appError } from '../../shared/errors';
import type { Logger } from '../core/types';
import { readJson, sendError, sendJson } from './http-io';
import { TokenError, type UserTokenStore } from './user-tokens';
import type { LiveStreams } from './live-stream';

export async function handleTokenRoutes(
  d: { store: UserTokenStore | undefined; logger: Logger; streams: LiveStreams },
  req: IncomingMessage, res: ServerResponse, url: URL, method: string,
): Promise<void> {
  const { store } = d;
  if (!store) return sendError(res, appError('NOT_FOUND', 'This server has no per-user tokens.'));
  const id = url.pathname.split('/')[3];
  if (method === 'GET' && !id) return sendJson(res, 200, { items: store.list() });
  if (method === 'POST' && !id) {
    const body = (await readJson(req, 64 * 1024)) as { name?: unknown; role?: unknown } | undefined;
    if (typeof body?.name !== 'string' || (body.role !== 'viewer' && body.role !== 'admin')) {
      return sendError(res, appError('VALIDATION', 'Give { "name": "…", "role": "viewer" | "admin" }.'));
    }
    try {
      const made = store.add(body.name, body.role);
      d.logger.info('token created', { name: made.name, role: made.role });
      return sendJson(res, 201, made);
    } catch (err) {
      if (err instanceof TokenError) return sendError(res, appError('VALIDATION', err.message));
      throw err;
    }
  }
  if (method === 'DELETE' && id) {
    const gone = store.revoke(decodeURIComponent(id));
    if (!gone) return sendError(res, appError('NOT_FOUND', 'No such token.'));
    d.logger.info('token revoked', { name: gone.name });
    d.streams.endOwnedBy(gone.id);
    return sendJson(res, 200, { revoked: gone });
  }
  return sendError(res, appError('METHOD_NOT_ALLOWED'));
}
