// shared/rules.ts: every condition, combinators, folding, regex safety, templates, windows, presets.
import { describe, expect, it } from 'vitest';
import type { RuleInput, RuleWhen } from '../../shared/types';
import {
  compileRule, foldText, inQuietHours, OPT_OUT_REGEX, regexSafetyProblem, renderTemplate,
  RULE_PRESETS, ruleFromEvent, validateRule, globDigitsMatch, CONTACT_ID_MAX,
} from '../../shared/rules';
import { ev, failed, m, noLead, rule, yesLead } from '../helpers/rule-events';

describe('foldText', () => {
  it('lower-cases and strips accents', () => {
    expect(foldText('Sí, AÇÃO Über')).toBe('si, acao uber');
    expect(foldText('İstanbul')).toBe('istanbul');
  });
});

describe('conditions', () => {
  it('an empty when, empty lists and empty strings do not constrain', () => {
    expect(m({}, ev())).toBe(true);
    expect(m({ kind: [], status: [], text: '', contact: '' }, ev())).toBe(true);
  });

  it('kind, status, provider, signature, messageType, errorCode', () => {
    expect(m({ kind: ['message'] }, ev())).toBe(true);
    expect(m({ kind: ['status'] }, ev())).toBe(false);
    expect(m({ status: ['failed', 'read'] }, failed())).toBe(true);
    expect(m({ status: ['failed'] }, ev({ kind: 'account', status: null }))).toBe(false);
    expect(m({ provider: ['twilio'] }, ev())).toBe(false);
    expect(m({ provider: ['meta', 'twilio'] }, ev())).toBe(true);
    expect(m({ signature: ['invalid', 'missing'] }, ev({ signature: 'invalid' }))).toBe(true);
    expect(m({ signature: ['invalid'] }, ev())).toBe(false);
    expect(m({ messageType: ['image', 'text'] }, ev())).toBe(true);
    expect(m({ messageType: ['Image'] }, ev({ messageType: 'image' }))).toBe(true);
    expect(m({ messageType: ['image'] }, ev())).toBe(false);
    expect(m({ errorCode: ['131047', '131026'] }, failed())).toBe(true);
    expect(m({ errorCode: ['131026'] }, failed())).toBe(false);
    expect(m({ errorCode: ['131026'] }, ev())).toBe(false);
  });

  it('contact: exact numbers, lists, formatting ignored, * patterns', () => {
    expect(m({ contact: '5511999990000' }, ev())).toBe(true);
    expect(m({ contact: '+55 (11) 99999-0000' }, ev())).toBe(true);
    expect(m({ contact: '551199999000' }, ev())).toBe(false); // exact means exact, not a prefix
    expect(m({ contact: '5511*' }, ev())).toBe(true);
    expect(m({ contact: '5521*' }, ev())).toBe(false);
    expect(m({ contact: '*0000' }, ev())).toBe(true);
    expect(m({ contact: '55*9999*' }, ev())).toBe(true);
    expect(m({ contact: '4470000, 5511*' }, ev())).toBe(true);
    expect(m({ contact: '4470000; 4471111' }, ev())).toBe(false);
    expect(m({ contact: '5511*' }, ev({ contactId: null }))).toBe(false);
  });

  it('contact name: whole words, case- and accent-insensitive', () => {
    expect(m({ contactName: 'ana' }, ev())).toBe(true);
    expect(m({ contactName: 'SOUZA' }, ev())).toBe(true);
    expect(m({ contactName: 'ana' }, ev({ contactName: 'Mariana' }))).toBe(false);
    expect(m({ contactName: 'jose' }, ev({ contactName: 'José Silva' }))).toBe(true);
    expect(m({ contactName: 'ana' }, ev({ contactName: null }))).toBe(false);
  });

  it('text: accents and case ("Sí" matches "si"), whole words, phrases, * inside words', () => {
    expect(m({ text: 'si' }, ev({ text: 'Sí, claro' }))).toBe(true);
    expect(m({ text: 'Sí' }, ev({ text: 'si' }))).toBe(true);
    expect(m({ text: 'APPOINTMENT' }, ev({ text: 'about my appointment tomorrow' }))).toBe(true);
    expect(m({ text: 'stop' }, ev({ text: 'stopwatch' }))).toBe(false);
    expect(m({ text: 'stop' }, ev({ text: 'nonstop' }))).toBe(false);
    expect(m({ text: 'stop' }, ev({ text: 'Please STOP!' }))).toBe(true);
    expect(m({ text: 'thank you' }, ev({ text: 'ok,  Thank   you.' }))).toBe(true);
    expect(m({ text: 'confirm*' }, ev({ text: 'Confirmação recebida' }))).toBe(true);
    expect(m({ text: 'confirm*' }, ev({ text: 'I confirmed' }))).toBe(true);
    expect(m({ text: 'confirm*' }, ev({ text: 'unconfirmed' }))).toBe(false);
    expect(m({ text: '!!' }, ev({ text: 'wow!!' }))).toBe(true); // no boundary where the phrase is not letters
    expect(m({ text: 'R$' }, ev({ text: 'custa 10 R$' }))).toBe(true);
    expect(m({ text: 'R$' }, ev({ text: 'custa 10R$' }))).toBe(false); // …but a leading letter still needs one
    expect(m({ text: 'a.b' }, ev({ text: 'axb' }))).toBe(false); // regex characters are literal
    expect(m({ text: 'hello' }, ev({ text: null }))).toBe(false);
  });

  it('textRegex: case- and accent-insensitive, on folded text', () => {
    expect(m({ textRegex: '^(stop|sair)$' }, ev({ text: 'SAIR' }))).toBe(true);
    expect(m({ textRegex: '^(stop|sair)$' }, ev({ text: 'sair daqui' }))).toBe(false);
    expect(m({ textRegex: 'não' }, ev({ text: 'NAO' }))).toBe(true);
    expect(m({ textRegex: '\\d{4}' }, ev({ text: 'pedido 1234' }))).toBe(true);
    expect(m({ textRegex: 'x' }, ev({ text: null }))).toBe(false);
  });

  it('textRegex only looks at the first 2,000 characters', () => {
    expect(m({ textRegex: 'needle' }, ev({ text: `${'a '.repeat(1500)}needle` }))).toBe(false);
    expect(m({ textRegex: 'needle' }, ev({ text: `${'a '.repeat(900)}needle` }))).toBe(true);
  });

  it('an unusable regex never matches (and compileRule says why)', () => {
    expect(m({ textRegex: '(a)\\1' }, ev({ text: 'aa' }))).toBe(false);
    expect(compileRule(rule({ when: { textRegex: '(a)\\1' } })).error).toMatch(/backreferences .* not supported/);
    expect(compileRule(rule({ when: { textRegex: '(' } })).error).toMatch(/does not compile/);
  });

  it('leadReply asks the context, only for messages; false means "not a lead reply"', () => {
    expect(m({ leadReply: true }, ev(), yesLead)).toBe(true);
    expect(m({ leadReply: true }, ev(), noLead)).toBe(false);
    expect(m({ leadReply: true }, failed(), yesLead)).toBe(false);
    expect(m({ leadReply: false }, ev(), noLead)).toBe(true);
    expect(m({ leadReply: false }, ev(), yesLead)).toBe(false);
  });

  it('leadReply is asked only after the cheap conditions hold', () => {
    let asked = 0;
    const ctx = { isLeadReply: () => { asked++; return true; } };
    m({ kind: ['status'], leadReply: true }, ev(), ctx);
    expect(asked).toBe(0);
  });
});

