// Which better-sqlite3 binary Electron loads, and the plan ensure-electron.mjs makes to produce it.
// The real download/build needs internet (github.com, electronjs.org/headers) and cannot run here; these
// tests prove the path logic and that the plan never touches node_modules/better-sqlite3/build.
import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NATIVE_CACHE_DIR, nativeBindingFileName, resolveNativeBinding } from '../../electron/main/native';

const script = path.resolve('electron/tools/ensure-electron.mjs');
const base = { appPath: '/proj', electronVersion: '41.7.1', betterSqliteVersion: '12.11.1', platform: 'linux', arch: 'x64' };
const expected = path.join('/proj', NATIVE_CACHE_DIR, 'better_sqlite3-electron-41.7.1-bs12.11.1-linux-x64.node');

describe('resolveNativeBinding', () => {
  it('uses the cached Electron-ABI binary in development when it exists', () => {
    expect(resolveNativeBinding({ ...base, isPackaged: false, exists: (f) => f === expected })).toBe(expected);
  });
  it('falls back to better-sqlite3\'s own lookup when the cache file is missing', () => {
    expect(resolveNativeBinding({ ...base, isPackaged: false, exists: () => false })).toBeUndefined();
  });
  it('uses the default in a packaged app (electron-builder rebuilt the module)', () => {
    expect(resolveNativeBinding({ ...base, isPackaged: true, exists: () => true })).toBeUndefined();
  });
  it('uses the default when better-sqlite3\'s version is unknown', () => {
    expect(resolveNativeBinding({ ...base, betterSqliteVersion: null, isPackaged: false, exists: () => true })).toBeUndefined();
  });
  it('names the file by Electron version, better-sqlite3 version, platform and arch', () => {
    expect(nativeBindingFileName('41.7.1', '12.11.1', 'darwin', 'arm64')).toBe('better_sqlite3-electron-41.7.1-bs12.11.1-darwin-arm64.node');
  });
});

