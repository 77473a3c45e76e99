// The feed's two views and its optional columns (the store options, the URL and the messages slice
// all name them), and where the choice of columns is kept (localStorage, per browser profile).
export type FeedView = 'events' | 'messages';
export const FEED_VIEWS: readonly FeedView[] = ['events', 'messages'];

export interface FeedColumns {
  /** What the receiver answered (HTTP status). */
  http: boolean;
  /** The signature verdict, spelled out. */
  signature: boolean;
  /** Events view: how long the receiver took to answer (ms). */
  timing?: boolean;
  /** Events view: what the forward target answered, and how long it took. */
  forward?: boolean;
  /** Events view: the receiving business number (its name from Settings when given). */
  business?: boolean;
}

const COLUMNS_KEY = 'hookscope.feedColumns';

/** The columns chosen last time in this browser; the two defaults when none was kept or it is unreadable. */
export function readColumns(): FeedColumns {
  const fallback: FeedColumns = { http: false, signature: false };
  try {
    const raw = (globalThis as { localStorage?: KeyValueStorage }).localStorage?.getItem(COLUMNS_KEY);
    if (!raw) return fallback;
    const v = JSON.parse(raw) as Partial<FeedColumns>;
    return { http: v.http === true, signature: v.signature === true, timing: v.timing === true, forward: v.forward === true, business: v.business === true };
  } catch {
    return fallback;
  }
}

/** Keeps the choice for the next start. */
export function writeColumns(c: FeedColumns) {
  try {
    (globalThis as { localStorage?: KeyValueStorage }).localStorage?.setItem(COLUMNS_KEY, JSON.stringify(c));
  } catch { /* private mode: the choice lasts this session */ }
}

/** The part of the DOM's Storage used here (this module also loads without a DOM, in store unit tests). */
interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}
