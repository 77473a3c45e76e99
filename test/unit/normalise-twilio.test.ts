import { describe, expect, it } from 'vitest';
import { normaliseTwilio, normaliseTwilioJson, twilioAddress } from '../../shared/normalise';
import { decodeFormComponent, parseForm, utf8 } from '../../shared/form';
import type { NormalisedEvent } from '../../shared/types';
import { fixture, fixtureNames } from '../helpers/fixtures';

// Hookscope's own Twilio corpus (test/fixtures/twilio, see its README), read byte for byte.
const form = (name: string): string => fixture(`twilio/${name}`).toString('utf8');
const run = (name: string): NormalisedEvent[] => normaliseTwilio(parseForm(form(name)));

const ACCOUNT = 'AC0a1b2c3d4e5f60718293a4b5c6d7e8f9';
const ANA = { contactId: '5511987650001', businessId: '14155238886' } as const;
const IN = { provider: 'twilio', kind: 'message', status: 'incoming', providerStatus: 'received', ...ANA, timestamp: null, errorCode: null } as const;
/** Status callbacks: the customer is To, the business is From. */
const CB = { provider: 'twilio', kind: 'status', ...ANA, contactName: null, messageType: null, text: null, replyTo: null, timestamp: null } as const;
const OUT = 'SMd4e5f60718293a4b5c6d7e8f9a0b1c23';

/** One row per form-encoded corpus file: the one event each must produce. */
const EXPECTED: Record<string, Partial<NormalisedEvent>> = {
  // Percent-encoded UTF-8, `+` for spaces, and an encoded `&` and `%` inside the body.
  'inbound-text.txt': { ...IN, messageId: 'SM3f1c0e5a2b7d4e6f8a9b0c1d2e3f4a5b', contactName: 'Ana Souza', messageType: 'text',
    text: 'Olá! Posso remarcar para sábado? \u{1F600} 50% off & free', replyTo: null },
  // An older capture: no ProfileName, WaId or MessageType, the colon left unencoded.
  'inbound-text-legacy.txt': { ...IN, messageId: 'SM0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a', contactName: null, messageType: 'text', text: 'hello' },
  'inbound-image.txt': { ...IN, messageId: 'MM7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d', messageType: 'image', text: null },
  'inbound-media-several.txt': { ...IN, messageId: 'MM8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e', messageType: 'document', text: 'two files' },
  'inbound-location.txt': { ...IN, messageId: 'SM9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f', messageType: 'location', text: 'MASP — Av. Paulista, 1578 - Bela Vista, São Paulo' },
  'inbound-button.txt': { ...IN, messageId: 'SMa1b2c3d4e5f60718293a4b5c6d7e8f90', messageType: 'button', text: 'Reschedule', replyTo: 'SMffeeddccbbaa99887766554433221100' },
  // From is a business-scoped user id when the customer hides their number: kept as is.
  'inbound-bsuid.txt': { ...IN, messageId: 'SMb2c3d4e5f60718293a4b5c6d7e8f9a01', contactId: 'BR.13491208655302741918', contactName: 'Hidden Customer', text: 'no number please' },
  'inbound-referral.txt': { ...IN, messageId: 'SMc3d4e5f60718293a4b5c6d7e8f9a0b12', messageType: 'text', text: 'I saw your ad' },
  'status-queued.txt': { ...CB, messageId: OUT, status: 'queued', providerStatus: 'queued', errorCode: null },
  'status-sent.txt': { ...CB, messageId: OUT, status: 'sent', providerStatus: 'sent', errorCode: null },
  'status-delivered.txt': { ...CB, messageId: OUT, status: 'delivered', providerStatus: 'delivered', errorCode: null, errorTitle: null },
  'status-read.txt': { ...CB, messageId: OUT, status: 'read', providerStatus: 'read', errorCode: null },
  // No ErrorMessage: the title and meaning come from the error catalogue.
  'status-failed.txt': { ...CB, messageId: 'SMe5f60718293a4b5c6d7e8f9a0b1c2d34', status: 'failed', providerStatus: 'failed', errorCode: '63016',
    errorTitle: 'Outside the 24-hour window: use a template' },
  // Twilio's `undelivered` is Hookscope's failed; what Twilio says wins over the catalogue.
  'status-undelivered.txt': { ...CB, messageId: 'SMf60718293a4b5c6d7e8f9a0b1c2d3e45', status: 'failed', providerStatus: 'undelivered', errorCode: '63024',
    errorTitle: 'Invalid message recipient', errorDetail: 'The recipient is not a WhatsApp user' },
};

