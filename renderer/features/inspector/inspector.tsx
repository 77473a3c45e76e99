// The selected event in depth. Tabs load what they need (lifecycle, thread) when opened.
import { useEffect, useState } from 'react';
import { shareLink } from '../../state/url-filter';
import type { EventDetail } from '../../../shared/types';
import { useApp, useAppStore } from '../../state/hooks';
import { formatDateTime } from '../../ui/format';
import { useMask } from '../privacy/privacy';
import { ForgetContact } from '../privacy/forget-contact';
import { SafeText } from '../../ui/safe-text';
import { StatusBadge } from '../../ui/status-badge';
import { ConversationThread } from '../timeline/conversation-thread';
import { LifecycleTimeline } from '../timeline/lifecycle-timeline';
import { ForwardsTab } from './forwards-tab';
import { PayloadTab } from './payload-tab';
import { RawTab } from './raw-tab';
import { ReplayActions } from './replay-actions';
import { SignatureTab } from './signature-tab';
import { SummaryTab } from './summary-tab';
import { ErrorBoundary } from '../../ui/error-boundary';

const TABS = ['Summary', 'Payload', 'Raw', 'Signature', 'Forwards', 'Lifecycle', 'Conversation'] as const;
type Tab = (typeof TABS)[number];

export function Inspector() {
  const store = useAppStore();
  const selectedId = useApp((s) => s.selectedId);
  const detail = useApp((s) => s.detail);
  // The tab lives in the store (and the URL, `tab=raw`), so a link opens the event on the same tab.
  const tabKey = useApp((s) => s.inspectorTab);
  const tab: Tab = TABS.find((t) => t.toLowerCase() === tabKey) ?? 'Summary';
  const setTab = (t: Tab) => store.getState().setInspectorTab(t.toLowerCase());
  const mask = useMask();

  if (selectedId == null) return null;

  const e = detail.data;
  const enabled = TABS.filter((t) => !(e && ((t === 'Lifecycle' && !e.messageId) || (t === 'Conversation' && !e.contactId))));
  // Tabs as the ARIA pattern has them: one tab stop, ←/→ (Home/End) move between tabs and open them.
  const onTabKey = (ev: React.KeyboardEvent) => {
    const i = enabled.indexOf(tab);
    let next: Tab | null = null;
    if (ev.key === 'ArrowRight') next = enabled[(i + 1) % enabled.length];
    else if (ev.key === 'ArrowLeft') next = enabled[(i - 1 + enabled.length) % enabled.length];
    else if (ev.key === 'Home') next = enabled[0];
    else if (ev.key === 'End') next = enabled[enabled.length - 1];
    if (!next) return;
    ev.preventDefault();
    setTab(next);
    const el = document.getElementById(tabId(next));
    el?.focus();
  };
  return (
    <aside className="inspector" data-testid="inspector" aria-label="Inspector" tabIndex={-1}>
      <div className="inspector-head">
        {e ? (
          <>
            <StatusBadge event={e} />
            <h2 className="inspector-title"><SafeText text={mask.contact(e) || e.kind} max={200} /></h2>
            <span className="muted small inspector-meta">#{e.id} · {formatDateTime(e.receivedAt)}</span>
          </>
        ) : (
          <h2 className="inspector-title muted">Event #{selectedId}</h2>
        )}
        <EventLinkButton id={selectedId} />
        <button type="button" className="btn btn-ghost btn-xs inspector-close" aria-label="Close inspector" onClick={() => store.getState().clearSelection()}>✕</button>
      </div>
      {e && (
        <ErrorBoundary name="Replay" resetKey={e.id}>
          <ReplayActions event={e} />
        </ErrorBoundary>
      )}
      <div className="tabs" role="tablist" aria-label="Inspector tabs" onKeyDown={onTabKey}>
        {TABS.map((t) => {
          const disabled = !!e && ((t === 'Lifecycle' && !e.messageId) || (t === 'Conversation' && !e.contactId));
          return (
            <button
              key={t}
              type="button"
              role="tab"
              id={tabId(t)}
              aria-controls="inspector-tabpanel"
              tabIndex={tab === t ? 0 : -1}
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
      <div className="inspector-body" role="tabpanel" id="inspector-tabpanel" aria-labelledby={tabId(tab)} tabIndex={0}>
        {detail.loading && !e && <p className="muted">Loading…</p>}
        {detail.error && <div className="notice notice-error">Could not load event: {detail.error}</div>}
        {e && (
          <ErrorBoundary name={`The ${tab} tab`} resetKey={`${e.id}:${tab}`}>
            <TabContent tab={tab} event={e} />
          </ErrorBoundary>
        )}
      </div>
    </aside>
  );
}

function tabId(t: Tab) {
  return `inspector-tab-${t.toLowerCase()}`;
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
    if (messageId) void store.getState().loadLifecycle(messageId, false, event.provider ?? undefined);
  }, [messageId, event.provider, store]);
  if (!messageId) return <div className="tab-body"><p className="muted">This event has no message id.</p></div>;
  return (
    <div className="tab-body" data-testid="panel-lifecycle">
      {lifecycle.error && <div className="notice notice-error">{lifecycle.error}</div>}
      {lifecycle.loading && !lifecycle.data && <p className="muted">Loading…</p>}
      {lifecycle.data && lifecycle.key === messageId && (
        <LifecycleTimeline lifecycle={lifecycle.data} selectedId={selectedId} onSelect={(id) => store.getState().select(id)} />
      )}
      <button type="button" className="btn btn-ghost btn-xs" onClick={() => void store.getState().loadLifecycle(messageId, true, event.provider ?? undefined)}>Refresh</button>
    </div>
  );
}

function ConversationTab({ event }: { event: EventDetail }) {
  const store = useAppStore();
  const thread = useApp((s) => s.thread);
  const selectedId = useApp((s) => s.selectedId);
  const contactId = event.contactId;
  useEffect(() => {
    if (contactId) void store.getState().loadThread(contactId, false, event.provider ?? undefined);
  }, [contactId, event.provider, store]);
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
      <button type="button" className="btn btn-ghost btn-xs" onClick={() => void store.getState().loadThread(contactId, true, event.provider ?? undefined)}>Refresh</button>
      <ForgetContact contactId={contactId} />
    </div>
  );
}

/** Copies a link to this event on this tab (without the serve token: links are shared, tokens never). */
function EventLinkButton({ id }: { id: number }) {
  const [copied, setCopied] = useState<string | null>(null);
  const copy = () => {
    const url = shareLink(window.location, window.location.search);
    void navigator.clipboard?.writeText(url).catch(() => undefined);
    setCopied(url);
  };
  return (
    <>
      <button type="button" className="btn btn-ghost btn-xs" data-testid="event-link" title={`Copy a link to event #${id}`} onClick={copy}>Link</button>
      {copied && <span className="sr-only" role="status" data-testid="event-link-url">{copied}</span>}
    </>
  );
}
