// The tests StrykerJS runs against each mutant (`npm run mutate`): the fast unit tests that cover
// shared/ (normalisers, signature maths, form decoding, rules, error codes). No build, no browser, and
// nothing that measures wall-clock time (a loaded machine would fail the initial run).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'test/unit/normalise-meta.test.ts', 'test/unit/normalise-twilio.test.ts',
      'test/unit/signature.test.ts', 'test/unit/rules.test.ts', 'test/unit/error-codes.test.ts',
      'test/unit/form-decoding.test.ts', 'test/unit/normalise-common.test.ts',
      'test/unit/signature-grammar.test.ts', 'test/unit/public-url.test.ts', 'test/unit/rules-behaviour.test.ts',
      'test/unit/privacy.test.ts', 'test/unit/privacy-redaction.test.ts',
      'test/unit/signature-url-edges.test.ts', 'test/unit/public-url-edges.test.ts', 'test/unit/rules-edges.test.ts', 'test/unit/privacy-edges.test.ts',
    ],
    // Instrumented code on a busy machine: the boundary sweeps need more than vitest's default 5 s.
    testTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 1,
  },
});
