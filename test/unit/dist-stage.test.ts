// What `npm run dist` puts in its staging copy: only what the packaged app loads at run time, with a
// package.json electron-builder accepts and that cannot run our scripts. (The packaging itself needs the
// network: README, "Building installers".)
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { productionPackages, stagePackageJson } from '../../electron/tools/dist.mjs';

const root = path.resolve(__dirname, '../..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

describe('dist staging', () => {
  it('copies the bundles\' external packages and their run-time dependencies, nothing already bundled or install-only', () => {
    const packages = productionPackages(root);
    expect(packages).toEqual(expect.arrayContaining(['better-sqlite3', 'bindings', 'file-uri-to-path', '@ngrok/ngrok']));
    for (const bundled of ['react', 'react-dom', 'zod', 're2js', 'zustand', 'prebuild-install', 'electron']) expect(packages).not.toContain(bundled);
    // The platform's ngrok binary package comes along when it is installed (an optional dependency).
    const platformNgrok = fs.readdirSync(path.join(root, 'node_modules', '@ngrok')).filter((d) => d !== 'ngrok').map((d) => `@ngrok/${d}`);
    expect(packages).toEqual(expect.arrayContaining(platformNgrok));
  });

  it('writes a package.json with the metadata installers need, an exact Electron version, and no scripts', () => {
    const staged = stagePackageJson(pkg, '41.7.1');
    expect(staged).toMatchObject({ productName: 'Hookscope', desktopName: 'hookscope.desktop', main: 'dist-electron/main.cjs', devDependencies: { electron: '41.7.1' } });
    // Only real project facts travel: no placeholder homepage or address (the deb's maintainer is in electron-builder.yml).
    expect(staged.homepage).toBe(pkg.homepage);
    expect(staged.author).toEqual(pkg.author);
    expect(staged.author).toMatchObject({ name: 'Hookscope contributors' });
    expect(staged.scripts).toBeUndefined();
    expect(Object.keys(staged.dependencies as object).sort()).toEqual(['@ngrok/ngrok', 'better-sqlite3']);
  });
});
