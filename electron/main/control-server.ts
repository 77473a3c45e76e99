// The desktop app's control API, for the `hookscope` command on this computer (README "From the terminal",
// docs/api.md "The control API in the desktop app"): the very server `npm run serve` runs
// (electron/serve/control-api.ts) on 127.0.0.1 only, answering /api/… and no browser UI (the UI is the
// window). The token is the data folder's `ui-token` (0600, shared with serve), the address goes to
// `serve.json` (electron/serve/discovery.ts) once listening and is removed on quit. A busy port costs the
// terminal its way in, never the app: one log line and the app runs on.
import type { Core } from '../core/core';
import type { Logger } from '../core/types';
import { createDispatcher } from '../core/dispatch';
import { createControlServer, type ControlServer } from '../serve/control-api';
import { removeDiscovery, writeDiscovery } from '../serve/discovery';
import { loadOrCreateUiToken, rotateUiToken } from '../serve/ui-token';

export interface DesktopControlApi {
  /** Stops listening and removes `serve.json`; waits for a start still under way. */
  stop(): Promise<void>;
}

/** HOOKSCOPE_UI_PORT as serve reads it; anything else (or nothing) is port 0, a free one. */
export function desktopControlPort(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.HOOKSCOPE_UI_PORT);
  return env.HOOKSCOPE_UI_PORT?.trim() && Number.isInteger(n) && n >= 0 && n <= 65535 ? n : 0;
}

export function startDesktopControlApi(o: { core: Core; dataDir: string; port: number; logger: Logger }): DesktopControlApi {
  let server: ControlServer | null = null;
  let listening = false;
  const started = (async () => {
    try {
      server = createControlServer({
        core: o.core,
        dispatch: createDispatcher(o.core.handlers, o.logger, o.core.rawHandlers),
        port: o.port,
        host: '127.0.0.1',
        token: loadOrCreateUiToken(o.dataDir),
        rotateToken: () => rotateUiToken(o.dataDir),
        staticDir: null,
        logger: o.logger,
      });
      const port = await server.start();
      listening = true;
      writeDiscovery(o.dataDir, { url: `http://127.0.0.1:${port}`, pid: process.pid });
      o.logger.info('control API for the hookscope command listening', { url: `http://127.0.0.1:${port}` });
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      o.logger.warn(e.code === 'EADDRINUSE'
        ? `control API not started: port ${o.port} on 127.0.0.1 is in use (set HOOKSCOPE_UI_PORT to another port, or 0); the app runs on without it`
        : 'control API not started; the app runs on without it', { err: String(err) });
      if (!listening) server = null;
    }
  })();
  return {
    async stop() {
      await started;
      if (!server) return;
      await server.stop().catch(() => undefined);
      try { removeDiscovery(o.dataDir); } catch {}
    },
  };
}
