// shared/rules.ts, the edges a user of rules would feel: which events a condition lets through, what
// the editor refuses and says, what a notification reads. Complements test/unit/rules.test.ts;
// docs/mutation.md keeps the score these tests hold the file to.
import { describe, expect, it } from 'vitest';
import type { HookEvent, RuleWhen } from '../../shared/types';
import {
  compileRule, compileTextRegex, ERROR_EXPLANATIONS, inTimeWindow, parseContactPattern, parseHhmm,
  regexSafetyProblem, renderTemplate, RULE_PRESETS, ruleFromEvent, validateRule,
} from '../../shared/rules';
import { ev, failed, m, noLead, rule, yesLead } from '../helpers/rule-events';
const refusal = (input: unknown) => {
  const v = validateRule(input);
  if (v.ok) throw new Error('expected a refusal');
  return v;
};

describe('contact conditions', () => {
  it('a contact pattern keeps digits and *, split on commas, semicolons and new lines', () => {
    expect(parseContactPattern('whatsapp:+55 (11) 99999-0000, WhatsApp:5521*;\n*1234 , abc, *')).toEqual(['5511999990000', '5521*', '*1234', '*']);
    expect(parseContactPattern('')).toEqual([]);
  });

  it('matches the contact by digits, however the provider wrote it', () => {
    expect(m({ contact: '5511999990000' }, ev({ contactId: 'whatsapp:+55 11 99999-0000' }))).toBe(true);
    expect(m({ contact: 'whatsapp:+5511999990000' }, ev())).toBe(true);
    expect(m({ contact: '4470000\n5511999990000' }, ev())).toBe(true);
  });

  it('* alone is any contact; * is any run of digits, anchored at both ends', () => {
    expect(m({ contact: '*' }, ev({ contactId: '1' }))).toBe(true);
    expect(m({ contact: '*' }, ev({ contactId: null }))).toBe(false);
    expect(m({ contact: '511*' }, ev())).toBe(false);
    expect(m({ contact: '*000' }, ev())).toBe(true);
    expect(m({ contact: '*999' }, ev())).toBe(false);
    expect(m({ contact: '5511*0000' }, ev())).toBe(true);
    expect(m({ contact: '5511*1111' }, ev())).toBe(false);
  });

  it('a contact without digits never matches, and compileRule says why', () => {
    expect(m({ contact: 'abc' }, ev())).toBe(false);
    expect(compileRule(rule({ when: { contact: 'abc' } })).error).toBe('contact "abc" holds no digits');
    expect(compileRule(rule({ when: { contact: 'abc', textRegex: '(a)\\1' } })).error).toBe('contact "abc" holds no digits');
    expect(compileRule(rule({ when: { contact: '5511*' } })).error).toBeNull();
    expect(m({ contact: '   ' }, ev({ contactId: null }))).toBe(true);
  });
});

describe('list conditions', () => {
  it('error codes and message types are compared trimmed; message types case-insensitively', () => {
    expect(m({ errorCode: [' 131047 '] }, failed())).toBe(true);
    expect(m({ messageType: [' IMAGE '] }, ev({ messageType: 'Image' }))).toBe(true);
    expect(m({ messageType: ['text'] }, ev({ messageType: null }))).toBe(false);
    expect(m({ errorCode: ['131047'] }, failed({ errorCode: null }))).toBe(false);
  });

  it('signals: any of the named ones the normaliser recognised', () => {
    const call = (signals: unknown) => ev({ kind: 'call', details: { signals } } as Partial<HookEvent>);
    expect(m({ signal: ['call_failed'] }, call(['other', 'call_failed']))).toBe(true);
    expect(m({ signal: ['call_failed', 'flow_blocked'] }, call(['flow_blocked']))).toBe(true);
    expect(m({ signal: ['call_failed'] }, call(['other']))).toBe(false);
    expect(m({ signal: ['call_failed'] }, call('call_failed'))).toBe(false);
    expect(m({ signal: ['call_failed'] }, call([{ call_failed: true }]))).toBe(false);
    expect(m({ signal: ['call_failed'] }, ev())).toBe(false);
    expect(m({ signal: [] }, ev())).toBe(true);
  });
});

