// The edges of shared/rules.ts a mutation run found unpinned (docs/mutation.md): what a rule refuses
// and with which error code, which texts a word condition finds, how long a sender id may be, what a
// working-hours window contains to the minute, and what a rule made from an event is called.
import { describe, expect, it } from 'vitest';
import { CONTACT_ID_MAX, compileTextRegex, inTimeWindow, ruleFromEvent, validateRule } from '../../shared/rules';
import { ev, m, rule } from '../helpers/rule-events';
const refusal = (input: unknown) => {
  const v = validateRule(input);
  if (v.ok) throw new Error('expected a refusal');
  return v;
};

describe('every refusal of the rule editor carries the RULE_INVALID code the API answers with', () => {
  it('contact, text, nesting, empty sub-conditions, timers', () => {
    for (const when of [
      { contact: 'abc' }, { contact: '5511 x' }, { contact: '5511whatsapp:1' }, { text: '**' }, { text: 'a*b*c*' },
      { any: [{}] }, { any: [{ any: [{ any: [{ any: [{ kind: ['message'] }] }] }] }] },
    ]) {
      expect(refusal(rule({ when } as never)).code, JSON.stringify(when)).toBe('RULE_INVALID');
    }
    expect(refusal(rule({ silence: { minutes: 5 }, digest: { every: 'day', at: '18:00' } } as never)).code).toBe('RULE_INVALID');
  });

  it('a shape the schema refuses names the field, or only the problem when the whole input is wrong', () => {
    const whole = refusal('not a rule');
    expect(whole.code).toBe('RULE_INVALID');
    expect(whole.message).toMatch(/^Invalid input/);
    expect(refusal(rule({ name: 5 } as never)).message).toMatch(/^name: /);
  });

  it('"whatsapp:" is allowed only in front of the number', () => {
    expect(validateRule(rule({ when: { contact: 'whatsapp:+5511*' } })).ok).toBe(true);
    expect(refusal(rule({ when: { contact: '5511 whatsapp:+1' } })).message).toMatch(/only digits/);
  });
});

describe('what validation keeps', () => {
  it('the rule\'s name without surrounding spaces', () => {
    const v = validateRule(rule({ name: '  Failed to Ana  ' }));
    expect(v.ok && v.rule.name).toBe('Failed to Ana');
  });

  it('a rule with valid actions is accepted; digest fields are allowed only in a digest\'s actions', () => {
    const http = (body: string) => [{ type: 'http', url: 'https://hooks.example.com/x', body }];
    expect(validateRule(rule({ actions: http('{"t": {text|json}}') } as never)).ok).toBe(true);
    expect(refusal(rule({ actions: http('{"s": {summary}}') } as never)).message).toMatch(/unknown field \{summary\}/);
    const digest = { when: {}, digest: { every: 'day', at: '18:00' }, title: 'Digest {period}', body: '{summary}' };
    expect(validateRule(rule({ ...digest, actions: http('{"s": {summary|json}}') } as never)).ok).toBe(true);
    expect(refusal(rule({ ...digest, actions: http('{"t": {contactName}}') } as never)).message).toMatch(/unknown field \{contactName\}/);
  });
});

describe('regexes: what looks like a lookahead only after an escape or a class is not one', () => {
  it('an escaped backslash or a character class before "?=" is allowed', () => {
    expect(compileTextRegex('(\\\\?=a)').ok).toBe(true);
    expect(compileTextRegex('([ab]?=x)').ok).toBe(true);
    expect(compileTextRegex('(?=a)')).toMatchObject({ ok: false, code: 'REGEX_UNSAFE' });
  });
});

describe('word conditions that end in a symbol match inside text', () => {
  it('"R$" finds "R$50"; "stop!" finds "stop!!" and "stop!ok"', () => {
    expect(m({ text: 'R$' }, ev({ text: 'pague R$50 hoje' }))).toBe(true);
    expect(m({ text: 'stop!' }, ev({ text: 'stop!ok' }))).toBe(true);
    // A word at the end still needs its boundary.
    expect(m({ text: 'stop' }, ev({ text: 'stopwatch' }))).toBe(false);
  });
});

describe('a sender id longer than any number matches no contact condition', () => {
  it(`ids up to ${CONTACT_ID_MAX} characters are compared; longer ones never match`, () => {
    const at = `5511${'9'.repeat(CONTACT_ID_MAX - 4)}`;
    expect(at).toHaveLength(CONTACT_ID_MAX);
    expect(m({ contact: '5511*' }, ev({ contactId: at }))).toBe(true);
    expect(m({ contact: '5511*' }, ev({ contactId: `${at}9` }))).toBe(false);
  });
});

describe('working hours to the minute', () => {
  it('09:30–10:00 holds 09:30 and 09:45, not 09:15 or 10:00', () => {
    const w = { from: '09:30', to: '10:00' };
    expect(inTimeWindow(w, { hours: 9, minutes: 30 })).toBe(true);
    expect(inTimeWindow(w, { hours: 9, minutes: 45 })).toBe(true);
    expect(inTimeWindow(w, { hours: 9, minutes: 15 })).toBe(false);
    expect(inTimeWindow(w, { hours: 10, minutes: 0 })).toBe(false);
  });
});

describe('a rule made from an event', () => {
  it('only a failed status is named "Failed"; another kind with a failed status is named by its kind', () => {
    expect(ruleFromEvent(ev({ kind: 'status', status: 'failed', errorCode: '131047', contactName: null })).name).toBe('Failed (131047) to +5511999990000');
    const call = ruleFromEvent(ev({ kind: 'call', status: 'failed', contactName: null }));
    expect(call.name).toBe('Call events for +5511999990000');
    expect(call.title).toBe('call event');
  });
});
