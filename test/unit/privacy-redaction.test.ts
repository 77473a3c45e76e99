// What privacy mode and redacted exports hide, field by field (shared/privacy.ts), and the verify
// token kept out of stored queries (shared/redact.ts). A slip here shows a customer's number, name or
// words in a screenshot or an export, or the shared secret in "Copy as cURL".
import { describe, expect, it } from 'vitest';
import { createPseudonymiser, isSecretHeader, REDACTED, redactRequest } from '../../shared/privacy';
import { REDACTED as TOKEN_REDACTED, redactVerifyToken } from '../../shared/redact';

const NUM = '5511999990000';
const NUM2 = '5521988887777';

describe('pseudonyms: stable, distinct, in order of first appearance', () => {
  it('numbers become counters of eleven digits; the same digits the same pseudonym however written', () => {
    const p = createPseudonymiser();
    expect(p.number(NUM)).toBe('00000000001');
    expect(p.number(NUM2)).toBe('00000000002');
    expect(p.number(`+${NUM}`)).toBe('+00000000001');
    expect(p.number(`whatsapp:+${NUM}`)).toBe('whatsapp:+00000000001');
    expect(p.number(`WhatsApp:${NUM2}`)).toBe('WhatsApp:00000000002');
    expect(p.number(` ${NUM} `)).toBe('00000000001');
    // Formatted numbers are matched by their digits, and come back as bare digits.
    expect(p.number('+55 (11) 99999-0000')).toBe('00000000001');
    expect(p.number('not a number')).toBe('00000000003');
    expect(p.number('not a number')).toBe('00000000003');
  });

  it('empty and missing values stay as they are', () => {
    const p = createPseudonymiser();
    expect(p.number('')).toBe('');
    expect(p.number(undefined)).toBeNull();
    expect(p.number(null)).toBeNull();
    expect(p.name('')).toBe('');
    expect(p.name(undefined)).toBeNull();
    expect(p.text('')).toBe('');
    expect(p.text(undefined)).toBeNull();
    expect(p.text(null)).toBeNull();
    expect(p.text('olá')).toBe(REDACTED);
    expect(p.scrub(null)).toBeNull();
    expect(p.scrub(undefined)).toBeNull();
    expect(p.scrub('')).toBe('');
  });

  it('names: "Contact N", the same person whatever the case or spaces', () => {
    const p = createPseudonymiser();
    expect(p.name('Anaïs Souza')).toBe('Contact 1');
    expect(p.name('  ANAÏS SOUZA ')).toBe('Contact 1');
    expect(p.name('Bruno')).toBe('Contact 2');
  });

  it('kept text quoting a known number or name shows the pseudonym instead', () => {
    const p = createPseudonymiser();
    p.number(NUM);
    p.name('Anaïs Souza');
    expect(p.scrub(`Undeliverable to ${NUM} (ANAÏS SOUZA, anaïs souza)`)).toBe('Undeliverable to 00000000001 (Contact 1, Contact 1)');
  });

  it('a name is matched literally (dots and brackets are not patterns), and names under 3 letters are left alone', () => {
    const p = createPseudonymiser();
    p.name('J.R. (Jr)');
    p.name('Al');
    expect(p.scrub('to J.R. (Jr) and JxRx (Jr)')).toBe('to Contact 1 and JxRx (Jr)');
    expect(p.scrub('Also Al')).toBe('Also Al');
  });
});

