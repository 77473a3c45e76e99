// Formatting helpers shared by features. Plain text out, always.
import type { EventStatus, HookEvent } from '../../shared/types';

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

export function formatTime(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function formatDateTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${formatTime(ms)}.${pad(d.getMilliseconds(), 3)}`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Local midnight to the next local midnight around `ms` (DST-safe: calendar arithmetic, not 24 h). */
function dayBounds(ms: number): { start: number; end: number } {
  const d = new Date(ms);
  return { start: new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime(), end: new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1).getTime() };
}
let today = { start: 0, end: 0 };

/** Short time for a row: HH:MM:SS today, "3 Nov 14:02" this year, "3 Nov 2025 14:02" before. */
export function formatRowTime(ms: number, now = Date.now()): string {
  // Today's bounds are worked out once a day, not per row (every row renders this as it scrolls in).
  if (now < today.start || now >= today.end) today = dayBounds(now);
  if (ms >= today.start && ms < today.end) return formatTime(ms);
  const d = new Date(ms);
  const n = new Date(now);
  const day = `${d.getDate()} ${MONTHS[d.getMonth()]}${d.getFullYear() === n.getFullYear() ? '' : ` ${d.getFullYear()}`}`;
  return `${day} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function formatDuration(ms: number): string {
  const neg = ms < 0;
  let v = Math.abs(ms);
  let out: string;
  if (v < 1000) out = `${Math.round(v)} ms`;
  else if (v < 60_000) out = `${(v / 1000).toFixed(v < 10_000 ? 1 : 0)} s`;
  else if (v < 3_600_000) out = `${Math.floor(v / 60_000)} min ${Math.floor((v % 60_000) / 1000)} s`;
  else if (v < 86_400_000) { v = Math.round(v / 60_000); out = `${Math.floor(v / 60)} h ${v % 60} min`; }
  else { v = Math.round(v / 3_600_000); out = `${Math.floor(v / 24)} d ${v % 24} h`; }
  return neg ? `-${out}` : out;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/** The word shown for a row's state: its status, else its kind. */
export function statusWord(e: Pick<HookEvent, 'status' | 'kind'>): string {
  return e.status ?? e.kind;
}

/** Colour family (CSS class suffix) for a status or kind. */
export function statusTone(e: Pick<HookEvent, 'status' | 'kind'>): string {
  const s: EventStatus | null = e.status;
  switch (s) {
    case 'incoming': return 'incoming';
    case 'sent': case 'queued': return 'sent';
    case 'delivered': return 'delivered';
    case 'read': case 'played': return 'read';
    case 'failed': return 'failed';
    case 'deleted': case 'other': return 'muted';
    default:
      if (e.kind === 'invalid' || e.kind === 'unrouted') return 'failed';
      return 'muted';
  }
}

export function contactLabel(e: Pick<HookEvent, 'contactName' | 'contactId'>): string {
  if (e.contactName && e.contactId) return `${e.contactName} · +${e.contactId}`;
  if (e.contactId) return `+${e.contactId}`;
  return e.contactName ?? '';
}

/** Any value as readable text (objects as compact JSON). Never markup. */
export function valueText(v: unknown): string {
  if (v == null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  try { return JSON.stringify(v); } catch { return String(v); }
}
