// `npm run lint` refuses import cycles (electron/tools/check-cycles.mjs), type-only ones included.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const SCRIPT = resolve(__dirname, '../../electron/tools/check-cycles.mjs');
const dirs: string[] = [];
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'hs-cycles-'));
  dirs.push(root);
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(join(root, p, '..'), { recursive: true });
    writeFileSync(join(root, p), text);
  }
  return root;
}
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

describe('import cycle check', () => {
  it('fails on a cycle made only of type imports, naming the files', () => {
    const root = tree({
      'electron/core/a.ts': "import type { B } from './store/b';\nexport interface A { b: B }\n",
      'electron/core/store/b.ts': "import type { A } from '../a';\nexport interface B { a?: A }\n",
    });
    const r = spawnSync(process.execPath, [SCRIPT, root], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('electron/core/a.ts ↔ electron/core/store/b.ts');
  });

  it('fails on a longer cycle through index files and passes once it is broken', () => {
    const files = {
      'shared/x.ts': "export { y } from './y';\n",
      'shared/y/index.ts': "import { z } from '../z';\nexport const y = z;\n",
      'shared/z.ts': "import { y } from './x';\nexport const z = 1; export const w = () => y;\n",
    };
    expect(spawnSync(process.execPath, [SCRIPT, tree(files)]).status).toBe(1);
    const fixed = { ...files, 'shared/z.ts': 'export const z = 1;\n' };
    expect(spawnSync(process.execPath, [SCRIPT, tree(fixed)]).status).toBe(0);
  });

  it('the repository itself has none', () => {
    expect(execFileSync(process.execPath, [SCRIPT, resolve(__dirname, '../..')], { encoding: 'utf8' })).toMatch(/no import cycles/);
  });
});