describe('payloads: deny by default', () => {
  it('strings under unknown keys are hidden; phone-like ones and message ids pseudonymised, names named, types kept', () => {
    const p = createPseudonymiser();
    const out = p.json({
      id: 'wamid.A1', type: 'text', from: NUM, to: `whatsapp:+${NUM2}`, text: { body: 'hello there' }, new_field: 'private',
      short: '12345', long: '1'.repeat(21), six: '123456', profile: { name: 'Anaïs' }, flags: [true, null, 3],
    }) as Record<string, unknown>;
    // A message id encodes the customer's number (wamid. + base64): it becomes a stable pseudonym that keeps its prefix.
    expect(out.id).toMatch(/^wamid\.[0-9a-z]{4}-1$/);
    expect(out).toEqual({
      id: p.id('wamid.A1'), type: 'text', from: '00000000001', to: 'whatsapp:+00000000002', text: { body: REDACTED }, new_field: REDACTED,
      short: REDACTED, long: REDACTED, six: '00000000003', profile: { name: 'Contact 1' }, flags: [true, null, 3],
    });
  });

  it('coordinates become 0; other numbers stay', () => {
    const p = createPseudonymiser();
    expect(p.json({ location: { latitude: -23.5, longitude: -46.6, Latitude: 1, Longitude: 2 }, count: 4 }))
      .toEqual({ location: { latitude: 0, longitude: 0, Latitude: 0, Longitude: 0 }, count: 4 });
  });

  it('error words are kept only inside errors, and scrubbed of numbers met anywhere in the payload', () => {
    const p = createPseudonymiser();
    const out = p.json({
      errors: [{ code: 131026, title: `Undeliverable to ${NUM}`, message: 'm', error_data: { details: 'd' } }],
      error: { message: 'boom' },
      title: 'a title outside errors', message: 'a customer message',
      messages: [{ from: NUM }],
    });
    expect(out).toEqual({
      errors: [{ code: 131026, title: 'Undeliverable to 00000000001', message: 'm', error_data: { details: 'd' } }],
      error: { message: 'boom' },
      title: REDACTED, message: REDACTED,
      messages: [{ from: '00000000001' }],
    });
  });

  it('names met anywhere are learned before kept text is scrubbed', () => {
    const p = createPseudonymiser();
    const out = p.json({ errors: [{ title: 'Failed for Anaïs' }], contacts: [{ profile: { name: 'Anaïs' } }] });
    expect(out).toEqual({ errors: [{ title: 'Failed for Contact 1' }], contacts: [{ profile: { name: 'Contact 1' } }] });
  });

  it('nesting deeper than 64 levels is withheld, not walked', () => {
    const p = createPseudonymiser();
    let deep: unknown = { id: 'kept?' };
    for (let i = 0; i < 70; i++) deep = { a: deep };
    let out = p.json(deep) as Record<string, unknown>;
    for (let i = 0; i < 64; i++) out = out.a as Record<string, unknown>;
    expect(out.a).toBe(REDACTED);
    let shallow: unknown = { type: 'kept' };
    for (let i = 0; i < 63; i++) shallow = { a: shallow };
    expect(JSON.stringify(p.json(shallow))).toContain('"type":"kept"');
  });
});

describe('form bodies and queries (Twilio, the Meta handshake)', () => {
  it('field by field: statuses kept, sids, numbers and names pseudonymised, words hidden, the verify token gone', () => {
    const p = createPseudonymiser();
    const body = `Body=Hello+there&From=whatsapp%3A%2B${NUM}&ProfileName=Ana&ErrorMessage=to+${NUM}&MessageSid=SM1&Flag&&hub.verify_token=s3cret`;
    const f = [...new URLSearchParams(p.form(body))];
    expect(f).toEqual([
      ['Body', REDACTED], ['From', 'whatsapp:+00000000001'], ['ProfileName', 'Contact 1'], ['ErrorMessage', 'to 00000000001'],
      ['MessageSid', p.id('SM1')], ['Flag', REDACTED], ['hub.verify_token', REDACTED],
    ]);
    expect(p.form('')).toBe('');
  });

  it('undecodable escapes are kept as written, then hidden like any other value', () => {
    const p = createPseudonymiser();
    expect([...new URLSearchParams(p.form('%zz=%E0%A4&MessageSid=SM%zz'))]).toEqual([['%zz', REDACTED], ['MessageSid', p.id('SM%zz')]]);
  });

  it('body(): forms by content type (any case), JSON otherwise, anything else withheld whole', () => {
    const p = createPseudonymiser();
    expect(p.body('')).toBe('');
    expect(p.body('Body=hi&MessageSid=SM1', 'Application/X-WWW-Form-Urlencoded; charset=utf-8')).toBe(`Body=${encodeURIComponent(REDACTED)}&MessageSid=${p.id('SM1')}`);
    expect(p.body('{"id":"x","text":"hi"}', null)).toBe(`{"id":"${p.id('x')}","text":"${REDACTED}"}`);
    expect(p.body('{"id":"x"}', 'text/plain')).toBe(`{"id":"${p.id('x')}"}`);
    expect(p.body(`call me ${NUM}`, 'text/plain')).toBe('[redacted: 21 characters that are neither JSON nor a form]');
  });
});

