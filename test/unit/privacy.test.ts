// The shared pseudonymiser behind privacy mode and redacted exports.
import { describe, expect, it } from 'vitest';
import { createPseudonymiser, isSecretHeader, REDACTED, redactRequest } from '../../shared/privacy';
import { ANA, BRUNO, metaFailed, metaMessage, traces, twilioMessage } from '../helpers/people';

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

  it('redacts a batched Meta body: numbers, names and texts gone; ids, types and the business kept', () => {
    const p = createPseudonymiser();
    const out = p.body(metaMessage(ANA, 'wamid.A1', { p: BRUNO, id: 'wamid.B1' }), 'application/json');
    expect(leaks(out)).toEqual([]);
    const doc = JSON.parse(out);
    const v = doc.entry[0].changes[0].value;
    expect(v.messages.map((m: { id: string }) => m.id)).toEqual(['wamid.A1', 'wamid.B1']);
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
    expect(f.get('MessageSid')).toBe('SM123');
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

  it('pseudonymises an event: contact, name, text, raw and details; ids and statuses stay', () => {
    const p = createPseudonymiser();
    const ev = p.event({ id: 7, messageId: 'wamid.A1', status: 'incoming', contactId: ANA.number, contactName: ANA.name, text: ANA.words,
      raw: { from: ANA.number, text: { body: ANA.words } }, details: { location: { latitude: 1.5, longitude: 2.5, name: 'Home of Anaïs' } },
      errorDetail: `to ${ANA.number}` });
    expect(leaks(JSON.stringify(ev))).toEqual([]);
    expect(JSON.stringify(ev)).not.toContain('1.5');
    expect(ev.id).toBe(7);
    expect(ev.messageId).toBe('wamid.A1');
    expect(ev.status).toBe('incoming');
    expect(ev.contactId).toBe(p.number(ANA.number));
  });
});