describe('combinators', () => {
  it('all fields must hold', () => {
    expect(m({ kind: ['message'], text: 'hello', contact: '5511*' }, ev())).toBe(true);
    expect(m({ kind: ['message'], text: 'hello', contact: '5521*' }, ev())).toBe(false);
  });

  it('any: at least one sub-when, together with the other fields', () => {
    const w: RuleWhen = { kind: ['message'], any: [{ text: 'appointment' }, { text: 'confirm*' }] };
    expect(m(w, ev({ text: 'appointment?' }))).toBe(true);
    expect(m(w, ev({ text: 'confirmed' }))).toBe(true);
    expect(m(w, ev({ text: 'hello' }))).toBe(false);
    expect(m(w, failed({ text: 'appointment' }))).toBe(false);
    expect(m({ any: [{ status: ['failed'] }, { kind: ['message'], leadReply: true }] }, ev(), yesLead)).toBe(true);
    expect(m({ any: [] }, ev())).toBe(true);
  });

  it('nested any', () => {
    const w: RuleWhen = { any: [{ provider: ['twilio'] }, { any: [{ text: 'x' }, { text: 'hello' }] }] };
    expect(m(w, ev())).toBe(true);
    expect(m(w, ev({ text: 'bye' }))).toBe(false);
  });
});

