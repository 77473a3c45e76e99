// A local forward target that counts what it receives, by the status id in the Meta body, and the
// one-status Meta body it counts: the derive tests check that every webhook is forwarded exactly once.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A Meta webhook with one `sent` status whose id is `id`. */
export function sentStatusBody(id: string): string {
  return JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: 'W', changes: [{ field: 'messages', value: {
    metadata: { phone_number_id: '1' }, statuses: [{ id, status: 'sent', timestamp: '1700000000', recipient_id: '5511900000000' }] } }] }] });
}

export interface ForwardCounter { url: string; got: Map<string, number>; close(): Promise<void> }

export async function startForwardCounter(): Promise<ForwardCounter> {
  const got = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const id = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { entry: { changes: { value: { statuses: { id: string }[] } }[] }[] })
        .entry[0].changes[0].value.statuses[0].id;
      got.set(id, (got.get(id) ?? 0) + 1);
      res.writeHead(200);
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/fwd`, got,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}
