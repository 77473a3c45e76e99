// The feed: the raw Events view or the Messages view (one row per message), switched in the feed's
// toolbar and kept in the URL (`view=messages`).
//
// Events view: virtualised, newest on top. While the user is at the top, new rows push in and stay
// visible (auto-scroll). Once they scroll away, the view stays anchored to the row they were reading
// and a pill counts what arrived above.
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { useApp, useAppStore } from '../../state/hooks';
import { isFilterEmpty } from '../../state/filter-match';
import { SetupGuide, SetupStrip } from '../setup/setup-guide';
import type { AppState } from '../../state/context';
import { ErrorBoundary } from '../../ui/error-boundary';
import { EventRow } from './event-row';
import { FeedGrid, ROW_HEIGHT, focusInspector, type FeedGridHandle } from './feed-grid';
import { eventColumns } from './cells';
import { MessagesView } from './messages-view';
import { FeedToolbar } from './feed-toolbar';
import { useNarrow } from './use-narrow';
import { registerFeedFocus } from './feed-focus';

const TOP_SLACK = 4;
const LOAD_AHEAD_ROWS = 30;

/**
 * Nothing stored and no filter: the first screen (the setup guide) instead of a feed — no filter bar,
 * no toolbar, nothing to skip to.
 */
// Decided by the store's count once known (a reload's "loading" must not flash the filter bar in and out).
export const isFirstScreen = (s: AppState) => s.events.length === 0 && isFilterEmpty(s.filter) && !s.listError
  && (s.allTotal === 0 || (s.allTotal == null && !s.loading));

export function Feed() {
  const view = useApp((s) => s.view);
  const firstScreen = useApp(isFirstScreen);
  if (firstScreen) {
    return (
      <section className="feed" data-testid="feed" aria-label="Feed" id="feed">
        <div className="feed-empty"><SetupGuide /></div>
      </section>
    );
  }
  return (
    <section className="feed" data-testid="feed" aria-label="Feed" id="feed">
      <SetupStrip />
      <FeedToolbar />
      <ErrorBoundary name={view === 'messages' ? 'The Messages view' : 'The Events view'} resetKey={view}>
        {view === 'messages' ? <MessagesView /> : <EventsView />}
      </ErrorBoundary>
    </section>
  );
}

function EventsView() {
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
  const columns = useApp((s) => s.columns);
  const businessNames = useApp((s) => s.businessNames);
  const total = useApp((s) => s.total);
  const filterEmpty = useApp((s) => isFilterEmpty(s.filter));
  const narrow = useNarrow();

  const grid = useRef<FeedGridHandle>(null);
  const anchor = useRef<{ id: number; offset: number } | null>(null);
  const awayRef = useRef(false);
  const [away, setAway] = useState(false);
  /** Newest id on screen when the user left the top: rows above it are "new". */
  const [awayTopId, setAwayTopId] = useState<number | null>(null);

  useEffect(() => registerFeedFocus(() => grid.current?.focusActive()), []);

  const onScroll = useCallback(() => {
    const el = grid.current?.scrollEl();
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
    const el = grid.current?.scrollEl();
    if (!el || !away || !anchor.current) return;
    const idx = events.findIndex((e) => e.id === anchor.current!.id);
    if (idx < 0) return;
    const target = idx * ROW_HEIGHT + anchor.current.offset;
    if (Math.abs(el.scrollTop - target) > 1) el.scrollTop = target;
  }, [events, away]);

  // Fetch the next older page before the user reaches the bottom.
  const onNearEnd = useCallback((lastIndex: number) => {
    const s = store.getState();
    if (s.hasOlder && !s.loadingOlder && !s.loading && lastIndex >= s.events.length - LOAD_AHEAD_ROWS) void s.loadOlder();
  }, [store]);
  useEffect(() => {
    // A page may land while the last rendered row stays the same: check again.
    const v = grid.current?.virtualizer();
    const items = v?.getVirtualItems() ?? [];
    if (items.length) onNearEnd(items[items.length - 1].index);
  }, [events.length, hasOlder, loadingOlder, loading, onNearEnd]);

  const selectedIndex = selectedId == null ? -1 : events.findIndex((e) => e.id === selectedId);
  const rowKey = useCallback((i: number) => events[i]?.id ?? i, [events]);

  // Keyboard selection follows into view.
  useEffect(() => {
    if (selectedIndex >= 0) grid.current?.virtualizer()?.scrollToIndex(selectedIndex, { align: 'auto' });
  }, [selectedIndex]);

  const newAbove = away && awayTopId != null ? countAbove(events, awayTopId) : 0;
  const pillCount = newAbove + (detached ? unseen : 0);
  const showPill = (away && pillCount > 0) || detached;

  const jumpToTop = () => {
    const el = grid.current?.scrollEl();
    if (detached) void store.getState().jumpToLatest();
    if (el) el.scrollTop = 0;
    anchor.current = null;
    awayRef.current = false;
    setAway(false);
    setAwayTopId(null);
  };

  const onOpen = useCallback((index: number, o: { focusInspector: boolean }) => {
    const e = store.getState().events[index];
    if (!e) return;
    store.getState().select(e.id);
    if (o.focusInspector) focusInspector();
  }, [store]);

  if (!loading && events.length === 0) {
    return (
      <div className="feed-empty">
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
    <div className="feed-body">
      {listError && <div className="notice notice-error">{listError}</div>}
      {showPill && (
        <button type="button" className="new-pill" data-testid="new-pill" onClick={jumpToTop}>
          {pillCount > 0 ? `↑ ${pillCount} new` : '↑ Back to latest'}
        </button>
      )}
      <FeedGrid
        ref={grid}
        label="Events"
        columns={eventColumns(columns, narrow)}
        count={events.length}
        total={total}
        rowKey={rowKey}
        selectedIndex={selectedIndex}
        hasSelection={selectedId != null}
        onOpen={onOpen}
        onNearEnd={onNearEnd}
        onScroll={onScroll}
        renderRow={({ index, top, active, slot, light }) => {
          const e = events[index];
          return <EventRow key={slot} event={e} selected={e.id === selectedId} columns={columns} narrow={narrow} index={index} top={top} active={active} light={light} businessNames={businessNames} />;
        }}
        footer={(loadingOlder || (!hasOlder && events.length > 0)) && (
          <div className="feed-footer">{loadingOlder ? 'Loading older events…' : 'No older events'}</div>
        )}
      />
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
