// What the desktop app says when it cannot start. Before this existed a throw during boot only reached
// Electron's unhandled-rejection log: no window, no dialog, and a process that kept the single-instance
// lock, so every later launch quit silently. Now every failure is classified into a cause the user can
// act on, shown in a dialog with the fix as buttons, and the process exits 1 unless a fix was chosen.
//
// Plain Node apart from the types: the classification and the "move the database aside" step are unit
// tested without Electron (test/unit/electron-boot-failure.test.ts); the boot test runs the real dialog
// flow in the built bundle (test/integration/electron-boot.test.ts).
import fs from 'node:fs';
import path from 'node:path';
import { HookscopeError } from '../../shared/errors';

/** The database file inside the data dir (electron/core/store/store.ts opens exactly this name). */
export const DB_FILE = 'hookscope.db';
/**
 * The request log's own file beside it in a data dir created since it has one (electron/core/store/log-file.ts,
 * docs/architecture.md "Two files"): either file may be the damaged one, and a fresh hookscope.db next to
 * a damaged log would fail the same way, so both move aside together.
 */
export const LOG_DB_FILE = 'requests.db';
/** SQLite keeps these beside the database; they belong to it and move with it. */
const DB_COMPANIONS = ['-wal', '-shm', '-journal'];

export type BootFailureKind = 'db-corrupt' | 'db-too-new' | 'data-dir' | 'native-abi' | 'port-in-use' | 'unknown';

/** A button of the failure dialog; `quit` is always the last one and the Escape answer. */
export type BootAction = 'move-db-aside' | 'choose-data-dir' | 'get-update' | 'open-data-dir' | 'retry' | 'quit';

export interface BootFailure {
  kind: BootFailureKind;
  /** One sentence: what went wrong. The dialog's headline. */
  cause: string;
  /** What the user can do about it, in words (the buttons are the short form). */
  fix: string;
  /** The technical message, for the details and the log. */
  technical: string;
  actions: { action: BootAction; label: string }[];
}

export interface BootContext {
  dataDir: string;
  port: number;
  host: string;
  /** A packaged app is fixed by reinstalling; a checkout by `npm start` (which builds the native module). */
  isPackaged: boolean;
  /** Where newer versions are published (package.json `homepage` + /releases); null: nowhere known, no button. */
  releasesUrl?: string | null;
}

const QUIT = { action: 'quit', label: 'Quit' } as const;

