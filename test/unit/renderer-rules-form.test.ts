// The rule editor's form model: presets and "from event" rules survive form → rule unchanged (as the
// core normalises them), bad input is refused with a message, summaries read well.
import { describe, expect, it } from 'vitest';
import { RULE_PRESETS, ruleFromEvent, validateRule } from '../../shared/rules';
import type { HookEvent } from '../../shared/types';
import { BLANK_FORM, describeRule, formFromRule, ruleFromForm, splitList, toggleIn } from '../../renderer/features/rules/rule-form';

const normalised = (r: unknown) => {
  const v = validateRule(r);
  if (!v.ok) throw new Error(v.message);
  return v.rule;
};

function ev(over: Partial<HookEvent> = {}): HookEvent {
  return {
    id: 1, requestId: 1, receivedAt: 0, signature: 'valid', duplicate: false, provider: 'meta', kind: 'status', status: 'failed',
    providerStatus: 'failed', messageId: 'wamid.1', contactId: '5511999990000', contactName: 'Ana', businessId: null, messageType: null,
    text: null, replyTo: null, errorCode: '131026', errorTitle: null, errorDetail: null, timestamp: 0, ...over,
  };
}

describe('rule form', () => {
  it.each(RULE_PRESETS.map((p) => [p.id, p.rule] as const))('round-trips the %s preset', (_id, rule) => {
    const out = ruleFromForm(formFromRule(rule));
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    expect(normalised(out.rule)).toEqual(normalised(rule));
  });

  it('round-trips a rule made from an event, and keeps every condition field', () => {
    const rule = ruleFromEvent(ev({ signature: 'invalid' }));
    const out = ruleFromForm(formFromRule(rule));
    expect(out.ok && normalised(out.rule)).toEqual(normalised(rule));
    const full = {
      ...rule,
      when: {
        kind: ['message' as const], status: ['incoming' as const], provider: ['twilio' as const], contact: '5511*', contactName: 'Ana',
        text: 'appointment*', textRegex: '^hi', errorCode: ['1', '2'], messageType: ['text', 'image'], signature: ['valid' as const],
        leadReply: false, any: [{ text: 'urgent' }],
      },
      throttleSeconds: 0, quietHours: { from: '22:00', to: '07:00' },
    };
    const back = ruleFromForm(formFromRule(full));
    expect(back.ok && back.rule.when).toEqual(full.when);
    expect(back.ok && back.rule.quietHours).toEqual({ from: '22:00', to: '07:00' });
    expect(back.ok && back.rule.throttleSeconds).toBe(0);
  });

  it('drops untouched fields and reads lists from commas or spaces', () => {
    const out = ruleFromForm({ ...BLANK_FORM, name: ' Mine ', text: '  appointment ', errorCodes: '131026,  131047 131026', messageTypes: '' });
    expect(out).toEqual({
      ok: true,
      rule: { name: 'Mine', enabled: true, when: { kind: ['message'], text: 'appointment', errorCode: ['131026', '131047'] },
        quietHours: null, throttleSeconds: 60, title: '{contactName}', body: '{text}' },
    });
    expect(splitList(' a; b ,c  a ')).toEqual(['a', 'b', 'c']);
  });

  it('refuses what cannot be sent, saying which field', () => {
    const bad = (patch: Partial<typeof BLANK_FORM>) => {
      const r = ruleFromForm({ ...BLANK_FORM, name: 'x', ...patch });
      return r.ok ? null : r.error;
    };
    expect(bad({ anyJson: '[{"text": ' })).toMatch(/^Any of \(advanced\): not valid JSON/);
    expect(bad({ anyJson: '{"text": "x"}' })).toMatch(/JSON array of condition objects/);
    expect(bad({ anyJson: '[1]' })).toMatch(/JSON array/);
    expect(bad({ throttleSeconds: '1.5' })).toMatch(/^Throttle seconds/);
    expect(bad({ throttleSeconds: '-1' })).toMatch(/^Throttle seconds/);
    expect(bad({ quietFrom: '22:00' })).toMatch(/^Quiet hours: give both/);
    expect(bad({ silence: true, silenceMinutes: 'ten' })).toMatch(/^Silence minutes/);
    expect(bad({ silence: true, silenceFrom: '09:00' })).toMatch(/^Silence working hours/);
    expect(bad({ throttleSeconds: '' })).toBeNull();
    expect(bad({ anyJson: '  ' })).toBeNull();
  });

  it('leaves the rest to the core: an unsafe regex is sent as typed and refused there', () => {
    const r = ruleFromForm({ ...BLANK_FORM, name: 'x', textRegex: '(a)\\1' });
    expect(r.ok).toBe(true);
    if (r.ok) expect(validateRule(r.rule).ok).toBe(false);
  });

  it('describes rules in one line', () => {
    expect(describeRule(RULE_PRESETS.find((p) => p.id === 'keyword')!.rule)).toBe('message · any of (text “appointment*” | text “confirm*” | text “agend*”)');
    expect(describeRule(RULE_PRESETS.find((p) => p.id === 'silence')!.rule)).toBe('no incoming message for 60 min between 09:00 and 18:00');
    expect(describeRule({ when: { kind: ['status'], status: ['failed'], errorCode: ['131026'], leadReply: true } })).toBe('status · status failed · error 131026 · lead reply');
    expect(describeRule({ when: {} })).toBe('every event');
  });

  it('toggles list values in canonical order', () => {
    const all = ['a', 'b', 'c'] as const;
    expect(toggleIn(['c'], 'a', all)).toEqual(['a', 'c']);
    expect(toggleIn(['a', 'c'], 'a', all)).toEqual(['c']);
  });
});

