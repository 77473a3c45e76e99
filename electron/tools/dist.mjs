#!/usr/bin/env node
// `npm run dist`: installers with electron-builder, WITHOUT ever touching the checkout's node_modules.
//
// electron-builder packages (and, with npmRebuild, rebuilds native modules in) the project it is pointed at.
// Pointed at the checkout it rebuilt node_modules/better-sqlite3 in place for Electron, so `npm test` and
// `npm run serve` broke afterwards — and for good when the run failed before a trailing `npm rebuild`.
// So it is pointed at a stage instead:
//   1. build (dist/renderer, dist-electron) in the checkout: plain JS output, no native code;
//   2. release/.stage/: the built app, a trimmed package.json, the run-time dependency tree (only what
//      the bundles leave external: better-sqlite3, @ngrok/ngrok) copied (not linked) from node_modules, and better-sqlite3's binary for Electron's ABI from the
//      ensure-electron cache (built there once, out of tree, its ABI checked) in its build/Release;
//   3. electron-builder --projectDir release/.stage with electron-builder.yml; the Electron zip comes from
//      node_modules/electron/dist when present, otherwise electron-builder downloads it;
//   4. print the size of every installer, app.asar and app.asar.unpacked (release/sizes.json too);
//   5. check the checkout's better-sqlite3 still loads in Node (it was never touched; this proves it).
//
// Usage: node electron/tools/dist.mjs [--skip-build] [--stage-only] [-- <extra electron-builder args>]
//   e.g. npm run dist -- -- --linux deb      (CSC_LINK / CSC_NAME set: a Developer ID signs the macOS app)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { buildNative, cleanBuildEnv, plan, readModuleAbi } from './ensure-electron.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const stage = path.join(root, 'release', '.stage');
const req = createRequire(path.join(root, 'package.json'));

function log(msg) { console.log(`dist: ${msg}`); }
function fail(msg) { console.error(`dist: ${msg}`); process.exit(1); }
function readJson(file) { return JSON.parse(fs.readFileSync(file, 'utf8')); }

/**
 * What the packaged app loads from node_modules at run time: the packages electron/tools/build.mjs leaves
 * out of the bundles (minus electron itself). Everything else — react, zod, re2js, zustand … — is already
 * inside dist-electron/*.cjs or dist/renderer, so shipping it again would only grow app.asar.
 */
export const RUNTIME_PACKAGES = ['better-sqlite3', '@ngrok/ngrok'];
/** Dependencies only used while installing (better-sqlite3 downloads its prebuilt binary with this). */
const INSTALL_ONLY = new Set(['prebuild-install']);

/**
 * The run-time dependency closure of the app, as top-level folders of node_modules to copy. A package's
 * own nested node_modules travels with its folder. Optional dependencies are taken when installed (the
 * @ngrok/<platform> binary package is one).
 */
export function productionPackages(projectRoot, roots = RUNTIME_PACKAGES) {
  const nm = path.join(projectRoot, 'node_modules');
  const top = new Set();
  const seen = new Set();
  const visit = (fromDir, name, optional) => {
    // Node's lookup: the nearest node_modules/<name> walking up from the requiring package.
    let dir = fromDir;
    let found = null;
    for (;;) {
      const candidate = path.join(dir, 'node_modules', name);
      if (fs.existsSync(path.join(candidate, 'package.json'))) { found = candidate; break; }
      if (path.resolve(dir) === path.resolve(projectRoot)) break;
      dir = path.dirname(dir);
    }
    if (!found) {
      if (optional) return;
      throw new Error(`dependency ${name} (needed by ${path.relative(projectRoot, fromDir) || 'the app'}) is not installed: run npm install`);
    }
    if (seen.has(found)) return;
    seen.add(found);
    const rel = path.relative(nm, found).split(path.sep);
    // node_modules/<name> or node_modules/@scope/<name>; anything deeper is inside a copied folder.
    const topName = rel[0].startsWith('@') ? `${rel[0]}/${rel[1]}` : rel[0];
    top.add(topName);
    const pkg = readJson(path.join(found, 'package.json'));
    for (const d of Object.keys(pkg.dependencies ?? {})) if (!INSTALL_ONLY.has(d)) visit(found, d, false);
    for (const d of Object.keys(pkg.optionalDependencies ?? {})) visit(found, d, true);
  };
  for (const d of roots) visit(projectRoot, d, false);
  return [...top].sort();
}

/** What electron-builder needs to know about the app, and nothing that could make it run our scripts. */
export function stagePackageJson(pkg, electronVersion) {
  const keep = ['name', 'productName', 'version', 'description', 'homepage', 'author', 'license', 'main', 'desktopName', 'type'];
  const out = {};
  for (const k of keep) if (pkg[k] !== undefined) out[k] = pkg[k];
  out.dependencies = Object.fromEntries(RUNTIME_PACKAGES.map((name) => [name, pkg.dependencies[name]]));
  // electron-builder reads Electron's version from here and wants it exact: the installed one.
  out.devDependencies = { electron: electronVersion };
  return out;
}

function run(cmd, args, opts = {}) {
  log(`$ ${[cmd, ...args].join(' ')}`);
  return spawnSync(cmd, args, { stdio: 'inherit', cwd: root, shell: process.platform === 'win32', ...opts }).status === 0;
}

function sizeOf(p) {
  const st = fs.lstatSync(p);
  if (!st.isDirectory()) return st.size;
  return fs.readdirSync(p).reduce((n, f) => n + sizeOf(path.join(p, f)), 0);
}
const mib = (n) => `${(n / 1024 / 1024).toFixed(1)} MiB`;

