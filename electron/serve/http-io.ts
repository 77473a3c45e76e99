// The control API's JSON answers and bounded JSON bodies (docs/api.md: every error is `{ error }` with
// the status of its code, shared/errors.ts).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { httpStatusFor, type AppError } from '../../shared/errors';

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };

export function sendJson(res: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, JSON_HEADERS);
  res.end(text);
}

/**
 * A body already serialised as JSON (UTF-8 bytes, e.g. a page from the read worker: core/store/reads.ts
 * RawJson), written as it is, with sendJson's headers: the same bytes sendJson would send for its value.
 */
export function sendJsonBytes(res: ServerResponse, status: number, bytes: Uint8Array) {
  res.writeHead(status, JSON_HEADERS);
  res.end(bytes);
}

export function sendError(res: ServerResponse, err: AppError) {
  sendJson(res, httpStatusFor(err.code), { error: err });
}

/** The body as JSON, refused past `limit` bytes (PAYLOAD_TOO_LARGE) or when it does not parse (INVALID_JSON). */
export async function readJson(req: IncomingMessage, limit = 8 * 1024 * 1024): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > limit) throw Object.assign(new Error('too large'), { code: 'PAYLOAD_TOO_LARGE' });
    chunks.push(c as Buffer);
  }
  if (size === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (err) {
    throw Object.assign(new Error(`The body is not valid JSON: ${(err as Error).message}`), { code: 'INVALID_JSON' });
  }
}
