// Privacy mode: names, numbers and message text masked wherever the UI shows them, so a shared screen
// or a screenshot holds nothing personal; ids, statuses and error codes stay readable. The masking is
// the export's own pseudonymisation (shared/privacy.ts) applied where values are rendered — the page's
// text itself holds only pseudonyms, not blurred originals. Kept apart from the data store: pure view
// state, persisted per browser/profile.
import { useEffect, useMemo } from 'react';
import { create } from 'zustand';
import { createPseudonymiser, redactRequest, type Pseudonymiser } from '../../../shared/privacy';
import type { HookEvent, StoredRequest } from '../../../shared/types';

const KEY = 'hookscope.privacyMode';

interface StorageLike { getItem(k: string): string | null; setItem(k: string, v: string): void }
function storage(): StorageLike | null {
  try { return (globalThis as { localStorage?: StorageLike }).localStorage ?? null; } catch { return null; }
}

interface PrivacyState {
  on: boolean;
  set(on: boolean): void;
  toggle(): void;
}

export const usePrivacy = create<PrivacyState>((set, get) => ({
  on: storage()?.getItem(KEY) === '1',
  set: (on) => {
    try { storage()?.setItem(KEY, on ? '1' : '0'); } catch { /* not persisted; still applied */ }
    set({ on });
  },
  toggle: () => get().set(!get().on),
}));

/** One pseudonymiser for the session: the same number gets the same pseudonym in every view. */
const session: Pseudonymiser = createPseudonymiser();

export interface Mask {
  on: boolean;
  number(n: string | null | undefined): string | null;
  name(s: string | null | undefined): string | null;
  text(s: string | null | undefined): string | null;
  /** Error titles and other kept words, with phone numbers and known names replaced. */
  scrub(s: string | null | undefined): string | null;
  /** A message or conversation id (a Meta `wamid.` id encodes the customer's number). */
  id(s: string | null | undefined): string | null;
  json(v: unknown): unknown;
  request<R extends Pick<StoredRequest, 'body' | 'bodyIsText' | 'headers' | 'query'>>(r: R): R;
  /** `Name · +number` as the feed and inspector title show a contact. */
  contact(e: Pick<HookEvent, 'contactName' | 'contactId'>): string;
}

const same = <T,>(v: T) => v;

function contactWith(number: Mask['number'], name: Mask['name']) {
  return (e: Pick<HookEvent, 'contactName' | 'contactId'>) => {
    const n = name(e.contactName);
    const id = number(e.contactId);
    if (n && id) return `${n} · +${id}`;
    if (id) return `+${id}`;
    return n ?? '';
  };
}

const OFF: Mask = {
  on: false,
  number: (n) => n ?? null,
  name: (s) => s ?? null,
  text: (s) => s ?? null,
  scrub: (s) => s ?? null,
  id: (s) => s ?? null,
  json: same,
  request: same,
  contact: contactWith((n) => n ?? null, (s) => s ?? null),
};

const ON: Mask = {
  on: true,
  number: session.number,
  name: session.name,
  text: session.text,
  scrub: session.scrub,
  id: session.id,
  json: session.json,
  request: (r) => redactRequest(session, r),
  contact: contactWith(session.number, session.name),
};

/** The mask to apply at a render point: the identity while privacy mode is off. */
export function useMask(): Mask {
  return usePrivacy((s) => s.on) ? ON : OFF;
}

const NON_TEXT_INPUTS = new Set(['checkbox', 'radio', 'button', 'submit', 'reset', 'file', 'range', 'color']);
function isTyping(t: EventTarget | null): boolean {
  if (!(t instanceof HTMLElement)) return false;
  if (t instanceof HTMLInputElement) return !NON_TEXT_INPUTS.has(t.type);
  return t.isContentEditable || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT';
}

/** The top-bar switch; Shift+P toggles it anywhere but in a text field. Marks the page while on. */
export function PrivacyToggle() {
  const on = usePrivacy((s) => s.on);
  useEffect(() => {
    const onKey = (ev: KeyboardEvent) => {
      if (ev.ctrlKey || ev.metaKey || ev.altKey || ev.defaultPrevented || isTyping(ev.target)) return;
      if (ev.key === 'P') { ev.preventDefault(); usePrivacy.getState().toggle(); }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  useEffect(() => {
    document.documentElement.dataset.privacy = on ? 'on' : 'off';
  }, [on]);
  const title = useMemo(() => (on
    ? 'Privacy mode is on: names, numbers and message text are replaced by pseudonyms (Shift+P)'
    : 'Hide names, numbers and message text, e.g. before sharing your screen (Shift+P)'), [on]);
  return (
    <button type="button" className={`btn btn-xs privacy-toggle${on ? ' is-on' : ''}`} aria-pressed={on} title={title}
      data-testid="privacy-toggle" onClick={() => usePrivacy.getState().toggle()}>
      {on ? '🔒 Privacy on' : 'Privacy'}
    </button>
  );
}
