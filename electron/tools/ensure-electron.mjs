#!/usr/bin/env node
// Run by `npm start` before building. Makes the two things Electron needs that `npm install` deliberately
// does not do here (package.json allowScripts: electron=false):
//   (a) Electron's own binary: node_modules/electron/install.js downloads it (needs internet).
//   (b) better-sqlite3 compiled for Electron's ABI, WITHOUT touching node_modules/better-sqlite3/build,
//       which stays built for Node (npm test, npm run serve). The package is copied to a temp dir, built
//       there (prebuild-install, falling back to node-gyp with Electron's headers), and the .node file is
//       stored in node_modules/.cache/hookscope/. Main passes that path to better-sqlite3 as `nativeBinding`
//       (electron/main/native.ts). Two binaries side by side, so no rebuild ever flips the other one.
//
// Usage: node electron/tools/ensure-electron.mjs [--dry-run] [--json] [--root DIR]
//   --dry-run  print the plan, change nothing     --json  print the plan as JSON     --root  project root
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const ELECTRON_HEADERS = 'https://electronjs.org/headers';

/** Same formula as nativeBindingFileName() in electron/main/native.ts (test/unit/electron-native.test.ts checks). */
export function nativeBindingFileName(electronVersion, betterSqliteVersion, platform, arch) {
  return `better_sqlite3-electron-${electronVersion}-bs${betterSqliteVersion}-${platform}-${arch}.node`;
}

