// What each event kind means (shared/event-kinds.ts): one table the core's SQL and the UI both read.
import { describe, expect, it } from 'vitest';
import { KIND_TRAITS, kindIs, kindsWhere, sqlKinds } from '../../shared/event-kinds';
import { EVENT_KINDS } from '../../shared/types';

describe('event kinds → traits', () => {
  it('has one row per kind', () => {
    expect(Object.keys(KIND_TRAITS).sort()).toEqual([...EVENT_KINDS].sort());
  });

  it('says what docs/webhooks.md says of each family', () => {
    expect(kindsWhere('notifies', false)).toEqual(['history']);
    expect(kindsWhere('traffic', false)).toEqual(['history']);
    expect(kindsWhere('outgoing')).toEqual(['status', 'echo']);
    expect(kindsWhere('conversation')).toEqual(['message', 'status', 'echo', 'history']);
    expect(kindsWhere('lifecycle')).toEqual(['message', 'status', 'echo']);
    expect(kindsWhere('ownWords')).toEqual(['history', 'call', 'group', 'flow']);
  });

  it('builds the SQL lists from the table', () => {
    expect(sqlKinds('conversation')).toBe("'message','status','echo','history'");
    expect(sqlKinds('traffic', false)).toBe("'history'");
  });

  it('a kind it does not know (an old row, a future kind) has no trait', () => {
    expect(kindIs('status', 'outgoing')).toBe(true);
    expect(kindIs('teleport', 'notifies')).toBe(false);
    expect(kindIs('toString', 'notifies')).toBe(false);
  });
});
