// Which setup doctor problems were fixed since they were last seen: kept with the doctor's answer in
// the tools slice, shown by the setup panel. Pure; it lives in state/ because state never imports
// features (docs/architecture.md, "Tiers").
import type { DoctorFinding } from '../../shared/types';

/** A finding that asks the user to do something. */
export const isProblem = (f: DoctorFinding): boolean => f.level === 'error' || f.level === 'warn';

/**
 * Problems seen before and gone now: shown as "fixed" so the user sees their change worked. `prev` is
 * the last answer, `prevFixed` what was already fixed; a problem that comes back leaves the fixed list.
 */
export function nextFixed(prev: readonly DoctorFinding[], prevFixed: readonly DoctorFinding[], next: readonly DoctorFinding[]): DoctorFinding[] {
  const nowProblems = new Set(next.filter(isProblem).map((f) => f.id));
  const out = new Map<string, DoctorFinding>();
  for (const f of prevFixed) if (!nowProblems.has(f.id)) out.set(f.id, f);
  for (const f of prev) if (isProblem(f) && !nowProblems.has(f.id)) out.set(f.id, f);
  return Array.from(out.values());
}
