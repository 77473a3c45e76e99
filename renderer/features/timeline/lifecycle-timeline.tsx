// A message's life on a vertical line: each status with its time and the gap since the previous one.
import type { MessageLifecycle } from '../../../shared/types';
import { formatDateTime, formatDuration, formatRowTime } from '../../ui/format';
import { StatusBadge } from '../../ui/status-badge';
import { eventTime } from './thread';
import { useMask } from '../privacy/privacy';

export function LifecycleTimeline({ lifecycle, selectedId, onSelect }: { lifecycle: MessageLifecycle; selectedId: number | null; onSelect(id: number): void }) {
  const evs = lifecycle.events;
  const mask = useMask();
  // The step that reached the current state (the last such one, if the provider repeated it).
  let currentIdx = -1;
  evs.forEach((e, i) => { if (e.status === lifecycle.current) currentIdx = i; });
  return (
    <div className="lifecycle" data-testid="lifecycle">
      <p className="lifecycle-head">
        Current state: {lifecycle.current ? <StatusBadge event={{ status: lifecycle.current, kind: 'status' }} /> : <span className="muted">unknown</span>}
        {evs.length > 1 && (
          <span className="muted"> · {formatDuration(eventTime(evs[evs.length - 1]) - eventTime(evs[0]))} from first to last</span>
        )}
      </p>
      <ol className="timeline">
        {evs.map((e, i) => {
          const t = eventTime(e);
          const gap = i > 0 ? t - eventTime(evs[i - 1]) : null;
          return (
            <li
              key={e.id}
              className={`timeline-step tone-${e.status ?? 'muted'}${i === currentIdx ? ' is-current' : ''}${e.id === selectedId ? ' is-selected' : ''}`}
              data-testid="lifecycle-step"
            >
              {gap != null && <div className="timeline-gap">+{formatDuration(gap)}</div>}
              <button type="button" className="timeline-card" onClick={() => onSelect(e.id)} title={formatDateTime(t)}>
                <span className="timeline-dot" aria-hidden="true" />
                <StatusBadge event={e} />
                <span className="timeline-time">{formatRowTime(t)}</span>
                {e.kind === 'message' && e.text && <span className="timeline-text">{mask.text(e.text)}</span>}
                {e.errorTitle && <span className="timeline-text text-error">{e.errorCode ? `${e.errorCode} · ` : ''}{mask.scrub(e.errorTitle)}</span>}
                {e.duplicate && <span className="tag">dup</span>}
                {i === currentIdx && <span className="tag tag-current">current</span>}
              </button>
            </li>
          );
        })}
      </ol>
    </div>
  );
}
