// Cells shared by the Events and Messages views, and the columns each view shows.
import type { SignatureVerdict } from '../../../shared/types';
import type { FeedColumns } from '../../state/slices/messages';
import type { GridColumn } from './feed-grid';
import { excerpt, revealInvisible } from '../../../shared/invisible';
import { memo } from 'react';
import { formatRowTime } from '../../ui/format';

/**
 * Characters of a name or text a row shows: more than the widest cell holds, far less than a hostile
 * payload can carry. Rows show their excerpt once; the inspector has the whole value.
 */
export const ROW_TEXT_CUT = 240;

/** A contact cell's tooltip (`Name · +number`): cut, and with invisible characters as markers. */
export function contactTitle(contact: string): string | undefined {
  return contact ? revealInvisible(excerpt(contact, ROW_TEXT_CUT)) : undefined;
}

/**
 * A row's cells while rows pass faster than anyone reads them (feed-grid.tsx, scroll-pace.ts): the time
 * and nothing else — no labels, masks, badges or tooltips to build, style, lay out and paint for a row on
 * screen for a frame or two. The row fills in once the scroll slows (docs/benchmarks.md "UI: light rows
 * during a fast scroll").
 */
export const LightCells = memo(function LightCells({ at }: { at: number }) {
  return <span role="gridcell" className="cell cell-time">{formatRowTime(at)}</span>;
});

export function HttpCell({ status }: { status: number | null }) {
  const tone = status == null ? '' : status >= 200 && status < 300 ? ' http-ok' : ' http-bad';
  return (
    <span role="gridcell" className={`cell cell-http${tone}`} data-testid="cell-http" title={status == null ? 'Not known' : `Answered HTTP ${status}`}>
      {status ?? '—'}
    </span>
  );
}

/** How long the receiver took to answer (the list's ackMs). */
export function AckCell({ ms }: { ms: number | null | undefined }) {
  const slow = ms != null && ms >= 1000;
  return (
    <span role="gridcell" className={`cell cell-timing${slow ? ' http-bad' : ''}`} data-testid="cell-timing" title={ms == null ? 'Not measured' : `Answered ${ms} ms after the body was read`}>
      {ms == null ? '—' : `${Math.round(ms)} ms`}
    </span>
  );
}

/** What the forward target answered and how long it took (the list's forward). */
export function ForwardCell({ forward }: { forward: { status: number | null; ms: number | null } | null | undefined }) {
  const tone = forward == null ? '' : forward.status != null && forward.status >= 200 && forward.status < 300 ? ' http-ok' : ' http-bad';
  const text = forward == null ? '—' : `${forward.status ?? 'error'}${forward.ms != null ? ` · ${forward.ms} ms` : ''}`;
  return (
    <span role="gridcell" className={`cell cell-forward${tone}`} data-testid="cell-forward" title={forward == null ? 'Not forwarded' : `Forward answered ${forward.status ?? 'nothing (error)'}`}>
      {text}
    </span>
  );
}

/** The receiving business number, by the name given in Settings when there is one. */
export function BusinessCell({ businessId, names }: { businessId: string | null; names: Record<string, string> }) {
  const name = businessId ? names[businessId] : undefined;
  return (
    <span role="gridcell" className="cell cell-business" data-testid="cell-business" title={businessId ?? undefined}>
      {name ?? businessId ?? '—'}
    </span>
  );
}

export function SignatureCell({ verdict }: { verdict: SignatureVerdict }) {
  return <span role="gridcell" className={`cell cell-signature sig-${verdict}`} data-testid="cell-signature">{verdict}</span>;
}

const OPTIONAL: GridColumn[] = [
  { id: 'http', label: 'HTTP', width: '52px', className: 'cell-http' },
  { id: 'signature', label: 'Signature', width: '80px', className: 'cell-signature' },
];
const FLAGS: GridColumn = { id: 'flags', label: 'Warnings', width: '24px', className: 'cell-flags', srOnly: true };

function withOptional(base: GridColumn[], columns: FeedColumns): GridColumn[] {
  return [...base, ...OPTIONAL.filter((c) => columns[c.id as keyof FeedColumns]), FLAGS];
}

// Events view only (the Messages rows have no cells for them).
const EVENT_OPTIONAL: GridColumn[] = [
  { id: 'timing', label: 'Answer', width: '64px', className: 'cell-timing' },
  { id: 'forward', label: 'Forward', width: '96px', className: 'cell-forward' },
  { id: 'business', label: 'Business', width: 'minmax(80px, 0.6fr)', className: 'cell-business' },
];

export function eventColumns(columns: FeedColumns, narrow: boolean): GridColumn[] {
  const cols = withOptional([
    { id: 'time', label: 'Time', width: narrow ? '64px' : '72px', className: 'cell-time' },
    ...(narrow ? [] : [{ id: 'provider', label: 'Provider', width: '68px', className: 'cell-provider' }]),
    { id: 'status', label: 'Status', width: narrow ? '88px' : '104px', className: 'cell-status' },
    { id: 'contact', label: 'Contact', width: 'minmax(150px, 1.2fr)', className: 'cell-contact' },
    { id: 'text', label: 'Text / error', width: 'minmax(120px, 2fr)', className: 'cell-text' },
  ], columns);
  const extra = EVENT_OPTIONAL.filter((c) => columns[c.id as keyof FeedColumns]);
  return [...cols.slice(0, -1), ...extra, cols[cols.length - 1]];
}

export function messageColumns(columns: FeedColumns, narrow: boolean): GridColumn[] {
  return withOptional([
    { id: 'time', label: 'Time', width: narrow ? '64px' : '72px', className: 'cell-time' },
    { id: 'direction', label: 'Way', width: '44px', className: 'cell-direction' },
    { id: 'lifecycle', label: 'Status', width: narrow ? 'minmax(150px, 1fr)' : 'minmax(200px, 1.1fr)', className: 'cell-lifecycle' },
    { id: 'contact', label: 'Contact', width: 'minmax(140px, 1fr)', className: 'cell-contact' },
    { id: 'text', label: 'Text / error', width: 'minmax(120px, 2fr)', className: 'cell-text' },
  ], columns);
}
