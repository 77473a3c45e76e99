#!/usr/bin/env node
// Run by `npm start` before building. Makes the two things Electron needs that `npm install` deliberately
// does not do here (package.json allowScripts: electron=false):
//   (a) Electron's own binary: node_modules/electron/install.js downloads it (needs internet).
//   (b) better-sqlite3 compiled for Electron's ABI, WITHOUT touching node_modules/better-sqlite3/build,
//       which stays built for Node (npm test, npm run serve). The package is copied to a temp dir, built
//       there (prebuild-install, falling back to node-gyp with Electron's headers), and the .node file is
//       stored in node_modules/.cache/hookscope/. Main passes that path to better-sqlite3 as `nativeBinding`
//       (electron/main/native.ts). Two binaries side by side, so no rebuild ever flips the other one.
//       The build runs with npm's own settings removed from the environment (npm_config_nodedir, _target,
//       _runtime … would silently make node-gyp build for Node instead), and the result is only cached after
//       its ABI (the node_register_module_v<N> symbol) is Electron's: a wrong binary is never kept.
//   (c) Linux: Chromium's sandbox. Where unprivileged user namespaces are restricted (Ubuntu 23.10+) and
//       chrome-sandbox is not setuid root, Electron aborts at launch; this prints the exact fix instead.
//
// Usage: node electron/tools/ensure-electron.mjs [--dry-run] [--json] [--root DIR] [--native-only]
//   --dry-run  print the plan, change nothing     --json  print the plan as JSON     --root  project root
//   --native-only  skip the Linux sandbox check (npm run dist needs only the native module)
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

/**
 * The ABI a native module was built for, from the `node_register_module_v<N>` symbol every non-N-API addon
 * exports (better-sqlite3 is one); null when none is found. Read from the bytes, so it works for any
 * platform's binary without loading it.
 */
export function readModuleAbi(file) {
  let buf;
  try { buf = fs.readFileSync(file); } catch { return null; }
  const m = /node_register_module_v(\d+)/.exec(buf.toString('latin1'));
  return m ? Number(m[1]) : null;
}

/** Electron's NODE_MODULE_VERSION: the electron package ships it; node-abi knows it otherwise. */
export function electronAbi(electronDir, electronVersion, req) {
  try {
    const n = Number(fs.readFileSync(path.join(electronDir, 'abi_version'), 'utf8').trim());
    if (Number.isInteger(n) && n > 0) return n;
  } catch { /* older packages: ask node-abi */ }
  try { return Number(req('node-abi').getAbi(electronVersion, 'electron')); } catch { return null; }
}

/**
 * The environment for the native build: ours minus npm's configuration. `npm start` exports every npm
 * setting as npm_config_*; node-gyp and prebuild-install read npm_config_nodedir / _target / _runtime /
 * _disturl ahead of their command line, which produced a Node-ABI binary under the Electron name.
 */
export function cleanBuildEnv(env = process.env) {
  const out = {};
  for (const [k, v] of Object.entries(env)) {
    if (/^npm_config_/i.test(k) || /^npm_package_/i.test(k) || k === 'npm_lifecycle_event' || k === 'npm_lifecycle_script') continue;
    out[k] = v;
  }
  return out;
}

/**
 * Linux only: why Electron would abort with "The SUID sandbox helper binary was found, but is not configured
 * correctly", and the exact commands that fix it; null when the sandbox will start. Chromium needs either
 * unprivileged user namespaces or chrome-sandbox owned by root with mode 4755; Ubuntu 23.10+ restricts the
 * former through AppArmor, and npm cannot install the latter.
 */
export function sandboxProblem({ platform = process.platform, electronDir, stat = fs.statSync, readFile = (f) => fs.readFileSync(f, 'utf8') }) {
  if (platform !== 'linux') return null;
  const helper = path.join(electronDir, 'dist', 'chrome-sandbox');
  let st;
  try { st = stat(helper); } catch { return null; }
  if (st.uid === 0 && (st.mode & 0o7777) === 0o4755) return null;
  const read = (f) => { try { return String(readFile(f)).trim(); } catch { return null; } };
  const restricted = read('/proc/sys/kernel/apparmor_restrict_unprivileged_userns') === '1' ||
    read('/proc/sys/kernel/unprivileged_userns_clone') === '0' ||
    read('/proc/sys/user/max_user_namespaces') === '0';
  if (!restricted) return null;
  return {
    helper,
    message: [
      'ensure-electron: Electron would abort here: this system restricts unprivileged user namespaces (Ubuntu 23.10 and',
      `  later do) and ${helper} is not owned by root with mode 4755. Fix it once (again after each npm install):`,
      '',
      `    sudo chown root:root ${helper} && sudo chmod 4755 ${helper}`,
      '',
      '  (see README, "Install the desktop app" → Linux).',
    ].join('\n'),
  };
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
  const abi = electronAbi(electronDir, electronVersion, req);
  const cachedAbi = fs.existsSync(cacheFile) ? readModuleAbi(cacheFile) : null;
  const cacheValid = cachedAbi !== null && cachedAbi === abi;

  const steps = [];
  if (!binary.present) {
    steps.push({
      id: 'download-electron',
      why: `Electron ${electronVersion}'s binary is not in node_modules/electron/dist (npm install skips its download)`,
      command: [process.execPath, path.join(electronDir, 'install.js')],
      cwd: electronDir,
    });
  }
  if (!cacheValid) {
    steps.push({
      id: 'build-native',
      why: fs.existsSync(cacheFile)
        ? `the cached better-sqlite3 binary is for ABI ${cachedAbi ?? 'unknown'}, not Electron ${electronVersion}'s ${abi}: building it again`
        : `no better-sqlite3 ${betterSqliteVersion} binary for Electron ${electronVersion} (${platform}-${arch}) in the cache`,
      abi,
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
  return { root, electronVersion, electronAbi: abi, betterSqliteVersion, platform, arch, electronDir, electronBinary: binary.path, cacheFile, steps };
}

function run(argv, cwd) {
  console.log(`ensure-electron: $ ${argv.map((a) => (a.includes(' ') ? JSON.stringify(a) : a)).join(' ')}  (in ${cwd})`);
  const r = spawnSync(argv[0], argv.slice(1), { cwd, stdio: 'inherit', env: cleanBuildEnv(process.env) });
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
      if (run(attempt, step.workDir) && fs.existsSync(step.output)) {
        const got = readModuleAbi(step.output);
        if (got === step.abi) { built = true; break; }
        console.log(`ensure-electron: that produced a binary for ABI ${got ?? 'unknown'}, not Electron's ${step.abi}; not using it`);
        fs.rmSync(step.output, { force: true });
        continue;
      }
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
  const lines = [`ensure-electron: Electron ${p.electronVersion} (ABI ${p.electronAbi ?? 'unknown'}), better-sqlite3 ${p.betterSqliteVersion}, ${p.platform}-${p.arch}`];
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
  if (args.includes('--native-only')) return 0;
  const sandbox = sandboxProblem({ electronDir: p.electronDir });
  if (sandbox) { console.error(sandbox.message); return 1; }
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
