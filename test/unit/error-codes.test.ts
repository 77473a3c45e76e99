import { describe, expect, it } from 'vitest';
import { explainError } from '../../shared/error-codes';
import { normaliseMeta } from '../../shared/normalise';
import { fixture } from '../helpers/fixtures';

// The codes Meta documents for the Cloud API, and Twilio's codes with the WhatsApp errors they pair with
// (the catalogue is shared/error-codes.ts; docs/webhooks.md, "Error codes").
const META_CODES = ['0', '130429', '130472', '131000', '131005', '131008', '131009', '131014', '131016', '131021', '131026', '131031',
  '131042', '131045', '131047', '131048', '131049', '131050', '131051', '131052', '131053', '131056', '132000', '132001', '132005',
  '132007', '132012', '132015', '132016', '133010', '470', '1006', '1026'];
const TWILIO_CODES = ['63016', '63018', '63003', '63024', '63032'];
const PAIRINGS: [string, string[]][] = [
  ['63016', ['131047', '470']],
  ['63018', ['429', '471', '1015']],
  ['63003', ['1006', '1013', '1021']],
  ['63024', ['1002', '1026']],
  ['63032', ['472', '130472']],
];

describe('explainError', () => {
  it('null only when there is no code', () => {
    expect(explainError(null)).toBeNull();
    expect(explainError(undefined)).toBeNull();
    expect(explainError('')).toBeNull();
    expect(explainError('   ')).toBeNull();
    expect(explainError(Number.NaN)).toBeNull();
  });

  it('knows every code in the docs tables, with wording a person can act on', () => {
    for (const code of [...META_CODES, ...TWILIO_CODES]) {
      const e = explainError(code);
      expect(e, code).not.toBeNull();
      expect(e!.known, code).toBe(true);
      expect(e!.code).toBe(code);
      expect(e!.title.length, code).toBeGreaterThan(3);
      expect(e!.meaning.length, code).toBeGreaterThan(20);
      expect(e!.action.length, code).toBeGreaterThan(5);
    }
  });

  it('131047 / 63016 / 470 are the same failure under three numberings', () => {
    const meta = explainError(131047, 'meta')!;
    expect(meta).toMatchObject({ code: '131047', title: 'Re-engagement message', known: true });
    expect(meta.meaning).toMatch(/24 hours/);
    expect(meta.action).toMatch(/template/);
    expect(meta.related).toEqual(expect.arrayContaining(['63016', '470']));
    expect(meta.link).toBe('https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/');
    const tw = explainError('63016', 'twilio')!;
    expect(tw.related).toEqual(expect.arrayContaining(['131047', '470']));
    expect(tw.meaning).not.toMatch(/\d{5}/); // plain words; the codes travel in `related`
    expect(tw.link).toBe('https://www.twilio.com/docs/api/errors/63016');
  });

  it('Twilio ↔ legacy WhatsApp pairings from Twilio\'s mapping page', () => {
    for (const [twilio, whatsapp] of PAIRINGS) {
      expect(explainError(twilio, 'twilio')!.related, twilio).toEqual(expect.arrayContaining(whatsapp));
      for (const w of whatsapp) {
        const back = explainError(w);
        expect(back?.known, w).toBe(true);
        expect(back!.related, w).toContain(twilio);
      }
    }
  });

  it('every pairing points both ways and at a known code', () => {
    for (const code of [...META_CODES, ...TWILIO_CODES, '429', '471', '472', '1002', '1013', '1015', '1021', '63049', '63027', '63028']) {
      for (const r of explainError(code)!.related ?? []) {
        const other = explainError(r);
        expect(other?.known, `${code} → ${r}`).toBe(true);
        expect(other!.related ?? [], `${r} ↛ ${code}`).toContain(code);
      }
    }
  });

  it('the catalogue titles are the ones Meta sends (corpus failed statuses)', () => {
    for (const f of ['meta/status-failed.json', 'meta/status-failed-minimal-error.json']) {
      const [ev] = normaliseMeta(JSON.parse(fixture(f).toString('utf8')));
      expect(explainError(ev.errorCode, 'meta')!.title, f).toBe(ev.errorTitle);
    }
  });

  it('numbers and padded strings are the same code', () => {
    expect(explainError(131026)!.code).toBe('131026');
    expect(explainError(' 131026 ')!).toMatchObject({ code: '131026', known: true, title: 'Message undeliverable' });
  });

  it('unknown codes get generic wording that says where to look, not null', () => {
    const any = explainError('999999')!;
    expect(any).toMatchObject({ code: '999999', known: false, title: 'Error 999999' });
    expect(any.meaning).toMatch(/does not know/);
    expect(any.action).toMatch(/developers\.facebook\.com/);
    expect(any.action).toMatch(/twilio\.com/);
    expect(any.related).toBeUndefined();
    expect(explainError('12345', 'twilio')).toMatchObject({ known: false, link: 'https://www.twilio.com/docs/api/errors/12345' });
    expect(explainError('12345', 'meta')!.action).toMatch(/Meta/);
    // Names of Object.prototype members are not codes.
    for (const weird of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) expect(explainError(weird)!.known, weird).toBe(false);
  });

  it('the provider hint only orders the lookup: a Meta code in a Twilio callback is still explained', () => {
    expect(explainError('131047', 'twilio')).toMatchObject({ known: true, title: 'Re-engagement message' });
    expect(explainError('63016', 'meta')).toMatchObject({ known: true, title: 'Outside the 24-hour window: use a template' });
  });

  it('returns a fresh related array each call (callers may mutate it)', () => {
    explainError('131047')!.related!.push('x');
    expect(explainError('131047')!.related).not.toContain('x');
  });
});
