// hookscope:// links into the desktop app (electron/main/deep-link.ts) and the links the UI hands out
// (renderer/state/url-filter.ts shareLink): what a link may open, and what never travels in one.
import { describe, expect, it } from 'vitest';
import { linkInArgv, linkSearch } from '../../electron/main/deep-link';
import { selectionFromSearch, shareLink } from '../../renderer/state/url-filter';

describe('linkSearch', () => {
  it('takes the query of a hookscope:// link, without the token', () => {
    expect(linkSearch('hookscope://open/?event=12&tab=raw')).toBe('?event=12&tab=raw');
    expect(linkSearch('hookscope://open/?savedView=3&token=secret')).toBe('?savedView=3');
    expect(linkSearch('hookscope://open/?status=failed,read&where=raw.errors.0.code%3D131047&event=9'))
      .toBe('?status=failed%2Cread&where=raw.errors.0.code%3D131047&event=9');
    // A bare link only brings the app forward.
    expect(linkSearch('hookscope://')).toBe('');
    expect(linkSearch('hookscope://open/')).toBe('');
  });

  it('takes a browser UI address only when it says what to open; host and path are never used', () => {
    expect(linkSearch('http://127.0.0.1:5174/?event=7&tab=raw&token=t')).toBe('?event=7&tab=raw');
    expect(linkSearch('https://hookscope.team.example/some/path?savedView=2')).toBe('?savedView=2');
    expect(linkSearch('http://127.0.0.1:5174/?status=failed')).toBeNull();
  });

  it('refuses what is not a link: flags, paths, other schemes, oversized input', () => {
    for (const a of ['--no-sandbox', '/opt/Hookscope/resources/app.asar', 'C:\\Program Files\\Hookscope\\Hookscope.exe', '.',
      'file:///etc/passwd?event=1', 'javascript:alert(1)//?event=1', 'mailto:x@example.com?event=1', '', 42, null, undefined]) {
      expect(linkSearch(a), String(a)).toBeNull();
    }
    expect(linkSearch(`hookscope://open/?event=1&q=${'a'.repeat(5000)}`)).toBeNull();
  });

  it('finds the link among a launch\'s arguments, or none', () => {
    expect(linkInArgv(['/usr/bin/hookscope', '--no-sandbox', 'hookscope://open/?event=5'])).toBe('?event=5');
    expect(linkInArgv(['/usr/bin/hookscope', '--no-sandbox'])).toBeNull();
  });
});

describe('shareLink', () => {
  it('in a browser: the page address; in the desktop app (a file page): a hookscope:// link that opens the same thing', () => {
    const browser = { protocol: 'http:', origin: 'http://127.0.0.1:5174', pathname: '/' };
    const desktop = { protocol: 'file:', origin: 'null', pathname: '/opt/Hookscope/resources/app.asar/dist/renderer/index.html' };
    expect(shareLink(browser, '?token=t&event=12&tab=raw')).toBe('http://127.0.0.1:5174/?event=12&tab=raw');
    const link = shareLink(desktop, '?event=12&tab=raw');
    expect(link).toBe('hookscope://open/?event=12&tab=raw');
    // Round trip: what the app opens is what the renderer reads back as the selection.
    expect(selectionFromSearch(linkSearch(link)!)).toEqual({ eventId: 12, tab: 'raw', savedView: null });
  });
});
