// `npm run openapi`: writes docs/openapi.json, the control API's description generated from the route table
// and the contract's zod schemas (electron/serve/openapi.ts). A test fails when the committed file is stale.
import { build } from 'esbuild';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const dir = mkdtempSync(join(tmpdir(), 'hookscope-openapi-'));
try {
  const out = join(dir, 'openapi.mjs');
  await build({ entryPoints: ['electron/serve/openapi.ts'], outfile: out, bundle: true, platform: 'node', format: 'esm', logLevel: 'warning' });
  const { openApiDocument } = await import(pathToFileURL(out).href);
  writeFileSync('docs/openapi.json', `${JSON.stringify(openApiDocument(undefined, JSON.parse(readFileSync('package.json', 'utf8')).version), null, 2)}\n`);
  console.log('wrote docs/openapi.json');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
