// The selected event in depth. Tabs load what they need (lifecycle, thread) when opened.
import { useEffect, useState } from 'react';
import type { EventDetail } from '../../../shared/types';
import { useApp, useAppStore } from '../../state/hooks';
import { formatDateTime } from '../../ui/format';
import { useMask } from '../privacy/privacy';
import { ForgetContact } from '../privacy/forget-contact';
import { StatusBadge } from '../../ui/status-badge';
import { ConversationThread } from '../timeline/conversation-thread';
import { LifecycleTimeline } from '../timeline/lifecycle-timeline';
import { ForwardsTab } from './forwards-tab';
import { PayloadTab } from './payload-tab';
import { RawTab } from './raw-tab';
import { ReplayActions } from './replay-actions';
import { SignatureTab } from './signature-tab';
import { SummaryTab } from './summary-tab';

const TABS = ['Summary', 'Payload', 'Raw', 'Signature', 'Forwards', 'Lifecycle', 'Conversation'] as const;
type Tab = (typeof TABS)[number];

export function Inspector() {
  const store = useAppStore();
  const selectedId = useApp((s) => s.selectedId);
  const detail = useApp((s) => s.detail);
  const [tab, setTab] = useState<Tab>('Summary');
  const mask = useMask();

  if (selectedId == null) {
    return (
      <aside className="inspector inspector-empty" data-testid="inspector">
        <p className="muted">Select an event to inspect it.</p>
        <p className="muted small">j / k or ↓ / ↑ move · / search · Esc clears</p>
      </aside>
    );
  }

  const e = detail.data;
  return (
    <aside className="inspector" data-testid="inspector" aria-label="Inspector">
      <div className="inspector-head">
        {e ? (
          <>
            <StatusBadge event={e} />
            <span className="inspector-title">{mask.contact(e) || e.kind}</span>
            <span className="muted small inspector-meta">#{e.id} · {formatDateTime(e.receivedAt)}</span>
          </>
        ) : (
          <span className="muted">Event #{selectedId}</span>
        )}
        <button type="button" className="btn btn-ghost btn-xs inspector-close" aria-label="Close inspector" onClick={() => store.getState().clearSelection()}>✕</button>
      </div>
      {e && <ReplayActions event={e} />}
      <div className="tabs" role="tablist">
        {TABS.map((t) => {
          const disabled = !!e && ((t === 'Lifecycle' && !e.messageId) || (t === 'Conversation' && !e.contactId));
          return (
            <button
              key={t}
              type="button"
              role="tab"
              aria-selected={tab === t}
              disabled={disabled}
              title={disabled ? (t === 'Lifecycle' ? 'This event has no message id' : 'This event has no contact') : undefined}
              className={`tab${tab === t ? ' tab-active' : ''}`}
              onClick={() => setTab(t)}
              data-testid={`tab-${t.toLowerCase()}`}
            >
              {t}
            </button>
          );
        })}
      </div>
      <div className="inspector-body" role="tabpanel">
        {detail.loading && !e && <p className="muted">Loading…</p>}
        {detail.error && <div className="notice notice-error">Could not load event: {detail.error}</div>}
        {e && <TabContent tab={tab} event={e} />}
      </div>
    </aside>
  );
}

function TabContent({ tab, event }: { tab: Tab; event: EventDetail }) {
  switch (tab) {
    case 'Summary': return <SummaryTab event={event} />;
    case 'Payload': return <PayloadTab event={event} />;
    case 'Raw': return <RawTab event={event} />;
    case 'Signature': return <SignatureTab event={event} />;
    case 'Forwards': return <ForwardsTab event={event} />;
    case 'Lifecycle': return <LifecycleTab event={event} />;
    case 'Conversation': return <ConversationTab event={event} />;
  }
}

function LifecycleTab({ event }: { event: EventDetail }) {
  const store = useAppStore();
  const lifecycle = useApp((s) => s.lifecycle);
  const selectedId = useApp((s) => s.selectedId);
  // Refetch when the event changes or new events for it arrive (cheap: one indexed query).
  const messageId = event.messageId;
  useEffect(() => {
    if (messageId) void store.getState().loadLifecycle(messageId);
  }, [messageId, store]);
  if (!messageId) return <div className="tab-body"><p className="muted">This event has no message id.</p></div>;
  return (
    <div className="tab-body" data-testid="panel-lifecycle">
      {lifecycle.error && <div className="notice notice-error">{lifecycle.error}</div>}
      {lifecycle.loading && !lifecycle.data && <p className="muted">Loading…</p>}
      {lifecycle.data && lifecycle.key === messageId && (
        <LifecycleTimeline lifecycle={lifecycle.data} selectedId={selectedId} onSelect={(id) => store.getState().select(id)} />
      )}
      <button type="button" className="btn btn-ghost btn-xs" onClick={() => void store.getState().loadLifecycle(messageId, true)}>Refresh</button>
    </div>
  );
}

function ConversationTab({ event }: { event: EventDetail }) {
  const store = useAppStore();
  const thread = useApp((s) => s.thread);
  const selectedId = useApp((s) => s.selectedId);
  const contactId = event.contactId;
  useEffect(() => {
    if (contactId) void store.getState().loadThread(contactId);
  }, [contactId, store]);
  if (!contactId) return <div className="tab-body"><p className="muted">This event has no contact.</p></div>;
  return (
    <div className="tab-body" data-testid="panel-conversation">
      {thread.error && <div className="notice notice-error">{thread.error}</div>}
      {thread.loading && !thread.data && <p className="muted">Loading…</p>}
      {thread.data && thread.key === contactId && (
        <ConversationThread
          items={thread.data.items}
          lastIncomingAt={thread.data.lastIncomingAt}
          selectedId={selectedId}
          onSelect={(id) => store.getState().select(id)}
        />
      )}
      <button type="button" className="btn btn-ghost btn-xs" onClick={() => void store.getState().loadThread(contactId, true)}>Refresh</button>
      <ForgetContact contactId={contactId} />
    </div>
  );
}
