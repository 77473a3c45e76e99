// vitest globalSetup: when the external conformance set is not beside the repository, say so once.
// (vitest.config.ts leaves test/conformance out of the run in that case.)
import { existsSync } from 'node:fs';
import { EXTERNAL_SET } from './where';

export default function announce(): void {
  if (!existsSync(EXTERNAL_SET)) {
    console.log(`conformance: skipped — the external payload set (${EXTERNAL_SET}) is not beside this checkout; the repository's own corpus (test/fixtures) ran.`);
  }
}
