// The acknowledgement's fsync, off the receiver's thread (docs/architecture.md "One webhook, from socket to
// screen", step 4). better-sqlite3 is synchronous: with synchronous=FULL, every group commit's fsync of the
// WAL blocked the event loop while the disk answered (a fifth of the receiver's thread in a profile of the
// acknowledgement path). The writer now commits its request rows with synchronous=NORMAL — the frames are
// written to the WAL file, not yet flushed — and answers those requests only after `barrier()`: an
// fdatasync of the WAL file started after that commit, run on libuv's thread pool. The bytes on disk when a
// 200 goes out are the same as before; only the thread that waits for the disk changed.
//
// One flush serves every commit made before it started: callers arriving while one runs share the next.
// While this process's connection is open SQLite keeps the WAL file (it deletes it when the last connection
// closes), so one descriptor, opened at the first barrier, stays right; if the file is not there, its
// frames were checkpointed into the database file (a checkpoint under NORMAL flushes it), and that file is
// flushed instead.
import { closeSync, fdatasync, fdatasyncSync, open, openSync } from 'node:fs';

export interface WalSync {
  /** Resolves once every commit made before the call is on disk; rejects if the disk refused the flush. */
  barrier(): Promise<void>;
  /** The same, blocking (shutdown: the last commits before the process ends). */
  now(): void;
  /** Releases the descriptor (the store is closing). */
  close(): void;
}

/** The file operations used, replaceable in tests. */
export interface SyncFs {
  open(path: string, cb: (err: NodeJS.ErrnoException | null, fd: number) => void): void;
  datasync(fd: number, cb: (err: NodeJS.ErrnoException | null) => void): void;
  openSync(path: string): number;
  datasyncSync(fd: number): void;
  closeSync(fd: number): void;
}

const nodeFs: SyncFs = {
  open: (path, cb) => open(path, 'r+', cb),
  datasync: (fd, cb) => fdatasync(fd, cb),
  openSync: (path) => openSync(path, 'r+'),
  datasyncSync: (fd) => fdatasyncSync(fd),
  closeSync: (fd) => closeSync(fd),
};

export function createWalSync(dbFile: string, fs: SyncFs = nodeFs): WalSync {
  const wal = `${dbFile}-wal`;
  /** The WAL's descriptor, kept open once found. */
  let walFd: number | null = null;
  let running: Promise<void> | null = null;
  let queued: Promise<void> | null = null;
  let closed = false;

  const openAsync = (path: string) => new Promise<number>((resolve, reject) => fs.open(path, (err, fd) => (err ? reject(err) : resolve(fd))));
  const datasync = (fd: number) => new Promise<void>((resolve, reject) => fs.datasync(fd, (err) => (err ? reject(err) : resolve())));
  const quietClose = (fd: number) => { try { fs.closeSync(fd); } catch { /* already gone */ } };

  /** The WAL (kept open), or the database file for this flush alone when there is no WAL file. */
  async function target(): Promise<{ fd: number; keep: boolean }> {
    if (walFd != null) return { fd: walFd, keep: true };
    try {
      return { fd: await openAsync(wal), keep: true };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      return { fd: await openAsync(dbFile), keep: false };
    }
  }

  async function flushOnce(): Promise<void> {
    if (closed) throw new Error('the store is closed');
    const found = await target();
    const keep = found.keep;
    let fd = found.fd;
    if (closed) { quietClose(fd); throw new Error('the store is closed'); }
    // now() may have opened the WAL meanwhile (shutdown, a fallback): one descriptor is kept, not two.
    if (keep && walFd != null && walFd !== fd) { quietClose(fd); fd = walFd; }
    if (keep) walFd = fd;
    try {
      await datasync(fd);
    } catch (err) {
      // Opened afresh next time: a descriptor whose flush failed once is not trusted again.
      if (fd === walFd) { walFd = null; quietClose(fd); }
      throw err;
    } finally {
      if (!keep) quietClose(fd);
    }
  }

  function barrier(): Promise<void> {
    if (!running) {
      const p: Promise<void> = flushOnce().finally(() => { if (running === p) running = null; });
      running = p;
      return p;
    }
    // The flush on its way may have started before the caller's commit: the caller waits for the next one.
    queued ??= running.then(next, next);
    return queued;
  }
  function next(): Promise<void> {
    queued = null;
    return barrier();
  }

  return {
    barrier,
    now() {
      if (walFd != null) { fs.datasyncSync(walFd); return; }
      let fd: number;
      let keep = true;
      try {
        fd = fs.openSync(wal);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        fd = fs.openSync(dbFile);
        keep = false;
      }
      try { fs.datasyncSync(fd); } finally { if (keep && !closed) walFd = fd; else quietClose(fd); }
    },
    close() {
      closed = true;
      const fd = walFd;
      walFd = null;
      if (fd == null) return;
      // A flush on its way keeps its descriptor until it is done (a reused descriptor number would be flushed).
      if (running) void running.catch(() => {}).then(() => quietClose(fd));
      else quietClose(fd);
    },
  };
}