describe('ensure-electron.mjs --dry-run', () => {
  const roots: string[] = [];
  afterEach(() => { for (const r of roots.splice(0)) fs.rmSync(r, { recursive: true, force: true }); });

  function fakeProject(opts: { binary: boolean; cache: boolean; cacheAbi?: number }) {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hookscope-ensure-'));
    roots.push(root);
    const nm = path.join(root, 'node_modules');
    const write = (rel: string, text: string) => {
      fs.mkdirSync(path.dirname(path.join(nm, rel)), { recursive: true });
      fs.writeFileSync(path.join(nm, rel), text);
    };
    write('electron/package.json', JSON.stringify({ version: '41.7.1' }));
    write('electron/abi_version', '145');
    write('better-sqlite3/package.json', JSON.stringify({ version: '12.11.1' }));
    write('better-sqlite3/build/Release/better_sqlite3.node', 'node-abi');
    if (opts.binary) {
      write('electron/path.txt', 'electron');
      write('electron/dist/version', 'v41.7.1');
      write('electron/dist/electron', '');
    }
    // The cached binary's ABI is read from the symbol every addon exports; a few bytes around it stand in.
    if (opts.cache) write(path.join('.cache', 'hookscope', nativeBindingFileName('41.7.1', '12.11.1', process.platform, process.arch)), `\x7fELF..node_register_module_v${opts.cacheAbi ?? 145}\0..`);
    return root;
  }
  const dryRun = (root: string) =>
    JSON.parse(execFileSync(process.execPath, [script, '--dry-run', '--json', '--root', root], { encoding: 'utf8' }));

  it('plans the download and an out-of-tree build when both are missing', () => {
    const root = fakeProject({ binary: false, cache: false });
    const p = dryRun(root);
    expect(p.steps.map((s: { id: string }) => s.id)).toEqual(['download-electron', 'build-native']);
    expect(p.steps[0].command[1]).toBe(path.join(root, 'node_modules', 'electron', 'install.js'));
    const build = p.steps[1];
    // The same path main will look for: the two copies of the file-name formula agree.
    expect(build.cacheFile).toBe(resolveNativeBinding({
      isPackaged: false, appPath: root, electronVersion: '41.7.1', betterSqliteVersion: '12.11.1',
      platform: process.platform, arch: process.arch, exists: () => true,
    }));
    // Built in a temp copy: Node's binary in node_modules/better-sqlite3/build is never the target.
    expect(build.workDir.startsWith(path.join(root, 'node_modules'))).toBe(false);
    expect(build.attempts[0]).toEqual(expect.arrayContaining(['--runtime', 'electron', '--target', '41.7.1', '--arch', process.arch]));
    expect(build.attempts[1]).toEqual(expect.arrayContaining(['rebuild', '--target=41.7.1', '--dist-url=https://electronjs.org/headers']));
  });

  it('plans nothing when the binary and the cached module are in place', () => {
    const p = dryRun(fakeProject({ binary: true, cache: true }));
    expect(p.steps).toEqual([]);
  });

  it('re-downloads when dist/ holds a different Electron version', () => {
    const root = fakeProject({ binary: true, cache: true });
    fs.writeFileSync(path.join(root, 'node_modules', 'electron', 'dist', 'version'), 'v40.0.0');
    expect(dryRun(root).steps.map((s: { id: string }) => s.id)).toEqual(['download-electron']);
  });

  it('rebuilds a cached binary that was built for Node\'s ABI instead of Electron\'s, saying so', () => {
    const p = dryRun(fakeProject({ binary: true, cache: true, cacheAbi: 115 }));
    expect(p.steps.map((s: { id: string }) => s.id)).toEqual(['build-native']);
    expect(p.steps[0].why).toMatch(/ABI 115, not Electron 41\.7\.1's 145/);
    expect(p.steps[0].abi).toBe(145);
  });

  it('prints the plan for people, too', () => {
    const out = execFileSync(process.execPath, [script, '--dry-run', '--root', fakeProject({ binary: false, cache: false })], { encoding: 'utf8' });
    expect(out).toContain('download-electron');
    expect(out).toContain('prebuild-install');
  });
});

describe('ensure-electron.mjs helpers', () => {
  it('reads a real addon\'s ABI: the checkout\'s better-sqlite3 is built for this Node', async () => {
    const { readModuleAbi } = await import('../../electron/tools/ensure-electron.mjs');
    const file = path.resolve('node_modules/better-sqlite3/build/Release/better_sqlite3.node');
    expect(readModuleAbi(file)).toBe(Number(process.versions.modules));
  });

  it('builds without npm\'s settings, which would make node-gyp target Node instead of Electron', async () => {
    const { cleanBuildEnv } = await import('../../electron/tools/ensure-electron.mjs');
    const env = cleanBuildEnv({ PATH: '/bin', HOME: '/h', npm_config_nodedir: '/usr/include/node', npm_config_target: '20.0.0', NPM_CONFIG_RUNTIME: 'node', npm_package_name: 'hookscope', ELECTRON_MIRROR: 'https://m/' });
    expect(env).toEqual({ PATH: '/bin', HOME: '/h', ELECTRON_MIRROR: 'https://m/' });
  });

  it('on Linux, names the exact chrome-sandbox fix when user namespaces are restricted and the helper is not setuid root', async () => {
    const { sandboxProblem } = await import('../../electron/tools/ensure-electron.mjs');
    const procs = (restricted: boolean) => (f: string) => {
      if (f.endsWith('apparmor_restrict_unprivileged_userns')) return restricted ? '1\n' : '0\n';
      throw new Error('ENOENT');
    };
    const notSetuid = () => ({ uid: 1000, mode: 0o100755 });
    const setuidRoot = () => ({ uid: 0, mode: 0o104755 });
    const problem = sandboxProblem({ platform: 'linux', electronDir: '/p/node_modules/electron', stat: notSetuid, readFile: procs(true) });
    expect(problem?.message).toContain('sudo chown root:root /p/node_modules/electron/dist/chrome-sandbox && sudo chmod 4755 /p/node_modules/electron/dist/chrome-sandbox');
    expect(sandboxProblem({ platform: 'linux', electronDir: '/p/node_modules/electron', stat: setuidRoot, readFile: procs(true) })).toBeNull();
    expect(sandboxProblem({ platform: 'linux', electronDir: '/p/node_modules/electron', stat: notSetuid, readFile: procs(false) })).toBeNull();
    expect(sandboxProblem({ platform: 'darwin', electronDir: '/p/node_modules/electron', stat: notSetuid, readFile: procs(true) })).toBeNull();
  });
});
