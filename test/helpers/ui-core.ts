// The core and the control API + built UI in this process (what `serve` runs), for end-to-end tests
// that need a fake part the child process cannot take — a fake ngrok connector, say.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createCore } from '../../electron/core/core';
import { createDispatcher } from '../../electron/core/dispatch';
import { createControlServer } from '../../electron/serve/control-api';
import { silentLogger, type CoreOptions, type TunnelConnector, type TunnelSession } from '../../electron/core/types';
import { controlApi, type ControlApi } from './serve';

export interface UiCore {
  receiverUrl: string;
  uiUrl: string;
  /** The UI's origin, without a path or token. */
  uiBase: string;
  token: string;
  dataDir: string;
  api: ControlApi;
  stop(): Promise<void>;
}

/**
 * A connector that behaves like ngrok without the network: refuses any authtoken but `validToken`
 * (as ngrok does, with its error text), otherwise goes online at `url`.
 */
export function fakeNgrok(validToken: string, url = 'https://hookscope-e2e.ngrok-free.app'): TunnelConnector & { connects: number } {
  const c = {
    connects: 0,
    async connect(opts: { authtoken: string }): Promise<TunnelSession> {
      c.connects++;
      if (opts.authtoken !== validToken) {
        throw Object.assign(new Error('authentication failed: The authtoken you specified is invalid. ERR_NGROK_107'), { code: 'ERR_NGROK_107' });
      }
      return { url: () => url, close: async () => undefined };
    },
  };
  return c;
}

export async function startUiCore(opts: Partial<CoreOptions> = {}): Promise<UiCore> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'hookscope-ui-'));
  // Unsigned webhooks accepted for both providers unless the test says otherwise (`env: { acceptUnsigned: [] }`):
  // a provider without a secret is closed by default (docs/api.md "Trust boundary").
  const core = createCore({
    receiverPort: 0, receiverHost: '127.0.0.1', mode: 'serve', logger: silentLogger, readWorker: 'off', ...opts, dataDir,
    env: { acceptUnsigned: ['meta', 'twilio'], ...opts.env },
  });
  const info = await core.start();
  const token = 'e2e-token-0123456789abcdef';
  const control = createControlServer({
    core, dispatch: createDispatcher(core.handlers, silentLogger, core.rawHandlers), port: 0, token,
    staticDir: resolve(__dirname, '../../dist/renderer'), logger: silentLogger,
  });
  const port = await control.start();
  const uiBase = `http://127.0.0.1:${port}`;
  return {
    receiverUrl: info.url,
    uiUrl: `${uiBase}/?token=${token}`,
    uiBase,
    token,
    dataDir,
    api: controlApi(uiBase, token),
    async stop() {
      await control.stop();
      await core.stop();
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
