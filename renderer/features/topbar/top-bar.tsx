// Receiver address, tunnel state with the callback URL, Live/Paused, counts.
import { useAppShallow, useAppStore } from '../../state/hooks';
import { CopyButton } from '../../ui/copy-button';
import { callbackBase } from '../setup/callback-url';
import { PanelNav } from '../panels/panel-host';
import { RejectedBadge } from '../rejected/rejected-badge';

export function TopBar() {
  const store = useAppStore();
  const s = useAppShallow((st) => ({
    appInfo: st.appInfo,
    tunnel: st.tunnel,
    tunnelBusy: st.tunnelBusy,
    tunnelError: st.tunnelError,
    settings: st.settings,
    live: st.live,
    total: st.total,
    loaded: st.events.length,
    unseen: st.unseenCount,
    connection: st.connection,
    allTotal: st.stats?.total,
  }));
  const base = callbackBase(s.tunnel, s.settings, s.appInfo);
  const tunnelState = s.tunnel?.state ?? 'off';

  return (
    <header className="top-bar" data-testid="top-bar">
      <div className="brand">Hookscope</div>

      <div className="top-item top-receiver" title="Where providers' webhooks arrive on this computer">
        <span className="top-label">Receiver</span>
        {s.appInfo ? (
          <>
            <code data-testid="receiver-url">{s.appInfo.receiver.url}</code>
            <CopyButton text={s.appInfo.receiver.url} />
          </>
        ) : (
          <span className="muted">…</span>
        )}
      </div>

      <div className={`top-item tunnel tunnel-${tunnelState}`} data-testid="tunnel">
        <span className="top-label">Tunnel</span>
        <span className="tunnel-dot" aria-hidden="true" />
        <span className="tunnel-state">{tunnelState}</span>
        {tunnelState === 'online' && base.url && (
          <>
            <code title="Callback URL for Meta">{base.url}/meta</code>
            <CopyButton text={`${base.url}/meta`} label="Copy /meta" />
            <CopyButton text={`${base.url}/twilio`} label="Copy /twilio" />
          </>
        )}
        {tunnelState === 'error' && <span className="tunnel-error" title={s.tunnel?.message}>{s.tunnel?.message ?? 'error'}</span>}
        {s.tunnelError && <span className="tunnel-error">{s.tunnelError}</span>}
        {s.tunnel?.warning && tunnelState !== 'off' && <span className="tunnel-error" data-testid="tunnel-warning">{s.tunnel.warning}</span>}
        {tunnelState === 'online' || tunnelState === 'connecting' ? (
          <button type="button" className="btn btn-xs" disabled={s.tunnelBusy} onClick={() => void store.getState().stopTunnel()}>Stop</button>
        ) : (
          <button type="button" className="btn btn-xs" disabled={s.tunnelBusy} onClick={() => void store.getState().startTunnel()}>Start</button>
        )}
      </div>

      <PanelNav />
      <RejectedBadge />

      <div className="top-spacer" />

      {s.connection !== 'open' && (
        <span className="conn conn-down" data-testid="connection">{s.connection === 'connecting' ? 'Connecting…' : 'Reconnecting…'}</span>
      )}

      <div className="top-item counts" data-testid="counts" title="Matching the filters · loaded in the list">
        <strong>{s.total.toLocaleString()}</strong>&nbsp;events
        {s.allTotal != null && s.allTotal !== s.total && <span className="muted">&nbsp;of {s.allTotal.toLocaleString()}</span>}
      </div>

      <button
        type="button"
        className={`btn live-toggle ${s.live ? 'is-live' : 'is-paused'}`}
        data-testid="live-toggle"
        aria-pressed={s.live}
        onClick={() => store.getState().setLive(!s.live)}
        title={s.live ? 'Pause the feed (events keep being received)' : 'Resume the live feed'}
      >
        <span className="live-dot" aria-hidden="true" />
        {s.live ? 'Live' : `Paused${s.unseen ? ` · ${s.unseen} new` : ''}`}
      </button>
    </header>
  );
}
