// `npm run mutate:core`: mutation testing of the core's trust decisions (docs/mutation.md) — the gate's
// limits (electron/core/ingest/gate.ts), the receiver's accept/reject decision (electron/core/ingest/decide.ts:
// the verdict, the handshake, what the headers alone doom, the rejected log's row), what the receiver does
// with it (electron/core/ingest/handle.ts: the 200 after the commit, the refusal's rate limit) and the rejected log
// (electron/core/store/rejected-log.ts). Its tests (test/mutation/vitest.core.config.ts)
// run the core in-process on port 0 with temp data dirs, so the mutated code is what they hit; per-test
// coverage runs only the tests that reach each mutant. Scope one file with `--mutate`.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'test/mutation/vitest.core.config.ts' },
  plugins: ['@stryker-mutator/vitest-runner'],
  mutate: [
    'electron/core/ingest/gate.ts',
    'electron/core/ingest/decide.ts',
    'electron/core/ingest/handle.ts',
    'electron/core/store/rejected-log.ts',
  ],
  coverageAnalysis: 'perTest',
  ignoreStatic: true,
  concurrency: 2,
  timeoutMS: 30_000,
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: 'reports/mutation/mutation-core.json' },
  // Its own temp dir: a `npm run mutate` running at the same time cleans up only its own.
  tempDirName: '.stryker-tmp-core',
  cleanTempDir: 'always',
};