describe('word matches (text, contact name)', () => {
  it('whitespace in the phrase matches any run of whitespace; the phrase is trimmed', () => {
    expect(m({ text: ' thank   you ' }, ev({ text: 'thank\n\tyou!' }))).toBe(true);
    expect(m({ text: 'thank you' }, ev({ text: 'thankyou' }))).toBe(false);
  });

  it('* at either end is letters inside the word, still within word boundaries', () => {
    expect(m({ text: '*firm' }, ev({ text: 'we confirm' }))).toBe(true);
    expect(m({ text: '*firm' }, ev({ text: 'confirmed' }))).toBe(false);
    expect(m({ text: 'con*ed' }, ev({ text: 'so confirmed.' }))).toBe(true);
    expect(m({ text: 'con*ed' }, ev({ text: 'con ed' }))).toBe(false);
    expect(m({ text: 'confirm*' }, ev({ text: 'confirm' }))).toBe(true);
    expect(m({ text: 'stop' }, ev({ text: 'stop' }))).toBe(true);
  });

  it('a phrase ending in punctuation has no boundary after it, but keeps the one before', () => {
    expect(m({ text: 'stop!' }, ev({ text: 'stop!!' }))).toBe(true);
    expect(m({ text: 'stop!' }, ev({ text: 'nonstop!' }))).toBe(false);
    expect(m({ text: '!stop' }, ev({ text: '!stopwatch' }))).toBe(false);
    expect(m({ text: '!stop' }, ev({ text: 'a!stop' }))).toBe(true);
  });

  it('only wildcards is no condition at all', () => {
    expect(m({ text: '**' }, ev({ text: null }))).toBe(true);
    expect(m({ contactName: '*' }, ev({ contactName: null }))).toBe(true);
  });

  it('the contact name is read for its first 200 characters; the text for its first 2,000', () => {
    expect(m({ contactName: 'ana' }, ev({ contactName: `${'x'.repeat(198)} ana` }))).toBe(false);
    expect(m({ contactName: 'ana' }, ev({ contactName: `${'x'.repeat(190)} ana` }))).toBe(true);
    expect(m({ text: 'needle' }, ev({ text: `${'a '.repeat(1000)}needle` }))).toBe(false);
    expect(m({ text: 'needle' }, ev({ text: `${'a '.repeat(996)}needle` }))).toBe(true);
  });

  it('the same when, evaluated again, gives the same answer', () => {
    const w: RuleWhen = { text: 'hello', contact: '5511*' };
    for (let i = 0; i < 2; i++) {
      expect(m(w, ev())).toBe(true);
      expect(m(w, ev({ text: 'bye' }))).toBe(false);
    }
  });
});

describe('lead replies and combinators', () => {
  it('leadReply false holds for events that are not messages, whatever the store says', () => {
    expect(m({ leadReply: false }, failed(), yesLead)).toBe(true);
    expect(m({ leadReply: true }, ev({ kind: 'call' }), yesLead)).toBe(false);
  });

  it('any reports the first broken sub-condition; a rule without problems has none', () => {
    const c = compileRule(rule({ when: { any: [{ text: 'x' }, { textRegex: '(a)\\1' }, { contact: 'zz' }] } }));
    expect(c.error).toMatch(/backreferences/);
    expect(c.isSilence).toBe(false);
    expect(compileRule(rule({ when: { any: [{ text: 'x' }] } })).error).toBeNull();
    expect(compileRule(rule({ when: {} })).matches(ev(), noLead)).toBe(true);
  });
});

