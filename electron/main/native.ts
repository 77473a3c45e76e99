// Which better-sqlite3 binary the core should load inside Electron.
//
// node_modules/better-sqlite3/build is built for Node's ABI (npm test, npm run serve use it). Rebuilding it in
// place for Electron would break those, and rebuilding it back would break Electron: the flip-flop. So
// `npm start` (electron/tools/ensure-electron.mjs) builds a second copy for Electron's ABI into a cache file
// and main hands that path to better-sqlite3's `nativeBinding` option. A packaged app was rebuilt for
// Electron by electron-builder (npmRebuild), so there the default lookup is right.
//
// The file name formula is duplicated in ensure-electron.mjs (plain Node, cannot import TS); the test in
// test/unit/electron-native.test.ts checks that both agree.
import path from 'node:path';

export const NATIVE_CACHE_DIR = path.join('node_modules', '.cache', 'hookscope');

export interface NativeBindingInputs {
  /** app.isPackaged */
  isPackaged: boolean;
  /** app.getAppPath(): the project root under `electron .` */
  appPath: string;
  electronVersion: string;
  /** Version of the better-sqlite3 package the binary must match (its JS and C++ halves go together). */
  betterSqliteVersion: string | null;
  platform: string;
  arch: string;
  exists: (file: string) => boolean;
}

export function nativeBindingFileName(electronVersion: string, betterSqliteVersion: string, platform: string, arch: string): string {
  return `better_sqlite3-electron-${electronVersion}-bs${betterSqliteVersion}-${platform}-${arch}.node`;
}

/** The Electron-ABI better-sqlite3 binary to use, or undefined to let better-sqlite3 find its own. */
export function resolveNativeBinding(i: NativeBindingInputs): string | undefined {
  if (i.isPackaged || !i.betterSqliteVersion) return undefined;
  const file = path.join(i.appPath, NATIVE_CACHE_DIR, nativeBindingFileName(i.electronVersion, i.betterSqliteVersion, i.platform, i.arch));
  return i.exists(file) ? file : undefined;
}
