// The edges of shared/privacy.ts a mutation run found unpinned (docs/mutation.md): values with stray
// spaces, ids that only start with digits, a reply's target, arrays nested past the depth limit, the
// header that decides how a body is read, and pseudonym spaces that differ per export. Each slip shows
// a customer's number, name or message id in a screenshot or an export, or lets two exports be joined.
import { describe, expect, it } from 'vitest';
import { createPseudonymiser, REDACTED, redactRequest } from '../../shared/privacy';
import { redactVerifyToken } from '../../shared/redact';

const NUM = '5511999990000';
const NUM2 = '5521988887777';

describe('values with spaces around them are read as what they are', () => {
  it('a number with spaces keeps its + and its pseudonym', () => {
    const p = createPseudonymiser();
    expect(p.number(` +${NUM} `)).toBe('+00000000001');
  });

  it('under an unknown key, a spaced phone number is a number pseudonym, not the text marker', () => {
    const p = createPseudonymiser();
    expect(p.json({ wa_id: ` ${NUM}` })).toEqual({ wa_id: '00000000001' });
  });

  it('an id of digits with spaces is a business or media id (kept); one that only starts with digits is not', () => {
    const p = createPseudonymiser({ space: 'tst1' });
    expect(p.json({ id: ' 102290129340398 ' })).toEqual({ id: ' 102290129340398 ' });
    expect(p.json({ id: '123abc' })).toEqual({ id: 'tst1-1' });
  });
});

describe('ids', () => {
  it('empty and missing ids stay as they are', () => {
    const p = createPseudonymiser();
    expect(p.id('')).toBe('');
    expect(p.id(null)).toBeNull();
    expect(p.id(undefined)).toBeNull();
  });

  it('a reply\'s target message id is pseudonymised like the message\'s own', () => {
    const p = createPseudonymiser({ space: 'tst1' });
    const out = p.event({ messageId: 'wamid.A1', replyTo: 'wamid.B2' });
    expect(out.replyTo).toBe('wamid.tst1-2');
    expect(p.event({ replyTo: 'wamid.A1' }).replyTo).toBe(out.messageId);
  });

  it('each pseudonymiser draws its own space of four base-36 characters: two exports cannot be joined', () => {
    const spaces = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const id = createPseudonymiser().id('wamid.A1')!;
      expect(id).toMatch(/^wamid\.[0-9a-z]{4}-1$/);
      spaces.add(id);
    }
    expect(spaces.size).toBeGreaterThan(1);
  });
});

describe('numbers are learned from the payload\'s own fields before error texts are scrubbed', () => {
  it('a contact in an array keeps the first pseudonym even when an error quotes another number before it', () => {
    const p = createPseudonymiser();
    const out = p.json({ errors: [{ message: `Undeliverable to ${NUM2}` }], contacts: [{ wa_id: NUM }] }) as {
      errors: { message: string }[]; contacts: { wa_id: string }[];
    };
    expect(out.contacts[0].wa_id).toBe('00000000001');
    expect(out.errors[0].message).toBe('Undeliverable to 00000000002');
  });
});

describe('arrays nested past the depth limit are withheld, not walked', () => {
  it('a kept field 70 arrays deep is not shown', () => {
    const p = createPseudonymiser();
    let v: unknown = { type: 'text' };
    for (let i = 0; i < 70; i++) v = [v];
    const out = JSON.stringify(p.json(v));
    expect(out).not.toContain('"type":"text"');
    expect(out).toContain(JSON.stringify(REDACTED));
  });
});

describe('forms', () => {
  it('the verify token is withheld whole, even when it is all digits', () => {
    const p = createPseudonymiser();
    expect(p.form('hub.verify_token=12345678&hub.mode=subscribe')).toBe(`hub.verify_token=${encodeURIComponent(REDACTED)}&hub.mode=subscribe`);
  });
});

describe('redactRequest reads the body by its Content-Type header, not by the first header', () => {
  it('a form body after another header is redacted as a form', () => {
    const p = createPseudonymiser();
    const r = redactRequest(p, {
      body: `From=whatsapp%3A%2B${NUM}&SmsStatus=received`, bodyIsText: true, query: '',
      headers: [['accept', '*/*'], ['Content-Type', 'application/x-www-form-urlencoded']],
    });
    expect(r.body).toBe('From=whatsapp%3A%2B00000000001&SmsStatus=received');
  });
});

describe('the verify token in a stored query (shared/redact.ts)', () => {
  it('a key that only reads as the token\'s once its "+" (a space) is dropped is another parameter, kept as sent', () => {
    expect(redactVerifyToken('hub.verify_token+=abc&hub.verify_token=s3cret')).toBe('hub.verify_token+=abc&hub.verify_token=%5Bredacted%5D');
  });
});