export function reportSizes(outDir) {
  const rows = [];
  if (!fs.existsSync(outDir)) return rows;
  for (const f of fs.readdirSync(outDir)) {
    const p = path.join(outDir, f);
    if (f.startsWith('.')) continue;
    if (/\.(AppImage|deb|dmg|exe|zip|rpm|snap)$/.test(f)) rows.push({ what: f, bytes: sizeOf(p) });
    if (fs.statSync(p).isDirectory() && /-unpacked$|^mac/.test(f)) {
      const resources = fs.existsSync(path.join(p, 'resources')) ? path.join(p, 'resources')
        : fs.readdirSync(p).filter((x) => x.endsWith('.app')).map((x) => path.join(p, x, 'Contents', 'Resources'))[0];
      if (resources && fs.existsSync(path.join(resources, 'app.asar'))) {
        rows.push({ what: `${f}/…/app.asar`, bytes: sizeOf(path.join(resources, 'app.asar')) });
        const unpacked = path.join(resources, 'app.asar.unpacked');
        if (fs.existsSync(unpacked)) rows.push({ what: `${f}/…/app.asar.unpacked`, bytes: sizeOf(unpacked) });
      }
    }
  }
  return rows;
}

function checkoutSqliteStillLoads() {
  const r = spawnSync(process.execPath, ['-e', "require('better-sqlite3')(':memory:').prepare('select 1').get()"], { cwd: root, encoding: 'utf8' });
  return { ok: r.status === 0, error: r.stderr.trim().split('\n').slice(-3).join(' ') };
}

function main(argv) {
  const dashdash = argv.indexOf('--');
  const own = dashdash >= 0 ? argv.slice(0, dashdash) : argv;
  const extra = dashdash >= 0 ? argv.slice(dashdash + 1) : [];

  if (!own.includes('--skip-build') && !run('npm', ['run', 'build', '--silent'])) fail('the build failed');

  // ---- the native module for Electron, from the ensure-electron cache (built out of tree if missing)
  const p = plan({ root });
  if (p.error) fail(p.error);
  const native = p.steps.find((s) => s.id === 'build-native');
  if (native) {
    log(native.why);
    if (!buildNative(native)) fail('no better-sqlite3 for Electron: see above (the build needs Electron\'s headers or a prebuilt binary, both from the internet)');
  }
  const abi = readModuleAbi(p.cacheFile);
  if (abi !== p.electronAbi) fail(`${p.cacheFile} is built for ABI ${abi}, not Electron's ${p.electronAbi}; delete it and run again`);

  // ---- the stage
  fs.rmSync(stage, { recursive: true, force: true });
  fs.mkdirSync(stage, { recursive: true });
  for (const dir of ['dist/renderer', 'dist-electron', 'build']) {
    fs.cpSync(path.join(root, dir), path.join(stage, dir), { recursive: true });
  }
  fs.writeFileSync(path.join(stage, 'package.json'), `${JSON.stringify(stagePackageJson(readJson(path.join(root, 'package.json')), p.electronVersion), null, 2)}\n`);
  const packages = productionPackages(root);
  const nmSrc = fs.realpathSync(path.join(root, 'node_modules'));
  for (const name of packages) {
    const from = path.join(nmSrc, name);
    const to = path.join(stage, 'node_modules', name);
    // Copies, never links: nothing electron-builder does in the stage can reach the checkout.
    fs.cpSync(from, to, {
      recursive: true,
      dereference: true,
      // better-sqlite3's own build/ is Node's binary (and 25 MB of objects): the Electron one goes there instead.
      filter: (src) => !(name === 'better-sqlite3' && (src === path.join(from, 'build') || src.startsWith(path.join(from, 'build') + path.sep))),
    });
  }
  const target = path.join(stage, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.copyFileSync(p.cacheFile, target);
  log(`staged ${packages.length} production packages and better-sqlite3 for Electron ${p.electronVersion} (ABI ${abi}) in ${path.relative(root, stage)}`);
  if (own.includes('--stage-only')) return 0;

  // ---- electron-builder on the stage
  const builderCli = req.resolve('electron-builder/cli.js');
  const args = [builderCli, '--projectDir', stage, '--config', path.join(root, 'electron-builder.yml'), '--publish', 'never',
    `-c.directories.output=${path.join(root, 'release')}`];
  // The Electron build we already have (after `npm start`) spares a download.
  const electronDist = path.join(root, 'node_modules', 'electron', 'dist');
  if (p.electronBinary && fs.existsSync(p.electronBinary) && !p.steps.some((s) => s.id === 'download-electron')) {
    args.push(`-c.electronDist=${electronDist}`);
  }
  // A Developer ID when the environment names one; otherwise the yml's ad-hoc identity.
  if (!process.env.CSC_LINK && !process.env.CSC_NAME) args.push('-c.mac.identity=-', '-c.mac.hardenedRuntime=false');
  args.push(...extra);
  const ok = run(process.execPath, args, { env: cleanBuildEnv(process.env) });

  const sizes = reportSizes(path.join(root, 'release'));
  for (const r of sizes) log(`${r.what.padEnd(60)} ${mib(r.bytes)}`);
  fs.mkdirSync(path.join(root, 'release'), { recursive: true });
  fs.writeFileSync(path.join(root, 'release', 'sizes.json'), `${JSON.stringify(sizes, null, 2)}\n`);

  const check = checkoutSqliteStillLoads();
  log(check.ok ? 'the checkout\'s better-sqlite3 still loads in Node (npm test / serve unaffected)' : `WARNING: the checkout's better-sqlite3 does not load in Node: ${check.error}`);
  if (!ok) fail('electron-builder failed (see above); the checkout is unchanged');
  return check.ok ? 0 : 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = main(process.argv.slice(2));
