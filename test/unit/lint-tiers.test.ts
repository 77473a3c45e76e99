// `npm run lint` enforces the renderer's direction: state/ and ui/ never import features/
// (docs/architecture.md, "Tiers"), while features may import both; and in the core, store/ never imports
// ingest/ (the event deriver is handed to it).
import { ESLint } from 'eslint';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: resolve(__dirname, '../..') });
const restricted = async (file: string, code: string): Promise<string[]> => {
  const [result] = await eslint.lintText(code, { filePath: resolve(__dirname, '../..', file) });
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
};

describe('renderer tiers', () => {
  it('state/ and ui/ importing a feature fail lint', async () => {
    expect(await restricted('renderer/state/slices/lint-probe.ts', "import { x } from '../../features/setup/setup-steps';\nexport const y = x;\n"))
      .toEqual([expect.stringMatching(/never import features/)]);
    expect(await restricted('renderer/ui/lint-probe.tsx', "import { useMask } from '../features/privacy/privacy';\nexport const y = useMask;\n"))
      .toEqual([expect.stringMatching(/never import features/)]);
  });

  it('features importing state and ui pass; the renderer still may not import the core', async () => {
    expect(await restricted('renderer/features/feed/lint-probe.ts', "import { usePanel } from '../../state/panel-state';\nimport { formatRowTime } from '../../ui/format';\nexport const y = [usePanel, formatRowTime];\n")).toEqual([]);
    expect(await restricted('renderer/state/lint-probe.ts', "import { createCore } from '../../electron/core/core';\nexport const y = createCore;\n"))
      .toEqual([expect.stringMatching(/only through the bridge/)]);
  });
});

describe('core tiers', () => {
  it('store/ importing ingest/ fails lint, type-only imports included', async () => {
    expect(await restricted('electron/core/store/lint-probe.ts', "import { eventsOfStored } from '../ingest/derive-events';\nexport const y = eventsOfStored;\n"))
      .toEqual([expect.stringMatching(/store\/ never imports ingest\//)]);
    expect(await restricted('electron/core/store/lint-probe.ts', "import type { Receiver } from '../ingest/receiver';\nexport type Y = Receiver;\n"))
      .toEqual([expect.stringMatching(/store\/ never imports ingest\//)]);
  });

  it('ingest/ and the composition roots may import both; store/ still may not import Electron', async () => {
    expect(await restricted('electron/core/ingest/lint-probe.ts', "import type { Store } from '../store/store';\nexport type Y = Store;\n")).toEqual([]);
    expect(await restricted('electron/core/lint-probe.ts', "import { eventDeriver } from './ingest/derive-events';\nimport { openStore } from './store/store';\nexport const y = [eventDeriver, openStore];\n")).toEqual([]);
    expect(await restricted('electron/core/store/lint-probe.ts', "import { app } from 'electron';\nexport const y = app;\n"))
      .toEqual([expect.stringMatching(/plain Node/)]);
  });
});
