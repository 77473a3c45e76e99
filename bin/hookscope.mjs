#!/usr/bin/env node
// The `hookscope` command (README "From the terminal"): runs the bundle `npm run build` makes from
// electron/cli/, with plain Node — no Electron needed.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const bundle = fileURLToPath(new URL('../dist-electron/cli.mjs', import.meta.url));
if (!existsSync(bundle)) {
  process.stderr.write('hookscope: not built yet: run npm run build first\n');
  process.exit(64);
}
await import(pathToFileURL(bundle).href);
