// The bridge between the sandboxed renderer and main. Exposes three functions and nothing else: never
// ipcRenderer itself (it would let page script reach every channel, including ones added later), and never
// the IPC event object (it carries `sender`). Only names from the shared contract are allowed through.
import { contextBridge, ipcRenderer } from 'electron';
// Names only, from a module without zod: the bundle stays a few KiB (test/unit/electron-preload.test.ts).
import { PRELOAD_PUSH_CHANNELS, PRELOAD_REQUEST_CHANNELS, READY_CHANNEL, SHELL_PUSH_CHANNELS, SHELL_REQUEST_CHANNELS, type HookscopePreloadApi } from './channels';

const requestNames = new Set<string>([...PRELOAD_REQUEST_CHANNELS, ...SHELL_REQUEST_CHANNELS]);
const pushNames = new Set<string>([...PRELOAD_PUSH_CHANNELS, ...SHELL_PUSH_CHANNELS]);

const api: HookscopePreloadApi = {
  invoke(channel, args) {
    // Checked here as well as in main so a typo fails loudly in the renderer instead of hanging on a
    // channel nobody handles.
    if (typeof channel !== 'string' || !requestNames.has(channel)) {
      return Promise.reject(new Error(`hookscope.invoke: unknown channel ${String(channel)}`));
    }
    return ipcRenderer.invoke(channel, args);
  },
  on(channel, cb) {
    if (typeof channel !== 'string' || !pushNames.has(channel)) {
      throw new Error(`hookscope.on: unknown channel ${String(channel)}`);
    }
    if (typeof cb !== 'function') throw new Error('hookscope.on: callback must be a function');
    const listener = (_event: unknown, payload: unknown) => (cb as (p: unknown) => void)(payload);
    ipcRenderer.on(channel, listener);
    return () => { ipcRenderer.removeListener(channel, listener); };
  },
  ready() {
    void ipcRenderer.invoke(READY_CHANNEL);
  },
};

contextBridge.exposeInMainWorld('hookscope', api);
