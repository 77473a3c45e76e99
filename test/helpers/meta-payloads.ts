// Meta WhatsApp Cloud API webhooks written for these tests from the documented shapes (messages and
// statuses under entry[].changes[].value), and a signed sender for the receiver.
import { createHmac } from 'node:crypto';

export const envelope = (value: object) => JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: 'W', changes: [{ field: 'messages', value: {
  messaging_product: 'whatsapp', metadata: { display_phone_number: '15550001111', phone_number_id: '1' }, ...value } }] }] });

export const incomingText = (id: string, from: string, body: string, name = 'Ana Souza', ts = 1_700_000_000) => envelope({
  contacts: [{ profile: { name }, wa_id: from }],
  messages: [{ from, id, timestamp: String(ts), type: 'text', text: { body } }],
});

export const statusUpdate = (id: string, status: string, ts: number, to = '5511999990000', error?: { code: number; title: string; details?: string }) => envelope({
  statuses: [{
    id, status, timestamp: String(ts), recipient_id: to,
    ...(error ? { errors: [{ code: error.code, title: error.title, error_data: { details: error.details ?? error.title } }] } : {}),
  }],
});

export const signMeta = (secret: string, body: string | Buffer) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

/** POSTs a body to /meta signed with `secret` (or with the given signature header) and returns the status. */
export async function postMeta(receiverUrl: string, secret: string, body: string | Buffer, signature: string | null = signMeta(secret, body)): Promise<number> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (signature) headers['x-hub-signature-256'] = signature;
  const res = await fetch(`${receiverUrl}/meta`, { method: 'POST', headers, body });
  await res.arrayBuffer();
  return res.status;
}
