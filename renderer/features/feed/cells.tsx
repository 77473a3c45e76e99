// Cells shared by the Events and Messages views, and the columns each view shows.
import type { SignatureVerdict } from '../../../shared/types';
import type { FeedColumns } from '../../state/slices/messages';
import type { GridColumn } from './feed-grid';
import { excerpt, revealInvisible } from '../../../shared/invisible';

/**
 * Characters of a name or text a row shows: more than the widest cell holds, far less than a hostile
 * payload can carry. Rows show their excerpt once; the inspector has the whole value.
 */
export const ROW_TEXT_CUT = 240;

/** A contact cell's tooltip (`Name · +number`): cut, and with invisible characters as markers. */
export function contactTitle(contact: string): string | undefined {
  return contact ? revealInvisible(excerpt(contact, ROW_TEXT_CUT)) : undefined;
}

export function HttpCell({ status }: { status: number | null }) {
  const tone = status == null ? '' : status >= 200 && status < 300 ? ' http-ok' : ' http-bad';
  return (
    <span role="gridcell" className={`cell cell-http${tone}`} data-testid="cell-http" title={status == null ? 'Not known' : `Answered HTTP ${status}`}>
      {status ?? '—'}
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

export function eventColumns(columns: FeedColumns, narrow: boolean): GridColumn[] {
  return withOptional([
    { id: 'time', label: 'Time', width: narrow ? '64px' : '72px', className: 'cell-time' },
    ...(narrow ? [] : [{ id: 'provider', label: 'Provider', width: '68px', className: 'cell-provider' }]),
    { id: 'status', label: 'Status', width: narrow ? '88px' : '104px', className: 'cell-status' },
    { id: 'contact', label: 'Contact', width: 'minmax(150px, 1.2fr)', className: 'cell-contact' },
    { id: 'text', label: 'Text / error', width: 'minmax(120px, 2fr)', className: 'cell-text' },
  ], columns);
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
