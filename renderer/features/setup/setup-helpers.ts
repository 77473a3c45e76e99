// Pure helpers of the Setup panel: the verify token generator, secret status words, tunnel wording,
// the per-provider callback URLs and the doctor's level order. No DOM, no store: unit-tested alone.
import type { DoctorFinding, DoctorLevel, TunnelState } from '../../../shared/types';

const TOKEN_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Fills a byte array with secure random bytes (crypto.getRandomValues in the browser and Electron). */
export type RandomFill = (bytes: Uint8Array<ArrayBuffer>) => Uint8Array;

const defaultFill: RandomFill = (bytes) => { globalThis.crypto.getRandomValues(bytes); return bytes; };

/**
 * A random token of `length` letters and digits. Rejection sampling keeps every character equally
 * likely (256 is not a multiple of 62, so bytes from 248 up are thrown away).
 */
export function generateVerifyToken(length = 24, fill: RandomFill = defaultFill): string {
  const n = TOKEN_ALPHABET.length;
  const limit = 256 - (256 % n);
  let out = '';
  while (out.length < length) {
    const bytes = fill(new Uint8Array(length * 2));
    for (const b of bytes) {
      if (b >= limit) continue;
      out += TOKEN_ALPHABET[b % n];
      if (out.length === length) break;
    }
  }
  return out;
}

/** "set (2)", "set" or "not set": all a write-only secret ever shows. */
export function secretStatus(s: { set: boolean; count?: number } | undefined | null): string {
  if (!s || !s.set) return 'not set';
  return typeof s.count === 'number' && s.count > 0 ? `set (${s.count})` : 'set';
}

/**
 * What a secret input holds, as settings:update wants it: one value, several (comma or newline
 * separated, for rotation), or null when empty (nothing to save).
 */
export function parseSecretInput(text: string, multi: boolean): string | string[] | null {
  if (!multi) {
    const v = text.trim();
    return v ? v : null;
  }
  const parts = Array.from(new Set(text.split(/[\n,]/).map((s) => s.trim()).filter(Boolean)));
  if (parts.length === 0) return null;
  return parts.length === 1 ? parts[0] : parts;
}

export interface TunnelView {
  label: string;
  tone: 'ok' | 'info' | 'warn' | 'error';
  /** While reconnecting after a drop: when it went down. */
  downSince: number | null;
  canStart: boolean;
  canStop: boolean;
}

export function tunnelView(t: TunnelState | null): TunnelView {
  if (!t) return { label: 'unknown', tone: 'info', downSince: null, canStart: true, canStop: false };
  switch (t.state) {
    case 'online':
      return { label: 'online', tone: 'ok', downSince: null, canStart: false, canStop: true };
    case 'connecting': {
      const reconnecting = !!t.message && /reconnecting/i.test(t.message);
      return { label: reconnecting ? 'reconnecting' : 'connecting', tone: reconnecting ? 'warn' : 'info', downSince: reconnecting ? t.since : null, canStart: false, canStop: true };
    }
    case 'error':
      return { label: 'error', tone: 'error', downSince: null, canStart: true, canStop: true };
    case 'off':
    default:
      return { label: 'off', tone: 'info', downSince: null, canStart: true, canStop: false };
  }
}

/** The callback URL for a provider on a base (no trailing slash). */
export function providerCallback(base: string | null, provider: 'meta' | 'twilio'): string | null {
  if (!base) return null;
  return `${base.replace(/\/+$/, '')}/${provider}`;
}

const LEVEL_ORDER: Record<DoctorLevel, number> = { error: 0, warn: 1, info: 2, ok: 3 };

/** Problems first (error, warn, info, ok), the core's order kept within a level. */
export function sortFindings(findings: readonly DoctorFinding[]): DoctorFinding[] {
  return findings.map((f, i) => ({ f, i }))
    .sort((a, b) => (LEVEL_ORDER[a.f.level] ?? 9) - (LEVEL_ORDER[b.f.level] ?? 9) || a.i - b.i)
    .map((x) => x.f);
}

export function levelIcon(level: DoctorLevel): string {
  switch (level) {
    case 'ok': return '✓';
    case 'info': return 'i';
    case 'warn': return '!';
    case 'error': return '✕';
    default: return '•';
  }
}