describe('regex safety (linear-time engine)', () => {
  it.each([
    ['(a)\\1', /backreference/],
    ['(?<n>a)\\k<n>', /backreference/],
    ['(?<=a)b', /lookbehind/],
    ['(?<!a)b', /lookbehind/],
    ['(?=.*a)b', /lookahead/],
    ['stop(?!watch)', /lookahead/],
    ['a'.repeat(201), /200 characters/],
  ])('refuses %s and says which construct to change', (pattern, why) => {
    const v = validateRule(rule({ when: { textRegex: pattern } }));
    expect(v.ok).toBe(false);
    if (!v.ok) {
      expect(v.message).toMatch(why);
      expect(v.message).toMatch(/^when\.textRegex: /);
      // Length is checked by the zod schema first (RULE_INVALID); the rest are REGEX_UNSAFE.
      if (pattern.length <= 200) expect(v.code).toBe('REGEX_UNSAFE');
    }
  });

  it.each([
    '^(stop|sair)$', '\\bconfirm\\w*', '(stop|sair)+', '^\\s*hi\\s*there\\s*$', '(?<name>ab)c', '[a-z]+\\d{2,4}',
    '^a.*b.*c', 'stop.*now|^a.*b.*c$', OPT_OUT_REGEX,
    // Patterns a backtracking engine could run away on: harmless here, so no longer refused.
    '(a+)+$', 'a*a*a*a*b', '(a|aa)*c', '.*a.*b.*c', '\\u00e9', '[(]',
  ])('accepts %s', (pattern) => {
    expect(regexSafetyProblem(pattern)).toBeNull();
    expect(validateRule(rule({ when: { textRegex: pattern } })).ok).toBe(true);
  });

  it('the JavaScript spellings RE2 lacks still mean what they say', () => {
    expect(m({ textRegex: '\\u0063af\\u00e9' }, ev({ text: 'CAFÉ' }))).toBe(false); // text accents are folded away; write patterns without them
    expect(m({ textRegex: '\\u0063af' }, ev({ text: 'Café' }))).toBe(true);
    expect(m({ textRegex: '(?<w>stop)' }, ev({ text: 'please STOP' }))).toBe(true);
    expect(m({ textRegex: '^stop$' }, ev({ text: 'stop now' }))).toBe(false);
  });

  it('patterns that stall a backtracking engine, and word matches, stay fast on hostile 10 kB texts', () => {
    const hostile = ['a'.repeat(10_000), 'ab'.repeat(5000), `${'a '.repeat(5000)}!`, '!'.repeat(10_000), `${'confirm'.repeat(1500)}x`];
    const whens: RuleWhen[] = [
      ...['a*a*a*a*b', '(a+)+$', '(a|aa)*c', '.*a.*b.*c.*d', '^a.*b.*c', 'confirm\\w*', OPT_OUT_REGEX].map((textRegex) => ({ textRegex })),
      { text: 'a*b*c' }, { text: 'confirm*x' }, { text: '*a*' },
    ];
    let matched = 0;
    for (const w of whens) for (const text of hostile) if (m(w, ev({ text }))) matched++;
    // Reaching this line at all is the point (a backtracking engine takes minutes on `a*a*a*a*b`
    // against 2,000 a's); the count shows the engine really ran.
    expect(matched).toBeGreaterThan(0);
    expect(m({ textRegex: 'a*a*a*a*b' }, ev({ text: `${'a'.repeat(300)}b` }))).toBe(true);
    expect(m({ textRegex: 'a*a*a*a*b' }, ev({ text: 'a'.repeat(300) }))).toBe(false);
  });

  it('reports a regex that does not compile as RULE_INVALID with the engine message', () => {
    const v = validateRule(rule({ when: { textRegex: '[a-' } }));
    expect(v.ok).toBe(false);
    if (!v.ok) { expect(v.code).toBe('RULE_INVALID'); expect(v.message).toMatch(/does not compile: missing closing \]/); }
    const big = validateRule(rule({ when: { textRegex: 'a{2000}' } }));
    expect(big.ok).toBe(false);
    if (!big.ok) expect(big.message).toMatch(/1000/);
  });

  it('checks regexes inside any', () => {
    const v = validateRule(rule({ when: { any: [{ text: 'x' }, { textRegex: '(x)\\1' }] } }));
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.message).toMatch(/^when\.any\[1\]\.textRegex/);
  });
});

