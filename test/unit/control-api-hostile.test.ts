// Request lines the control server cannot parse: a 400, never an unhandled rejection (which ends a
// `serve` process under Node's default --unhandled-rejections=throw).
import { afterEach, expect, it } from 'vitest';
import { connect } from 'node:net';
import { createControlServer, type ControlServer } from '../../electron/serve/control-api';
import { silentLogger } from '../../electron/core/types';

let s: ControlServer | null = null;
afterEach(async () => { await s?.stop(); s = null; });

function raw(port: number, line: string): Promise<string> {
  return new Promise<string>((res) => {
    const c = connect(port, '127.0.0.1', () => c.write(`${line}\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer t\r\nConnection: close\r\n\r\n`));
    let d = '';
    c.on('data', (x) => { d += x; });
    c.on('close', () => res(d));
    c.on('error', (e) => res(String(e)));
  });
}

it('answers 400 to an unparseable target and to malformed percent-escapes', async () => {
  s = createControlServer({
    core: { on: () => () => {} } as never, dispatch: (async () => ({ ok: true, value: 1 })) as never,
    port: 0, token: 't', staticDir: '/nonexistent', logger: silentLogger,
  });
  const port = await s.start();
  expect((await raw(port, 'GET http://[ HTTP/1.1')).split('\r\n')[0]).toMatch(/ 400 /);
  expect((await raw(port, 'GET /api/events/%E0%A4%A HTTP/1.1')).split('\r\n')[0]).toMatch(/ 400 /);
  expect((await raw(port, 'POST /api/rpc/%ZZ HTTP/1.1')).split('\r\n')[0]).toMatch(/ 400 /);
});
