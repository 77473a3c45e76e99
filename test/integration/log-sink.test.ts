// Logging can never end the process (electron/core/log-sink.ts): `serve` with its stderr on a full disk
// (/dev/full answers every write with ENOSPC) or on a pipe nobody reads any more (EPIPE) keeps receiving,
// and a SIGTERM still stops it cleanly after the log line it could not write.
import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { built } from '../helpers/build';
import { HEADLESS } from '../helpers/serve';

const children: ChildProcess[] = [];
afterEach(() => { for (const c of children.splice(0)) if (c.exitCode == null) c.kill('SIGKILL'); });

async function serveWithStderr(stderr: number | 'pipe'): Promise<{ child: ChildProcess; receiverUrl: string; exit: Promise<number | null> }> {
  const dir = mkdtempSync(join(tmpdir(), 'hookscope-log-'));
  const child = spawn(process.execPath, [HEADLESS, '--data-dir', dir, '--port', '0', '--ui-port', '0'], {
    // HOOKSCOPE_DEBUG: every request writes log lines, so the broken stderr is written to all the time.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', HOOKSCOPE_DEBUG: '1', HOOKSCOPE_ACCEPT_UNSIGNED: 'meta,twilio' },
    stdio: ['ignore', 'pipe', stderr],
  });
  children.push(child);
  const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  let out = '';
  await new Promise<void>((res, rej) => {
    child.stdout!.on('data', (d) => { out += d; if (/^ui: /m.test(out)) res(); });
    child.on('exit', (code) => rej(new Error(`serve exited with ${code} before it started: ${out}`)));
  });
  return { child, receiverUrl: /^receiver: (\S+)$/m.exec(out)![1], exit };
}

const body = JSON.stringify({ object: 'whatsapp_business_account', entry: [] });

describe.skipIf(!existsSync('/dev/full') || !built('a log that cannot be written', HEADLESS))('a log that cannot be written', () => {
  it('stderr on a full disk: webhooks are still answered, SIGTERM still ends it with 0', async () => {
    const full = openSync('/dev/full', 'w');
    try {
      const s = await serveWithStderr(full);
      for (let i = 0; i < 20; i++) expect((await fetch(`${s.receiverUrl}/meta`, { method: 'POST', body })).status).toBe(200);
      s.child.kill('SIGTERM');
      expect(await s.exit).toBe(0);
    } finally {
      closeSync(full);
    }
  }, 60_000);

  it('stderr on a pipe nobody reads any more: the same', async () => {
    const s = await serveWithStderr('pipe');
    // The reader goes away: the next writes fail with EPIPE.
    s.child.stderr!.destroy();
    for (let i = 0; i < 20; i++) expect((await fetch(`${s.receiverUrl}/meta`, { method: 'POST', body })).status).toBe(200);
    s.child.kill('SIGTERM');
    expect(await s.exit).toBe(0);
  }, 60_000);
});
