// Where a running `serve` can be reached, for the `hookscope` command (README "From the terminal"): a small
// file in the data dir, written once the control API listens and removed when it stops. It holds no
// secret — the token stays in `ui-token` — but says which local port serves the data, so it is 0600 too.
import { chmodSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const DISCOVERY_FILE = 'serve.json';

export interface Discovery {
  /** The control API's base address, e.g. http://127.0.0.1:4751 */
  url: string;
  pid: number;
}

export function writeDiscovery(dataDir: string, d: Discovery): void {
  const file = join(dataDir, DISCOVERY_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  rmSync(tmp, { force: true });
  writeFileSync(tmp, `${JSON.stringify(d)}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

/** The file's contents, or null when it is absent or not ours. */
export function readDiscovery(dataDir: string): Discovery | null {
  try {
    const d = JSON.parse(readFileSync(join(dataDir, DISCOVERY_FILE), 'utf8')) as Partial<Discovery>;
    return typeof d.url === 'string' && /^https?:\/\//.test(d.url) && typeof d.pid === 'number' ? { url: d.url, pid: d.pid } : null;
  } catch {
    return null;
  }
}

/** Removes the file when it still names this process (another serve may have started since). */
export function removeDiscovery(dataDir: string, pid = process.pid): void {
  if (readDiscovery(dataDir)?.pid === pid) rmSync(join(dataDir, DISCOVERY_FILE), { force: true });
}