describe('regexes', () => {
  it('says which limit a pattern breaks, in words', () => {
    expect(regexSafetyProblem('a'.repeat(201))).toBe('the pattern is 201 characters long; the limit is 200');
    expect(regexSafetyProblem('a'.repeat(200))).toBeNull();
    expect(regexSafetyProblem('(a)\\1')).toBe('backreferences (\\1, \\k<name>) are not supported: they need a backtracking engine, which can run for ever on some texts');
    expect(regexSafetyProblem('(?<=a)b')).toBe('lookbehind ((?<=…), (?<!…)) is not supported: match the preceding text directly instead');
    expect(regexSafetyProblem('a(?=b)')).toBe('lookahead ((?=…), (?!…)) is not supported: match the following text directly, or use two rules');
  });

  it('escaped characters and character classes are not read as constructs', () => {
    for (const p of ['\\(?=x', '\\(?<=x', '[(?=]', '[(?<!]', '\\\\1', '[\\1]', '[\\]\\1]', 'a\\\\k', '\\1'.slice(1)]) {
      expect(regexSafetyProblem(p), p).toBeNull();
    }
    expect(regexSafetyProblem('[a]\\2')).toMatch(/backreferences/);
    expect(regexSafetyProblem('\\\\\\1')).toMatch(/backreferences/);
    expect(regexSafetyProblem('[x](?!y)')).toMatch(/lookahead/);
  });

  it('repeat counts up to 1,000', () => {
    expect(compileTextRegex('a{1000}').ok).toBe(true);
    expect(compileTextRegex('a{2,}').ok).toBe(true);
    expect(compileTextRegex('a{1,1000}').ok).toBe(true);
    for (const [p, shown] of [['a{1001}', '{1001}'], ['a{1,1001}', '{1,1001}'], ['b{5}a{1001,}', '{1001,}']]) {
      expect(compileTextRegex(p), p).toEqual({
        ok: false, code: 'RULE_INVALID', message: `the regular expression does not compile: repeat counts above 1000 are not allowed (${shown})`,
      });
    }
  });

  it('names the refusal: unsafe constructs are REGEX_UNSAFE, a broken pattern is RULE_INVALID with the engine words', () => {
    expect(compileTextRegex('(?=a)')).toMatchObject({ ok: false, code: 'REGEX_UNSAFE', message: expect.stringMatching(/^the regular expression is not supported: lookahead/) });
    const broken = compileTextRegex('(');
    expect(broken).toMatchObject({ ok: false, code: 'RULE_INVALID' });
    if (!broken.ok) expect(broken.message).toMatch(/^the regular expression does not compile: missing closing \)/);
  });

  it('accents are stripped from the pattern as from the text; case is ignored', () => {
    const r = compileTextRegex('AÇÃO\\S');
    expect(r.ok && r.re.test('acaox')).toBe(true);
    expect(r.ok && r.re.test('acao ')).toBe(false);
  });
});

describe('times of day', () => {
  it('parseHhmm reads H:MM and HH:MM, trimmed, within a day', () => {
    expect(parseHhmm('9:05')).toBe(545);
    expect(parseHhmm(' 23:59 ')).toBe(1439);
    expect(parseHhmm('00:00')).toBe(0);
    for (const s of ['24:00', '23:60', '7:5', '007:00', '07:000', 'x07:00', '07:00x', '', 'aa:bb']) expect(parseHhmm(s), s).toBeNull();
  });

  it('a malformed bound is an empty window', () => {
    expect(inTimeWindow({ from: 'x', to: '10:00' }, { hours: 9, minutes: 0 })).toBe(false);
    expect(inTimeWindow({ from: '08:00', to: '25:00' }, { hours: 9, minutes: 0 })).toBe(false);
    expect(inTimeWindow({ from: '08:00', to: '10:00' }, { hours: 9, minutes: 30 })).toBe(true);
    expect(inTimeWindow({ from: '08:30', to: '10:00' }, { hours: 8, minutes: 29 })).toBe(false);
  });
});

