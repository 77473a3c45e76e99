// Action bodies, presets and validation (shared/actions.ts): pure, as the editor and the core use them.
import { describe, expect, it } from 'vitest';
import { ACTION_PRESETS, actionsProblem, eventFields, redactUrl, renderBody, SAMPLE_EVENT } from '../../shared/actions';
import { validateRule } from '../../shared/rules';
import type { HttpAction } from '../../shared/types';

const fields = eventFields({ ...SAMPLE_EVENT, text: 'He said "hi"\n<b>&' }, { ruleName: 'R', title: 'T', body: 'B' });

describe('renderBody', () => {
  it('{field} inserts text, {field|json} a JSON value, {field|slack} escapes Slack control characters; filters chain', () => {
    expect(renderBody('{"t": {text|json}, "n": {contactName}}', fields)).toBe('{"t": "He said \\"hi\\"\\n<b>&", "n": Test Lead (Hookscope)}');
    expect(JSON.parse(renderBody('{"t": {text|slack|json}}', fields))).toEqual({ t: 'He said "hi"\n&lt;b&gt;&amp;' });
    expect(renderBody('{errorCode|json} {errorCode}', fields)).toBe('null ');
    expect(JSON.parse(renderBody('{event|json}', fields))).toMatchObject({ contactId: '15550001234', kind: 'message' });
    expect(renderBody('{message}', fields)).toBe('T\nB');
    expect(renderBody('{"literal": {"nested": 1}} {unknown}', fields)).toBe('{"literal": {"nested": 1}} {unknown}');
  });

  it('every preset renders valid JSON from a hostile event', () => {
    for (const p of ACTION_PRESETS) {
      expect(() => JSON.parse(renderBody(p.action.body!, fields)), p.id).not.toThrow();
    }
  });
});

describe('actionsProblem / validateRule', () => {
  const http = (over: Partial<HttpAction> = {}): HttpAction => ({ type: 'http', url: 'https://crm.example/h', body: '{"t": {text|json}}', ...over });
  it.each([
    [http({ url: 'ftp://x/y' }), /only http/],
    [http({ url: 'https://user:pw@x.example/' }), /credentials/],
    [http({ headers: { 'Content-Length': '3' } }), /set by Hookscope/],
    [http({ headers: { 'bad name': 'x' } }), /not a valid header name/],
    [http({ headers: { 'X-A': 'a\r\nX-B: b' } }), /line breaks/],
    [http({ method: 'GET', body: 'x' }), /GET request has no body/],
    [http({ body: '{nope}' }), /unknown field \{nope\}/],
    [http({ body: '{text|upper}' }), /unknown filter \|upper/],
  ])('refuses %j', (action, why) => {
    const v = validateRule({ name: 'x', when: { kind: ['message'] }, actions: [action] });
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.message).toMatch(why);
  });

  it('accepts the presets, digest fields only in digests, and timers one at a time', () => {
    for (const p of ACTION_PRESETS) expect(actionsProblem([{ ...p.action, url: 'https://hooks.example/x' }], { digest: false })).toBeNull();
    expect(actionsProblem([http({ body: '{summary|json}' })], { digest: false })).toMatch(/unknown field/);
    expect(actionsProblem([http({ body: '{summary|json} {failedByCode|json}' })], { digest: true })).toBeNull();
    const both = validateRule({ name: 'x', when: {}, digest: { every: 'hour' }, unanswered: { minutes: 5 } });
    expect(both.ok).toBe(false);
    if (!both.ok) expect(both.message).toMatch(/one kind of timer/);
    expect(validateRule({ name: 'd', when: {}, digest: { every: 'day' } }).ok).toBe(false);
    expect(validateRule({ name: 'd', when: {}, digest: { every: 'day', at: '18:00' }, title: '{period}', body: '{summary}' }).ok).toBe(true);
  });
});

describe('redactUrl', () => {
  it('keeps the host and the first path segment, hides tokens', () => {
    expect(redactUrl('https://hooks.slack.com/services/T000/B000/XXXXXXXX')).toBe('https://hooks.slack.com/services/…');
    expect(redactUrl('https://discord.com/api/webhooks/123/abc')).toBe('https://discord.com/api/…');
    expect(redactUrl('http://127.0.0.1:8080/hook?key=secret')).toBe('http://127.0.0.1:8080/hook?…');
    expect(redactUrl('not a url')).toBe('(invalid URL)');
  });
});
