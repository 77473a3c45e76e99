// Shown on every screen while unsigned webhooks are accepted for a provider without a secret (anyone with
// the URL can add events; a provider without a secret and without that switch is closed, so nothing to
// say), while the disk is full or too full to keep rejected requests, and while a team server's shared
// database is unreachable or its live copy is held back by a transaction left open on the PostgreSQL
// server (the same words as the doctor: shared/team-held-back.ts).
import { describeHeldBack } from '../../../shared/team-held-back';
import { useAppShallow } from '../../state/hooks';
import { usePanel } from '../../state/panel-state';

export function TrustBanner() {
  const s = useAppShallow((st) => ({
    meta: st.settings?.secrets.metaAppSecret.set,
    twilio: st.settings?.secrets.twilioAuthToken.set,
    acceptMeta: st.settings?.acceptUnsigned ? st.settings.acceptUnsigned.meta || st.settings.acceptUnsigned.fromEnv.includes('meta') : false,
    acceptTwilio: st.settings?.acceptUnsigned ? st.settings.acceptUnsigned.twilio || st.settings.acceptUnsigned.fromEnv.includes('twilio') : false,
    diskLow: st.rejectedSummary?.diskLow ?? false,
    diskFull: st.rejectedSummary?.diskFull ?? false,
    loaded: st.settings != null,
    team: st.appInfo?.team ?? null,
  }));
  const open = usePanel((p) => p.open);
  const unsigned = [s.meta === false && s.acceptMeta ? 'Meta' : null, s.twilio === false && s.acceptTwilio ? 'Twilio' : null].filter(Boolean);
  return (
    <>
      {s.loaded && unsigned.length > 0 && (
        <div className="notice notice-warn banner" role="status" data-testid="trust-banner">
          Unsigned {unsigned.join(' and ')} webhooks accepted (no secret set): anyone who knows the tunnel URL can add events.{' '}
          <button type="button" className="btn btn-xs" onClick={() => open('settings')}>Settings</button>
        </div>
      )}
      {s.diskFull && (
        <div className="notice notice-error banner" role="alert" data-testid="disk-full-banner">
          Disk full: webhooks are answered 503 so providers retry later, and nothing is acknowledged that could not be
          stored. Free some space on the data folder&apos;s disk; receiving resumes by itself.
        </div>
      )}
      {s.team && !s.team.connected && (
        <div className="notice notice-error banner" role="alert" data-testid="database-banner">
          Database unreachable ({s.team.database}): webhooks are answered 503 so providers retry later, and the
          feed shows what was already copied here. Reconnecting on its own…
        </div>
      )}
      {s.team && s.team.connected && s.team.heldBack && (() => {
        const { title, detail } = describeHeldBack(s.team.heldBack, Date.now());
        return (
          <div className="notice notice-warn banner" role="status" data-testid="held-back-banner">
            {title}. {detail}
          </div>
        );
      })()}
      {s.diskLow && (
        <div className="notice notice-error banner" role="status" data-testid="disk-low-banner">
          Disk nearly full: rejected requests are answered but no longer kept. Accepted webhooks are still stored.
        </div>
      )}
    </>
  );
}
