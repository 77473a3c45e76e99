// What each event kind means, in one table: the core (SQL included) and the UI ask it instead of
// writing lists of kinds of their own. docs/webhooks.md ("Kinds") describes the same table in words;
// a new kind is one row here (the compiler asks for it).
import type { EventKind } from './types';

export interface KindTraits {
  /** Rules may fire on it. Imported past conversation never notifies: it happened long ago. */
  notifies: boolean;
  /** About a message the business sent (an API status, or a message typed in the phone app). */
  outgoing: boolean;
  /** Counted as today's traffic (per-minute counts). History arrives in bursts of thousands of old messages. */
  traffic: boolean;
  /** Part of a contact's conversation thread. */
  conversation: boolean;
  /** Joins a message's lifecycle: the same (message id, status) again is flagged as a duplicate. */
  lifecycle: boolean;
  /** The feed row shows the event's own words (which include the error title) rather than the error title. */
  ownWords: boolean;
}

const base: KindTraits = { notifies: true, outgoing: false, traffic: true, conversation: false, lifecycle: false, ownWords: false };

export const KIND_TRAITS: Readonly<Record<EventKind, Readonly<KindTraits>>> = {
  message: { ...base, conversation: true, lifecycle: true },
  status: { ...base, outgoing: true, conversation: true, lifecycle: true },
  echo: { ...base, outgoing: true, conversation: true, lifecycle: true },
  history: { ...base, notifies: false, traffic: false, conversation: true, ownWords: true },
  template: base,
  account: base,
  contact: base,
  call: { ...base, ownWords: true },
  group: { ...base, ownWords: true },
  flow: { ...base, ownWords: true },
  verification: base,
  unrouted: base,
  invalid: base,
  unknown: base,
};

/** The kinds with (or, with `false`, without) a trait, in table order. */
export function kindsWhere(trait: keyof KindTraits, value = true): EventKind[] {
  return (Object.keys(KIND_TRAITS) as EventKind[]).filter((k) => KIND_TRAITS[k][trait] === value);
}

/**
 * `'message','status'` for SQL's `kind IN (…)`, built from the table. The kinds are this file's own
 * constants, never user input, so they are safe to place in a statement's text.
 */
export function sqlKinds(trait: keyof KindTraits, value = true): string {
  return kindsWhere(trait, value).map((k) => `'${k}'`).join(',');
}

/** True when events of `kind` have the trait; unknown strings (an old row, a future kind) have none. */
export function kindIs(kind: string, trait: keyof KindTraits): boolean {
  return Object.hasOwn(KIND_TRAITS, kind) && KIND_TRAITS[kind as EventKind][trait];
}
