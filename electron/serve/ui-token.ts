// The control API's token for `serve`: generated once and kept in the data dir, so the printed UI
// address (and a bookmark of it) keeps working across restarts. --ui-token / HOOKSCOPE_UI_TOKEN
// override it for one run without touching the file; rotating writes a fresh one (Settings → UI token).
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const UI_TOKEN_FILE = 'ui-token';

/** The same shape as before persistence: 24 random bytes, base64url (URL-safe, no padding). */
export function newUiToken(): string {
  return randomBytes(24).toString('base64url');
}

function write(dataDir: string, token: string) {
  const file = join(dataDir, UI_TOKEN_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  rmSync(tmp, { force: true });
  // Readable by the user only: whoever holds it can read every stored webhook.
  writeFileSync(tmp, `${token}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

/** The stored token, or a new one written to the data dir when there is none (or it is unusable). */
export function loadOrCreateUiToken(dataDir: string): string {
  const file = join(dataDir, UI_TOKEN_FILE);
  if (existsSync(file)) {
    const t = readFileSync(file, 'utf8').trim();
    // Only what newUiToken() makes (or a user's own URL-safe word): anything else is replaced.
    if (/^[A-Za-z0-9_-]{16,200}$/.test(t)) return t;
  }
  const t = newUiToken();
  write(dataDir, t);
  return t;
}

/** Replaces the stored token; the old one stops working at once. */
export function rotateUiToken(dataDir: string): string {
  const t = newUiToken();
  write(dataDir, t);
  return t;
}
