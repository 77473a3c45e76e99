// The Settings panel's form model: what the inputs hold (strings, as typed), how it becomes a
// SettingsUpdate, and how the core's validation message maps back onto fields. Pure, unit-tested.
import type { SettingsUpdate, SettingsView } from '../../../shared/types';

export interface SettingsForm {
  forwardTargets: string[];
  forwardTimeoutMs: string;
  retentionDays: string;
  retentionMaxEvents: string;
  /** In KiB, as the user thinks of it; sent as bytes. */
  bodyLimitKiB: string;
  /** Desktop notifications without the message text (lock-screen safety). */
  hideNotificationText?: boolean;
  // The trust boundary's limits (docs/api.md "What strangers may cost"); absent when the core did not say.
  /** The rejected log's size cap, in MiB (decimals allowed: the core accepts from 64 KiB). */
  rejectedLogMiB?: string;
  /** Rejected requests kept per source address per minute. */
  rejectedPerMinute?: string;
  /** Free disk below which rejected requests are not stored, in MiB; 0 turns the floor off. */
  diskFloorMiB?: string;
}

/** Field keys as the core names them in validation messages (`retention.days: …`). */
export type SettingsField = 'forwardTargets' | 'forwardTimeoutMs' | 'retention.days' | 'retention.maxEvents' | 'bodyLimitBytes'
  | 'rejectedLogBytes' | 'rejectedPerMinute' | 'diskFloorBytes';

const MIB = 1024 * 1024;
/** The core's ranges (shared/ipc.ts settingsUpdateSchema), said in the units the form uses. */
export const LIMITS = {
  rejectedLogBytes: { min: 64 * 1024, max: 16 * 1024 * MIB },
  rejectedPerMinute: { min: 1, max: 100_000 },
  diskFloorBytes: { min: 0, max: 2 ** 52 },
} as const;

/**
 * Bytes as MiB for an input. Exact: a whole number of bytes over 2^20 prints as a finite decimal that
 * reads back to the same bytes, so saving the form never nudges a value set through the API.
 */
export function mibText(bytes: number): string {
  return String(bytes / MIB);
}

export type FieldErrors = Partial<Record<SettingsField | `forwardTargets.${number}`, string>>;

export function formFromSettings(v: SettingsView): SettingsForm {
  return {
    forwardTargets: [...v.forwardTargets],
    forwardTimeoutMs: String(v.forwardTimeoutMs),
    retentionDays: v.retention.days == null ? '' : String(v.retention.days),
    retentionMaxEvents: v.retention.maxEvents == null ? '' : String(v.retention.maxEvents),
    bodyLimitKiB: String(Math.round(v.bodyLimitBytes / 1024)),
    hideNotificationText: v.hideNotificationText === true,
    ...(v.rejectedLogBytes != null ? { rejectedLogMiB: mibText(v.rejectedLogBytes) } : {}),
    ...(v.rejectedPerMinute != null ? { rejectedPerMinute: String(v.rejectedPerMinute) } : {}),
    ...(v.diskFloorBytes != null ? { diskFloorMiB: mibText(v.diskFloorBytes) } : {}),
  };
}

/** MiB as typed (`64`, `0.5`) → bytes; null for anything else. */
function mibOf(raw: string): number | null {
  const s = raw.trim();
  if (!/^\d+(\.\d+)?$/.test(s)) return null;
  return Math.round(Number(s) * MIB);
}

function intOf(raw: string): number | null | 'bad' {
  const s = raw.trim();
  if (s === '') return null;
  if (!/^\d+$/.test(s)) return 'bad';
  return Number(s);
}

/**
 * Turns the form into an update. Obvious mistakes (not a number, not a URL) are caught here so the
 * user sees them before a round trip; ranges are left to the core, whose message is shown as is.
 */
export function buildSettingsUpdate(f: SettingsForm): { update: SettingsUpdate; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const update: SettingsUpdate = {};
  const targets = f.forwardTargets.map((t) => t.trim()).filter(Boolean);
  targets.forEach((t, i) => {
    let ok = false;
    try {
      const u = new URL(t);
      ok = u.protocol === 'http:' || u.protocol === 'https:';
    } catch { /* not a URL */ }
    if (!ok) errors[`forwardTargets.${i}`] = 'needs a full http:// or https:// URL';
  });
  update.forwardTargets = targets;

  const timeout = intOf(f.forwardTimeoutMs);
  if (timeout === 'bad' || timeout === null) errors.forwardTimeoutMs = 'a whole number of milliseconds';
  else update.forwardTimeoutMs = timeout;

  const days = intOf(f.retentionDays);
  const max = intOf(f.retentionMaxEvents);
  if (days === 'bad') errors['retention.days'] = 'a whole number of days, or empty to keep forever';
  if (max === 'bad') errors['retention.maxEvents'] = 'a whole number of events, or empty for no limit';
  if (days !== 'bad' && max !== 'bad') update.retention = { days, maxEvents: max };

  const kib = intOf(f.bodyLimitKiB);
  if (kib === 'bad' || kib === null) errors.bodyLimitBytes = 'a whole number of KiB';
  else update.bodyLimitBytes = kib * 1024;

  if (f.hideNotificationText !== undefined) update.hideNotificationText = f.hideNotificationText;

  if (f.rejectedLogMiB !== undefined) {
    const b = mibOf(f.rejectedLogMiB);
    const { min, max } = LIMITS.rejectedLogBytes;
    if (b === null || b < min || b > max) errors.rejectedLogBytes = `a size in MiB from ${mibText(min)} (64 KiB) to ${mibText(max)} (16 GiB)`;
    else update.rejectedLogBytes = b;
  }
  if (f.rejectedPerMinute !== undefined) {
    const n = intOf(f.rejectedPerMinute);
    const { min, max } = LIMITS.rejectedPerMinute;
    if (n === 'bad' || n === null || n < min || n > max) errors.rejectedPerMinute = `a whole number of requests per minute, ${min} to ${max.toLocaleString('en')}`;
    else update.rejectedPerMinute = n;
  }
  if (f.diskFloorMiB !== undefined) {
    const b = mibOf(f.diskFloorMiB);
    if (b === null || b > LIMITS.diskFloorBytes.max) errors.diskFloorBytes = 'a size in MiB, or 0 to store rejected requests whatever the free space';
    else update.diskFloorBytes = b;
  }

  return { update, errors };
}

/**
 * The core answers VALIDATION with `path: message; path: message` (electron/core/dispatch.ts).
 * Returns the messages per field, and those that name no field.
 */
export function parseValidationMessage(message: string): { fields: Record<string, string>; general: string[] } {
  const fields: Record<string, string> = {};
  const general: string[] = [];
  for (const part of message.split(/;\s*/).map((s) => s.trim()).filter(Boolean)) {
    const m = /^([A-Za-z_][\w]*(?:\.[\w]+)*):\s+(.+)$/.exec(part);
    if (m) fields[m[1]] = fields[m[1]] ? `${fields[m[1]]}; ${m[2]}` : m[2];
    else general.push(part);
  }
  return { fields, general };
}
