// The browser UI's files for `npm run serve` (docs/api.md): GET/HEAD only, never outside the UI's folder,
// client-side routes fall back to index.html, and every page carries a strict CSP.
import type { ServerResponse } from 'node:http';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import { appError } from '../../shared/errors';
import { sendError } from './http-io';

const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";
const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.json': 'application/json', '.woff2': 'font/woff2',
};

/** Serves `pathname` from `staticDir`; null (the desktop app: its UI is its own window) answers 404. */
export function serveStatic(staticDir: string | null, res: ServerResponse, pathname: string) {
  if (staticDir == null) return sendError(res, appError('NOT_FOUND'));
  const rel = pathname === '/' ? 'index.html' : pathname.slice(1);
  const file = normalize(join(staticDir, rel));
  if (!file.startsWith(staticDir + sep) && file !== staticDir) return sendError(res, appError('NOT_FOUND'));
  let target = file;
  if (!existsSync(target) || !statSync(target).isFile()) {
    // Client-side routes fall back to the app; missing assets are 404.
    if (extname(rel)) return sendError(res, appError('NOT_FOUND'));
    target = join(staticDir, 'index.html');
    if (!existsSync(target)) {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
      return res.end('The UI is not built: run `npm run build`.\n');
    }
  }
  res.writeHead(200, {
    'content-type': MIME[extname(target)] ?? 'application/octet-stream',
    'content-security-policy': CSP,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cache-control': target.endsWith('index.html') ? 'no-store' : 'public, max-age=3600',
  });
  createReadStream(target).pipe(res);
}
