import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { normaliseTwilio, twilioAddress } from '../../shared/normalise';
import { decodeFormComponent, parseForm, utf8 } from '../../shared/form';
import type { NormalisedEvent } from '../../shared/types';

// The shared fixtures are a sibling of the repository (../shared), here and in CI; read byte for byte.
const FIXTURES = path.resolve(__dirname, '../../../shared/fixtures/whatsapp');
const run = (name: string): NormalisedEvent[] => normaliseTwilio(parseForm(fs.readFileSync(path.join(FIXTURES, name), 'utf8')));

const ACCOUNT = 'AC1a03647d811fab342c0ad608e382fab2';

/** SOURCES.md "expected", one row per Twilio fixture. */
const EXPECTED: Record<string, Partial<NormalisedEvent>> = {
  'twilio__inbound-text__botbuilder-text.txt': {
    provider: 'twilio', kind: 'message', status: 'incoming', messageId: 'SM892512e202b34d4109b10a3893fa9640',
    contactId: '31612345678', contactName: null, businessId: '14123456789', messageType: 'text', text: 'test',
    replyTo: null, errorCode: null, errorTitle: null, timestamp: null,
  },
  'twilio__inbound-media__botbuilder-image.txt': {
    provider: 'twilio', kind: 'message', status: 'incoming', messageId: 'MM21151abfaadc1fb79b782f8460862a52',
    contactId: '31612345678', businessId: '14123456789', messageType: 'image', text: null, errorCode: null, timestamp: null,
  },
  'twilio__inbound-location__botbuilder-location.txt': {
    provider: 'twilio', kind: 'message', status: 'incoming', messageId: 'SM9c871cd9649aa3829298e153ae6a8123',
    contactId: '31612345678', businessId: '14123456789', messageType: 'location',
    text: 'Microsoft — Evert van de Beekstraat 354, Schiphol, North Holland 1118 CZ', timestamp: null,
  },
  'twilio__status-delivered__botbuilder-delivered.txt': {
    // Status callbacks: the customer is To, the business is From.
    provider: 'twilio', kind: 'status', status: 'delivered', providerStatus: 'delivered', messageId: 'SMdf55df64a2ff4920bb0748193cfbb640',
    contactId: '31612345678', businessId: '14123456789', messageType: null, text: null, errorCode: null, errorTitle: null, timestamp: null,
  },
  'twilio__status-sent__botbuilder-sent.txt': {
    provider: 'twilio', kind: 'status', status: 'sent', providerStatus: 'sent', messageId: 'SM0cec4ed334e74bcbb64eb8b6684e9654',
    contactId: '31612345678', businessId: '14123456789', errorCode: null, timestamp: null,
  },
};

describe('normaliseTwilio on every Twilio fixture (SOURCES.md "expected")', () => {
  it('has an expectation for every twilio fixture on disk', () => {
    const onDisk = fs.readdirSync(FIXTURES).filter((f) => f.startsWith('twilio__')).sort();
    expect(onDisk.length).toBe(5);
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

  it('media list, location, status extras and raw params', () => {
    expect(run('twilio__inbound-media__botbuilder-image.txt')[0].details!.media).toEqual([{
      url: `https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT}/Messages/MM21151abfaadc1fb79b782f8460862a52/Media/ME5f0afa2336bd0f73ca553fb5a2e3150bc`,
      contentType: 'image/jpeg',
    }]);
    expect(run('twilio__inbound-location__botbuilder-location.txt')[0].details!.location).toEqual({
      latitude: 52.303897857666016, longitude: 4.750025749206543, label: 'Microsoft',
      address: 'Evert van de Beekstraat 354, Schiphol, North Holland 1118 CZ' });
    const delivered = run('twilio__status-delivered__botbuilder-delivered.txt')[0];
    expect(delivered.details).toMatchObject({ eventType: 'DELIVERED', channelToAddress: '+31612345678' });
    expect(delivered.raw).toMatchObject({ MessageStatus: 'delivered', ChannelPrefix: 'whatsapp', ApiVersion: '2010-04-01' });
    expect(run('twilio__status-sent__botbuilder-sent.txt')[0].details!.structuredMessage).toBe('false');
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

  it('the fixtures parse to the params SOURCES.md lists', () => {
    const p = new Map(parseForm(fs.readFileSync(path.join(FIXTURES, 'twilio__inbound-location__botbuilder-location.txt'), 'utf8')));
    expect(p.get('From')).toBe('whatsapp:+31612345678');
    expect(p.get('Address')).toBe('Evert van de Beekstraat 354, Schiphol, North Holland 1118 CZ');
    expect(p.get('Body')).toBe('');
  });
});
