// Bundles the Node side: the Electron main process and preload (CommonJS, as sandboxed preloads need)
// and the headless server used by `npm run serve`. Native and binary packages stay external.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';

// pg-native and pg-cloudflare: optional back ends of `pg` (the team store's client) that Hookscope never loads.
const external = ['electron', 'better-sqlite3', '@ngrok/ngrok', 'pg-native', 'pg-cloudflare'];
const common = { bundle: true, platform: 'node', target: 'node20', sourcemap: false, logLevel: 'warning', external };

// CommonJS bundles locate files with __dirname; code that reads import.meta.url there never runs it.
const cjs = { format: 'cjs', define: { 'import.meta.url': 'undefined' } };
const esmBanner = { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" };
const jobs = [
  build({ ...common, entryPoints: ['electron/headless.ts'], outfile: 'dist-electron/headless.mjs', format: 'esm', banner: esmBanner }),
  // The UI's read worker (electron/core/store/reads.ts), next to each bundle that starts it: ES module for
  // serve, CommonJS for Electron main.
  build({ ...common, entryPoints: ['electron/core/read-worker.ts'], outfile: 'dist-electron/read-worker.mjs', format: 'esm', banner: esmBanner }),
  build({ ...common, entryPoints: ['electron/core/read-worker.ts'], outfile: 'dist-electron/read-worker.cjs', ...cjs }),
  // The derive worker (electron/core/ingest/worker-deriver.ts, HOOKSCOPE_DERIVE=worker), likewise.
  build({ ...common, entryPoints: ['electron/core/ingest/derive-worker.ts'], outfile: 'dist-electron/derive-worker.mjs', format: 'esm', banner: esmBanner }),
  build({ ...common, entryPoints: ['electron/core/ingest/derive-worker.ts'], outfile: 'dist-electron/derive-worker.cjs', ...cjs }),
  // The `hookscope` command (bin/hookscope.mjs runs it): plain Node, no Electron.
  build({ ...common, entryPoints: ['electron/cli/main.ts'], outfile: 'dist-electron/cli.mjs', format: 'esm', banner: esmBanner }),
];
if (existsSync('electron/main/index.ts')) {
  jobs.push(build({ ...common, entryPoints: ['electron/main/index.ts'], outfile: 'dist-electron/main.cjs', ...cjs }));
}
if (existsSync('electron/preload/index.ts')) {
  jobs.push(build({ ...common, entryPoints: ['electron/preload/index.ts'], outfile: 'dist-electron/preload.cjs', format: 'cjs', platform: 'browser', external: ['electron'] }));
}
await Promise.all(jobs);
