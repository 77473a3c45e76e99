// Above the feed: Events | Messages, and the optional columns.
import { useApp, useAppStore } from '../../state/hooks';
import type { FeedView } from '../../state/slices/messages';

const VIEWS: { id: FeedView; label: string; hint: string }[] = [
  { id: 'messages', label: 'Messages', hint: 'One row per message, with its sent → delivered → read life' },
  { id: 'events', label: 'Events', hint: 'Every webhook event as it arrived' },
];

export function FeedToolbar() {
  const store = useAppStore();
  const view = useApp((s) => s.view);
  const columns = useApp((s) => s.columns);
  return (
    <div className="feed-toolbar" data-testid="feed-toolbar">
      <div className="segmented" role="group" aria-label="Feed view">
        {VIEWS.map((v) => (
          <button
            key={v.id}
            type="button"
            className={`btn btn-xs${view === v.id ? ' is-active' : ''}`}
            aria-pressed={view === v.id}
            title={v.hint}
            data-testid={`view-${v.id}`}
            onClick={() => store.getState().setView(v.id)}
          >
            {v.label}
          </button>
        ))}
      </div>
      <span className="feed-toolbar-spacer" />
      <fieldset className="feed-columns">
        <legend className="sr-only">Optional columns</legend>
        <span className="muted small" aria-hidden="true">Columns:</span>
        <label className="inline-check small">
          <input type="checkbox" checked={columns.http} data-testid="column-http"
            onChange={(ev) => store.getState().setColumns({ http: ev.target.checked })} />
          HTTP answer
        </label>
        <label className="inline-check small">
          <input type="checkbox" checked={columns.signature} data-testid="column-signature"
            onChange={(ev) => store.getState().setColumns({ signature: ev.target.checked })} />
          Signature
        </label>
        {view === 'events' && (
          <>
            <label className="inline-check small">
              <input type="checkbox" checked={columns.timing === true} data-testid="column-timing"
                onChange={(ev) => store.getState().setColumns({ timing: ev.target.checked })} />
              Answer time
            </label>
            <label className="inline-check small">
              <input type="checkbox" checked={columns.forward === true} data-testid="column-forward"
                onChange={(ev) => store.getState().setColumns({ forward: ev.target.checked })} />
              Forward
            </label>
            <label className="inline-check small">
              <input type="checkbox" checked={columns.business === true} data-testid="column-business"
                onChange={(ev) => store.getState().setColumns({ business: ev.target.checked })} />
              Business
            </label>
          </>
        )}
      </fieldset>
    </div>
  );
}
