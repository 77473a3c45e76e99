// The filter lives in the page URL (status=failed,read&q=…) so a view survives a reload. Other
// parameters — above all `token` in serve mode — are kept exactly as they are.
import type { EventFilter, EventKind, EventStatus, Provider, SignatureVerdict } from '../../shared/types';
import { EVENT_KINDS, EVENT_STATUSES, SIGNATURE_VERDICTS } from '../../shared/types';
import type { FeedView } from './feed-view';
import { WHERE_MAX_CONDITIONS, parseCondition } from '../../shared/where';

const FILTER_KEYS = ['status', 'kind', 'provider', 'signature', 'contact', 'q', 'since', 'until', 'messageId', 'where', 'businessId'] as const;

function list<T extends string>(raw: string | null, allowed: readonly T[]): T[] | undefined {
  if (!raw) return undefined;
  const out = raw.split(',').map((s) => s.trim()).filter((s): s is T => (allowed as readonly string[]).includes(s));
  return out.length ? Array.from(new Set(out)) : undefined;
}

function num(raw: string | null): number | undefined {
  if (raw == null || raw === '') return undefined;
  const n = Number(raw);
  return Number.isFinite(n) ? n : undefined;
}

export function filterFromSearch(search: string): EventFilter {
  const p = new URLSearchParams(search);
  const f: EventFilter = {};
  const status = list<EventStatus>(p.get('status'), EVENT_STATUSES);
  if (status) f.status = status;
  const kind = list<EventKind>(p.get('kind'), EVENT_KINDS);
  if (kind) f.kind = kind;
  const provider = list<Provider>(p.get('provider'), ['meta', 'twilio']);
  if (provider) f.provider = provider;
  const signature = list<SignatureVerdict>(p.get('signature'), SIGNATURE_VERDICTS);
  if (signature) f.signature = signature;
  const contact = p.get('contact')?.trim().slice(0, 64);
  if (contact) f.contact = contact;
  const q = p.get('q')?.slice(0, 500);
  if (q && q.trim()) f.q = q;
  const messageId = p.get('messageId')?.trim().slice(0, 300);
  if (messageId) f.messageId = messageId;
  const since = num(p.get('since'));
  if (since != null) f.since = since;
  const until = num(p.get('until'));
  if (until != null) f.until = until;
  // Field filters repeat (where=…&where=…); one that does not parse is dropped, not sent.
  const where = p.getAll('where').filter((w) => { try { parseCondition(w); return true; } catch { return false; } }).slice(0, WHERE_MAX_CONDITIONS);
  if (where.length) f.where = where;
  const businessId = p.get('businessId')?.trim().slice(0, 64);
  if (businessId) f.businessId = businessId;
  return f;
}

/** Writes the filter into `search`, keeping every non-filter parameter (token, …) in place. */
export function filterToSearch(filter: EventFilter, search: string): string {
  const p = new URLSearchParams(search);
  for (const k of FILTER_KEYS) p.delete(k);
  const parts: string[] = [];
  p.forEach((v, k) => parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(v)}`));
  const add = (k: string, v: string | number | undefined | string[]) => {
    if (v == null) return;
    const s = Array.isArray(v) ? v.join(',') : String(v);
    if (s === '') return;
    // Commas stay readable: status=failed,read
    parts.push(`${k}=${encodeURIComponent(s).replace(/%2C/gi, ',')}`);
  };
  add('status', filter.status);
  add('kind', filter.kind);
  add('provider', filter.provider);
  add('signature', filter.signature);
  add('contact', filter.contact);
  add('q', filter.q);
  add('messageId', filter.messageId);
  add('since', filter.since);
  add('until', filter.until);
  for (const w of filter.where ?? []) parts.push(`where=${encodeURIComponent(w)}`);
  add('businessId', filter.businessId);
  return parts.length ? `?${parts.join('&')}` : '';
}

/** The feed's view: `view=messages`; the Events view is the default and leaves no parameter. */
export function viewFromSearch(search: string): FeedView {
  return new URLSearchParams(search).get('view') === 'messages' ? 'messages' : 'events';
}

/** Writes the view into `search`, keeping every other parameter in place. */
export function viewToSearch(view: FeedView, search: string): string {
  const p = new URLSearchParams(search);
  const had = p.get('view');
  if ((view === 'messages') === (had === 'messages') && (view === 'messages' || had == null)) return search;
  const parts = search.replace(/^\?/, '').split('&').filter((x) => x && !/^view=/.test(x));
  if (view === 'messages') parts.push('view=messages');
  return parts.length ? `?${parts.join('&')}` : '';
}

/** `search` without the serve token: links are shared, the token never is. */
export function linkWithout(search: string): string {
  const p = new URLSearchParams(search);
  p.delete('token');
  const s = p.toString();
  return s ? `?${s}` : '';
}

/**
 * A link to share for `search` (token dropped): the page's own address in a browser; in the desktop app,
 * whose page is a file, a `hookscope://open/?…` link the installed app opens (electron/main/deep-link.ts).
 */
export function shareLink(loc: { protocol: string; origin: string; pathname: string }, search: string): string {
  const s = linkWithout(search);
  return loc.protocol === 'file:' ? `hookscope://open/${s}` : `${loc.origin}${loc.pathname}${s}`;
}

/** The open event and inspector tab (`event=12&tab=raw`), so a link opens them. */
export function selectionFromSearch(search: string): { eventId: number | null; tab: string | null; savedView: number | null } {
  const p = new URLSearchParams(search);
  const id = Number(p.get('event'));
  const sv = Number(p.get('savedView'));
  const tab = p.get('tab');
  return {
    eventId: Number.isInteger(id) && id > 0 ? id : null,
    tab: tab && /^[a-z]{1,20}$/.test(tab) ? tab : null,
    savedView: Number.isInteger(sv) && sv > 0 ? sv : null,
  };
}

/** Writes the open event and tab into `search` (removed when nothing is open), keeping everything else. */
export function selectionToSearch(eventId: number | null, tab: string | null, search: string): string {
  const parts = search.replace(/^\?/, '').split('&').filter((x) => x && !/^(event|tab|savedView)=/.test(x));
  if (eventId != null) {
    parts.push(`event=${eventId}`);
    if (tab && tab !== 'summary') parts.push(`tab=${tab}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}
