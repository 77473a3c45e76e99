// The shared pseudonymiser behind privacy mode and redacted exports.
import { describe, expect, it } from 'vitest';
import { createPseudonymiser, isSecretHeader, REDACTED, redactRequest } from '../../shared/privacy';
import { ANA, BRUNO, decodedTokens, metaFailed, metaMessage, realWamid, traces, twilioMessage } from '../helpers/people';

const leaks = (text: string, people = [ANA, BRUNO]) => people.flatMap(traces).filter((t) => text.toLowerCase().includes(t.toLowerCase()));

describe('pseudonymiser', () => {
  it('gives the same number the same pseudonym and different numbers different ones', () => {
    const p = createPseudonymiser();
    const a = p.number(ANA.number);
    expect(a).not.toBe(ANA.number);
    expect(p.number(ANA.number)).toBe(a);
    expect(p.number(`whatsapp:+${ANA.number}`)).toBe(`whatsapp:+${a}`);
    expect(p.number(BRUNO.number)).not.toBe(a);
    expect(p.name(ANA.name)).toBe(p.name(ANA.name));
    expect(p.name(ANA.name)).not.toBe(p.name(BRUNO.name));
    expect(p.text(ANA.words)).toBe(REDACTED);
    expect(p.number(null)).toBeNull();
  });

  it('redacts a batched Meta body: numbers, names, texts and message ids gone; types and the business kept', () => {
    const p = createPseudonymiser({ space: 'tst1' });
    const out = p.body(metaMessage(ANA, 'wamid.A1', { p: BRUNO, id: 'wamid.B1' }), 'application/json');
    expect(leaks(out)).toEqual([]);
    const doc = JSON.parse(out);
    const v = doc.entry[0].changes[0].value;
    expect(v.messages.map((m: { id: string }) => m.id)).toEqual(['wamid.tst1-1', 'wamid.tst1-2']);
    expect(doc.entry[0].id).toBe('102290129340398');
    expect(v.messages[0].type).toBe('text');
    expect(v.metadata.phone_number_id).toBe('106540352242922');
    // The contact's wa_id and the message's from are the same pseudonym: the conversation still reads.
    expect(v.contacts[0].wa_id).toBe(v.messages[0].from);
    expect(v.contacts[0].wa_id).toBe(p.number(ANA.number));
  });

  it('keeps error codes and titles readable but scrubs the number they quote', () => {
    const p = createPseudonymiser();
    const out = p.body(metaFailed(ANA, 'wamid.F1'));
    expect(leaks(out)).toEqual([]);
    const st = JSON.parse(out).entry[0].changes[0].value.statuses[0];
    expect(st.errors[0].code).toBe(131026);
    expect(st.errors[0].title).toBe('Message undeliverable');
    expect(st.errors[0].message).toBe(`Message undeliverable to ${p.number(ANA.number)}`);
    expect(st.status).toBe('failed');
  });

  it('redacts a Twilio form body field by field', () => {
    const p = createPseudonymiser();
    const out = p.form(twilioMessage(ANA, 'SM123'));
    expect(leaks(decodeURIComponent(out))).toEqual([]);
    const f = new URLSearchParams(out);
    expect(f.get('MessageSid')).toBe(p.id('SM123'));
    expect(f.get('MessageSid')).not.toBe('SM123');
    expect(f.get('AccountSid')).toBe('AC00000000000000000000000000000000');
    expect(f.get('SmsStatus')).toBe('received');
    expect(f.get('From')).toBe(`whatsapp:+${p.number(ANA.number)}`);
    expect(f.get('WaId')).toBe(p.number(ANA.number));
  });

  it('withholds a body that is neither JSON nor a form, and a binary one', () => {
    const p = createPseudonymiser();
    expect(leaks(p.body(`{"broken ${ANA.number}`))).toEqual([]);
    const r = redactRequest(p, { body: 'AAEC', bodyIsText: false, headers: [['x-hub-signature-256', 'sha256=ab'], ['content-type', 'application/json']], query: '' });
    expect(r.body).not.toContain('AAEC');
    expect(r.headers).toEqual([['content-type', 'application/json']]);
  });

  it('drops signature and token headers only', () => {
    expect(isSecretHeader('X-Hub-Signature-256')).toBe(true);
    expect(isSecretHeader('x-twilio-signature')).toBe(true);
    expect(isSecretHeader('authorization')).toBe(true);
    expect(isSecretHeader('content-type')).toBe(false);
    expect(isSecretHeader('user-agent')).toBe(false);
  });

  it('pseudonymises an event: contact, name, text, raw, details and message ids; statuses stay', () => {
    const p = createPseudonymiser();
    const ev = p.event({ id: 7, messageId: 'wamid.A1', status: 'incoming', contactId: ANA.number, contactName: ANA.name, text: ANA.words,
      raw: { from: ANA.number, text: { body: ANA.words } }, details: { location: { latitude: 1.5, longitude: 2.5, name: 'Home of Anaïs' } },
      errorDetail: `to ${ANA.number}` });
    expect(leaks(JSON.stringify(ev))).toEqual([]);
    expect(JSON.stringify(ev)).not.toContain('1.5');
    expect(ev.id).toBe(7);
    expect(ev.messageId).toBe(p.id('wamid.A1'));
    expect(ev.messageId).not.toBe('wamid.A1');
    expect(ev.status).toBe('incoming');
    expect(ev.contactId).toBe(p.number(ANA.number));
  });

  it('real-shaped wamid ids: the number they encode is gone, the same id keeps one pseudonym, a new export another space', () => {
    const ana1 = realWamid(ANA.number, 1);
    const ana2 = realWamid(ANA.number, 2);
    // The shape is Meta's: decoding the id reveals the customer.
    expect(Buffer.from(ana1.slice(6), 'base64').toString('latin1')).toContain(ANA.number);
    const body = JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: '102290129340398', changes: [{ field: 'messages', value: {
      messaging_product: 'whatsapp', metadata: { display_phone_number: '15550783881', phone_number_id: '106540352242922' },
      contacts: [{ profile: { name: ANA.name }, wa_id: ANA.number, user_id: 'US.13491208655302741918' }],
      messages: [
        { from: ANA.number, id: ana1, timestamp: '1700000000', type: 'text', text: { body: ANA.words } },
        { from: ANA.number, id: ana2, timestamp: '1700000001', type: 'reaction', reaction: { message_id: ana1, emoji: 'x' }, context: { from: ANA.number, id: ana1 } },
      ],
      statuses: [{ id: ana1, status: 'read', timestamp: '1700000002', recipient_id: ANA.number, conversation: { id: 'a4f3c21d9e8b7f6a5c4d3e2f1a0b9c8d', origin: { type: 'service' } } }],
    } }] }] });
    const p = createPseudonymiser();
    const out = p.body(body, 'application/json');
    expect(leaks(out)).toEqual([]);
    for (const t of decodedTokens(out)) expect(t).not.toContain(ANA.number);
    expect(out).not.toContain('13491208655302741918');
    expect(out).not.toContain('a4f3c21d9e8b7f6a5c4d3e2f1a0b9c8d');
    const v = JSON.parse(out).entry[0].changes[0].value;
    // One message, one pseudonym: its status, the reaction and the reply context still point at it.
    expect(v.messages[0].id).toMatch(/^wamid\./);
    expect([v.statuses[0].id, v.messages[1].reaction.message_id, v.messages[1].context.id]).toEqual([v.messages[0].id, v.messages[0].id, v.messages[0].id]);
    expect(v.messages[1].id).not.toBe(v.messages[0].id);
    expect(p.event({ messageId: ana1 }).messageId).toBe(v.messages[0].id);
    // A timestamp is not a phone number.
    expect(v.messages[0].timestamp).toBe('1700000000');
    // Another export: another space, nothing to join on.
    expect(createPseudonymiser().id(ana1)).not.toBe(p.id(ana1));
  });

  it('masks phone numbers written inside texts however they are spaced; error codes stay', () => {
    const p = createPseudonymiser();
    const known = p.number('5511955554444');
    const t = p.scrub('(#131026) Recipient +55 11 95555-4444 is not a WhatsApp user; call (21) 97654-0002 or 21.97654.0003');
    expect(t).toContain('131026');
    expect(t).toContain(`+${known}`);
    expect(t!.replace(/0{5,}\d+/g, '').replace('131026', '')).not.toMatch(/\d{4}/);
    for (const digits of ['95555', '4444', '97654']) expect(t, digits).not.toContain(digits);
    // In a payload's error details and a template's rejection reason too.
    const body = p.body(JSON.stringify({ entry: [{ changes: [{ value: {
      statuses: [{ id: 'wamid.X', status: 'failed', errors: [{ code: 131026, title: 'Message undeliverable', error_data: { details: 'Recipient +55 11 95555-4444 is not a WhatsApp user' } }] }],
      event: 'REJECTED', reason: 'Template quotes 5511 95555 4444',
    } }] }] }));
    expect(body).not.toContain('95555');
    expect(body).toContain('131026');
  });
});
