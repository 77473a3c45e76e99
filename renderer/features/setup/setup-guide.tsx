// The empty state: teaches the two minutes of setup, per provider, with the exact values to paste.
import { useState } from 'react';
import { useApp, useAppShallow, useAppStore } from '../../state/hooks';
import { CopyButton } from '../../ui/copy-button';
import { callbackBase } from './callback-url';

export function SetupGuide() {
  const store = useAppStore();
  const { tunnel, settings, appInfo, tunnelBusy, tunnelError } = useAppShallow((s) => ({
    tunnel: s.tunnel, settings: s.settings, appInfo: s.appInfo, tunnelBusy: s.tunnelBusy, tunnelError: s.tunnelError,
  }));
  const connection = useApp((s) => s.connection);
  const [simMessage, setSimMessage] = useState<string | null>(null);
  const base = callbackBase(tunnel, settings, appInfo);
  const secrets = settings?.secrets;

  const simulate = async (provider: 'meta' | 'twilio') => {
    setSimMessage('Sending…');
    const err = await store.getState().simulate('message', provider);
    setSimMessage(err ? `Could not simulate: ${err}` : 'Sent — it should appear in a moment.');
  };

  return (
    <div className="setup" data-testid="setup-guide">
      <h1 className="setup-title">Waiting for the first webhook</h1>
      <p className="setup-lead">
        Hookscope is listening{appInfo ? <> on <code>{appInfo.receiver.url}</code></> : null}
        {connection !== 'open' ? ' (connecting…)' : ''}. Point your WhatsApp provider at it and events show up here live.
      </p>

      {base.source !== 'tunnel' && base.source !== 'public' && (
        <div className="notice">
          <strong>Providers cannot reach this computer directly.</strong> Start a tunnel to get a public https URL
          {base.source === 'local' ? ' (until then the address below only works from this machine)' : ''}.{' '}
          <button type="button" className="btn btn-xs" disabled={tunnelBusy || tunnel?.state === 'connecting'} onClick={() => void store.getState().startTunnel()}>
            {tunnel?.state === 'connecting' ? 'Connecting…' : 'Start tunnel'}
          </button>
          {(tunnelError || (tunnel?.state === 'error' && tunnel.message)) && (
            <div className="notice-detail">{tunnelError ?? tunnel?.message}</div>
          )}
        </div>
      )}

      <section className="setup-card" data-testid="setup-meta">
        <h2>Meta WhatsApp Cloud API</h2>
        <ol>
          <li>
            Open developers.facebook.com → your app → WhatsApp → Configuration → Webhook → Edit.
          </li>
          <li>
            Callback URL:{' '}
            {base.url ? (<><code data-testid="meta-callback-url">{base.url}/meta</code> <CopyButton text={`${base.url}/meta`} /></>) : '…'}
          </li>
          <li>
            Verify token:{' '}
            {secrets?.metaVerifyToken.set
              ? 'the one you configured in Hookscope (set; it is not shown here).'
              : 'not set yet — generate one in the Setup panel (or set META_VERIFY_TOKEN for serve), then paste the same value in Meta.'}
          </li>
          <li>
            App secret (to check signatures):{' '}
            {secrets?.metaAppSecret.set
              ? `set${secrets.metaAppSecret.count > 1 ? ` (${secrets.metaAppSecret.count} secrets)` : ''} ✓ — every POST is checked against it.`
              : 'not set — signatures will show as unchecked. It is in App settings → Basic → App secret.'}
          </li>
          <li>Subscribe to the <code>messages</code> field.</li>
        </ol>
        <button type="button" className="btn btn-xs" onClick={() => void simulate('meta')}>Simulate an incoming Meta message</button>
      </section>

      <section className="setup-card" data-testid="setup-twilio">
        <h2>Twilio WhatsApp</h2>
        <ol>
          <li>Open console.twilio.com → Messaging → Senders → WhatsApp senders (or the Sandbox settings).</li>
          <li>
            “When a message comes in” and “Status callback URL”:{' '}
            {base.url ? (<><code data-testid="twilio-callback-url">{base.url}/twilio</code> <CopyButton text={`${base.url}/twilio`} /></>) : '…'}
          </li>
          <li>
            Auth token (to check signatures):{' '}
            {secrets?.twilioAuthToken.set
              ? `set${secrets.twilioAuthToken.count > 1 ? ` (${secrets.twilioAuthToken.count} tokens)` : ''} ✓ — every POST is checked against it.`
              : 'not set — signatures will show as unchecked. It is on the Twilio console home page.'}
          </li>
        </ol>
        <button type="button" className="btn btn-xs" onClick={() => void simulate('twilio')}>Simulate an incoming Twilio message</button>
      </section>
      {simMessage && <p className="setup-note" aria-live="polite">{simMessage}</p>}
      {settings && <RetentionNote days={settings.retention.days} />}
    </div>
  );
}

/** Messages are customers' personal data: say how long they are kept, and where to change it. */
export function RetentionNote({ days }: { days: number | null }) {
  return (
    <p className="setup-note muted small" data-testid="retention-note">
      {days != null
        ? `Webhooks are kept for ${days} day${days === 1 ? '' : 's'}, then deleted.`
        : 'Webhooks are kept until you delete them.'}{' '}
      Change it under Settings → Retention; privacy mode (Shift+P) hides names, numbers and texts before you share your screen.
    </p>
  );
}
