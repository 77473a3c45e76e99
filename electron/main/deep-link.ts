// Links into the desktop app (docs/api.md "Links"): `hookscope://open/?event=12&tab=raw` — what the
// inspector's Link button and a saved view's "Copy link" give in the desktop app — and, handed to the app
// the same way, the address of a browser UI (`http://127.0.0.1:5174/?event=12&tab=raw`). Either opens the
// window on that query: the renderer reads the filter, the view, the open event and its tab from its own
// URL exactly as it does in a browser (renderer/state/url-filter.ts), and validates each parameter there.
//
// A link is outside input (any web page can ask the OS to open one): only its query is taken, never a host
// or path, the UI token is dropped (links are shared, tokens never), and its size is bounded.

export const DEEP_LINK_SCHEME = 'hookscope';
/** Longer queries are refused: a real link is a filter and an event id. */
const MAX_LINK_CHARS = 4096;

/**
 * The query (`?event=12&tab=raw`, or '' for a bare `hookscope://`) a link opens the window on; null when
 * `arg` is not a link to Hookscope (a command-line flag, a file path, another scheme).
 */
export function linkSearch(arg: unknown): string | null {
  if (typeof arg !== 'string' || arg.length > MAX_LINK_CHARS) return null;
  let url: URL;
  try { url = new URL(arg); } catch { return null; }
  if (url.protocol !== `${DEEP_LINK_SCHEME}:` && url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  const params = new URLSearchParams(url.search);
  // A browser address is a link only when it says what to open; anything else on a command line is not ours.
  if (url.protocol !== `${DEEP_LINK_SCHEME}:` && !params.has('event') && !params.has('savedView')) return null;
  params.delete('token');
  const s = params.toString();
  return s ? `?${s}` : '';
}

/** The first link among a launch's arguments (Windows and Linux pass it there; macOS sends 'open-url'). */
export function linkInArgv(argv: readonly string[]): string | null {
  for (const a of argv) {
    const s = linkSearch(a);
    if (s != null) return s;
  }
  return null;
}
