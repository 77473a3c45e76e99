// How a failed desktop start is explained: the cause, the fix, the buttons — and that moving a damaged
// database aside never deletes anything. The whole flow runs in test/integration/electron-boot.test.ts.
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HookscopeError } from '../../shared/errors';
import { classifyBootError, moveDatabaseAside } from '../../electron/main/boot-failure';

const ctx = { dataDir: '/home/ana/.config/Hookscope', port: 4750, host: '127.0.0.1', isPackaged: false };

describe('classifyBootError', () => {
  it('a native module built for another runtime: names it and says how to rebuild (dev) or reinstall (packaged)', () => {
    // Node's own wording when Electron loads a Node-ABI better-sqlite3.
    const err = new Error("The module '/p/node_modules/better-sqlite3/build/Release/better_sqlite3.node'\nwas compiled against a different Node.js version using\nNODE_MODULE_VERSION 115. This version of Node.js requires\nNODE_MODULE_VERSION 145.");
    const dev = classifyBootError(err, ctx);
    expect(dev.kind).toBe('native-abi');
    expect(dev.fix).toMatch(/npm start/);
    expect(dev.actions.map((a) => a.action)).toEqual(['quit']);
    expect(classifyBootError(err, { ...ctx, isPackaged: true }).fix).toMatch(/reinstall/);
  });

  it('SQLite\'s "not a database" and "malformed" both mean a damaged database, with move-aside first', () => {
    for (const e of [Object.assign(new Error('file is not a database'), { code: 'SQLITE_NOTADB' }), new Error('database disk image is malformed')]) {
      const f = classifyBootError(e, ctx);
      expect(f.kind).toBe('db-corrupt');
      expect(f.actions[0].action).toBe('move-db-aside');
      expect(f.actions.at(-1)!.action).toBe('quit');
    }
  });

  it('the core\'s own codes map to their causes', () => {
    expect(classifyBootError(new HookscopeError('DB_TOO_NEW'), ctx).kind).toBe('db-too-new');
    expect(classifyBootError(new HookscopeError('DATA_DIR_NOT_WRITABLE'), ctx).kind).toBe('data-dir');
    const port = classifyBootError(new HookscopeError('PORT_IN_USE'), ctx);
    expect(port.kind).toBe('port-in-use');
    expect(port.cause).toContain('Port 4750 on 127.0.0.1');
    const other = classifyBootError(new TypeError('x is not a function'), ctx);
    expect(other.kind).toBe('unknown');
    expect(other.technical).toBe('x is not a function');
  });

  it('a newer database offers the releases page only when the build names one', () => {
    const actions = (releasesUrl: string | null) => classifyBootError(new HookscopeError('DB_TOO_NEW'), { ...ctx, releasesUrl }).actions.map((a) => a.action);
    expect(actions('https://example.org/hookscope/releases')).toEqual(['get-update', 'choose-data-dir', 'quit']);
    expect(actions(null)).toEqual(['choose-data-dir', 'quit']);
  });
});

describe('moveDatabaseAside', () => {
  it('renames the database with its -wal and -shm, deletes nothing, and never overwrites an earlier copy', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookscope-aside-'));
    const now = new Date('2026-01-02T03:04:05.678Z');
    for (const round of [1, 2]) {
      fs.writeFileSync(path.join(dir, 'hookscope.db'), `db ${round}`);
      fs.writeFileSync(path.join(dir, 'hookscope.db-wal'), `wal ${round}`);
      fs.writeFileSync(path.join(dir, 'hookscope.db-shm'), `shm ${round}`);
      const moved = moveDatabaseAside(dir, now);
      expect(fs.readFileSync(moved, 'utf8')).toBe(`db ${round}`);
      expect(fs.readFileSync(`${moved}-wal`, 'utf8')).toBe(`wal ${round}`);
      expect(fs.readFileSync(`${moved}-shm`, 'utf8')).toBe(`shm ${round}`);
    }
    const names = fs.readdirSync(dir).sort();
    expect(names.filter((n) => n.startsWith('hookscope.db.damaged-2026-01-02T03-04-05-678Z'))).toHaveLength(6);
    expect(names).not.toContain('hookscope.db');
  });

  it('moves the request log\'s own file (requests.db) aside with it, under the same name ending', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookscope-aside-'));
    const now = new Date('2026-01-02T03:04:05.678Z');
    fs.writeFileSync(path.join(dir, 'hookscope.db'), 'db');
    fs.writeFileSync(path.join(dir, 'requests.db'), 'log');
    fs.writeFileSync(path.join(dir, 'requests.db-wal'), 'log wal');
    const moved = moveDatabaseAside(dir, now);
    const ending = moved.slice(moved.indexOf('.damaged-'));
    expect(fs.readFileSync(path.join(dir, `requests.db${ending}`), 'utf8')).toBe('log');
    expect(fs.readFileSync(path.join(dir, `requests.db${ending}-wal`), 'utf8')).toBe('log wal');
    expect(fs.readdirSync(dir).filter((n) => n === 'requests.db' || n === 'requests.db-wal' || n === 'hookscope.db')).toEqual([]);
  });
});
