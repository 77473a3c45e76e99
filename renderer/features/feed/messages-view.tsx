// The Messages view: one row per message, newest activity first, each with its life inline. Opening a
// row shows its failure when it failed, else its newest event; the Lifecycle tab has every step.
import { useCallback, useEffect, useRef } from 'react';
import { useApp, useAppStore } from '../../state/hooks';
import { eventToOpen } from '../../state/slices/messages-rows';
import { FeedGrid, focusInspector, type FeedGridHandle } from './feed-grid';
import { messageColumns } from './cells';
import { MessageRow } from './message-row';
import { useNarrow } from './use-narrow';
import { registerFeedFocus } from './feed-focus';

const LOAD_AHEAD_ROWS = 30;

export function MessagesView() {
  const store = useAppStore();
  const messages = useApp((s) => s.messages);
  const selectedId = useApp((s) => s.selectedId);
  const loading = useApp((s) => s.messagesLoading);
  const loadingOlder = useApp((s) => s.messagesLoadingOlder);
  const next = useApp((s) => s.messagesNext);
  const error = useApp((s) => s.messagesError);
  const columns = useApp((s) => s.columns);
  const total = useApp((s) => s.messageCounts?.total ?? null);
  const narrow = useNarrow();
  const grid = useRef<FeedGridHandle>(null);

  useEffect(() => registerFeedFocus(() => grid.current?.focusActive()), []);

  const rowKey = useCallback((i: number) => messages[i]?.key ?? i, [messages]);
  const selectedIndex = selectedId == null ? -1 : messages.findIndex((m) => m.events.some((e) => e.id === selectedId));
  useEffect(() => {
    if (selectedIndex >= 0) grid.current?.virtualizer()?.scrollToIndex(selectedIndex, { align: 'auto' });
  }, [selectedIndex]);

  const onOpen = useCallback((index: number, o: { focusInspector: boolean }) => {
    const m = store.getState().messages[index];
    if (!m) return;
    const id = eventToOpen(m);
    // Moving within the same message keeps the event the user picked in its lifecycle.
    const cur = store.getState().selectedId;
    if (cur == null || !m.events.some((e) => e.id === cur)) store.getState().select(id);
    if (o.focusInspector) focusInspector();
  }, [store]);

  const onNearEnd = useCallback((lastIndex: number) => {
    const s = store.getState();
    if (lastIndex >= s.messages.length - LOAD_AHEAD_ROWS) void s.loadOlderMessages();
  }, [store]);

  if (!loading && messages.length === 0) {
    return (
      <div className="feed-empty">
        {error && <div className="notice notice-error">Could not load messages: {error}</div>}
        <div className="empty-filtered" data-testid="messages-empty">
          <p>No messages{store.getState().filter && Object.keys(store.getState().filter).length ? ' match these filters' : ' yet'}.</p>
        </div>
      </div>
    );
  }

  return (
    <div className="feed-body">
      {error && <div className="notice notice-error">{error}</div>}
      <FeedGrid
        ref={grid}
        label="Messages"
        testId="messages-grid"
        columns={messageColumns(columns, narrow)}
        count={messages.length}
        total={total}
        rowKey={rowKey}
        selectedIndex={selectedIndex}
        hasSelection={selectedId != null}
        onOpen={onOpen}
        onNearEnd={onNearEnd}
        renderRow={({ index, top, active, slot, light }) => {
          const m = messages[index];
          return <MessageRow key={slot} message={m} selected={index === selectedIndex} columns={columns} index={index} top={top} active={active} light={light} />;
        }}
        footer={(loadingOlder || (next == null && messages.length > 0)) && (
          <div className="feed-footer">{loadingOlder ? 'Loading older messages…' : 'No older messages'}</div>
        )}
      />
      {loading && <div className="feed-loading" aria-live="polite">Loading…</div>}
    </div>
  );
}
