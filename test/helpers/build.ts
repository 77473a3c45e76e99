// Suites that run the built bundles (dist/, dist-electron/; `npm test` builds before it runs vitest)
// skip when a bundle is missing — and say so in one line naming the file, never silently.
import { existsSync } from 'node:fs';
import { relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');

/** The line a suite prints when it skips for want of a build. */
export function buildSkipLine(suite: string, file: string): string {
  return `${suite}: skipped — ${relative(ROOT, file)} is not built; run \`npm run build\` first (npm test builds before the tests).`;
}

/** True when `file` is built; otherwise prints why `suite` is skipped and returns false. */
export function built(suite: string, file: string, log: (line: string) => void = console.log): boolean {
  if (existsSync(file)) return true;
  log(buildSkipLine(suite, file));
  return false;
}