describe('validateRule', () => {
  it('applies defaults and drops empty fields', () => {
    const v = validateRule({ name: '  Leads ', when: { kind: ['message'], text: '', status: [], leadReply: true } });
    expect(v.ok).toBe(true);
    if (v.ok) {
      expect(v.rule).toMatchObject({ name: 'Leads', enabled: true, title: '{contactName}', body: '{text}' });
      expect(v.rule.when).toEqual({ kind: ['message'], leadReply: true });
    }
  });

  it('refuses what the schema refuses, with the path', () => {
    const v = validateRule({ name: 'x', when: { kind: ['nope'] } });
    expect(v.ok).toBe(false);
    if (!v.ok) { expect(v.code).toBe('RULE_INVALID'); expect(v.message).toMatch(/when\.kind/); }
    expect(validateRule({ name: 'x', when: { bogus: 1 } }).ok).toBe(false);
    expect(validateRule({ name: '', when: { kind: ['message'] } }).ok).toBe(false);
  });

  it.each<[string, Partial<RuleInput>, RegExp]>([
    ['no conditions', { when: {} }, /at least one condition/],
    ['contact without digits', { when: { contact: 'abc' } }, /no digits/],
    ['contact with letters', { when: { contact: '5511abc*' } }, /only digits/],
    ['text only wildcards', { when: { text: '**' } }, /at least one letter/],
    ['text with many wildcards', { when: { text: 'a*b*c*d' } }, /at most 2/],
    ['empty quiet hours', { quietHours: { from: '22:00', to: '22:00' } }, /same time/],
    ['bad quiet hours', { quietHours: { from: '25:00', to: '07:00' } }, /HH:MM/],
    ['unknown placeholder', { title: '{contactname} replied' }, /unknown placeholder \{contactname\}/],
    ['half working hours', { when: {}, silence: { minutes: 10, from: '09:00' } }, /both from and to/],
    ['empty sub-when', { when: { any: [{}] } }, /no conditions/],
    ['too deep', { when: { any: [{ any: [{ any: [{ any: [{ text: 'x' }] }] }] }] } }, /nested deeper/],
  ])('refuses %s', (_label, over, why) => {
    const v = validateRule(rule(over));
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.message).toMatch(why);
  });

  it('accepts a silence rule without conditions', () => {
    expect(validateRule(rule({ when: {}, silence: { minutes: 30 } })).ok).toBe(true);
  });
});

