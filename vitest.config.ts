import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

// The external conformance set runs only when it sits beside the repository (CI); otherwise
// test/conformance/announce.ts prints the one line saying it was skipped.
// Same place as test/conformance/where.ts: ../shared/fixtures/whatsapp beside the repository.
const external = existsSync(resolve(import.meta.dirname, '../shared/fixtures/whatsapp'));

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/bench/**', 'node_modules/**', ...(external ? [] : ['test/conformance/**'])],
    globalSetup: ['test/conformance/announce.ts'],
    testTimeout: 30_000,
    // expect.poll waits for a condition; its 1 s default is a timing assertion in disguise on a loaded
    // two-core machine (a page's first frame can take longer). Waits still end as soon as they hold.
    expect: { poll: { timeout: 8_000 } },
    hookTimeout: 60_000,
    pool: 'forks',
    // Two cores: keep heavy integration and e2e files from starving each other.
    maxWorkers: 2,
    fileParallelism: true,
  },
});
