// Runs the real `serve` entry (dist-electron/headless.mjs, built by `npm test` before vitest) as a
// child process and waits for its two start-up lines.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SIGNED } from './fixtures';

export const HEADLESS = resolve(__dirname, '../../dist-electron/headless.mjs');

/** The control API with a bearer token: JSON in, `{ status, body }` out. */
export type ControlApi = <T = unknown>(path: string, init?: RequestInit) => Promise<{ status: number; body: T }>;

export function controlApi(uiBase: string, token: string): ControlApi {
  return async <T>(path: string, init: RequestInit = {}) => {
    const r = await fetch(uiBase + path, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(init.headers ?? {}) } });
    const text = await r.text();
    return { status: r.status, body: (text ? JSON.parse(text) : null) as T };
  };
}

export interface ServeProcess {
  child: ChildProcess;
  receiverUrl: string;
  uiUrl: string;
  uiBase: string;
  token: string;
  dataDir: string;
  stdout(): string;
  stderr(): string;
  api: ControlApi;
  exited(): Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function spawnServe(args: string[] = [], env: Record<string, string> = {}, dataDir?: string): { child: ChildProcess; dataDir: string; output: { out: string; err: string } } {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'hookscope-serve-'));
  const child = spawn(process.execPath, [HEADLESS, '--data-dir', dir, '--port', '0', '--ui-port', '0', ...args], {
    // HOOKSCOPE_ACCEPT_UNSIGNED: tests that post unsigned webhooks without caring about signatures keep
    // working although a provider without a secret is closed by default; a test of the real default
    // passes HOOKSCOPE_ACCEPT_UNSIGNED: '' (docs/api.md "Trust boundary").
    // HOOKSCOPE_DERIVE passes through, so a suite can run against the worker deriver (HOOKSCOPE_DERIVE=worker).
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', HOOKSCOPE_ACCEPT_UNSIGNED: 'meta,twilio',
      ...(process.env.HOOKSCOPE_DERIVE ? { HOOKSCOPE_DERIVE: process.env.HOOKSCOPE_DERIVE } : {}), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { out: '', err: '' };
  child.stdout!.on('data', (d) => { output.out += d; });
  child.stderr!.on('data', (d) => { output.err += d; });
  return { child, dataDir: dir, output };
}

export async function startServe(args: string[] = [], env: Record<string, string> = {}, dataDir?: string): Promise<ServeProcess> {
  const { child, dataDir: dir, output } = spawnServe(args, env, dataDir);
  const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  await new Promise<void>((res, rej) => {
    const t = setTimeout(() => rej(new Error(`serve did not start in time:\n${output.out}\n${output.err}`)), 20_000);
    const check = () => {
      if (/^ui: /m.test(output.out)) { clearTimeout(t); res(); }
    };
    child.stdout!.on('data', check);
    child.on('exit', (code) => { clearTimeout(t); rej(new Error(`serve exited with ${code}: ${output.err}`)); });
    check();
  });
  const receiverUrl = /^receiver: (\S+)$/m.exec(output.out)![1];
  const uiUrl = /^ui: (\S+)$/m.exec(output.out)![1];
  const u = new URL(uiUrl);
  const token = u.searchParams.get('token')!;
  const uiBase = `${u.protocol}//${u.host}`;
  return {
    child, receiverUrl, uiUrl, uiBase, token, dataDir: dir,
    stdout: () => output.out,
    stderr: () => output.err,
    api: controlApi(uiBase, token),
    exited: () => exit,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode != null) return child.exitCode;
      child.kill(signal);
      return exit;
    },
  };
}

/**
 * Eight senders post signed Meta status webhooks until `minAcked` have been answered 200, then the
 * process is SIGKILLed. Returns the message ids that were acknowledged: each must survive a restart.
 */
export async function burstThenKill(s: ServeProcess, sign: (body: string) => string, minAcked = 300): Promise<Set<string>> {
  const acked = new Set<string>();
  let stop = false;
  const sender = async (worker: number) => {
    for (let i = 0; !stop; i++) {
      const id = `wamid.K${worker}_${i}`;
      const body = JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: 'W', changes: [{ field: 'messages', value: {
        metadata: { phone_number_id: '1' }, statuses: [{ id, status: 'sent', timestamp: '1700000000', recipient_id: '5511900000000' }] } }] }] });
      try {
        const r = await fetch(`${s.receiverUrl}/meta`, { method: 'POST', body, headers: { 'x-hub-signature-256': sign(body) } });
        if (r.status === 200) acked.add(id);
      } catch {
        return; // the process is gone
      }
    }
  };
  const workers = Array.from({ length: 8 }, (_, w) => sender(w));
  while (acked.size < minAcked) await new Promise((r) => setTimeout(r, 5));
  s.child.kill('SIGKILL');
  stop = true;
  await Promise.all(workers);
  await s.exited();
  return acked;
}

/** POSTs a Meta webhook signed with the corpus secret (SIGNED.secret unless given) to a serve's /meta; expects 200. */
export async function postSignedMeta(s: Pick<ServeProcess, 'receiverUrl'>, body: string, secret: string = SIGNED.secret): Promise<void> {
  const res = await fetch(`${s.receiverUrl}/meta`, {
    method: 'POST', body,
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}` },
  });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`POST /meta answered ${res.status}, not 200`);
}
