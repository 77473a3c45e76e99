// The acknowledgement's flush off the receiver's thread: one fdatasync serves every commit made before it
// started, a commit made while one runs waits for the next, and a WAL that is not there falls back to the
// database file.
import { describe, expect, it } from 'vitest';
import { createWalSync, type SyncFs } from '../../electron/core/store/wal-sync';

function fakeFs(files: string[]) {
  const log: string[] = [];
  const held: (() => void)[] = [];
  let nextFd = 10;
  const byFd = new Map<number, string>();
  const fs: SyncFs = {
    open(path, cb) {
      if (!files.includes(path)) return setImmediate(() => cb(Object.assign(new Error('ENOENT'), { code: 'ENOENT' }), -1));
      const fd = nextFd++;
      byFd.set(fd, path);
      log.push(`open ${path}`);
      setImmediate(() => cb(null, fd));
    },
    datasync(fd, cb) { log.push(`sync ${byFd.get(fd)}`); held.push(() => cb(null)); },
    openSync(path) { if (!files.includes(path)) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' }); const fd = nextFd++; byFd.set(fd, path); return fd; },
    datasyncSync(fd) { log.push(`syncNow ${byFd.get(fd)}`); },
    closeSync(fd) { log.push(`close ${byFd.get(fd)}`); },
  };
  return { fs, log, held };
}

const until = async (f: () => boolean) => { await expect.poll(f).toBe(true); };

describe('wal-sync', () => {
  it('shares one flush among callers that arrive while none runs, and gives later callers the next one', async () => {
    const { fs, log, held } = fakeFs(['/d/h.db', '/d/h.db-wal']);
    const s = createWalSync('/d/h.db', fs);
    const done: string[] = [];
    const a = s.barrier().then(() => done.push('a'));
    await until(() => held.length === 1);
    // b and c committed while the first flush runs: it may have started before their commits.
    const b = s.barrier().then(() => done.push('b'));
    const c = s.barrier().then(() => done.push('c'));
    held[0]();
    await a;
    expect(done).toEqual(['a']);
    await until(() => held.length === 2);
    held[1]();
    await Promise.all([b, c]);
    expect(done).toEqual(['a', 'b', 'c']);
    // Two flushes of the WAL, opened once and kept.
    expect(log).toEqual(['open /d/h.db-wal', 'sync /d/h.db-wal', 'sync /d/h.db-wal']);
    s.close();
    expect(log.at(-1)).toBe('close /d/h.db-wal');
  });

  it('flushes the database file when there is no WAL file, and looks for the WAL again next time', async () => {
    const files = ['/d/h.db'];
    const { fs, log, held } = fakeFs(files);
    const s = createWalSync('/d/h.db', fs);
    const a = s.barrier();
    await until(() => held.length === 1);
    held[0]();
    await a;
    files.push('/d/h.db-wal');
    const b = s.barrier();
    await until(() => held.length === 2);
    held[1]();
    await b;
    expect(log).toEqual(['open /d/h.db', 'sync /d/h.db', 'close /d/h.db', 'open /d/h.db-wal', 'sync /d/h.db-wal']);
  });

  it('flushes in place when asked to (shutdown)', () => {
    const { fs, log } = fakeFs(['/d/h.db', '/d/h.db-wal']);
    const s = createWalSync('/d/h.db', fs);
    s.now();
    s.now();
    expect(log).toEqual(['syncNow /d/h.db-wal', 'syncNow /d/h.db-wal']);
  });
});
