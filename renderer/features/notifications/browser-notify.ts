// Desktop notifications under `npm run serve` (in the Electron window main shows native ones).
// The browser's Notification API, typed structurally so the helpers stay testable without a DOM.

export interface NotificationApi {
  readonly permission: 'default' | 'denied' | 'granted';
  requestPermission(): Promise<'default' | 'denied' | 'granted'>;
  new (title: string, options?: { body?: string; tag?: string }): { onclick: ((ev: unknown) => void) | null; close(): void };
}

const OPT_IN_KEY = 'hookscope.browserNotifications';

interface Storage { getItem(k: string): string | null; setItem(k: string, v: string): void; removeItem(k: string): void }

export function notificationApi(g: unknown = globalThis): NotificationApi | null {
  const n = (g as { Notification?: NotificationApi }).Notification;
  return typeof n === 'function' ? n : null;
}

function storage(): Storage | null {
  try { return (globalThis as { localStorage?: Storage }).localStorage ?? null; } catch { return null; }
}

export function readOptIn(s: Storage | null = storage()): boolean {
  try { return s?.getItem(OPT_IN_KEY) === 'on'; } catch { return false; }
}

export function writeOptIn(on: boolean, s: Storage | null = storage()): void {
  try {
    if (on) s?.setItem(OPT_IN_KEY, 'on');
    else s?.removeItem(OPT_IN_KEY);
  } catch { /* storage may be disabled */ }
}

/** Whether the renderer itself should show OS notifications: a browser tab, allowed and opted in. */
export function shouldShowBrowserNotifications(o: { isDesktop: boolean; permission: string | null; optedIn: boolean }): boolean {
  return !o.isDesktop && o.permission === 'granted' && o.optedIn;
}

/** Ids above the highest one already seen: the notifications that just fired. */
export function newlyFired<T extends { id: number }>(items: readonly T[], lastSeenId: number): T[] {
  return items.filter((n) => n.id > lastSeenId).sort((a, b) => a.id - b.id);
}

/**
 * The same global cap main applies to native notifications: at most `perMinute` shown a minute. Past it,
 * `more` counts what was held back this minute; the caller shows one summary notification for it (with a
 * fixed tag, so each update replaces the last instead of stacking).
 */
export function createNotifyBudget(perMinute = 20, now: () => number = () => Date.now()): (count: number) => { show: number; more: number } {
  let since = Number.NEGATIVE_INFINITY;
  let shown = 0;
  let held = 0;
  return (count) => {
    const t = now();
    if (t - since >= 60_000) { since = t; shown = 0; held = 0; }
    const show = Math.max(0, Math.min(count, perMinute - shown));
    shown += show;
    held += count - show;
    return { show, more: count - show > 0 ? held : 0 };
  };
}
