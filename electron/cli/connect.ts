// How the `hookscope` command reaches a running Hookscope (README "From the terminal"): --url and --token,
// else HOOKSCOPE_URL / HOOKSCOPE_TOKEN, else the data folder (serve.json for the address, ui-token for the
// token), which the desktop app (electron/main/control-server.ts) and `serve` both write. defaultDataDir()
// is the desktop app's userData folder (productName "Hookscope"), so no flag is needed for either. It speaks only the control API (docs/api.md), so a team server works the same.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultDataDir } from '../serve/flags';
import { readDiscovery } from '../serve/discovery';
import { UI_TOKEN_FILE } from '../serve/ui-token';

/** Exit codes (README "From the terminal"). */
export const EXIT = { ok: 0, notFound: 1, auth: 2, unreachable: 3, usage: 64 } as const;

/** A failure the command reports as one line on stderr, with its exit code. */
export class CliError extends Error {
  constructor(public readonly exitCode: number, message: string) { super(message); }
}

export interface Connection {
  url: string;
  token: string;
  api(path: string, init?: RequestInit): Promise<Response>;
  json<T>(path: string, init?: RequestInit): Promise<T>;
}

export function connect(flags: { url?: string; token?: string; dataDir?: string }, env: NodeJS.ProcessEnv = process.env): Connection {
  const dataDir = flags.dataDir ?? (env.HOOKSCOPE_DATA_DIR || defaultDataDir(env));
  const found = readDiscovery(dataDir);
  const url = (flags.url ?? (env.HOOKSCOPE_URL || found?.url || 'http://127.0.0.1:4751')).replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]/.test(url)) throw new CliError(EXIT.usage, `--url must be an http:// or https:// address, not "${url}"`);
  let token = flags.token ?? (env.HOOKSCOPE_TOKEN || env.HOOKSCOPE_UI_TOKEN || '');
  const tokenFile = join(dataDir, UI_TOKEN_FILE);
  if (!token && existsSync(tokenFile)) {
    try { token = readFileSync(tokenFile, 'utf8').trim(); } catch {}
  }
  if (!token) throw new CliError(EXIT.auth, `no token: give --token or HOOKSCOPE_TOKEN (none found in ${tokenFile})`);

  async function api(path: string, init: RequestInit = {}): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(url + path, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.body != null ? { 'content-type': 'application/json' } : {}), ...(init.headers ?? {}) } });
    } catch (err) {
      if ((err as Error).name === 'AbortError') throw err;
      throw new CliError(EXIT.unreachable, `no running Hookscope at ${url} (open the Hookscope app or run npm run serve, or give --url)`);
    }
    if (res.ok) return res;
    const text = await res.text().catch(() => '');
    let error: { code?: string; message?: string } = {};
    try { error = (JSON.parse(text) as { error?: typeof error }).error ?? {}; } catch {}
    if (res.status === 401) throw new CliError(EXIT.auth, `the token was refused by ${url} (check --token or HOOKSCOPE_TOKEN)`);
    if (error.code === 'FORBIDDEN_ROLE') throw new CliError(EXIT.auth, oneLine(error.message ?? 'this token may not do that'));
    if (error.code === 'FORBIDDEN_HOST') throw new CliError(EXIT.auth, `${url} refused this address as Host; use the address it prints (--url)`);
    if (error.code === 'NOT_FOUND') throw new CliError(EXIT.notFound, oneLine(error.message ?? `not found: ${path}`));
    throw new CliError(EXIT.notFound, oneLine(error.message ? `${error.code ?? res.status}: ${error.message}` : `${res.status} from ${path}`));
  }

  return {
    url, token, api,
    async json<T>(path: string, init?: RequestInit) { return (await (await api(path, init)).json()) as T; },
  };
}

/** Server words on one terminal line. */
export function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** One frame of the live stream. */
export interface LiveFrame { event: string; data: unknown }

/**
 * Follows GET /api/live until `signal` aborts or the server ends it. Resolves once the stream is open
 * (the server's `: connected` comment), so a caller can read history after it without a gap.
 */
export async function openLive(conn: Connection, signal: AbortSignal, onFrame: (f: LiveFrame) => void): Promise<{ ended: Promise<void> }> {
  const res = await conn.api('/api/live', { signal, headers: { accept: 'text/event-stream' } });
  if (!res.body) throw new CliError(EXIT.unreachable, `${conn.url} sent no live stream`);
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  let opened: () => void = () => {};
  const open = new Promise<void>((r) => { opened = r; });
  const ended = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buf += decoder.decode(value, { stream: true });
        let cut: number;
        while ((cut = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, cut);
          buf = buf.slice(cut + 2);
          let event = 'message';
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) { if (line.includes('connected')) opened(); continue; }
            if (line.startsWith('event:')) event = line.slice(6).trim();
            else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
          }
          if (data.length) {
            try { onFrame({ event, data: JSON.parse(data.join('\n')) }); } catch {}
          }
        }
      }
    } catch (err) {
      if (signal.aborted) return;
      throw err;
    } finally {
      opened();
    }
  })();
  await open;
  return { ended };
}
