// The feed's two views and its optional columns (plain types: the store options, the URL and the
// messages slice all name them).
export type FeedView = 'events' | 'messages';
export const FEED_VIEWS: readonly FeedView[] = ['events', 'messages'];

export interface FeedColumns {
  /** What the receiver answered (HTTP status). */
  http: boolean;
  /** The signature verdict, spelled out. */
  signature: boolean;
}