describe('notification text', () => {
  it('every error the "Message failed" notification explains has a title and a hint', () => {
    for (const [code, { title, hint }] of Object.entries(ERROR_EXPLANATIONS)) {
      expect(title.trim(), code).not.toBe('');
      expect(hint.trim(), code).not.toBe('');
      expect(renderTemplate('{errorTitle} | {errorHint}', failed({ errorCode: code, errorTitle: null })), code).toBe(`${title} | ${hint}`);
    }
  });

  it('codes outside the short list are explained by the full catalogue, or fall back to the detail', () => {
    expect(renderTemplate('{errorHint}', failed({ errorCode: '138000' }))).toMatch(/^Enable calling/);
    expect(renderTemplate('{errorHint}', failed({ errorCode: '138999' }))).toMatch(/calling troubleshooting/);
    expect(renderTemplate('{errorHint}', failed({ errorCode: '999999', errorDetail: 'the detail' }))).toBe('the detail');
    expect(renderTemplate('[{errorHint}]', failed({ errorCode: null, errorDetail: null }))).toBe('[]');
    expect(renderTemplate('{errorHint}', failed({ errorCode: null, errorDetail: 'd' }))).toBe('d');
  });

  it('fallbacks: number, status, type and provider', () => {
    expect(renderTemplate('{contactId}', ev({ contactId: null }))).toBe('unknown number');
    expect(renderTemplate('{contactName}', ev({ contactName: '  Ana  ' }))).toBe('Ana');
    expect(renderTemplate('{errorTitle}', failed({ errorTitle: '  ' }))).toBe('Re-engagement message');
    expect(renderTemplate('[{text}]', ev({ text: null, messageType: null }))).toBe('[]');
    expect(renderTemplate('[{text}]', ev({ text: '' }))).toBe('[]');
    expect(renderTemplate('{status}', ev({ status: null, providerStatus: 'queued' }))).toBe('queued');
    expect(renderTemplate('{messageType}', ev({ kind: 'call', messageType: null }))).toBe('call');
    expect(renderTemplate('{provider}', ev({ provider: 'meta' }))).toBe('Meta');
    expect(renderTemplate('[{minutes}]', ev())).toBe('[]');
  });

  it('without an event: known placeholders are empty, unknown ones stay, vars are own values only', () => {
    expect(renderTemplate('{contactName}|{nope}|{toString}', null)).toBe('|{nope}|{toString}');
    expect(renderTemplate('{toString} {minutes}', ev(), { minutes: '5' })).toBe('{toString} 5');
    expect(renderTemplate('{contactName}', ev(), { contactName: 'override' })).toBe('override');
  });

  it('spaces and tabs collapse, the ends are trimmed, and a long text ends with …', () => {
    expect(renderTemplate(' \t{minutes}  a \t b {minutes} ', null)).toBe('a b');
    expect(renderTemplate('a\nb', null)).toBe('a\nb');
    const long = renderTemplate('{text}', ev({ text: 'y'.repeat(1200) }));
    expect(long).toBe(`${'y'.repeat(999)}…`);
    expect(renderTemplate('{text}', ev({ text: 'y'.repeat(1000) }))).toBe('y'.repeat(1000));
  });
});

