// Nothing Meta sends is silently dropped (docs/webhooks.md): every object inside every array of every
// Meta payload the tests know — test/fixtures/meta, test/fixtures/meta-fields and, when it sits beside
// the checkout, the external conformance set — is read into an event or announced as "not understood".
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { normaliseMeta } from '../../shared/normalise';
import { contactKey } from '../../shared/normalise/common';
import type { NormalisedEvent } from '../../shared/types';
import { EXTERNAL_DIR, externalFixture, fixture, hasExternal } from '../helpers/fixtures';

type Node = object;

/**
 * The objects of `payload` that sit in an array and that no event shows. An item is shown when an
 * event's `raw` is the item, holds it (an unknown event keeps the whole value) or lies inside it (a
 * history thread is shown through its messages). A value-level `contacts[]` item is context: it is
 * shown when some event names that person.
 */
export function unshownItems(payload: unknown, events: NormalisedEvent[]): string[] {
  const parent = new Map<Node, Node | null>();
  const items: { node: Node; path: string; key: string }[] = [];
  const stack: { v: unknown; path: string; up: Node | null; key: string; inArray: boolean }[] = [{ v: payload, path: '$', up: null, key: '', inArray: false }];
  while (stack.length > 0) {
    const { v, path, up, key, inArray } = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    parent.set(v, up);
    if (inArray && !Array.isArray(v)) items.push({ node: v, path, key });
    if (Array.isArray(v)) v.forEach((x, i) => stack.push({ v: x, path: `${path}[${i}]`, up: v, key, inArray: true }));
    else for (const [k, x] of Object.entries(v)) stack.push({ v: x, path: `${path}.${k}`, up: v, key: k, inArray: false });
  }
  const shown = new Set<Node>();
  // A raw built for the event (a history chunk's progress keeps the chunk's metadata and errors, not
  // its messages) shows the payload's objects it holds.
  const raws = events.flatMap((ev) => (typeof ev.raw === 'object' && ev.raw !== null && !parent.has(ev.raw) ? Object.values(ev.raw) : [ev.raw]));
  for (const raw of raws) {
    if (typeof raw !== 'object' || raw === null || !parent.has(raw)) continue;
    for (let n: Node | null | undefined = raw; n; n = parent.get(n)) shown.add(n);
    const below: unknown[] = [raw];
    while (below.length > 0) {
      const n = below.pop();
      if (typeof n !== 'object' || n === null) continue;
      shown.add(n);
      below.push(...(Array.isArray(n) ? n : Object.values(n)));
    }
  }
  const people = new Set<string>();
  for (const ev of events) for (const p of [ev.contactId, ev.contactName]) if (p) people.add(p);
  const named = (c: Record<string, unknown>): boolean => {
    const profile = typeof c.profile === 'object' && c.profile !== null ? (c.profile as Record<string, unknown>) : {};
    return [contactKey(c.wa_id), c.user_id, profile.name].some((x) => typeof x === 'string' && people.has(x));
  };
  return items
    .filter(({ node, key }) => !shown.has(node) && !(key === 'contacts' && named(node as Record<string, unknown>)))
    .map(({ path }) => path);
}

const corpus = (folder: string): { name: string; payload: () => unknown }[] =>
  readdirSync(`${__dirname}/../fixtures/${folder}`).filter((f) => f.endsWith('.json')).sort()
    .map((f) => ({ name: `${folder}/${f}`, payload: () => JSON.parse(fixture(`${folder}/${f}`).toString('utf8')) }));
const external = (): { name: string; payload: () => unknown }[] => (hasExternal()
  ? readdirSync(EXTERNAL_DIR).filter((f) => f.startsWith('meta') && f.endsWith('.json')).sort()
    .map((f) => ({ name: `external/${f}`, payload: () => JSON.parse(externalFixture(f).toString('utf8')) }))
  : []);

describe('every item of every Meta payload is read or announced', () => {
  const files = [...corpus('meta'), ...corpus('meta-fields'), ...external()];

  it('walks the whole corpus', () => {
    expect(files.length).toBeGreaterThanOrEqual(110);
  });

  for (const { name, payload } of files) {
    it(name, () => {
      const p = payload();
      expect(unshownItems(p, normaliseMeta(p))).toEqual([]);
    });
  }

  it('the walk itself finds an item no event shows', () => {
    const p = JSON.parse(fixture('meta/field-messages-unread-items.json').toString('utf8'));
    const events = normaliseMeta(p).filter((e) => e.kind !== 'unknown');
    expect(unshownItems(p, events)).toEqual(['$.entry[0].changes[0].value.message_echoes[0]', '$.entry[0].changes[0].value.calls[0]']);
  });
});
