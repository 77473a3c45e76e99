// Suites that need the build say so when they skip (test/helpers/build.ts).
import { describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { built } from '../helpers/build';

describe('a suite that needs the build', () => {
  it('skips with one line naming the missing file and the command that builds it', () => {
    const lines: string[] = [];
    expect(built('read worker', resolve(__dirname, '../../dist-electron/no-such-bundle.mjs'), (l) => lines.push(l))).toBe(false);
    expect(lines).toEqual(['read worker: skipped — dist-electron/no-such-bundle.mjs is not built; run `npm run build` first (npm test builds before the tests).']);
  });

  it('runs, silently, when the file is there', () => {
    const lines: string[] = [];
    expect(built('this file', __filename, (l) => lines.push(l))).toBe(true);
    expect(lines).toEqual([]);
  });
});
