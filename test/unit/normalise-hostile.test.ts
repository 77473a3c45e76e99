// Hostile payloads through the pure normalisers: bounded time, bounded output, and nothing in the
// events that JSON.stringify (the store) cannot serialise.
import { describe, expect, it } from 'vitest';
import { normaliseMeta, normaliseTwilio, normaliseTwilioJson } from '../../shared/normalise';
import { deeperThan, MAX_JSON_DEPTH } from '../../shared/normalise/common';
import { MAX_EVENTS_PER_WEBHOOK } from '../../shared/normalise/meta';
import { parseForm } from '../../shared/form';

const nested = (depth: number): unknown => JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`);

describe('deeperThan', () => {
  it('measures nesting without recursing', () => {
    expect(deeperThan({ a: [{ b: 1 }] }, 3)).toBe(false);
    expect(deeperThan({ a: [{ b: {} }] }, 3)).toBe(true);
    expect(deeperThan('x')).toBe(false);
    expect(deeperThan(nested(500_000))).toBe(true);
  });
});

describe('normaliseMeta on hostile input', () => {
  it('a deeply nested body becomes one storable unknown event', () => {
    for (const payload of [nested(200_000), { object: 'whatsapp_business_account', entry: nested(50_000) }, { object: nested(50_000) }]) {
      const evs = normaliseMeta(payload);
      expect(evs).toHaveLength(1);
      expect(evs[0].kind).toBe('unknown');
      expect(() => JSON.stringify(evs)).not.toThrow();
    }
  });

  it('real nesting depth is untouched', () => {
    const ok = { object: 'whatsapp_business_account', entry: [{ changes: [{ field: 'messages', value: {
      messages: [{ id: 'm', from: '1', type: 'location', location: { a: nested(MAX_JSON_DEPTH - 10) } }] } }] }] };
    expect(normaliseMeta(ok)[0].kind).toBe('message');
  });

  it('keeps a deeply nested flow response_json as its string', () => {
    const rj = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const evs = normaliseMeta({ object: 'whatsapp_business_account', entry: [{ changes: [{ field: 'messages', value: { messages: [{
      id: 'wamid.F', from: '5511', type: 'interactive', interactive: { type: 'nfm_reply', nfm_reply: { name: 'f', response_json: rj } },
    }] } }] }] });
    expect(evs[0].messageId).toBe('wamid.F');
    expect(evs[0].details?.flowResponse).toBe(rj);
    expect(() => JSON.stringify(evs)).not.toThrow();
  });

  it('indexes contacts: the first matching contact wins, as before', () => {
    const evs = normaliseMeta({ object: 'whatsapp_business_account', entry: [{ changes: [{ field: 'messages', value: {
      contacts: [{ wa_id: '999', profile: { name: 'Other' } }, { wa_id: '+55 11', profile: { name: 'Ana' } }, { wa_id: '5511', profile: { name: 'Late' } }],
      messages: [{ id: 'a', from: '5511', type: 'text', text: { body: 'hi' } }, { id: 'b', from: '777', type: 'text', text: { body: 'x' } }],
    } }] }] });
    expect(evs[0].contactName).toBe('Ana');
    expect(evs[1].contactName).toBe('Other'); // no match: the first contact, as before
  });

  it('messages × contacts costs their sum, and the event count is capped', () => {
    const n = 60_000;
    const payload = JSON.parse(`{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"contacts":[${Array(n).fill('{}').join(',')}],"messages":[${Array(n).fill('{}').join(',')}]}}]}]}`);
    const evs = normaliseMeta(payload);
    expect(evs).toHaveLength(MAX_EVENTS_PER_WEBHOOK + 1);
    expect(evs.at(-1)!.text).toMatch(/60000 items/);
  });

  it('items under keys no reader reads are announced within the same cap, however many keys and items', () => {
    const n = 60_000;
    const keys = Array.from({ length: 2_000 }, (_, i) => `"k${i}":{}`).join(',');
    const payload = JSON.parse(`{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{${keys},"calls":[${Array(n).fill('{}').join(',')}]}}]}]}`);
    const evs = normaliseMeta(payload);
    expect(evs).toHaveLength(MAX_EVENTS_PER_WEBHOOK + 1);
    expect(evs[0].text).toMatch(/^Not understood yet: "k0" inside a "messages" change/);
    expect(evs.at(-1)!.text).toMatch(/62000 items/);
  });
});

describe('normaliseTwilio on hostile input', () => {
  it('a name repeated 200 000 times is linear and kept whole', () => {
    const evs = normaliseTwilio(parseForm(Array(200_000).fill('a=x').join('&')));
    expect((evs[0].raw as Record<string, unknown[]>).a).toHaveLength(200_000);
  });

  it('repeated __proto__ stays data', () => {
    const evs = normaliseTwilio(parseForm('__proto__=1&__proto__=2&MessageSid=SM1&From=whatsapp:+1'));
    const raw = evs[0].raw as Record<string, unknown>;
    expect(Object.getPrototypeOf(raw)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(raw, '__proto__')?.value).toEqual(['1', '2']);
  });

  it('JSON bodies: nesting beyond the limit is not kept as raw', () => {
    expect(normaliseTwilioJson({ a: 1 })[0].raw).toEqual({ a: 1 });
    const evs = normaliseTwilioJson(nested(100_000));
    expect(evs[0].raw).toBeNull();
    expect(() => JSON.stringify(evs)).not.toThrow();
  });
});