describe('validation messages', () => {
  it('schema refusals name up to three paths, joined', () => {
    const v = refusal({ name: '', when: { kind: ['nope'], status: ['nope'] }, throttleSeconds: -1, title: 5 });
    expect(v.code).toBe('RULE_INVALID');
    expect(v.message.split('; ')).toHaveLength(3);
    expect(v.message).toMatch(/^\w[\w.]*: /);
    expect(refusal(null).message).not.toMatch(/^: /);
  });

  it('the editor\'s empty fields are dropped and the kept ones trimmed, inside any too', () => {
    const v = validateRule(rule({ when: { contact: ' 5511* ', text: ' hi ', contactName: ' Ana ', any: [{ text: ' x ', status: [], textRegex: '' }] } }));
    expect(v.ok && v.rule.when).toEqual({ contact: '5511*', text: 'hi', contactName: 'Ana', any: [{ text: 'x' }] });
  });

  it('contact: digits required, letters refused, the whatsapp: prefix allowed', () => {
    expect(refusal(rule({ when: { contact: 'abc' } })).message)
      .toBe('when.contact: "abc" holds no digits; use numbers like 5511999990000 or a pattern like 5511*');
    expect(refusal(rule({ when: { contact: '5511x' } })).message).toBe('when.contact: only digits, *, spaces, + - ( ) and commas are allowed');
    expect(validateRule(rule({ when: { contact: 'whatsapp:+55 (11) 9999-0000, 5521*; 44' } })).ok).toBe(true);
  });

  it('text and contact name: a letter besides *, at most two *', () => {
    expect(refusal(rule({ when: { contactName: ' * ' } })).message).toBe('when.contactName: give at least one letter or digit besides *');
    expect(refusal(rule({ when: { contactName: 'a*b*c*' } })).message).toBe('when.contactName: use at most 2 * wildcards');
    expect(validateRule(rule({ when: { text: 'a*b*', contactName: '*ana*' } })).ok).toBe(true);
  });

  it('regex refusals keep their code and say where', () => {
    expect(refusal(rule({ when: { textRegex: '(?=x)' } }))).toMatchObject({ code: 'REGEX_UNSAFE', message: expect.stringMatching(/^when\.textRegex: the regular expression is not supported/) });
    expect(refusal(rule({ when: { any: [{ text: 'x' }, { textRegex: '(' }] } }))).toMatchObject({ code: 'RULE_INVALID', message: expect.stringMatching(/^when\.any\[1\]\.textRegex: /) });
  });

  it('any: three levels accepted, a fourth refused; an empty sub-when is named by index', () => {
    expect(validateRule(rule({ when: { any: [{ any: [{ any: [{ text: 'x' }] }] }] } })).ok).toBe(true);
    expect(refusal(rule({ when: { any: [{ any: [{ any: [{ any: [{ text: 'x' }] }] }] }] } })).message).toBe('when.any[0].any[0].any[0].any: nested deeper than 3 levels');
    expect(refusal(rule({ when: { any: [{ text: 'x' }, {}] } })).message).toBe('when.any[1] has no conditions, so it would match every event');
    expect(refusal(rule({ when: { any: [{ text: 'x' }, { any: [{ contact: 'q' }] }] } })).message).toMatch(/^when\.any\[1\]\.any\[0\]\.contact: /);
  });

  it('timers: one kind per rule, working hours whole and not empty, a daily digest needs its time', () => {
    expect(refusal(rule({ when: {}, silence: { minutes: 5 }, digest: { every: 'hour' } })).message).toBe('silence and digest: a rule is one kind of timer; make separate rules');
    expect(refusal(rule({ when: {}, unanswered: { minutes: 5, to: '18:00' } })).message).toBe('unanswered: give both from and to for working hours, or neither');
    expect(refusal(rule({ when: {}, unanswered: { minutes: 5, from: '09:00', to: '09:00' } })).message).toBe('unanswered: working hours from and to are the same time');
    expect(refusal(rule({ when: {}, silence: { minutes: 5, from: '09:00', to: '09:00' } })).message).toBe('silence: working hours from and to are the same time');
    expect(refusal(rule({ when: {}, title: 'd', body: 'd', digest: { every: 'day' } })).message).toBe('digest: a daily digest needs a time, e.g. "at": "18:00"');
    expect(validateRule(rule({ when: {}, title: 'd', body: 'd', digest: { every: 'hour' } })).ok).toBe(true);
    expect(validateRule(rule({ when: {}, unanswered: { minutes: 5, from: '09:00', to: '18:00' } })).ok).toBe(true);
    expect(validateRule(rule({ when: {}, unanswered: { minutes: 5 } })).ok).toBe(true);
  });

  it('no conditions and no timer: refused in words', () => {
    expect(refusal(rule({ when: {} })).message).toBe('when: add at least one condition; a rule without conditions would notify on every event');
    expect(refusal(rule({ when: { text: '  ' } })).message).toMatch(/^when: add at least one condition/);
  });

  it('quiet hours of the same time are refused; a real window is kept', () => {
    expect(refusal(rule({ quietHours: { from: '22:00', to: '22:00' } })).message)
      .toBe('quietHours: from and to are the same time; give a real window such as 22:00–07:00, or remove quiet hours');
    expect(validateRule(rule({ quietHours: { from: '22:00', to: '07:00' } })).ok).toBe(true);
  });

  it('placeholders: a digest has its own, listed when one is wrong; body checked like the title', () => {
    const digest = { when: {}, digest: { every: 'day' as const, at: '18:00' } };
    expect(validateRule(rule({ ...digest, title: '{period}', body: '{summary} {failed}' })).ok).toBe(true);
    expect(refusal(rule({ ...digest, title: '{contactName}', body: 'x' })).message)
      .toBe('title: unknown placeholder {contactName}; use {period}, {failed}, {leadsReplied}, {unanswered}, {summary}');
    expect(refusal(rule({ body: 'since {period}' })).message).toMatch(/^body: unknown placeholder \{period\}; use \{contactName\}, \{contactId\}, /);
  });

  it('a broken action is refused with its problem', () => {
    const v = validateRule(rule({ actions: [{ type: 'http', url: 'ftp://x' }] } as never));
    expect(v.ok).toBe(false);
  });
});

