// Receiver address, tunnel state with the callback URL, Live/Paused, counts. Below 900 px the receiver,
// tunnel and counts fold into one status pill (styles.css), so the bar stays usable down to 800 px.
import { useAppShallow, useAppStore } from '../../state/hooks';
import { CopyButton } from '../../ui/copy-button';
import { callbackBase } from '../setup/callback-url';
import { PanelNav } from '../panels/panel-host';
import { RejectedBadge } from '../rejected/rejected-badge';
import { usePanel } from '../../state/panel-state';
import { countsText } from './counts';
import { PrivacyToggle } from '../privacy/privacy';

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
    allTotal: st.allTotal,
  }));
  const base = callbackBase(s.tunnel, s.settings, s.appInfo);
  const tunnelState = s.tunnel?.state ?? 'off';

  return (
    <header className="top-bar" data-testid="top-bar">
      <div className="brand">Hookscope</div>

      <div className="top-item top-receiver" title="Where providers' webhooks arrive on this computer">
        <span className="top-label">Receiver</span>
        {s.appInfo ? (
          // No Copy: this address only works from this computer; the public one is in Setup.
          <code data-testid="receiver-url" title={s.appInfo.receiver.url}>{s.appInfo.receiver.url}</code>
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
          <button type="button" className="btn btn-xs" data-admin-only disabled={s.tunnelBusy} onClick={() => void store.getState().stopTunnel()}>Stop</button>
        ) : (
          // Without an authtoken the start would only fail: the button says where to put it instead.
          <button type="button" className="btn btn-xs" data-admin-only disabled={s.tunnelBusy || !s.settings?.secrets.ngrokAuthtoken.set}
            title={s.settings?.secrets.ngrokAuthtoken.set ? 'Start the ngrok tunnel' : 'Save your ngrok authtoken in Setup first'}
            onClick={() => void store.getState().startTunnel()}>Start</button>
        )}
      </div>

      <PanelNav />
      <RejectedBadge />

      <div className="top-spacer" />

      {s.connection !== 'open' && (
        <span className="conn conn-down" data-testid="connection">{s.connection === 'connecting' ? 'Connecting…' : 'Reconnecting…'}</span>
      )}

      <div className="top-item counts" data-testid="counts" title="Events matching the filters, of all events stored">
        {countsText(s.total, s.allTotal)}
      </div>

      <button type="button" className={`status-pill tunnel-${tunnelState}`} data-testid="status-pill"
        title={`Receiver ${s.appInfo?.receiver.url ?? '…'} · tunnel ${tunnelState} · ${countsText(s.total, s.allTotal)} — open Setup`}
        onClick={() => usePanel.getState().toggle('setup')}>
        <span className="tunnel-dot" aria-hidden="true" />
        <span>Tunnel {tunnelState}</span>{' '}
        <span className="muted">· {countsText(s.total, s.allTotal)}</span>
      </button>
      <PrivacyToggle />

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
