// Top-bar badge: how many requests the receiver refused. Opens the rejected view.
import { useApp } from '../../state/hooks';
import { usePanel } from '../../state/panel-state';

export function RejectedBadge() {
  const summary = useApp((s) => s.rejectedSummary);
  const open = usePanel((s) => s.panel === 'rejected');
  const toggle = usePanel((s) => s.toggle);
  const total = summary?.total ?? 0;
  return (
    <button type="button" className={`btn btn-xs nav-btn rejected-badge${open ? ' is-active' : ''}`} data-testid="nav-rejected"
      aria-pressed={open} title="Requests the receiver refused: kept for diagnosis, never added to the feed"
      onClick={() => toggle('rejected')}>
      Rejected
      {total > 0 && <span className="nav-badge nav-badge-warn" data-testid="rejected-count" aria-label={`${total} rejected`}>{total > 999 ? '999+' : total}</span>}
    </button>
  );
}
