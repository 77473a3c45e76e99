// Form decoding agrees with the WHATWG decoders (URLSearchParams, TextDecoder) byte for byte, across
// every boundary of the percent-escape and UTF-8 grammars — the places a hand-written decoder slips.
// (Node's decoders are used only here: shared/ compiles without them.)
import { describe, expect, it } from 'vitest';
import { decodeFormComponent, parseForm, utf8 } from '../../shared/form';

const whatwg = (bytes: number[]) => new TextDecoder().decode(new Uint8Array(bytes));
const hex = (b: number) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`;

// Bytes on each side of every range edge in the UTF-8 grammar (continuations, overlongs, surrogates, > U+10FFFF).
const EDGES = [0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff];
const CONT = [0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0];

describe('utf8 matches TextDecoder', () => {
  it('every single byte, and every lead byte with each edge continuation', () => {
    for (let b = 0; b < 256; b++) expect(utf8([b]), hex(b)).toBe(whatwg([b]));
    for (let lead = 0xc0; lead <= 0xff; lead++) {
      for (const c of CONT) expect(utf8([lead, c]), hex(lead) + hex(c)).toBe(whatwg([lead, c]));
    }
  });

  it('three- and four-byte sequences around the overlong, surrogate and U+10FFFF edges', () => {
    for (const lead of [0xe0, 0xe1, 0xec, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5]) {
      for (const c1 of CONT) {
        for (const c2 of CONT) {
          expect(utf8([lead, c1, c2]), [lead, c1, c2].map(hex).join('')).toBe(whatwg([lead, c1, c2]));
          expect(utf8([lead, c1, c2, 0x80]), [lead, c1, c2, 0x80].map(hex).join('')).toBe(whatwg([lead, c1, c2, 0x80]));
        }
      }
    }
  });

  it('mixed runs: valid, truncated and stray bytes in one value', () => {
    for (const a of EDGES) for (const b of EDGES) {
      const seq = [0x61, a, b, 0xe2, 0x82, 0xac, 0x62];
      expect(utf8(seq), seq.map(hex).join('')).toBe(whatwg(seq));
    }
  });
});

describe('parseForm matches URLSearchParams', () => {
  it('every two-character %-escape, hex or not, upper or lower case, at the end or inside a value', () => {
    const chars = '0123456789abcdefABCDEFgGzZ/:@`[%+ ';
    for (const x of chars) {
      for (const y of chars) {
        for (const body of [`a=%${x}${y}`, `a=%${x}${y}b&c=1`, `%${x}${y}=v`]) {
          expect(parseForm(body), body).toEqual([...new URLSearchParams(body)]);
        }
      }
    }
  });

  it('percent-encoded UTF-8 with edge bytes, lone escapes and truncation', () => {
    for (const a of EDGES) for (const b of CONT) {
      for (const body of [`v=${hex(a)}${hex(b)}`, `v=x${hex(a)}${hex(b)}%E2%82%ACy`, `v=${hex(a)}%${b.toString(16)[0] ?? ''}`]) {
        expect(parseForm(body), body).toEqual([...new URLSearchParams(body)]);
      }
    }
  });

  it('decodeFormComponent: + is a space before decoding, an encoded + stays', () => {
    expect(decodeFormComponent('a+b%2Bc')).toBe('a b+c');
    expect(decodeFormComponent('%')).toBe('%');
    expect(decodeFormComponent('%4')).toBe('%4');
    expect(decodeFormComponent('%41%')).toBe('A%');
  });
});
