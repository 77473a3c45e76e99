// An in-process core on port 0 with a temp data dir and a fake tunnel connector.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHmac } from 'node:crypto';
import { createCore } from '../../electron/core/core';
import { createDispatcher } from '../../electron/core/dispatch';
import type { Core } from '../../electron/core/core';
import type { CoreOptions, TunnelConnector } from '../../electron/core/types';
import { silentLogger } from '../../electron/core/types';

export const offlineConnector: TunnelConnector = {
  connect: async () => { throw Object.assign(new Error('getaddrinfo ENOTFOUND connect.ngrok-agent.com'), { code: 'ENOTFOUND' }); },
};

export interface TestCore {
  core: Core;
  url: string;
  dataDir: string;
  dispatch: ReturnType<typeof createDispatcher>;
  call<T = unknown>(channel: string, args?: unknown): Promise<T>;
  post(path: string, body: string | Buffer, headers?: Record<string, string>): Promise<Response>;
  postMeta(body: string | Buffer, secret?: string | null, extra?: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
}

export function signMetaBody(body: string | Buffer, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export async function startTestCore(opts: Partial<CoreOptions> = {}): Promise<TestCore> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'hookscope-test-'));
  const core = createCore({
    receiverPort: 0, receiverHost: '127.0.0.1', mode: 'serve', logger: silentLogger, tunnelConnector: offlineConnector,
    // HOOKSCOPE_DERIVE=worker runs a suite against the worker deriver (the built bundle, npm run build).
    ...(process.env.HOOKSCOPE_DERIVE === 'worker' ? { derive: 'worker' as const, deriveWorker: join(process.cwd(), 'dist-electron/derive-worker.mjs') } : {}),
    ...opts, dataDir,
    // A provider without a secret is closed by default (docs/api.md "Trust boundary"). Tests that post
    // unsigned webhooks without caring about signatures get "accept unsigned" for both providers; a test
    // of the closed default passes `env: { acceptUnsigned: [] }`. The caller's object itself is kept (a
    // test may set a variable later, as the environment is read when needed).
    env: Object.assign(opts.env ?? {}, { acceptUnsigned: opts.env?.acceptUnsigned ?? ['meta', 'twilio'] }),
  });
  const info = await core.start();
  const dispatch = createDispatcher(core.handlers, silentLogger);
  const post = (path: string, body: string | Buffer, headers: Record<string, string> = {}) =>
    fetch(info.url + path, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
  return {
    core, url: info.url, dataDir, dispatch, post,
    async call<T>(channel: string, args?: unknown) {
      const env = await dispatch(channel, args);
      if (!env.ok) throw Object.assign(new Error(`${env.error.code}: ${env.error.message}`), { code: env.error.code });
      return env.value as T;
    },
    postMeta(body, secret, extra = {}) {
      const headers: Record<string, string> = { ...extra };
      if (secret) headers['x-hub-signature-256'] = signMetaBody(body, secret);
      return post('/meta', body, headers);
    },
    async close() {
      await core.stop();
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
