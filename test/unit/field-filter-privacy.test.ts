// Field-filter chips in privacy mode (renderer/features/filters/field-chip.ts shownCondition): a filter
// made by clicking a customer's number in the payload tree must not put the number back on screen, while
// codes and paths stay readable — the same pseudonyms the tree itself shows (shared/privacy.ts).
import { describe, expect, it } from 'vitest';
import { shownCondition } from '../../renderer/features/filters/field-chip';
import { createPseudonymiser } from '../../shared/privacy';
import { realWamid } from '../helpers/people';

const NUMBER = '5511900000003';

describe('a field-filter chip in privacy mode', () => {
  it('shows a customer\'s number, id or text as the tree does there, and codes and paths as they are', () => {
    const p = createPseudonymiser();
    const on = { on: true, json: p.json };
    const wamid = realWamid(NUMBER, 1);
    const masked = ['raw.from=', 'raw.recipient_id!=', 'raw.WaId=', 'raw.From=whatsapp:+', 'raw.context.from~', 'raw.errors.0.error_data.details~Recipient +']
      .map((pre) => shownCondition(`${pre}${NUMBER}`, on));
    for (const c of masked) expect(c).not.toContain(NUMBER.slice(-6));
    expect(masked[0]).toMatch(/^raw\.from=\S+$/);
    // The same number, the same pseudonym as the payload tree shows in this session.
    expect(masked[0]).toBe(`raw.from=${(p.json({ from: NUMBER }) as { from: string }).from}`);
    const id = shownCondition(`raw.id=${wamid}`, on);
    expect(id).not.toContain(wamid.slice(6, 30));
    expect(id.startsWith('raw.id=')).toBe(true);
    // What privacy mode keeps readable stays so.
    expect(shownCondition('raw.errors.0.code=131047', on)).toBe('raw.errors.0.code=131047');
    expect(shownCondition('raw.referral exists', on)).toBe('raw.referral exists');
    expect(shownCondition('raw.status=read', on)).toBe('raw.status=read');
  });

  it('is the condition itself with privacy mode off', () => {
    const off = { on: false, json: (v: unknown) => v };
    expect(shownCondition(`raw.from=${NUMBER}`, off)).toBe(`raw.from=${NUMBER}`);
  });
});
