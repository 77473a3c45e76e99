// Runs the BUILT desktop main bundle (dist-electron/main.cjs) in a child Node process with `electron`
// replaced by the recording fake (test/helpers/fake-electron-impl.mjs says what it records and how it is
// driven). Used by the team-server desktop test; test/integration/electron-boot.test.ts has its own copy.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = resolve(__dirname, '../..');
const MAIN = join(ROOT, 'dist-electron', 'main.cjs');
const FAKE = join(ROOT, 'test', 'helpers', 'fake-electron.mjs');

export interface Rec { type: string; [k: string]: unknown }

export interface DesktopBoot {
  child: ChildProcess;
  dir: string;
  userData: string;
  records(): Rec[];
  find(type: string, pred?: (r: Rec) => boolean): Rec | undefined;
  waitFor(type: string, pred?: (r: Rec) => boolean): Promise<Rec>;
  exited: Promise<number | null>;
  output(): string;
  /** The raw records file (every push and answer main produced). */
  recordsText(): string;
  invoke<T = unknown>(channel: string, args?: unknown): Promise<{ ok: boolean; value?: T; error?: { code: string; message: string } }>;
  send(msg: object): void;
  kill(): void;
}

export function bootDesktop(opts: { dir?: string; userData?: string; env?: Record<string, string> } = {}): DesktopBoot {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'hookscope-desk-'));
  const userData = opts.userData ?? join(dir, 'Hookscope');
  const log = join(dir, `records-${process.hrtime.bigint()}.jsonl`);
  const child = spawn(process.execPath, ['--import', pathToFileURL(FAKE).href, MAIN], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: dir, FAKE_ELECTRON_LOG: log, FAKE_ELECTRON_USER_DATA: userData, HOOKSCOPE_PORT: '0', HOOKSCOPE_ACCEPT_UNSIGNED: 'meta,twilio', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let out = '';
  child.stdout!.on('data', (d) => { out += d; });
  child.stderr!.on('data', (d) => { out += d; });
  let ended = false;
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => { ended = true; r(code); }));
  const recordsText = () => (existsSync(log) ? readFileSync(log, 'utf8') : '');
  const records = (): Rec[] => recordsText().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Rec);
  const find = (type: string, pred: (r: Rec) => boolean = () => true) => records().find((r) => r.type === type && pred(r));
  const waitFor = async (type: string, pred?: (r: Rec) => boolean) => {
    for (;;) {
      const hit = find(type, pred);
      if (hit) return hit;
      if (ended) throw new Error(`the app exited before "${type}":\n${out}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  let nextId = 1;
  return {
    child, dir, userData, records, find, waitFor, exited, recordsText, output: () => out,
    send: (msg) => child.send(msg),
    kill: () => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); },
    async invoke(channel, args) {
      const id = nextId++;
      child.send({ cmd: 'invoke', id, channel, args });
      const r = await waitFor('invoke-result', (x) => x.id === id);
      if (r.error) throw new Error(String(r.error));
      return r.value as never;
    },
  };
}