function readJson(file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/** Mirrors node_modules/electron/index.js + install.js: path.txt names the executable inside dist/. */
function electronBinary(electronDir, version) {
  if (process.env.ELECTRON_OVERRIDE_DIST_PATH) return { present: true, path: process.env.ELECTRON_OVERRIDE_DIST_PATH };
  try {
    const rel = fs.readFileSync(path.join(electronDir, 'path.txt'), 'utf8').trim();
    const distVersion = fs.readFileSync(path.join(electronDir, 'dist', 'version'), 'utf8').trim().replace(/^v/, '');
    const exe = path.join(electronDir, 'dist', rel);
    return { present: distVersion === version && fs.existsSync(exe), path: exe };
  } catch {
    return { present: false, path: null };
  }
}

/** Works out what has to happen; pure apart from reading the file system. */
export function plan({ root, platform = process.platform, arch = process.arch, tmpDir = os.tmpdir() }) {
  const nm = path.join(root, 'node_modules');
  const electronDir = path.join(nm, 'electron');
  const bsDir = path.join(nm, 'better-sqlite3');
  if (!fs.existsSync(path.join(electronDir, 'package.json')) || !fs.existsSync(path.join(bsDir, 'package.json'))) {
    return { error: 'node_modules/electron or node_modules/better-sqlite3 is missing: run `npm install` first.' };
  }
  const electronVersion = readJson(path.join(electronDir, 'package.json')).version;
  const betterSqliteVersion = readJson(path.join(bsDir, 'package.json')).version;
  const binary = electronBinary(electronDir, electronVersion);
  const cacheFile = path.join(nm, '.cache', 'hookscope', nativeBindingFileName(electronVersion, betterSqliteVersion, platform, arch));
  const req = createRequire(path.join(root, 'package.json'));
  const resolveBin = (spec) => { try { return req.resolve(spec); } catch { return null; } };
  const workDir = path.join(tmpDir, `hookscope-bsqlite-${electronVersion}-${process.pid}`, 'better-sqlite3');

  const steps = [];
  if (!binary.present) {
    steps.push({
      id: 'download-electron',
      why: `Electron ${electronVersion}'s binary is not in node_modules/electron/dist (npm install skips its download)`,
      command: [process.execPath, path.join(electronDir, 'install.js')],
      cwd: electronDir,
    });
  }
  if (!fs.existsSync(cacheFile)) {
    steps.push({
      id: 'build-native',
      why: `no better-sqlite3 ${betterSqliteVersion} binary for Electron ${electronVersion} (${platform}-${arch}) in the cache`,
      copyFrom: bsDir,
      workDir,
      attempts: [
        [process.execPath, resolveBin('prebuild-install/bin.js') ?? 'prebuild-install', '--runtime', 'electron',
          '--target', electronVersion, '--arch', arch, '--platform', platform, '--verbose'],
        [process.execPath, resolveBin('node-gyp/bin/node-gyp.js') ?? 'node-gyp', 'rebuild', '--release',
          `--target=${electronVersion}`, `--arch=${arch}`, `--dist-url=${ELECTRON_HEADERS}`],
      ],
      output: path.join(workDir, 'build', 'Release', 'better_sqlite3.node'),
      cacheFile,
    });
  }
  return { root, electronVersion, betterSqliteVersion, platform, arch, electronBinary: binary.path, cacheFile, steps };
}

function run(argv, cwd) {
  console.log(`ensure-electron: $ ${argv.map((a) => (a.includes(' ') ? JSON.stringify(a) : a)).join(' ')}  (in ${cwd})`);
  const r = spawnSync(argv[0], argv.slice(1), { cwd, stdio: 'inherit', env: process.env });
  return r.status === 0;
}

function downloadElectron(step) {
  if (run(step.command, step.cwd)) return true;
  console.error([
    '',
    'ensure-electron: could not download the Electron binary.',
    '  It comes from github.com (or $ELECTRON_MIRROR); check the internet connection or proxy, then run `npm start` again.',
    '  To use an Electron you already have, set ELECTRON_OVERRIDE_DIST_PATH to its folder.',
  ].join('\n'));
  return false;
}

export function buildNative(step) {
  const tmpRoot = path.dirname(step.workDir);
  fs.rmSync(tmpRoot, { recursive: true, force: true });
  try {
    // Copy without build/: that folder is Node's binary and must stay exactly as it is.
    const skip = path.join(step.copyFrom, 'build');
    fs.cpSync(step.copyFrom, step.workDir, {
      recursive: true,
      filter: (src) => src !== skip && !src.startsWith(skip + path.sep),
    });
    let built = false;
    for (const attempt of step.attempts) {
      if (run(attempt, step.workDir) && fs.existsSync(step.output)) { built = true; break; }
      console.log('ensure-electron: that did not produce a binary; trying the next way');
    }
    if (!built) {
      console.error([
        '',
        'ensure-electron: could not get better-sqlite3 for Electron.',
        '  A prebuilt binary is downloaded from github.com; building from source needs Python 3 and a C++',
        '  toolchain (build-essential / Xcode command line tools / Visual Studio Build Tools) and Electron\'s',
        `  headers from ${ELECTRON_HEADERS}. Fix that and run \`npm start\` again.`,
      ].join('\n'));
      return false;
    }
    fs.mkdirSync(path.dirname(step.cacheFile), { recursive: true });
    // Copy then rename, so an interrupted run never leaves a half-written binary under the final name.
    const partial = `${step.cacheFile}.${process.pid}.partial`;
    fs.copyFileSync(step.output, partial);
    fs.renameSync(partial, step.cacheFile);
    console.log(`ensure-electron: better-sqlite3 for Electron is at ${path.relative(process.cwd(), step.cacheFile)}`);
    return true;
  } finally {
    fs.rmSync(tmpRoot, { recursive: true, force: true });
  }
}

function describe(p) {
  if (p.error) return p.error;
  const lines = [`ensure-electron: Electron ${p.electronVersion}, better-sqlite3 ${p.betterSqliteVersion}, ${p.platform}-${p.arch}`];
  if (p.steps.length === 0) lines.push('  nothing to do: Electron binary and Electron-ABI better-sqlite3 are in place');
  for (const s of p.steps) {
    lines.push(`  - ${s.id}: ${s.why}`);
    if (s.command) lines.push(`      run: ${s.command.join(' ')}`);
    if (s.attempts) {
      lines.push(`      copy ${s.copyFrom} (without build/) to ${s.workDir}`);
      s.attempts.forEach((a, i) => lines.push(`      ${i === 0 ? 'try' : 'else'}: ${a.join(' ')}`));
      lines.push(`      then copy build/Release/better_sqlite3.node to ${s.cacheFile}`);
    }
  }
  return lines.join('\n');
}

function main(args) {
  const rootIdx = args.indexOf('--root');
  const root = path.resolve(rootIdx >= 0 ? args[rootIdx + 1] : path.join(here, '..', '..'));
  const p = plan({ root });
  if (args.includes('--dry-run')) {
    console.log(args.includes('--json') ? JSON.stringify(p, null, 2) : describe(p));
    return p.error ? 1 : 0;
  }
  if (p.error) { console.error(`ensure-electron: ${p.error}`); return 1; }
  if (p.steps.length) console.log(describe(p));
  for (const step of p.steps) {
    const ok = step.id === 'download-electron' ? downloadElectron(step) : buildNative(step);
    if (!ok) return 1;
  }
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