describe('events', () => {
  it('only the fields present are touched; the error texts are scrubbed', () => {
    const p = createPseudonymiser();
    expect(p.event({ id: 1, kind: 'status' })).toEqual({ id: 1, kind: 'status' });
    const ev = p.event({
      contactId: NUM, contactName: 'Ana', text: null, errorTitle: `to ${NUM}`, errorDetail: 'Ana blocked you',
      raw: { from: NUM }, details: { caption: 'x' },
    });
    expect(ev).toEqual({
      contactId: '00000000001', contactName: 'Contact 1', text: null, errorTitle: 'to 00000000001', errorDetail: 'Contact 1 blocked you',
      raw: { from: '00000000001' }, details: { caption: REDACTED },
    });
  });
});

describe('request headers that prove or grant something', () => {
  it('are recognised by name, in any case', () => {
    for (const h of ['X-Hub-Signature-256', 'X-Twilio-Signature', 'Authorization', 'Proxy-Authorization', 'Cookie', 'Set-Cookie', 'X-Api-Key', 'x-client-secret', 'X-Auth-Token']) {
      expect(isSecretHeader(h), h).toBe(true);
    }
    for (const h of ['content-type', 'user-agent', 'x-request-id', 'accept', 'x-forwarded-for']) expect(isSecretHeader(h), h).toBe(false);
  });
});

describe('redactRequest', () => {
  it('drops secret headers, redacts the body by its Content-Type and the query as a form, keeps the rest', () => {
    const p = createPseudonymiser();
    const r = redactRequest(p, {
      id: 9, body: 'Body=hi&From=x', bodyIsText: true, query: 'hub.verify_token=s3cret&hub.mode=subscribe',
      headers: [['Content-Type', 'application/x-www-form-urlencoded'], ['X-Twilio-Signature', 'abc'], ['Host', 'h']],
    } as never) as unknown as Record<string, unknown>;
    expect(r).toEqual({
      id: 9, body: `Body=${encodeURIComponent(REDACTED)}&From=${encodeURIComponent(REDACTED)}`, bodyIsText: true,
      query: `hub.verify_token=${encodeURIComponent(REDACTED)}&hub.mode=subscribe`,
      headers: [['Content-Type', 'application/x-www-form-urlencoded'], ['Host', 'h']],
    });
  });

  it('a binary body is withheld; an empty query stays empty; no Content-Type means JSON is tried', () => {
    const p = createPseudonymiser();
    expect(redactRequest(p, { body: 'AAEC', bodyIsText: false, headers: [], query: '' }))
      .toEqual({ body: '[redacted: a binary body]', bodyIsText: true, headers: [], query: '' });
    expect(redactRequest(p, { body: 'Body=hi', bodyIsText: true, headers: [], query: '' }).body)
      .toBe('[redacted: 7 characters that are neither JSON nor a form]');
  });
});

describe('the verify token in a stored query', () => {
  it('its value is replaced, either spelling, any case, however the key is encoded', () => {
    const r = encodeURIComponent(TOKEN_REDACTED);
    expect(redactVerifyToken('hub.mode=subscribe&hub.verify_token=s3cret&hub.challenge=42'))
      .toBe(`hub.mode=subscribe&hub.verify_token=${r}&hub.challenge=42`);
    expect(redactVerifyToken('hub_verify_token=s3cret')).toBe(`hub_verify_token=${r}`);
    expect(redactVerifyToken('HUB.VERIFY_TOKEN=s3cret')).toBe(`HUB.VERIFY_TOKEN=${r}`);
    expect(redactVerifyToken('hub%2Everify_token=s3cret')).toBe(`hub%2Everify_token=${r}`);
    // Escapes anywhere in the key: the text "verify_token" need not appear for the key to be it.
    expect(redactVerifyToken('a=1&hub.verify%5Ftoken=s3cret')).toBe(`a=1&hub.verify%5Ftoken=${r}`);
    expect(redactVerifyToken('hub.%76erify_token=s3cret')).toBe(`hub.%76erify_token=${r}`);
    expect(redactVerifyToken('hub.verify_token')).toBe(`hub.verify_token=${r}`);
    expect(redactVerifyToken('hub.verify_token=a=b')).toBe(`hub.verify_token=${r}`);
  });

  it('other parameters, look-alike keys and undecodable keys are left as they are', () => {
    for (const q of ['', 'a=1', 'a=verify_token', 'xhub.verify_token=1', 'hub.verify_tokens=1', 'hub+verify_token=1', '%zz=verify_token']) {
      expect(redactVerifyToken(q), q).toBe(q);
    }
    expect(redactVerifyToken('%zz=1&hub.verify_token=s')).toBe(`%zz=1&hub.verify_token=${encodeURIComponent(TOKEN_REDACTED)}`);
  });
});
