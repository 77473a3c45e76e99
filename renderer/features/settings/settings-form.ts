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
}

/** Field keys as the core names them in validation messages (`retention.days: …`). */
export type SettingsField = 'forwardTargets' | 'forwardTimeoutMs' | 'retention.days' | 'retention.maxEvents' | 'bodyLimitBytes';

export type FieldErrors = Partial<Record<SettingsField | `forwardTargets.${number}`, string>>;

export function formFromSettings(v: SettingsView): SettingsForm {
  return {
    forwardTargets: [...v.forwardTargets],
    forwardTimeoutMs: String(v.forwardTimeoutMs),
    retentionDays: v.retention.days == null ? '' : String(v.retention.days),
    retentionMaxEvents: v.retention.maxEvents == null ? '' : String(v.retention.maxEvents),
    bodyLimitKiB: String(Math.round(v.bodyLimitBytes / 1024)),
    hideNotificationText: v.hideNotificationText === true,
  };
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