describe('templates', () => {
  it('fills every placeholder', () => {
    const e = failed({ contactName: 'Ana', contactId: '5511', messageType: 'template', provider: 'twilio' });
    expect(renderTemplate('{contactName} {contactId} {status} {messageType} {provider} {errorCode} {errorTitle}', e))
      .toBe('Ana 5511 failed template Twilio 131047 Re-engagement message');
    expect(renderTemplate('{text}', ev({ text: 'Olá' }))).toBe('Olá');
  });

  it('falls back sensibly when values are missing', () => {
    expect(renderTemplate('{contactName}', ev({ contactName: null }))).toBe('+5511999990000');
    expect(renderTemplate('{contactName}', ev({ contactName: '  ', contactId: null }))).toBe('Unknown contact');
    expect(renderTemplate('{text}', ev({ text: null, messageType: 'image' }))).toBe('[image]');
    expect(renderTemplate('{errorTitle}', failed({ errorTitle: null, errorCode: '131026' }))).toBe('Message undeliverable');
    expect(renderTemplate('{errorTitle}', failed({ errorTitle: null, errorCode: '999' }))).toBe('error 999');
    expect(renderTemplate('{errorCode} / {errorTitle}', ev())).toBe('no code / unknown error');
    expect(renderTemplate('{status}', ev({ kind: 'account', status: null }))).toBe('account');
    expect(renderTemplate('{provider}', ev({ provider: null }))).toBe('unknown provider');
  });

  it('leaves unknown placeholders alone and takes extra vars', () => {
    expect(renderTemplate('{nope} {contactId}', ev())).toBe('{nope} 5511999990000');
    expect(renderTemplate('silent for {minutes} min', null, { minutes: '45' })).toBe('silent for 45 min');
  });

  it('caps the rendered length', () => {
    expect(renderTemplate('{text}', ev({ text: 'x'.repeat(5000) })).length).toBe(1000);
  });
});

describe('quiet hours', () => {
  const at = (hours: number, minutes = 0) => ({ hours, minutes });
  it('a window within one day: from inclusive, to exclusive', () => {
    const q = { from: '12:00', to: '14:00' };
    expect(inQuietHours(q, at(11, 59))).toBe(false);
    expect(inQuietHours(q, at(12, 0))).toBe(true);
    expect(inQuietHours(q, at(13, 59))).toBe(true);
    expect(inQuietHours(q, at(14, 0))).toBe(false);
  });
  it('a window wrapping midnight', () => {
    const q = { from: '22:00', to: '07:00' };
    expect(inQuietHours(q, at(21, 59))).toBe(false);
    expect(inQuietHours(q, at(22, 0))).toBe(true);
    expect(inQuietHours(q, at(23, 30))).toBe(true);
    expect(inQuietHours(q, at(0, 0))).toBe(true);
    expect(inQuietHours(q, at(6, 59))).toBe(true);
    expect(inQuietHours(q, at(7, 0))).toBe(false);
    expect(inQuietHours(q, at(12, 0))).toBe(false);
  });
  it('none, or an empty window, is never quiet', () => {
    expect(inQuietHours(null, at(3))).toBe(false);
    expect(inQuietHours(undefined, at(3))).toBe(false);
    expect(inQuietHours({ from: '08:00', to: '08:00' }, at(8))).toBe(false);
  });
});

describe('presets', () => {
  const preset = (id: string) => {
    const p = RULE_PRESETS.find((x) => x.id === id);
    if (!p) throw new Error(id);
    return compileRule(p.rule);
  };

  it('all validate unchanged', () => {
    expect(RULE_PRESETS.map((p) => p.id)).toEqual(['lead-replied', 'message-failed', 'opt-out', 'keyword', 'call-failed', 'flow-blocked', 'account-restricted', 'silence', 'unanswered-lead', 'daily-digest']);
    for (const p of RULE_PRESETS) {
      const v = validateRule(p.rule);
      expect(v.ok, p.id).toBe(true);
      if (v.ok) expect(v.rule).toEqual(p.rule);
    }
  });

  it('lead replied: incoming messages the store calls lead replies', () => {
    const r = preset('lead-replied');
    expect(r.matches(ev(), yesLead)).toBe(true);
    expect(r.matches(ev(), noLead)).toBe(false);
    expect(r.matches(failed(), yesLead)).toBe(false);
  });

  it('message failed: failed statuses only, with the error explained', () => {
    const p = RULE_PRESETS.find((x) => x.id === 'message-failed')!;
    const r = preset('message-failed');
    expect(r.matches(failed(), noLead)).toBe(true);
    expect(r.matches(failed({ status: 'delivered' }), noLead)).toBe(false);
    const e = failed({ contactId: '5511888', errorTitle: null });
    expect(renderTemplate(p.rule.title, e)).toBe('Message to +5511888 failed');
    expect(renderTemplate(p.rule.body, e)).toBe(
      'Re-engagement message (131047). More than 24 hours since the customer last wrote; send a template.');
  });

  it('opt-out: ambiguous words alone, unambiguous phrases anywhere', () => {
    const r = preset('opt-out');
    const yes = ['STOP', 'stop.', ' Parar! ', 'Sair', 'BAJA', 'cancelar', 'Unsubscribe', 'please unsubscribe me',
      'quero me descadastrar', 'Quiero darme de baja', 'opt-out', 'Não quero mais'];
    const no = ['stopwatch', "I can't stop laughing", 'cancelar minha consulta', 'sair amanhã?', 'hello'];
    for (const text of yes) expect(r.matches(ev({ text }), noLead), text).toBe(true);
    for (const text of no) expect(r.matches(ev({ text }), noLead), text).toBe(false);
    expect(r.matches(failed({ text: 'STOP' }), noLead)).toBe(false);
  });

  it('keyword: appointment / confirm words in incoming messages', () => {
    const r = preset('keyword');
    expect(r.matches(ev({ text: 'Can I change my Appointment?' }), noLead)).toBe(true);
    expect(r.matches(ev({ text: 'Confirmo, obrigado' }), noLead)).toBe(true);
    expect(r.matches(ev({ text: 'quero agendar' }), noLead)).toBe(true);
    expect(r.matches(ev({ text: 'thanks' }), noLead)).toBe(false);
  });

  it('silence: timer-driven, never matches events', () => {
    const r = preset('silence');
    expect(r.isSilence).toBe(true);
    expect(r.matches(ev(), yesLead)).toBe(false);
  });
});

