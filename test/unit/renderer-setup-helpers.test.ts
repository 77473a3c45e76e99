// Pure helpers of the Setup panel: verify token generation, secret status wording, secret inputs,
// tunnel wording (reconnecting → down since), callback URLs, doctor ordering.
import { describe, expect, it } from 'vitest';
import type { DoctorFinding } from '../../shared/types';
import {
  generateVerifyToken, levelIcon, parseSecretInput, providerCallback, secretStatus, sortFindings, tunnelView,
} from '../../renderer/features/setup/setup-helpers';

describe('generateVerifyToken', () => {
  it('gives 24 letters and digits by default, different every time', () => {
    const a = generateVerifyToken();
    const b = generateVerifyToken();
    expect(a).toMatch(/^[A-Za-z0-9]{24}$/);
    expect(b).toMatch(/^[A-Za-z0-9]{24}$/);
    expect(a).not.toBe(b);
  });

  it('uses the given random source and drops biased bytes (>= 248)', () => {
    let calls = 0;
    const fill = (bytes: Uint8Array) => {
      calls++;
      // First call: only rejected bytes; second: 0,1,2… → A,B,C…
      bytes.forEach((_, i) => { bytes[i] = calls === 1 ? 250 : i % 62; });
      return bytes;
    };
    expect(generateVerifyToken(5, fill)).toBe('ABCDE');
    expect(calls).toBe(2);
  });

  it('is roughly uniform over the alphabet', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 400; i++) for (const ch of generateVerifyToken(24)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    expect(counts.size).toBe(62);
    const values = [...counts.values()];
    expect(Math.min(...values)).toBeGreaterThan(80); // expected ≈ 155 each
  });
});

describe('secrets', () => {
  it('say only set (n) / set / not set', () => {
    expect(secretStatus({ set: true, count: 2 })).toBe('set (2)');
    expect(secretStatus({ set: true })).toBe('set');
    expect(secretStatus({ set: false, count: 0 })).toBe('not set');
    expect(secretStatus(null)).toBe('not set');
  });

  it('parse a single value, or several separated by commas or lines, for rotation', () => {
    expect(parseSecretInput('  abc  ', false)).toBe('abc');
    expect(parseSecretInput('a,b', false)).toBe('a,b');
    expect(parseSecretInput('   ', false)).toBeNull();
    expect(parseSecretInput('one', true)).toBe('one');
    expect(parseSecretInput('one, two\nthree,one', true)).toEqual(['one', 'two', 'three']);
    expect(parseSecretInput(' , \n', true)).toBeNull();
  });
});

describe('tunnelView', () => {
  it('says down since while reconnecting after a drop', () => {
    const v = tunnelView({ state: 'connecting', message: 'reconnecting, down since 10:00:00', since: 1234 });
    expect(v).toMatchObject({ label: 'reconnecting', tone: 'warn', downSince: 1234, canStart: false, canStop: true });
  });
  it('covers the other states', () => {
    expect(tunnelView({ state: 'connecting', message: 'connecting to ngrok…', since: 1 })).toMatchObject({ label: 'connecting', downSince: null });
    expect(tunnelView({ state: 'online', url: 'https://x.ngrok.app', since: 1 })).toMatchObject({ label: 'online', tone: 'ok', canStart: false, canStop: true });
    expect(tunnelView({ state: 'error', code: 'TUNNEL_NO_TOKEN', message: 'm', since: 1 })).toMatchObject({ tone: 'error', canStart: true });
    expect(tunnelView({ state: 'off', since: 1 })).toMatchObject({ label: 'off', canStart: true, canStop: false });
    expect(tunnelView(null).label).toBe('unknown');
  });
});

describe('callbacks and doctor', () => {
  it('appends the provider path once', () => {
    expect(providerCallback('https://a.ngrok.app/', 'meta')).toBe('https://a.ngrok.app/meta');
    expect(providerCallback('http://127.0.0.1:4750', 'twilio')).toBe('http://127.0.0.1:4750/twilio');
    expect(providerCallback(null, 'meta')).toBeNull();
  });

  it('sorts findings problems first, keeping the core\'s order within a level', () => {
    const f = (id: string, level: DoctorFinding['level']): DoctorFinding => ({ id, level, title: id, detail: '' });
    const sorted = sortFindings([f('a', 'ok'), f('b', 'warn'), f('c', 'info'), f('d', 'error'), f('e', 'warn')]);
    expect(sorted.map((x) => x.id)).toEqual(['d', 'b', 'e', 'c', 'a']);
    expect(levelIcon('error')).toBe('✕');
  });
});
