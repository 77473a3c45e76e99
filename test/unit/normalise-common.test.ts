// The small readers every normaliser leans on: numbers, times, places. What they return is what the
// feed shows and what filters match on.
import { describe, expect, it } from 'vitest';
import { contactKey, coordinates, placeText, toMillis } from '../../shared/normalise/common';

describe('contactKey: a phone number as digits, anything else kept as it is', () => {
  it('drops + spaces dashes parentheses dots and tabs between digits', () => {
    expect(contactKey('+55 (11) 98765-0001')).toBe('5511987650001');
    expect(contactKey('+1.555.010.0199')).toBe('15550100199');
    expect(contactKey('55\t11\t9')).toBe('55119');
    expect(contactKey(5511987650001)).toBe('5511987650001');
  });

  it('keeps ids that are not phone numbers, trimmed', () => {
    expect(contactKey('BR.13491208655302741918')).toBe('BR.13491208655302741918');
    expect(contactKey('  <WHATSAPP_USER_ID> ')).toBe('<WHATSAPP_USER_ID>');
    expect(contactKey('+1 555 x')).toBe('+1 555 x');
    // Only formatting characters, no digits: nothing to show but the text itself.
    expect(contactKey('(+)')).toBe('(+)');
    expect(contactKey(' ')).toBeNull();
    expect(contactKey('')).toBeNull();
    expect(contactKey(null)).toBeNull();
  });
});

describe('toMillis: seconds or milliseconds, as strings or numbers', () => {
  it('treats values up to 10^12 as seconds and above as milliseconds', () => {
    expect(toMillis(1e12)).toBeNull(); // 10^12 is still seconds: year ~33000
    expect(toMillis(999_999_999_999)).toBeNull(); // 10^12 s is far beyond year 5000
    expect(toMillis(1_000_000_000_001)).toBe(1_000_000_000_001);
    expect(toMillis(99_999_999_999)).toBe(99_999_999_999_000);
    expect(toMillis('1767225600')).toBe(1767225600000);
    expect(toMillis(1767225600123)).toBe(1767225600123);
  });

  it('rounds fractions and refuses beyond about year 5000', () => {
    expect(toMillis(1767225600.0004)).toBe(1767225600000);
    expect(toMillis('1767225600.0006')).toBe(1767225600001);
    expect(toMillis(1e14)).toBe(1e14);
    expect(toMillis(1e14 + 1)).toBeNull();
  });
});

describe('placeText and coordinates', () => {
  it('name and address, either alone, or nothing', () => {
    expect(placeText('MASP', 'Av. Paulista, 1578')).toBe('MASP — Av. Paulista, 1578');
    expect(placeText('MASP', null)).toBe('MASP');
    expect(placeText(null, 'Av. Paulista, 1578')).toBe('Av. Paulista, 1578');
    expect(placeText(null, null)).toBeNull();
  });

  it('numbers or numeric strings; anything else is no coordinates', () => {
    expect(coordinates(-23.5, -46.6)).toBe('-23.5, -46.6');
    expect(coordinates('-23.5', '-46.6')).toBe('-23.5, -46.6');
    expect(coordinates('-23.5', 'west')).toBeNull();
    expect(coordinates('north', -46.6)).toBeNull();
    expect(coordinates({}, -46.6)).toBeNull();
    expect(coordinates(-23.5, null)).toBeNull();
  });
});