describe('presets say what they do', () => {
  it('every preset has an id, a name, a description, a title and a body', () => {
    expect(new Set(RULE_PRESETS.map((p) => p.id)).size).toBe(RULE_PRESETS.length);
    for (const p of RULE_PRESETS) {
      for (const s of [p.id, p.name, p.description, p.rule.name, p.rule.title, p.rule.body]) expect(s.trim(), p.id).not.toBe('');
    }
  });

  const preset = (id: string) => compileRule(RULE_PRESETS.find((x) => x.id === id)!.rule);
  const withSignals = (kind: HookEvent['kind'], signals: string[]) => ev({ kind, details: { signals } } as Partial<HookEvent>);

  it('call failed: call events carrying call_failed', () => {
    expect(preset('call-failed').matches(withSignals('call', ['call_failed']), noLead)).toBe(true);
    expect(preset('call-failed').matches(withSignals('message', ['call_failed']), noLead)).toBe(false);
    expect(preset('call-failed').matches(withSignals('call', []), noLead)).toBe(false);
  });

  it('flow blocked or throttled; account restricted, disabled, violation or alert', () => {
    for (const s of ['flow_blocked', 'flow_throttled']) expect(preset('flow-blocked').matches(withSignals('account', [s]), noLead), s).toBe(true);
    expect(preset('flow-blocked').matches(withSignals('account', ['account_alert']), noLead)).toBe(false);
    for (const s of ['account_restricted', 'account_disabled', 'account_violation', 'account_alert']) {
      expect(preset('account-restricted').matches(withSignals('account', [s]), noLead), s).toBe(true);
    }
    expect(preset('account-restricted').matches(withSignals('account', ['flow_blocked']), noLead)).toBe(false);
  });

  it('unanswered lead: lead replies; digest: timer only', () => {
    expect(preset('unanswered-lead').matches(ev(), yesLead)).toBe(true);
    expect(preset('unanswered-lead').matches(ev(), noLead)).toBe(false);
    expect(preset('unanswered-lead').matches(failed(), yesLead)).toBe(false);
    const d = RULE_PRESETS.find((x) => x.id === 'daily-digest')!.rule;
    expect(d.digest).toEqual({ every: 'day', at: '18:00' });
  });

  it('the notifications read as their names say', () => {
    const e = ev({ contactName: 'Ana', text: 'STOP' });
    const render = (id: string, x: HookEvent | null, vars?: Record<string, string>) => {
      const r = RULE_PRESETS.find((p) => p.id === id)!.rule;
      return `${renderTemplate(r.title, x, vars)} / ${renderTemplate(r.body, x, vars)}`;
    };
    expect(render('lead-replied', e)).toBe('Ana replied / STOP');
    expect(render('opt-out', e)).toBe('Ana wants to opt out / “STOP” — stop messaging this contact.');
    expect(render('keyword', e)).toBe('Ana mentioned an appointment / STOP');
    expect(render('call-failed', failed({ kind: 'call', contactName: 'Ana', errorCode: '138000', errorTitle: 'Calling not available' })))
      .toMatch(/^Call with Ana failed \/ Calling not available \(138000\)\. Enable calling/);
    expect(render('unanswered-lead', e, { minutes: '15' })).toBe('Ana is waiting for an answer / No reply for 15 minutes: “STOP”');
    expect(render('silence', null, { minutes: '60' })).toBe('No incoming messages for 60 minutes / Check the tunnel, the webhook URL in the provider and the phone number.');
    expect(render('daily-digest', null, { period: 'today', summary: 's' })).toBe('Hookscope digest, today / s');
  });
});