describe('normaliseTwilio on every file of the corpus', () => {
  it('has an expectation for every form-encoded file in test/fixtures/twilio', () => {
    const onDisk = fixtureNames('twilio').filter((f) => f.endsWith('.txt')).map((f) => f.slice('twilio/'.length));
    expect(Object.keys(EXPECTED).sort()).toEqual(onDisk);
  });

  for (const [file, expected] of Object.entries(EXPECTED)) {
    it(file, () => {
      const events = run(file);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject(expected);
      expect(events[0].details!.accountSid).toBe(ACCOUNT);
    });
  }

  it('media list, location, button, reply, referral, status extras and raw params', () => {
    const media = (id: string) => `https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT}/Messages/${id}`;
    expect(run('inbound-image.txt')[0].details!.media).toEqual([{
      url: `${media('MM7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d')}/Media/ME1a2b3c4d5e6f708192a3b4c5d6e7f801`, contentType: 'image/jpeg' }]);
    expect(run('inbound-media-several.txt')[0].details!.media).toEqual([
      { url: `${media('MM8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e')}/Media/ME01`, contentType: 'application/pdf' },
      { url: `${media('MM8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e')}/Media/ME02`, contentType: 'image/png' }]);
    expect(run('inbound-location.txt')[0].details!.location).toEqual({
      latitude: -23.561414, longitude: -46.655881, label: 'MASP', address: 'Av. Paulista, 1578 - Bela Vista, São Paulo' });
    expect(run('inbound-button.txt')[0].details).toMatchObject({ buttonPayload: 'RESCHEDULE_8812', contextFrom: 'whatsapp:+14155238886', waId: '5511987650001' });
    expect(run('inbound-referral.txt')[0].details!.referral).toMatchObject({ ReferralSourceType: 'ad', ReferralCtwaClid: 'ARAkLkA8rmlFeiCktEJQ' });
    // ReferralNumMedia=0 comes on every inbound message: it is not a referral.
    expect(run('inbound-text.txt')[0].details!.referral).toBeUndefined();
    const delivered = run('status-delivered.txt')[0];
    expect(delivered.details).toMatchObject({ eventType: 'DELIVERED', channelToAddress: '+5511987650001', structuredMessage: 'false' });
    expect(delivered.raw).toMatchObject({ MessageStatus: 'delivered', ChannelPrefix: 'whatsapp', ApiVersion: '2010-04-01' });
    expect(run('status-failed.txt')[0].errorDetail).toMatch(/24 hours/);
  });

  it('a JSON body on /twilio is kept as one unknown event with the parsed body', () => {
    const parsed: unknown = JSON.parse(fixture('twilio/json-body.json').toString('utf8'));
    expect(normaliseTwilioJson(parsed)).toMatchObject([{ provider: 'twilio', kind: 'unknown', text: 'JSON body from Twilio', raw: parsed }]);
  });
});

/** A typical inbound body; `extra` replaces base params of the same name (the normaliser reads the first value). */
const inbound = (extra: [string, string][] = []): [string, string][] => {
  const base: [string, string][] = [
    ['MessageSid', 'SM1'], ['AccountSid', 'AC1'], ['From', 'whatsapp:+5511999990000'], ['To', 'whatsapp:+14155238886'],
    ['NumMedia', '0'], ['SmsStatus', 'received'],
  ];
  const replaced = new Set(extra.map(([k]) => k));
  return [...base.filter(([k]) => !replaced.has(k)), ...extra];
};
const callback = (status: string, extra: [string, string][] = []): [string, string][] => [
  ['MessageSid', 'SM2'], ['MessageStatus', status], ['From', 'whatsapp:+14155238886'], ['To', 'whatsapp:+5511999990000'], ...extra,
];

