// Bundles the Node side: the Electron main process and preload (CommonJS, as sandboxed preloads need)
// and the headless server used by `npm run serve`. Native and binary packages stay external.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';

const external = ['electron', 'better-sqlite3', '@ngrok/ngrok'];
const common = { bundle: true, platform: 'node', target: 'node20', sourcemap: false, logLevel: 'warning', external };

const jobs = [
  build({ ...common, entryPoints: ['electron/headless.ts'], outfile: 'dist-electron/headless.mjs', format: 'esm',
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" } }),
];
if (existsSync('electron/main/index.ts')) {
  jobs.push(build({ ...common, entryPoints: ['electron/main/index.ts'], outfile: 'dist-electron/main.cjs', format: 'cjs' }));
}
if (existsSync('electron/preload/index.ts')) {
  jobs.push(build({ ...common, entryPoints: ['electron/preload/index.ts'], outfile: 'dist-electron/preload.cjs', format: 'cjs', platform: 'browser', external: ['electron'] }));
}
await Promise.all(jobs);
