// The "accept unsigned webhooks" switch per provider (docs/api.md "Trust boundary"): a provider without a
// secret is closed; for a quick trial the user may accept its unsigned webhooks, and while that is on the
// switch says loudly what it means. Shown in Settings and in Setup; applied at once, not with the form.
import { useState } from 'react';
import type { Provider } from '../../../shared/types';
import { useApp, useAppStore } from '../../state/hooks';

const NAMES: Record<Provider, { name: string; secret: string }> = {
  meta: { name: 'Meta', secret: 'Meta app secret' },
  twilio: { name: 'Twilio', secret: 'Twilio auth token' },
};

export function AcceptUnsignedSwitch() {
  const store = useAppStore();
  const settings = useApp((s) => s.settings);
  const canAdmin = useApp((s) => s.identity?.role !== 'viewer');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const accept = settings?.acceptUnsigned;
  if (!settings || !accept) return null;
  const secretSet = (p: Provider) => (p === 'meta' ? settings.secrets.metaAppSecret.set : settings.secrets.twilioAuthToken.set);
  const set = async (p: Provider, on: boolean) => {
    setBusy(true);
    const r = await store.getState().updateSettings({ acceptUnsigned: { [p]: on } });
    setBusy(false);
    setError(r.ok ? null : r.error);
  };
  const open = (['meta', 'twilio'] as const).filter((p) => !secretSet(p) && (accept[p] || accept.fromEnv.includes(p)));
  return (
    <section className="panel-section" data-testid="accept-unsigned">
      <h3 className="section-title">Unsigned webhooks</h3>
      <p className="muted small">
        A provider without its secret refuses webhooks (they go to Rejected, saying how to set it up). For a quick
        trial you can accept its unsigned webhooks — anyone who knows the URL can then add events.
      </p>
      {(['meta', 'twilio'] as const).map((p) => (
        <label key={p} className="panel-row form-row">
          <input type="checkbox" checked={accept[p]} disabled={busy || !canAdmin} onChange={(ev) => void set(p, ev.target.checked)} data-testid={`accept-unsigned-${p}`} />
          <span>
            Accept unsigned {NAMES[p].name} webhooks{secretSet(p) ? ` (the ${NAMES[p].secret} is set: signatures are checked anyway)` : ''}
            {accept.fromEnv.includes(p) && <span className="muted small"> — on for this run (--accept-unsigned / HOOKSCOPE_ACCEPT_UNSIGNED)</span>}
          </span>
        </label>
      ))}
      {open.length > 0 && (
        <div className="notice notice-error" role="status" data-testid="accept-unsigned-on">
          <strong>Accepting unsigned {open.map((p) => NAMES[p].name).join(' and ')} webhooks:</strong> anyone who knows the URL can add
          messages, statuses and notifications. Set the {open.map((p) => NAMES[p].secret).join(' and the ')} and turn this off.
          {accept.migrated.length > 0 && ' (Left on by the update because this install had received unsigned webhooks.)'}
        </div>
      )}
      {error && <div className="field-error" role="alert">{error}</div>}
    </section>
  );
}
