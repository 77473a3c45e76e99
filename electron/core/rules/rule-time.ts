// Time of day for rules: working-hours windows, digest slots and local timestamps. Times of day are the
// machine's local time of the given clock value (docs/api.md, rules' quiet hours and working hours).
import { inTimeWindow, parseHhmm } from '../../../shared/rules';

export const localTime = (ms: number) => { const d = new Date(ms); return { hours: d.getHours(), minutes: d.getMinutes() }; };

/** Start (ms) of the working-hours window `now` is in, or null when `now` is outside it. */
export function windowStart(w: { from?: string; to?: string }, now: number): number | null {
  if (w.from === undefined || w.to === undefined) return Number.NEGATIVE_INFINITY;
  if (!inTimeWindow({ from: w.from, to: w.to }, localTime(now))) return null;
  const f = parseHhmm(w.from) ?? 0;
  const d = new Date(now);
  d.setHours(Math.floor(f / 60), f % 60, 0, 0);
  if (d.getTime() > now) d.setDate(d.getDate() - 1); // a window wrapping midnight began yesterday
  return d.getTime();
}

/** Milliseconds of [a, b) that fall inside the working-hours window (all of it without a window). */
export function workingMsBetween(a: number, b: number, w: { from?: string; to?: string }): number {
  if (b <= a) return 0;
  if (w.from === undefined || w.to === undefined) return b - a;
  const f = parseHhmm(w.from);
  const t = parseHhmm(w.to);
  if (f == null || t == null || f === t) return b - a;
  const at = (day: Date, minutes: number) => { const d = new Date(day); d.setHours(0, minutes, 0, 0); return d.getTime(); };
  const overlap = (s: number, e: number) => Math.max(0, Math.min(e, b) - Math.max(s, a));
  let total = 0;
  const day = new Date(a);
  day.setHours(0, 0, 0, 0);
  day.setDate(day.getDate() - 1); // a window wrapping midnight may have begun the day before
  for (let i = 0; i < 400 && day.getTime() < b; i++) {
    if (f < t) total += overlap(at(day, f), at(day, t));
    else total += overlap(at(day, 0), at(day, t)) + overlap(at(day, f), at(day, 24 * 60));
    day.setDate(day.getDate() + 1);
  }
  return total;
}

/** The latest scheduled digest time at or before `now` (local time). */
export function digestSlot(d: { every: 'day' | 'hour'; at?: string }, now: number): number {
  const x = new Date(now);
  if (d.every === 'hour') { x.setMinutes(0, 0, 0); return x.getTime(); }
  const m = parseHhmm(d.at ?? '18:00') ?? 18 * 60;
  x.setHours(0, m, 0, 0);
  if (x.getTime() > now) x.setDate(x.getDate() - 1);
  return x.getTime();
}

const pad = (n: number) => String(n).padStart(2, '0');
export const localStamp = (ms: number) => { const d = new Date(ms); return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`; };
