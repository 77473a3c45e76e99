// The live feed: virtualised, newest on top. While the user is at the top, new rows push in and stay
// visible (auto-scroll). Once they scroll away, the view stays anchored to the row they were reading
// and a pill counts what arrived above.
import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { useApp, useAppStore } from '../../state/hooks';
import { isFilterEmpty } from '../../state/filter-match';
import { SetupGuide } from '../setup/setup-guide';
import { EventRow, ROW_HEIGHT } from './event-row';

const TOP_SLACK = 4;
const LOAD_AHEAD_ROWS = 30;

export function Feed() {
  const store = useAppStore();
  const events = useApp((s) => s.events);
  const selectedId = useApp((s) => s.selectedId);
  const loading = useApp((s) => s.loading);
  const loadingOlder = useApp((s) => s.loadingOlder);
  const hasOlder = useApp((s) => s.hasOlder);
  const detached = useApp((s) => s.detached);
  const unseen = useApp((s) => s.unseenCount);
  const live = useApp((s) => s.live);
  const listError = useApp((s) => s.listError);
  const filterEmpty = useApp((s) => isFilterEmpty(s.filter));

  const scrollRef = useRef<HTMLDivElement>(null);
  const anchor = useRef<{ id: number; offset: number } | null>(null);
  const awayRef = useRef(false);
  const [away, setAway] = useState(false);
  /** Newest id on screen when the user left the top: rows above it are "new". */
  const [awayTopId, setAwayTopId] = useState<number | null>(null);

  const virtualizer = useVirtualizer({
    count: events.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    getItemKey: (i) => events[i]?.id ?? i,
  });

  const onScroll = useCallback(() => {
    const el = scrollRef.current;
    if (!el) return;
    const st = el.scrollTop;
    const evs = store.getState().events;
    const idx = Math.min(evs.length - 1, Math.floor(st / ROW_HEIGHT));
    anchor.current = idx >= 0 ? { id: evs[idx].id, offset: st - idx * ROW_HEIGHT } : null;
    const isAway = st > TOP_SLACK;
    if (isAway !== awayRef.current) {
      awayRef.current = isAway;
      setAway(isAway);
      setAwayTopId(isAway ? evs[0]?.id ?? null : null);
    }
  }, [store]);

  // Keep the row the user is reading in place when rows are added above or trimmed off the top.
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el || !away || !anchor.current) return;
    const idx = events.findIndex((e) => e.id === anchor.current!.id);
    if (idx < 0) return;
    const target = idx * ROW_HEIGHT + anchor.current.offset;
    if (Math.abs(el.scrollTop - target) > 1) el.scrollTop = target;
  }, [events, away]);

  // Fetch the next older page before the user reaches the bottom.
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.length ? items[items.length - 1].index : -1;
  useEffect(() => {
    if (hasOlder && !loadingOlder && !loading && lastIndex >= events.length - LOAD_AHEAD_ROWS) void store.getState().loadOlder();
  }, [lastIndex, events.length, hasOlder, loadingOlder, loading, store]);

  // Keyboard selection follows into view.
  useEffect(() => {
    if (selectedId == null) return;
    const idx = store.getState().events.findIndex((e) => e.id === selectedId);
    if (idx >= 0) virtualizer.scrollToIndex(idx, { align: 'auto' });
  }, [selectedId, store, virtualizer]);

  const newAbove = away && awayTopId != null ? countAbove(events, awayTopId) : 0;
  const pillCount = newAbove + (detached ? unseen : 0);
  const showPill = (away && pillCount > 0) || detached;

  const jumpToTop = () => {
    const el = scrollRef.current;
    if (detached) void store.getState().jumpToLatest();
    if (el) el.scrollTop = 0;
    anchor.current = null;
    awayRef.current = false;
    setAway(false);
    setAwayTopId(null);
  };

  const onSelect = useCallback((id: number) => store.getState().select(id), [store]);

  if (!loading && events.length === 0) {
    return (
      <div className="feed feed-empty" data-testid="feed">
        {listError ? <div className="notice notice-error">Could not load events: {listError}</div> : null}
        {filterEmpty ? (
          <SetupGuide />
        ) : (
          <div className="empty-filtered" data-testid="empty-filtered">
            <p>No events match these filters{live ? ' yet' : ''}.</p>
            <button type="button" className="btn" onClick={() => store.getState().clearFilters()}>Clear filters</button>
          </div>
        )}
      </div>
    );
  }

  return (
    <div className="feed" data-testid="feed">
      {listError && <div className="notice notice-error">{listError}</div>}
      {showPill && (
        <button type="button" className="new-pill" data-testid="new-pill" onClick={jumpToTop}>
          {pillCount > 0 ? `↑ ${pillCount} new` : '↑ Back to latest'}
        </button>
      )}
      <div className="feed-header" role="row">
        <span className="cell cell-time">Time</span>
        <span className="cell cell-provider">Provider</span>
        <span className="cell cell-status">Status</span>
        <span className="cell cell-contact">Contact</span>
        <span className="cell cell-text">Text / error</span>
        <span className="cell cell-flags" />
      </div>
      <div className="feed-scroll" ref={scrollRef} onScroll={onScroll} role="grid" aria-rowcount={events.length} data-testid="feed-scroll">
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {items.map((vi) => {
            const e = events[vi.index];
            if (!e) return null;
            return <EventRow key={e.id} event={e} top={vi.start} selected={e.id === selectedId} onSelect={onSelect} />;
          })}
        </div>
        {(loadingOlder || (!hasOlder && events.length > 0)) && (
          <div className="feed-footer">{loadingOlder ? 'Loading older events…' : 'No older events'}</div>
        )}
      </div>
      {loading && <div className="feed-loading" aria-live="polite">Loading…</div>}
    </div>
  );
}

/** Rows newer than `topId` (the list is newest first). */
function countAbove(events: { id: number }[], topId: number): number {
  let n = 0;
  for (const e of events) {
    if (e.id > topId) n++;
    else break;
  }
  return n;
}
