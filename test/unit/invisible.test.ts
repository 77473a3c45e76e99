// Text that cannot fool the eye (shared/invisible.ts): bidi controls, zero-width and other invisible
// characters become visible markers; joiners doing their job in emoji and in scripts that need them stay.
import { describe, expect, it } from 'vitest';
import { escapeInvisible, excerpt, hasInvisible, invisibleParts, revealInvisible } from '../../shared/invisible';

describe('revealInvisible', () => {
  it('shows a right-to-left override as a marker, so the name reads in its real order', () => {
    expect(revealInvisible('\u202Egnp.exe\u202C Bob')).toBe('⟨RLO⟩gnp.exe⟨PDF⟩ Bob');
  });

  it('marks every bidi embedding, override, isolate and mark', () => {
    const all = '\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069\u200E\u200F\u061C';
    expect(revealInvisible(all)).toBe('⟨LRE⟩⟨RLE⟩⟨PDF⟩⟨LRO⟩⟨RLO⟩⟨LRI⟩⟨RLI⟩⟨FSI⟩⟨PDI⟩⟨LRM⟩⟨RLM⟩⟨ALM⟩');
  });

  it('marks zero-width and other invisible formatting, with the code point when it has no short name', () => {
    expect(revealInvisible('B\u200Bob')).toBe('B⟨ZWSP⟩ob');
    expect(revealInvisible('a\u2060b\uFEFFc\u00ADd')).toBe('a⟨WJ⟩b⟨ZWNBSP⟩c⟨SHY⟩d');
    expect(revealInvisible('x\u{E0041}y')).toBe('x⟨U+E0041⟩y');
    expect(revealInvisible('\u3164')).toBe('⟨U+3164⟩');
    expect(revealInvisible('a\u200Db')).toBe('a⟨ZWJ⟩b');
    expect(revealInvisible('a\u200Cb')).toBe('a⟨ZWNJ⟩b');
  });

  it('marks control characters but keeps tabs and newlines', () => {
    expect(revealInvisible('x\u0007y\n\tz\u007F')).toBe('x⟨U+0007⟩y\n\tz⟨U+007F⟩');
  });

  it('leaves ordinary text, right-to-left scripts, emoji sequences and Persian joiners alone', () => {
    for (const s of ['hello', 'Ação', 'مرحبا', 'שלום', '👩\u200D💻', '👍🏽', '👨🏽\u200D🚀', 'می\u200Cخواهم', '']) {
      expect(revealInvisible(s)).toBe(s);
      expect(hasInvisible(s)).toBe(false);
    }
  });
});

describe('invisibleParts', () => {
  it('cuts text into plain runs and markers with their code points', () => {
    expect(invisibleParts('a\u202Eb')).toEqual(['a', { mark: '⟨RLO⟩', code: 0x202e }, 'b']);
    expect(invisibleParts('plain')).toEqual(['plain']);
    expect(invisibleParts('\u200B')).toEqual([{ mark: '⟨ZWSP⟩', code: 0x200b }]);
  });
});

describe('escapeInvisible', () => {
  it('writes invisible characters as escapes for the raw view', () => {
    expect(escapeInvisible('{"name":"\u202Egnp.exe"}')).toBe('{"name":"\\u202Egnp.exe"}');
    expect(escapeInvisible('a\u{E0041}')).toBe('a\\u{E0041}');
    expect(escapeInvisible('{"a":1}\n')).toBe('{"a":1}\n');
  });
});

describe('excerpt', () => {
  it('cuts long text with an ellipsis, never inside a surrogate pair', () => {
    expect(excerpt('abc', 3)).toBe('abc');
    expect(excerpt('abcd', 3)).toBe('abc…');
    expect(excerpt('ab😀c', 3)).toBe('ab…');
    expect(excerpt('x'.repeat(1_000_000), 200)).toHaveLength(201);
  });
});
