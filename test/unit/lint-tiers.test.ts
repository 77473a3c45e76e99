// `npm run lint` enforces the renderer's direction: state/ and ui/ never import features/
// (docs/architecture.md, "Tiers"), while features may import both.
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