describe('rule form: actions and timers', () => {
  it('http actions go first and notify last; the secret is sent only when typed or cleared', () => {
    const base = { ...BLANK_FORM, name: 'x', kind: ['message' as const] };
    expect(ruleFromForm(base)).toMatchObject({ ok: true, rule: { name: 'x' } });
    const none = ruleFromForm(base);
    if (none.ok) expect(none.rule.actions).toBeUndefined(); // default: notify
    const h = { preset: 'slack' as const, url: ' https://hooks.slack.com/services/T/B/X ', method: 'POST' as const,
      headers: 'content-type: application/json\nX-Team:  sales', body: '{"text": {message|slack|json}}', secret: '', secretSet: true, clearSecret: false };
    const kept = ruleFromForm({ ...base, http: [h] });
    expect(kept.ok && kept.rule.actions).toEqual([
      { type: 'http', url: 'https://hooks.slack.com/services/T/B/X', method: 'POST', preset: 'slack',
        headers: { 'content-type': 'application/json', 'X-Team': 'sales' }, body: '{"text": {message|slack|json}}' },
      { type: 'notify' },
    ]);
    const typed = ruleFromForm({ ...base, notify: false, http: [{ ...h, secret: 's3' }] });
    expect(typed.ok && typed.rule.actions).toEqual([expect.objectContaining({ secret: 's3' })]);
    const cleared = ruleFromForm({ ...base, http: [{ ...h, clearSecret: true }] });
    expect(cleared.ok && cleared.rule.actions?.[0]).toMatchObject({ secret: null });
    expect(ruleFromForm({ ...base, notify: false })).toEqual({ ok: false, error: expect.stringMatching(/turn on the desktop notification or add an HTTP action/) });
    expect(ruleFromForm({ ...base, http: [{ ...h, headers: 'no colon here' }] })).toEqual({ ok: false, error: expect.stringMatching(/Name: value/) });
  });

  it('round-trips unanswered and digest rules and the presets that use them', () => {
    for (const id of ['unanswered-lead', 'daily-digest']) {
      const p = RULE_PRESETS.find((x) => x.id === id)!.rule;
      const r = ruleFromForm(formFromRule(p));
      expect(r.ok, id).toBe(true);
      if (r.ok) {
        expect(r.rule.unanswered ?? null).toEqual(p.unanswered ?? null);
        expect(r.rule.digest ?? null).toEqual(p.digest ?? null);
        expect(validateRule(r.rule).ok).toBe(true);
      }
    }
    const f = formFromRule({ name: 'a', enabled: true, when: {}, title: '', body: '', actions: [{ type: 'http', url: 'https://x.example/h', secretSet: true }] });
    expect(f.notify).toBe(false);
    expect(f.http[0]).toMatchObject({ url: 'https://x.example/h', secretSet: true, secret: '' });
    expect(describeRule({ when: {}, digest: { every: 'day', at: '18:00' }, actions: [{ type: 'http', url: 'https://x', preset: 'teams' }] }))
      .toBe('digest every day at 18:00 → teams');
  });
});
