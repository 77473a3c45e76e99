// Made-up customers for the privacy tests: each has a number, a profile name and words that must never
// show once hidden, redacted or forgotten. Payloads follow the providers' documented shapes.
export interface Person { number: string; name: string; words: string }

export const ANA: Person = { number: '5511987650001', name: 'Anaïs Quixotica', words: 'zebrafruit marmalade' };
export const BRUNO: Person = { number: '5521976540002', name: 'Bruno Vexillum', words: 'tangerine hovercraft' };
export const CARLA: Person = { number: '5531965430003', name: 'Carla Ptolemaia', words: 'quokka saxophone' };

/** A Meta text message (one customer), optionally batched with a second customer's message. */
export function metaMessage(p: Person, id: string, also?: { p: Person; id: string }): string {
  const contacts = [{ profile: { name: p.name }, wa_id: p.number }];
  const messages: unknown[] = [{ from: p.number, id, timestamp: '1700000000', type: 'text', text: { body: `${p.words} from ${p.name}, call me on +${p.number}` } }];
  if (also) {
    contacts.push({ profile: { name: also.p.name }, wa_id: also.p.number });
    messages.push({ from: also.p.number, id: also.id, timestamp: '1700000001', type: 'text', text: { body: `${also.p.words} says ${also.p.name}` } });
  }
  return JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: '102290129340398', changes: [{ field: 'messages', value: {
    messaging_product: 'whatsapp', metadata: { display_phone_number: '15550783881', phone_number_id: '106540352242922' },
    contacts, messages,
  } }] }] });
}

/** A Meta failed status for a message sent to `p`, whose error text quotes the number. */
export function metaFailed(p: Person, id: string): string {
  return JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: '102290129340398', changes: [{ field: 'messages', value: {
    messaging_product: 'whatsapp', metadata: { display_phone_number: '15550783881', phone_number_id: '106540352242922' },
    statuses: [{ id, status: 'failed', timestamp: '1700000100', recipient_id: p.number,
      errors: [{ code: 131026, title: 'Message undeliverable', message: `Message undeliverable to ${p.number}`, error_data: { details: `Recipient ${p.number} cannot be reached` } }] }],
  } }] }] });
}

/** A Twilio inbound WhatsApp message (form-encoded). */
export function twilioMessage(p: Person, sid: string): string {
  const f = new URLSearchParams({
    SmsMessageSid: sid, NumMedia: '0', ProfileName: p.name, SmsSid: sid, WaId: p.number, SmsStatus: 'received',
    Body: `${p.words} via twilio`, To: 'whatsapp:+14155238886', NumSegments: '1', MessageSid: sid,
    AccountSid: 'AC00000000000000000000000000000000', From: `whatsapp:+${p.number}`, ApiVersion: '2010-04-01',
  });
  return f.toString();
}

/** Every string of `p` that must not appear: number, name (and its parts), message words. */
export function traces(p: Person): string[] {
  return [p.number, p.name, ...p.name.split(' '), ...p.words.split(' ')];
}

/**
 * A message id shaped like Meta's real ones: `wamid.` + base64 of a small record that holds the
 * customer's number (`wamid.HBgNNTUxMTk4NzY1MDAwMRUCABIYFjNFQjBD…` decodes to `…5511987650001…`), then
 * a per-message hex id.
 */
export function realWamid(number: string, n: number): string {
  const hex = (n.toString(16).toUpperCase() + '3EB0C709E69B54A78D07').slice(0, 20);
  const rec = Buffer.concat([
    Buffer.from([0x1c, 0x18, number.length]), Buffer.from(number),
    Buffer.from([0x15, 0x02, 0x00, 0x12, 0x18, hex.length]), Buffer.from(hex), Buffer.from([0x00]),
  ]);
  return `wamid.${rec.toString('base64')}`;
}

/** Every base64-looking token of `text`, decoded (standard and URL-safe alphabets). */
export function decodedTokens(text: string): string[] {
  const out: string[] = [];
  for (const t of text.match(/[A-Za-z0-9+/_-]{8,}={0,2}/g) ?? []) {
    out.push(Buffer.from(t.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('latin1'));
  }
  return out;
}