/** Turns whatever boot threw into a cause, a fix and the buttons that apply it. */
export function classifyBootError(err: unknown, ctx: BootContext): BootFailure {
  const technical = err instanceof Error ? err.message : String(err);
  const code = err instanceof HookscopeError ? err.code : (err as { code?: unknown } | null)?.code;
  const dbFile = path.join(ctx.dataDir, DB_FILE);

  if (code === 'DB_TOO_NEW') {
    return {
      kind: 'db-too-new',
      cause: 'The database was written by a newer version of Hookscope.',
      fix: `Update Hookscope to the latest version to open it. Your data in ${dbFile} is left exactly as it is. ` +
        'Or choose another data folder to start this version with an empty one.',
      technical,
      actions: [
        ...(ctx.releasesUrl ? [{ action: 'get-update' as const, label: 'Get the latest version' }] : []),
        { action: 'choose-data-dir', label: 'Choose another data folder…' }, QUIT,
      ],
    };
  }
  if (isCorruptDatabase(err)) {
    return {
      kind: 'db-corrupt',
      cause: 'The Hookscope database is damaged and cannot be opened.',
      fix: `"Move it aside" renames ${dbFile} and ${LOG_DB_FILE} beside it (and their -wal/-shm files) to names ending in .damaged-<date> in the same ` +
        'folder and starts with an empty database; nothing is deleted, so it can still be repaired with the sqlite3 ' +
        'tool (.recover). Or choose another data folder, or quit and restore a backup.',
      technical,
      actions: [{ action: 'move-db-aside', label: 'Move it aside and start fresh' }, { action: 'choose-data-dir', label: 'Choose another data folder…' }, QUIT],
    };
  }
  if (code === 'DATA_DIR_NOT_WRITABLE') {
    return {
      kind: 'data-dir',
      cause: `Hookscope cannot write to its data folder ${ctx.dataDir}.`,
      fix: 'Make the folder writable by your user (or free some disk space), or choose another data folder. ' +
        'To use another folder every time, start Hookscope with HOOKSCOPE_DATA_DIR set to it.',
      technical,
      actions: [{ action: 'choose-data-dir', label: 'Choose another data folder…' }, { action: 'retry', label: 'Try again' }, QUIT],
    };
  }
  if (isNativeModuleMismatch(technical)) {
    return {
      kind: 'native-abi',
      cause: 'The database engine (better-sqlite3) was built for a different runtime than this Electron.',
      fix: ctx.isPackaged
        ? 'This installation is damaged: download Hookscope again and reinstall it.'
        : 'Quit and run `npm start` from the project folder: it builds better-sqlite3 for Electron and checks the result. ' +
          'If it keeps happening, delete node_modules/.cache/hookscope and run `npm start` again.',
      technical,
      actions: [QUIT],
    };
  }
  if (code === 'PORT_IN_USE' || code === 'EADDRINUSE') {
    return {
      kind: 'port-in-use',
      cause: `Port ${ctx.port} on ${ctx.host} is already in use, so webhooks cannot be received.`,
      fix: 'Another program is listening there — often `npm run serve` or another Hookscope. Stop it and try again, ' +
        'or start Hookscope with HOOKSCOPE_PORT set to a free port (and point the tunnel at it).',
      technical,
      actions: [{ action: 'retry', label: 'Try again' }, QUIT],
    };
  }
  return {
    kind: 'unknown',
    cause: 'Hookscope could not start.',
    fix: `Your data in ${ctx.dataDir} is untouched. Try again; if it keeps failing, run Hookscope from a terminal ` +
      'to see the log and report the message below.',
    technical,
    actions: [{ action: 'retry', label: 'Try again' }, { action: 'open-data-dir', label: 'Open the data folder' }, QUIT],
  };
}

/** SQLite's own words for a file that is not (or no longer) a database. */
export function isCorruptDatabase(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT_VTAB') return true;
  const msg = err instanceof Error ? err.message : String(err);
  return /file is not a database|database disk image is malformed|file is encrypted or is not a database/i.test(msg);
}

/** Node's words for a .node file built for another ABI, or one missing altogether. */
export function isNativeModuleMismatch(message: string): boolean {
  return /NODE_MODULE_VERSION|was compiled against a different Node\.js version|Could not locate the bindings file|invalid ELF header|not a valid Win32 application|wrong ELF class|mach-o, but wrong architecture/i.test(message);
}

/**
 * Renames the database and its companions to `<name>.damaged-<stamp>` in the same folder. Never deletes:
 * the damaged file may still be recoverable. Returns the new path of the database file.
 */
export function moveDatabaseAside(dataDir: string, now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  const base = path.join(dataDir, DB_FILE);
  const log = path.join(dataDir, LOG_DB_FILE);
  let suffix = `.damaged-${stamp}`;
  // Two failures within the same millisecond (a retry loop) must not overwrite the first copy.
  for (let n = 2; fs.existsSync(base + suffix) || fs.existsSync(log + suffix); n++) suffix = `.damaged-${stamp}-${n}`;
  for (const file of [base, log]) {
    // Companions first: a -wal left behind next to a fresh database would be replayed into it.
    for (const c of DB_COMPANIONS) {
      if (fs.existsSync(file + c)) fs.renameSync(file + c, file + suffix + c);
    }
    if (fs.existsSync(file)) fs.renameSync(file, file + suffix);
  }
  return base + suffix;
}
