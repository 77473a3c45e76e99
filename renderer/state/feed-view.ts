// The feed's two views and its optional columns (plain types: the store options, the URL and the
// messages slice all name them).
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
