// The tests StrykerJS runs against each mutant of the core's trust decisions (`npm run mutate:core`,
// stryker.core.config.mjs): the unit tests of the gate, the receiver's decision and the rejected log, and
// the integration tests that start the core in-process (test/helpers/core.ts: receiver on port 0, a temp
// data dir, a real SQLite file) and send it real HTTP. Nothing here spawns `serve` or a browser: a child
// process would run dist/, not the mutant.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'test/unit/gate.test.ts', 'test/unit/gate-limits.test.ts', 'test/unit/rejected-log.test.ts', 'test/unit/gate-disk-full.test.ts', 'test/unit/gate-edges.test.ts',
      'test/unit/decide.test.ts', 'test/unit/handle.test.ts',
      'test/integration/receiver.test.ts', 'test/integration/reverify.test.ts',
      // In-process tests that reach the receiver's decision: hostile requests, the handshake, the first
      // webhook, the simulator's origin, failing signatures.
      'test/integration/hostile-input.test.ts', 'test/integration/setup-doctor.test.ts', 'test/integration/first-webhook.test.ts',
      'test/integration/simulate.test.ts', 'test/integration/signature-burst.test.ts',
    ],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 1,
  },
});
