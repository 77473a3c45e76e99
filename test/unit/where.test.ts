// The field-filter grammar (shared/where.ts): what the filter bar, the URL, the control API and exports share.
import { describe, expect, it } from 'vitest';
import { conditionFor, formatCondition, indexedRawLeaves, parseCondition, parseWhere, WhereError } from '../../shared/where';

describe('where grammar', () => {
  it('parses each operator on raw and details paths', () => {
    expect(parseCondition('raw.errors.0.code=131047')).toEqual({ root: 'raw', path: ['errors', '0', 'code'], op: '=', value: '131047', number: 131047 });
    expect(parseCondition('raw.errors[0].code = 131047').path).toEqual(['errors', '0', 'code']);
    expect(parseCondition('details.flowToken~abc')).toMatchObject({ root: 'details', path: ['flowToken'], op: '~', value: 'abc' });
    expect(parseCondition('details.durationSeconds>30')).toMatchObject({ op: '>', number: 30 });
    expect(parseCondition('raw.context.from!=5511')).toMatchObject({ op: '!=', value: '5511' });
    expect(parseCondition('raw.referral exists')).toMatchObject({ op: 'exists', path: ['referral'] });
    expect(parseCondition('details.note !exists')).toMatchObject({ op: '!exists' });
    expect(parseCondition('details.note not exists')).toMatchObject({ op: '!exists' });
    expect(parseCondition('details.x=" padded "').value).toBe(' padded ');
    expect(parseCondition('details.x=a=b').value).toBe('a=b');
  });

  it('names the problem in bad input', () => {
    const why = (s: string) => { try { parseCondition(s); return ''; } catch (e) { expect(e).toBeInstanceOf(WhereError); return (e as Error).message; } };
    expect(why('')).toMatch(/empty/);
    expect(why('raw.errors.0.code')).toMatch(/expected PATH OP VALUE/);
    expect(why('body.x=1')).toMatch(/starts with raw\. or details\./);
    expect(why('details.a..b=1')).toMatch(/not a path/);
    expect(why('details.x<abc')).toMatch(/compares numbers/);
    expect(why('details.x~')).toMatch(/needs a value/);
    expect(why('raw.whatever=1')).toMatch(/not an indexed field/);
    expect(why(`details.x=${'a'.repeat(400)}`)).toMatch(/longer than 300/);
    expect(() => parseWhere(Array.from({ length: 9 }, () => 'details.a=1'))).toThrow(/at most 8/);
  });

  it('writes conditions back, and makes them from inspector values', () => {
    for (const s of ['raw.errors.0.code=131047', 'details.note !exists', 'details.x~ab']) expect(formatCondition(parseCondition(s))).toBe(s);
    expect(conditionFor('raw', ['errors', 0, 'code'], 131047)).toBe('raw.errors.0.code=131047');
    expect(conditionFor('raw', ['referral', 'source_id'], '1202', true)).toBe('raw.referral.source_id!=1202');
    expect(conditionFor('details', ['category'], 'UTILITY')).toBe('details.category=UTILITY');
    expect(conditionFor('raw', ['not_indexed'], 'x')).toBeNull();
    expect(conditionFor('details', ['a b'], 'x')).toBeNull();
  });

  it('keeps only the scalar leaves of indexed raw paths', () => {
    const leaves = indexedRawLeaves({ from: '5511', id: 'wamid.X', text: { body: 'secret words' }, errors: [{ code: 131047, title: 'T', href: 'h' }], deep: { a: 1 } });
    expect(leaves).toEqual([['from', '5511'], ['id', 'wamid.X'], ['errors.0.code', 131047], ['errors.0.title', 'T']]);
  });

  it('reads leaves the way field filters name them: indexes as *, at most 10 items, 32 leaves, 200 characters', () => {
    const errors = Array.from({ length: 12 }, (_, i) => ({ code: i, title: i % 2 ? 'odd' : 'x'.repeat(201), error_data: { details: i === 0 } }));
    const leaves = indexedRawLeaves({ errors, context: { forwarded: false, 'from.x': '1', from: 42 }, 'bad key': 1, conversation: { origin: { type: ['a'] } } });
    expect(leaves.filter(([p]) => p.startsWith('errors.')).map(([p]) => p)).toEqual([
      'errors.0.code', 'errors.0.error_data.details', 'errors.1.code', 'errors.1.title', 'errors.1.error_data.details',
      ...[2, 3, 4, 5, 6, 7, 8, 9].flatMap((i) => [`errors.${i}.code`, ...(i % 2 ? [`errors.${i}.title`] : []), `errors.${i}.error_data.details`]),
    ]);
    expect(leaves).toContainEqual(['errors.0.error_data.details', 'true']);
    expect(leaves).toContainEqual(['errors.1.error_data.details', 'false']);
    expect(leaves.slice(-2)).toEqual([['context.from', 42], ['context.forwarded', 'false']].reverse());
    // An object key of digits stands where an index would (`errors.*`); an array where a scalar is indexed is skipped.
    expect(indexedRawLeaves({ errors: { 0: { code: 5 } }, id: [1, 2] })).toEqual([['errors.0.code', 5]]);
    expect(indexedRawLeaves(Object.fromEntries(Array.from({ length: 40 }, (_, i) => [i % 2 ? `x${i}` : 'from', i]))).length).toBe(1);
    expect(indexedRawLeaves({ errors: Array.from({ length: 10 }, () => ({ code: 1, title: 't', message: 'm', error_data: { details: 'd' } })) }).length).toBe(32);
    expect(indexedRawLeaves('scalar')).toEqual([]);
    expect(indexedRawLeaves([{ id: 1 }])).toEqual([]);
  });
});