describe('inbound messages', () => {
  it('ProfileName, WaId, replies and body', () => {
    const [ev] = normaliseTwilio(inbound([['Body', 'Olá'], ['ProfileName', 'Maria'], ['WaId', '5511999990000'],
      ['OriginalRepliedMessageSid', 'SMorig'], ['OriginalRepliedMessageSender', 'whatsapp:+14155238886']]));
    expect(ev).toMatchObject({ kind: 'message', status: 'incoming', messageType: 'text', text: 'Olá', contactId: '5511999990000',
      contactName: 'Maria', businessId: '14155238886', replyTo: 'SMorig', details: { waId: '5511999990000', contextFrom: 'whatsapp:+14155238886' } });
  });

  it('MessageType given wins; otherwise inferred from media, location, buttons', () => {
    expect(normaliseTwilio(inbound([['MessageType', 'interactive'], ['Body', 'Yes']]))[0]).toMatchObject({ messageType: 'interactive', text: 'Yes' });
    const media = (ct: string) => normaliseTwilio(inbound([['NumMedia', '1'], ['MediaUrl0', 'https://x/m'], ['MediaContentType0', ct]]))[0].messageType;
    expect(media('video/mp4')).toBe('video');
    expect(media('audio/ogg')).toBe('audio');
    expect(media('application/pdf')).toBe('document');
    expect(media('image/webp')).toBe('image');
    expect(media('text/vcard')).toBe('contacts');
    expect(normaliseTwilio(inbound([['ButtonPayload', 'yes_1'], ['ButtonText', 'Yes']]))[0])
      .toMatchObject({ messageType: 'button', text: 'Yes', details: { buttonPayload: 'yes_1' } });
    expect(normaliseTwilio(inbound([['ButtonText', 'Confirm'], ['Body', 'Confirm']]))[0]).toMatchObject({ messageType: 'button', text: 'Confirm' });
    expect(normaliseTwilio(inbound([['Latitude', '1.5'], ['Longitude', '2.5']]))[0]).toMatchObject({ messageType: 'location', text: '1.5, 2.5' });
  });

  it('several media, and NumMedia that is garbage', () => {
    const [ev] = normaliseTwilio(inbound([['NumMedia', '2'], ['MediaUrl0', 'u0'], ['MediaContentType0', 'image/jpeg'],
      ['MediaUrl1', 'u1'], ['MediaContentType1', 'application/pdf'], ['Body', 'two files']]));
    expect(ev).toMatchObject({ messageType: 'image', text: 'two files' });
    expect(ev.details!.media).toEqual([{ url: 'u0', contentType: 'image/jpeg' }, { url: 'u1', contentType: 'application/pdf' }]);
    expect(normaliseTwilio(inbound([['NumMedia', 'lots'], ['Body', 'x']]))[0]).toMatchObject({ messageType: 'text', text: 'x' });
    expect(normaliseTwilio(inbound([['NumMedia', '1e9']]))[0].kind).toBe('message');
  });

  it('a hidden number: From is a business-scoped user id, kept as is', () => {
    expect(normaliseTwilio(inbound([['From', 'whatsapp:US.1234'], ['Body', 'hi']]))[0].contactId).toBe('US.1234');
    expect(twilioAddress('whatsapp:+1 (415) 523-8886')).toBe('14155238886');
    expect(twilioAddress('+14155238886')).toBe('14155238886');
    expect(twilioAddress(null)).toBeNull();
  });

  it('MessageStatus received/receiving is an inbound message, not a callback', () => {
    expect(normaliseTwilio(inbound([['MessageStatus', 'received']]))[0]).toMatchObject({ kind: 'message', status: 'incoming', providerStatus: 'received' });
    expect(normaliseTwilio(inbound([['MessageStatus', 'receiving']]))[0].kind).toBe('message');
  });

  it('a timestamp param is used when present', () => {
    expect(normaliseTwilio(inbound([['Timestamp', '1700000000']]))[0].timestamp).toBe(1700000000000);
    expect(normaliseTwilio(inbound([['DateSent', 'Wed, 18 Aug 2010 20:01:40 +0000']]))[0].timestamp).toBe(Date.UTC(2010, 7, 18, 20, 1, 40));
    expect(normaliseTwilio(inbound([['Timestamp', 'soon']]))[0].timestamp).toBeNull();
  });
});

describe('status callbacks', () => {
  it('maps every MessageStatus; the provider word is kept', () => {
    const table: [string, string][] = [
      ['queued', 'queued'], ['accepted', 'queued'], ['scheduled', 'queued'], ['sending', 'queued'], ['sent', 'sent'],
      ['delivered', 'delivered'], ['read', 'read'], ['failed', 'failed'], ['undelivered', 'failed'],
      ['canceled', 'other'], ['partially_delivered', 'other'], ['in_orbit', 'other'],
    ];
    for (const [word, status] of table) {
      expect(normaliseTwilio(callback(word))[0], word).toMatchObject({ kind: 'status', status, providerStatus: word,
        messageId: 'SM2', contactId: '5511999990000', businessId: '14155238886', timestamp: null });
    }
  });

  it('ErrorCode with the catalogue when Twilio sends no message', () => {
    const [ev] = normaliseTwilio(callback('undelivered', [['ErrorCode', '63016']]));
    expect(ev).toMatchObject({ status: 'failed', providerStatus: 'undelivered', errorCode: '63016', errorTitle: 'Outside the 24-hour window: use a template' });
    expect(ev.errorDetail).toMatch(/24 hours/);
  });

  it('ErrorMessage / ChannelStatusMessage win over the catalogue; unknown codes stay bare', () => {
    expect(normaliseTwilio(callback('failed', [['ErrorCode', '63018'], ['ErrorMessage', 'Rate limit'], ['ChannelStatusMessage', 'slow down']]))[0])
      .toMatchObject({ errorCode: '63018', errorTitle: 'Rate limit', errorDetail: 'slow down' });
    expect(normaliseTwilio(callback('failed', [['ErrorCode', '99999']]))[0]).toMatchObject({ errorCode: '99999', errorTitle: null, errorDetail: null });
    expect(normaliseTwilio(callback('delivered', [['ErrorCode', '']]))[0].errorCode).toBeNull();
    expect(normaliseTwilio(callback('delivered', [['ErrorCode', '0']]))[0].errorCode).toBeNull();
  });

  it('SmsStatus alone (older callbacks) still reads as a status', () => {
    expect(normaliseTwilio([['SmsSid', 'SM3'], ['SmsStatus', 'delivered'], ['To', 'whatsapp:+1']])[0])
      .toMatchObject({ kind: 'status', status: 'delivered', messageId: 'SM3', contactId: '1' });
  });
});