describe('"notify me about events like this"', () => {
  it('a message without a name or number', () => {
    const r = ruleFromEvent(ev({ contactName: null, contactId: null }));
    expect(r).toEqual({
      name: 'Incoming messages', enabled: true, when: { kind: ['message'], status: ['incoming'] },
      throttleSeconds: 60, quietHours: null, title: '{contactName} wrote', body: '{text}',
    });
  });

  it('a number without digits is no contact condition; a blank name falls back to the number', () => {
    expect(ruleFromEvent(ev({ contactId: 'unknown' })).when.contact).toBeUndefined();
    expect(ruleFromEvent(ev({ contactName: '  ', contactId: 'whatsapp:+5511' })).name).toBe('Messages from +5511');
  });

  it('a failed status without code or contact; other statuses and kinds', () => {
    expect(ruleFromEvent(failed({ contactId: null, errorCode: null }))).toMatchObject({
      name: 'Failed', title: 'Message to {contactName} failed', body: '{errorTitle} ({errorCode}). {errorHint}', throttleSeconds: 600,
    });
    expect(ruleFromEvent(failed({ status: 'read', errorCode: null, contactId: '5511' }))).toMatchObject({
      name: 'Read for +5511', title: '{contactName}: {status}', body: '{messageType} message {status}', throttleSeconds: 600,
    });
    expect(ruleFromEvent(failed({ status: null, errorCode: null, contactId: null })).name).toBe('Status');
    expect(ruleFromEvent(ev({ kind: 'account', status: null, contactId: null, contactName: null }))).toMatchObject({
      name: 'Account events', title: 'account event', body: '{provider} {status}', throttleSeconds: 60,
    });
    expect(ruleFromEvent(ev({ kind: 'call', status: null })).name).toBe('Call events for Ana Souza');
  });

  it('only a bad signature verdict becomes a condition; long names are cut to 120 characters', () => {
    expect(ruleFromEvent(ev({ signature: 'missing' })).when.signature).toEqual(['missing']);
    expect(ruleFromEvent(ev({ signature: 'valid' })).when.signature).toBeUndefined();
    expect(ruleFromEvent(ev({ signature: 'unchecked' })).when.signature).toBeUndefined();
    expect(ruleFromEvent(ev({ contactName: 'n'.repeat(300) })).name).toBe(`Messages from ${'n'.repeat(300)}`.slice(0, 120));
  });
});
