// The theme: follow the system, or always light / always dark. The choice is kept in localStorage (per
// browser profile; the desktop app's window keeps it the same way) and applied as data-theme on <html>,
// which the stylesheet keys its dark palette on. "system" resolves through prefers-color-scheme and
// follows it live.
export type ThemeChoice = 'system' | 'light' | 'dark';
export const THEME_CHOICES: readonly ThemeChoice[] = ['system', 'light', 'dark'];
const KEY = 'hookscope.theme';

export function loadThemeChoice(): ThemeChoice {
  try {
    const v = globalThis.localStorage?.getItem(KEY);
    return v === 'light' || v === 'dark' || v === 'system' ? v : 'system';
  } catch {
    return 'system';
  }
}

export function saveThemeChoice(choice: ThemeChoice) {
  try { globalThis.localStorage?.setItem(KEY, choice); } catch { /* storage disabled: the choice lasts this page */ }
}

let stopFollowing: (() => void) | null = null;

/** Sets data-theme to the resolved theme ("light" | "dark") and, for "system", keeps following the OS. */
export function applyTheme(choice: ThemeChoice) {
  stopFollowing?.();
  stopFollowing = null;
  const root = document.documentElement;
  root.dataset.themeChoice = choice;
  if (choice !== 'system') {
    root.dataset.theme = choice;
    return;
  }
  const mq = window.matchMedia?.('(prefers-color-scheme: dark)');
  const set = () => { root.dataset.theme = mq?.matches ? 'dark' : 'light'; };
  set();
  if (mq) {
    mq.addEventListener('change', set);
    stopFollowing = () => mq.removeEventListener('change', set);
  }
}