describe('ruleFromEvent', () => {
  it('a failed status → same kind, status, contact and error code', () => {
    const r = ruleFromEvent(failed({ contactId: '5511888', signature: 'invalid' }));
    expect(r.when).toEqual({ kind: ['status'], status: ['failed'], contact: '5511888', errorCode: ['131047'], signature: ['invalid'] });
    expect(r.name).toBe('Failed (131047) to +5511888');
    expect(validateRule(r).ok).toBe(true);
    expect(compileRule(r).matches(failed({ contactId: '5511888', signature: 'invalid' }), noLead)).toBe(true);
    expect(compileRule(r).matches(failed({ contactId: '5511777', signature: 'invalid' }), noLead)).toBe(false);
  });

  it('a message → messages from that contact; other kinds validate too', () => {
    const r = ruleFromEvent(ev());
    expect(r.when).toEqual({ kind: ['message'], status: ['incoming'], contact: '5511999990000' });
    expect(r.name).toBe('Messages from Ana Souza');
    for (const e of [ev(), failed(), failed({ status: 'read', errorCode: null }), ev({ kind: 'account', status: null, contactId: null })]) {
      expect(validateRule(ruleFromEvent(e)).ok).toBe(true);
    }
  });
});

describe('contact globs (linear time)', () => {
  it('match exactly what the digits-only regex matched, on random patterns and ids', () => {
    let seed = 7;
    const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % n; };
    const pick = (alphabet: string, len: number) => Array.from({ length: len }, () => alphabet[rnd(alphabet.length)]).join('');
    for (let i = 0; i < 3000; i++) {
      const pattern = pick('12*', 1 + rnd(7));
      if (!/\d/.test(pattern) && pattern !== '*') continue;
      const id = pick('123', rnd(9));
      const re = new RegExp(`^${pattern.split('*').join('\\d*')}$`);
      expect(globDigitsMatch(pattern.split('*'), id), `${pattern} vs ${id}`).toBe(re.test(id));
    }
  });

  it('"*1*1*1*2" against thousands of digits answers at once; ids longer than any number match nothing', () => {
    expect(globDigitsMatch('*1*1*1*2'.split('*'), '1'.repeat(100_000))).toBe(false);
    expect(globDigitsMatch('*1*1*1*2'.split('*'), `${'1'.repeat(100_000)}2`)).toBe(true);
    expect(m({ contact: '*1*1*1*2' }, ev({ contactId: '1'.repeat(3000) }))).toBe(false);
    expect(m({ contact: '*1*1*1*2' }, ev({ contactId: '5511001002' }))).toBe(true);
    expect(m({ contact: '5511*' }, ev({ contactId: '5511001002' }))).toBe(true);
    expect(CONTACT_ID_MAX).toBeGreaterThanOrEqual(20);
  });
});
