// Shown on every screen while a provider has no secret (anyone with the URL can add events) and while
// the disk is too full to keep rejected requests, and while a team server's shared database is unreachable.
import { useAppShallow } from '../../state/hooks';
import { usePanel } from '../../state/panel-state';

export function TrustBanner() {
  const s = useAppShallow((st) => ({
    meta: st.settings?.secrets.metaAppSecret.set,
    twilio: st.settings?.secrets.twilioAuthToken.set,
    diskLow: st.rejectedSummary?.diskLow ?? false,
    loaded: st.settings != null,
    team: st.appInfo?.team ?? null,
  }));
  const open = usePanel((p) => p.open);
  const missing = [s.meta === false ? 'Meta app secret' : null, s.twilio === false ? 'Twilio auth token' : null].filter(Boolean);
  return (
    <>
      {s.loaded && missing.length > 0 && (
        <div className="notice notice-warn banner" role="status" data-testid="trust-banner">
          No {missing.join(' and no ')} set: anyone who knows the tunnel URL can add events.{' '}
          <button type="button" className="btn btn-xs" onClick={() => open('settings')}>Set a secret</button>
        </div>
      )}
      {s.team && !s.team.connected && (
        <div className="notice notice-error banner" role="alert" data-testid="database-banner">
          Database unreachable ({s.team.database}): webhooks are answered 503 so providers retry later, and the
          feed shows what was already copied here. Reconnecting on its own…
        </div>
      )}
      {s.diskLow && (
        <div className="notice notice-error banner" role="status" data-testid="disk-low-banner">
          Disk nearly full: rejected requests are answered but no longer kept. Accepted webhooks are still stored.
        </div>
      )}
    </>
  );
}
