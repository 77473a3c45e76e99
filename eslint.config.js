// Lint, with the tiers enforced by folder (docs/architecture.md, "Tiers"): shared imports nothing from Node, the DOM or
// Electron; core never imports electron; the renderer imports only shared.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const nodeBuiltins = ['node:*', 'fs', 'path', 'http', 'https', 'crypto', 'os', 'net', 'child_process', 'worker_threads', 'url', 'stream'];

export default tseslint.config(
  { ignores: ['dist/**', 'dist-electron/**', 'release/**', 'node_modules/**', '.stryker-tmp/**', '.stryker-tmp-core/**', 'reports/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-empty': ['error', { allowEmptyCatch: true }],
    },
  },
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: [...nodeBuiltins, 'electron', 'react', 'better-sqlite3', '../electron/*', '../renderer/*', '**/electron/**', '**/renderer/**'], message: 'shared/ has no Node, DOM or Electron: pure code only.' },
      ] }],
    },
  },
  {
    files: ['electron/core/**/*.ts', 'electron/serve/**/*.ts', 'electron/cli/**/*.ts', 'electron/headless.ts'],
    languageOptions: { globals: globals.node },
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['electron', '../main/*', '../preload/*', '**/renderer/**'], message: 'The core is plain Node: Electron only in electron/main and electron/preload.' },
      ] }],
    },
  },
  {
    // Inside the core, the store is below ingest: it is handed the event deriver (store/event-deriver.ts)
    // by the composition roots instead of importing ingest/ (docs/architecture.md, "Tiers"). Repeats the
    // core's patterns: a later block replaces the rule.
    files: ['electron/core/store/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['electron', '../main/*', '../preload/*', '**/renderer/**'], message: 'The core is plain Node: Electron only in electron/main and electron/preload.' },
        { group: ['**/ingest', '**/ingest/**'], message: 'store/ never imports ingest/: take what it needs as a dependency (the event deriver, store/event-deriver.ts).' },
      ] }],
    },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    languageOptions: { globals: globals.browser },
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: [...nodeBuiltins, 'electron', 'better-sqlite3', '**/electron/**'], message: 'The renderer talks to the core only through the bridge; import only shared/.' },
      ] }],
    },
  },
  {
    // Inside the renderer, imports point down too: features use state/ and ui/, never the reverse
    // (docs/architecture.md, "Tiers"). Repeats the renderer's patterns: a later block replaces the rule.
    files: ['renderer/state/**/*.ts', 'renderer/state/**/*.tsx', 'renderer/ui/**/*.ts', 'renderer/ui/**/*.tsx'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: [...nodeBuiltins, 'electron', 'better-sqlite3', '**/electron/**'], message: 'The renderer talks to the core only through the bridge; import only shared/.' },
        { group: ['**/features/**'], message: 'renderer/state and renderer/ui never import features: move the shared piece down to state/, ui/ or shared/.' },
      ] }],
    },
  },
  { files: ['test/**/*.ts', 'test/**/*.mjs', 'electron/tools/**', 'bin/**', '*.config.*'], languageOptions: { globals: globals.node } },
  // Browser-driving tests pass functions to page.evaluate: those bodies run in the page.
  { files: ['test/e2e/**', 'test/bench/**'], languageOptions: { globals: { ...globals.node, ...globals.browser } } },
);
