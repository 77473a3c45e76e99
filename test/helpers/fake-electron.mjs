// Entry for `node --import`: installs the recording fake `electron` (fake-electron-impl.mjs, which says
// what it does and how the boot test drives it) in the main thread only. Worker threads inherit --import;
// they never load electron and must not be kept alive by the fake's keep-alive timer.
import { isMainThread } from 'node:worker_threads';

if (isMainThread) await import('./fake-electron-impl.mjs');