describe('never throws', () => {
  it('empty or unrelated params → one unknown event', () => {
    expect(normaliseTwilio([])).toMatchObject([{ kind: 'unknown', provider: 'twilio', text: 'Empty Twilio request' }]);
    expect(normaliseTwilio([['foo', 'bar']])).toMatchObject([{ kind: 'unknown', raw: { foo: 'bar' } }]);
    expect(normaliseTwilio(null as never)).toMatchObject([{ kind: 'unknown' }]);
    expect(normaliseTwilio([null, ['x'], [1, 2]] as never)).toMatchObject([{ kind: 'unknown' }]);
  });

  it('repeated and hostile param names are kept in raw without touching prototypes', () => {
    const [ev] = normaliseTwilio(inbound([['__proto__', 'x'], ['Body', 'a'], ['Body', 'b']]));
    expect(ev.text).toBe('a'); // first value wins for fields
    expect((ev.raw as Record<string, unknown>).Body).toEqual(['a', 'b']);
    expect(Object.getPrototypeOf(ev.raw)).toBe(Object.prototype);
    expect(Object.prototype.hasOwnProperty.call(ev.raw, '__proto__')).toBe(true);
  });
});

describe('parseForm', () => {
  it('decodes like URLSearchParams for well-formed bodies, keeping order and repeats', () => {
    const bodies = [
      'Body=Ol%C3%A1+mundo&From=whatsapp%3A%2B5511&Body=2',
      'a=1&&b=&c&=d&e=f=g',
      'emoji=%F0%9F%98%AE&plus=%2B&space=a+b%20c',
      'From=whatsapp:%2B14155238886', // unencoded colon, as in courier tests
      'k=%e2%82%ac', // lower-case hex
    ];
    for (const b of bodies) expect(parseForm(b), b).toEqual([...new URLSearchParams(b)]);
    expect(parseForm('a=1&&b=&c&=d')).toEqual([['a', '1'], ['b', ''], ['c', ''], ['', 'd']]);
  });

  it('empty body → no pairs', () => {
    expect(parseForm('')).toEqual([]);
    expect(parseForm('&&&')).toEqual([]);
  });

  it('tolerates malformed percent sequences without throwing', () => {
    expect(parseForm('a=100%&b=%zz&c=%4')).toEqual([['a', '100%'], ['b', '%zz'], ['c', '%4']]);
    // Invalid UTF-8 bytes become U+FFFD, the rest of the value survives.
    expect(parseForm('a=%FF%41')).toEqual([['a', '\uFFFDA']]);
    expect(parseForm('a=%E2%82+x')).toEqual([['a', '\uFFFD x']]);
    expect(parseForm('a=%C3%A1%&b=1')).toEqual([['a', 'á%'], ['b', '1']]);
    expect(decodeFormComponent('%ED%A0%80')).toBe('\uFFFD\uFFFD\uFFFD'); // encoded surrogate: invalid in UTF-8
    // Same results as the WHATWG decoder for invalid bytes (Node's TextDecoder is only used here, in the test).
    for (const bytes of [[0xff], [0xc3], [0xe2, 0x82], [0xf0, 0x9f, 0x98], [0xc0, 0xaf], [0xf4, 0x90, 0x80, 0x80], [0x61, 0x80, 0x62], [0xf0, 0x9f, 0x98, 0xae]]) {
      expect(utf8(bytes), bytes.join(',')).toBe(new TextDecoder().decode(new Uint8Array(bytes)));
    }
  });

  it('the corpus parses to the same params as URLSearchParams', () => {
    for (const f of fixtureNames('twilio').filter((n) => n.endsWith('.txt'))) {
      const text = fixture(f).toString('utf8');
      expect(parseForm(text), f).toEqual([...new URLSearchParams(text)]);
    }
    const p = new Map(parseForm(form('inbound-text-legacy.txt')));
    expect(p.get('From')).toBe('whatsapp:+5511987650001');
    expect(p.get('Body')).toBe('hello');
  });
});
